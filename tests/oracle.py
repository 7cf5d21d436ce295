"""An independent reckoning of the figures, from the definitions in domain.md alone.

Plain Python over plain lists: no ORM, no admission tally, no cache, and none of
targets.progress. Each definition is written the slow, obvious way (count the records one
by one, rank by counting who is ahead), so that a property test can hold the application's
figures against it. Where domain.md says:

- new_members: admissions whose day falls in Y and on or before as_of, credited to the
  federation of the grassroots union they were admitted into *on the admission day*;
  a later transfer, departure or move of the union changes nothing;
- new_unions: unions founded in Y on or before as_of, credited to the federation they
  were founded under, whatever their status or federation now;
- attainment % = 100 × actual ÷ target, one decimal, rounded half up;
- score = the mean of the unrounded ratios over the metrics with a quota in Y;
- rank = competition ranking (1, 2, 2, 4), ties listed by federation code;
- pace = target × days elapsed ÷ days in Y; "behind" = actual < pace;
- the same period last year runs from 1 January to the same day of the year before
  (29 February, which the year before lacks, becomes 28 February).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

NEW_MEMBERS, NEW_UNIONS = "new_members", "new_unions"
METRICS = (NEW_MEMBERS, NEW_UNIONS)
EXCEEDED, ON_PACE, BEHIND = "exceeded", "on_pace", "behind"
MET, NOT_MET = "met", "not_met"
ACTIVE = "active"
ONE_DAY = datetime.timedelta(days=1)


# --- the city, as plain records ------------------------------------------------------------


@dataclass(frozen=True)
class Union:
    code: str
    founded_by: str  # the federation it was founded under
    founded_on: datetime.date
    sector: str = "non_state"
    status: str = ACTIVE  # active, suspended or dissolved, since status_on
    status_on: datetime.date | None = None
    moved_to: str | None = None  # the federation it belongs to from `moved_on` on
    moved_on: datetime.date | None = None

    def federation_on(self, day: datetime.date) -> str:
        if self.moved_to is not None and self.moved_on is not None and day >= self.moved_on:
            return self.moved_to
        return self.founded_by

    @property
    def federation_now(self) -> str:
        return self.moved_to or self.founded_by


@dataclass(frozen=True)
class Member:
    card_no: str
    admitted_into: str  # union code at admission
    admitted_on: datetime.date
    left_on: datetime.date | None = None
    transferred_to: str | None = None  # union code after a transfer (never an admission)
    transferred_on: datetime.date | None = None

    @property
    def union_now(self) -> str:
        return self.transferred_to or self.admitted_into


@dataclass
class City:
    federations: list[str]
    unions: list[Union] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    quotas: dict[tuple[str, int, str], int] = field(default_factory=dict)  # (federation, year, metric)

    def union(self, code: str) -> Union:
        return next(union for union in self.unions if union.code == code)


# --- days ------------------------------------------------------------------------------------


def days_in_year(year: int) -> int:
    return (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days


def days_elapsed(as_of: datetime.date) -> int:
    """1 January counts as one day elapsed; as_of itself is included."""
    return (as_of - datetime.date(as_of.year, 1, 1)).days + 1


def same_day_last_year(as_of: datetime.date) -> datetime.date:
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        return datetime.date(as_of.year - 1, 2, 28)


def in_period(day: datetime.date, as_of: datetime.date) -> bool:
    return day.year == as_of.year and day <= as_of


# --- rounding --------------------------------------------------------------------------------


def half_up(value: Fraction, decimals: int = 1) -> Decimal:
    """`value` with `decimals` decimals, a half rounded away from zero (values here are >= 0)."""
    scale = 10**decimals
    scaled = value * scale
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / scale


def as_percent(ratio: Fraction | None) -> Decimal | None:
    return None if ratio is None else half_up(100 * ratio)


# --- the figures -----------------------------------------------------------------------------


def new_members(city: City, federation: str, as_of: datetime.date) -> int:
    count = 0
    for member in city.members:
        union = city.union(member.admitted_into)
        if in_period(member.admitted_on, as_of) and union.federation_on(member.admitted_on) == federation:
            count += 1
    return count


def new_unions(city: City, federation: str, as_of: datetime.date) -> int:
    return sum(
        1 for union in city.unions if union.founded_by == federation and in_period(union.founded_on, as_of)
    )


ACTUALS = {NEW_MEMBERS: new_members, NEW_UNIONS: new_unions}


@dataclass
class Figure:
    actual: int
    target: int | None
    as_of: datetime.date

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.actual, self.target) if self.target else None

    @property
    def pct(self) -> Decimal | None:
        return as_percent(self.ratio)

    @property
    def pace_exact(self) -> Fraction | None:
        if not self.target:
            return None
        return Fraction(self.target * days_elapsed(self.as_of), days_in_year(self.as_of.year))

    @property
    def pace(self) -> Decimal | None:
        return None if self.pace_exact is None else half_up(self.pace_exact)

    @property
    def pace_pct(self) -> Decimal | None:
        return None if self.pace_exact is None else half_up(100 * self.pace_exact / self.target)

    @property
    def status(self) -> str | None:
        if not self.target:
            return None
        if (self.as_of.month, self.as_of.day) == (12, 31):  # the year is over: no pace to keep
            return MET if self.actual >= self.target else NOT_MET
        if self.actual >= self.target:
            return EXCEEDED
        return BEHIND if self.actual < self.pace_exact else ON_PACE


def figure(city: City, federation: str, metric: str, as_of: datetime.date) -> Figure:
    return Figure(
        actual=ACTUALS[metric](city, federation, as_of),
        target=city.quotas.get((federation, as_of.year, metric)),
        as_of=as_of,
    )


def score(figures: dict[str, Figure]) -> Fraction | None:
    ratios = [f.ratio for f in figures.values() if f.target]
    if not ratios:
        return None
    return sum(ratios, Fraction(0)) / len(ratios)


def competition_ranks(scores: dict[str, Fraction | None]) -> dict[str, int | None]:
    """1 + the number of federations with a strictly higher score; None without a score."""
    scored = [value for value in scores.values() if value is not None]
    return {
        code: None if mine is None else 1 + sum(1 for other in scored if other > mine)
        for code, mine in scores.items()
    }


@dataclass
class Row:
    code: str
    metrics: dict[str, Figure]
    previous: dict[str, Figure]
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def score(self) -> Fraction | None:
        return score(self.metrics)

    @property
    def score_pct(self) -> Decimal | None:
        return as_percent(self.score)

    @property
    def previous_score(self) -> Fraction | None:
        return score(self.previous)

    @property
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def league(city: City, as_of: datetime.date) -> list[Row]:
    before = same_day_last_year(as_of)
    rows = [
        Row(
            code=code,
            metrics={metric: figure(city, code, metric, as_of) for metric in METRICS},
            previous={metric: figure(city, code, metric, before) for metric in METRICS},
        )
        for code in city.federations
    ]
    ranks = competition_ranks({row.code: row.score for row in rows})
    previous_ranks = competition_ranks({row.code: row.previous_score for row in rows})
    for row in rows:
        row.rank, row.previous_rank = ranks[row.code], previous_ranks[row.code]
    ranked = sorted((row for row in rows if row.rank is not None), key=lambda row: (row.rank, row.code))
    unranked = sorted((row for row in rows if row.rank is None), key=lambda row: row.code)
    return ranked + unranked


def city_total(city: City, metric: str, as_of: datetime.date) -> Figure:
    """Every admission or founding in the period counted once; the quotas of the year added up."""
    actual = sum(ACTUALS[metric](city, code, as_of) for code in city.federations)
    targets = [city.quotas[(code, as_of.year, metric)] for code in city.federations
               if (code, as_of.year, metric) in city.quotas]
    return Figure(actual=actual, target=sum(targets) or None, as_of=as_of)


def furthest_behind(rows: list[Row], limit: int = 5) -> list[str]:
    ranked = [row for row in rows if row.score is not None]
    return [row.code for row in sorted(ranked, key=lambda row: (row.score, row.code))][:limit]


@dataclass(frozen=True)
class Month:
    month: int
    actual: int
    cumulative: int
    previous_cumulative: int
    pace: Decimal | None


def month_end(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, 28)
    while (day + ONE_DAY).month == month:
        day += ONE_DAY
    return day


def monthly(city: City, federation: str, metric: str, as_of: datetime.date) -> list[Month]:
    """Month by month to as_of: this year's figure at each month's end (or at as_of), last
    year's at the same month's end of the year before (at most to the same day of the year
    as as_of), and the pace at that day."""
    target = city.quotas.get((federation, as_of.year, metric))
    last_year_cut = same_day_last_year(as_of)
    points = []
    for month in range(1, as_of.month + 1):
        cut = min(month_end(as_of.year, month), as_of)
        cumulative = ACTUALS[metric](city, federation, cut)
        before = ACTUALS[metric](city, federation, min(month_end(as_of.year - 1, month), last_year_cut))
        start = ACTUALS[metric](city, federation, month_end(as_of.year, month - 1)) if month > 1 else 0
        points.append(Month(month, cumulative - start, cumulative, before, Figure(0, target, cut).pace))
    return points


def quota_history(city: City, federation: str, today: datetime.date) -> list[tuple[int, dict[str, Figure]]]:
    """Every year with a quota, newest first: the whole year (to today for the current year)."""
    years = sorted({year for (code, year, _metric) in city.quotas if code == federation}, reverse=True)
    out = []
    for year in years:
        as_of = datetime.date(year, 12, 31) if year < today.year else (today if year == today.year
                                                                        else datetime.date(year, 1, 1))
        out.append((year, {metric: figure(city, federation, metric, as_of) for metric in METRICS}))
    return out


def unions_by_sector(city: City, federation: str, on: datetime.date) -> list[dict]:
    """Active unions of the federation (as it is now) on a day, by sector, and their active members."""

    def active(union: Union) -> bool:
        return union.founded_on <= on and (union.status == ACTIVE or union.status_on > on)

    unions = [u for u in city.unions if u.federation_now == federation and active(u)]
    out = []
    for sector in sorted({u.sector for u in unions}):
        codes = {u.code for u in unions if u.sector == sector}
        members = sum(
            1 for m in city.members
            if m.union_now in codes and m.admitted_on <= on and (m.left_on is None or m.left_on > on)
        )
        out.append({"sector": sector, "unions": len(codes), "members": members})
    return sorted(out, key=lambda row: (-row["unions"], row["sector"]))


def export_rows(rows: list[Row]) -> list[list[str]]:
    """The rankings CSV's data rows, as text (domain.md, "A rankings export")."""

    def text(value) -> str:
        if value is None:
            return ""
        return f"{value:.1f}" if isinstance(value, Decimal) else str(value)

    return [
        [text(row.rank), row.code, None,
         text(row.metrics[NEW_MEMBERS].actual), text(row.metrics[NEW_MEMBERS].target),
         text(row.metrics[NEW_MEMBERS].pct),
         text(row.metrics[NEW_UNIONS].actual), text(row.metrics[NEW_UNIONS].target),
         text(row.metrics[NEW_UNIONS].pct),
         text(row.score_pct)]
        for row in rows
    ]
