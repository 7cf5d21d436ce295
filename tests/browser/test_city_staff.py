"""City staff on the rankings: sort both ways, filter by kind, download the XLSX report and open it."""

import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.browser

CELL = re.compile(r"^(?P<actual>[\d.]+)/(?P<target>[\d.]+) — (?P<pct>[\d.]+,\d)%")


def union_cells(tab) -> list[tuple[str, int, int, Decimal]]:
    """(federation, actual, target, percent) from the new-unions column, top to bottom."""
    out = []
    for row in tab.page.locator("table.ranking-table tbody tr").all():
        name = row.locator("td").nth(1).inner_text().strip()
        text = " ".join(row.locator("td").nth(4).inner_text().split())
        match = CELL.match(text)
        assert match, text
        number = lambda s: int(s.replace(".", ""))  # noqa: E731 - 4.550 -> 4550
        out.append((name, number(match["actual"]), number(match["target"]),
                    Decimal(match["pct"].replace(".", "").replace(",", "."))))
    return out


def trimmed(row) -> list:
    """A spreadsheet row without the empty cells at its end."""
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


def click_sort(tab, column: str, expect: str) -> None:
    header = tab.page.locator(f"table.ranking-table thead th.orderable a[href*='sort={column}'], "
                              f"table.ranking-table thead th.orderable a[href*='sort=-{column}']")
    with tab.page.expect_navigation():
        header.click()
    assert f"sort={expect}" in tab.page.url, tab.page.url


def test_rankings_sort_filter_and_download(browse, tmp_path):
    tab = browse("city.staff")
    assert tab.page.url.endswith("/overview/")
    with tab.page.expect_navigation():
        tab.page.locator('nav a[href="/rankings/"]').click()
    form = tab.page.locator("form.filter-form")
    form.locator("[name=year]").select_option("2024")
    with tab.page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert tab.page.locator("table.ranking-table tbody tr").count() == 45

    click_sort(tab, "new_unions", "new_unions")
    ascending = union_cells(tab)
    percents = [pct for *_, pct in ascending]
    assert percents == sorted(percents)
    # Three federations share the lowest attainment, 1/2 and 2/4 unions: 50,0%.
    assert {cell for cell in ascending[:3]} == {
        ("Công đoàn Công ty Nước sạch Hà Nội", 1, 2, Decimal("50.0")),
        ("Công đoàn Tổng công ty Điện lực thành phố Hà Nội", 1, 2, Decimal("50.0")),
        ("Công đoàn Viên chức thành phố Hà Nội", 2, 4, Decimal("50.0")),
    }
    assert ascending[3][3] > Decimal("50.0")
    assert ("LĐLĐ quận Thanh Xuân", 22, 20, Decimal("110.0")) in ascending

    click_sort(tab, "new_unions", "-new_unions")
    descending = union_cells(tab)
    percents = [pct for *_, pct in descending]
    assert percents == sorted(percents, reverse=True)
    assert descending[0] == ("Công đoàn ngành Công Thương Hà Nội", 5, 3, Decimal("166.7"))
    assert ascending[-1] == descending[0]
    assert sorted(descending) == sorted(ascending)

    form.locator("[name=kind]").select_option("rural_district")
    with tab.page.expect_navigation():
        form.locator("button[type=submit]").click()
    rows = union_cells(tab)
    assert len(rows) == 17  # Hanoi's 17 rural districts (huyện)
    assert all(name.startswith("LĐLĐ huyện ") for name, *_ in rows)

    with tab.page.expect_download() as download_info:
        tab.page.locator('a[href*="/rankings/export.xlsx"]').click()
    download = download_info.value
    assert download.suggested_filename == "rankings_2024_as-of-2024-12-31_rural_district.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).active
    values = [trimmed(row) for row in sheet.iter_rows(values_only=True)]
    # The report says what it holds, with the page's headings, in the page's language.
    assert values[0] == ["Xếp hạng các công đoàn cấp trên năm 2024"]
    assert values[1] == ["Loại hình: LĐLĐ huyện — số liệu tính đến ngày 31/12/2024"]
    assert values[5][:3] == ["Hạng", "Công đoàn cấp trên", "Loại hình"]
    assert values[6][7:11] == ["Thực hiện", "Chỉ tiêu", "Tỷ lệ đạt (%)", "Trạng thái"]
    data = values[7:]
    assert len(data) == 17
    assert {row[1] for row in data} == {name for name, *_ in rows}
    on_page = {name: (actual, target, pct) for name, actual, target, pct in rows}
    for row in data:
        actual, target, pct = on_page[row[1]]
        assert (row[7], row[8]) == (actual, target)
        assert Decimal(str(row[9])) == pct
    assert tab.errors == []
