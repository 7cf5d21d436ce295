"""How many unions and members each federation founds and admits, year by year.

The plan pins the figures of the seed reports (see `SEED_FIGURES`) and fills the
rest with plausible, varied numbers drawn from a fixed seed: the same plan on
every run for the same end date.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from . import places

FIRST_YEAR = 2015
QUOTA_YEARS = range(2020, 2027)
CITY_PERIOD = (2021, 2023)

# The figures of the seed reports the demo reproduces exactly (domain.md).
SEED_FIGURES = {
    "city_2021_2023": {"new_unions": 1572, "new_members": 170947},
    "thanh_xuan_2024": {"new_members": (4550, 6500), "new_unions": (22, 20)},
    "son_tay_2020_oct": {"new_members": (505, 410), "new_unions": (6, 6)},
    "ba_dinh_2020": {
        "new_members": (1857, 1400),
        "new_unions": (25, 25),
        "suspended": 7,
        "dissolved": 14,
    },
    "ba_dinh_end_2020": {
        "active_unions": 487,
        "active_members": 21574,
        "sectors": {"public_service": 100, "foreign_invested": 65, "non_state": 322},
    },
    "my_duc_2021_h1": {"new_unions": 1, "new_members": 26},
}
NEWWING = ("my-duc-newwing", "Công ty TNHH NewWing", "non_state", datetime.date(2021, 3, 15), 48)


@dataclass(frozen=True)
class Scale:
    name: str
    nation_federations: int = 0  # generated federations added to Hanoi's 45
    members: int | None = None  # aimed-at total of members (None: the demo's own)
    unions: int | None = None
    seeded: bool = True  # pin the seed reports' figures (a smaller city cannot hold them)


SCALES = {
    "small": Scale("small", members=70_000, unions=800, seeded=False),
    "demo": Scale("demo"),
    "city": Scale("city", members=700_000, unions=8_000),
    "nation": Scale("nation", nation_federations=655, members=11_000_000, unions=130_000),
}


@dataclass
class Segment:
    """A stretch of a year with an exact number of foundings and admissions."""

    start: datetime.date
    end: datetime.date
    unions: int
    members: int
    newcomers_only: bool = False  # every admission goes into the unions founded here
    named_union: tuple | None = None  # (code, name, sector, founded_on, employees)


@dataclass
class FederationPlan:
    code: str
    name: str
    kind: str
    size: float
    bias: float  # how far ahead of or behind its quotas this federation tends to be
    base_unions: int  # founded before FIRST_YEAR
    segments: dict[int, list[Segment]] = field(default_factory=dict)
    full_year: dict[int, tuple[int, int]] = field(default_factory=dict)  # (unions, members)
    quotas: dict[tuple[int, str], int] = field(default_factory=dict)
    pinned: set[int] = field(default_factory=set)  # years whose counts must not be scaled


def _year_segment(year: int, end: datetime.date, unions: int, members: int) -> list[Segment]:
    start, stop = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), end)
    if start > end:
        return []
    return [Segment(start, stop, unions, members)]


def _part_of_year(year: int, end: datetime.date) -> float:
    if end >= datetime.date(year, 12, 31):
        return 1.0
    return max(0, (end - datetime.date(year, 1, 1)).days + 1) / 365


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    """Split `total` in proportion to `weights` into integers that add up exactly."""
    raw = [w * total / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def federations(scale: Scale, rng: random.Random) -> list[tuple[str, str, str, float]]:
    rows = list(places.HANOI_FEDERATIONS)
    for n in range(1, scale.nation_federations + 1):
        kind = places.NATION_KINDS[n % len(places.NATION_KINDS)]
        place = places.PLACES[n % len(places.PLACES)]
        rows.append((f"vn-{n:04d}", f"{places.NATION_PREFIX[kind]} {place} {n}", kind, rng.uniform(0.3, 1.5)))
    return rows


def make_plan(scale: Scale, end: datetime.date, seed: int = 2020) -> list[FederationPlan]:
    rng = random.Random(seed)
    plans = []
    for code, name, kind, size in federations(scale, rng):
        bias = rng.choice([0.55, 0.7, 0.85, 0.95, 1.0, 1.05, 1.15, 1.3])
        base = round(50 * size * rng.uniform(0.7, 1.3))
        plan = FederationPlan(code, name, kind, size, bias, base)
        for year in range(FIRST_YEAR, end.year + 1):
            unions = round(8 * size * rng.uniform(0.5, 1.5))
            rate = 250 if year < 2020 else 800
            members = round(rate * size * rng.uniform(0.6, 1.4))
            plan.full_year[year] = (unions, members)
        plans.append(plan)
    if scale.seeded:
        _pin_city_period(plans, rng)
        _pin_seed_federations({p.code: p for p in plans}, end)
    _scale_free_years(plans, scale, end)
    for plan in plans:
        for year, (unions, members) in plan.full_year.items():
            if year not in plan.segments:
                part = _part_of_year(year, end)
                plan.segments[year] = _year_segment(year, end, round(unions * part), round(members * part))
        _set_quotas(plan, rng)
    return plans


def _pin_city_period(plans: list[FederationPlan], rng: random.Random) -> None:
    """Hanoi's 45 federations found 1.572 unions and admit 170.947 members in 2021-2023."""
    hanoi = [p for p in plans if not p.code.startswith("vn-")]
    cells = [(p, year) for p in hanoi for year in range(CITY_PERIOD[0], CITY_PERIOD[1] + 1)]
    weights = [p.size * rng.uniform(0.6, 1.4) for p, _ in cells]
    figures = SEED_FIGURES["city_2021_2023"]
    unions = _largest_remainder(weights, figures["new_unions"])
    members = _largest_remainder(weights, figures["new_members"])
    for (plan, year), u, m in zip(cells, unions, members, strict=True):
        plan.full_year[year] = (max(u, 2), max(m, 60))
        plan.pinned.add(year)
    # The floors above may have added a few: take them back from the largest cells.
    for index, metric_total in ((0, figures["new_unions"]), (1, figures["new_members"])):
        excess = sum(p.full_year[y][index] for p, y in cells) - metric_total
        biggest = max(cells, key=lambda c: c[0].full_year[c[1]][index])
        values = list(biggest[0].full_year[biggest[1]])
        values[index] -= excess
        biggest[0].full_year[biggest[1]] = tuple(values)


