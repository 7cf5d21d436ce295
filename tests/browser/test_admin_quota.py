"""An administrator corrects a quota in the admin; the dashboard follows at once."""

import pytest

pytestmark = pytest.mark.browser


def test_admin_changes_a_quota_and_the_dashboard_follows(browse, writes_to_demo):
    tab = browse("admin")
    tab.goto("/federations/thanh-xuan/?year=2024")
    assert tab.figure("new_members").endswith("— 70,0%")

    with tab.page.expect_navigation():
        tab.page.locator('nav a[href="/admin/"]').click()
    with tab.page.expect_navigation():
        tab.page.locator('a[href="/admin/targets/quota/"]').first.click()
    search = tab.page.locator("#changelist-search [name=q]")
    search.fill("thanh-xuan")
    with tab.page.expect_navigation():
        search.press("Enter")
    tab.goto(tab.page.url.replace(tab.base_url, "") + "&year=2024&metric__exact=new_members")
    rows = tab.page.locator("#result_list tbody tr")
    assert rows.count() == 1
    target = rows.first.locator("input[name$='-target']")
    assert target.input_value() == "6500"
    # On a laptop's screen the editable target and the reason are in view without scrolling.
    for box in (target.bounding_box(), tab.page.locator("#id_change_reason").bounding_box()):
        assert box is not None and box["x"] + box["width"] <= 1366 and box["y"] + box["height"] <= 768, box
    target.fill("6000")
    with tab.page.expect_navigation():
        tab.page.locator("#changelist-form [name=_save]").click()
    assert "Nêu lý do thay đổi chỉ tiêu." in tab.page.locator("#result_list").inner_text()  # nothing saved
    tab.page.locator("#id_change_reason").fill("Điều chỉnh theo nghị quyết giữa năm")
    tab.page.locator("input[name$='-target']").first.fill("6000")
    with tab.page.expect_navigation():
        tab.page.locator("#changelist-form [name=_save]").click()
    assert tab.page.locator(".messagelist .success").count() == 1
    with tab.page.expect_navigation():
        tab.page.locator("#result_list tbody tr th a").first.click()
    with tab.page.expect_navigation():
        tab.page.locator("a.historylink").click()
    latest = tab.page.locator("#change-history tbody tr").first.inner_text()
    assert "6.500 → 6.000" in latest and "Điều chỉnh theo nghị quyết giữa năm" in latest and "admin" in latest

    tab.goto("/federations/thanh-xuan/?year=2024")
    assert tab.figure("new_members").startswith("4.550/6.000 ")
    assert tab.figure("new_members").endswith("— 75,8%")
    assert tab.errors == []
