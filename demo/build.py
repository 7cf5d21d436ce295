"""Turn the plan into rows: unions, members, transfers and quotas, federation by federation.

Rows are plain tuples in the column order of `COLUMNS`, with ids assigned here so
the writer can stream them into the database without a round trip per row.

The federation, union, member and transfer rows are bulk-written (COPY) and do not pass
through the models' rules one by one: they are valid by construction — foundings and
admissions are drawn between the plan's dates and the end date, births 18 to 45 years
before the admission, departures and changes of status after what they follow, a
leaving reason only with a departure, transfers only of active members into active
unions already founded, after the admission. Quotas, a few hundred, are written through
targets.services.quota_set and its checks (load_demo).
"""

from __future__ import annotations

import bisect
import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from members.models import LeftReason
from unionboard.text import fold, vi_sort_key

from . import places
from .plan import SEED_FIGURES, FederationPlan, Segment

D = datetime.date
BA_DINH_SNAPSHOT = D(2020, 12, 31)
# Reasons of the members who leave on their own, in turn (by member id: no draw from the
# generator, so adding them changed no other figure of the demo).
DEPARTURE_REASONS = (
    LeftReason.RETIRED, LeftReason.JOB_CHANGE, LeftReason.QUIT_JOB, LeftReason.RETIRED,
    LeftReason.VOLUNTARY, LeftReason.JOB_CHANGE, LeftReason.OTHER,
)

COLUMNS = {
    "federation": ("id", "code", "name", "kind", "closed_on", "name_sort", "name_search"),
    "union": (
        "id",
        "code",
        "name",
        "federation_id",
        "founding_federation_id",
        "sector",
        "founded_on",
        "status",
        "status_on",
        "employees",
        "name_sort",
        "name_search",
    ),
    "member": (
        "id",
        "card_no",
        "full_name",
        "gender",
        "birth_date",
        "union_id",
        "admitted_on",
        "admitted_federation_id",
        "status",
        "left_on",
        "left_reason",
        "name_search",
    ),
    "transfer": (
        "id",
        "member_id",
        "from_union_id",
        "to_union_id",
        "transferred_on",
        "recorded_by_id",
        "recorded_at",
    ),
    "quota": ("id", "federation_id", "year", "metric", "target"),
    "employer": (
        "id",
        "tax_code",
        "name",
        "ward",
        "sector",
        "federation_id",
        "employees",
        "counted_on",
        "union_id",
        "name_sort",
        "name_search",
    ),
}


@dataclass
class Union:
    id: int
    code: str
    name: str
    federation_id: int
    sector: str
    founded_on: datetime.date
    status: str = "active"
    status_on: datetime.date | None = None
    employees: int | None = None

    def active_on(self, day: datetime.date) -> bool:
        return self.founded_on <= day and (self.status == "active" or self.status_on > day)

    def row(self) -> tuple:
        return (
            self.id,
            self.code,
            self.name,
            self.federation_id,
            self.federation_id,
            self.sector,
            self.founded_on,
            self.status,
            self.status_on,
            self.employees,
            vi_sort_key(self.name),
            fold(self.name),
        )


