"""`make bench`: measure Unionboard's pages at several data sizes and write docs/performance.md.

For each scale it loads the demo city at that size (load_demo --scale, COPY on
PostgreSQL), then, in this process through Django's test client (server time, no
network), requests each page after a warm-up and records the median and p95 time and
the SQL query count: cold (each request right after a write, so the page computes
everything) and warm (repeated, served from the page cache). It times "the floor": the
raw SQL behind the rankings figures, run straight through the database driver. With
--load-run it also starts gunicorn with 4 workers and drives it with wrk (16
connections, 60 s) over a mix of pages, as served and with nothing cached.

    DATABASE_URL=postgres://... python bench/run.py --scales small,city [--load-run]

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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from members.models import Member  # noqa: E402

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


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def revise() -> None:
    """What every write does to the data fingerprint: a federation's revision token moves."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE branches_datarevision SET token = token + 1 WHERE federation_id ="
            " (SELECT min(federation_id) FROM branches_datarevision WHERE federation_id > 0)"
        )


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


def floor_ms(year: int, requests: int) -> float:
    """The raw SQL that computes the rankings figures, straight through the driver (median, ms)."""
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


def bench_scale(scale: str, requests: int, skip_load: bool) -> dict:
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
    return {
        "scale": scale,
        "members": Member.objects.count(),
        "load_seconds": load_seconds,
        "rows": rows,
        "commands": command_times,
        "floor": floor,
    }


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
        "Before each request the data fingerprint moves, as every write moves it, so the page "
        "computes and renders everything: median / p95 ms, queries.",
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
        "(the session, the user, the access token and the data fingerprint are read). The "
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
    loads = [r for r in results if r["load_seconds"] is not None]
    if loads:
        lines += ["", "### Loading the data", "", "| scale | members | seconds |", "|---|---:|---:|"]
        lines += [f"| {r['scale']} | {r['members']:,} | {r['load_seconds']:.0f} |" for r in loads]
    if load:
        lines += ["", "### Load run", "", load]
    lines += ["", END]
    return "\n".join(lines)


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
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: hashed static names
    kept = json.loads(Path(args.add_to).read_text()) if args.add_to and Path(args.add_to).exists() else {}
    results = {r["scale"]: r for r in kept.get("results", [])}
    for scale in args.scales.split(","):
        print(f"== {scale}")
        results[scale] = bench_scale(scale, args.requests, args.skip_load)
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
