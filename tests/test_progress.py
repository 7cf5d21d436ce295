"""targets.progress: the metric definitions of domain.md, to the unit."""

import datetime
from decimal import Decimal

import pytest

from branches.models import Federation, UnionStatus
from members.models import MemberStatus
from targets import progress
from targets.models import Metric
from tests.factories import FederationFactory, MemberFactory, QuotaFactory, UnionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        (4550, 6500, "70.0"),
        (22, 20, "110.0"),
        (505, 410, "123.2"),
        (1857, 1400, "132.6"),
        (1, 400, "0.3"),  # 0.25 rounds half up, not to even
        (3, 800, "0.4"),  # 0.375
        (0, 10, "0.0"),
        (6, 6, "100.0"),
    ],
)
def test_percent_rounds_half_up(actual, target, expected):
    assert progress.percent(actual, target) == Decimal(expected)


def test_percent_without_target_is_none():
    assert progress.percent(5, None) is None


def test_default_as_of():
    today = progress.today()
    assert progress.make_period(today.year - 1).as_of == D(today.year - 1, 12, 31)
    assert progress.make_period(today.year).as_of == today
    with pytest.raises(progress.PeriodError):
        progress.make_period(2024, D(2023, 12, 31))


def test_previous_period_of_leap_day():
    assert progress.Period(2024, D(2024, 2, 29)).previous() == progress.Period(2023, D(2023, 2, 28))


def _scope(*feds):
    return Federation.objects.filter(pk__in=[f.pk for f in feds])


def test_counts_follow_the_definitions():
    fed, other = FederationFactory(code="fed-x"), FederationFactory(code="fed-y")
    QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_MEMBERS, target=4)
    QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_UNIONS, target=2)
    union = UnionFactory(federation=fed, founded_on=D(2024, 2, 1))
    # dissolved later in the year: still counted as founded in 2024
    UnionFactory(federation=fed, founded_on=D(2024, 3, 1), status=UnionStatus.DISSOLVED,
                 status_on=D(2024, 9, 1))
    UnionFactory(federation=fed, founded_on=D(2023, 12, 31))  # last year
    UnionFactory(federation=fed, founded_on=D(2024, 11, 2))  # after as_of
    MemberFactory(union=union, admitted_on=D(2024, 1, 1))
    MemberFactory(union=union, admitted_on=D(2024, 10, 31))
    MemberFactory(union=union, admitted_on=D(2024, 11, 1))  # after as_of
    MemberFactory(union=union, admitted_on=D(2023, 12, 31))  # last year, after the same day
    MemberFactory(union=union, admitted_on=D(2023, 5, 5))  # last year, same period
    # admitted in fed, then left and moved: the credit stays with fed
    moved = MemberFactory(union=union, admitted_on=D(2024, 6, 1))
    moved.union = UnionFactory(federation=other)
    moved.status, moved.left_on = MemberStatus.LEFT, D(2024, 7, 1)
    moved.save()

    period = progress.make_period(2024, D(2024, 10, 31))
    rows = progress.league(_scope(fed, other), period)
    row = next(r for r in rows if r.code == "fed-x")
    assert row.new_members.actual == 3
    assert row.new_members.target == 4
    assert row.new_members.pct == Decimal("75.0")
    assert row.new_unions.actual == 2
    assert row.new_unions.pct == Decimal("100.0")
    assert row.new_unions.status == progress.EXCEEDED
    # score = mean of the unrounded ratios (3/4 + 2/2) / 2
    assert row.score_pct == Decimal("87.5")
    assert row.rank == 1
    other_row = next(r for r in rows if r.code == "fed-y")
    assert other_row.rank is None  # no quota in the year: not ranked
    assert other_row.new_members.actual == 0
    # last year's same period
    assert row.previous[Metric.NEW_MEMBERS].actual == 1
    assert row.previous[Metric.NEW_UNIONS].actual == 0  # founded 31/12/2023, after 31/10


def test_pace_and_status():
    fed = FederationFactory()
    QuotaFactory(federation=fed, year=2023, metric=Metric.NEW_MEMBERS, target=365)
    union = UnionFactory(federation=fed)
    for day in range(1, 11):
        MemberFactory(union=union, admitted_on=D(2023, 1, day))
    on_10th = progress.league(_scope(fed), progress.make_period(2023, D(2023, 1, 10)))[0]
    assert on_10th.new_members.pace == Decimal("10.0")
    assert on_10th.new_members.status == progress.ON_PACE
    on_11th = progress.league(_scope(fed), progress.make_period(2023, D(2023, 1, 11)))[0]
    assert on_11th.new_members.status == progress.BEHIND


