"""The numbers every user comes for: actual against quota, pace, score and rank.

Selector functions only (no HTTP, no templates). They take a queryset of federations
that is already scoped to the user and return plain rows. The number of SQL queries is
fixed: it does not grow with federations, unions or members.

Definitions (../shared/domain.md, "Metric definitions"), for federation F, year Y and
a cut-off date `as_of`:

- new_members: members whose `admitted_on` is in Y and on or before `as_of`, credited to
  `admitted_federation` (a later transfer or departure never moves the credit);
- new_unions: grassroots unions whose `founded_on` is in Y and on or before `as_of`,
  credited to `founding_federation`, whatever their status now;
- attainment % = 100 × actual ÷ target, one decimal, rounded half up;
- score = mean of the unrounded ratios over the metrics F has a quota for in Y;
- rank = competition ranking on score (1, 2, 2, 4), ties ordered by federation code;
- pace = target × days elapsed in Y up to `as_of` ÷ days in Y; "behind" = actual < pace, the
  exact pace (the one shown has one decimal, rounded half up);
- status: during the year, exceeded (actual ≥ target), on pace or behind; once `as_of` is
  31 December the year is finished and there is no pace left to keep: met (attainment
  ≥ 100 %) or not met.

The same holds for every indicator in force (docs/indicators.md): reported ones read a
federation's latest report dated in Y on or before `as_of` (None, "not reported", without
one), `rated_good_share` the union ratings of Y by sector group; a target is a number or a
rate per active union at the period's end; the score is weighted by the quotas' weights.

Admissions are read from members.AdmissionTally (admissions per credited federation and
day, kept by database triggers in the same transaction as every write), so the cost of
a figure grows with federations and days, never with the number of members.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from types import SimpleNamespace
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from branches.models import Employer, Federation, GrassrootsUnion, Sector, UnionStatus
from members.models import AdmissionTally, Member
from targets.models import (
    DEFAULT_MIN_EMPLOYEES,
    GOOD_GRADES,
    MEMBERSHIP,
    CoverageThreshold,
    FederationRating,
    Indicator,
    Metric,
    Quota,
    Report,
    UnionRating,
)

# The membership indicators, drawn month by month and in the quota history.
METRICS: tuple[str, ...] = MEMBERSHIP
# The sector groups of rated_good_share (domain notes): the state sector and the rest.
STATE = "state"
NON_STATE = "non_state"
STATE_SECTORS = (Sector.PUBLIC_SERVICE.value, Sector.STATE_ENTERPRISE.value)

EXCEEDED = "exceeded"
ON_PACE = "on_pace"
BEHIND = "behind"
# A finished year (as of 31 December) is judged on the quota alone.
MET = "met"
NOT_MET = "not_met"


class PeriodError(ValueError):
    """An `as_of` date outside its year, or a year out of range."""


@dataclass(frozen=True)
class Period:
    """Year Y counted from 1 January up to `as_of` (inclusive)."""

    year: int
    as_of: datetime.date

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def days_in_year(self) -> int:
        return 366 if calendar.isleap(self.year) else 365

    @property
    def days_elapsed(self) -> int:
        return (self.as_of - self.start).days + 1

    @property
    def finished(self) -> bool:
        """Whether the period is the whole year (as of 31 December)."""
        return self.as_of == datetime.date(self.year, 12, 31)

    @property
    def query(self) -> str:
        """The period as a link's query string (year=2020&as_of=2020-10-31): a drill-down keeps
        it, and no number in it is written the way the interface writes numbers (2.020)."""
        return urlencode({"year": str(self.year), "as_of": self.as_of.isoformat()})

    def previous(self) -> Period:
        """The same stretch of the year before (29 February becomes 28 February)."""
        year = self.year - 1
        day = min(self.as_of.day, calendar.monthrange(year, self.as_of.month)[1])
        return Period(year, datetime.date(year, self.as_of.month, day))


def today() -> datetime.date:
    return timezone.localdate()


def make_period(year: int, as_of: datetime.date | None = None) -> Period:
    """Year Y up to `as_of`; by default today in the current year, 31 December for a past one."""
    if not 2000 <= year <= 2100:
        raise PeriodError(f"year {year} is out of range")
    if as_of is None:
        now = today()
        if year < now.year:
            as_of = datetime.date(year, 12, 31)
        elif year == now.year:
            as_of = now
        else:
            as_of = datetime.date(year, 1, 1)
    if as_of.year != year:
        raise PeriodError(f"as-of date {as_of.isoformat()} is not in {year}")
    return Period(year, as_of)


def percent(actual: int | Fraction | None, target: int | None) -> Decimal | None:
    """100 × actual ÷ target with one decimal, rounded half up (1 of 400 is 0.3)."""
    if not target or actual is None:
        return None
    return tenths(Fraction(actual) * 100 / target)


def tenths(value: Fraction) -> Decimal:
    """A non-negative value with one decimal, rounded half up."""
    return Decimal((value.numerator * 10 * 2 + value.denominator) // (2 * value.denominator)) / 10


def score_percent(score: Fraction | None) -> Decimal | None:
    """A score (a mean ratio) as a percentage with one decimal, rounded half up."""
    if score is None:
        return None
    tenths = (score.numerator * 1000 * 2 + score.denominator) // (2 * score.denominator)
    return Decimal(tenths) / 10


@dataclass(frozen=True)
class MetricProgress:
    """One indicator of one federation (or of the city) for a period (keyed by its code).

    `actual` is None for a reported indicator with no report ("not reported", never 0) and a
    share no union was rated for; a share (rated_good_share) is a percentage as a Fraction,
    with its counts in `parts` (good, rated, and the same by sector group) so totals pool them.
    """

    actual: int | Fraction | None
    target: int | None
    expected: Fraction | None  # the exact pace (None without a quota)
    finished: bool = False  # the whole year: the status is met or not met (Period.finished)
    weight: Fraction = Fraction(1)
    parts: tuple[int, ...] | None = None
    accrues: bool = True  # a count grows through the year (a pace); a percentage does not
    lowered: bool = False  # the latest report is lower than the one before it in the year

    @property
    def ratio(self) -> Fraction | None:
        """actual ÷ target; a quota with nothing reported counts as nothing achieved."""
        if not self.target:
            return None
        return Fraction(self.actual or 0) / self.target

    @property
    def pct(self) -> Decimal | None:
        return percent(self.actual, self.target)

    @property
    def reported(self) -> bool:
        return self.actual is not None

    @property
    def grouped(self) -> bool:
        """Whether the figure has its sector groups (rated_good_share)."""
        return self.parts is not None and len(self.parts) == 6

    @property
    def shown(self) -> Decimal | int | None:
        """The actual as the pages print it: a whole number, or a share with one decimal."""
        if isinstance(self.actual, Fraction):
            return tenths(self.actual)
        return self.actual

    def share(self, group: str) -> Decimal | None:
        """rated_good_share in a sector group (state or non-state), one decimal."""
        if self.parts is None:
            return None
        good, rated = (self.parts[2], self.parts[3]) if group == STATE else (self.parts[4], self.parts[5])
        return tenths(Fraction(good * 100, rated)) if rated else None

    @property
    def pace(self) -> Decimal | None:
        """The pace as shown: one decimal, rounded half up (none for a percentage)."""
        return None if self.expected is None or not self.accrues else tenths(self.expected)

    @property
    def pace_pct(self) -> Decimal | None:
        """Where the pace stands, in percent of the target: 100 × days elapsed ÷ days in Y.

        From the exact pace: a pace first rounded to a tenth and then divided by a small
        target would move the chart's marker (7 × 11 / 365 = 0,2 → 2,9 % instead of 3,0 %).
        """
        if self.expected is None or not self.target:  # no quota
            return None
        return tenths(100 * self.expected / self.target)

    @property
    def status(self) -> str | None:
        """Exceeded, on pace or behind; behind is measured against the exact pace, so 3
        admitted against a pace of 3,01 is behind although the pace shows as 3,0. A finished
        year is met or not met: 505 of 410 at 31/12/2020 is met, 9 of 10 is not met."""
        if not self.target:
            return None
        actual = self.actual or 0
        if self.finished:
            return MET if actual >= self.target else NOT_MET
        if actual >= self.target:
            return EXCEEDED
        if self.expected is not None and actual >= self.expected:
            return ON_PACE
        return BEHIND

    @property
    def has_quota(self) -> bool:
        return bool(self.target)


def _metric(
    actual: int | Fraction | None, target: int | None, period: Period, *,
    weight: Fraction = Fraction(1), parts: tuple[int, ...] | None = None, accrues: bool = True,
) -> MetricProgress:
    """A figure against its quota; a share (`accrues` false) is due in full from day one."""
    if not target:
        expected = None
    elif accrues:
        expected = Fraction(target * period.days_elapsed, period.days_in_year)
    else:
        expected = Fraction(target)
    return MetricProgress(
        actual=actual, target=target, expected=expected, finished=period.finished, weight=weight,
        parts=parts, accrues=accrues,
    )


@dataclass
class FederationProgress:
    """A federation's row in the league: both metrics, score, rank and last year's rank."""

    federation: Federation
    metrics: dict[str, MetricProgress]
    previous: dict[str, MetricProgress] = field(default_factory=dict)
    rank: int | None = None
    previous_rank: int | None = None
    cluster_rank: int | None = None  # the rank among its emulation cluster's members (in_cluster)

    @property
    def code(self) -> str:
        return self.federation.code

    @property
    def name(self) -> str:
        return self.federation.name

    @property
    def new_members(self) -> MetricProgress:
        return self.metrics[Metric.NEW_MEMBERS]

    @property
    def new_unions(self) -> MetricProgress:
        return self.metrics[Metric.NEW_UNIONS]

    @cached_property  # the metrics are set once; ranking compares scores many times
    def score(self) -> Fraction | None:
        return _score(self.metrics)

    @property
    def score_pct(self) -> Decimal | None:
        return score_percent(self.score)

    @cached_property
    def previous_score(self) -> Fraction | None:
        return _score(self.previous)

    @cached_property
    def figures(self) -> SimpleNamespace:
        """The indicators' figures by code as attributes, for a table's sort path
        (`figures.party_referrals.ratio`)."""
        return SimpleNamespace(**self.metrics)

    def shown(self, indicators: Iterable[Indicator]) -> list[tuple[Indicator, MetricProgress]]:
        """The indicators with something to show: a quota, a report or a rating."""
        return [
            (ind, m) for ind in indicators
            if (m := self.metrics.get(ind.code)) is not None and (m.target or m.reported)
        ]

    @property
    def rank_change(self) -> int | None:
        """Places gained since the same period last year (positive = moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def _score(metrics: dict[str, MetricProgress]) -> Fraction | None:
    """The weighted mean of the unrounded ratios over the indicators with a quota (weight 1
    unless the quota sets one; a weight of 0 shows the indicator without scoring it)."""
    weighted = [(m.weight, ratio) for m in metrics.values() if (ratio := m.ratio) is not None and m.weight]
    total = sum((w for w, _ in weighted), Fraction(0))
    if not total:
        return None
    return sum((w * r for w, r in weighted), Fraction(0)) / total


def _competition_ranks(rows: list[FederationProgress], score_of) -> dict[int, int]:
    """Rank federation ids 1, 2, 2, 4 by score (highest first); unranked without a score.

    A federation's rank is the place of the first federation with its score: one more
    than the number of federations scoring higher.
    """
    scores = {row.federation.pk: score for row in rows if (score := score_of(row)) is not None}
    first_place: dict[Fraction, int] = {}
    for place, score in enumerate(sorted(scores.values(), reverse=True), start=1):
        first_place.setdefault(score, place)
    return {pk: first_place[score] for pk, score in scores.items()}


def _counts(
    federations: QuerySet[Federation], period: Period, previous: Period
) -> tuple[dict, dict]:
    """Actual counts per federation for the period and the same period last year (2 queries).

    Each query reads one range, from last year's 1 January to this year's as-of date (for
    admissions, an index-only scan of the tally), and splits it: on or after this year's
    1 January is this year's, on or before last year's as-of date is last year's; the days
    between the two are read and counted in neither.
    """
    ids = federations.values("pk")
    members = (
        AdmissionTally.objects.filter(federation__in=ids, day__gte=previous.start, day__lte=period.as_of)
        .values("federation")
        .annotate(
            now=Sum("admitted", filter=Q(day__gte=period.start)),
            before=Sum("admitted", filter=Q(day__lte=previous.as_of)),
        )
        .order_by()
    )
    unions = (
        GrassrootsUnion.objects.filter(
            founding_federation__in=ids, founded_on__gte=previous.start, founded_on__lte=period.as_of
        )
        .values("founding_federation")
        .annotate(
            now=Count("pk", filter=Q(founded_on__gte=period.start)),
            before=Count("pk", filter=Q(founded_on__lte=previous.as_of)),
        )
        .order_by()
    )
    now: dict = defaultdict(lambda: defaultdict(int))
    before: dict = defaultdict(lambda: defaultdict(int))
    for row in members:
        now[row["federation"]][Metric.NEW_MEMBERS] = row["now"] or 0
        before[row["federation"]][Metric.NEW_MEMBERS] = row["before"] or 0
    for row in unions:
        now[row["founding_federation"]][Metric.NEW_UNIONS] = row["now"]
        before[row["founding_federation"]][Metric.NEW_UNIONS] = row["before"]
    return now, before


def indicators_in_force() -> list[Indicator]:
    """The active indicators in their order on the pages (one query)."""
    return list(Indicator.objects.filter(active=True).order_by("order", "code"))


def _active_on(day: datetime.date) -> Q:
    """GrassrootsUnion.objects.active_on as a condition, to count two dates in one query."""
    return Q(founded_on__lte=day) & (Q(status=UnionStatus.ACTIVE) | Q(status_on__gt=day))


def _union_base(ids, period: Period, previous: Period) -> dict[int, tuple[int, int]]:
    """Active grassroots unions per federation at the period's end and at last year's (1 query):
    the base of a rate target ("one referral per union")."""
    rows = (
        GrassrootsUnion.objects.filter(federation__in=ids)
        .values("federation")
        .annotate(now=Count("pk", filter=_active_on(period.as_of)),
                  before=Count("pk", filter=_active_on(previous.as_of)))
        .order_by()
    )
    return {row["federation"]: (row["now"], row["before"]) for row in rows}


def _reports(ids, period: Period, previous: Period) -> tuple[dict, dict]:
    """Each federation's latest report of each indicator dated in Y on or before as_of, and
    the same for last year's period (1 query; reports are few, the latest wins as read)."""
    now: dict = defaultdict(dict)
    before: dict = defaultdict(dict)
    rows = (
        Report.objects.filter(federation__in=ids, as_of__gte=previous.start, as_of__lte=period.as_of)
        .exclude(as_of__gt=previous.as_of, as_of__lt=period.start)
        .order_by("as_of")
        .values_list("federation_id", "indicator__code", "as_of", "value")
    )
    for fed_id, code, as_of, value in rows:
        figures = (now if as_of >= period.start else before)[fed_id]
        earlier = figures.get(code)
        # (value, lower than the previous report of the year): a correction city staff see
        figures[code] = (value, earlier is not None and value < earlier[0])
    return now, before


def _ratings(ids, period: Period, previous: Period) -> dict[tuple[int, int], tuple[int, ...]]:
    """Per (federation, year) of Y and Y - 1: unions rated good or excellent and unions rated,
    in all and by sector group (good, rated, state good, state rated, non-state good,
    non-state rated); one query."""
    parts: dict = defaultdict(lambda: [0] * 6)
    rows = (
        UnionRating.objects.filter(union__federation__in=ids, year__in=(period.year, previous.year))
        .values("union__federation", "year", "union__sector")
        .annotate(rated=Count("pk"), good=Count("pk", filter=Q(grade__in=GOOD_GRADES)))
        .order_by()
    )
    for row in rows:
        counts = parts[(row["union__federation"], row["year"])]
        group = 2 if row["union__sector"] in STATE_SECTORS else 4
        counts[0] += row["good"]
        counts[1] += row["rated"]
        counts[group] += row["good"]
        counts[group + 1] += row["rated"]
    return {key: tuple(value) for key, value in parts.items()}


# The counted indicators that are a share of two counts (parts[0] ÷ parts[1], in percent).
SHARES = (Metric.RATED_GOOD_SHARE, Metric.COVERAGE, Metric.DENSITY)


def _min_employees(year: int):
    """The coverage threshold of a year as an expression (the year's setting, or 25)."""
    return Coalesce(
        Subquery(CoverageThreshold.objects.filter(year=year).values("min_employees")[:1]),
        Value(DEFAULT_MIN_EMPLOYEES),
    )


def _coverage(ids, period: Period, previous: Period) -> dict[str, dict]:
    """Coverage and density per (federation, year) of Y and Y - 1 at each period's as_of
    (2 queries, for every federation at once; docs/indicators.md):

    - coverage: (employers of F with at least N employees, N the year's threshold, whose
      union is active on D; all such employers);
    - density: (members active on D of the active unions of F's employers; the employees
      of those employers).
    """
    def union_active(day: datetime.date, prefix: str = "union__") -> Q:
        return Q(**{f"{prefix}founded_on__lte": day}) & (
            Q(**{f"{prefix}status": UnionStatus.ACTIVE}) | Q(**{f"{prefix}status_on__gt": day})
        )

    def member_active(day: datetime.date) -> Q:
        return Q(admitted_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))

    at = {"now": period, "before": previous}
    aggregates: dict[str, Count | Sum] = {}
    for key, when in at.items():
        big = Q(employees__gte=_min_employees(when.year))
        aggregates[f"eligible_{key}"] = Count("pk", filter=big)
        aggregates[f"covered_{key}"] = Count("pk", filter=big & union_active(when.as_of))
        aggregates[f"workforce_{key}"] = Sum("employees", filter=union_active(when.as_of))
    employers = (
        Employer.objects.filter(federation__in=ids).values("federation").annotate(**aggregates).order_by()
    )
    members = (
        Member.objects.filter(union__employer__federation__in=ids, admitted_on__lte=period.as_of)
        .values("union__employer__federation")
        .annotate(**{
            key: Count("pk", filter=member_active(when.as_of) & union_active(when.as_of))
            for key, when in at.items()
        })
        .order_by()
    )
    counted = {row["union__employer__federation"]: row for row in members}
    coverage: dict = {}
    density: dict = {}
    for row in employers:
        fed_id = row["federation"]
        for key, when in at.items():
            coverage[(fed_id, when.year)] = (row[f"covered_{key}"], row[f"eligible_{key}"])
            density[(fed_id, when.year)] = (
                counted.get(fed_id, {}).get(key, 0), row[f"workforce_{key}"] or 0
            )
    return {Metric.COVERAGE: coverage, Metric.DENSITY: density}


