"""Integrity lives in the database: each bad record is refused there, and nothing is written."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from members.models import Member, MemberStatus
from targets.models import Metric, Quota
from tests.factories import FederationFactory, MemberFactory, QuotaFactory, UnionFactory
from unionboard.text import fold, vi_sort_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", [0, -5])
def test_quota_target_must_be_positive(target):
    federation = FederationFactory()
    before = Quota.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        # .update() would bypass nothing here: the CHECK constraint is in the database.
        Quota.objects.bulk_create(
            [Quota(federation=federation, year=2024, metric_id=Metric.NEW_MEMBERS, target=target)]
        )
    assert Quota.objects.count() == before


def test_duplicate_quota_is_refused():
    quota = QuotaFactory()
    before = Quota.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(
            federation=quota.federation, year=quota.year, metric=quota.metric, target=5
        )
    assert Quota.objects.count() == before


def test_member_cannot_leave_before_admission():
    union = UnionFactory()
    before = Member.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(
            union=union, admitted_on=datetime.date(2024, 5, 1),
            status=MemberStatus.LEFT, left_on=datetime.date(2024, 4, 30),
        )
    assert Member.objects.count() == before


def test_left_on_goes_with_status_left():
    union = UnionFactory()
    before = Member.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(union=union, status=MemberStatus.ACTIVE, left_on=datetime.date(2024, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(union=union, status=MemberStatus.LEFT, left_on=None)
    assert Member.objects.count() == before


def test_union_with_members_cannot_be_deleted():
    member = MemberFactory()
    with pytest.raises(ProtectedError), transaction.atomic():
        member.union.delete()
    assert Member.objects.filter(pk=member.pk, union=member.union).exists()
    member.union.refresh_from_db()


def test_suspended_union_needs_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        UnionFactory(status="suspended", status_on=None)


def test_admission_is_credited_to_the_union_federation_and_kept():
    member = MemberFactory()
    assert member.admitted_federation_id == member.union.federation_id
    other = UnionFactory()
    member.union = other
    member.save()
    member.refresh_from_db()
    assert member.admitted_federation_id != other.federation_id


def test_vietnamese_sort_and_fold():
    names = ["Đống Đa", "Dương Xá", "Zeta", "Ba Đình", "Ân Thi", "An"]
    assert sorted(names, key=vi_sort_key) == ["An", "Ân Thi", "Ba Đình", "Dương Xá", "Đống Đa", "Zeta"]
    assert fold("Thanh Xuân") == "thanh xuan"


def test_a_reason_for_leaving_goes_with_leaving_only():
    union = UnionFactory()
    before = Member.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(union=union, status=MemberStatus.ACTIVE, left_reason="retired")
    member = MemberFactory(
        union=union, status=MemberStatus.LEFT, left_on=datetime.date(2024, 6, 1), left_reason="retired"
    )
    assert Member.objects.count() == before + 1 and member.get_left_reason_display() == "Nghỉ hưu"
