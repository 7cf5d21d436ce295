"""Recording in the browser: unions and members, their life events and transfers, scoped to the officer."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branches.models import GrassrootsUnion
from members import services
from members.models import Member, Transfer
from targets import progress
from tests.factories import FederationFactory, MemberFactory, QuotaFactory, UnionFactory, make_user
from unionboard import roles

D = datetime.date
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def union_a(fed_a):
    return UnionFactory(
        code="a-xuan",
        name="Công đoàn Trường Tiểu học Thanh Xuân Trung",
        federation=fed_a,
        founded_on=D(2018, 4, 2),
    )


@pytest.fixture
def union_a2(fed_a):
    return UnionFactory(
        code="a-binh", name="Công đoàn Công ty TNHH Bình An", federation=fed_a, founded_on=D(2019, 1, 1)
    )


@pytest.fixture
def union_b(fed_b):
    return UnionFactory(
        code="b-dong", name="Công đoàn Công ty Cổ phần Đông Á", federation=fed_b, founded_on=D(2017, 1, 1)
    )


@pytest.fixture
def member_a(union_a):
    return MemberFactory(
        card_no="A0001", full_name="Nguyễn Thị Hằng", union=union_a, admitted_on=D(2024, 3, 1)
    )


def admit(client, **overrides):
    data = {
        "card_no": "A0100",
        "full_name": "Trần Văn Dũng",
        "gender": "male",
        "birth_date": "1990-05-01",
        "admitted_on": "2024-06-01",
    } | overrides
    return client.post("/members/new/", data)


# -- unions ---------------------------------------------------------------------------------------
def test_union_list_is_scoped_and_counts_members(client_for, officer_a, union_a, union_b, member_a):
    page = client_for(officer_a).get("/unions/").content.decode()
    assert union_a.name in page and union_b.name not in page
    assert '<td class="text-end">1</td>' in page  # active members, annotated


def test_union_search_ignores_diacritics_and_matches_codes(client_for, officer_a, union_a, union_a2):
    client = client_for(officer_a)
    page = client.get("/unions/", {"q": "thanh xuan"}).content.decode()
    assert union_a.name in page and union_a2.name not in page
    page = client.get("/unions/", {"q": "a-bi"}).content.decode()
    assert union_a2.name in page and union_a.name not in page
    page = client.get("/unions/", {"founded_year": 2019}).content.decode()
    assert union_a2.name in page and union_a.name not in page


def test_union_list_queries_do_not_grow_with_rows(client_for, city_staff, fed_a):
    client = client_for(city_staff)
    client.get("/unions/")  # the user's permissions, read once and cached
    UnionFactory.create_batch(3, federation=fed_a)
    with CaptureQueriesContext(connection) as few:
        client.get("/unions/")
    for union in UnionFactory.create_batch(40, federation=fed_a):
        MemberFactory(union=union)
    with CaptureQueriesContext(connection) as many:
        client.get("/unions/")
    assert len(many) == len(few)


def test_officer_founds_a_union(client_for, officer_a, fed_a):
    response = client_for(officer_a).post(
        "/unions/new/",
        {
            "code": "a-moi",
            "name": "Công đoàn Công ty TNHH Sao Mai",
            "federation": fed_a.pk,
            "sector": "non_state",
            "founded_on": "15/05/2024",
            "employees": "40",
        },
    )
    assert response.status_code == 302
    union = GrassrootsUnion.objects.get(code="a-moi")
    assert union.founding_federation == fed_a and union.founded_on == D(2024, 5, 15)
    assert union.history.first().history_user == officer_a


def test_founding_in_another_federation_is_refused(client_for, officer_a, fed_b):
    response = client_for(officer_a).post(
        "/unions/new/",
        {
            "code": "b-lau",
            "name": "Công đoàn lậu",
            "federation": fed_b.pk,
            "sector": "non_state",
            "founded_on": "2024-05-15",
        },
    )
    assert response.status_code == 200 and "federation" in response.context["form"].errors
    assert not GrassrootsUnion.objects.filter(code="b-lau").exists()


def test_founding_in_the_future_is_refused(client_for, officer_a, fed_a):
    response = client_for(officer_a).post(
        "/unions/new/",
        {
            "code": "a-sau",
            "name": "Công đoàn tương lai",
            "federation": fed_a.pk,
            "sector": "non_state",
            "founded_on": TOMORROW.isoformat(),
        },
    )
    assert response.context["form"].errors["founded_on"]
    assert not GrassrootsUnion.objects.filter(code="a-sau").exists()


def test_life_of_a_union_keeps_its_founding_credit(client_for, officer_a, fed_a):
    union = UnionFactory(code="a-life", federation=fed_a, founded_on=D(2024, 2, 1))
    client = client_for(officer_a)
    assert client.post("/unions/a-life/status/suspend/", {"on": "2024-05-01"}).status_code == 302
    union.refresh_from_db()
    assert (union.status, union.status_on) == ("suspended", D(2024, 5, 1))
    assert client.post("/unions/a-life/status/reactivate/", {"on": "2024-06-01"}).status_code == 302
    assert client.post("/unions/a-life/status/dissolve/", {"on": "2024-09-30"}).status_code == 302
    union.refresh_from_db()
    assert union.status == "dissolved"
    row = progress.federation_progress(fed_a, progress.make_period(2024))
    assert row.new_unions.actual == 1  # a dissolved union still counts as founded in 2024
    assert union.history.count() == 4
    # A dissolved union cannot be reactivated; an event dated before the founding is refused.
    response = client.post("/unions/a-life/status/reactivate/", {"on": "2024-10-01"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post("/unions/a-life/status/dissolve/", {"on": "2023-01-01"})
    assert response.context["form"].errors


def test_city_staff_read_unions_but_change_none(client_for, city_staff, union_a):
    client = client_for(city_staff)
    assert client.get("/unions/a-xuan/").status_code == 200
    assert client.post("/unions/a-xuan/edit/", {"name": "Đổi tên"}).status_code == 403
    assert client.post("/unions/a-xuan/status/dissolve/", {"on": "2024-01-01"}).status_code == 403
    union_a.refresh_from_db()
    assert union_a.name != "Đổi tên" and union_a.status == "active"


def test_unknown_life_event_is_not_found(client_for, officer_a, union_a):
    assert client_for(officer_a).get("/unions/a-xuan/status/explode/").status_code == 404


# -- members --------------------------------------------------------------------------------------
def test_member_list_is_scoped_searchable_and_counts_only_up_to_a_bound(
    client_for, officer_a, member_a, union_b
):
    MemberFactory(card_no="B0001", full_name="Nguyễn Văn Bình", union=union_b)
    client = client_for(officer_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/members/", {"q": "nguyen"}).content.decode()
    assert "Nguyễn Thị Hằng" in page and "Nguyễn Văn Bình" not in page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 10001" in counts[0]  # never the whole table
    assert "Nguyễn Thị Hằng" in client.get("/members/", {"q": "A00"}).content.decode()
    assert "Nguyễn Thị Hằng" not in client.get("/members/", {"admitted_year": 2023}).content.decode()


@pytest.mark.parametrize("sort", ["", "full_name", "-union", "card_no"])
def test_member_list_deep_pages_hold_the_right_rows_in_order(client_for, officer_a, union_a, union_a2, sort):
    for n in range(120):
        MemberFactory(
            card_no=f"A{n:04d}", full_name=f"Người Thử {119 - n:03d}",
            union=union_a if n % 3 else union_a2, admitted_on=D(2020, 1, 1) + datetime.timedelta(days=n % 40),
        )
    client = client_for(officer_a)
    shown = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/members/", {"page": number, "sort": sort}).content.decode()
        shown += [line.split(">")[1].split("<")[0] for line in page.split("<td") if ">A0" in line[:40]]
        # (the rows counted up to a bound, then) keys first (ordered, offset), then only those
        # rows with their union
        member_queries = [
            q["sql"] for q in queries.captured_queries
            if 'FROM "members_member"' in q["sql"] and "COUNT(" not in q["sql"].upper()
        ]
        assert len(member_queries) == 2 and "OFFSET" in member_queries[0].upper() or number == 1
    ordering = {"": ("-admitted_on", "-id"), "full_name": ("full_name",), "-union": ("-union__name_sort",),
                "card_no": ("card_no",)}[sort]
    expected = list(Member.objects.order_by(*ordering).values_list("card_no", flat=True))
    assert len(shown) == 120 and len(set(shown)) == 120
    if sort != "-union":  # rows of one union are in no further order
        assert shown == expected
    else:
        unions = dict(Member.objects.values_list("card_no", "union__name_sort"))
        assert [unions[c] for c in shown] == [unions[c] for c in expected]


def test_the_federation_page_moves_with_an_admission_and_a_founding(client_for, officer_a, fed_a):
    QuotaFactory(federation=fed_a, year=2024, metric="new_members", target=10)
    QuotaFactory(federation=fed_a, year=2024, metric="new_unions", target=2)
    client = client_for(officer_a)
    page = client.get("/federations/fed-a/?year=2024").content.decode()
    assert "0/10" in page and "0/2" in page
    client.post(
        "/unions/new/",
        {
            "code": "a-2024",
            "name": "Công đoàn Công ty TNHH Hải Đăng",
            "federation": fed_a.pk,
            "sector": "non_state",
            "founded_on": "2024-03-01",
        },
    )
    admit(client, union=GrassrootsUnion.objects.get(code="a-2024").pk, admitted_on="2024-03-05")
    page = client.get("/federations/fed-a/?year=2024").content.decode()
    assert "1/10" in page and "10,0%" in page and "1/2" in page and "50,0%" in page


def test_officer_admits_a_member_and_the_count_moves(client_for, officer_a, union_a, fed_a):
    client = client_for(officer_a)
    before = progress.federation_progress(fed_a, progress.make_period(2024)).new_members.actual
    response = admit(client, union=union_a.pk, admitted_on="01/06/2024")
    assert response.status_code == 302
    member = Member.objects.get(card_no="A0100")
    assert member.admitted_federation == fed_a and member.admitted_on == D(2024, 6, 1)
    assert progress.federation_progress(fed_a, progress.make_period(2024)).new_members.actual == before + 1
    assert member.history.first().history_user == officer_a


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"admitted_on": TOMORROW.isoformat()}, "admitted_on"),
        ({"admitted_on": "31/02/2024"}, "admitted_on"),
        ({"admitted_on": "2017-01-01"}, "admitted_on"),  # before the union was founded
        ({"card_no": "A0001"}, "card_no"),  # already used
        ({"birth_date": "2030-01-01"}, "birth_date"),
        ({"gender": "other"}, "gender"),
    ],
)
def test_bad_admissions_are_refused(client_for, officer_a, union_a, member_a, overrides, field):
    count = Member.objects.count()
    response = admit(client_for(officer_a), union=union_a.pk, **overrides)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert Member.objects.count() == count


def test_admitting_into_another_federations_union_is_refused(client_for, officer_a, union_b):
    response = admit(client_for(officer_a), union=union_b.pk)
    assert "union" in response.context["form"].errors
    assert not Member.objects.filter(card_no="A0100").exists()


def test_departure(client_for, officer_a, member_a):
    client = client_for(officer_a)
    response = client.post("/members/A0001/leave/", {"left_on": "2024-02-01", "left_reason": "retired"})
    assert response.context["form"].errors["left_on"]  # before the admission
    member_a.refresh_from_db()
    assert member_a.status == "active"
    response = client.post("/members/A0001/leave/", {"left_on": "2024-08-01"})
    assert response.context["form"].errors["left_reason"]  # a departure says why
    response = client.post("/members/A0001/leave/", {"left_on": "2024-08-01", "left_reason": "retired"})
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert (member_a.status, member_a.left_on, member_a.left_reason) == ("left", D(2024, 8, 1), "retired")


def transfer(client, member, **data):
    """Post the transfer form as the page draws it: with the union the member is shown in."""
    data.setdefault("from_union", member.union_id)
    return client.post(f"/members/{member.card_no}/transfer/", data)


def test_transfer_within_the_federation(client_for, officer_a, member_a, union_a2):
    response = transfer(client_for(officer_a), member_a, to_union="a-binh", transferred_on="2024-07-01")
    assert response.status_code == 302 and response["Location"] == "/members/A0001/"
    member_a.refresh_from_db()
    assert member_a.union == union_a2
    transfer_row = Transfer.objects.get()
    assert (transfer_row.from_union.code, transfer_row.to_union.code, transfer_row.recorded_by) == (
        "a-xuan",
        "a-binh",
        officer_a,
    )


def test_transfer_to_another_federation_is_confirmed_then_read_only(
    client_for, officer_a, officer_b, member_a, union_b, fed_a, fed_b
):
    period = progress.make_period(2024)
    before = {f.code: progress.federation_progress(f, period).new_members.actual for f in (fed_a, fed_b)}
    client = client_for(officer_a)
    move = {"to_union": "b-dong", "transferred_on": "01/07/2024"}
    # First step: checked, then put to the officer, naming the receiving federation; nothing written.
    response = transfer(client, member_a, **move)
    page = response.content.decode()
    assert response.status_code == 200 and response.context["confirming"]
    assert "Xác nhận chuyển sinh hoạt sang công đoàn cấp trên khác" in page
    assert "Công đoàn cơ sở tiếp nhận thuộc LĐLĐ huyện Bình Minh." in page
    assert 'name="step" value="confirm"' in page and 'name="to_union" value="b-dong"' in page
    assert not Transfer.objects.exists()
    # The second step without the tick is asked again.
    response = transfer(client, member_a, step="confirm", **move)
    assert response.context["confirming"] and response.context["form"].errors["confirm"]
    assert "Hãy đánh dấu vào ô để xác nhận" in response.content.decode()
    assert not Transfer.objects.exists()
    # Confirmed: written, and the officer lands on the record they may still read.
    response = transfer(client, member_a, step="confirm", confirm="on", **move)
    assert response.status_code == 302 and response["Location"] == "/members/A0001/"
    member_a.refresh_from_db()
    assert member_a.union == union_b and member_a.admitted_federation == fed_a
    after = {f.code: progress.federation_progress(f, period).new_members.actual for f in (fed_a, fed_b)}
    assert after == before
    assert (
        Transfer.objects.visible_to(officer_a).count() == 1
        and Transfer.objects.visible_to(officer_b).count() == 1
    )
    page = client.get("/members/A0001/", follow=True).content.decode()
    moved = "Nguyễn Thị Hằng đã chuyển sinh hoạt đến Công đoàn Công ty Cổ phần Đông Á (LĐLĐ huyện Bình Minh)."
    assert moved in page
    assert "Công đoàn cơ sở chuyển đi" in page and "Công đoàn Trường Tiểu học Thanh Xuân Trung" in page
    assert "Đã chuyển sinh hoạt ngày 01/07/2024 đến Công đoàn Công ty Cổ phần Đông Á" in page
    assert "/members/A0001/edit/" not in page and "/members/A0001/transfer/" not in page
    for url in ("/members/A0001/edit/", "/members/A0001/leave/", "/members/A0001/transfer/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/members/A0001/leave/", {"left_on": "2024-08-01", "left_reason": "retired"}
                       ).status_code == 403
    assert "/members/A0001/" in client.get("/unions/a-xuan/transfers-out/").content.decode()
    # The member is B's now: in B's lists, not in A's.
    assert "Nguyễn Thị Hằng" not in client.get("/members/").content.decode()
    assert "Nguyễn Thị Hằng" in client_for(officer_b).get("/members/").content.decode()


def test_a_moved_out_member_is_read_up_to_the_transfer_only(
    client_for, officer_a, officer_b, member_a, union_b, fed_b
):
    """What the receiving federation records later (a correction, a move on, a departure) stays B's."""
    services.member_transfer(member=member_a, to_union=union_b, transferred_on=D(2024, 7, 1), user=officer_a)
    union_b2 = UnionFactory(code="b-tay", name="Công đoàn Công ty TNHH Tây Hồ", federation=fed_b,
                            founded_on=D(2015, 1, 1))
    member_a.refresh_from_db()
    member_a.full_name = "Nguyễn Thị Hằng Sửa"
    member_a.save()
    services.member_transfer(member=member_a, to_union=union_b2, transferred_on=D(2024, 8, 1), user=officer_b)
    services.member_leave(member=member_a, left_on=D(2024, 9, 1), reason="retired", user=officer_b)

    page = client_for(officer_a).get("/members/A0001/").content.decode()
    assert "Nguyễn Thị Hằng" in page and "Hằng Sửa" not in page  # the name as A recorded it
    assert "Công đoàn Công ty Cổ phần Đông Á" in page  # where it went
    assert "Tây Hồ" not in page and "Nghỉ hưu" not in page and "01/09/2024" not in page
    whole = client_for(officer_b).get("/members/A0001/").content.decode()
    assert "Hằng Sửa" in whole and "Tây Hồ" in whole and "Nghỉ hưu" in whole
    # An officer of a third federation never had the member: nothing to read.
    fed_c = FederationFactory(code="fed-c")
    officer_c = make_user("officer_c", group=roles.OFFICER_GROUP, federations=[fed_c])
    assert client_for(officer_c).get("/members/A0001/").status_code == 404
    assert client_for(officer_c).get("/unions/a-xuan/transfers-out/").status_code == 404


