"""Every page of the product in a real browser, on a desktop and on a 375 px phone.

Each page must load without a JavaScript error (a Content-Security-Policy refusal counts),
every chart must be drawn with as many bars as its figure holds, each chart must have its
table beside it, every table header cells, and nothing may push the page wider than the
screen (tables scroll in their own box, charts shrink).
"""

import json

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

# (user, path, number of charts); a None user is anonymous.
PAGES = [
    (None, "/accounts/login/", 0),
    ("officer.thanhxuan", "/federations/thanh-xuan/", 3),
    ("officer.thanhxuan", "/federations/thanh-xuan/?year=2024", 3),
    ("officer.thanhxuan", "/rankings/?year=2024", 0),
    ("officer.thanhxuan", "/unions/", 0),
    ("officer.thanhxuan", "/unions/new/", 0),
    ("officer.thanhxuan", "/members/", 0),
    ("officer.thanhxuan", "/members/new/", 0),
    ("officer.thanhxuan", "/employers/", 0),
    ("officer.thanhxuan", "/employers/new/", 0),
    ("officer.thanhxuan", "/import/?kind=employers", 0),
    ("officer.thanhxuan", "/import/", 0),
    ("officer.thanhxuan", "/accounts/password/", 0),
    ("city.staff", "/overview/", 2),
    ("city.staff", "/overview/?year=2024", 2),
    ("city.staff", "/rankings/", 0),
    ("city.staff", "/rankings/?year=2024&kind=urban_district&sort=-new_members", 0),
    ("city.staff", "/federations/ba-dinh/?year=2020", 3),
    ("city.staff", "/federations/son-tay/?year=2020&as_of=2020-10-31", 3),
    ("city.staff", "/unions/", 0),
    ("city.staff", "/members/", 0),
    ("city.staff", "/employers/?covered=no&sort=-employees", 0),
    ("admin", "/admin/", 0),
    ("admin", "/admin/branches/employer/", 0),
    ("admin", "/admin/targets/quota/?year=2024", 0),
]

# What each drawn chart holds: bars per chart id on the pages with known figures.
EXPECTED_BARS = {
    ("/overview/?year=2024", "chart-new_members"): 45,
    ("/overview/?year=2024", "chart-new_unions"): 45,
    ("/federations/ba-dinh/?year=2020", "chart-sectors"): 3,  # public service, foreign-invested, non-state
}

CHART_STATE = """() => Array.from(document.querySelectorAll('script[type="application/json"][data-chart]'))
  .map((node) => {
    const div = document.getElementById(node.dataset.chart);
    const box = div.getBoundingClientRect();
    const card = div.closest('.card-body') || div.parentElement;
    return {
      id: node.dataset.chart,
      figure: node.textContent,
      drawn: div.dataset.drawn || null,
      svg: div.querySelectorAll('.main-svg').length,
      bars: div.querySelectorAll('.barlayer .point').length,
      lines: div.querySelectorAll('.scatterlayer .trace').length,
      width: box.width,
      label: div.getAttribute('aria-label'),
      text_table: !!card.querySelector('details.chart-text table'),
      empty_text: div.classList.contains('chart-empty') ? div.innerText : null,
    };
  })"""