def _rate_target(rate: Decimal, unions: int) -> int | None:
    """rate × active unions, rounded half up to a whole number; no target without unions."""
    target = int(Fraction(rate) * unions + Fraction(1, 2))
    return target or None


def _figure(
    indicator: Indicator, fed_id: int, at: Period, quota: tuple | None, counted: dict,
    reported: dict, shares: dict, base: int,
) -> MetricProgress:
    code = indicator.code
    parts = None
    lowered = False
    actual: int | Fraction | None
    if code in SHARES:
        # A share: its counts (part, whole, ...) by (federation, year), pooled in the totals.
        parts = shares.get(code, {}).get((fed_id, at.year))
        actual = Fraction(parts[0] * 100, parts[1]) if parts and parts[1] else None
    elif indicator.is_counted:
        actual = counted[fed_id][code]
    else:
        actual, lowered = reported[fed_id].get(code, (None, False))
    target, weight = None, Fraction(1)
    if quota is not None:
        fixed, rate, quota_weight = quota
        target = fixed if fixed is not None else _rate_target(rate, base)
        weight = Fraction(quota_weight)
    figure = _metric(actual, target, at, weight=weight, parts=parts, accrues=not indicator.is_percent)
    return replace(figure, lowered=True) if lowered else figure


def league(
    federations: QuerySet[Federation], period: Period, indicators: list[Indicator] | None = None
) -> list[FederationProgress]:
    """Every federation of the (already scoped) queryset with the figures of every indicator
    in force, ranked.

    A fixed number of queries whatever the size and however many indicators are in force:
    the indicators (unless given), federations, quotas (this year and last), member
    admissions and union foundings (grouped by credited federation), reports, union ratings,
    only when coverage or density is in force the employers and their unions' members, and,
    only when a quota is a rate per union, the active unions of each federation.
    Rows come ordered by rank, then federation code; unranked federations (no quota in
    the year) come last, by code.
    """
    if indicators is None:
        indicators = indicators_in_force()
    previous = period.previous()
    # The city's grade of each federation, read with the federations (no query of its own).
    graded = FederationRating.objects.filter(federation=OuterRef("pk")).values("grade")
    feds = list(federations.order_by("code").annotate(
        grade_now=Subquery(graded.filter(year=period.year)[:1]),
        grade_before=Subquery(graded.filter(year=previous.year)[:1]),
    ))
    ids = federations.values("pk")
    quotas: dict = defaultdict(dict)
    rates = False
    for fed_id, year, code, target, rate, weight in Quota.objects.filter(
        federation__in=ids, year__in=(period.year, previous.year)
    ).values_list("federation_id", "year", "metric", "target", "rate", "weight"):
        quotas[(fed_id, year)][code] = (target, rate, weight)
        rates = rates or rate is not None
    now, before = _counts(federations, period, previous)
    reported_now, reported_before = _reports(ids, period, previous)
    shares: dict[str, dict] = {Metric.RATED_GOOD_SHARE: _ratings(ids, period, previous)}
    if any(ind.code in (Metric.COVERAGE, Metric.DENSITY) for ind in indicators):
        shares.update(_coverage(ids, period, previous))
    base = _union_base(ids, period, previous) if rates else {}

    rows = []
    for fed in feds:
        current_quotas = quotas.get((fed.pk, period.year), {})
        previous_quotas = quotas.get((fed.pk, previous.year), {})
        base_now, base_before = base.get(fed.pk, (0, 0))
        rows.append(
            FederationProgress(
                federation=fed,
                metrics={
                    ind.code: _figure(ind, fed.pk, period, current_quotas.get(ind.code), now,
                                      reported_now, shares, base_now)
                    for ind in indicators
                },
                previous={
                    ind.code: _figure(ind, fed.pk, previous, previous_quotas.get(ind.code), before,
                                      reported_before, shares, base_before)
                    for ind in indicators
                },
            )
        )
    ranks = _competition_ranks(rows, lambda row: row.score)
    previous_ranks = _competition_ranks(rows, lambda row: row.previous_score)
    for row in rows:
        row.rank = ranks.get(row.federation.pk)
        row.previous_rank = previous_ranks.get(row.federation.pk)
    ranked = sorted((row for row in rows if row.rank is not None), key=lambda row: (row.rank, row.code))
    return ranked + [row for row in rows if row.rank is None]  # in code order, as read