def test_the_search_finds_active_unions_city_wide_without_diacritics(
    client_for, officer_a, member_a, union_a2, union_b, fed_b
):
    UnionFactory(code="b-ngu", name="Công đoàn Công ty Đông Á Hai", federation=fed_b, status="suspended",
                 status_on=D(2023, 1, 1))
    client = client_for(officer_a)
    response = client.get("/members/A0001/transfer/", {"q": "dong a"})
    page = response.content.decode()
    assert [u.code for u in response.context["results"]] == ["b-dong"]  # not the suspended one
    assert 'value="b-dong"' in page and "LĐLĐ huyện Bình Minh" in page and "Đông Á Hai" not in page
    # By the code's start, any case; never the member's own union; too short a text asks for more.
    assert [u.code for u in client.get("/members/A0001/transfer/", {"q": "A-B"}).context["results"]] == [
        "a-binh"
    ]
    assert client.get("/members/A0001/transfer/", {"q": "a-xuan"}).context["results"] == []
    response = client.get("/members/A0001/transfer/", {"q": "do"})
    assert response.context["results"] == [] and "Hãy gõ ít nhất 3 ký tự." in response.content.decode()


def test_the_search_is_bounded_and_its_queries_do_not_grow(client_for, officer_a, member_a, fed_b):
    UnionFactory.create_batch(5, federation=fed_b, name="Công đoàn Công ty May Hà Đông")
    client = client_for(officer_a)
    client.get("/members/A0001/transfer/", {"q": "may ha"})
    with CaptureQueriesContext(connection) as few:
        client.get("/members/A0001/transfer/", {"q": "may ha"})
    for federation in FederationFactory.create_batch(3):
        UnionFactory.create_batch(10, federation=federation, name="Công đoàn Công ty May Hà Đông")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/members/A0001/transfer/", {"q": "may ha"})
    assert len(many) == len(few)
    assert len(response.context["results"]) == 20 and response.context["more_results"]
    assert "Chỉ hiện 20 kết quả đầu tiên" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"to_union": "khong-co", "transferred_on": "2024-07-01"}, "to_union"),
        ({"to_union": "a-xuan", "transferred_on": "2024-07-01"}, "to_union"),  # the same union
        ({"to_union": "a-binh", "transferred_on": "2024-01-01"}, "transferred_on"),  # before admission
        ({"to_union": "a-binh", "transferred_on": TOMORROW.isoformat()}, "transferred_on"),
        ({"to_union": "", "transferred_on": "2024-07-01"}, "to_union"),  # nothing chosen
        ({"to_union": "a-binh", "transferred_on": "2024-07-01", "from_union": ""}, "from_union"),
    ],
)
def test_bad_transfers_are_refused(client_for, officer_a, member_a, union_a2, data, field):
    response = transfer(client_for(officer_a), member_a, **data)
    assert field in response.context["form"].errors
    assert not Transfer.objects.exists()
    member_a.refresh_from_db()
    assert member_a.union.code == "a-xuan"


