"""targets.progress: the metric definitions of domain.md, to the unit."""

import datetime
import json
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from branches.models import Federation, UnionStatus
from members.models import MemberStatus
from targets import charts, progress
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
    with pytest.raises(progress.PeriodError, match="^as-of date 2023-12-31 is not in 2024$"):
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
    # indicators, federations, quotas (this year and last), admissions, foundings, reports,
    # union ratings, employers and members (coverage and density), no rate target: the active
    # unions are not counted
    with django_assert_num_queries(9):
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
    """The standing is the league's rank, ties included (1/10 + 2/10 = 3/20 + 3/20)."""
    feds = _standings_data(2023)
    period = progress.make_period(2023, as_of)
    rows = {row.code: row for row in progress.league(Federation.objects.all(), period)}
    ranked = sum(1 for row in rows.values() if row.rank is not None)
    if as_of.month == 12:
        assert rows["s-a"].rank == rows["s-b"].rank and rows["s-c"].rank == rows["s-d"].rank
        assert rows["s-e"].rank == rows["s-f"].rank and rows["s-g"].rank is None
        assert rows["s-e"].previous_rank == rows["s-g"].previous_rank is not None
    for fed in feds:
        with django_assert_num_queries(9):  # the league's queries, whatever its size
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


# --- the edges: each test below fails for a small change to targets/progress.py -------------


def _fed_with(code: str, year: int, members: tuple[int, int] | None = None,
              unions: tuple[int, int] | None = None, on=None):
    """A federation with quotas (actual, target) for the year and that many admissions/foundings."""
    fed = FederationFactory(code=code)
    on = on or D(year, 3, 3)
    union = UnionFactory(federation=fed, founded_on=D(year - 5, 1, 1))
    if members:
        QuotaFactory(federation=fed, year=year, metric=Metric.NEW_MEMBERS, target=members[1])
        for _ in range(members[0]):
            MemberFactory(union=union, admitted_on=on)
    if unions:
        QuotaFactory(federation=fed, year=year, metric=Metric.NEW_UNIONS, target=unions[1])
        for _ in range(unions[0]):
            UnionFactory(federation=fed, founded_on=on)
    return fed


def _league(year: int, as_of=None) -> dict:
    return {r.code: r for r in progress.league(Federation.objects.all(), progress.make_period(year, as_of))}


def test_a_quota_with_nothing_achieved_counts_in_the_score():
    _fed_with("zero", 2023, members=(0, 10), unions=(5, 5))
    row = _league(2023)["zero"]
    assert row.score == Fraction(1, 2)
    assert row.score_pct == Decimal("50.0")


def test_a_score_of_zero_is_ranked_and_shown_as_zero(client_for, city_staff):
    _fed_with("none-yet", 2023, members=(0, 10))
    row = _league(2023)["none-yet"]
    assert (row.rank, row.score_pct) == (1, Decimal("0.0"))
    response = client_for(city_staff).get(reverse("rankings_export", args=["csv"]), {"year": 2023})
    assert response.content.decode().splitlines()[1].endswith(",0,10,0.0,0,,,0.0")
    page = client_for(city_staff).get(reverse("rankings"), {"year": 2023}).content.decode()
    assert re.search(r'<td class="text-end"[^>]*>\s*0,0\s*</td>', page)


@pytest.mark.parametrize(
    ("actuals", "ranks"),
    [((5, 5, 5, 1), [1, 1, 1, 4]), ((9, 5, 5, 5), [1, 2, 2, 2]), ((2, 2, 2, 2), [1, 1, 1, 1])],
)
def test_three_way_ties(actuals, ranks):
    for code, actual in zip(("t-d", "t-c", "t-b", "t-a"), actuals, strict=True):
        _fed_with(code, 2022, members=(actual, 10))
    rows = progress.league(Federation.objects.all(), progress.make_period(2022))
    assert [r.rank for r in rows] == ranks
    # equal scores are listed by code
    tied = [r.code for r in rows if r.rank == ranks[1]]
    assert tied == sorted(tied)


