"""`make bench`: measure Unionboard's pages at several data sizes and write docs/performance.md.

For each scale it loads the demo city at that size (load_demo --scale, COPY on
PostgreSQL), then, in this process through Django's test client (server time, no
network), requests each page after a warm-up and records the median and p95 time and
the SQL query count. It times "the floor": the raw SQL behind the rankings figures,
run straight through the database driver. With --load-run it also starts gunicorn with
4 workers and drives it with wrk (16 connections, 60 s) over a mix of pages.

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


def measure(client: Client, path: str, requests: int) -> tuple[float, float, int, int]:
    """Median and p95 server time in ms, the query count and the status of one page."""
    for _ in range(3):  # warm-up
        client.get(path)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.get(path)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 95), len(queries), response.status_code


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
        median, p95, queries, status = measure(clients[user], path, requests)
        rows.append((label, median, p95, queries, status))
        print(
            f"  {scale:>6} {label:<34} median {median:7.1f} ms  p95 {p95:7.1f} ms"
            f"  {queries:3d} queries  {status}"
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


def load_run(seconds: int = 60, connections: int = 16) -> str:
    """gunicorn with 4 workers, driven by wrk over a mix of pages as a logged-in city staff user."""
    if not shutil.which("wrk"):
        return "_Load run skipped: `wrk` is not installed (`apt-get install -y wrk`)._"
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
        env=os.environ.copy(),
    )
    paths = [
        "/overview/?year=2024",
        "/rankings/?year=2024",
        "/federations/thanh-xuan/?year=2024",
        "/unions/",
        "/members/",
        "/members/?q=nguyen&admitted_year=2024",
    ]
    script = Path(tempfile.gettempdir()) / "unionboard-mix.lua"
    script.write_text(
        "local paths = {" + ", ".join(f'"{p}"' for p in paths) + "}\n"
        "local i = 0\n"
        f'wrk.headers["Cookie"] = "{settings.SESSION_COOKIE_NAME}={session}"\n'
        "request = function() i = i % #paths + 1; return wrk.format(nil, paths[i]) end\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('RESULT %d %d %d %.1f %.1f %.1f %d\\n',\n"
        "    summary.requests, summary.duration,\n"
        "    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write\n"
        "    + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000,\n"
        "    latency:percentile(99) / 1000, summary.errors.status))\n"
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
        return f"_Load run failed:_\n\n```\n{result.stdout}\n{result.stderr}\n```"
    total, micros, errors, p50, p95, p99, _status = match.groups()
    rps = int(total) / (int(micros) / 1e6)
    return (
        f"gunicorn, 4 workers; wrk, {connections} connections for {seconds} s over "
        f"{len(paths)} pages ({', '.join(f'`{p}`' for p in paths)}) as a logged-in city staff user.\n\n"
        "| requests | requests/s | p50 ms | p95 ms | p99 ms | errors |\n|---:|---:|---:|---:|---:|---:|\n"
        f"| {int(total):,} | {rps:.0f} | {float(p50):.1f} | {float(p95):.1f} | {float(p99):.1f}"
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
    ]
    header = (
        "| page | "
        + " | ".join(f"{r['scale']} ({r['members']:,} members) median / p95 ms, queries" for r in results)
        + " |"
    )
    lines += [header, "|---|" + "---:|" * len(results)]
    for index, (label, *_rest) in enumerate(results[0]["rows"]):
        cells = []
        for r in results:
            _label, median, p95, queries, status = r["rows"][index]
            cells.append(f"{median:.1f} / {p95:.1f}, {queries} q" + ("" if status == 200 else f" ({status})"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for index, (label, *_rest) in enumerate(results[0]["commands"]):
        cells = [f"{r['commands'][index][1]:.1f} / {r['commands'][index][2]:.1f}" for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "### The floor",
        "",
        "The raw SQL that computes the rankings figures (admissions from the admission tally and "
        "foundings, grouped by credited federation, for the year and the year before; quotas; "
        "federations), run through the driver.",
        "",
        "| scale | floor ms | overview ÷ floor | rankings ÷ floor | target: ≤ 2 × floor + 30 ms |",
        "|---|---:|---:|---:|---|",
    ]
    for r in results:
        overview, rankings = r["rows"][0][1], r["rows"][1][1]
        ok = all(v <= 2 * r["floor"] + 30 for v in (overview, rankings))
        lines.append(
            f"| {r['scale']} | {r['floor']:.1f} | {overview / r['floor']:.1f}"
            f" | {rankings / r['floor']:.1f} | "
            f"{'met' if ok else 'missed'} |"
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
    load = load_run() if args.load_run else kept.get("load")
    ordered = sorted(results.values(), key=lambda r: r["members"])
    if args.add_to:
        Path(args.add_to).write_text(json.dumps({"results": ordered, "load": load}))
    section = render(ordered, load, args.requests)
    print(section)
    if not args.no_write:
        write(section)


if __name__ == "__main__":
    main()
