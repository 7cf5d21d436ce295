"""The read replica on two real databases: dashboards read it, writes and a writer's reads don't.

For this module only, a `replica` database alias points at a second database that starts
as a copy of the test database, as a streaming replica starts from the primary. On
PostgreSQL it is a second PostgreSQL database (CREATE DATABASE ... TEMPLATE the test
database); on SQLite a second SQLite file copied with SQLite's backup API. From then on the
two are independent: each test gives the primary 4 admissions of a quota of 10 (40,0%) and
the replica 7 (70,0%), so every page tells which database it was read from.
"""

import copy
import csv
import datetime
import io
import runpy
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Federation, FederationKind, GrassrootsUnion
from members.models import Gender, Member
from targets.models import Metric, Quota
from tests.factories import MemberFactory, QuotaFactory, UnionFactory
from unionboard import routers
from unionboard.routers import PIN_COOKIE_NAME, REPLICA_DB_ALIAS, primary_reads, replica_reads

REPLICA = REPLICA_DB_ALIAS
ROUTER = "unionboard.routers.PrimaryReplicaRouter"
PIN_MIDDLEWARE = "unionboard.routers.PinPrimaryMiddleware"
SETTINGS_FILE = Path(settings.BASE_DIR) / "unionboard" / "settings.py"
D = datetime.date

pytestmark = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])


def _close(alias: str, *, forget: bool = False) -> None:
    """Close this thread's connection to `alias` and its connection pool, if any.

    `forget` drops the connection object too; never for `default`, whose object the test
    run keeps to destroy the test database at the end.
    """
    if alias not in connections.settings:
        return
    connection = connections[alias]
    connection.close()
    if alias in getattr(type(connection), "_connection_pools", {}):
        connection.close_pool()
    if forget:
        del connections[alias]


def _copy_primary(tmp_path_factory) -> dict:
    """Copy the test database into a second database; return that database's settings."""
    primary = connections[DEFAULT_DB_ALIAS]
    replica = copy.deepcopy(primary.settings_dict)
    replica["TEST"] = {**replica["TEST"], "NAME": None, "MIRROR": None}
    if primary.vendor == "postgresql":
        source = primary.settings_dict["NAME"]
        replica["NAME"] = f"{source}_replica_copy"
        # CREATE DATABASE ... TEMPLATE wants no session on the source: close ours and the pool's.
        _close(DEFAULT_DB_ALIAS)
        quote = primary.ops.quote_name
        with primary._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(replica['NAME'])} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(replica['NAME'])} TEMPLATE {quote(source)}")
    elif primary.vendor == "sqlite":
        replica["NAME"] = str(tmp_path_factory.mktemp("replica") / "replica.sqlite3")
        primary.ensure_connection()
        with closing(sqlite3.connect(replica["NAME"])) as target:
            primary.connection.backup(target)
    else:
        pytest.skip(f"no way to copy a {primary.vendor} test database here")
    return replica


def _drop(replica: dict) -> None:
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor == "postgresql":
        with primary._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {primary.ops.quote_name(replica['NAME'])} WITH (FORCE)")


@pytest.fixture(scope="module", autouse=True)
def replica_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """The `replica` alias on its own database, the router and the pin middleware, for this module."""
    previous = connections.settings.get(REPLICA)  # a DATABASE_REPLICA_URL mirror, if one is set
    with django_db_blocker.unblock():
        _close(REPLICA, forget=True)
        replica = _copy_primary(tmp_path_factory)
    connections.settings[REPLICA] = replica
    middleware = [item for item in settings.MIDDLEWARE if item != PIN_MIDDLEWARE] + [PIN_MIDDLEWARE]
    try:
        with override_settings(DATABASE_ROUTERS=[ROUTER], MIDDLEWARE=middleware, REPLICA_PIN_SECONDS=10):
            yield replica
    finally:
        with django_db_blocker.unblock():
            _close(REPLICA, forget=True)
            _drop(replica)
        if previous is None:
            del connections.settings[REPLICA]
        else:
            connections.settings[REPLICA] = previous


def mirror(obj):
    """Insert the same row, primary key included, into the replica, as replication would."""
    type(obj).objects.using(REPLICA).bulk_create([copy.copy(obj)])
    return obj


