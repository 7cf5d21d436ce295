"""`make bench`: measure Unionboard's pages at several data sizes and write docs/performance.md.

For each scale it loads the demo city at that size (load_demo --scale, COPY on
PostgreSQL), then, in this process through Django's test client (server time, no
network), requests each page after a warm-up and records the median and p95 time and
the SQL query count: cold (each request right after a write, so the page computes
everything) and warm (repeated, served from the page cache). It times "the floor": the
raw SQL behind the rankings figures, run straight through the database driver. With
--load-run it also starts gunicorn with 4 workers and drives it with wrk (16
connections, 60 s) over a mix of pages, as served and with nothing cached. With
--indicators 12 it then puts 12 indicators in force in the measured year (the two
membership ones and 10 reported ones, each with a quota and reports for every federation)
and measures the overview, the rankings and a federation page cold again, beside the
figures with the demo's indicators and the floor of every indicator's SQL.

    DATABASE_URL=postgres://... python bench/run.py --scales small,city [--load-run] [--indicators 12]

Not a test: nothing here asserts; it measures and writes the figures down.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STATIC_ROOT = Path(tempfile.gettempdir()) / "unionboard-bench-static"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionboard.settings")
os.environ.update(
    {
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": str(STATIC_ROOT),
    }
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from branches.models import Federation  # noqa: E402
from members.models import Member  # noqa: E402
from targets import services  # noqa: E402
from targets.models import GOOD_GRADES, Indicator, Source, Unit  # noqa: E402
from targets.progress import METRICS  # noqa: E402
from unionboard import revisions  # noqa: E402

PERFORMANCE_MD = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:pages:start -->", "<!-- bench:pages:end -->"


def pages(year: int) -> list[tuple[str, str, str]]:
    """(label, user, path) of every page measured."""
    deep = 2000
    return [
        ("City overview", "city.staff", f"/overview/?year={year}"),
        ("Rankings", "city.staff", f"/rankings/?year={year}"),
        ("Federation page (Thanh Xuân)", "city.staff", f"/federations/thanh-xuan/?year={year}"),
        ("Unions list", "city.staff", "/unions/"),
        ("Members list, first page", "city.staff", "/members/"),
        ("Members list, filtered", "city.staff", "/members/?q=nguyen+thi&admitted_year=2024&gender=female"),
        (f"Members list, page {deep}", "city.staff", f"/members/?page={deep}"),
        ("Admin members changelist", "admin", "/admin/members/member/"),
        ("Admin quota changelist", "admin", "/admin/targets/quota/"),
        ("export_rankings CSV (page)", "city.staff", f"/rankings/export.csv?year={year}"),
        ("export_rankings XLSX (page)", "city.staff", f"/rankings/export.xlsx?year={year}"),
    ]


def indicator_pages(year: int, codes: list[str]) -> list[tuple[str, str, str]]:
    """(label, user, path) of the pages measured again with more indicators in force: as first
    shown (the membership two chosen, every indicator computed) and with every one chosen."""
    every = "".join(f"&indicator={code}" for code in codes)
    return [
        ("City overview", "city.staff", f"/overview/?year={year}"),
        ("City overview, every indicator chosen", "city.staff", f"/overview/?year={year}{every}"),
        ("Rankings", "city.staff", f"/rankings/?year={year}"),
        ("Rankings, every indicator chosen", "city.staff", f"/rankings/?year={year}{every}"),
        ("Federation page (Thanh Xuân)", "city.staff", f"/federations/thanh-xuan/?year={year}"),
    ]


BENCH_REASON = "Benchmark: indicators in force"


def put_in_force(year: int, count: int) -> list[str]:
    """Put `count` indicators in force in `year` for every federation open at its end: the two
    membership ones (the demo's quotas) and count - 2 reported ones, each with a fixed quota
    (weight 1, so it scores) and two year-to-date reports (30 June, 31 December), written
    through targets.services as the admin and the officers' form write them. Deterministic:
    the figures follow from the federation's and the indicator's place, so a second run
    writes nothing. Returns the codes in force."""
    reported = list(
        Indicator.objects.filter(active=True, source=Source.REPORTED).order_by("order", "code")[: count - 2]
    )
    if len(reported) < count - 2:
        raise SystemExit(f"--indicators {count}: only {len(reported)} reported indicators are active")
    end = datetime.date(year, 12, 31)
    federations = [fed for fed in Federation.objects.order_by("code") if fed.is_open_on(end)]
    for i, fed in enumerate(federations):
        for j, ind in enumerate(reported):
            scale = 1_000_000 if ind.unit == Unit.DONG else 1
            target = 90 if ind.is_percent else (100 + 37 * i + 11 * j) * scale
            services.quota_set(federation=fed, year=year, metric=ind.code, target=target, reason=BENCH_REASON)
            for as_of, share in ((datetime.date(year, 6, 30), 30 + (i + j) % 20),
                                 (end, 60 + (3 * i + j) % 60)):
                services.report_set(federation=fed, indicator=ind, as_of=as_of,
                                    value=min(target * share // 100, 100 if ind.is_percent else target * 2))
    return [*METRICS, *(ind.code for ind in reported)]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


_EPOCH = f"WHERE federation_id = {revisions.CITY} AND year = {revisions.EPOCH}"


def revise(to: int | None = None) -> None:
    """Every page cold: the epoch that every page's key reads moves (unionboard.revisions)."""
    with connection.cursor() as cursor:
        token = "token + 1" if to is None else str(int(to))
        cursor.execute(f"UPDATE {revisions.REVISIONS} SET token = {token} {_EPOCH}")


def epoch_token() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {revisions.REVISIONS} {_EPOCH}")
        return int(cursor.fetchone()[0])


def timed(client: Client, path: str, requests: int, before=None) -> list[float]:
    times = []
    for _ in range(requests):
        if before:
            before()
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return times


def count_queries(client: Client, path: str) -> tuple[int, int]:
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.get(path)
    return len(queries), response.status_code


def measure(client: Client, path: str, requests: int) -> dict:
    """One page, cold (each request right after a write) and warm (repeated, nothing written).

    Times are server time in ms (median, p95); queries are those of one request.
    """
    for _ in range(3):  # warm-up: templates, connections, the user's permissions
        revise()
        client.get(path)
    revise()
    cold_queries, status = count_queries(client, path)
    warm_queries, _status = count_queries(client, path)
    cold = timed(client, path, requests, before=revise)
    client.get(path)
    warm = timed(client, path, requests)
    return {
        "cold": (statistics.median(cold), percentile(cold, 95)),
        "warm": (statistics.median(warm), percentile(warm, 95)),
        "queries": (cold_queries, warm_queries),
        "status": status,
    }


def floor_ms(year: int, requests: int, every_indicator: bool = False) -> float:
    """The raw SQL that computes the rankings figures, straight through the driver (median, ms).

    `every_indicator`: also what the league reads for the other indicators (the indicators in
    force, the reports of the year and the year before, the union ratings)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    before_start, before_end = datetime.date(year - 1, 1, 1), datetime.date(year - 1, 12, 31)
    statements = [
        (
            "SELECT federation_id, sum(admitted) FILTER (WHERE day BETWEEN %s AND %s),"
            " sum(admitted) FILTER (WHERE day BETWEEN %s AND %s) FROM members_admissiontally"
            " WHERE day BETWEEN %s AND %s OR day BETWEEN %s AND %s GROUP BY 1",
            [start, end, before_start, before_end, start, end, before_start, before_end],
        ),
        (
            "SELECT founding_federation_id, count(*) FILTER (WHERE founded_on BETWEEN %s AND %s),"
            " count(*) FILTER (WHERE founded_on BETWEEN %s AND %s) FROM branches_grassrootsunion"
            " WHERE founded_on BETWEEN %s AND %s OR founded_on BETWEEN %s AND %s GROUP BY 1",
            [start, end, before_start, before_end, start, end, before_start, before_end],
        ),
        (
            "SELECT federation_id, year, metric, target FROM targets_quota WHERE year IN (%s, %s)",
            [year, year - 1],
        ),
        ("SELECT id, code, name FROM branches_federation ORDER BY code", []),
    ]
    if every_indicator:
        statements += [
            ('SELECT id, code, unit, source FROM targets_indicator WHERE active ORDER BY "order", code', []),
            (
                "SELECT r.federation_id, i.code, r.as_of, r.value FROM targets_report r"
                " JOIN targets_indicator i ON i.id = r.indicator_id WHERE r.as_of BETWEEN %s AND %s"
                " AND NOT (r.as_of > %s AND r.as_of < %s) ORDER BY r.as_of",
                [before_start, datetime.date(year, 12, 31), before_end, start],
            ),
            (
                "SELECT u.federation_id, r.year, u.sector, count(*),"
                " count(*) FILTER (WHERE r.grade IN (%s, %s)) FROM targets_unionrating r"
                " JOIN branches_grassrootsunion u ON u.id = r.union_id WHERE r.year IN (%s, %s)"
                " GROUP BY 1, 2, 3",
                [*GOOD_GRADES, year, year - 1],
            ),
        ]
    raw = connection.connection  # the driver's own connection: no ORM on the way
    times = []
    for n in range(requests + 3):
        started = time.perf_counter()
        cursor = raw.cursor()
        for sql, params in statements:
            if connection.vendor == "sqlite":
                sql = sql.replace("%s", "?")
            cursor.execute(sql, params)
            cursor.fetchall()
        cursor.close()
        if n >= 3:
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    db = f"PostgreSQL {connection.pg_version // 10000}" if connection.vendor == "postgresql" else "SQLite"
    return f"{platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}, {db}"


def bench_scale(scale: str, requests: int, skip_load: bool, indicators: int = 0) -> dict:
    load_seconds = None
    if not skip_load:
        started = time.monotonic()
        call_command("load_demo", scale=scale, force=True, verbosity=0)
        load_seconds = time.monotonic() - started
    else:
        call_command("load_demo", if_empty=True, verbosity=0)
    year = 2024
    clients = {}
    for username in ("city.staff", "admin"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        clients[username] = client
    rows = []
    for label, user, path in pages(year):
        result = measure(clients[user], path, requests)
        rows.append({"label": label, **result})
        (cold, cold_p95), (warm, warm_p95) = result["cold"], result["warm"]
        print(
            f"  {scale:>6} {label:<34} cold {cold:7.1f} / {cold_p95:7.1f} ms"
            f"  warm {warm:6.1f} / {warm_p95:6.1f} ms  queries {result['queries']}  {result['status']}"
        )
    command_times = []
    for fmt in ("csv", "xlsx"):
        times = []
        for _ in range(max(5, requests // 4)):
            started = time.perf_counter()
            out = Path(tempfile.gettempdir()) / f"bench-rankings.{fmt}"
            call_command("export_rankings", year=year, format=fmt, output=str(out))
            times.append((time.perf_counter() - started) * 1000)
        command_times.append(
            (f"`manage.py export_rankings --format {fmt}`", statistics.median(times), percentile(times, 95))
        )
    floor = floor_ms(year, requests)
    result = {
        "scale": scale,
        "members": Member.objects.count(),
        "load_seconds": load_seconds,
        "rows": rows,
        "commands": command_times,
        "floor": floor,
    }
    if indicators:
        result["indicators"] = bench_indicators(year, indicators, requests, clients["city.staff"], floor)
    return result


def bench_indicators(year: int, count: int, requests: int, client: Client, floor: float) -> dict:
    """The dashboards cold with the demo's indicators, then with `count` in force, beside the
    SQL each page runs (replayed through the driver).

    The indicators are put in force in a transaction rolled back at the end, so the database
    is left as loaded and a second run measures the same; the epoch then moves past every
    revision token the measurement used, so nothing cached under them is read again.
    """
    before = [{"label": label, **measure(client, path, requests)}
              for label, _user, path in indicator_pages(year, list(METRICS))[::2]]
    after = []
    with transaction.atomic():
        codes = put_in_force(year, count)
        for label, _user, path in indicator_pages(year, codes):
            result = measure(client, path, requests)
            sql_ms, statements = page_sql_ms(client, path, requests)
            after.append({"label": label, **result, "sql": (sql_ms, statements)})
            cold, cold_p95 = result["cold"]
            print(f"  {count} indicators: {label:<38} cold {cold:7.1f} / {cold_p95:7.1f} ms"
                  f"  queries {result['queries']}  SQL {sql_ms:.1f} ms ({statements})  {result['status']}")
        floor_every = floor_ms(year, requests, every_indicator=True)
        used = epoch_token()
        transaction.set_rollback(True)
    revise(to=used + 1)
    return {"count": count, "before": before, "after": after, "floor": floor, "floor_every": floor_every}


LOAD_PATHS = [
    "/overview/?year=2024",
    "/rankings/?year=2024",
    "/federations/thanh-xuan/?year=2024",
    "/unions/",
    "/members/",
    "/members/?q=nguyen&admitted_year=2024",
]


def load_runs(seconds: int = 60, connections: int = 16) -> str:
    """The load run as served, then with nothing cached (every view as if after a write)."""
    if not shutil.which("wrk"):
        return "_Load run skipped: `wrk` is not installed (`apt-get install -y wrk`)._"
    rows = [
        load_run("as served (content cached under the data fingerprint)", {}, seconds, connections),
        load_run("nothing cached (`CONTENT_CACHE_SECONDS=0`)", {"CONTENT_CACHE_SECONDS": "0"},
                 seconds, connections),
    ]
    return (
        f"gunicorn, 4 workers; wrk, {connections} connections for {seconds} s over "
        f"{len(LOAD_PATHS)} pages ({', '.join(f'`{p}`' for p in LOAD_PATHS)}) as a logged-in city staff "
        "user, on the same two cores as PostgreSQL and wrk.\n\n"
        "| run | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n" + "".join(rows)
    )


def load_run(label: str, env: dict, seconds: int, connections: int) -> str:
    """gunicorn with 4 workers, driven by wrk over a mix of pages as a logged-in city staff user."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="city.staff"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "unionboard.wsgi",
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    paths = LOAD_PATHS
    script = Path(tempfile.gettempdir()) / "unionboard-mix.lua"
    script.write_text(
        # Any answer but 200 counts as an error: a lost session would be 302s to the login page.
        "local paths = {" + ", ".join(f'"{p}"' for p in paths) + "}\n"
        "local i = 0\n"
        "local threads = {}\n"
        f'wrk.headers["Cookie"] = "{settings.SESSION_COOKIE_NAME}={session}"\n'
        "setup = function(thread) table.insert(threads, thread) end\n"
        "init = function(args) not_ok = 0 end\n"
        "request = function() i = i % #paths + 1; return wrk.format(nil, paths[i]) end\n"
        "response = function(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end\n"
        "done = function(summary, latency, requests)\n"
        "  local bad = 0\n"
        "  for _, thread in ipairs(threads) do bad = bad + thread:get('not_ok') end\n"
        "  io.write(string.format('RESULT %d %d %d %.1f %.1f %.1f %d\\n',\n"
        "    summary.requests, summary.duration,\n"
        "    bad + summary.errors.connect + summary.errors.read + summary.errors.write\n"
        "    + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000,\n"
        "    latency:percentile(99) / 1000, bad))\n"
        "end\n"
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        subprocess.run(
            ["wrk", "-t2", "-c4", "-d5s", "-s", str(script), f"http://127.0.0.1:{port}/"],
            capture_output=True,
            check=False,
        )  # warm-up
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", result.stdout)
    if not match:
        return f"| {label} | failed: {result.stderr.strip()[:200]} | | | | | |\n"
    total, micros, errors, p50, p95, p99, _status = match.groups()
    rps = int(total) / (int(micros) / 1e6)
    print(f"  load run, {label}: {rps:.0f} requests/s, p95 {float(p95):.1f} ms, {errors} errors")
    return (
        f"| {label} | {int(total):,} | {rps:.0f} | {float(p50):.1f} | {float(p95):.1f} | {float(p99):.1f}"
        f" | {errors} |\n"
    )


# ---------------------------------------------------------------------------------------
# The drive: readers of the current year's pages while officers admit members.

DRIVE_START, DRIVE_END = "<!-- bench:drive:start -->", "<!-- bench:drive:end -->"
DRIVE_REDIS = "redis://127.0.0.1:6379/11"
WRITER_PREFIX = "bench.writer."


def drive_pages(year: int) -> list[tuple[str, str, str]]:
    """(label, user, path) of the current year's pages measured cold against their SQL."""
    return [
        ("City overview", "city.staff", f"/overview/?year={year}"),
        ("Rankings", "city.staff", f"/rankings/?year={year}"),
        ("Federation page (Thanh Xuân)", "city.staff", f"/federations/thanh-xuan/?year={year}"),
        ("Members list (officer of Thanh Xuân)", "officer.thanhxuan", "/members/"),
        ("Unions list (officer of Thanh Xuân)", "officer.thanhxuan", "/unions/"),
        ("Members list (city staff)", "city.staff", "/members/"),
    ]


def drive_reads(year: int) -> list[tuple[str, str]]:
    """(user, path) of the readers' mix: city staff on the dashboards, officers on their pages.

    City staff's lists show every admission in the city, so every write makes them cold:
    they are measured cold (drive_pages), not read in the mix; the lists of a drive are
    the officers'.
    """
    staff = [
        f"/overview/?year={year}",
        f"/rankings/?year={year}",
        *(f"/federations/{code}/?year={year}" for code in ("thanh-xuan", "ba-dinh", "son-tay", "my-duc")),
    ]
    officers = [
        (user, path)
        for user, code in (("officer.thanhxuan", "thanh-xuan"), ("officer.badinh", "ba-dinh"))
        for path in (f"/federations/{code}/", "/members/", "/unions/")
    ]
    return [("city.staff", path) for path in staff] + officers


_SHELL_TABLES = ("django_session", '"auth_user"', revisions.REVISIONS)


def page_sql_ms(client: Client, path: str, requests: int) -> tuple[float, int]:
    """The SQL a cold page runs to compute its content, replayed through the driver (median ms).

    The reads every view makes (session, user, revisions) are left out: a warm view makes them too.
    """
    revise()
    queries = []

    def capture(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        queries.append(connection.ops.last_executed_query(context["cursor"], sql, params))
        return result

    with connection.execute_wrapper(capture):
        client.get(path)
    statements = []
    for sql in queries:
        if any(f"FROM {t}" in sql for t in _SHELL_TABLES) or sql.startswith(("FETCH", "CLOSE")):
            continue
        # A server-side cursor (an iterator) replays as its query.
        declared = re.match(r"DECLARE .*? CURSOR (?:WITH(?:OUT)? HOLD )?FOR (.*)", sql, re.DOTALL)
        statements.append(declared.group(1) if declared else sql)
    raw = connection.connection
    times = []
    for n in range(requests + 3):
        started = time.perf_counter()
        cursor = raw.cursor()
        for sql in statements:
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()
        cursor.close()
        if n >= 3:
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(statements)


def drive_cold(requests: int) -> list[dict]:
    """Each current-year page cold (median, p95) beside the SQL it runs (its floor)."""
    year = datetime.date.today().year
    clients: dict[str, Client] = {}
    rows = []
    for label, user, path in drive_pages(year):
        if user not in clients:
            clients[user] = Client()
            clients[user].force_login(get_user_model().objects.get(username=user))
        client = clients[user]
        for _ in range(3):
            revise()
            client.get(path)
        cold = timed(client, path, requests, before=revise)
        floor, statements = page_sql_ms(client, path, requests)
        rows.append({"label": label, "cold": (statistics.median(cold), percentile(cold, 95)),
                     "floor": floor, "statements": statements})
        print(f"  cold {label:<40} {statistics.median(cold):7.1f} / {percentile(cold, 95):7.1f} ms"
              f"  SQL {floor:6.1f} ms ({statements} statements)")
    return rows


def _writer_users() -> list[tuple[str, int]]:
    """An officer per federation (created once), each with an active union to admit into."""
    from django.contrib.auth.models import Group

    from branches.models import Federation, GrassrootsUnion
    from unionboard import roles

    today = datetime.date.today()
    group = Group.objects.get(name=roles.OFFICER_GROUP)
    writers = []
    for federation in Federation.objects.order_by("code"):
        union = (
            GrassrootsUnion.objects.filter(federation=federation, founded_on__lte=today)
            .active_on(today).order_by("code").first()
        )
        if union is None:
            continue
        user, created = get_user_model().objects.get_or_create(username=WRITER_PREFIX + federation.code)
        if created:
            user.groups.add(group)
            federation.officers.add(user)
        writers.append((user.username, union.pk))
    return writers


def _session(username: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Writer:
    """Officers admitting members dated today through the members form, at a steady rate.

    Arrivals are scheduled (one every 1/rate seconds) and served by a few threads, so a slow
    answer delays that officer, not the next one: the rate is what the server is offered.
    """

    THREADS = 8

    def __init__(self, port: int, writers: list[tuple[str, int]]):
        import http.client

        self.port, self.stamp = port, datetime.datetime.now().strftime("%H%M%S")
        self.accounts = []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for username, union in writers:
            cookie = f"{settings.SESSION_COOKIE_NAME}={_session(username)}"
            conn.request("GET", "/members/new/", headers={"Cookie": cookie})
            response = conn.getresponse()
            body = response.read().decode()
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
            cookie += "; " + "; ".join(
                value.split(";")[0] for name, value in response.getheaders() if name.lower() == "set-cookie"
            )
            self.accounts.append((cookie, csrf, union))
        conn.close()
        self.sequence = 0  # card numbers stay unique across runs
        self.latencies: list[float] = []
        self.errors = 0
        self.count = 0

    def run(self, rate: float, stop) -> None:
        import threading

        started = time.monotonic()
        first = self.sequence
        lock = threading.Lock()

        def work() -> None:
            import http.client
            import urllib.parse

            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            today = datetime.date.today().isoformat()
            while not stop.is_set():
                with lock:
                    n = self.sequence
                    self.sequence += 1
                wait = started + (n - first) / rate - time.monotonic()
                if wait > 0 and stop.wait(wait):
                    break
                cookie, csrf, union = self.accounts[n % len(self.accounts)]
                body = urllib.parse.urlencode({
                    "csrfmiddlewaretoken": csrf, "card_no": f"BENCH{self.stamp}{n:06d}",
                    "full_name": "Nguyễn Thị Thử", "gender": "female", "birth_date": "1996-04-05",
                    "union": union, "admitted_on": today,
                })
                began = time.perf_counter()
                try:
                    conn.request("POST", "/members/new/", body=body, headers={
                        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 302
                except OSError:
                    conn.close()
                    ok = False
                with lock:
                    self.count += 1
                    self.latencies.append((time.perf_counter() - began) * 1000)
                    self.errors += not ok

        threads = [threading.Thread(target=work) for _ in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _children_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process's children: the gunicorn workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _drive_script(reads: list[tuple[str, str]], sessions: dict[str, str]) -> Path:
    script = Path(tempfile.gettempdir()) / "unionboard-drive.lua"
    entries = ", ".join(
        f'{{"{path}", "{settings.SESSION_COOKIE_NAME}={sessions[user]}"}}' for user, path in reads
    )
    script.write_text(
        "local reqs = {" + entries + "}\n"
        "local i = 0\n"
        "local threads = {}\n"
        "setup = function(thread) table.insert(threads, thread) end\n"
        "init = function(args) not_ok = 0; hit = 0; partial = 0; miss = 0 end\n"
        "request = function() i = i % #reqs + 1\n"
        '  return wrk.format("GET", reqs[i][1], {["Cookie"] = reqs[i][2]}) end\n'
        "response = function(status, headers, body)\n"
        "  if status ~= 200 then not_ok = not_ok + 1 end\n"
        '  local c = headers["X-Content-Cache"]\n'
        '  if c == "hit" then hit = hit + 1 elseif c == "partial" then partial = partial + 1\n'
        '  elseif c == "miss" then miss = miss + 1 end\n'
        "end\n"
        "done = function(summary, latency, requests)\n"
        "  local bad, h, p, m = 0, 0, 0, 0\n"
        "  for _, t in ipairs(threads) do\n"
        "    bad = bad + t:get('not_ok'); h = h + t:get('hit')\n"
        "    p = p + t:get('partial'); m = m + t:get('miss')\n"
        "  end\n"
        "  io.write(string.format('RESULT %d %d %d %.1f %.1f %.1f %d %d %d\\n',\n"
        "    summary.requests, summary.duration,\n"
        "    bad + summary.errors.connect + summary.errors.read + summary.errors.write\n"
        "    + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000,\n"
        "    latency:percentile(99) / 1000, h, p, m))\n"
        "end\n"
    )
    return script


def drive_runs(rates: list[float], seconds: int, connections: int, workers: int,
               app_root: Path = ROOT) -> list[dict]:
    """gunicorn on Redis, wrk reading the current year's pages, officers writing at each rate.

    `app_root`: the checkout gunicorn serves (another one measures the code before a change
    on a database of its own schema, with the same readers and writers).
    """
    import threading

    year = datetime.date.today().year
    reads = drive_reads(year)
    sessions = {user: _session(user) for user in {user for user, _ in reads}}
    writers = _writer_users()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "unionboard.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=app_root, env={**os.environ, "REDIS_URL": os.environ.get("REDIS_URL") or DRIVE_REDIS},
    )
    script = _drive_script(reads, sessions)
    results = []
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        writer = Writer(port, writers)
        for rate in rates:
            subprocess.run(["wrk", "-t2", "-c4", "-d5s", "-s", str(script), f"http://127.0.0.1:{port}/"],
                           capture_output=True, check=False)  # warm-up
            stop = threading.Event()
            writer.latencies, writer.errors, writer.count = [], 0, 0
            thread = threading.Thread(target=writer.run, args=(rate, stop)) if rate else None
            load_before = os.getloadavg()[0]
            cpu_before = _children_cpu(server.pid)
            if thread:
                thread.start()
            result = subprocess.run(
                ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
                 f"http://127.0.0.1:{port}/"],
                capture_output=True, text=True, check=False,
            )
            stop.set()
            if thread:
                thread.join()
            cpu = _children_cpu(server.pid) - cpu_before
            match = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+) (\d+)",
                              result.stdout)
            if not match:
                print(f"  drive run at {rate}/s failed: {result.stderr.strip()[:300]}")
                results.append({"rate": rate, "failed": result.stderr.strip()[:200]})
                continue
            total, micros, errors, p50, p95, p99, hit, partial, miss = match.groups()
            duration = int(micros) / 1e6
            row = {
                "rate": rate, "requests": int(total), "rps": int(total) / duration,
                "p50": float(p50), "p95": float(p95), "p99": float(p99), "errors": int(errors),
                "hit": int(hit), "partial": int(partial), "miss": int(miss),
                "writes": writer.count, "write_errors": writer.errors,
                "write_p95": percentile(writer.latencies, 95) if writer.latencies else None,
                "cpu_ms": cpu * 1000 / (int(total) + writer.count),
                "load": (load_before, os.getloadavg()[0]),
            }
            results.append(row)
            print(f"  drive {rate}/s: {row['rps']:.0f} req/s, p95 {row['p95']:.0f} ms, hits {row['hit']}"
                  f" partial {row['partial']} miss {row['miss']}, {row['errors']} errors, writes"
                  f" {row['writes']} ({row['write_errors']} failed), CPU {row['cpu_ms']:.1f} ms/request")
    finally:
        server.terminate()
        server.wait(timeout=20)
        Member.objects.filter(card_no__startswith="BENCH").delete()
    return results


def render_drive(cold: list[dict], runs: list[dict], requests: int, seconds: int, connections: int,
                 workers: int, baseline: list[dict] | None = None) -> str:
    year = datetime.date.today().year
    lines = [
        DRIVE_START, "", "## During a drive", "",
        f"Measured {datetime.date.today():%Y-%m-%d} by `bench/run.py --drive` on {machine()}, the city "
        "scale loaded once; Redis as the shared cache, as in production. The machine is shared with "
        "other work: timings are noisy, and each configuration ran once.", "",
        "### The current year's pages, cold, against their SQL", "",
        f"Right after a write that the page reads (median / p95 over {requests} requests, server time in "
        "Django). SQL: the statements the page runs to compute its content, replayed through the driver "
        "(the session, user and revision reads every view makes left out). Target: cold within 2 × SQL "
        "+ 10 ms.", "",
        "| page | cold ms | SQL ms (statements) | 2 × SQL + 10 ms | target |",
        "|---|---:|---:|---:|---|",
    ]
    for row in cold:
        limit = 2 * row["floor"] + 10
        lines.append(
            f"| {row['label']} | {row['cold'][0]:.1f} / {row['cold'][1]:.1f} | {row['floor']:.1f}"
            f" ({row['statements']}) | {limit:.1f} | {'met' if row['cold'][0] <= limit else 'missed'} |"
        )
    base = next((r for r in runs if r.get("rate") == 0 and "rps" in r), None)
    reads = drive_reads(year)
    lines += [
        "", "### Readers while officers admit members", "",
        f"gunicorn, {workers} workers; wrk, {connections} connections for {seconds} s over {len(reads)} "
        "pages of the current year: city staff on " + ", ".join(
            f"`{p}`" for u, p in reads if u == "city.staff") + "; the officers of Thanh Xuân and Ba Đình on "
        "their federation's page, members and unions lists. Beside them officers of every federation "
        "admit members dated today through the members form (`POST /members/new/`, one federation after "
        "another), at the rate shown. Hit: the page's content all from the cache; partial: some of it "
        "(a federation page whose rank was recomputed). CPU: the gunicorn workers' CPU time per request "
        "(reads and writes; PostgreSQL, Redis and wrk not included).", "",
        "| admissions/s | requests/s | × no writes | hit / partial / miss % | p50 ms | p95 ms | p99 ms "
        "| errors | writes (failed) | write p95 ms | CPU ms/request | load avg |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    lines += _drive_rows(runs, base)
    if baseline:
        lines += [
            "", "The same run, the same day, on the code before this change (one revision token per "
            "federation, one cache key for every page; a database of its own, same scale; the code "
            "before sent no cache header, so no hit rate):", "",
            lines[-len(runs) - 2], lines[-len(runs) - 1],
            *_drive_rows(baseline, next((r for r in baseline if r.get("rate") == 0 and "rps" in r), None)),
        ]
    lines += ["", DRIVE_END]
    return "\n".join(lines)


def _drive_rows(runs: list[dict], base: dict | None) -> list[str]:
    lines = []
    for r in runs:
        if "rps" not in r:
            lines.append(f"| {r['rate']:g} | failed: {r['failed']} |" + " |" * 10)
            continue
        cached = r["hit"] + r["partial"] + r["miss"]
        shares = (
            " / ".join(f"{100 * r[kind] / cached:.0f}" for kind in ("hit", "partial", "miss"))
            if cached else "n/a"
        )
        ratio = f"{r['rps'] / base['rps']:.2f}" if base else ""
        write_p95 = f"{r['write_p95']:.0f}" if r["write_p95"] is not None else ""
        lines.append(
            f"| {r['rate']:g} | {r['rps']:.0f} | {ratio} | {shares} | {r['p50']:.0f} | "
            f"{r['p95']:.0f} | {r['p99']:.0f} | {r['errors']} | {r['writes']} ({r['write_errors']}) | "
            f"{write_p95} | {r['cpu_ms']:.1f} | {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    return lines


def write_drive(section: str) -> None:
    text = PERFORMANCE_MD.read_text()
    if DRIVE_START in text and DRIVE_END in text:
        text = text[: text.index(DRIVE_START)] + section + text[text.index(DRIVE_END) + len(DRIVE_END):]
    else:
        text = text.replace(START, section + "\n\n" + START, 1)
    PERFORMANCE_MD.write_text(text)


def render(results: list[dict], load: str | None, requests: int) -> str:
    lines = [
        START,
        "",
        "## Pages, by data size",
        "",
        f"Measured {datetime.date.today():%Y-%m-%d} by `make bench` on {machine()}. "
        f"Server time is the time in Django (test client, no network) over {requests} requests after "
        "3 warm-up requests; the query count is that of one request. DEBUG off.",
        "",
        "",
    ]
    def page_table(kind: str) -> list[str]:
        header = " | ".join(f"{r['scale']} ({r['members']:,} members)" for r in results)
        rows = [f"| page | {header} |", "|---|" + "---:|" * len(results)]
        for index, row in enumerate(results[0]["rows"]):
            cells = []
            for r in results:
                cell = r["rows"][index]
                median, p95 = cell[kind]
                queries = cell["queries"][0 if kind == "cold" else 1]
                status = "" if cell["status"] == 200 else f" ({cell['status']})"
                cells.append(f"{median:.1f} / {p95:.1f}, {queries} q{status}")
            rows.append(f"| {row['label']} | " + " | ".join(cells) + " |")
        return rows

    lines += [
        "### First view after a write (cold)",
        "",
        "Before each request the revisions every page reads move (as after a bulk load), so the "
        "page computes and renders everything: median / p95 ms, queries.",
        "",
        *page_table("cold"),
    ]
    for index, (label, *_rest) in enumerate(results[0]["commands"]):
        cells = [f"{r['commands'][index][1]:.1f} / {r['commands'][index][2]:.1f}" for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "### Repeat view (warm)",
        "",
        "The same page again with nothing written in between: its content comes from the cache "
        "(the session, the user, the access token and the revisions it reads are read). The "
        "exports are computed every time.",
        "",
        *page_table("warm"),
        "",
        "### The floor",
        "",
        "The raw SQL that computes the rankings figures (admissions from the admission tally and "
        "foundings, grouped by credited federation, for the year and the year before; quotas; "
        "federations), run through the driver. Target: overview and rankings within 2 × floor + 30 ms.",
        "",
        "| scale | floor ms | 2 × floor + 30 ms | overview cold / warm ms | rankings cold / warm ms "
        "| target, cold | target, warm |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        limit = 2 * r["floor"] + 30
        overview, rankings = r["rows"][0], r["rows"][1]
        verdict = {
            kind: "met" if max(overview[kind][0], rankings[kind][0]) <= limit else "missed"
            for kind in ("cold", "warm")
        }
        lines.append(
            f"| {r['scale']} | {r['floor']:.1f} | {limit:.1f}"
            f" | {overview['cold'][0]:.1f} / {overview['warm'][0]:.1f}"
            f" | {rankings['cold'][0]:.1f} / {rankings['warm'][0]:.1f}"
            f" | {verdict['cold']} | {verdict['warm']} |"
        )
    for r in results:
        if r.get("indicators"):
            lines += ["", *indicator_table(r)]
    loads = [r for r in results if r["load_seconds"] is not None]
    if loads:
        lines += ["", "### Loading the data", "", "| scale | members | seconds |", "|---|---:|---:|"]
        lines += [f"| {r['scale']} | {r['members']:,} | {r['load_seconds']:.0f} |" for r in loads]
    if load:
        lines += ["", "### Load run", "", load]
    lines += ["", END]
    return "\n".join(lines)


def indicator_table(r: dict) -> list[str]:
    """The dashboards cold with the demo's indicators and with more in force, against the
    targets: p95 under 200 ms, and within 2 × the floor of every indicator's SQL + 10 ms."""
    ind = r["indicators"]
    count, floor = ind["count"], ind["floor_every"]
    limit = 2 * floor + 10
    before = {row["label"]: row for row in ind["before"]}
    lines = [
        f"### With {count} indicators in force ({r['scale']}, {r['members']:,} members)",
        "",
        f"The same pages cold, first with the demo's indicators, then with {count} in force: the two "
        f"membership ones and {count - 2} reported ones, each with a quota and two year-to-date "
        "reports for every federation. Median / p95 ms, queries of one request. Floor: the "
        f"rankings floor ({ind['floor']:.1f} ms) with the indicators, the reports and the union "
        f"ratings the league also reads: {floor:.1f} ms; 2 × floor + 10 ms = {limit:.1f} ms.",
        "",
        f"| page | demo's indicators | {count} indicators | page's SQL ms (statements) | p95 < 200 ms "
        "| median ≤ 2 × floor + 10 ms |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in ind["after"]:
        first = before.get(row["label"])
        was = f"{first['cold'][0]:.1f} / {first['cold'][1]:.1f}, {first['queries'][0]} q" if first else ""
        (median, p95), queries = row["cold"], row["queries"][0]
        lines.append(
            f"| {row['label']} | {was} | {median:.1f} / {p95:.1f}, {queries} q"
            f" | {row['sql'][0]:.1f} ({row['sql'][1]}) | {'met' if p95 < 200 else 'missed'}"
            f" | {'met' if median <= limit else 'missed'} |"
        )
    return lines


def write(section: str) -> None:
    text = PERFORMANCE_MD.read_text() if PERFORMANCE_MD.exists() else "# Performance\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    PERFORMANCE_MD.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="small,city", help="comma-separated: small, demo, city, nation")
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--skip-load", action="store_true", help="measure the data already in the database")
    parser.add_argument("--load-run", action="store_true", help="also run gunicorn + wrk on the last scale")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument(
        "--indicators", type=int, default=0, metavar="N",
        help="then put N indicators in force in the measured year (the membership two and N - 2 reported "
        "ones, with quotas and reports for every federation; written into the database) and measure "
        "the overview, rankings and federation page cold again",
    )
    parser.add_argument(
        "--drive", action="store_true",
        help="measure a membership drive on the data already loaded (load it first with --scales city): "
        "the current year's pages cold against their SQL, then readers beside officers admitting "
        "members at --rates per second, on Redis ($REDIS_URL, default " + DRIVE_REDIS + ")",
    )
    parser.add_argument("--rates", default="0,1,5", help="admissions per second, one load run each")
    parser.add_argument("--seconds", type=int, default=60, help="length of each drive load run")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers for the drive")
    parser.add_argument(
        "--drive-baseline", metavar="CHECKOUT",
        help="only the drive's load runs, served from another checkout (the code before a change) on "
        "the database of $DATABASE_URL, which this leaves unmigrated; kept in --drive-json for --drive",
    )
    parser.add_argument("--drive-json", default=str(Path(tempfile.gettempdir()) / "unionboard-drive.json"))
    parser.add_argument(
        "--add-to", metavar="JSON",
        help="keep the results in this file and write the table from all results in it: "
        "measure each size on its own database, e.g. the nation scale on a second PostgreSQL database",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print(
            "Measuring on SQLite: the figures are printed, docs/performance.md is left alone.\n"
            "For the PostgreSQL figures: createdb -h 127.0.0.1 -U postgres unionboard_bench, then\n"
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionboard_bench make bench"
        )
        args.no_write = True
    if args.drive_baseline:
        call_command("collectstatic", interactive=False, verbosity=0)
        runs = drive_runs([float(r) for r in args.rates.split(",")], args.seconds, 16, args.workers,
                          app_root=Path(args.drive_baseline).resolve())
        Path(args.drive_json).write_text(json.dumps({"baseline": runs}))
        return
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: hashed static names
    if args.drive:
        call_command("load_demo", if_empty=True, verbosity=0)
        cold = drive_cold(args.requests)
        runs = drive_runs([float(r) for r in args.rates.split(",")], args.seconds, 16, args.workers)
        kept = json.loads(Path(args.drive_json).read_text()) if Path(args.drive_json).exists() else {}
        section = render_drive(
            cold, runs, args.requests, args.seconds, 16, args.workers, kept.get("baseline")
        )
        print(section)
        if not args.no_write:
            write_drive(section)
        return
    kept = json.loads(Path(args.add_to).read_text()) if args.add_to and Path(args.add_to).exists() else {}
    results = {r["scale"]: r for r in kept.get("results", [])}
    for scale in args.scales.split(","):
        print(f"== {scale}")
        results[scale] = bench_scale(scale, args.requests, args.skip_load, args.indicators)
    load = load_runs() if args.load_run else kept.get("load")
    ordered = sorted(results.values(), key=lambda r: r["members"])
    if args.add_to:
        Path(args.add_to).write_text(json.dumps({"results": ordered, "load": load}))
    section = render(ordered, load, args.requests)
    print(section)
    if not args.no_write:
        write(section)


if __name__ == "__main__":
    main()
