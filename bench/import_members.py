"""Import throughput: a generated members CSV through the import service, timed and measured.

    python bench/import_members.py [--rows 100000] [--unions 200] [--pairs 2] [--generic] [--keep]

Uses the database of DATABASE_URL (migrated). Members go into existing grassroots unions; a
benchmark federation with --unions unions is created when the database has none. The runs:

1. the floor, then the import, back to back, --pairs times (the floor's rows deleted before
   the import writes the same ones, the import's before the next floor):
   - the floor: the file's rows, already read and typed, inserted set-based in plain SQL —
     into a temporary table (COPY on PostgreSQL), then one INSERT … SELECT into the members
     table and their history rows — with the same indexes and triggers, in one transaction;
   - the import of the file (read, checked, written in one transaction): seconds and rows/s;
   and the ratio of the two, pair by pair (the machine may be loaded: a pair shares its load).
   With --generic the import writes new members through `bulk_create_with_history` on
   PostgreSQL too (the path before `imports.copying`), for a comparison on the same day;
2. import the same file again: every row unchanged, nothing written;
3. import a second file of the same size under tracemalloc: the peak of Python memory
   (tracing slows Python down, so this run is not timed).

Prints a Markdown snippet for docs/performance.md. The generated members (and the benchmark
federation and unions) are deleted afterwards unless --keep is given. Names are generated
from syllables, never real people.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import random
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionboard.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Measure as production runs: with DEBUG on, Django keeps (and formats) every SQL statement.
settings.DEBUG = False

from django.db import connection, transaction  # noqa: E402

from branches.models import Federation, FederationKind, GrassrootsUnion, Sector  # noqa: E402
from imports import copying, service  # noqa: E402
from members.models import AdmissionTally, Member  # noqa: E402
from unionboard.text import fold  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Thị", "Văn", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hương", "Khoa", "Lan", "Nam", "Phúc", "Quế"]
BENCH_FEDERATION = "bench-import-fed"


def ensure_unions(count: int) -> tuple[list[str], bool]:
    """Codes of existing unions to admit into; create a benchmark federation if there are none."""
    codes = list(GrassrootsUnion.objects.order_by("code").values_list("code", flat=True)[:count])
    if codes:
        return codes, False
    federation = Federation.objects.create(
        code=BENCH_FEDERATION, name="LĐLĐ Đo Hiệu Năng", kind=FederationKind.URBAN_DISTRICT
    )
    unions = []
    for n in range(count):
        union = GrassrootsUnion(
            code=f"bench-cdcs-{n:04d}", name=f"Công đoàn Công ty Đo Hiệu Năng {n}", federation=federation,
            sector=Sector.NON_STATE, founded_on=datetime.date(2015, 1, 1), employees=50,
        )
        union.fill_keys()
        unions.append(union)
    GrassrootsUnion.objects.bulk_create(unions)
    return [union.code for union in unions], True


def write_csv(path: Path, rows: int, unions: list[str], prefix: str, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["card_no", "full_name", "gender", "birth_date", "union", "admitted_on",
                         "status", "left_on"])
        for n in range(rows):
            admitted = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(1800))
            left = admitted + datetime.timedelta(days=rng.randrange(1, 300)) if n % 20 == 0 else None
            born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(13000))
            writer.writerow([
                f"{prefix}{n:07d}",
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                rng.choice(["female", "male"]),
                born.strftime("%d/%m/%Y") if n % 2 else born.isoformat(),
                unions[n % len(unions)],
                admitted.isoformat(),
                "left" if left else "active",
                left.isoformat() if left else "",
            ])


@dataclass
class Run:
    result: service.ImportResult
    seconds: float  # wall clock
    cpu_seconds: float  # this process only (PostgreSQL works in its own processes)
    peak_bytes: int = 0
    load: float = 0.0  # load average (1 minute) when it ended


def timed_import(path: Path, *, trace: bool = False) -> Run:
    if trace:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    with path.open("rb") as source:
        result = service.import_file(kind="members", source=source, filename=path.name, commit=True)
    run = Run(result, time.perf_counter() - started, time.process_time() - cpu_started)
    run.load = os.getloadavg()[0]
    if trace:
        run.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if not result.ok:
        raise SystemExit("import failed:\n" + "\n".join(str(problem) for problem in result.problems[:20]))
    return run


def typed_rows(path: Path) -> list[tuple]:
    """The file's rows as the members table stores them (what the floor inserts)."""
    unions = dict(GrassrootsUnion.objects.values_list("code", "pk"))
    federations = dict(GrassrootsUnion.objects.values_list("code", "federation_id"))

    def day(text: str) -> datetime.date | None:
        if not text:
            return None
        if "/" in text:
            return datetime.datetime.strptime(text, "%d/%m/%Y").date()
        return datetime.date.fromisoformat(text)

    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        return [
            (card, name, gender, day(born), unions[union], day(admitted), federations[union], status,
             day(left), "", fold(name))
            for card, name, gender, born, union, admitted, status, left in reader
        ]