@pytest.mark.parametrize(
    ("as_of", "days", "elapsed"),
    [(D(2024, 2, 29), 366, 60), (D(2024, 12, 31), 366, 366), (D(2028, 3, 1), 366, 61),
     (D(2023, 3, 1), 365, 60), (D(2023, 12, 31), 365, 365), (D(2100, 12, 31), 365, 365)],
)
def test_pace_divides_by_the_days_of_the_year(as_of, days, elapsed):
    period = progress.make_period(as_of.year, as_of)
    assert (period.days_in_year, period.days_elapsed) == (days, elapsed)
    fed = FederationFactory(code="pace")
    QuotaFactory(federation=fed, year=as_of.year, metric=Metric.NEW_MEMBERS, target=days * 10)
    row = progress.league(_scope(fed), period)[0]
    assert row.new_members.pace == Decimal(elapsed * 10)
    assert row.new_members.pace_pct == progress.tenths(Fraction(100 * elapsed, days))


def test_pace_of_a_leap_year_by_month():
    fed = FederationFactory(code="leap")
    QuotaFactory(federation=fed, year=2028, metric=Metric.NEW_MEMBERS, target=366)
    QuotaFactory(federation=fed, year=2027, metric=Metric.NEW_MEMBERS, target=365)
    march = progress.monthly(fed, progress.make_period(2028, D(2028, 3, 10)))[Metric.NEW_MEMBERS]
    assert [p.pace for p in march] == [Decimal("31.0"), Decimal("60.0"), Decimal("70.0")]
    december = progress.monthly(fed, progress.make_period(2027, D(2027, 12, 31)))[Metric.NEW_MEMBERS]
    assert [p.pace for p in december][1:3] == [Decimal("59.0"), Decimal("90.0")]
    history = {row.year: row for row in progress.quota_history(fed)}
    assert list(history) == [2028, 2027]  # newest first


def test_behind_is_measured_against_the_exact_pace():
    """100 a year, as of 11 January: the pace is 3,01 (shown 3,0); 3 admitted is behind."""
    fed = _fed_with("exact", 2023, members=(3, 100), on=D(2023, 1, 5))
    row = progress.league(_scope(fed), progress.make_period(2023, D(2023, 1, 11)))[0]
    assert row.new_members.pace == Decimal("3.0")
    assert row.new_members.status == progress.BEHIND
    on_pace = progress.league(_scope(fed), progress.make_period(2023, D(2023, 1, 10)))[0]
    assert on_pace.new_members.status == progress.ON_PACE  # pace 2,74
    # the chart's pace marker: 100 × 11 ÷ 365 = 3,0 %, not 3,0 ÷ 100
    small = _fed_with("small", 2023, members=(0, 7))
    row = progress.league(_scope(small), progress.make_period(2023, D(2023, 1, 11)))[0]
    assert row.new_members.pace_pct == Decimal("3.0")
    figure = json.loads(charts.attainment_bars([row], Metric.NEW_MEMBERS))
    assert figure["data"][-1]["x"] == [3.0]


def test_last_years_window_includes_both_ends():
    fed = FederationFactory(code="window")
    union = UnionFactory(federation=fed, founded_on=D(2015, 1, 1))
    counted = [D(2023, 1, 1), D(2023, 6, 15)]
    for day in [*counted, D(2022, 12, 31), D(2023, 6, 16)]:
        MemberFactory(union=union, admitted_on=day)
        UnionFactory(federation=fed, founded_on=day)
    for day in (D(2024, 1, 1), D(2024, 6, 15), D(2024, 6, 16)):
        MemberFactory(union=union, admitted_on=day)
        UnionFactory(federation=fed, founded_on=day)
    period = progress.make_period(2024, D(2024, 6, 15))
    row = progress.league(_scope(fed), period)[0]
    assert row.new_members.actual == row.new_unions.actual == 2
    assert row.previous[Metric.NEW_MEMBERS].actual == row.previous[Metric.NEW_UNIONS].actual == 2
    totals = progress.totals([row], period)
    assert totals.previous[Metric.NEW_MEMBERS].actual == 2
    series = progress.monthly(fed, period)
    for metric in progress.METRICS:
        points = series[metric]
        assert [p.previous_cumulative for p in points] == [1, 1, 1, 1, 1, 2]
        assert [p.cumulative for p in points] == [1, 1, 1, 1, 1, 2]