def test_a_transfer_posted_without_the_union_it_was_drawn_from_asks_for_a_reload(
    client_for, officer_a, member_a, union_a2
):
    """The stale-form check needs the union the page showed: a post without it is not judged."""
    response = client_for(officer_a).post(
        "/members/A0001/transfer/", {"to_union": "a-binh", "transferred_on": "2024-07-01"}
    )
    assert "Biểu mẫu này đã cũ: hãy tải lại trang rồi thử lại." in response.content.decode()
    assert not Transfer.objects.exists()


def test_a_transfer_out_that_cannot_happen_is_refused_before_the_confirmation(
    client_for, officer_a, member_a, union_b
):
    response = transfer(client_for(officer_a), member_a, to_union="b-dong", transferred_on="2024-01-01")
    assert not response.context["confirming"] and response.context["form"].errors["transferred_on"]
    assert not Transfer.objects.exists()


def probe(client, member, code: str) -> tuple[int, dict, str]:
    """What an officer learns from naming `code` on the transfer form: status, errors, page."""
    response = transfer(client, member, to_union=code, transferred_on="2024-07-01")
    errors = {field: [m.replace(code, "CODE") for m in messages] for field, messages in response.context[
        "form"].errors.items()}
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, errors, page.replace(code, "CODE")


def test_another_federations_inactive_union_answers_like_a_code_that_does_not_exist(
    client_for, officer_a, member_a, fed_b
):
    """The transfer form tells nothing of other federations' suspended or dissolved unions."""
    UnionFactory(code="b-ngu", name="Công đoàn Tạm Dừng", federation=fed_b, status="suspended",
                 status_on=D(2023, 1, 1))
    UnionFactory(code="b-tan", name="Công đoàn Giải Thể", federation=fed_b, status="dissolved",
                 status_on=D(2023, 1, 1))
    client = client_for(officer_a)
    nowhere = probe(client, member_a, "khong-co")
    assert nowhere[0] == 200 and list(nowhere[1]) == ["to_union"]
    assert "Không có công đoàn cơ sở đang hoạt động nào mang mã “CODE”" in nowhere[2]
    assert probe(client, member_a, "b-ngu") == nowhere
    assert probe(client, member_a, "b-tan") == nowhere
    assert not Transfer.objects.exists()


