"""Accessibility: axe-core (served from the installed package, no network) and the keyboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

MAIN_PAGES = [
    (None, "/accounts/login/"),
    ("city.staff", "/overview/?year=2024"),
    ("city.staff", "/rankings/?year=2024"),
    ("officer.thanhxuan", "/federations/thanh-xuan/?year=2024"),
    ("officer.thanhxuan", "/unions/"),
    ("officer.thanhxuan", "/members/"),
    ("officer.thanhxuan", "/members/new/"),
    ("officer.thanhxuan", "/employers/?large=on&covered=no"),
    ("officer.thanhxuan", "/employers/new/"),
]
BLOCKING = {"serious", "critical"}


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} — {[node['target'] for node in v['nodes']][:5]}"
        for v in violations
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_main_pages_have_no_serious_accessibility_violation(browse, viewport):
    axe = Axe()
    tabs = {}
    found = {}
    for user, path in MAIN_PAGES:
        if user not in tabs:
            tabs[user] = browse(user, viewport=viewport)
        tab = tabs[user]
        tab.goto(path)
        tab.page.wait_for_load_state("load")
        # Open the charts' text equivalents, so that their tables are checked too.
        tab.page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        results = axe.run(tab.page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
        if blocking:
            found[path] = describe(blocking)
    assert not found, "\n".join(f"{path}:\n{text}" for path, text in found.items())


def test_keyboard_alone_logs_in_and_skips_to_the_content(browse):
    tab = browse()
    tab.goto("/accounts/login/")
    page = tab.page
    # The login form takes the focus: type, Tab, type, Enter.
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("officer.thanhxuan")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type("unionboard-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/federations/thanh-xuan/")

    # The first Tab reaches "skip to content"; after it, the next Tab lands in the page's content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert page.evaluate("document.activeElement.getBoundingClientRect().width") > 1  # shown on focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")
    # The focused control shows where it is.
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; })()"
    )
    assert ring
    assert tab.errors == []
