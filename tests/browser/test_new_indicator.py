"""An administrator adds a reported indicator in the admin; an officer reports it; no deploy."""

import datetime

import pytest

pytestmark = pytest.mark.browser


def test_admin_adds_an_indicator_and_an_officer_reports_it(browse, writes_to_demo):
    admin = browse("admin")
    admin.goto("/admin/targets/indicator/add/")
    form = admin.page.locator("#indicator_form")
    form.locator("[name=code]").fill("blood_donors")
    form.locator("[name=name_vi]").fill("Đoàn viên hiến máu tình nguyện")
    form.locator("[name=name_en]").fill("Members donating blood")
    form.locator("[name=unit]").select_option("people")
    form.locator("[name=source]").select_option("reported")
    form.locator("[name=order]").fill("130")
    with admin.page.expect_navigation():
        form.locator("[name=_save]").click()
    assert admin.page.locator(".messagelist .success").count() == 1

    officer = browse("officer.thanhxuan")
    year = datetime.date.today().year
    officer.goto(f"/federations/thanh-xuan/?year={year}")
    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Nhập số liệu báo cáo").click()
    entry = officer.page.locator("main form[method=post]")
    assert entry.get_by_label("Đoàn viên hiến máu tình nguyện").count() == 1
    entry.get_by_label("Đoàn viên hiến máu tình nguyện").fill("125")
    officer.submit()
    assert officer.page.locator(".alert-success, .alert.alert-success").count() >= 1
    assert officer.figure("blood_donors") == "125 người"

    staff = browse("city.staff")
    staff.goto(f"/rankings/?year={year}&indicator=blood_donors")
    assert "125 người" in staff.page.locator("main").inner_text()
    assert admin.errors == officer.errors == staff.errors == []