@dataclass(frozen=True)
class Totals:
    """City totals: the sum of actuals over the sum of targets, now and a year before; and
    how many federations the city rated, and rated good or excellent, in each year."""

    metrics: dict[str, MetricProgress]
    previous: dict[str, MetricProgress]
    federations: int
    ranked: int
    federations_rated: tuple[int, int] = (0, 0)  # (good or excellent, rated) in Y
    previous_federations_rated: tuple[int, int] = (0, 0)


def _summed(items: list[MetricProgress], at: Period) -> MetricProgress:
    """The city's figure of one indicator: counts add up (targets only over federations with
    a quota; reported figures over those that reported, "not reported" when none did); a
    share pools its counts; a percentage of another kind has no city figure."""
    if not all(m.accrues for m in items):
        shares = [m.parts for m in items if m.parts is not None]
        if not shares:
            return _metric(None, None, at, accrues=False)
        pooled = tuple(map(sum, zip(*shares, strict=True)))
        actual = Fraction(pooled[0] * 100, pooled[1]) if pooled[1] else None
        return _metric(actual, None, at, parts=pooled, accrues=False)
    reported = [m.actual for m in items if m.actual is not None]
    target = sum(m.target for m in items if m.target) or None
    return _metric(sum(reported) if reported or not items else None, target, at)


