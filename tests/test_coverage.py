"""Coverage and density, counted from the employer register (docs/indicators.md).

The world of fed-a on 31/12/2024, threshold 25 unless a year sets another:

| employer | employees | union on 31/12/2024 | active members |
|---|---|---|---|
| Alpha | 100 | active | 60 (5 more left in June) |
| Beta | 40 | dissolved on 1/3/2024 | 30, not counted |
| Gamma | 30 | none | |
| Delta | 10 | active | 8 |
| Omega | 500 | none | |

coverage = 1 (Alpha) ÷ 4 (Alpha, Beta, Gamma, Omega) = 25,0%;
density = (60 + 8) ÷ (100 + 10) = 61,8%.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import translation

from branches.models import Employer, Federation, UnionStatus
from targets import progress
from targets.models import MIN_EMPLOYEES_RANGE, CoverageThreshold, Quota
from tests.factories import MemberFactory, QuotaFactory, UnionFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PERIOD = dict(year=2024, as_of=D(2024, 12, 31))
_tax = iter(range(1_000_000, 9_000_000))


def employer(fed, name, employees, union=None) -> Employer:
    return Employer.objects.create(
        tax_code=f"01{next(_tax):08d}", name=name, ward="Phường Một", sector="non_state", federation=fed,
        employees=employees, counted_on=D(2024, 6, 1), union=union,
    )


@pytest.fixture
def world(fed_a, fed_b):
    alpha = UnionFactory(federation=fed_a, founded_on=D(2020, 1, 1))
    MemberFactory.create_batch(60, union=alpha, admitted_on=D(2021, 5, 1))
    MemberFactory.create_batch(5, union=alpha, admitted_on=D(2021, 5, 1), status="left",
                               left_on=D(2024, 6, 15), left_reason="retired")
    beta = UnionFactory(federation=fed_a, founded_on=D(2020, 1, 1), status=UnionStatus.DISSOLVED,
                        status_on=D(2024, 3, 1))
    MemberFactory.create_batch(30, union=beta, admitted_on=D(2021, 5, 1))
    delta = UnionFactory(federation=fed_a, founded_on=D(2019, 1, 1))
    MemberFactory.create_batch(8, union=delta, admitted_on=D(2022, 1, 1))
    employer(fed_a, "Công ty Alpha", 100, alpha)
    employer(fed_a, "Công ty Beta", 40, beta)
    employer(fed_a, "Công ty Gamma", 30)
    employer(fed_a, "Công ty Delta", 10, delta)
    employer(fed_a, "Công ty Omega", 500)
    employer(fed_b, "Công ty Bên Kia", 200)  # fed-b's, uncovered: never on fed-a's page
    return fed_a


def figures(fed, year=2024, as_of=None):
    row = progress.federation_progress(fed, progress.make_period(year, as_of or D(year, 12, 31)))
    return row.metrics["coverage"], row.metrics["density"]


def test_coverage_and_density_from_the_records(world):
    coverage, density = figures(world)
    assert coverage.actual == Fraction(25) and coverage.shown == progress.tenths(Fraction(25))
    assert coverage.parts == (1, 4)
    assert density.parts == (68, 110) and str(density.shown) == "61.8"
    assert not coverage.accrues and coverage.pace is None
    # On 31/12/2023 Beta's union was still active and the five had not left.
    coverage, density = figures(world, 2023)
    assert coverage.parts == (2, 4) and density.parts == (60 + 5 + 30 + 8, 100 + 40 + 10)


def test_the_threshold_of_the_year_is_the_administrators(world):
    CoverageThreshold.objects.create(year=2024, min_employees=35)
    assert figures(world)[0].parts == (1, 3)  # Gamma (30) no longer counts
    assert figures(world, 2023)[0].parts == (2, 4)  # 2023 keeps 25
    CoverageThreshold.objects.filter(year=2024).update(min_employees=5)
    assert figures(world)[0].parts == (2, 5)  # Delta (10) counts, and is covered


def test_a_quota_in_percent_points_and_the_page(client_for, officer_a, world):
    Quota.objects.create(federation=world, year=2024, metric_id="coverage", target=50)
    coverage = figures(world)[0]
    assert (coverage.target, coverage.pct) == (50, Decimal("50.0"))
    with translation.override("vi"):
        page = client_for(officer_a).get("/federations/fed-a/", {"year": 2024}, HTTP_ACCEPT_LANGUAGE="vi")
    text = page.content.decode()
    assert re.search(r'data-figure="coverage">25,0% / 50% — 50,0%<', text)
    assert re.search(r'data-figure="density">61,8%<', text)
    assert "Tỷ lệ bao phủ CĐCS" in text and "Mật độ đoàn viên" in text
    table = re.search(r'data-table="uncovered">(.*?)</table>', text, re.S).group(1)
    names = re.findall(r'<a href="(/employers/\d+/)">([^<]+)</a>', table)
    assert [name for _url, name in names] == ["Công ty Omega", "Công ty Beta", "Công ty Gamma"]
    assert names[0][0] == Employer.objects.get(name="Công ty Omega").get_absolute_url()
    assert "Bên Kia" not in text
    assert client_for(officer_a).get(names[0][0]).status_code == 200


def test_the_largest_uncovered_are_ten(client_for, officer_a, world):
    for n in range(12):
        employer(world, f"Công ty Nhỏ {n:02d}", 50 + n)
    text = client_for(officer_a).get("/federations/fed-a/", {"year": 2024}).content.decode()
    table = re.search(r'data-table="uncovered">(.*?)</table>', text, re.S).group(1)
    names = re.findall(r'<a href="[^"]+">([^<]+)</a>', table)
    assert names == ["Công ty Omega"] + [f"Công ty Nhỏ {n:02d}" for n in range(11, 2, -1)]


def test_no_employers_reads_no_employers(client_for, officer_b, fed_a, fed_b):
    coverage, density = figures(fed_a)
    assert coverage.actual is None and density.actual is None
    Quota.objects.create(federation=fed_a, year=2024, metric_id="density", target=40)
    with translation.override("vi"):
        page = client_for(officer_b).get("/federations/fed-b/", {"year": 2024}, HTTP_ACCEPT_LANGUAGE="vi")
    assert 'data-figure="coverage"' not in page.content.decode()  # no figure, no quota: no card


def test_the_rankings_export_carries_coverage_and_density(client_for, city_staff, world, fed_b):
    QuotaFactory(federation=world, year=2024, metric="new_members", target=10)
    response = client_for(city_staff).get(reverse("rankings_export", args=["csv"]), {"year": 2024})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert [
        c for c in header if c.startswith(("coverage", "density"))
    ] == ["coverage", "coverage_target", "coverage_pct", "density", "density_target", "density_pct"]
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert (by_code["fed-a"]["coverage"], by_code["fed-a"]["density"]) == ("25.0", "61.8")
    assert (by_code["fed-b"]["coverage"], by_code["fed-b"]["density"]) == ("0.0", "")  # 0 of 1; no workforce
    xlsx = client_for(city_staff).get(reverse("rankings_export", args=["xlsx"]), {"year": 2024})
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Tỷ lệ bao phủ CĐCS" in c or "Employers covered" in c for c in cells)


@pytest.mark.parametrize("size", [2, 8])
def test_coverage_for_every_federation_in_two_queries_more(size, django_assert_num_queries):
    from tests.factories import FederationFactory

    for i in range(size):
        fed = FederationFactory()
        union = UnionFactory(federation=fed, founded_on=D(2020, 1, 1))
        MemberFactory.create_batch(2, union=union, admitted_on=D(2021, 1, 1))
        employer(fed, f"Công ty {i}", 30, union)
        employer(fed, f"Công ty trống {i}", 40 + i)
    period = progress.make_period(**PERIOD)
    # indicators, federations, quotas, admissions, foundings, reports, ratings, employers, members
    with django_assert_num_queries(9):
        rows = progress.league(Federation.objects.all(), period)
        city = progress.totals(rows, period)
    assert {row.metrics["coverage"].parts for row in rows} == {(1, 2)}
    assert city.metrics["coverage"].parts == (size, 2 * size)
    assert city.metrics["density"].parts == (2 * size, 30 * size)


# --- the threshold in the admin: bad input refused, nothing written -------------------------------


@pytest.mark.parametrize("value", ["-5", "0", "500001", "abc"])
def test_a_bad_threshold_is_refused_and_nothing_written(client_for, admin_user, value):
    response = client_for(admin_user).post(
        "/admin/targets/coveragethreshold/add/", {"year": "2024", "min_employees": value}
    )
    assert response.status_code == 200
    text = response.content.decode()
    with translation.override("vi"):
        expected = "Nhập một số tổng thể." if value == "abc" else str(MIN_EMPLOYEES_RANGE)
    assert expected in text
    assert not CoverageThreshold.objects.exists()


def test_a_threshold_is_set_with_history_and_a_year_once(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post("/admin/targets/coveragethreshold/add/", {"year": "2024", "min_employees": "50"})
    assert response.status_code == 302
    threshold = CoverageThreshold.objects.get(year=2024)
    assert threshold.min_employees == 50 and threshold.history.count() == 1
    again = client.post("/admin/targets/coveragethreshold/add/", {"year": "2024", "min_employees": "30"})
    assert again.status_code == 200 and CoverageThreshold.objects.get().min_employees == 50
    url = f"/admin/targets/coveragethreshold/{threshold.pk}/change/"
    response = client.post(url, {"min_employees": "-1"})
    assert response.status_code == 200
    threshold.refresh_from_db()
    assert threshold.min_employees == 50 and threshold.history.count() == 1


def test_an_employer_written_moves_the_federation_page_at_once(client_for, officer_a, world):
    client = client_for(officer_a)
    url = "/federations/fed-a/"
    assert client.get(url, {"year": 2024})["X-Content-Cache"] == "miss"
    assert client.get(url, {"year": 2024})["X-Content-Cache"] == "hit"
    gamma = Employer.objects.get(name="Công ty Gamma")
    gamma.employees = 20  # below 25: coverage becomes 1 of 3
    gamma.save()
    page = client.get(url, {"year": 2024})
    assert page["X-Content-Cache"] == "partial"  # its own content anew; its rank card kept
    assert re.search(r'data-figure="coverage">33,3%<', page.content.decode())
    CoverageThreshold.objects.create(year=2024, min_employees=10)  # every page moves: 2 of 5
    assert re.search(r'data-figure="coverage">40,0%<', client.get(url, {"year": 2024}).content.decode())
