"""The demo city reproduces every figure of the seed reports, through pages, exports and selectors."""

import csv
import datetime
import hashlib
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum
from django.test import override_settings

from branches.models import Employer, Federation, GrassrootsUnion
from demo import users, writer
from members.models import Member, Transfer
from targets import progress
from targets.models import Cluster, Quota

D = datetime.date


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo city, loaded once for this module and removed afterwards."""
    with django_db_blocker.unblock():
        out = io.StringIO()
        with override_settings(DEBUG=True):  # demo passwords exist only with DEBUG on
            call_command("load_demo", stdout=out)
        yield out.getvalue()
        writer.wipe()
        get_user_model().objects.filter(username__in=[u[0] for u in users.DEMO_USERS]).delete()


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def fingerprint() -> str:
    """A digest of every demo row that matters, to compare two loads."""
    digest = hashlib.sha256()
    for queryset, fields in (
        (Federation.objects.order_by("code"), ("code", "name", "kind")),
        (
            GrassrootsUnion.objects.order_by("code"),
            ("code", "name", "federation__code", "sector", "founded_on", "status", "status_on"),
        ),
        (
            Member.objects.order_by("card_no"),
            ("card_no", "full_name", "union__code", "admitted_on", "admitted_federation__code", "left_on"),
        ),
        (
            Transfer.objects.order_by("member__card_no", "transferred_on"),
            ("member__card_no", "from_union__code", "to_union__code"),
        ),
        (
            Quota.objects.order_by("federation__code", "year", "metric"),
            ("federation__code", "year", "metric", "target"),
        ),
        (
            Employer.objects.order_by("tax_code"),
            ("tax_code", "name", "ward", "federation__code", "employees", "counted_on", "union__code"),
        ),
    ):
        for row in queryset.values_list(*fields).iterator(chunk_size=20_000):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def figures(code, year, as_of=None):
    row = progress.federation_progress(Federation.objects.get(code=code), progress.make_period(year, as_of))
    return (row.new_members.actual, row.new_members.target), (row.new_unions.actual, row.new_unions.target)


@pytest.mark.django_db
class TestSeedFigures:
    def test_thanh_xuan_2024_on_its_page(self, demo, client):
        assert figures("thanh-xuan", 2024) == ((4550, 6500), (22, 20))
        page = login(client, "officer.thanhxuan").get("/federations/thanh-xuan/?year=2024").content.decode()
        assert "4.550/6.500" in page and "70,0%" in page
        assert "22/20" in page and "110,0%" in page

    def test_son_tay_as_of_31_october_2020(self, demo, client):
        assert figures("son-tay", 2020, D(2020, 10, 31)) == ((505, 410), (6, 6))
        page = login(client, "officer.sontay").get("/federations/son-tay/?year=2020&as_of=31/10/2020")
        text = page.content.decode()
        assert "505/410" in text and "123,2%" in text and "6/6" in text

    @pytest.mark.parametrize(
        ("year", "as_of", "code", "expected"),
        [
            (2024, None, "thanh-xuan", ("4550", "6500", "70.0", "22", "20", "110.0")),
            (2020, "2020-10-31", "son-tay", ("505", "410", "123.2", "6", "6", "100.0")),
            (2020, None, "ba-dinh", ("1857", "1400", "132.6", "25", "25", "100.0")),
        ],
    )
    def test_seed_figures_in_the_rankings_exports(self, demo, client, year, as_of, code, expected):
        columns = (
            "new_members",
            "new_members_target",
            "new_members_pct",
            "new_unions",
            "new_unions_target",
            "new_unions_pct",
        )
        out = io.StringIO()
        call_command("export_rankings", year=year, as_of=as_of, stdout=out)
        text = out.getvalue().encode().decode("utf-8-sig")
        row = next(r for r in csv.DictReader(io.StringIO(text)) if r["federation"] == code)
        assert tuple(row[c] for c in columns) == expected
        query = {"year": year} | ({"as_of": as_of} if as_of else {})
        response = login(client, "city.staff").get("/rankings/export.csv", query)
        text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
            "utf-8-sig"
        )
        row = next(r for r in csv.DictReader(io.StringIO(text)) if r["federation"] == code)
        assert tuple(row[c] for c in columns) == expected

    def test_ba_dinh_2020(self, demo, client):
        assert figures("ba-dinh", 2020) == ((1857, 1400), (25, 25))
        unions = GrassrootsUnion.objects.filter(federation__code="ba-dinh", status_on__year=2020)
        assert unions.filter(status="suspended").count() == 7
        assert unions.filter(status="dissolved").count() == 14
        page = login(client, "officer.badinh").get("/federations/ba-dinh/?year=2020").content.decode()
        assert "1.857/1.400" in page and "132,6%" in page and "25/25" in page

    def test_ba_dinh_at_the_end_of_2020(self, demo, client):
        day = D(2020, 12, 31)
        sectors = progress.unions_by_sector(Federation.objects.get(code="ba-dinh"), day)
        assert {row["sector"]: row["unions"] for row in sectors} == {
            "public_service": 100,
            "foreign_invested": 65,
            "non_state": 322,
        }
        assert sum(row["members"] for row in sectors) == 21574
        # The same count straight from the definition, without the selector.
        active_unions = (
            GrassrootsUnion.objects.filter(federation__code="ba-dinh")
            .filter(founded_on__lte=day)
            .filter(Q(status="active") | Q(status_on__gt=day))
        )
        assert active_unions.count() == 487
        assert (
            Member.objects.filter(union__in=active_unions, admitted_on__lte=day)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
            .count()
            == 21574
        )
        page = login(client, "officer.badinh").get("/federations/ba-dinh/?year=2020").content.decode()
        summary = re.search(r'id="membership-summary">(.*?)</p>', page, re.S).group(1)
        assert "487" in summary and "21.574" in summary

    def test_my_duc_first_half_of_2021(self, demo):
        assert [actual for actual, _ in figures("my-duc", 2021, D(2021, 6, 30))] == [26, 1]
        newwing = GrassrootsUnion.objects.get(
            founding_federation__code="my-duc", founded_on__range=(D(2021, 1, 1), D(2021, 6, 30))
        )
        assert newwing.name == "Công đoàn Công ty TNHH NewWing"
        assert newwing.members.filter(admitted_on__lte=D(2021, 6, 30)).count() == 26

    def test_city_2021_to_2023(self, demo, client):
        everyone = Federation.objects.all()
        years = [
            progress.totals(progress.league(everyone, progress.make_period(y)), progress.make_period(y))
            for y in (2021, 2022, 2023)
        ]
        assert sum(t.metrics["new_members"].actual for t in years) == 170947
        assert sum(t.metrics["new_unions"].actual for t in years) == 1572
        shown = []
        for year, total in zip((2021, 2022, 2023), years, strict=True):
            page = login(client, "city.staff").get(f"/overview/?year={year}").content.decode()
            shown.append(f"{total.metrics['new_members'].actual:,}".replace(",", ".") in page)
        assert all(shown)


@pytest.mark.django_db
class TestDemoCity:
    def test_hanoi_federations_by_their_names(self, demo):
        assert Federation.objects.count() == 45
        kinds = dict(Federation.objects.values_list("kind").annotate(n=Count("pk")))
        assert kinds["urban_district"] == 12 and kinds["rural_district"] == 17 and kinds["town"] == 1
        assert sum(kinds.values()) - 30 == 15
        assert Federation.objects.filter(name="LĐLĐ quận Đống Đa").exists()

    def test_quotas_for_every_federation_2020_to_2026(self, demo):
        assert Quota.objects.filter(metric__in=progress.METRICS).count() == 45 * 7 * 2
        assert set(Quota.objects.values_list("year", flat=True)) == set(range(2020, 2027))

    def test_varied_attainment_and_data_every_year(self, demo):
        rows = progress.league(Federation.objects.all(), progress.make_period(2024))
        scores = [r.score_pct for r in rows]
        assert min(scores) < 70 and max(scores) > 120
        years = set(Member.objects.dates("admitted_on", "year").values_list("admitted_on__year", flat=True))
        assert set(range(2015, progress.today().year + 1)) <= years

    def test_nothing_in_the_future_and_credit_kept_across_transfers(self, demo):
        assert not Member.objects.filter(admitted_on__gt=progress.today()).exists()
        assert Transfer.objects.exists()
        moved_out = Transfer.objects.exclude(from_union__federation=F("to_union__federation"))
        assert moved_out.exists()
        for transfer in moved_out.select_related("member", "from_union")[:50]:
            assert (
                transfer.member.admitted_federation_id == transfer.from_union.federation_id
                or transfer.member.transfers.count() > 1
            )

    def test_the_bulk_rows_pass_the_rules_the_forms_apply(self, demo):
        """The COPYed rows skip the per-record services: they must be valid by construction."""
        for union in GrassrootsUnion.objects.all():
            union.full_clean(validate_unique=False)
        for quota in Quota.objects.all():
            quota.full_clean()
        members = Member.objects.select_related("union")
        last = Member.objects.order_by("-pk").values_list("pk", flat=True).first()
        sample = list(members.filter(left_on__isnull=False)[:300])
        sample += list(members.filter(pk__in=range(1, last + 1, 700)))
        sample += [t.member for t in Transfer.objects.select_related("member__union")[:300]]
        for member in sample:
            member._loaded = {}  # as if every date were entered anew: every rule applies
            member.full_clean(exclude=["union", "admitted_federation"], validate_unique=False)
        reasons = set(Member.objects.filter(status="left").values_list("left_reason", flat=True))
        assert "" not in reasons and len(reasons) >= 4  # every departure says why
        assert not Member.objects.filter(status="active").exclude(left_reason="").exists()

    def test_the_employer_register_covers_every_union_and_leaves_a_third_uncovered(self, demo):
        """Every union has its employer (of its federation); of the employers with 25 or more
        workers at the end of 2024, about a third have no union active then."""
        assert not GrassrootsUnion.objects.filter(employer__isnull=True).exists()
        assert not Employer.objects.exclude(union__isnull=True).exclude(
            union__federation=F("federation")).exists()
        active = GrassrootsUnion.objects.active_on(D(2024, 12, 31))
        large = Employer.objects.filter(employees__gte=25)
        uncovered = large.exclude(union__in=active).count() / large.count()
        assert 0.30 < uncovered < 0.36
        assert Employer.objects.filter(union__isnull=True, employees__lt=25).exists()
        assert Employer.objects.filter(tax_code__regex=r"^[0-9]{13}$").exists()  # branches
        last = Employer.objects.order_by("-pk").values_list("pk", flat=True).first()
        for employer in Employer.objects.select_related("union").filter(pk__in=range(1, last + 1, 97)):
            employer.full_clean(validate_unique=False)

    def test_thanh_xuan_coverage_2024_from_the_register(self, demo, client):
        """Coverage of 2024 as the records give it, counted here row by row: employers of 25+
        whose union was active on 31/12/2024 over all employers of 25+; about two thirds."""
        day = D(2024, 12, 31)

        def active(union) -> bool:
            return union is not None and union.founded_on <= day and (
                union.status == "active" or union.status_on > day
            )

        large = list(Employer.objects.select_related("union").filter(
            federation__code="thanh-xuan", employees__gte=25
        ))
        covered = sum(1 for employer in large if active(employer.union))
        assert len(large) > 30 and 0.6 < covered / len(large) < 0.72
        expected = (Decimal(covered * 1000) / len(large)).quantize(Decimal(1), ROUND_HALF_UP) / 10
        thanh_xuan = Federation.objects.get(code="thanh-xuan")
        row = progress.federation_progress(thanh_xuan, progress.make_period(2024))
        assert row.metrics["coverage"].parts == (covered, len(large))
        shown = f"{expected:.1f}".replace(".", ",")
        page = login(client, "officer.thanhxuan").get("/federations/thanh-xuan/?year=2024").content.decode()
        assert card(page, "coverage") == f"{shown}%"
        assert 'data-table="uncovered"' in page
        rows = csv_rows(client, {"year": 2024})
        assert next(r for r in rows if r["federation"] == "thanh-xuan")["coverage"] == f"{expected:.1f}"

    def test_load_says_what_it_is_doing_in_plain_lines(self, demo):
        """Not a terminal (a StringIO): a line per step and per tenth of the federations, no \\r."""
        lines = demo.splitlines()
        assert "\r" not in demo and "\x1b" not in demo
        assert lines.index("demo: removing the records loaded before") < lines.index(
            "demo: rebuilding the admissions tally, the page revisions and the name search"
        ) < lines.index("demo: analysing the tables")
        federations = [line for line in lines if line.startswith("demo: generating and writing: ")]
        assert federations[0].startswith("demo: generating and writing: 1/45 federations (2%) ")
        assert federations[-1].startswith("demo: generating and writing: 45/45 federations (100%) ")
        assert 10 <= len(federations) <= 12  # one a tenth, not one a federation
        assert re.fullmatch(r"demo: setting the quotas: [\d.]+/[\d.]+ quotas \(100%\)", next(
            line for line in reversed(lines) if line.startswith("demo: setting the quotas")
        ))

    def test_demo_logins_printed_with_password_in_debug(self, demo, client):
        assert "officer.thanhxuan" in demo and "city.staff" in demo and users.DEMO_PASSWORD in demo
        with override_settings(DEBUG=True):  # with DEBUG off the demo password signs no one in
            client.post("/accounts/login/",
                        {"username": "officer.thanhxuan", "password": users.DEMO_PASSWORD})
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].endswith("/federations/thanh-xuan/")

    def test_no_demo_password_without_debug(self, demo, client):
        out = io.StringIO()
        call_command("load_demo", if_empty=True, stdout=out)  # tests run with DEBUG off
        assert "no password set" in out.getvalue()
        assert (
            not get_user_model().objects.get(username="officer.thanhxuan").check_password(users.DEMO_PASSWORD)
        )
        assert not get_user_model().objects.get(username="admin").has_usable_password()

    def test_replacing_data_needs_force_without_debug(self, demo):
        with pytest.raises(CommandError, match="--force"):
            call_command("load_demo", stdout=io.StringIO())

    def test_bulk_load_rebuilds_the_admission_tally(self, demo):
        from members.models import AdmissionTally

        tally = dict(
            AdmissionTally.objects.values("federation")
            .annotate(n=Sum("admitted"))
            .values_list("federation", "n")
        )
        direct = dict(
            Member.objects.values("admitted_federation")
            .annotate(n=Count("pk"))
            .values_list("admitted_federation", "n")
        )
        assert tally == direct

    def test_if_empty_keeps_existing_data(self, demo):
        before = Member.objects.count()
        out = io.StringIO()
        call_command("load_demo", if_empty=True, stdout=out)
        assert "already holds" in out.getvalue()
        assert Member.objects.count() == before

    def test_loading_twice_gives_the_same_city(self, demo):
        first = fingerprint()
        call_command("load_demo", force=True, stdout=io.StringIO())
        assert fingerprint() == first


def csv_rows(client, query) -> list[dict]:
    response = login(client, "city.staff").get("/rankings/export.csv", query)
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def card(page: str, figure: str) -> str:
    return re.search(rf'data-figure="{figure}">(.*?)</p>', page, re.S).group(1)


@pytest.mark.django_db
class TestReportedFigures:
    """Every figure of the seed reports beyond membership, on the pages and in the export."""

    def test_my_duc_first_half_of_2021(self, demo, client):
        page = login(client, "officer.myduc").get(
            "/federations/my-duc/", {"year": 2021, "as_of": "2021-06-30"}
        ).content.decode()
        assert card(page, "party_referrals") == "71 người" and card(page, "party_admissions") == "40 người"
        rows = csv_rows(client, {"year": 2021, "as_of": "2021-06-30"})
        row = next(r for r in rows if r["federation"] == "my-duc")
        assert (row["party_referrals"], row["party_admissions"]) == ("71", "40")
        # before the report's date nothing was reported: never 0
        page = login(client, "officer.myduc").get(
            "/federations/my-duc/", {"year": 2021, "as_of": "2021-06-29"}
        ).content.decode()
        assert "party_referrals" not in page or "chưa báo cáo" in card(page, "party_referrals")

    def test_son_tay_2020(self, demo, client):
        page = login(client, "officer.sontay").get("/federations/son-tay/", {"year": 2020}).content.decode()
        assert card(page, "training_sessions") == "3 buổi"
        officers = int(card(page, "officers_trained").split()[0].replace(".", ""))
        assert officers > 2000
        assert card(page, "party_referrals") == "202 người" and card(page, "party_admissions") == "140 người"

    def test_thanh_xuan_2024(self, demo, client):
        officer = login(client, "officer.thanhxuan")
        page = officer.get("/federations/thanh-xuan/", {"year": 2024}).content.decode()
        assert card(page, "officers_trained") == "1.058/1.163 người — 91,0%"
        assert card(page, "party_referrals") == "270 người"
        row = next(r for r in csv_rows(client, {"year": 2024}) if r["federation"] == "thanh-xuan")
        assert (row["officers_trained"], row["officers_trained_target"], row["officers_trained_pct"]) == (
            "1058", "1163", "91.0"
        )
        officer.post("/i18n/setlang/", {"language": "en", "next": "/"})
        english = officer.get("/federations/thanh-xuan/", {"year": 2024})
        assert card(english.content.decode(), "officers_trained") == "1,058/1,163 people — 91.0%"

    def test_ba_dinh_2020_and_its_norm(self, demo, client):
        page = login(client, "officer.badinh").get("/federations/ba-dinh/", {"year": 2020}).content.decode()
        assert card(page, "officers_trained") == "361 người" and card(page, "party_admissions") == "116 người"
        # one referral per grassroots union: 487 active unions at 31/12/2020, a target of 487
        assert "chưa báo cáo" in card(page, "party_referrals")
        row = next(r for r in csv_rows(client, {"year": 2020}) if r["federation"] == "ba-dinh")
        assert (row["party_referrals"], row["party_referrals_target"]) == ("", "487")

    def test_city_sums_2021_to_2023(self, demo, client):
        wanted = {
            "training_sessions": 4132, "session_participants": 620333, "welfare_agreements": 306,
            "welfare_beneficiaries": 1006708,
        }
        sums = dict.fromkeys(wanted, 0)
        plan = 0
        for year in (2021, 2022, 2023):
            rows = csv_rows(client, {"year": year})
            for code in wanted:
                sums[code] += sum(int(r[code]) for r in rows)
            plan += sum(int(r["session_participants_target"]) for r in rows)
            value = sum(int(r["welfare_value"]) for r in rows)
            page = login(client, "city.staff").get(
                "/overview/", {"year": year, "indicator": list(wanted)}
            ).content.decode()
            for code in wanted:
                total = sum(int(r[code]) for r in rows)
                assert f"{total:,}".replace(",", ".") in card(page, code)
            sums.setdefault("welfare_value", 0)
            sums["welfare_value"] += value
        assert {code: sums[code] for code in wanted} == wanted
        assert sums["welfare_value"] > 39_000_000_000
        assert progress.percent(sums["session_participants"], plan) == 95

    def test_ratings_each_year(self, demo, client):
        for year in (2021, 2022, 2023):
            page = login(client, "city.staff").get(
                "/overview/", {"year": year, "indicator": "rated_good_share"}
            ).content.decode()
            groups = card(page, "rated_good_share-groups")
            state, non_state = (float(x.replace(",", ".")) for x in re.findall(r"([\d,]+)%", groups))
            assert state > 93 and non_state > 55, groups
            assert card(page, "federations-rated") == "Công đoàn cấp trên xếp loại tốt, xuất sắc: 45/45"

    def test_every_row_in_english(self, demo, client):
        """The same figures in the English interface: commas for thousands, dots for decimals."""

        def english(username: str, path: str, query: dict) -> str:
            user = login(client, username)
            user.post("/i18n/setlang/", {"language": "en", "next": "/"})
            return user.get(path, query).content.decode()

        page = english("officer.myduc", "/federations/my-duc/", {"year": 2021, "as_of": "2021-06-30"})
        assert (card(page, "party_referrals"), card(page, "party_admissions")) == ("71 people", "40 people")
        page = english("officer.sontay", "/federations/son-tay/", {"year": 2020})
        assert card(page, "training_sessions") == "3 sessions"
        assert (card(page, "party_referrals"), card(page, "party_admissions")) == ("202 people", "140 people")
        assert re.fullmatch(r"2,\d{3} people", card(page, "officers_trained"))
        page = english("officer.thanhxuan", "/federations/thanh-xuan/", {"year": 2024})
        assert card(page, "officers_trained") == "1,058/1,163 people — 91.0%"
        assert card(page, "party_referrals") == "270 people"
        page = english("officer.badinh", "/federations/ba-dinh/", {"year": 2020})
        assert card(page, "officers_trained") == "361 people"
        assert card(page, "party_admissions") == "116 people"
        assert "not reported" in card(page, "party_referrals")
        for year in (2021, 2022, 2023):
            page = english("city.staff", "/overview/", {"year": year, "indicator": "rated_good_share"})
            groups = card(page, "rated_good_share-groups")
            state, non_state = (float(x) for x in re.findall(r"([\d.]+)%", groups))
            assert state > 93 and non_state > 55, groups
            assert card(page, "federations-rated") == "Upper-level unions rated good or excellent: 45 of 45"
            page = english("city.staff", "/overview/", {"year": year, "indicator": "training_sessions"})
            assert re.fullmatch(r"[\d,]+ sessions", card(page, "training_sessions"))

    def test_reported_quotas_leave_the_rankings_as_they_were(self, demo):
        for year in range(2020, 2025):
            period = progress.make_period(year)
            membership = [ind for ind in progress.indicators_in_force() if ind.code in progress.METRICS]
            everything = progress.league(Federation.objects.all(), period)
            counted = progress.league(Federation.objects.all(), period, membership)
            assert [(r.code, r.rank, r.score) for r in everything] == [
                (r.code, r.rank, r.score) for r in counted
            ]


@pytest.mark.django_db
class TestEmulationClusters:
    """Hanoi's clusters of six before 2025, each year with a leader."""

    def test_six_clusters_of_six_each_year_2020_to_2024(self, demo):
        for year in range(2020, 2025):
            clusters = Cluster.objects.filter(year=year)
            assert clusters.count() == 6
            for cluster in clusters:
                assert len(cluster.member_ids()) == 6 and cluster.leader_id in cluster.member_ids()

    def test_son_tay_first_in_its_cluster_in_2020_through_the_page(self, demo, client):
        cluster = Cluster.objects.get(year=2020, memberships__federation__code="son-tay")
        assert cluster.name == "Cụm thi đua số 4" and cluster.leader.code == "son-tay"
        response = login(client, "officer.sontay").get(
            f"/clusters/{cluster.pk}/", {"year": 2020, "as_of": "2020-12-31"}
        )
        rows = [(row.code, row.rank, row.cluster_rank) for row in response.context["table"].rows]
        assert rows[0] == ("son-tay", 7, 1)
        assert [code for code, _, _ in rows] == [
            "son-tay", "quoc-oai", "dan-phuong", "thach-that", "phuc-tho", "ba-vi"
        ]
        assert [rank for _, _, rank in rows] == [1, 2, 3, 4, 5, 6]
        page = response.content.decode()
        # the cluster's totals: the six districts' admissions over their quotas
        assert "3.022/3.200 người — 94,4%" in page
        # the rankings filtered by the cluster show the same ranks and link to its page
        rankings = client.get("/rankings/", {"year": 2020, "cluster": cluster.pk})
        assert [(row.code, row.rank, row.cluster_rank) for row in rankings.context["table"].rows] == rows
        assert f"/clusters/{cluster.pk}/?year=2020&amp;as_of=2020-12-31" in rankings.content.decode()