def totals(rows: Iterable[FederationProgress], period: Period) -> Totals:
    """Sum a league's rows (no query). Targets add up only over federations with a quota."""
    rows = list(rows)
    previous = period.previous()
    codes = list(rows[0].metrics) if rows else list(METRICS)
    return Totals(
        metrics={c: _summed([row.metrics[c] for row in rows], period) for c in codes},
        previous={c: _summed([row.previous[c] for row in rows], previous) for c in codes},
        federations=len(rows),
        ranked=sum(1 for row in rows if row.rank is not None),
        federations_rated=_graded(getattr(row.federation, "grade_now", None) for row in rows),
        previous_federations_rated=_graded(getattr(row.federation, "grade_before", None) for row in rows),
    )


def _graded(grades: Iterable[str | None]) -> tuple[int, int]:
    """(rated good or excellent, rated) among the federations' grades."""
    rated = [grade for grade in grades if grade is not None]
    return sum(1 for grade in rated if grade in GOOD_GRADES), len(rated)


def furthest_behind(rows: Iterable[FederationProgress], limit: int = 5) -> list[FederationProgress]:
    """The ranked federations with the lowest scores (ties by code)."""
    ranked = [row for row in rows if row.score is not None]
    return sorted(ranked, key=lambda row: (row.score, row.federation.code))[:limit]


