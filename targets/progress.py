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

Admissions are read from members.AdmissionTally (admissions per credited federation and
day, kept by database triggers in the same transaction as every write), so the cost of
a figure grows with federations and days, never with the number of members.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from urllib.parse import urlencode

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from branches.models import Federation, GrassrootsUnion
from members.models import AdmissionTally
from targets.models import Metric, Quota

METRICS: tuple[str, ...] = (Metric.NEW_MEMBERS, Metric.NEW_UNIONS)

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


def percent(actual: int, target: int | None) -> Decimal | None:
    """100 × actual ÷ target with one decimal, rounded half up (1 of 400 is 0.3)."""
    if not target:
        return None
    tenths = (actual * 1000 * 2 + target) // (2 * target)
    return Decimal(tenths) / 10


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
    """One metric of one federation (or of the city) for a period (keyed by the metric)."""

    actual: int
    target: int | None
    expected: Fraction | None  # the exact pace (None without a quota)
    finished: bool = False  # the whole year: the status is met or not met (Period.finished)

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.actual, self.target) if self.target else None

    @property
    def pct(self) -> Decimal | None:
        return percent(self.actual, self.target)

    @property
    def pace(self) -> Decimal | None:
        """The pace as shown: one decimal, rounded half up."""
        return None if self.expected is None else tenths(self.expected)

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
        if self.finished:
            return MET if self.actual >= self.target else NOT_MET
        if self.actual >= self.target:
            return EXCEEDED
        if self.expected is not None and self.actual >= self.expected:
            return ON_PACE
        return BEHIND

    @property
    def has_quota(self) -> bool:
        return bool(self.target)


def _metric(actual: int, target: int | None, period: Period) -> MetricProgress:
    expected = Fraction(target * period.days_elapsed, period.days_in_year) if target else None
    return MetricProgress(actual=actual, target=target, expected=expected, finished=period.finished)


