"""A transfer to another district in a real browser: found by its name typed without diacritics,
confirmed, and the member's record still open to the officer afterwards, read only."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PHONE
from unionboard.text import fold

pytestmark = pytest.mark.browser

OFFICER = "officer.thanhxuan"


def an_active_ba_dinh_union(browse) -> tuple[str, str]:
    """(name, code) of an active union of Ba Đình, as city staff find it in the unions list."""
    staff = browse("city.staff")
    staff.goto("/unions/")
    form = staff.page.locator("form.filter-form")
    form.locator("[name=federation]").select_option(label="LĐLĐ quận Ba Đình")
    form.locator("[name=status]").select_option("active")
    staff.submit("form.filter-form")
    link = staff.page.locator('main table tbody a[href^="/unions/ba-dinh-"]').first
    name, href = link.inner_text().strip(), link.get_attribute("href")
    assert staff.errors == []
    return name, href.strip("/").split("/")[-1]


def fits_the_screen(tab) -> bool:
    return tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def serious_violations(tab) -> list[str]:
    """axe-core's serious and critical findings on the page shown (the radio list, the confirmation)."""
    violations = Axe().run(tab.page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def test_officer_transfers_a_member_to_another_district_and_still_reads_the_record(browse, writes_to_demo):
    union_name, union_code = an_active_ba_dinh_union(browse)
    tab = browse(OFFICER, viewport=PHONE)  # the whole errand on a phone

    # One of Thanh Xuân's active members, opened from the officer's own list.
    tab.goto("/members/?status=active")
    member_link = tab.page.locator('main table tbody a[href^="/members/"]').first
    member_name, member_path = member_link.inner_text().strip(), member_link.get_attribute("href")
    tab.goto(member_path)
    with tab.page.expect_navigation():
        tab.page.locator(f'main a[href="{member_path}transfer/"]').click()

    # The receiving union, searched by its name without diacritics, listed with its federation.
    search = tab.page.locator("form[role=search]")
    search.locator("[name=q]").fill(fold(union_name))
    with tab.page.expect_navigation():
        search.locator("button[type=submit]").click()
    choice = tab.page.locator(f'main label:has(input[name=to_union][value="{union_code}"])')
    assert union_name in choice.inner_text() and "LĐLĐ quận Ba Đình" in choice.inner_text()
    assert fits_the_screen(tab) and serious_violations(tab) == []
    choice.locator("input").check()
    today = datetime.date.today()
    tab.page.locator("main form[method=post] [name=transferred_on]").fill(today.strftime("%d/%m/%Y"))
    tab.submit()

    # A move out of the officer's federation is put to them first, naming where it goes.
    assert "Xác nhận chuyển sinh hoạt sang công đoàn cấp trên khác" in tab.page.locator("main").inner_text()
    assert tab.page.locator("[data-receiving-federation]").inner_text() == "LĐLĐ quận Ba Đình"
    assert fits_the_screen(tab) and serious_violations(tab) == []
    tab.page.locator("main [name=confirm]").check()
    tab.submit()

    # Done: the officer is on the member's record, which they read but no longer change.
    assert tab.page.url.endswith(member_path), tab.page.url
    main = tab.page.locator("main").inner_text()
    assert f"{member_name} đã chuyển sinh hoạt đến {union_name} (LĐLĐ quận Ba Đình)." in main
    assert f"Đã chuyển sinh hoạt ngày {today:%d/%m/%Y} đến {union_name}" in main
    assert tab.page.locator(f'main a[href^="{member_path}"]').count() == 0  # no edit, transfer, departure
    assert fits_the_screen(tab) and serious_violations(tab) == []

    # Later, from the union the member left: its transfers out lead back to the record.
    with tab.page.expect_navigation():
        tab.page.locator("main dd a[href^='/unions/']").first.click()
    with tab.page.expect_navigation():
        tab.page.locator("main a[href$='/transfers-out/']").click()
    with tab.page.expect_navigation():
        tab.page.locator(f'main table a[href="{member_path}"]').click()
    assert "Đã chuyển sinh hoạt ngày" in tab.page.locator("main").inner_text()
    assert tab.errors == []
    response = tab.page.goto(tab.base_url + member_path + "edit/")
    assert response.status == 403
    assert len(tab.errors) == 1 and "403" in tab.errors[0]  # the browser logs the refused page, only
