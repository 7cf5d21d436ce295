"""Configuration that fails at start, not at the first request; demo passwords that do not survive
into production; the health check; headers and methods of the pages; a database that is down.

Starting the application is tried for real: `import unionboard.wsgi` (what gunicorn and runserver
do) in a separate process, with the environment a deployment would set.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings
from django.urls import reverse

from demo.users import DEMO_PASSWORD
from tests import test_authorization as matrix
from tests.factories import MemberFactory, UnionFactory
from unionboard import backends

ROOT = Path(__file__).resolve().parent.parent
# A port nobody listens on: connections are refused at once.
DEAD = "127.0.0.1:9"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Hq-k3Jv9pLm2Zr8Tn4Wc6Yb1Sd5Fg0Ah7Ue3Xo9Ki2Qw6Er4Ty8Ui1Op5As3Df7Gh",
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "0",
}
# With DEBUG off the settings ask for collected static files; a test process has none.
PLAIN_STATIC = (
    "from django.conf import settings; settings.STORAGES = {**settings.STORAGES, 'staticfiles': "
    "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}"
)
world = matrix.world  # the authorization matrix's records, for the CSRF cases
fast_and_isolated = matrix.fast_and_isolated
CLEARED = ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "CACHE_BACKEND", "DEBUG", "SECRET_KEY")


def python(code: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    """Run `code` in a fresh Python with the project's settings and this environment."""
    full_env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    full_env.update({"DJANGO_SETTINGS_MODULE": "unionboard.settings"}, **env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def start(env: dict[str, str], before: str = "") -> subprocess.CompletedProcess:
    """Load the WSGI application as gunicorn does."""
    return python(f"{before}\nimport unionboard.wsgi\nprint('started')", env)


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A migrated SQLite file of this module's own (a child process cannot see the test database)."""
    path = tmp_path_factory.mktemp("configuration") / "db.sqlite3"
    migrate = ("import django; django.setup(); from django.core.management import call_command; "
               "call_command('migrate', verbosity=0)")
    result = python(migrate, {"DATABASE_URL": f"sqlite:///{path}"}, timeout=300)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def sqlite_file(migrated_sqlite, tmp_path) -> str:
    """A copy of it for one test, which may change it."""
    copy = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated_sqlite, copy)
    return f"sqlite:///{copy}"


# --- each backend setting is tried at start ----------------------------------------------------


def test_starts_with_reachable_backends(sqlite_file):
    result = start({"DATABASE_URL": sqlite_file})
    assert result.returncode == 0 and "started" in result.stdout, result.stderr


def test_refuses_to_start_with_an_unreachable_redis(sqlite_file):
    result = start({"DATABASE_URL": sqlite_file, "REDIS_URL": f"redis://{DEAD}/1"})
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and "cache 'default'" in result.stderr
    assert "CACHE_BACKEND=database" in result.stderr  # what to do without Redis


def test_refuses_to_start_without_the_redis_package(sqlite_file):
    """REDIS_URL as the README says, on a machine without the redis package: every cached page
    answered 500 and the server started without a word. (Hiding the package in the child process
    stands for an install that lacks it.)"""
    result = start({"DATABASE_URL": sqlite_file, "REDIS_URL": "redis://127.0.0.1:6379/1"},
                   before="import sys; sys.modules['redis'] = None")
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and "redis" in result.stderr


def test_refuses_to_start_with_an_unreachable_database():
    result = start({"DATABASE_URL": f"postgres://postgres@{DEAD}/unionboard"})
    assert result.returncode != 0 and "database 'default' cannot be reached" in result.stderr


def test_refuses_to_start_with_an_unreachable_replica(sqlite_file):
    result = start({"DATABASE_URL": sqlite_file, "DATABASE_REPLICA_URL": f"postgres://postgres@{DEAD}/unionboard"})
    assert result.returncode != 0 and "database 'replica' cannot be reached" in result.stderr


def test_the_database_cache_needs_its_table_then_starts(sqlite_file):
    env = {"DATABASE_URL": sqlite_file, "CACHE_BACKEND": "database"}
    result = start(env)
    assert result.returncode != 0 and "createcachetable" in result.stderr
    made = python("import django; django.setup(); from django.core.management import call_command; "
                  "call_command('createcachetable')", env)
    assert made.returncode == 0, made.stderr
    result = start(env)
    assert result.returncode == 0 and "started" in result.stdout, result.stderr