def test_last_years_foundings_stay_with_the_founding_federation():
    old, new = FederationFactory(code="old"), FederationFactory(code="new")
    for fed in (old, new):
        QuotaFactory(federation=fed, year=2023, metric=Metric.NEW_UNIONS, target=2)
        QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_UNIONS, target=2)
    union = UnionFactory(federation=old, founded_on=D(2023, 4, 1))
    union.federation = new  # moved in 2024
    union.save()
    rows = _league(2024, D(2024, 12, 31))
    assert rows["old"].previous[Metric.NEW_UNIONS].actual == 1
    assert rows["new"].previous[Metric.NEW_UNIONS].actual == 0
    assert (rows["old"].previous_rank, rows["new"].previous_rank) == (1, 2)
    series = progress.monthly(old, progress.make_period(2024, D(2024, 12, 31)))[Metric.NEW_UNIONS]
    assert series[-1].previous_cumulative == 1
    assert progress.monthly(new, progress.make_period(2024, D(2024, 12, 31)))[Metric.NEW_UNIONS][-1] \
        .previous_cumulative == 0


def test_city_totals_count_federations_without_a_quota():
    _fed_with("quota", 2024, members=(2, 10), unions=(1, 4))
    _fed_with("no-quota", 2024)
    UnionFactory(federation=Federation.objects.get(code="no-quota"), founded_on=D(2024, 5, 5))
    MemberFactory(union=UnionFactory(federation=Federation.objects.get(code="no-quota")),
                  admitted_on=D(2024, 5, 5))
    period = progress.make_period(2024, D(2024, 12, 31))
    totals = progress.totals(progress.league(Federation.objects.all(), period), period)
    assert (totals.metrics[Metric.NEW_MEMBERS].actual, totals.metrics[Metric.NEW_MEMBERS].target) == (3, 10)
    assert (totals.metrics[Metric.NEW_UNIONS].actual, totals.metrics[Metric.NEW_UNIONS].target) == (2, 4)
    assert (totals.federations, totals.ranked) == (2, 1)


def test_furthest_behind_keeps_five_lowest_ties_by_code():
    for code, actual in (("f-a", 9), ("f-g", 1), ("f-b", 1), ("f-c", 5), ("f-d", 3), ("f-e", 7), ("f-f", 3)):
        _fed_with(code, 2024, members=(actual, 10))
    _fed_with("f-0", 2024)  # no quota: never listed
    rows = progress.league(Federation.objects.all(), progress.make_period(2024, D(2024, 12, 31)))
    assert [r.code for r in progress.furthest_behind(rows)] == ["f-b", "f-g", "f-d", "f-f", "f-c"]
    assert [r.code for r in progress.furthest_behind(rows, limit=2)] == ["f-b", "f-g"]


def test_a_union_founded_on_the_as_of_date_counts():
    fed = FederationFactory(code="today")
    QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_UNIONS, target=2)
    UnionFactory(federation=fed, founded_on=D(2024, 8, 8))
    UnionFactory(federation=fed, founded_on=D(2024, 8, 9))
    period = progress.make_period(2024, D(2024, 8, 8))
    rows = progress.league(_scope(fed), period)
    assert rows[0].new_unions.actual == 1
    assert progress.totals(rows, period).metrics[Metric.NEW_UNIONS].actual == 1
    assert progress.monthly(fed, period)[Metric.NEW_UNIONS][-1].cumulative == 1
    assert [s["unions"] for s in progress.unions_by_sector(fed, D(2024, 8, 8))] == [1]


def test_score_is_the_mean_of_unrounded_ratios_rounded_half_up():
    # 0 of 1 and 2 of 3: (0 + 2/3) / 2 = 33,33 %; from the shown 0,0 % and 66,7 % it would be 33,4 %
    _fed_with("unrounded", 2024, members=(0, 1), unions=(2, 3))
    # 1 of 8 and 0 of 2: 6,25 % rounds half up to 6,3
    _fed_with("half", 2024, members=(1, 8), unions=(0, 2))
    rows = _league(2024, D(2024, 12, 31))
    assert rows["unrounded"].score_pct == Decimal("33.3")
    assert rows["half"].score == Fraction(1, 16)
    assert rows["half"].score_pct == Decimal("6.3")
    assert progress.score_percent(Fraction(1, 400)) == Decimal("0.3")
    assert progress.score_percent(None) is None


