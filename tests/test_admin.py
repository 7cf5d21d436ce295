"""Django admin: every model listed without a query per row; quota edits kept in history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Transfer
from targets.models import Metric, Quota
from tests.factories import FederationFactory, MemberFactory, QuotaFactory, UnionFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:branches_federation_changelist",
    "admin:branches_grassrootsunion_changelist",
    "admin:members_member_changelist",
    "admin:members_transfer_changelist",
    "admin:targets_quota_changelist",
    "admin:auth_user_changelist",
]


def _grow(n: int) -> None:
    for i in range(n):
        fed = FederationFactory()
        QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_MEMBERS, target=10 + i)
        union, other = UnionFactory(federation=fed), UnionFactory(federation=fed)
        member = MemberFactory(union=union)
        Transfer.objects.create(
            member=member, from_union=union, to_union=other,
            transferred_on=datetime.date(2024, 6, 1),
        )


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(client_for, admin_user, name):
    client = client_for(admin_user)
    client.get(reverse(name))  # the admin's permissions are read once, then cached
    counts = []
    for size in (2, 20):
        _grow(size)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name))
        assert response.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_member_changelist_never_counts_the_whole_table(client_for, admin_user):
    _grow(3)
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(admin_user).get(reverse("admin:members_member_changelist"))
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    # the paginator's count is bounded by a LIMITed subquery; no full "show all" count
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts


def test_quota_edit_in_the_list_is_kept_in_history(client_for, admin_user):
    quota = QuotaFactory(target=6500)
    client = client_for(admin_user)
    url = reverse("admin:targets_quota_changelist")
    data = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(quota.pk), "form-0-target": "6000", "_save": "Save",
        "change_reason": "Điều chỉnh theo nghị quyết",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    quota.refresh_from_db()
    assert quota.target == 6000
    latest = quota.history.first()
    assert latest.target == 6000
    assert latest.history_user == admin_user
    assert latest.prev_record.target == 6500
    history_page = client.get(reverse("admin:targets_quota_history", args=[quota.pk]))
    assert history_page.status_code == 200
    assert "admin" in history_page.content.decode()


@pytest.mark.parametrize("target", ["0", "-3"])
def test_admin_refuses_a_non_positive_quota(client_for, admin_user, target):
    fed = FederationFactory()
    before = Quota.objects.count()
    response = client_for(admin_user).post(
        reverse("admin:targets_quota_add"),
        {"federation": fed.pk, "year": "2025", "metric": Metric.NEW_MEMBERS, "target": target},
    )
    assert response.status_code == 200  # the form again, with its error
    assert Quota.objects.count() == before


def test_admin_refuses_a_duplicate_quota(client_for, admin_user):
    quota = QuotaFactory()
    before = Quota.objects.count()
    response = client_for(admin_user).post(
        reverse("admin:targets_quota_add"),
        {"federation": quota.federation.pk, "year": quota.year, "metric": quota.metric,
         "target": "7"},
    )
    assert response.status_code == 200
    assert Quota.objects.count() == before


def test_city_staff_and_officers_have_no_admin(client_for, city_staff, officer_a):
    for user in (city_staff, officer_a):
        response = client_for(user).get(reverse("admin:targets_quota_changelist"))
        assert response.status_code == 302  # to the admin login: not staff


def test_a_transfer_added_in_the_admin_moves_the_member(client_for, admin_user):
    member = MemberFactory(admitted_on=datetime.date(2024, 1, 5))
    origin, target = member.union, UnionFactory()
    response = client_for(admin_user).post(reverse("admin:members_transfer_add"), {
        "member": member.pk, "to_union": target.pk, "transferred_on": "2024-06-01", "_save": "Save",
    })
    assert response.status_code == 302
    transfer = Transfer.objects.get(member=member)
    member.refresh_from_db()
    assert (transfer.from_union, transfer.to_union, member.union) == (origin, target, target)
    assert transfer.recorded_by == admin_user and member.history.first().history_user == admin_user
    # Once recorded, a transfer is kept as it is: the change page writes nothing.
    client_for(admin_user).post(reverse("admin:members_transfer_change", args=[transfer.pk]), {
        "to_union": origin.pk, "transferred_on": "2024-07-01", "_save": "Save",
    })
    transfer.refresh_from_db()
    assert (transfer.to_union, transfer.transferred_on) == (target, datetime.date(2024, 6, 1))


def test_the_admin_cannot_move_a_member_without_a_transfer(client_for, admin_user):
    member = MemberFactory()
    other = UnionFactory()
    response = client_for(admin_user).post(reverse("admin:members_member_change", args=[member.pk]), {
        "card_no": member.card_no, "full_name": "Tên Mới", "gender": member.gender,
        "birth_date": member.birth_date.isoformat(), "union": other.pk,
        "admitted_on": member.admitted_on.isoformat(), "status": "active", "_save": "Save",
    })
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.full_name == "Tên Mới" and member.union != other


def test_a_quota_added_in_the_admin_is_kept_in_history(client_for, admin_user):
    fed = FederationFactory()
    response = client_for(admin_user).post(
        reverse("admin:targets_quota_add"),
        {"federation": fed.pk, "year": "2025", "metric": Metric.NEW_UNIONS, "target": "12", "_save": "Save",
         "reason": "Kế hoạch năm 2025"},
    )
    assert response.status_code == 302
    quota = Quota.objects.get(federation=fed)
    assert quota.target == 12 and quota.history.get().history_user == admin_user
