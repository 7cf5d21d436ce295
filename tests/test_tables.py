"""unionboard.tables: sorting both ways, paging, drawing; every list column sorts both ways."""

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from branches.models import Sector, UnionStatus
from members.models import Gender, Member, MemberStatus
from members.tables import MemberTable
from tests.factories import MemberFactory, UnionFactory
from unionboard.tables import Column, Table

D = datetime.date


@dataclass
class Row:
    name: str
    size: int | None


class SizeTable(Table):
    columns = {
        "name": Column("Name", lambda row: row.name),
        "size": Column("Size", lambda row: row.size, td_class="text-end"),
        "marked": Column("Marked", "mark", order_by=("name",)),
    }
    empty_text = "Nothing here."
    per_page = 3

    def mark(self, row: Row):
        return format_html("<b>{}</b>", row.name)


ROWS = [Row("b", 2), Row("a", None), Row("c", 1200), Row("d", 2)]


def table(query: str = "", rows=ROWS, cls=SizeTable, **kwargs) -> Table:
    return cls(rows, RequestFactory().get(f"/list/?{query}"), **kwargs)


def names(t: Table) -> list[str]:
    return [row.name for row in t.rows]


class OnePageTable(SizeTable):
    per_page = 10


def test_a_list_sorts_both_ways_with_none_first_and_ties_in_their_order():
    assert names(table("sort=size", cls=OnePageTable)) == ["a", "b", "d", "c"]
    assert names(table("sort=-size", cls=OnePageTable)) == ["c", "b", "d", "a"]
    assert names(table("sort=marked", cls=OnePageTable)) == ["a", "b", "c", "d"]  # by its order_by
    assert names(table("sort=nonsense", cls=OnePageTable)) == ["b", "a", "c", "d"]  # unknown: as given


def test_headers_link_to_the_next_order_and_keep_the_query():
    headers = table("year=2024&sort=size").headers()
    assert [(h.css_class, h.href) for h in headers] == [
        ("orderable", "?year=2024&sort=name"),
        ("asc orderable", "?year=2024&sort=-size"),
        ("orderable", "?year=2024&sort=marked"),
    ]
    prefixed = table("sort=size&u-sort=-size", prefix="u-")
    assert [h.css_class for h in prefixed.headers()] == ["orderable", "desc orderable", "orderable"]
    assert prefixed.headers()[1].href == "?sort=size&u-sort=size"


def test_cells_are_escaped_localized_dashed_and_classed():
    rows = [Row("<i>", 1200), Row("x", None)]
    with translation.override("vi"):
        body = table(rows=rows).body()
    assert body == (
        '<tr class="even"><td>&lt;i&gt;</td><td class="text-end">1.200</td><td><b>&lt;i&gt;</b></td></tr>\n'
        '<tr class="odd"><td>x</td><td class="text-end">—</td><td><b>x</b></td></tr>'
    )
    assert table(rows=[]).body() == '<tr><td colspan="3">Nothing here.</td></tr>'


def test_pages_counted_a_window_around_the_current_and_bad_numbers_forgiven():
    rows = [Row(f"r{n:02d}", n) for n in range(90)]  # 30 pages of 3
    middle = table("page=12", rows=rows)
    assert names(middle) == ["r33", "r34", "r35"]
    assert [p.label for p in middle.pages()] == [1, "...", 9, 10, 11, 12, 13, 14, "...", 30]
    assert [p.label for p in middle.pages() if p.current] == [12]
    assert middle.previous_href() == "?page=11" and middle.next_href() == "?page=13"
    assert table("page=abc", rows=rows).number == 1
    assert table("page=99", rows=rows).number == 30  # past the end: the last page
    assert table("page=30", rows=rows).next_href() is None
    assert table(rows=rows[:3]).pages() == []  # one page: no page links


class ShortMemberTable(MemberTable):
    per_page = 3


@pytest.mark.django_db
def test_members_page_by_keys_with_a_bounded_count(fed_a):
    union = UnionFactory(federation=fed_a)
    for day in range(1, 8):
        MemberFactory(union=union, admitted_on=D(2024, 1, day))
    members = Member.objects.select_related("union")
    with CaptureQueriesContext(connection) as ctx:
        page2 = table("page=2", rows=members, cls=ShortMemberTable)
    assert len(ctx) == 3  # the rows counted up to the bound, the page's keys, its rows
    assert "LIMIT 10001" in ctx[0]["sql"]  # never a count of the whole table
    assert [m.admitted_on.day for m in page2.rows] == [4, 3, 2]  # newest first by default
    assert (page2.count, page2.count_exact, page2.num_pages, page2.last_known) == (7, True, 3, True)
    assert [p.label for p in page2.pages()] == [1, 2, 3] and page2.last_href() == "?page=3"
    last = table("page=3", rows=members, cls=ShortMemberTable)
    assert [m.admitted_on.day for m in last.rows] == [1] and last.next_href() is None
    assert last.last_href() is None
    past = table("page=9", rows=members, cls=ShortMemberTable)  # past the end: the last page
    assert past.number == 3 and [m.admitted_on.day for m in past.rows] == [1]
    oldest = table("sort=admitted_on", rows=members, cls=ShortMemberTable)
    assert [m.admitted_on.day for m in oldest.rows] == [1, 2, 3]


