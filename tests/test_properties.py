"""Property tests: generated small cities, every figure held against tests/oracle.py.

Each example is a city of a few federations: grassroots unions founded (some moved to
another federation on a reorganisation day), members admitted, transferred and leaving,
quotas for this year and last. Dates are drawn to land on the edges (1 January,
31 December, 29 February, the as-of date and the day after, the same day last year and
the day after) and targets to land on rounding halves (1 of 8 = 12,5 %; 1 of 400 =
0,25 %) and on ties. The city is loaded the way an administrator loads one, through the
import (`load`), and through the ORM for what the import does not do (moving a union,
transferring a member). Then every figure of the selectors, of the rankings CSV and of
the overview page must equal the oracle's.

Examples per run: conftest.py's Hypothesis profiles (`--hypothesis-profile=deep` for more).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import given, note
from hypothesis import strategies as st

from branches.models import Federation, GrassrootsUnion
from members.models import Member, Transfer
from targets import progress
from tests import oracle
from tests.factories import make_user
from unionboard import roles

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)
YEARS = (2021, 2024, 2025)  # 2024 is a leap year, and 2021's year before (2020) is one
TARGETS = (1, 2, 3, 4, 5, 8, 10, 400)
SECTORS = ("public_service", "state_enterprise", "foreign_invested", "non_state")


def load(kind: str, header: list[str], rows: list[list]) -> None:
    """Import rows as a CSV file, as `manage.py import_data` does (all records in reach).

    The one place that knows where the import lives.
    """
    from imports.service import import_file

    if not rows:
        return
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    result = import_file(
        kind=kind, source=io.BytesIO(buffer.getvalue().encode()), filename=f"{kind}.csv", commit=True
    )
    assert result.ok, [str(problem) for problem in result.problems]


# --- generated cities ------------------------------------------------------------------------


@st.composite
def cities(draw) -> tuple[oracle.City, datetime.date, dict]:
    year = draw(st.sampled_from(YEARS))
    leap_days = [D(y, 2, 29) for y in (year - 1, year) if oracle.days_in_year(y) == 366]
    as_of = draw(st.one_of(
        st.sampled_from([D(year, 1, 1), D(year, 12, 31), D(year, 2, 28), D(year, 3, 1), *leap_days]),
        st.dates(min_value=D(year, 1, 1), max_value=D(year, 12, 31)),
    ))
    before = oracle.same_day_last_year(as_of)
    edges = sorted({
        D(year, 1, 1), D(year, 12, 31), as_of, as_of + DAY, as_of - DAY,
        D(year - 1, 1, 1), D(year - 1, 12, 31), before, before + DAY, D(year - 1, 2, 28),
        D(year - 2, 12, 31), *leap_days,
    })
    days = st.one_of(st.sampled_from(edges), st.dates(min_value=D(year - 1, 1, 1), max_value=D(year, 12, 31)))

    federations = [f"fed-{i}" for i in range(draw(st.integers(2, 4)))]
    quotas = {}
    for code in federations:
        for y in (year, year - 1):
            for metric in oracle.METRICS:
                target = draw(st.one_of(st.none(), st.sampled_from(TARGETS)))
                if target is not None:
                    quotas[(code, y, metric)] = target

    reorganised_on = draw(days)
    unions = []
    for i in range(draw(st.integers(0, 6))):
        founded_on = draw(days)
        status = draw(st.sampled_from(["active", "active", "suspended", "dissolved"]))
        status_on = None if status == "active" else draw(st.sampled_from(
            [founded_on, founded_on + DAY, as_of, as_of + DAY, D(year, 12, 31)]
        ).filter(lambda day, founded_on=founded_on: day >= founded_on))
        founded_by = draw(st.sampled_from(federations))
        moved_to = None
        if founded_on < reorganised_on and draw(st.booleans()):
            moved_to = draw(st.sampled_from([code for code in federations if code != founded_by]))
        unions.append(oracle.Union(
            code=f"cdcs-{i}", founded_by=founded_by, founded_on=founded_on,
            sector=draw(st.sampled_from(SECTORS)), status=status, status_on=status_on,
            moved_to=moved_to, moved_on=reorganised_on if moved_to else None,
        ))

    members = []
    if unions:
        for i in range(draw(st.integers(0, 14))):
            union = draw(st.sampled_from(unions))
            admitted_into = union.code
            admitted_on = draw(days)
            if admitted_on < union.founded_on or (union.status_on and admitted_on >= union.status_on):
                continue  # the rules refuse an admission outside the union's active life
            later = st.sampled_from(
                [admitted_on, admitted_on + DAY, as_of, as_of + DAY, D(year, 12, 31)]
            ).filter(lambda day, admitted_on=admitted_on: day >= admitted_on)
            left_on = draw(st.one_of(st.none(), later))
            transferred_to = transferred_on = None
            if left_on is None and len(unions) > 1 and draw(st.booleans()):
                transferred_to = draw(st.sampled_from([u.code for u in unions if u.code != admitted_into]))
                transferred_on = draw(later)
            members.append(oracle.Member(
                card_no=f"TN-{i:04d}", admitted_into=admitted_into, admitted_on=admitted_on,
                left_on=left_on, transferred_to=transferred_to, transferred_on=transferred_on,
            ))
    city = oracle.City(federations=federations, unions=unions, members=members, quotas=quotas)
    how = {"reorganised_on": reorganised_on, "day_first": draw(st.booleans())}
    return city, as_of, how


def build(city: oracle.City, how: dict) -> None:
    """Load the city: the import for what it records, the ORM for moves and transfers."""
    write = (lambda day: day.strftime("%d/%m/%Y")) if how["day_first"] else (lambda day: day.isoformat())
    load("federations", ["code", "name", "kind"],
         [[code, f"LĐLĐ Thử Nghiệm {code}", "urban_district"] for code in city.federations])
    load("quotas", ["federation", "year", "metric", "target"],
         [[code, year, metric, target] for (code, year, metric), target in city.quotas.items()])
    load("unions", ["code", "name", "federation", "sector", "founded_on", "status", "status_on"],
         [[u.code, f"Công đoàn {u.code}", u.founded_by, u.sector, write(u.founded_on), u.status,
           write(u.status_on) if u.status_on else ""] for u in city.unions])

    def member_rows(members):
        return [[m.card_no, f"Đoàn viên {m.card_no}", "female", m.admitted_into, write(m.admitted_on),
                 "left" if m.left_on else "active", write(m.left_on) if m.left_on else ""]
                for m in members]

    header = ["card_no", "full_name", "gender", "union", "admitted_on", "status", "left_on"]
    # Admissions before the reorganisation are recorded before the unions move, the rest after:
    # each is credited to the federation its union had on the admission day.
    day = how["reorganised_on"]
    load("members", header, member_rows([m for m in city.members if m.admitted_on < day]))
    for union in city.unions:
        if union.moved_to:
            moved = GrassrootsUnion.objects.get(code=union.code)
            moved.federation = Federation.objects.get(code=union.moved_to)
            moved.save()
    load("members", header, member_rows([m for m in city.members if m.admitted_on >= day]))
    for m in city.members:
        if m.transferred_to:
            member = Member.objects.get(card_no=m.card_no)
            to_union = GrassrootsUnion.objects.get(code=m.transferred_to)
            Transfer.objects.create(member=member, from_union=member.union, to_union=to_union,
                                    transferred_on=m.transferred_on)
            member.union = to_union
            member.save()


# --- comparing -------------------------------------------------------------------------------


def assert_figure(got: progress.MetricProgress, want: oracle.Figure, label: str) -> None:
    assert (got.actual, got.target, got.pct) == (want.actual, want.target, want.pct), label
    assert (got.ratio, got.pace, got.pace_pct, got.status) == (
        want.ratio, want.pace, want.pace_pct, want.status
    ), label


def assert_selectors(city: oracle.City, as_of: datetime.date) -> None:
    period = progress.make_period(as_of.year, as_of)
    rows = progress.league(Federation.objects.all(), period)
    expected = oracle.league(city, as_of)
    assert [row.code for row in rows] == [row.code for row in expected]
    for got, want in zip(rows, expected, strict=True):
        label = f"{want.code} {as_of}"
        assert (got.rank, got.score, got.score_pct) == (want.rank, want.score, want.score_pct), label
        assert (got.previous_rank, got.previous_score, got.rank_change) == (
            want.previous_rank, want.previous_score, want.rank_change
        ), label
        for metric in oracle.METRICS:
            assert_figure(got.metrics[metric], want.metrics[metric], f"{label} {metric}")
            assert_figure(got.previous[metric], want.previous[metric], f"{label} {metric} last year")

    # The federation page's rank, computed in SQL: the same standings.
    standings = progress.league_standings(Federation.objects.all(), period)
    ids = dict(Federation.objects.values_list("code", "pk"))
    ranked = sum(1 for row in expected if row.rank is not None)
    assert {code: standings[ids[code]] for code in ids} == {
        row.code: progress.Standing(row.rank, row.previous_rank, row.score, ranked) for row in expected
    }
    shown = {code: standings[ids[code]].score_pct for code in ids}
    assert shown == {row.code: row.score_pct for row in expected}

    totals = progress.totals(rows, period)
    assert (totals.federations, totals.ranked) == (
        len(city.federations), sum(1 for row in expected if row.rank is not None)
    )
    for metric in oracle.METRICS:
        assert_figure(totals.metrics[metric], oracle.city_total(city, metric, as_of), f"city {metric}")
        last_year = oracle.city_total(city, metric, oracle.same_day_last_year(as_of))
        assert_figure(totals.previous[metric], last_year, f"city {metric} last year")
    assert [row.code for row in progress.furthest_behind(rows)] == oracle.furthest_behind(expected)

    today = progress.today()
    for federation in Federation.objects.order_by("code"):
        code = federation.code
        series = progress.monthly(federation, period)
        for metric in oracle.METRICS:
            assert [
                (p.month, p.actual, p.cumulative, p.previous_cumulative, p.pace) for p in series[metric]
            ] == [
                (p.month, p.actual, p.cumulative, p.previous_cumulative, p.pace)
                for p in oracle.monthly(city, code, metric, as_of)
            ], f"{code} {metric} by month"
        history = [(row.year, row.metrics) for row in progress.quota_history(federation)]
        wanted = oracle.quota_history(city, code, today)
        assert [year for year, _ in history] == [year for year, _ in wanted]
        for (year, got_metrics), (_, want_metrics) in zip(history, wanted, strict=True):
            for metric in oracle.METRICS:
                assert_figure(got_metrics[metric], want_metrics[metric], f"{code} {year} {metric} history")
        assert progress.unions_by_sector(federation, as_of) == oracle.unions_by_sector(city, code, as_of)


def vi(value) -> str:
    """A number as the Vietnamese pages write it (4.550; 12,5)."""
    text = f"{value:,.1f}" if isinstance(value, Decimal) else f"{value:,}"
    return text.translate(str.maketrans({",": ".", ".": ","}))


def assert_pages(client, city: oracle.City, as_of: datetime.date) -> None:
    query = {"year": as_of.year, "as_of": as_of.isoformat()}
    response = client.get(reverse("rankings_export", args=["csv"]), query)
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    expected = oracle.export_rows(oracle.league(city, as_of))
    assert [line[:2] + line[3:] for line in lines] == [row[:2] + row[3:] for row in expected]
    assert [line[2] for line in lines] == [f"LĐLĐ Thử Nghiệm {row[1]}" for row in expected]

    html = client.get(reverse("overview"), query).content.decode()
    for metric in oracle.METRICS:
        total = oracle.city_total(city, metric, as_of)
        shown = re.search(rf'data-figure="{metric}">([^<]*)</p>', html)
        if total.target:
            assert shown and shown.group(1) == f"{vi(total.actual)} / {vi(total.target)} — {vi(total.pct)}%"
        else:
            assert shown is None


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))
    return client


@given(cities())
def test_every_figure_equals_the_oracle(staff_client, drawn):
    city, as_of, how = drawn
    note(f"as of {as_of}, reorganised on {how['reorganised_on']}")
    # Each example in its own savepoint, rolled back: the next city starts from nothing.
    with transaction.atomic():
        cache.clear()
        build(city, how)
        assert_selectors(city, as_of)
        assert_pages(staff_client, city, as_of)
        transaction.set_rollback(True)