def test_ties_share_a_rank_and_sort_by_code():
    feds = [FederationFactory(code=code) for code in ("d-fed", "b-fed", "c-fed", "a-fed")]
    targets = {"d-fed": (9, 10), "b-fed": (5, 10), "c-fed": (1, 2), "a-fed": (1, 10)}
    for fed in feds:
        actual, target = targets[fed.code]
        QuotaFactory(federation=fed, year=2022, metric=Metric.NEW_MEMBERS, target=target)
        union = UnionFactory(federation=fed)
        for _ in range(actual):
            MemberFactory(union=union, admitted_on=D(2022, 5, 5))
    rows = progress.league(_scope(*feds), progress.make_period(2022))
    assert [(r.rank, r.code) for r in rows] == [
        (1, "d-fed"), (2, "b-fed"), (2, "c-fed"), (4, "a-fed"),
    ]


def test_rank_change_since_last_year():
    up, down = FederationFactory(code="up"), FederationFactory(code="down")
    for fed, last, this in ((up, 1, 9), (down, 9, 1)):
        for year in (2022, 2023):
            QuotaFactory(federation=fed, year=year, metric=Metric.NEW_MEMBERS, target=10)
        union = UnionFactory(federation=fed)
        for _ in range(last):
            MemberFactory(union=union, admitted_on=D(2022, 3, 3))
        for _ in range(this):
            MemberFactory(union=union, admitted_on=D(2023, 3, 3))
    rows = {r.code: r for r in progress.league(_scope(up, down), progress.make_period(2023))}
    assert rows["up"].rank_change == 1
    assert rows["down"].rank_change == -1


def test_totals_and_furthest_behind():
    a, b = FederationFactory(code="ta"), FederationFactory(code="tb")
    QuotaFactory(federation=a, year=2024, metric=Metric.NEW_MEMBERS, target=10)
    QuotaFactory(federation=b, year=2024, metric=Metric.NEW_MEMBERS, target=30)
    for fed, n in ((a, 5), (b, 3)):
        union = UnionFactory(federation=fed)
        for _ in range(n):
            MemberFactory(union=union, admitted_on=D(2024, 2, 2))
    period = progress.make_period(2024)
    rows = progress.league(_scope(a, b), period)
    totals = progress.totals(rows, period)
    assert totals.metrics[Metric.NEW_MEMBERS].actual == 8
    assert totals.metrics[Metric.NEW_MEMBERS].target == 40
    assert totals.metrics[Metric.NEW_MEMBERS].pct == Decimal("20.0")
    assert [r.code for r in progress.furthest_behind(rows)] == ["tb", "ta"]


def _grow(n_feds: int, members_each: int):
    for i in range(n_feds):
        fed = FederationFactory()
        QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_MEMBERS, target=50 + i)
        QuotaFactory(federation=fed, year=2023, metric=Metric.NEW_UNIONS, target=3)
        union = UnionFactory(federation=fed, founded_on=D(2024, 1, 5))
        for _ in range(members_each):
            MemberFactory(union=union, admitted_on=D(2024, 4, 4))


@pytest.mark.parametrize("size", [1, 10])
def test_league_query_count_is_constant(size, django_assert_num_queries):
    _grow(2 * size, 2 * size)
    period = progress.make_period(2024, D(2024, 12, 31))
    # federations, quotas (this year and last), admissions, foundings
    with django_assert_num_queries(4):
        rows = progress.league(Federation.objects.all(), period)
        progress.totals(rows, period)
    assert len(rows) >= 2 * size


def test_monthly_series_and_history():
    fed = FederationFactory()
    QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_MEMBERS, target=120)
    QuotaFactory(federation=fed, year=2023, metric=Metric.NEW_MEMBERS, target=100)
    union = UnionFactory(federation=fed, founded_on=D(2024, 2, 10))
    for month in (1, 1, 3, 7):
        MemberFactory(union=union, admitted_on=D(2024, month, 15))
    MemberFactory(union=union, admitted_on=D(2023, 2, 1))
    MemberFactory(union=union, admitted_on=D(2023, 12, 1))  # after the same day last year
    series = progress.monthly(fed, progress.make_period(2024, D(2024, 11, 20)))
    members = series[Metric.NEW_MEMBERS]
    assert [p.cumulative for p in members] == [2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4]
    assert members[-1].previous_cumulative == 1
    assert members[0].pace == Decimal("10.2")  # 120 × 31 / 366
    assert [p.cumulative for p in series[Metric.NEW_UNIONS]][1] == 1
    history = {row.year: row for row in progress.quota_history(fed)}
    assert history[2023].metrics[Metric.NEW_MEMBERS].actual == 2
    assert history[2024].metrics[Metric.NEW_MEMBERS].pct == Decimal("3.3")