FLOOR_COLUMNS = ("card_no", "full_name", "gender", "birth_date", "union_id", "admitted_on",
                 "admitted_federation_id", "status", "left_on", "left_reason", "name_search")


def sql_floor(rows: list[tuple]) -> float:
    """Seconds to insert the rows and their history set-based in plain SQL, committed."""
    members, history = Member._meta.db_table, Member.history.model._meta.db_table
    columns = ", ".join(FLOOR_COLUMNS)
    tracked = ", ".join(name for name in FLOOR_COLUMNS if name != "name_search")
    history_columns = f"id, {tracked}, history_date, history_change_reason, history_type, history_user_id"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE floor_members (row integer, card_no varchar(32), "
            "full_name varchar(150), gender varchar(6), birth_date date, union_id bigint, admitted_on date, "
            "admitted_federation_id bigint, status varchar(6), left_on date, left_reason varchar(12), "
            "name_search varchar(150))"
        )
        now, reason = datetime.datetime.now(datetime.UTC), "floor"
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY floor_members (row, {columns}) FROM STDIN") as copy:
                for number, row in enumerate(rows):
                    copy.write_row((number, *row))
            cursor.execute(
                f"WITH written AS (INSERT INTO {members} ({columns}) SELECT {columns} FROM floor_members "
                f"ORDER BY row RETURNING id, {tracked}) "
                f"INSERT INTO {history} ({history_columns}) "
                f"SELECT id, {tracked}, %s, %s, '+', NULL FROM written ORDER BY id",
                [now, reason],
            )
        else:  # SQLite: no COPY, no INSERT in a WITH
            cursor.executemany(
                f"INSERT INTO floor_members (row, {columns}) VALUES ({', '.join(['%s'] * 12)})",
                [(number, *row) for number, row in enumerate(rows)],
            )
            cursor.execute(
                f"INSERT INTO {members} ({columns}) SELECT {columns} FROM floor_members ORDER BY row"
            )
            cursor.execute(
                f"INSERT INTO {history} ({history_columns}) "
                f"SELECT m.id, {', '.join('m.' + name for name in tracked.split(', '))}, %s, %s, '+', NULL "
                f"FROM {members} m JOIN floor_members f ON f.card_no = m.card_no ORDER BY m.id",
                [now, reason],
            )
        cursor.execute("DROP TABLE floor_members")
    return time.perf_counter() - started