@pytest.mark.parametrize("env, message", [
    ({"CACHE_BACKEND": "memcached"}, "CACHE_BACKEND must be one of"),
    ({"CACHE_BACKEND": "redis"}, "needs REDIS_URL"),
])
def test_a_cache_setting_that_names_nothing_is_refused(env, message, sqlite_file):
    result = start({"DATABASE_URL": sqlite_file, **env})
    assert result.returncode != 0 and message in result.stderr


def test_check_deploy_reports_an_unreachable_cache(sqlite_file):
    result = python("import sys, django; django.setup(); from django.core.management import call_command; "
                    "call_command('check', '--deploy')",
                    {**PRODUCTION, "DATABASE_URL": sqlite_file, "REDIS_URL": f"redis://{DEAD}/1"})
    assert result.returncode != 0 and "unionboard.E001" in result.stderr


@pytest.fixture
def redis_url(tmp_path):
    """A real Redis server on a free port, for this test only."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/1"
    finally:
        server.terminate()
        server.wait(10)


def test_pages_are_cached_in_redis_when_redis_url_is_set(redis_url, sqlite_file, client_for, officer_a):
    result = start({"DATABASE_URL": sqlite_file, "REDIS_URL": redis_url})
    assert result.returncode == 0 and "started" in result.stdout, result.stderr
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                               "LOCATION": redis_url}}
    with override_settings(CACHES=redis_cache):
        from django.core.cache import cache

        client = client_for(officer_a)
        assert client.get(reverse("members:member_list")).status_code == 200
        assert client.get(reverse("members:member_list")).status_code == 200
        keys = [key.decode() for key in cache._cache.get_client().keys("*")]
        assert any(":content:members:" in key for key in keys), keys
        assert backends.cache_problems() == {}


# --- the health check ---------------------------------------------------------------------------


@pytest.fixture
def fresh_migration_state(monkeypatch):
    monkeypatch.setattr(backends, "_migrated", False)


def test_healthz_answers_200_with_every_check(client, db, fresh_migration_state):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "checks": {"database:default": "ok", "cache": "ok", "migrations": "ok"}}
    assert "no-store" in response["Cache-Control"]


def test_healthz_names_unapplied_migrations(client, db, fresh_migration_state):
    MigrationRecorder(connection).record_unapplied("members", "0006_card_no_alphabet")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["migrations"] == "failed: 1 not applied"


def test_healthz_names_a_failing_cache(client, db, fresh_migration_state):
    dead = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": f"redis://{DEAD}/1"}}
    with override_settings(CACHES=dead):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "failing" and body["checks"]["cache"] == "failed: ConnectionError"
    assert DEAD not in response.content.decode()  # a probe learns what failed, not where


def test_healthz_names_a_replica_that_is_down(sqlite_file):
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(response.status_code, json.dumps(json.loads(response.content)['checks'], sort_keys=True))\n"
    )
    result = python(code, {**PRODUCTION, "DATABASE_URL": sqlite_file,
                           "DATABASE_REPLICA_URL": f"postgres://postgres@{DEAD}/unionboard"})
    assert result.returncode == 0, result.stderr
    status, checks = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(checks) == {"cache": "ok", "database:default": "ok",
                                  "database:replica": "failed: OperationalError", "migrations": "ok"}


# --- the demo accounts with DEBUG off ------------------------------------------------------------


@pytest.fixture
def demo_admin(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = get_user_model().objects.create_user("admin", password=DEMO_PASSWORD, is_staff=True,
                                                is_superuser=True)
    return user


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_the_demo_password_signs_no_one_in_with_debug_off(url, demo_admin, client, settings):
    """A database loaded with DEBUG on keeps `admin` / `unionboard-demo`; with DEBUG off it is refused."""
    settings.DEBUG = False
    response = client.post(url, {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    settings.DEBUG = True
    response = client.post(url, {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(demo_admin.pk)


def test_another_password_still_signs_the_account_in(demo_admin, client, settings):
    settings.DEBUG = False
    demo_admin.set_password("Mật-khẩu-riêng-2024!")
    demo_admin.save()
    response = client.post("/accounts/login/", {"username": "admin", "password": "Mật-khẩu-riêng-2024!"})
    assert response.status_code == 302


def test_check_deploy_names_the_accounts_with_the_demo_password(demo_admin, settings):
    settings.DEBUG = False
    errors = [error for error in run_checks(include_deployment_checks=True) if error.id == "demo.E001"]
    assert len(errors) == 1 and "admin" in errors[0].msg
    demo_admin.set_password("Mật-khẩu-riêng-2024!")
    demo_admin.save()
    assert not [error for error in run_checks(include_deployment_checks=True) if error.id == "demo.E001"]


# --- pages: private, and only the methods they serve ---------------------------------------------


@pytest.fixture
def records(fed_a):
    union = UnionFactory(code="a-union", federation=fed_a)
    member = MemberFactory(card_no="A-0001", union=union)
    return union, member


def personal_pages(records) -> list[str]:
    union, member = records
    return [
        reverse("members:member_list"), member.get_absolute_url(), reverse("branches:union_list"),
        union.get_absolute_url(), reverse("imports:upload"), reverse("federation_detail", args=["fed-a"]),
        reverse("members:member_create"), reverse("members:member_edit", args=[member.card_no]),
    ]


def test_personal_pages_are_private_and_not_stored(records, client_for, officer_a):
    client = client_for(officer_a)
    for url in personal_pages(records):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (url, response["Cache-Control"])


def test_lists_and_pages_refuse_put_and_delete(records, client_for, officer_a):
    client = client_for(officer_a)
    union, member = records
    urls = personal_pages(records) + [
        reverse("overview"), reverse("rankings"), reverse("rankings_export", args=["csv"]), reverse("home"),
        reverse("imports:template", args=["members", "csv"]),
    ]
    for url in urls:
        for method in ("put", "delete", "patch"):
            assert getattr(client, method)(url).status_code == 405, (method, url)


# --- a database that is down ---------------------------------------------------------------------


@pytest.fixture
def silent_database():
    """A TCP port that accepts connections and never answers: a database server that hangs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"postgres://postgres@127.0.0.1:{server.getsockname()[1]}/unionboard"