def test_officer_cannot_touch_another_federations_member(client_for, officer_b, member_a):
    client = client_for(officer_b)
    for url in ("/members/A0001/", "/members/A0001/edit/", "/members/A0001/leave/"):
        assert client.get(url).status_code == 404
    assert client.post("/members/A0001/leave/", {"left_on": "2024-08-01"}).status_code == 404
    member_a.refresh_from_db()
    assert member_a.status == "active"


def test_the_reason_for_leaving_on_the_member_page_and_in_its_history(
    client_for, officer_a, admin_user, member_a
):
    client = client_for(officer_a)
    page = client.get("/members/A0001/leave/").content.decode()
    assert "Lý do ra khỏi công đoàn" in page and "Nghỉ hưu" in page and "Tự nguyện ra khỏi tổ chức" in page
    response = client.post("/members/A0001/leave/", {"left_on": "2024-08-01", "left_reason": "job_change"})
    assert response.status_code == 302
    page = client.get("/members/A0001/").content.decode()
    assert "Lý do ra khỏi công đoàn" in page and "Chuyển công tác" in page
    history = client_for(admin_user).get("/members/A0001/").content.decode()
    assert "01/08/2024: Chuyển công tác" in history  # the audit trail shows the departure with its reason
    member_a.refresh_from_db()
    assert member_a.history.first().history_user == officer_a


def test_a_dissolved_union_cannot_be_suspended_through_its_form_either(client_for, officer_a, fed_a):
    UnionFactory(code="a-gone", federation=fed_a, founded_on=D(2020, 1, 1), status="dissolved",
                 status_on=D(2024, 1, 1))
    response = client_for(officer_a).post("/unions/a-gone/status/suspend/", {"on": "2024-05-01"})
    assert response.status_code == 200
    assert "không thể thực hiện" in " ".join(response.context["form"].non_field_errors())
    assert GrassrootsUnion.objects.get(code="a-gone").status == "dissolved"