@dataclass
class Member:
    id: int
    union: Union
    admitted_on: datetime.date
    gender: str
    federation_id: int  # credited with the admission; a transfer never moves it
    left_on: datetime.date | None = None


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class CityBuilder:
    """Generates the rows of one demo city; one instance per load."""

    def __init__(
        self, plans: list[FederationPlan], end: datetime.date, seed: int = 2020, seeded: bool = True
    ):
        self.plans = plans
        self.seeded = seeded  # reproduce the seed reports' Ba Đình
        self.end = end
        self.rng = random.Random(seed)
        self.next_union = 1
        self.next_member = 1
        self.next_transfer = 1
        self.transfer_targets: list[Union] = []  # active unions of federations already built
        self.names_used: set[str] = set()

    # -- federations and quotas -------------------------------------------------------
    def federation_rows(self) -> list[tuple]:
        return [
            (i, p.code, p.name, p.kind, None, vi_sort_key(p.name), fold(p.name))
            for i, p in enumerate(self.plans, start=1)
        ]

    def quota_rows(self) -> list[tuple]:
        rows = []
        for fed_id, plan in enumerate(self.plans, start=1):
            for (year, metric), target in sorted(plan.quotas.items()):
                rows.append((len(rows) + 1, fed_id, year, metric, int(target)))
        return rows

    # -- one federation ---------------------------------------------------------------
    def federation(self, fed_id: int, plan: FederationPlan) -> tuple[list, list, list]:
        """The union, member and transfer rows of one federation."""
        rng = self.rng
        unions = [
            self._union(plan, fed_id, _day_between(rng, D(1995, 1, 1), D(2014, 12, 31)))
            for _ in range(plan.base_unions)
        ]
        members: list[Member] = []
        for year in sorted(plan.segments):
            for segment in plan.segments[year]:
                founded = self._found(plan, fed_id, segment)
                unions.extend(founded)
                unions.sort(key=lambda u: u.founded_on)
                if self._is_ba_dinh(plan) and year == 2020:
                    self._ba_dinh_2020(unions)
                members.extend(self._admit(segment, unions, founded))
        if self._is_ba_dinh(plan):
            self._ba_dinh_sectors(unions)
        self._depart(members, unions)
        if self._is_ba_dinh(plan):
            members.extend(self._ba_dinh_stock(unions, members))
        transfers = self._transfers(plan, members, unions)
        self.transfer_targets.extend(
            u
            for u in unions
            if u.status == "active" and plan.code != "ba-dinh" and not u.code.endswith("newwing")
        )
        return [u.row() for u in unions], list(self._member_rows(members)), transfers

    def _union(
        self, plan: FederationPlan, fed_id: int, founded: datetime.date, named: tuple | None = None
    ) -> Union:
        rng = self.rng
        if named:
            code, name, sector, founded, employees = named
            union = Union(
                self.next_union, code, f"Công đoàn {name}", fed_id, sector, founded, employees=employees
            )
        else:
            sector = rng.choices(
                ["public_service", "state_enterprise", "foreign_invested", "non_state"], [25, 5, 15, 55]
            )[0]
            union = Union(
                self.next_union,
                f"{plan.code}-{self.next_union:06d}",
                self._union_name(sector),
                fed_id,
                sector,
                founded,
                employees=max(5, int(rng.lognormvariate(3.8, 1.0))),
            )
        self.next_union += 1
        if not named:
            self._maybe_close(plan, union)
        return union

    def _union_name(self, sector: str) -> str:
        rng = self.rng
        for attempt in range(20):
            name = rng.choice(places.UNION_NAMES[sector]).format(
                place=rng.choice(places.PLACES),
                word=rng.choice(places.COMPANY_WORDS),
                foreign=rng.choice(places.FOREIGN_WORDS),
            )
            if attempt > 5:
                name = f"{name} {attempt + rng.randint(1, 99)}"
            if name not in self.names_used:
                self.names_used.add(name)
                return name
        name = f"{name} ({self.next_union})"
        self.names_used.add(name)
        return name

    def _found(self, plan: FederationPlan, fed_id: int, segment: Segment) -> list[Union]:
        founded = []
        for n in range(segment.unions):
            named = segment.named_union if n == 0 else None
            latest = max(segment.start, segment.end - datetime.timedelta(days=20))
            day = named[3] if named else _day_between(self.rng, segment.start, latest)
            founded.append(self._union(plan, fed_id, day, named))
        return founded

    def _admit(self, segment: Segment, unions: list[Union], founded: list[Union]) -> Iterator[Member]:
        """Exactly `segment.members` admissions: founding members first, then anywhere open."""
        rng = self.rng
        remaining = segment.members
        for union in founded:
            share = (
                remaining
                if segment.newcomers_only and union is founded[-1]
                else min(remaining, rng.randint(8, 35))
            )
            last = min(segment.end, union.founded_on + datetime.timedelta(days=30))
            for _ in range(share):
                yield self._member(union, _day_between(rng, union.founded_on, last))
            remaining -= share
        founded_dates = [u.founded_on for u in unions]
        for _ in range(remaining):
            day = _day_between(rng, segment.start, segment.end)
            open_by = bisect.bisect_right(founded_dates, day)
            yield self._member(self._open_union(unions, open_by, day), day)

    def _open_union(self, unions: list[Union], founded_by: int, day: datetime.date) -> Union:
        """A union open for admissions on `day`, picked at random among the first `founded_by`."""
        for _attempt in range(20 if founded_by else 0):
            union = unions[self.rng.randrange(founded_by)]
            if union.active_on(day):
                return union
        open_unions = [u for u in unions if u.active_on(day)]
        if not open_unions:
            raise AssertionError(f"no union open on {day}")
        return self.rng.choice(open_unions)

    def _member(self, union: Union, day: datetime.date) -> Member:
        member = Member(
            self.next_member, union, day, self.rng.choice(("female", "male")), union.federation_id
        )
        self.next_member += 1
        return member

    # -- the life of unions and members ---------------------------------------------------
    def _maybe_close(self, plan: FederationPlan, union: Union) -> None:
        """About one union in nine is later suspended or dissolved (Ba Đình: only after 2020)."""
        rng = self.rng
        if rng.random() > 0.11:
            return
        earliest = union.founded_on + datetime.timedelta(days=365)
        if self._is_ba_dinh(plan):
            earliest = max(earliest, D(2021, 1, 1))
        if earliest < self.end:
            union.status = rng.choice(("suspended", "dissolved", "dissolved"))
            union.status_on = _day_between(rng, earliest, self.end)

    def _depart(self, members: list[Member], unions: list[Union]) -> None:
        """Some members leave; everyone still in a union leaves when it is dissolved."""
        rng = self.rng
        for member in members:
            union = member.union
            if union.status == "dissolved" and union.status_on >= member.admitted_on:
                member.left_on = union.status_on
            elif rng.random() < 0.07:
                start = member.admitted_on + datetime.timedelta(days=30)
                if start < self.end:
                    member.left_on = _day_between(rng, start, self.end)

    def _transfers(self, plan: FederationPlan, members: list[Member], unions: list[Union]) -> list[tuple]:
        """About one member in a hundred moves; one move in five leaves the federation."""
        if self._is_ba_dinh(plan):
            return []
        rng = self.rng
        own = [u for u in unions if u.status == "active" and not u.code.endswith("newwing")]
        rows = []
        for member in members:
            if member.left_on or member.union.status != "active" or member.union.code.endswith("newwing"):
                continue
            if rng.random() > 0.01:
                continue
            day = _day_between(rng, member.admitted_on + datetime.timedelta(days=60), self.end)
            if day >= self.end:
                continue
            pool = self.transfer_targets if self.transfer_targets and rng.random() < 0.2 else own
            target = pool[rng.randrange(len(pool))]
            if target is member.union or target.founded_on > day:
                continue
            recorded = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=datetime.UTC)
            rows.append((self.next_transfer, member.id, member.union.id, target.id, day, None, recorded))
            self.next_transfer += 1
            member.union = target
        return rows

    # -- Ba Đình, whose end of 2020 the reports describe in detail ---------------------------
    def _is_ba_dinh(self, plan: FederationPlan) -> bool:
        return self.seeded and plan.code == "ba-dinh"

    def _ba_dinh_2020(self, unions: list[Union]) -> None:
        """7 unions suspended and 14 dissolved during 2020, all founded before 2019."""
        figures = SEED_FIGURES["ba_dinh_2020"]
        older = [u for u in unions if u.founded_on < D(2019, 1, 1)]
        chosen = self.rng.sample(older, figures["suspended"] + figures["dissolved"])
        for n, union in enumerate(chosen):
            union.status = "suspended" if n < figures["suspended"] else "dissolved"
            union.status_on = _day_between(self.rng, D(2020, 2, 1), D(2020, 12, 15))

    def _ba_dinh_sectors(self, unions: list[Union]) -> None:
        """The 487 unions active at the end of 2020: 100 public service, 65 FDI, 322 non-state."""
        snapshot = [u for u in unions if u.active_on(BA_DINH_SNAPSHOT)]
        figures = SEED_FIGURES["ba_dinh_end_2020"]
        if len(snapshot) != figures["active_unions"]:
            raise AssertionError(f"Ba Đình plan gives {len(snapshot)} active unions at the end of 2020")
        sectors = [s for s, n in figures["sectors"].items() for _ in range(n)]
        self.rng.shuffle(sectors)
        for union, sector in zip(snapshot, sectors, strict=True):
            if union.sector != sector:
                union.sector, union.name = sector, self._union_name(sector)

    def _ba_dinh_stock(self, unions: list[Union], members: list[Member]) -> list[Member]:
        """Members admitted before 2015 so that 21.574 are active in active unions at 31/12/2020."""
        day = BA_DINH_SNAPSHOT
        counted = sum(
            1
            for m in members
            if m.admitted_on <= day and m.union.active_on(day) and (m.left_on is None or m.left_on > day)
        )
        wanted = SEED_FIGURES["ba_dinh_end_2020"]["active_members"] - counted
        if wanted < 0:
            raise AssertionError("Ba Đình plan admits too many members before 2021")
        base = [u for u in unions if u.active_on(day) and u.founded_on < D(2014, 12, 31)]
        stock = []
        for _ in range(wanted):
            union = base[self.rng.randrange(len(base))]
            start = max(union.founded_on, D(2005, 1, 1))
            member = self._member(union, _day_between(self.rng, start, D(2014, 12, 31)))
            if union.status == "dissolved":
                member.left_on = union.status_on  # after 2020 for every counted union
            stock.append(member)
        return stock

    @staticmethod
    def _left_reason(m: Member) -> str:
        """Members of a dissolved union lose the job with it; the others leave for one reason or another."""
        if m.left_on is None:
            return ""
        if m.union.status == "dissolved" and m.left_on == m.union.status_on:
            return LeftReason.QUIT_JOB
        return DEPARTURE_REASONS[m.id % len(DEPARTURE_REASONS)]

    def _member_rows(self, members: list[Member]) -> Iterator[tuple]:
        rng = self.rng
        for m in members:
            middle, given = rng.choice(places.MIDDLE[m.gender]), rng.choice(places.GIVEN[m.gender])
            name = f"{rng.choice(places.FAMILY)} {middle} {given}"
            birth = (
                None
                if rng.random() < 0.1
                else m.admitted_on - datetime.timedelta(days=rng.randint(18 * 365, 45 * 365))
            )
            yield (
                m.id,
                f"DV{m.id:09d}",
                name,
                m.gender,
                birth,
                m.union.id,
                m.admitted_on,
                m.federation_id,
                "left" if m.left_on else "active",
                m.left_on,
                self._left_reason(m),
                fold(name),
            )


