"""City staff drill down through the demo's 2020 and type dates, as a person would.

Every link keeps its year and as-of date and opens without an error; the as-of date is one
text field written 31/10/2020 (not the browser's date picker); a date it cannot read is an
error under the field; the whole of 2020 reads met, not "behind pace".
"""

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

OCTOBER = "Năm 2020, số liệu tính đến ngày 31/10/2020."


def follow(tab, selector: str) -> None:
    with tab.page.expect_navigation():
        tab.page.locator(selector).first.click()


def show(tab, as_of: str) -> None:
    """Type a date in the period form and show it."""
    form = tab.page.locator("form.filter-form")
    form.locator("[name=as_of]").fill(as_of)
    with tab.page.expect_navigation():
        form.locator("button[type=submit]").click()


def period_of(tab) -> tuple[str, str, str]:
    """(the year menu, the as-of field, the sentence saying which period the page shows)."""
    form = tab.page.locator("form.filter-form")
    sentence = tab.page.locator("form.filter-form + p").inner_text()
    return form.locator("[name=year]").input_value(), form.locator("[name=as_of]").input_value(), sentence


def assert_no_form_error(tab) -> None:
    assert tab.page.locator(".invalid-feedback, [aria-invalid=true]").count() == 0, tab.page.url


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_drill_downs_keep_the_period_and_dates_are_typed_one_way(browse, viewport):
    tab = browse("city.staff", **({"viewport": viewport} if viewport else {}))

    # the rankings of October 2020 open Sơn Tây on October 2020
    tab.goto("/rankings/?year=2020&as_of=2020-10-31")
    follow(tab, 'table.ranking-table a[href^="/federations/son-tay/"]')
    assert tab.page.url.endswith("/federations/son-tay/?year=2020&as_of=2020-10-31"), tab.page.url
    assert tab.figure("new_members").startswith("505/410 ") and tab.figure("new_members").endswith("123,2%")
    assert period_of(tab) == ("2020", "31/10/2020", OCTOBER)
    field = tab.page.locator("form.filter-form [name=as_of]")
    assert field.get_attribute("type") == "text" and field.get_attribute("placeholder") == "ngày/tháng/năm"
    assert_no_form_error(tab)

    # the end of the year, typed as Vietnamese writes it: the year is over, both quotas are met
    show(tab, "31/12/2020")
    assert period_of(tab) == ("2020", "31/12/2020", "Năm 2020, số liệu tính đến ngày 31/12/2020.")
    assert tab.figure("new_members").startswith("563/410 ")
    badges = tab.page.locator("main .figure-card .status-badge").all_inner_texts()
    assert [" ".join(text.split()) for text in badges] == ["✔ Hoàn thành chỉ tiêu"] * 2
    assert "Chậm tiến độ" not in tab.page.locator("main").inner_text()
    assert_no_form_error(tab)

    # a date the field cannot read stays in the field, with the error under it
    show(tab, "31/13/2020")
    error = tab.page.locator("#id_as_of_error")
    assert error.is_visible() and error.inner_text().strip() == "Nhập một ngày hợp lệ."
    assert period_of(tab) == ("2020", "31/13/2020", "Năm 2020, số liệu tính đến ngày 31/12/2020.")

    # the overview of October 2020: its furthest behind and its rankings link keep the period
    tab.goto("/overview/?year=2020&as_of=2020-10-31")
    follow(tab, "table.behind-table tbody a")
    assert "?year=2020&as_of=2020-10-31" in tab.page.url, tab.page.url
    assert period_of(tab) == ("2020", "31/10/2020", OCTOBER)
    assert_no_form_error(tab)
    tab.page.go_back()
    follow(tab, 'main a[href^="/rankings/?"]')
    assert tab.page.url.endswith("/rankings/?year=2020&as_of=2020-10-31"), tab.page.url
    assert period_of(tab) == ("2020", "31/10/2020", OCTOBER)
    assert_no_form_error(tab)
    assert tab.errors == []