@dataclass(frozen=True)
class MonthPoint:
    month: int
    actual: int
    cumulative: int
    previous_cumulative: int
    pace: Decimal | None


def monthly(federation: Federation, period: Period) -> dict[str, list[MonthPoint]]:
    """Cumulative month-by-month actuals for Y (up to as_of) and Y-1, with the pace line.

    Three queries: the year's quotas, admissions and foundings grouped by year and month.
    Last year's line runs to the same day of the year as this year's.
    """
    previous = period.previous()
    targets: dict = dict(
        Quota.objects.filter(federation=federation, year=period.year).values_list("metric_id", "target")
    )
    per_month: dict = {m: defaultdict(int) for m in METRICS}
    members = (
        AdmissionTally.objects.filter(federation=federation, day__gte=previous.start, day__lte=period.as_of)
        .exclude(day__gt=previous.as_of, day__lt=period.start)
        .annotate(y=ExtractYear("day"), m=ExtractMonth("day"))
        .values("y", "m")
        .annotate(n=Sum("admitted"))
        .order_by()
    )
    unions = (
        GrassrootsUnion.objects.filter(
            founding_federation=federation,
            founded_on__gte=previous.start,
            founded_on__lte=period.as_of,
        )
        .exclude(founded_on__gt=previous.as_of, founded_on__lt=period.start)
        .annotate(y=ExtractYear("founded_on"), m=ExtractMonth("founded_on"))
        .values("y", "m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for counted, rows in ((Metric.NEW_MEMBERS, members), (Metric.NEW_UNIONS, unions)):
        for row in rows:
            per_month[counted][(row["y"], row["m"])] = row["n"]

    series: dict[str, list[MonthPoint]] = {}
    last_month = period.as_of.month
    for metric in METRICS:
        cumulative = previous_cumulative = 0
        points = []
        target = targets.get(metric)
        for month in range(1, last_month + 1):
            actual = per_month[metric][(period.year, month)]
            cumulative += actual
            previous_cumulative += per_month[metric][(previous.year, month)]
            month_end = min(
                datetime.date(period.year, month, calendar.monthrange(period.year, month)[1]),
                period.as_of,
            )
            pace = None
            if target:
                elapsed = (month_end - period.start).days + 1
                pace = tenths(Fraction(target * elapsed, period.days_in_year))
            points.append(MonthPoint(month, actual, cumulative, previous_cumulative, pace))
        series[metric] = points
    return series


def unions_by_sector(federation: Federation, on: datetime.date) -> list[dict]:
    """Active grassroots unions of the federation on a date and their active members, by sector.

    A union is active on the day when founded by then and not suspended or dissolved on or
    before it; a member is active when admitted by then and not left on or before it (one
    query). Members are counted from the index on (union, admitted_on, left_on, status)
    alone, never read row by row: the count names only columns of that index.
    """
    active_member = Q(members__admitted_on__lte=on) & (
        Q(members__left_on__isnull=True) | Q(members__left_on__gt=on)
    )
    return list(
        GrassrootsUnion.objects.filter(federation=federation)
        .active_on(on)
        .values("sector")
        .annotate(
            unions=Count("pk", distinct=True),
            members=Count("members__admitted_on", filter=active_member),  # type: ignore[no-redef]  # a count, named as the page shows it
        )
        .order_by("-unions", "sector")
    )


@dataclass(frozen=True)
class YearRow:
    year: int
    metrics: dict[str, MetricProgress]


def quota_history(federation: Federation) -> list[YearRow]:
    """Every year the federation had a quota: target, actual (whole year, or to date), %.

    Three queries: quotas, admissions by year, foundings by year.
    """
    targets: dict = defaultdict(dict)
    for year, metric, target in Quota.objects.filter(
        federation=federation, metric__in=METRICS, target__isnull=False
    ).values_list("year", "metric", "target"):
        targets[year][metric] = target
    if not targets:
        return []
    years = sorted(targets, reverse=True)
    now = today()
    first, last = datetime.date(min(years), 1, 1), min(datetime.date(max(years), 12, 31), now)
    actual: dict = defaultdict(lambda: defaultdict(int))
    for row in (
        AdmissionTally.objects.filter(federation=federation, day__gte=first, day__lte=last)
        .annotate(y=ExtractYear("day"))
        .values("y")
        .annotate(n=Sum("admitted"))
        .order_by()
    ):
        actual[row["y"]][Metric.NEW_MEMBERS] = row["n"]
    for row in (
        GrassrootsUnion.objects.filter(
            founding_federation=federation, founded_on__gte=first, founded_on__lte=last
        )
        .annotate(y=ExtractYear("founded_on"))
        .values("y")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        actual[row["y"]][Metric.NEW_UNIONS] = row["n"]
    rows = []
    for year in years:
        period = make_period(year)  # 31 December of a past year, today, or 1 January of a future one
        rows.append(
            YearRow(
                year=year,
                metrics={
                    m: _metric(actual[year][m], targets[year].get(m), period) for m in METRICS
                },
            )
        )
    return rows


@dataclass(frozen=True)
class Standing:
    """A federation's place in its league: rank now and a year before, score, how many ranked."""

    rank: int | None
    previous_rank: int | None
    score: Fraction | None
    ranked: int

    @property
    def score_pct(self) -> Decimal | None:
        return score_percent(self.score)


def federation_standing(
    federations: QuerySet[Federation], federation: Federation, period: Period
) -> Standing:
    """The federation's rank in the league of `federations` (already scoped), now and for
    the same period last year."""
    return league_standings(federations, period, only=federation).get(
        federation.pk, Standing(None, None, None, 0)
    )


def league_standings(
    federations: QuerySet[Federation], period: Period, only: Federation | None = None
) -> dict[int, Standing]:
    """Every federation's standing in the league of `federations` (or `only` the one's), by
    federation id: the ranks of `league()` over every indicator in force, so one rule
    scores and ranks everywhere, in the same fixed number of queries."""
    if federations.query.is_empty():
        return {}
    rows = league(federations, period)
    ranked = sum(1 for row in rows if row.rank is not None)
    return {
        row.federation.pk: Standing(row.rank, row.previous_rank, row.score, ranked)
        for row in rows
        if only is None or row.federation.pk == only.pk
    }


def federation_progress(
    federation: Federation, period: Period, indicators: list[Indicator] | None = None
) -> FederationProgress:
    """One federation's figures for a period (its own league of one)."""
    return league(Federation.objects.filter(pk=federation.pk), period, indicators)[0]


def in_force(rows: Iterable[FederationProgress], indicators: Iterable[Indicator]) -> list[Indicator]:
    """The indicators a league reports on: the two membership ones, and every other with a
    quota or a figure for some federation of the league in the period (no query)."""
    rows = list(rows)
    return [
        ind for ind in indicators
        if ind.code in METRICS or any(row.metrics[ind.code].target or row.metrics[ind.code].reported
                                      for row in rows if ind.code in row.metrics)
    ]



def in_cluster(rows: Iterable[FederationProgress], member_ids: Iterable[int]) -> list[FederationProgress]:
    """The league's rows of a cluster's members, in league order, each with its rank inside
    the cluster: the competition rank among the members by the same score (no query). The
    city rank stays the rank among every federation of the league."""
    members = set(member_ids)
    rows = [row for row in rows if row.federation.pk in members]
    ranks = _competition_ranks(rows, lambda row: row.score)
    for row in rows:
        row.cluster_rank = ranks.get(row.federation.pk)
    return rows