def test_a_request_fails_fast_with_the_error_page_while_the_database_is_down(silent_database):
    """The product's 500 page within 2 s (and a little), not after the pool's former 10 s wait.

    A signed-in user's request reads the session first: that is where it meets the database."""
    code = (
        f"{PLAIN_STATIC}\n"
        "import time, django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "client.cookies['sessionid'] = 'a' * 32\n"
        "client.get('/members/')  # the process's first request also loads the code and templates\n"
        "started = time.monotonic()\n"
        "response = client.get('/members/')\n"
        "print(response.status_code, round(time.monotonic() - started, 2),\n"
        "      'error-code' in response.content.decode())\n"
    )
    result = python(code, {**PRODUCTION, "DATABASE_URL": silent_database})
    assert result.returncode == 0, result.stderr
    status, seconds, product_page = result.stdout.strip().splitlines()[-1].split()
    assert status == "500" and product_page == "True"
    assert float(seconds) < 2.6, f"the request took {seconds} s"


# --- CSRF ----------------------------------------------------------------------------------------


def csrf_cases():
    return sorted(name for name, route in matrix.ROUTES.items() if route.post)


@pytest.mark.parametrize("name", csrf_cases())
def test_every_form_refuses_a_post_without_its_csrf_token(name, world):
    """Each route that takes a POST, posted a valid payload without the token by a signed-in user
    who may post there: 403, and nothing written."""
    route = matrix.ROUTES[name]
    case = "A" if "A" in route.cases else route.cases[0]
    client = Client(enforce_csrf_checks=True)
    persona = "officer_a" if route.post.split()[1] not in ("403", "admin_login") else "admin"
    client.force_login(world.users[persona])
    kwargs = route.kwargs(world, case)
    path = reverse(name, args=kwargs.pop("args")) if "args" in kwargs else reverse(name, kwargs=kwargs)
    data = route.data(world, case, Client(), persona) if name != "imports:confirm" else {"token": "x" * 32}
    before = matrix.snapshot()
    assert client.post(path, data).status_code == 403
    assert matrix.snapshot() == before