@pytest.fixture
def city(fed_a):
    """Quota 10 new members in 2024 in both databases; 4 admitted on the primary, 7 on the replica."""
    quota = QuotaFactory(federation=fed_a, year=2024, metric=Metric.NEW_MEMBERS, target=10)
    union = UnionFactory(federation=fed_a, founded_on=D(2015, 1, 1))
    MemberFactory.create_batch(4, union=union, admitted_on=D(2024, 5, 1))
    for row in (fed_a, quota, union):
        mirror(row)
    Member.objects.using(REPLICA).bulk_create(
        Member(card_no=f"RP{n:08d}", full_name=f"Đoàn viên {n}", gender=Gender.MALE, union_id=union.pk,
               admitted_federation_id=fed_a.pk, admitted_on=D(2024, 6, n + 1))
        for n in range(7)
    )
    return fed_a


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, name: str, *args, **params) -> str:
    response = client.get(reverse(name, args=args), {"year": 2024, "as_of": "2024-12-31", **params})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def dashboard_queries(captured) -> list[str]:
    """The captured SQL that touched the dashboard tables (federations, unions, members, quotas)."""
    tables = ('"branches_', '"members_', '"targets_')
    return [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in tables)]


def csv_rows(text: str) -> list[list[str]]:
    """The rows of an export, its byte order mark set aside."""
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def add_quota(client: Client, federation: Federation):
    """An administrator adds a 2024 new-unions quota of 2 through the admin: a write."""
    return client.post(
        reverse("admin:targets_quota_add"),
        {"federation": federation.pk, "year": 2024, "metric": Metric.NEW_UNIONS, "target": 2,
         "reason": "Kế hoạch năm 2024"},
    )


def test_dashboard_pages_read_the_replica(city, city_staff):
    client = login(city_staff)
    for name, args in (("overview", ()), ("rankings", ()), ("federation_detail", ("fed-a",))):
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
            CaptureQueriesContext(connections[REPLICA]) as replica,
        ):
            html = page(client, name, *args)
        assert "70,0%" in html and "40,0%" not in html, name  # 7 of 10, the replica's figure
        assert dashboard_queries(replica), name
        # the primary still answers for the session and the user, never for the figures
        assert dashboard_queries(primary) == [], name


def test_rankings_export_and_command_read_the_replica(city, city_staff):
    response = login(city_staff).get(
        reverse("rankings_export", args=["csv"]), {"year": 2024, "as_of": "2024-12-31"}
    )
    assert response.status_code == 200
    expected = ["1", "fed-a", "LĐLĐ quận Ánh Dương", "7", "10", "70.0", "0", "", "", "70.0"]
    assert csv_rows(response.content.decode("utf-8-sig"))[1] == expected

    out = io.StringIO()
    call_command("export_rankings", "--year", "2024", "--as-of", "2024-12-31", stdout=out)
    assert csv_rows(out.getvalue())[1] == expected


def test_writes_go_to_the_primary_even_inside_replica_reads(city):
    with replica_reads():
        quota = Quota.objects.get(federation__code="fed-a", year=2024)
        assert quota._state.db == REPLICA
        quota.target = 12
        quota.save()  # an object read from the replica is saved on the primary
        Federation.objects.create(code="fed-new", name="LĐLĐ phường Mới", kind=FederationKind.WARD)
        assert Member.objects.count() == 7  # reads in the block still come from the replica

    assert Quota.objects.using(DEFAULT_DB_ALIAS).get(pk=quota.pk).target == 12
    assert Quota.objects.using(REPLICA).get(pk=quota.pk).target == 10
    assert Federation.objects.using(DEFAULT_DB_ALIAS).filter(code="fed-new").exists()
    assert not Federation.objects.using(REPLICA).filter(code="fed-new").exists()
    assert Member.objects.count() == 4  # outside the block everything reads the primary