PAGE_STATE = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  tables_without_headers: Array.from(document.querySelectorAll('main table'))
      .filter((t) => t.querySelectorAll('th').length === 0).length,
  h1: document.querySelectorAll('h1').length,
  lang: document.documentElement.lang,
})"""


def figure_bars(figure_json: str) -> int:
    figure = json.loads(figure_json)
    return sum(len(trace.get("y") or []) for trace in figure["data"] if trace.get("type") == "bar")


def check_page(tab, path: str, chart_count: int | None, viewport: dict) -> None:
    """Load one page and check its layout, tables and charts (chart_count None: any number)."""
    tab.goto(path)
    # The charts' tables are part of the page too: open them before measuring its width.
    tab.page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    state = tab.page.evaluate(PAGE_STATE)
    assert state["overflow"] <= 0, f"{path} is {state['overflow']} px wider than the screen"
    assert state["tables_without_headers"] == 0, path
    assert state["h1"] == 1, path
    assert state["lang"] == "vi", path

    charts = tab.page.evaluate(CHART_STATE)
    if chart_count is not None:
        assert len(charts) == chart_count, path
    for chart in charts:
        where = f"{path} #{chart['id']}"
        assert chart["label"], where
        assert chart["text_table"], f"{where} has no table of its figures"
        if chart["drawn"] == "empty":
            assert chart["empty_text"], where
            continue
        assert chart["drawn"] == "true", where
        assert chart["svg"] >= 1, where
        assert chart["bars"] == figure_bars(chart["figure"]), where
        assert chart["bars"] + chart["lines"] > 0, where
        assert chart["width"] <= viewport["width"], where
        expected = EXPECTED_BARS.get((path, chart["id"]))
        if expected is not None:
            assert chart["bars"] == expected, where


def record_pages(tab, list_path: str) -> list[str]:
    """From a list, the first record's page and every page it links to below its own address."""
    tab.goto(list_path)
    detail = tab.page.locator(f'main table tbody a[href^="{list_path}"]').first.get_attribute("href")
    tab.goto(detail)
    actions = tab.page.eval_on_selector_all(
        f'main a[href^="{detail}"]', "(links) => links.map((a) => a.getAttribute('href'))"
    )
    return [detail, *sorted({href for href in actions if href != detail and "?" not in href})]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_loads_cleanly_and_draws_its_charts(browse, viewport):
    tabs = {}
    for user, path, chart_count in PAGES:
        if user not in tabs:
            tabs[user] = browse(user, viewport=viewport)
        check_page(tabs[user], path, chart_count, viewport)

    # A union's and a member's own pages, and the forms they lead to (edit, status, transfer...).
    officer = tabs["officer.thanhxuan"]
    followed = record_pages(officer, "/unions/") + record_pages(officer, "/members/")
    assert len(followed) >= 4, followed
    for path in followed:
        check_page(officer, path, None, viewport)

    errors = [error for tab in tabs.values() for error in tab.errors]
    assert errors == []


def test_overview_charts_match_their_tables(browse):
    """Each attainment chart has one bar per row of its text table: 45 federations in 2024."""
    tab = browse("city.staff")
    tab.goto("/overview/?year=2024")
    for chart_id in ("chart-new_members", "chart-new_unions"):
        card = tab.page.locator(f"#{chart_id}").locator("xpath=ancestor::div[contains(@class,'card-body')]")
        rows = card.locator("details.chart-text tbody tr")
        assert rows.count() == 45
        assert tab.page.locator(f"#{chart_id} .barlayer .point").count() == 45
    assert tab.errors == []


def test_a_year_without_quotas_explains_itself(browse):
    """The overview of a year nobody has a quota for says so, and draws no empty chart."""
    tab = browse("city.staff")
    tab.goto("/overview/?year=2027")
    notice = tab.page.locator("main .alert[role=status]")
    assert notice.count() == 1
    assert "2027" in tab.page.locator("main").inner_text()
    assert tab.page.locator("main .chart").count() == 0
    assert tab.errors == []


def test_a_federation_without_quota_shows_counts_only(browse):
    """Before 2020 Thanh Xuân had no quota: counts, a notice, no rank, charts still drawn."""
    tab = browse("officer.thanhxuan")
    tab.goto("/federations/thanh-xuan/?year=2019")
    notice = tab.page.locator("main .alert[role=status]")
    assert notice.count() == 1
    assert "2019" in notice.inner_text() and "2.019" not in notice.inner_text()
    assert "/" not in tab.figure("new_members")
    assert tab.page.locator("main .progress").count() == 0
    drawn = tab.page.locator('main .chart[data-drawn="true"]')
    assert drawn.count() == 3
    assert tab.errors == []