# The register's picture of 2024: about a third of the employers with 25 or more workers
# have no active union (one uncovered for two covered, counting those whose union was
# founded later or had closed), and as many small ones beside them.
REGISTER_DAY = D(2024, 12, 31)
UNCOVERED_PER_COVERED = 0.5
# Sectors of the employers without a union: mostly private firms, as the drives find them.
UNCOVERED_SECTORS = (["non_state", "foreign_invested", "public_service", "state_enterprise"], [70, 15, 12, 3])
# A branch (13-digit tax code) every this many employers.
BRANCH_EVERY = 9


class RegisterBuilder:
    """The employer register beside the unions: one employer under each grassroots union, and
    the employers no union covers yet.

    Its own generator, so the unions and members drawn before it are those of every earlier
    load: adding the register changed no figure of the demo. Rows are valid by construction:
    a tax code of 10 digits (or 13 for a branch) from the row's id, the union's federation
    and sector, a head count from 0 to 500.000, counted on a day not ahead of the end date.
    """

    def __init__(self, end: datetime.date, seed: int = 2020):
        self.end = end
        self.rng = random.Random(seed * 16 + 1)
        self.next_id = 1
        self.counted_from = min(D(2024, 7, 1), end)
        self.counted_to = min(REGISTER_DAY, end)

    def _row(self, name: str, sector: str, fed_id: int, employees: int, union_id: int | None) -> tuple:
        rng, pk = self.rng, self.next_id
        name = name[:1].upper() + name[1:]  # "cơ quan UBND phường ..." once "Công đoàn" is taken off
        self.next_id += 1
        tax_code = f"01{pk:08d}" + ("001" if pk % BRANCH_EVERY == 0 else "")
        ward = f"Phường {rng.choice(places.PLACES)}"
        counted = _day_between(rng, self.counted_from, self.counted_to)
        return (pk, tax_code, name, ward, sector, fed_id, min(employees, 500_000), counted, union_id,
                vi_sort_key(name), fold(name))

    def federation(self, fed_id: int, union_rows: list[tuple]) -> list[tuple]:
        """The employers of one federation: its unions' (same order), then the uncovered."""
        rows = []
        covered, linked_not_covering = 0, 0  # employers of 25+ whose union was active in 2024, or not
        for union in union_rows:
            union_id, _code, name, _fed, _founding, sector, founded, status, status_on, employees = union[:10]
            rows.append(self._row(name.removeprefix("Công đoàn "), sector, fed_id, employees or 0, union_id))
            if (employees or 0) >= 25:
                active = founded <= REGISTER_DAY and (status == "active" or status_on > REGISTER_DAY)
                covered += active
                linked_not_covering += not active
        rng = self.rng
        # (uncovered + linked_not_covering) / all of 25+ = 1/3
        uncovered = max(0, round(covered * UNCOVERED_PER_COVERED - linked_not_covering))
        for n in range(2 * uncovered):
            sector = rng.choices(*UNCOVERED_SECTORS)[0]
            name = rng.choice(places.UNION_NAMES[sector]).format(
                place=rng.choice(places.PLACES), word=rng.choice(places.COMPANY_WORDS),
                foreign=rng.choice(places.FOREIGN_WORDS),
            ).removeprefix("Công đoàn ")
            large = n < uncovered
            employees = max(25, int(rng.lognormvariate(3.9, 0.9))) if large else rng.randint(3, 24)
            rows.append(self._row(name, sector, fed_id, employees, None))
        return rows
