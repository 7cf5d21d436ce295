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


def fill_date(field, day: int, month: int, year: int) -> None:
    """Type a date the way the field asks for it: ISO in a date picker, dd/mm/yyyy as text."""
    if field.get_attribute("type") == "date":
        field.fill(f"{year:04d}-{month:02d}-{day:02d}")
    else:
        field.fill(f"{day:02d}/{month:02d}/{year:04d}")


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
    fill_date(form.locator("[name=birth_date]"), 12, 4, 1996)
    union = form.locator("[name=union]")
    first_union = union.locator("option:not([value=''])").first.get_attribute("value")
    union.select_option(first_union)
    fill_date(form.locator("[name=admitted_on]"), 20, 11, 2024)
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


def first_link(tab, path: str, prefix: str) -> str:
    """The first link in the page's table that starts with `prefix`."""
    tab.goto(path)
    href = tab.page.locator(f'main table tbody a[href^="{prefix}"]').first.get_attribute("href")
    assert href, path
    return href


def test_officer_sees_only_their_district(browse):
    # City staff find one of Ba Đình's unions and members...
    staff = browse("city.staff")
    ba_dinh_union = first_link(staff, "/unions/?q=ba-dinh", "/unions/ba-dinh-")
    staff.goto("/members/")
    staff.page.locator("form.filter-form [name=federation]").select_option(label="LĐLĐ quận Ba Đình")
    staff.submit("form.filter-form")
    ba_dinh_member = first_link(staff, staff.page.url.replace(staff.base_url, ""), "/members/")

    # ...which the officer of Thanh Xuân cannot open, nor find in any list or menu.
    tab = browse(OFFICER)
    for path in (ba_dinh_union, ba_dinh_member):
        response = tab.page.goto(tab.base_url + path)
        assert response.status == 404, path
    assert len(tab.errors) == 2  # the browser logs each refused page; nothing else went wrong
    tab.errors.clear()
    for path in ("/unions/", "/members/"):
        tab.goto(path)
        federation_links = tab.page.locator('nav .navbar-nav a[href^="/federations/"]')
        assert federation_links.all_inner_texts() == ["LĐLĐ quận Thanh Xuân"], path
        choices = tab.page.locator("form.filter-form [name=federation] option:not([value=''])")
        assert choices.all_text_contents() == ["LĐLĐ quận Thanh Xuân"], path
    tab.goto("/unions/")
    federations = tab.page.locator("main table tbody tr td:nth-child(3)").all_inner_texts()
    assert len(federations) > 10
    assert set(federations) == {"LĐLĐ quận Thanh Xuân"}
    tab.goto("/unions/?q=ba-dinh")
    assert tab.page.locator('main table tbody a[href^="/unions/"]').count() == 0

    # The rankings show every district's totals but link only to the officer's own page.
    tab.goto("/rankings/?year=2024")
    assert tab.page.locator("table.ranking-table tbody tr").count() == 45
    links = tab.page.locator('table.ranking-table tbody a[href^="/federations/"]')
    assert links.all_inner_texts() == ["LĐLĐ quận Thanh Xuân"]
    assert tab.errors == [] and staff.errors == []


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
