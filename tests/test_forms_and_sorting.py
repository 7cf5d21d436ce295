"""Lists say how they are sorted and keep it through a filter; record forms mark their
required fields; a new member's admission date starts at today."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import UnionStatus
from tests.factories import MemberFactory, UnionFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def headers(html: str) -> list[str]:
    return re.findall(r"<th [^>]*scope=\"col\"[^>]*>.*?</th>", html, re.S)


@pytest.fixture
def unions(fed_a):
    return [UnionFactory(federation=fed_a, code=f"a-{n}", name=f"Công đoàn {n}") for n in range(3)]


@pytest.mark.parametrize(("sort", "aria", "arrow", "next_sort"), [
    ("name", "ascending", "▲", "-name"),
    ("-name", "descending", "▼", "name"),
])
def test_the_sorted_column_says_which_way(client_for, officer_a, unions, sort, aria, arrow, next_sort):
    html = client_for(officer_a).get(reverse("branches:union_list"), {"sort": sort}).content.decode()
    sorted_headers = [h for h in headers(html) if "aria-sort" in h]
    assert len(sorted_headers) == 1
    (header,) = sorted_headers
    assert f'aria-sort="{aria}"' in header
    assert f'<span class="sort-arrow" aria-hidden="true">{arrow}</span>' in header
    assert f"sort={next_sort}" in header
    assert "▲" not in html.replace(header, "") and "▼" not in html.replace(header, "")


def test_a_list_in_its_default_order_marks_that_column(client_for, officer_a, fed_a):
    MemberFactory(union=UnionFactory(federation=fed_a))
    html = client_for(officer_a).get(reverse("members:member_list")).content.decode()
    (header,) = [h for h in headers(html) if "aria-sort" in h]  # newest admissions first
    assert 'aria-sort="descending"' in header and "?sort=admitted_on" in header and "▼" in header


def test_the_filter_form_carries_the_sort(client_for, officer_a, unions):
    client = client_for(officer_a)
    query = {"sort": "-founded_on", "status": "active"}
    html = client.get(reverse("branches:union_list"), query).content.decode()
    form = re.search(r'<form method="get"[^>]*filter-form.*?</form>', html, re.S).group()
    assert '<input type="hidden" name="sort" value="-founded_on">' in form
    # a sort that is no column is not carried along
    html = client.get(reverse("branches:union_list"), {"sort": "nonsense"}).content.decode()
    assert 'name="sort"' not in re.search(r'<form method="get"[^>]*filter-form.*?</form>', html, re.S).group()


def test_a_filtered_list_stays_sorted(client_for, officer_a, fed_a):
    for n, year in enumerate((2019, 2021, 2020)):
        UnionFactory(federation=fed_a, code=f"a-{n}", founded_on=D(year, 5, 1), status=UnionStatus.ACTIVE)
    UnionFactory(federation=fed_a, code="a-gone", founded_on=D(2022, 5, 1), status=UnionStatus.DISSOLVED,
                 status_on=D(2023, 1, 1))
    # what the filter form submits: its fields and the carried sort
    query = {"status": "active", "sort": "-founded_on"}
    response = client_for(officer_a).get(reverse("branches:union_list"), query)
    assert [u.code for u in response.context["table"].rows] == ["a-1", "a-2", "a-0"]


def test_sort_links_keep_the_filters_and_start_at_the_first_page(client_for, officer_a, fed_a):
    for n in range(3):
        MemberFactory(union=UnionFactory(federation=fed_a, code=f"a-{n}"))
    html = client_for(officer_a).get(
        reverse("members:member_list"), {"q": "nguyen", "page": "2", "sort": "full_name"}
    ).content.decode()
    links = [re.search(r'href="([^"]*)"', h).group(1).replace("&amp;", "&") for h in headers(html)]
    assert links and all("q=nguyen" in link and "page=" not in link for link in links), links


# -- required fields -------------------------------------------------------------------------------


def wrappers(html: str) -> dict[str, tuple[bool, bool]]:
    """Each field's name: (its wrapper marked required, its input `required`)."""
    found = {}
    for classes, inner in re.findall(r'<div class="(mb-3[^"]*)">(.*?)</div>', html, re.S):
        name = re.search(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', inner)
        if name:
            pattern = rf'<(?:input|select|textarea)[^>]*name="{re.escape(name.group(1))}"[^>]*>'
            control = re.search(pattern, inner).group()
            said = bool(re.search(r'\srequired[\s>]|aria-required="true"', control))
            found[name.group(1)] = ("required" in classes.split(), said)
    return found


@pytest.fixture
def member(fed_a):
    return MemberFactory(union=UnionFactory(federation=fed_a, code="a-0"), card_no="A-1")


@pytest.mark.parametrize(("url", "required", "optional"), [
    (lambda m: reverse("members:member_create"),
     {"card_no", "full_name", "gender", "union", "admitted_on"}, {"birth_date"}),
    (lambda m: reverse("members:member_leave", args=[m.card_no]), {"left_on", "left_reason"}, set()),
    (lambda m: reverse("branches:union_create"),
     {"name", "federation", "sector", "founded_on"}, {"code", "employees"}),
    (lambda m: reverse("branches:union_event", args=["a-0", "suspend"]), {"on"}, set()),
    (lambda m: reverse("imports:upload"), {"file"}, set()),
])
def test_record_forms_mark_their_required_fields(client_for, officer_a, member, url, required, optional):
    html = client_for(officer_a).get(url(member)).content.decode()
    fields = wrappers(html)
    for name in required:
        assert fields[name] == (True, True), name
    for name in optional:
        assert fields[name] == (False, False), name
    assert "Các trường có dấu * là bắt buộc." in html


def test_the_transfer_form_marks_its_required_fields(client_for, officer_a, member):
    UnionFactory(federation=member.union.federation, code="a-1", name="Công đoàn Nhận")
    html = client_for(officer_a).get(
        reverse("members:member_transfer", args=[member.card_no]), {"q": "Nhận"}
    ).content.decode()
    assert re.search(r'<fieldset class="mb-3 required" role="radiogroup" aria-required="true">', html)
    assert re.search(r'<input[^>]*type="radio" name="to_union"[^>]* required', html)
    assert wrappers(html)["transferred_on"] == (True, True)


def test_the_admission_date_starts_at_today(client_for, officer_a, member):
    html = client_for(officer_a).get(reverse("members:member_create")).content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert re.search(rf'<input[^>]*name="admitted_on"[^>]*value="{today}"', html)
    # a correction shows the recorded date, not today
    html = client_for(officer_a).get(reverse("members:member_edit", args=[member.card_no])).content.decode()
    recorded = member.admitted_on.strftime("%d/%m/%Y")
    assert re.search(rf'<input[^>]*name="admitted_on"[^>]*value="{recorded}"', html)
