"""A district officer of Thanh Xuân in a real browser: their figures, an admission, their district only."""

import re

import pytest

pytestmark = pytest.mark.browser

OFFICER = "officer.thanhxuan"


def choose_year(tab, year: int) -> None:
    """Pick a year in the period form and show it, as a person would."""
    form = tab.page.locator("form.filter-form")
    form.locator("[name=year]").select_option(str(year))
    with tab.page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_officer_lands_on_their_federation_and_admits_a_member(browse, writes_to_demo):
    tab = browse(OFFICER)
    assert re.search(r"/federations/thanh-xuan/$", tab.page.url), tab.page.url
    assert "Thanh Xuân" in tab.page.locator("h1").inner_text()

    choose_year(tab, 2024)
    assert "year=2024" in tab.page.url
    assert tab.figure("new_members").startswith("4.550/6.500 ")
    assert tab.figure("new_members").endswith("— 70,0%")
    assert tab.figure("new_unions").startswith("22/20 ")
    assert tab.figure("new_unions").endswith("— 110,0%")

    with tab.page.expect_navigation():
        tab.page.locator('main a[href$="/members/new/"]').click()
    form = tab.page.locator("main form[method=post]")
    form.locator("[name=card_no]").fill("TX2024-BROWSER-1")
    form.locator("[name=full_name]").fill("Nguyễn Thị Thử")
    form.locator("[name=gender]").select_option("female")
    form.locator("[name=birth_date]").fill("1996-04-12")
    union = form.locator("[name=union]")
    first_union = union.locator("option:not([value=''])").first.get_attribute("value")
    union.select_option(first_union)
    form.locator("[name=admitted_on]").fill("2024-11-20")
    tab.submit()
    assert "/members/new/" not in tab.page.url, tab.page.locator("main").inner_text()

    tab.goto("/federations/thanh-xuan/?year=2024")
    assert tab.figure("new_members").startswith("4.551/6.500 ")
    assert tab.figure("new_members").endswith("— 70,0%")
    assert tab.errors == []


def test_officer_cannot_open_another_federation(browse):
    tab = browse(OFFICER)
    response = tab.page.goto(tab.base_url + "/federations/ba-dinh/?year=2024")
    assert response.status == 404
    assert "Ba Đình" not in tab.page.locator("body").inner_text()


def test_officer_sees_only_their_district(browse):
    tab = browse(OFFICER)
    nav = tab.page.locator("nav .navbar-nav")
    federation_links = nav.locator('a[href^="/federations/"]')
    assert federation_links.all_inner_texts() == ["LĐLĐ quận Thanh Xuân"]
    # The rankings show every district's totals but link only to the officer's own page.
    tab.goto("/rankings/?year=2024")
    rows = tab.page.locator("table.ranking-table tbody tr")
    assert rows.count() == 45
    links = tab.page.locator('table.ranking-table tbody a[href^="/federations/"]')
    assert links.all_inner_texts() == ["LĐLĐ quận Thanh Xuân"]


def test_english_shows_english_number_formats(browse):
    tab = browse(OFFICER)
    tab.goto("/federations/thanh-xuan/?year=2024")
    with tab.page.expect_navigation():
        tab.page.locator('form.lang-switch button[value="en"]').first.click()
    assert tab.page.locator("html").get_attribute("lang") == "en"
    assert "year=2024" in tab.page.url
    assert tab.figure("new_members") == "4,550/6,500 members — 70.0%"
    assert tab.figure("new_unions") == "22/20 unions — 110.0%"
    assert tab.errors == []
