"""The admission tally (read by every progress figure) always equals the members table."""

import datetime

import pytest
from django.db.models import Count

from members.models import AdmissionTally, Member
from targets import progress
from tests.factories import FederationFactory, MemberFactory, UnionFactory

D = datetime.date


def direct() -> dict:
    return {
        (row["admitted_federation"], row["admitted_on"]): row["n"]
        for row in Member.objects.values("admitted_federation", "admitted_on")
        .annotate(n=Count("pk"))
        .order_by()
    }


def tallied() -> dict:
    return {(t.federation_id, t.day): t.admitted for t in AdmissionTally.objects.exclude(admitted=0)}


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_tally_exact(fed_a, fed_b):
    union_a = UnionFactory(federation=fed_a, founded_on=D(2020, 1, 1))
    union_b = UnionFactory(federation=fed_b, founded_on=D(2020, 1, 1))
    first = MemberFactory(union=union_a, admitted_on=D(2024, 3, 1))
    MemberFactory.create_batch(3, union=union_a, admitted_on=D(2024, 3, 1))
    Member.objects.bulk_create(
        [
            Member(
                card_no=f"BULK{n}",
                full_name="Lê Thu Hà",
                gender="female",
                union=union_b,
                admitted_federation=fed_b,
                admitted_on=D(2024, 5, n + 1),
            )
            for n in range(5)
        ]
    )
    assert tallied() == direct() and tallied()[(fed_a.pk, D(2024, 3, 1))] == 4

    first.admitted_on = D(2024, 4, 2)  # a correction moves the admission to another day
    first.save()
    Member.objects.filter(card_no="BULK0").update(admitted_on=D(2023, 12, 31))
    Member.objects.filter(card_no="BULK1").update(admitted_federation=fed_a)
    Member.objects.filter(card_no="BULK2").update(full_name="Lê Thu Hằng")  # not an admission change
    Member.objects.filter(card_no="BULK3").delete()
    assert tallied() == direct()

    row = progress.federation_progress(fed_b, progress.make_period(2024))
    assert (
        row.new_members.actual
        == Member.objects.filter(admitted_federation=fed_b, admitted_on__year=2024).count()
        == 2
    )


@pytest.mark.django_db
def test_a_transfer_or_departure_leaves_the_credit(fed_a, fed_b):
    member = MemberFactory(union=UnionFactory(federation=fed_a), admitted_on=D(2024, 3, 1))
    member.union = UnionFactory(federation=fed_b)
    member.status, member.left_on = "left", D(2024, 9, 1)
    member.save()
    assert tallied() == {(fed_a.pk, D(2024, 3, 1)): 1}


@pytest.mark.django_db
def test_figures_read_the_tally_with_constant_queries(django_assert_num_queries):
    federations = FederationFactory.create_batch(3)
    for federation in federations:
        MemberFactory.create_batch(2, union=UnionFactory(federation=federation), admitted_on=D(2024, 2, 2))
    # indicators, federations, quotas, admissions (the tally), foundings, reports, ratings,
    # employers and members of covered employers (coverage and density)
    with django_assert_num_queries(9):
        rows = progress.league(type(federations[0]).objects.all(), progress.make_period(2024))
    assert sorted(r.new_members.actual for r in rows) == [2, 2, 2]