def clean_up(prefixes: list[str], created_federation: bool) -> None:
    """Delete what the benchmark wrote, in plain SQL: a model delete would write history."""
    tables = [Member.history.model._meta.db_table, Member._meta.db_table]
    if created_federation:
        tables += [GrassrootsUnion.history.model._meta.db_table, GrassrootsUnion._meta.db_table]
    with transaction.atomic(), connection.cursor() as cursor:
        for prefix in prefixes:
            for table in tables[:2]:
                cursor.execute(f"DELETE FROM {table} WHERE card_no LIKE %s", [prefix + "%"])
        for table in tables[2:]:
            cursor.execute(f"DELETE FROM {table} WHERE code LIKE %s", ["bench-cdcs-%"])
        if created_federation:
            cursor.execute(f"DELETE FROM {Federation._meta.db_table} WHERE code = %s", [BENCH_FEDERATION])
    if connection.vendor == "postgresql":
        # The next run inserts the same card numbers: without a vacuum it would walk the dead
        # rows' index entries (and the name index's pending list) the last run left.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables[:2])}, {AdmissionTally._meta.db_table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--unions", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the imported members")
    parser.add_argument("--generic", action="store_true",
                        help="new members through bulk_create_with_history on PostgreSQL too")
    parser.add_argument("--pairs", type=int, default=2, help="the floor, then the import: so many times")
    args = parser.parse_args()
    if args.generic:
        copying.available = lambda: False  # type: ignore[assignment]

    unions, created_federation = ensure_unions(args.unions)
    run_id = secrets.token_hex(3).upper()
    prefixes = [f"BN{run_id}A", f"BN{run_id}B"]
    with tempfile.TemporaryDirectory() as folder:
        files = [Path(folder) / f"members-{prefix}.csv" for prefix in prefixes]
        for seed, (path, prefix) in enumerate(zip(files, prefixes, strict=True)):
            write_csv(path, args.rows, unions, prefix, seed)
        size_mb = files[0].stat().st_size / 1024 / 1024
        rows = typed_rows(files[0])
        pairs = []
        for n in range(args.pairs):
            if n:
                clean_up(prefixes[:1], False)
            floor = sql_floor(rows)
            clean_up(prefixes[:1], False)
            pairs.append((floor, timed_import(files[0])))
        del rows
        first = pairs[-1][1]
        again = timed_import(files[0])
        traced = timed_import(files[1], trace=True)
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    load = os.getloadavg()[0]

    if not args.keep:
        clean_up(prefixes, created_federation)

    vendor = connection.vendor
    if vendor == "sqlite":
        version = ".".join(str(part) for part in connection.Database.sqlite_version_info)
    else:
        number = connection.cursor().connection.info.server_version  # e.g. 150020 for 15.20
        version = f"{number // 10000}.{number % 10000}"
    path = "COPY and INSERT … SELECT" if copying.available() else "bulk_create_with_history"
    print(f"### {vendor} {version}, {datetime.date.today().isoformat()}, new members written by {path}")
    print()
    print(f"Machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; a {size_mb:.1f} MB CSV of {args.rows:,} members "
          f"into {len(unions)} unions.")
    print()
    print("| pair | SQL floor s | import s | import ÷ floor | import CPU s (Python) | load average |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, (floor, run) in enumerate(pairs, start=1):
        ratio = run.seconds / floor
        print(f"| {n} | {floor:.1f} | {run.seconds:.1f} | {ratio:.2f} | {run.cpu_seconds:.1f} | "
              f"{run.load:.1f} |")
    print()
    print("| run | rows | created | updated | unchanged | seconds | rows/s | CPU seconds (Python) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, run in (("first import (last pair)", first), ("same file again", again)):
        result = run.result
        print(f"| {label} | {result.rows:,} | {result.created:,} | {result.updated:,} | "
              f"{result.unchanged:,} | {run.seconds:.1f} | {result.rows / run.seconds:,.0f} | "
              f"{run.cpu_seconds:.1f} |")
    print()
    print(f"Peak Python memory during an import of {traced.result.rows:,} new members (tracemalloc): "
          f"{traced.peak_bytes / 1024 / 1024:.0f} MB; peak resident size of the whole process "
          f"(ru_maxrss, three imports): {max_rss_mb:.0f} MB. Load average at the end: {load:.1f}.")


if __name__ == "__main__":
    main()