def _pin_seed_federations(by_code: dict[str, FederationPlan], end: datetime.date) -> None:
    d = datetime.date
    tx = by_code["thanh-xuan"]
    tx.full_year[2024] = (22, 4550)
    tx.pinned.add(2024)
    tx.quotas[(2024, "new_members")], tx.quotas[(2024, "new_unions")] = 6500, 20

    st = by_code["son-tay"]
    st.full_year[2020] = (7, 563)
    st.segments[2020] = [
        Segment(d(2020, 1, 1), d(2020, 10, 31), 6, 505),
        Segment(d(2020, 11, 1), d(2020, 12, 31), 1, 58),
    ]
    st.pinned.add(2020)
    st.quotas[(2020, "new_members")], st.quotas[(2020, "new_unions")] = 410, 6

    bd = by_code["ba-dinh"]
    bd.full_year[2020] = (25, 1857)
    bd.pinned.update(range(FIRST_YEAR, 2021))  # its whole history to the end of 2020 is fixed
    bd.quotas[(2020, "new_members")], bd.quotas[(2020, "new_unions")] = 1400, 25
    # Unions open at the end of 2020 = older ones + 2015-2020 foundings - the 21 closed in 2020.
    snapshot = SEED_FIGURES["ba_dinh_end_2020"]["active_unions"]
    closed = SEED_FIGURES["ba_dinh_2020"]["suspended"] + SEED_FIGURES["ba_dinh_2020"]["dissolved"]
    bd.base_unions = snapshot + closed - sum(bd.full_year[y][0] for y in range(FIRST_YEAR, 2021))

    md = by_code["my-duc"]
    unions, members = md.full_year[2021]
    md.segments[2021] = [
        Segment(d(2021, 1, 1), d(2021, 6, 30), 1, 26, newcomers_only=True, named_union=NEWWING),
        Segment(d(2021, 7, 1), d(2021, 12, 31), unions - 1, members - 26),
    ]


def _scale_free_years(plans: list[FederationPlan], scale: Scale, end: datetime.date) -> None:
    """Grow (or, for an unseeded scale, shrink) the unpinned years to the scale's size."""
    for index, wanted in ((0, scale.unions), (1, scale.members)):
        if wanted is None:
            continue
        fixed = sum(v[index] for p in plans for y, v in p.full_year.items() if y in p.pinned)
        free = sum(v[index] for p in plans for y, v in p.full_year.items() if y not in p.pinned)
        if index == 0 and not scale.seeded:
            free += sum(p.base_unions for p in plans)
        base = sum(p.base_unions for p in plans) if index == 0 and scale.seeded else 0
        factor = (wanted - fixed - base) / free
        factor = factor if not scale.seeded else max(1.0, factor)
        for plan in plans:
            if index == 0 and not scale.seeded:
                plan.base_unions = max(1, round(plan.base_unions * factor))
            for year, values in plan.full_year.items():
                if year not in plan.pinned:
                    grown = list(values)
                    grown[index] = round(values[index] * factor)
                    plan.full_year[year] = tuple(grown)


def _set_quotas(plan: FederationPlan, rng: random.Random) -> None:
    for year in QUOTA_YEARS:
        if year not in plan.full_year:
            continue
        unions, members = plan.full_year[year]
        attainment = min(1.6, max(0.35, plan.bias * rng.uniform(0.8, 1.2)))
        plan.quotas.setdefault((year, "new_members"), max(10, round(members / attainment, -1)))
        plan.quotas.setdefault((year, "new_unions"), max(1, round(unions / attainment)))
