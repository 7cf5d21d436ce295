"""The members and unions lists: their exports (scoped, filtered, formula-safe, streamed in a
fixed number of queries), the count they show and the link to their last page."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from members.models import MemberStatus
from members.tables import MemberTable
from tests.factories import MemberFactory, UnionFactory

D = datetime.date
BOM = "\ufeff"


def in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    text = body(response).decode("utf-8")
    assert text.startswith(BOM) and "\r\n" in text
    return list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))


def xlsx_of(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def unions(fed_a, fed_b):
    return {
        "A": UnionFactory(code="a-anh-sang", name="Công đoàn Công ty TNHH Ánh Sáng", federation=fed_a,
                          founded_on=D(2018, 4, 2)),
        "A2": UnionFactory(code="a-binh-an", name="Công đoàn Công ty Bình An", federation=fed_a,
                           founded_on=D(2019, 1, 1)),
        "B": UnionFactory(code="b-ben-thanh", name="Công đoàn Công ty Bến Thành", federation=fed_b,
                          founded_on=D(2017, 1, 1)),
    }


@pytest.fixture
def members(unions):
    return {
        "a1": MemberFactory(card_no="A-0001", full_name="Nguyễn Thị Hồng", union=unions["A"],
                            admitted_on=D(2024, 3, 1)),
        "a2": MemberFactory(card_no="A-0002", full_name="=1+2;@SUM(A1)",
                            union=unions["A2"], admitted_on=D(2023, 5, 2)),
        "a3": MemberFactory(card_no="A-0003", full_name="Lê Văn Rời", union=unions["A"],
                            admitted_on=D(2022, 1, 3), status=MemberStatus.LEFT, left_on=D(2024, 6, 30),
                            left_reason="retired"),
        "b1": MemberFactory(card_no="B-0001", full_name="Trần Văn Bình", union=unions["B"],
                            admitted_on=D(2024, 3, 1)),
    }


# -- exports: scope ----------------------------------------------------------------------------


def test_officer_exports_only_their_federations_members(client_for, officer_a, members):
    rows = csv_of(client_for(officer_a).get("/members/export.csv"))
    assert rows[0] == ["card_no", "full_name", "gender", "birth_date", "union", "admitted_on", "status",
                       "left_on"]
    assert [row[0] for row in rows[1:]] == ["A-0001", "A-0002", "A-0003"]  # newest admission first
    assert rows[1] == ["A-0001", "Nguyễn Thị Hồng", "female", "1995-05-17", "a-anh-sang", "2024-03-01",
                       "active", ""]
    names = [row[1] for row in xlsx_of(client_for(officer_a).get("/members/export.xlsx"))[1:]]
    assert "Trần Văn Bình" not in names and len(names) == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("path", ["/members/export", "/unions/export"])
def test_naming_another_federation_in_the_query_is_refused(client_for, officer_a, fed_b, unions, members,
                                                           path, fmt):
    client = client_for(officer_a)
    for query in ({"federation": fed_b.pk}, {"union": unions["B"].pk}, {"federation": "10" * 20}):
        response = client.get(f"{path}.{fmt}", query)
        if path == "/unions/export" and "union" in query:
            # the unions list has no union filter: the parameter is ignored, the scope stays
            assert "Bến Thành" not in body(response).decode("utf-8", "replace")
            continue
        assert response.status_code == 400
        assert "Bến Thành" not in response.content.decode() and "B-0001" not in response.content.decode()
        assert "The filters are not valid" in response.content.decode() or "không hợp lệ" in (
            response.content.decode()
        )


def test_city_staff_export_every_federation_and_filter_by_one(client_for, city_staff, fed_b, members):
    client = client_for(city_staff)
    assert [row[0] for row in csv_of(client.get("/members/export.csv"))[1:]] == [
        "B-0001", "A-0001", "A-0002", "A-0003"]  # ties on the day: the later record first
    assert [row[0] for row in csv_of(client.get("/members/export.csv", {"federation": fed_b.pk}))[1:]] == [
        "B-0001"]
    unions = csv_of(client.get("/unions/export.csv"))
    assert [row[0] for row in unions[1:]] == ["b-ben-thanh", "a-binh-an", "a-anh-sang"]  # Vietnamese order


def test_unions_export_is_scoped_and_counts_active_members(client_for, officer_a, members):
    rows = csv_of(client_for(officer_a).get("/unions/export.csv"))
    assert rows[0] == ["code", "name", "federation", "sector", "founded_on", "status", "status_on",
                       "employees", "active_members"]
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"a-anh-sang", "a-binh-an"}
    assert by_code["a-anh-sang"][2] == "fed-a" and by_code["a-anh-sang"][4] == "2018-04-02"
    assert by_code["a-anh-sang"][8] == "1"  # A-0001 active, A-0003 left


# -- exports: filters, escaping, headings ---------------------------------------------------------


def test_exports_apply_the_lists_filters(client_for, officer_a, unions, members):
    client = client_for(officer_a)

    def cards(**query):
        return [row[0] for row in csv_of(client.get("/members/export.csv", query))[1:]]

    assert cards(status="left") == ["A-0003"]
    assert cards(admitted_year=2023) == ["A-0002"]
    assert cards(q="nguyen") == ["A-0001"]
    assert cards(union=unions["A"].pk) == ["A-0001", "A-0003"]
    assert cards(status="active", page=3) == ["A-0001", "A-0002"]  # the page is no filter
    codes = [row[0] for row in csv_of(client.get("/unions/export.csv", {"q": "binh an"}))[1:]]
    assert codes == ["a-binh-an"]


def test_formula_cells_are_escaped_in_both_formats(client_for, officer_a, members):
    client = client_for(officer_a)
    rows = csv_of(client.get("/members/export.csv", {"q": "A-0002"}))
    assert rows[1][1] == "'=1+2;'@SUM(A1)"  # each part a spreadsheet could split out, too
    rows = xlsx_of(client.get("/members/export.xlsx", {"q": "A-0002"}))
    assert rows[1][1] == "'=1+2;'@SUM(A1)"


def test_xlsx_has_vietnamese_headings_and_dates_as_dates(client_for, officer_a, members):
    rows = xlsx_of(client_for(officer_a).get("/members/export.xlsx", {"status": "left"}))
    assert rows[0] == ("Số thẻ đoàn viên", "Họ và tên", "Giới tính", "Ngày sinh", "Công đoàn cơ sở",
                       "Mã công đoàn cơ sở", "Công đoàn cấp trên", "Ngày kết nạp", "Trạng thái",
                       "Ngày ra khỏi công đoàn", "Lý do ra khỏi công đoàn")
    assert rows[1][:3] == ("A-0003", "Lê Văn Rời", "Nữ")
    assert rows[1][7] == datetime.datetime(2022, 1, 3)
    unions = xlsx_of(client_for(officer_a).get("/unions/export.xlsx"))
    assert unions[0][:3] == ("Mã", "Công đoàn cơ sở", "Công đoàn cấp trên")
    english = xlsx_of(in_english(client_for(officer_a)).get("/members/export.xlsx"))
    assert english[0][:2] == ("Card number", "Full name")


@pytest.mark.parametrize("path", ["/members/export.csv", "/members/export.xlsx", "/unions/export.csv",
                                  "/unions/export.xlsx"])
def test_exports_take_a_fixed_number_of_queries(client_for, officer_a, fed_a, path):
    client = client_for(officer_a)
    client.get("/members/")  # the user's permissions, read once and cached

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
            body(response)
        return len(ctx)

    union = UnionFactory(federation=fed_a)
    MemberFactory.create_batch(3, union=union)
    few = queries()
    for union in UnionFactory.create_batch(10, federation=fed_a):
        MemberFactory.create_batch(5, union=union)
    many = queries()
    # the session, the user, the user's access token, then one query for the rows, read in chunks
    assert few == many == 4


# -- the count and the last page -------------------------------------------------------------------


def test_lists_say_how_many_rows_they_hold_in_both_languages(client_for, officer_a, members):
    client = client_for(officer_a)
    page = client.get("/members/").content.decode()
    assert '<p class="mb-0 fw-semibold" id="list-count">3 đoàn viên</p>' in page
    assert 'id="list-count">2 công đoàn cơ sở</p>' in client.get("/unions/").content.decode()
    in_english(client)
    page = client.get("/members/", {"status": "left"}).content.decode()
    assert 'id="list-count">1 member</p>' in page
    page = client.get("/members/").content.decode()
    assert 'id="list-count">3 members</p>' in page
    page = client.get("/unions/").content.decode()
    assert 'id="list-count">2 grassroots unions</p>' in page


def test_member_count_stops_at_its_bound(client_for, officer_a, fed_a, monkeypatch):
    monkeypatch.setattr(MemberTable, "count_bound", 4)
    monkeypatch.setattr(MemberTable, "per_page", 2)
    union = UnionFactory(federation=fed_a)
    MemberFactory.create_batch(4, union=union)
    client = client_for(officer_a)
    page = client.get("/members/").content.decode()
    assert 'id="list-count">4 đoàn viên</p>' in page
    assert '<li class="last page-item"><a href="?page=2"' in page
    MemberFactory(union=union)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/members/").content.decode()
    assert 'id="list-count">hơn 4 đoàn viên</p>' in page
    assert 'class="last page-item"' not in page  # past the bound the last page is not known
    counts = [q["sql"] for q in ctx if "COUNT" in q["sql"].upper() and "member" in q["sql"]]
    assert counts and all("LIMIT 5" in sql for sql in counts)  # never the whole table
    page = in_english(client).get("/members/").content.decode()
    assert 'id="list-count">more than 4 members</p>' in page


def test_the_last_page_link_leads_to_the_last_rows(client_for, officer_a, fed_a, monkeypatch):
    monkeypatch.setattr(MemberTable, "per_page", 3)
    union = UnionFactory(federation=fed_a, founded_on=D(2020, 1, 1))
    for day in range(1, 8):
        MemberFactory(union=union, card_no=f"A-{day:04d}", admitted_on=D(2024, 1, day))
    client = client_for(officer_a)
    page = client.get("/members/", {"status": "active"}).content.decode()
    assert 'id="list-count">7 đoàn viên</p>' in page
    assert '<li class="last page-item"><a href="?status=active&amp;page=3"' in page
    last = client.get("/members/", {"status": "active", "page": 3}).content.decode()
    assert "A-0001" in last and "A-0002" not in last and 'class="last page-item"' not in last
    # past the end: the last page, known from the count
    assert "A-0001" in client.get("/members/", {"page": 9}).content.decode()