def test_a_users_reads_after_their_own_write_use_the_primary(city, admin_user, city_staff, monkeypatch):
    admin = login(admin_user)
    assert "70,0%" in page(admin, "overview")  # nothing written yet: the replica

    response = add_quota(admin, city)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Quota.objects.using(DEFAULT_DB_ALIAS).filter(metric=Metric.NEW_UNIONS).count() == 1
    assert Quota.objects.using(REPLICA).filter(metric=Metric.NEW_UNIONS).count() == 0

    # right after the write the writer reads the primary: 4 of 10, and the new quota
    html = page(admin, "overview")
    assert "40,0%" in html and "70,0%" not in html
    # someone else, who wrote nothing, still reads the replica
    assert "70,0%" in page(login(city_staff), "overview")

    # once the pin has run out, the writer is back on the replica
    later = routers._now() + settings.REPLICA_PIN_SECONDS + 1
    monkeypatch.setattr(routers, "_now", lambda: later)
    html = page(admin, "overview")
    assert "70,0%" in html and "40,0%" not in html


def test_any_unsafe_request_sets_a_signed_short_pin(city, city_staff):
    client = login(city_staff)
    response = client.get(reverse("overview"))
    assert PIN_COOKIE_NAME not in response.cookies  # reading never pins

    response = client.post(reverse("set_language"), {"language": "en", "next": "/overview/"})
    assert response.status_code == 302
    pin = response.cookies[PIN_COOKIE_NAME]
    assert pin["max-age"] == 10 and pin["httponly"] and pin["samesite"] == "Lax"
    html = page(client, "overview")  # now in English, from the primary
    assert "40.0%" in html and "70.0%" not in html

    # a pin the server did not sign is ignored
    forged = Client()
    forged.force_login(city_staff)
    forged.cookies[PIN_COOKIE_NAME] = "99999999999.000"
    assert "70,0%" in page(forged, "overview")


@override_settings(REPLICA_PIN_SECONDS=0)
def test_a_zero_pin_keeps_writers_on_the_replica(city, admin_user):
    admin = login(admin_user)
    response = add_quota(admin, city)
    assert response.status_code == 302
    assert PIN_COOKIE_NAME not in response.cookies
    assert "70,0%" in page(admin, "overview")


def test_router_rules(city):
    User = get_user_model()
    assert router.db_for_read(Member) == DEFAULT_DB_ALIAS  # outside replica_reads()
    with replica_reads():
        for model in (Federation, GrassrootsUnion, Member, Quota, Quota.history.model):
            assert router.db_for_read(model) == REPLICA, model
            assert router.db_for_write(model) == DEFAULT_DB_ALIAS, model
        # who may see what is always read from the primary
        for model in (User, User.groups.through, Session):
            assert router.db_for_read(model) == DEFAULT_DB_ALIAS, model
        with primary_reads():
            assert router.db_for_read(Member) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Member) == REPLICA
    assert router.allow_migrate_model(DEFAULT_DB_ALIAS, Member)
    assert not router.allow_migrate_model(REPLICA, Member)
    primary_row = Federation.objects.get(code="fed-a")
    with replica_reads():
        replica_row = Federation.objects.get(code="fed-a")
    assert (primary_row._state.db, replica_row._state.db) == (DEFAULT_DB_ALIAS, REPLICA)
    assert router.allow_relation(primary_row, replica_row)


def test_settings_add_the_replica_only_when_asked(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    plain = runpy.run_path(str(SETTINGS_FILE))
    assert "replica" not in plain["DATABASES"]
    assert "DATABASE_ROUTERS" not in plain
    assert PIN_MIDDLEWARE not in plain["MIDDLEWARE"]

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica.internal:5432/unionboard")
    monkeypatch.setenv("REPLICA_PIN_SECONDS", "4")
    wired = runpy.run_path(str(SETTINGS_FILE))
    replica = wired["DATABASES"]["replica"]
    assert (replica["HOST"], replica["NAME"], replica["USER"]) == ("replica.internal", "unionboard", "reader")
    assert replica["TEST"] == {"MIRROR": "default"}
    assert "pool" in replica["OPTIONS"] and replica["CONN_MAX_AGE"] == 0
    assert wired["DATABASE_ROUTERS"] == [ROUTER]
    assert wired["MIDDLEWARE"][-1] == PIN_MIDDLEWARE
    assert wired["REPLICA_PIN_SECONDS"] == 4