# Scores that are equal as fractions but not as sums of doubles ((0.1 + 0.2) / 2 is not
# 0.15), ties between one metric and two, a zero, and a federation without a quota.
# code: (members admitted, member quota, unions founded, union quota), this year and last.
STANDINGS = {
    "s-a": ((1, 10, 2, 10), (2, 4, 0, None)),
    "s-b": ((3, 20, 3, 20), (1, 2, 0, None)),
    "s-c": ((1, 2, 0, None), (0, 5, 1, 1)),
    "s-d": ((2, 4, 1, 2), (3, 3, 0, None)),
    "s-e": ((0, None, 1, 3), (1, 10, 2, 10)),
    "s-f": ((1, 3, 1, 3), (0, None, 0, None)),
    "s-g": ((2, None, 0, None), (3, 20, 3, 20)),
    "s-h": ((0, 5, 0, None), (1, 3, 1, 3)),
}


def _standings_data(year: int) -> list[Federation]:
    feds = []
    for code, periods in STANDINGS.items():
        fed = FederationFactory(code=code)
        home = UnionFactory(federation=fed, founded_on=D(2010, 1, 1))
        for y, (admitted, member_quota, founded, union_quota) in zip((year, year - 1), periods, strict=True):
            if member_quota:
                QuotaFactory(federation=fed, year=y, metric=Metric.NEW_MEMBERS, target=member_quota)
            if union_quota:
                QuotaFactory(federation=fed, year=y, metric=Metric.NEW_UNIONS, target=union_quota)
            MemberFactory.create_batch(admitted, union=home, admitted_on=D(y, 3, 1))
            UnionFactory.create_batch(founded, federation=fed, founded_on=D(y, 2, 1))
        feds.append(fed)
    return feds


@pytest.mark.parametrize("as_of", [D(2023, 12, 31), D(2023, 2, 15)])
def test_a_federations_standing_is_its_rank_in_the_league(as_of, django_assert_num_queries):
    """The SQL window ranks as league() does, ties included (1/10 + 2/10 = 3/20 + 3/20)."""
    feds = _standings_data(2023)
    period = progress.make_period(2023, as_of)
    rows = {row.code: row for row in progress.league(Federation.objects.all(), period)}
    ranked = sum(1 for row in rows.values() if row.rank is not None)
    if as_of.month == 12:
        assert rows["s-a"].rank == rows["s-b"].rank and rows["s-c"].rank == rows["s-d"].rank
        assert rows["s-e"].rank == rows["s-f"].rank and rows["s-g"].rank is None
        assert rows["s-e"].previous_rank == rows["s-g"].previous_rank is not None
    for fed in feds:
        with django_assert_num_queries(1):
            standing = progress.federation_standing(Federation.objects.all(), fed, period)
        row = rows[fed.code]
        assert (standing.rank, standing.previous_rank, standing.score, standing.ranked) == (
            row.rank, row.previous_rank, row.score, ranked
        ), fed.code


def test_no_standing_outside_the_league():
    fed = FederationFactory(code="alone")
    period = progress.make_period(2023)
    assert progress.federation_standing(Federation.objects.none(), fed, period).rank is None
    outside = progress.federation_standing(Federation.objects.exclude(pk=fed.pk), fed, period)
    assert (outside.rank, outside.ranked) == (None, 0)


@pytest.mark.parametrize("members_each", [2, 20])
def test_members_by_sector_in_a_fixed_number_of_queries(members_each, django_assert_num_queries):
    fed = FederationFactory()
    for sector in ("public_service", "non_state"):
        union = UnionFactory(federation=fed, sector=sector, founded_on=D(2020, 1, 1))
        MemberFactory.create_batch(members_each, union=union, admitted_on=D(2021, 1, 1))
        MemberFactory(union=union, admitted_on=D(2021, 1, 1), status=MemberStatus.LEFT, left_on=D(2022, 1, 1))
        MemberFactory(union=union, admitted_on=D(2023, 6, 1))  # not yet admitted on the day
    with django_assert_num_queries(1):
        rows = progress.unions_by_sector(fed, D(2022, 12, 31))
    assert {row["sector"]: (row["unions"], row["members"]) for row in rows} == {
        "public_service": (1, members_each), "non_state": (1, members_each)
    }