@dataclass
class FederationProgress:
    """A federation's row in the league: both metrics, score, rank and last year's rank."""

    federation: Federation
    metrics: dict[str, MetricProgress]
    previous: dict[str, MetricProgress] = field(default_factory=dict)
    rank: int | None = None
    previous_rank: int | None = None

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

    @property
    def rank_change(self) -> int | None:
        """Places gained since the same period last year (positive = moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def _score(metrics: dict[str, MetricProgress]) -> Fraction | None:
    ratios = [m.ratio for m in metrics.values() if m.ratio is not None]
    if not ratios:
        return None
    return sum(ratios, Fraction(0)) / len(ratios)


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


def league(federations: QuerySet[Federation], period: Period) -> list[FederationProgress]:
    """Every federation of the (already scoped) queryset with its figures, ranked.

    Four queries whatever the size: federations, quotas (this year and last), member
    admissions and union foundings (both grouped by credited federation).
    Rows come ordered by rank, then federation code; unranked federations (no quota in
    the year) come last, by code.
    """
    previous = period.previous()
    feds = list(federations.order_by("code"))
    quotas: dict = defaultdict(dict)
    for fed_id, year, metric, target in Quota.objects.filter(
        federation__in=federations.values("pk"), year__in=(period.year, previous.year)
    ).values_list("federation_id", "year", "metric", "target"):
        quotas[(fed_id, year)][metric] = target
    now, before = _counts(federations, period, previous)

    rows = []
    for fed in feds:
        current_targets = quotas.get((fed.pk, period.year), {})
        previous_targets = quotas.get((fed.pk, previous.year), {})
        rows.append(
            FederationProgress(
                federation=fed,
                metrics={
                    m: _metric(now[fed.pk][m], current_targets.get(m), period) for m in METRICS
                },
                previous={
                    m: _metric(before[fed.pk][m], previous_targets.get(m), previous)
                    for m in METRICS
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
    """City totals: the sum of actuals over the sum of targets, now and a year before."""

    metrics: dict[str, MetricProgress]
    previous: dict[str, MetricProgress]
    federations: int
    ranked: int


def totals(rows: Iterable[FederationProgress], period: Period) -> Totals:
    """Sum a league's rows (no query). Targets add up only over federations with a quota."""
    rows = list(rows)
    previous = period.previous()

    def summed(attr: str, metric: str, at: Period) -> MetricProgress:
        items = [getattr(row, attr)[metric] for row in rows]
        target = sum(m.target for m in items if m.target) or None
        return _metric(sum(m.actual for m in items), target, at)

    return Totals(
        metrics={m: summed("metrics", m, period) for m in METRICS},
        previous={m: summed("previous", m, previous) for m in METRICS},
        federations=len(rows),
        ranked=sum(1 for row in rows if row.rank is not None),
    )


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
    targets = dict(
        Quota.objects.filter(federation=federation, year=period.year).values_list("metric", "target")
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
    for year, metric, target in Quota.objects.filter(federation=federation).values_list(
        "year", "metric", "target"
    ):
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


def _score_sql(actual_m: str, target_m: str, actual_u: str, target_u: str) -> tuple[str, str]:
    """The score as numerator and denominator: the mean of actual/target over the metrics
    with a quota is (m·tu + u·tm) / (2·tm·tu) with both, m/tm or u/tu with one, NULL with none."""
    num = (
        f"CASE WHEN {target_m} IS NOT NULL AND {target_u} IS NOT NULL "
        f"THEN {actual_m} * {target_u} + {actual_u} * {target_m} "
        f"WHEN {target_m} IS NOT NULL THEN {actual_m} WHEN {target_u} IS NOT NULL THEN {actual_u} END"
    )
    den = (
        f"CASE WHEN {target_m} IS NOT NULL AND {target_u} IS NOT NULL THEN 2 * {target_m} * {target_u} "
        f"WHEN {target_m} IS NOT NULL THEN {target_m} WHEN {target_u} IS NOT NULL THEN {target_u} END"
    )
    return num, den


def federation_standing(
    federations: QuerySet[Federation], federation: Federation, period: Period
) -> Standing:
    """The federation's rank in the league of `federations` (already scoped), now and for
    the same period last year: one statement, whatever the size of the league."""
    return league_standings(federations, period, only=federation).get(
        federation.pk, Standing(None, None, None, 0)
    )


def league_standings(
    federations: QuerySet[Federation], period: Period, only: Federation | None = None
) -> dict[int, Standing]:
    """Every federation's standing in the league of `federations` (or `only` the one's),
    by federation id: one statement, whatever the size of the league.

    The same ranks as `league()` (competition ranking on the score, ties sharing a rank),
    computed in SQL with RANK() OVER the scores instead of building every row in Python.
    A score is compared as one division of two integers, so equal scores (1/2 and 2/4)
    are equal: exactly on PostgreSQL (numeric, 30 decimals), and on SQLite as a double,
    which separates any two different scores whose denominators (2 × member quota ×
    union quota) multiply to less than about 10^15.
    """
    if federations.query.is_empty():
        return {}
    previous = period.previous()
    league_sql, league_params = federations.order_by().values("pk").query.sql_with_params()
    db = federations.db
    vendor = connections[db].vendor

    def ratio(num: str, den: str) -> str:
        if vendor == "postgresql":
            return f"CAST({num} AS numeric(60, 30)) / {den}"
        return f"CAST({num} AS REAL) / {den}"

    num_now, den_now = _score_sql("COALESCE(a.now, 0)", "q.m_now", "COALESCE(u.now, 0)", "q.u_now")
    num_before, den_before = _score_sql(
        "COALESCE(a.before, 0)", "q.m_before", "COALESCE(u.before, 0)", "q.u_before"
    )
    quota = "MAX(CASE WHEN year = %s AND metric = %s THEN target END)"
    sql = f"""
    WITH league (id) AS ({league_sql}),
    admitted AS (
        SELECT federation_id AS id,
               SUM(CASE WHEN day >= %s THEN admitted ELSE 0 END) AS now,
               SUM(CASE WHEN day <= %s THEN admitted ELSE 0 END) AS before
        FROM {AdmissionTally._meta.db_table}
        WHERE day >= %s AND day <= %s AND federation_id IN (SELECT id FROM league)
        GROUP BY federation_id
    ),
    founded AS (
        SELECT founding_federation_id AS id,
               SUM(CASE WHEN founded_on >= %s THEN 1 ELSE 0 END) AS now,
               SUM(CASE WHEN founded_on <= %s THEN 1 ELSE 0 END) AS before
        FROM {GrassrootsUnion._meta.db_table}
        WHERE founded_on >= %s AND founded_on <= %s
        GROUP BY founding_federation_id
    ),
    quotas AS (
        SELECT federation_id AS id, {quota} AS m_now, {quota} AS u_now,
               {quota} AS m_before, {quota} AS u_before
        FROM {Quota._meta.db_table} WHERE year IN (%s, %s) GROUP BY federation_id
    ),
    fractions AS (
        SELECT league.id AS id,
               {num_now} AS num_now, {den_now} AS den_now,
               {num_before} AS num_before, {den_before} AS den_before
        FROM league
        LEFT JOIN admitted a ON a.id = league.id
        LEFT JOIN founded u ON u.id = league.id
        LEFT JOIN quotas q ON q.id = league.id
    ),
    scores AS (
        SELECT id, num_now, den_now, {ratio("num_now", "den_now")} AS score_now,
               {ratio("num_before", "den_before")} AS score_before
        FROM fractions
    ),
    ranked AS (
        SELECT id, num_now, den_now,
               CASE WHEN score_now IS NOT NULL
                    THEN RANK() OVER (ORDER BY score_now DESC NULLS LAST) END AS rank_now,
               CASE WHEN score_before IS NOT NULL
                    THEN RANK() OVER (ORDER BY score_before DESC NULLS LAST) END AS rank_before,
               COUNT(score_now) OVER () AS ranked
        FROM scores
    )
    SELECT id, rank_now, rank_before, num_now, den_now, ranked FROM ranked
    {"WHERE id = %s" if only is not None else ""}
    """
    members, unions = Metric.NEW_MEMBERS.value, Metric.NEW_UNIONS.value
    params = [
        *league_params,
        period.start, previous.as_of, previous.start, period.as_of,
        period.start, previous.as_of, previous.start, period.as_of,
        period.year, members, period.year, unions, previous.year, members, previous.year, unions,
        period.year, previous.year,
        *([only.pk] if only is not None else []),
    ]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return {
        pk: Standing(rank, previous_rank, Fraction(int(num), int(den)) if den else None, ranked)
        for pk, rank, previous_rank, num, den, ranked in found
    }


def federation_progress(federation: Federation, period: Period) -> FederationProgress:
    """One federation's figures for a period (its own league of one; four queries)."""
    return league(Federation.objects.filter(pk=federation.pk), period)[0]