@pytest.mark.parametrize(("year", "ok"), [(1999, False), (2000, True), (2100, True), (2101, False)])
def test_years_from_2000_to_2100(year, ok):
    if ok:
        assert progress.make_period(year).year == year
    else:
        with pytest.raises(progress.PeriodError, match=f"^year {year} is out of range$"):
            progress.make_period(year)


def test_default_as_of_of_a_future_year_is_its_first_day():
    next_year = progress.today().year + 1
    assert progress.make_period(next_year).as_of == D(next_year, 1, 1)


def test_unions_by_sector_most_unions_first_then_by_sector():
    fed = FederationFactory(code="sectors")
    for sector, n in (("state_enterprise", 1), ("non_state", 1), ("public_service", 2)):
        for _ in range(n):
            union = UnionFactory(federation=fed, sector=sector, founded_on=D(2020, 1, 1))
    MemberFactory(union=union, admitted_on=D(2021, 1, 2))  # admitted on the day: active
    MemberFactory(union=union, admitted_on=D(2021, 1, 3))  # the day after: not yet
    MemberFactory(union=union, admitted_on=D(2021, 1, 1), status=MemberStatus.LEFT, left_on=D(2021, 1, 2))
    MemberFactory(union=union, admitted_on=D(2021, 1, 1), status=MemberStatus.LEFT, left_on=D(2021, 1, 3))
    rows = progress.unions_by_sector(fed, D(2021, 1, 2))
    assert [(r["sector"], r["unions"], r["members"]) for r in rows] == [
        ("public_service", 2, 2), ("non_state", 1, 0), ("state_enterprise", 1, 0),
    ]


def test_quota_history_of_the_current_year_runs_to_today():
    """A record dated after today (entered by hand) is not in this year's figures yet."""
    today = progress.today()
    fed = _fed_with("now", today.year, members=(0, 10), unions=(0, 10))
    union = UnionFactory(federation=fed, founded_on=today)
    MemberFactory(union=union, admitted_on=today)
    if today.month < 12 or today.day < 31:
        tomorrow = today + datetime.timedelta(days=1)
        MemberFactory(union=union, admitted_on=tomorrow)
        UnionFactory(federation=fed, founded_on=tomorrow)
    row = progress.quota_history(fed)[0]
    assert row.year == today.year
    assert (row.metrics[Metric.NEW_MEMBERS].actual, row.metrics[Metric.NEW_UNIONS].actual) == (1, 1)


def test_federation_progress_is_its_row_of_the_league():
    fed = _fed_with("alone", 2024, members=(3, 4), unions=(1, 2))
    _fed_with("other", 2024, members=(4, 4))
    row = progress.federation_progress(fed, progress.make_period(2024, D(2024, 12, 31)))
    assert (row.code, row.rank, row.score_pct) == ("alone", 1, Decimal("62.5"))
    assert (row.new_members.actual, row.new_unions.actual) == (3, 1)


def test_quota_history_counts_new_year_s_day_of_its_first_year():
    """1 January of the earliest year with a quota is inside that year's figures."""
    fed = _fed_with("first-day", 2023, members=(0, 10), unions=(0, 10))
    QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_MEMBERS, target=10)
    union = UnionFactory(federation=fed, founded_on=D(2023, 1, 1))
    MemberFactory(union=union, admitted_on=D(2023, 1, 1))
    MemberFactory(union=union, admitted_on=D(2022, 12, 31))  # the year before any quota
    history = {row.year: row.metrics for row in progress.quota_history(fed)}
    assert (history[2023][Metric.NEW_MEMBERS].actual, history[2023][Metric.NEW_UNIONS].actual) == (1, 1)
    assert history[2024][Metric.NEW_MEMBERS].actual == 0