class BoundedMemberTable(ShortMemberTable):
    count_bound = 4


@pytest.mark.django_db
def test_members_past_the_count_bound_page_by_keys_without_a_last_page(fed_a):
    union = UnionFactory(federation=fed_a)
    for day in range(1, 8):
        MemberFactory(union=union, admitted_on=D(2024, 1, day))
    members = Member.objects.select_related("union")
    page2 = table("page=2", rows=members, cls=BoundedMemberTable)
    assert (page2.count, page2.count_exact) == (4, False)
    with translation.override("vi"):
        assert page2.count_text() == "hơn 4 đoàn viên"
    with translation.override("en"):
        assert page2.count_text() == "more than 4 members"
    assert [m.admitted_on.day for m in page2.rows] == [4, 3, 2]
    assert page2.num_pages == 3 and not page2.last_known and page2.last_href() is None
    # past the end: the last page, found by counting the rows before the page asked for
    past = table("page=9", rows=members, cls=BoundedMemberTable)
    assert past.number == 3 and [m.admitted_on.day for m in past.rows] == [1] and past.last_known


@pytest.mark.django_db
def test_a_sorted_queryset_pages_every_row_once(fed_a):
    """Many rows share a gender: the primary key orders them, so pages neither repeat nor skip."""
    union = UnionFactory(federation=fed_a)
    MemberFactory.create_batch(7, union=union)
    members = Member.objects.select_related("union")
    for sort in ("gender", "-gender"):
        pages = [table(f"sort={sort}&page={n}", members, ShortMemberTable) for n in (1, 2, 3)]
        seen = [member.pk for page in pages for member in page.rows]
        assert sorted(seen) == sorted(members.values_list("pk", flat=True))
        assert seen == sorted(seen, reverse=sort.startswith("-"))  # ties in key order, both ways


# -- every sortable column of the lists, both ways, through HTTP -----------------------------------


def two_unions(first_federation, second_federation):
    """Two unions, with a member each, that differ in every column: the first is first in each."""
    first = UnionFactory(code="a-first", name="Công đoàn An Bình", federation=first_federation,
                         employees=10, sector=Sector.FOREIGN_INVESTED, founded_on=D(2001, 1, 1))
    second = UnionFactory(code="b-second", name="Công đoàn Bến Nghé", federation=second_federation,
                          employees=20, sector=Sector.PUBLIC_SERVICE, founded_on=D(2002, 1, 1),
                          status=UnionStatus.SUSPENDED, status_on=D(2020, 1, 1))
    MemberFactory(card_no="A-0001", full_name="Lê Thị An", union=first, admitted_on=D(2023, 1, 1))
    MemberFactory(card_no="B-0002", full_name="Trần Văn Bình", union=second, gender=Gender.MALE,
                  admitted_on=D(2023, 6, 1), status=MemberStatus.LEFT, left_on=D(2024, 1, 1))
    MemberFactory.create_batch(2, union=second, admitted_on=D(2022, 1, 1))  # more active members


def assert_sorts_both_ways(client, path, field, column, first, second):
    ascending = client.get(path, {field: column}).content.decode()
    descending = client.get(path, {field: f"-{column}"}).content.decode()
    assert ascending.index(first) < ascending.index(second), column
    assert descending.index(second) < descending.index(first), column


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["code", "name", "federation", "sector", "founded_on", "status",
                                    "employees", "active_members"])
def test_every_union_list_column_sorts_both_ways(client_for, city_staff, fed_a, fed_b, column):
    two_unions(fed_b, fed_a)  # "LĐLĐ huyện Bình Minh" sorts before "LĐLĐ quận Ánh Dương"
    assert_sorts_both_ways(client_for(city_staff), reverse("branches:union_list"), "sort", column,
                           "a-first", "b-second")


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["card_no", "full_name", "gender", "union", "admitted_on", "status",
                                    "left_on"])
def test_every_member_list_column_sorts_both_ways(client_for, city_staff, fed_a, column):
    two_unions(fed_a, fed_a)
    client = client_for(city_staff)
    if column == "left_on":  # databases put the empty date first or last: compare the two orders only
        ascending = client.get(reverse("members:member_list"), {"sort": "left_on"}).content.decode()
        descending = client.get(reverse("members:member_list"), {"sort": "-left_on"}).content.decode()
        assert (ascending.index("A-0001") < ascending.index("B-0002")) != (
            descending.index("A-0001") < descending.index("B-0002")
        )
        return
    assert_sorts_both_ways(client, reverse("members:member_list"), "sort", column, "A-0001", "B-0002")


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["code", "name", "sector", "founded_on", "status", "active_members"])
def test_every_column_of_a_federations_unions_sorts_both_ways(client_for, city_staff, fed_a, column):
    two_unions(fed_a, fed_a)
    path = reverse("federation_detail", args=["fed-a"])
    assert_sorts_both_ways(client_for(city_staff), path, "u-sort", column, "a-first", "b-second")
