"""Write generated rows in bulk: COPY on PostgreSQL, batched executemany elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection

from branches.models import Employer, Federation, GrassrootsUnion
from members import search_index, tally
from members.models import AdmissionTally, Member, Transfer
from targets.models import Cluster, ClusterMembership, FederationRating, Quota, Report, UnionRating
from unionboard import revisions

MODELS = {
    "federation": Federation,
    "union": GrassrootsUnion,
    "member": Member,
    "transfer": Transfer,
    "quota": Quota,
    "employer": Employer,
}

# Emptied before a load, children first.
WIPE_ORDER = [
    AdmissionTally,
    ClusterMembership.history.model,
    ClusterMembership,
    Cluster.history.model,
    Cluster,
    Employer.history.model,
    Employer,
    FederationRating.history.model,
    FederationRating,
    UnionRating.history.model,
    UnionRating,
    Report.history.model,
    Report,
    Transfer,
    Member.history.model,
    Member,
    Quota.history.model,
    Quota,
    GrassrootsUnion.history.model,
    GrassrootsUnion,
    Federation.officers.through,
    Federation,
]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def wipe() -> None:
    """Remove every federation, union, member, transfer, quota and employer (and their history)."""
    tables = [model._meta.db_table for model in WIPE_ORDER]
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table names from models


def write(kind: str, fields: Iterable[str], rows: Iterable[tuple], batch: int = 20_000) -> int:
    """Insert `rows` (tuples in the order of `fields`) into the table of `kind`."""
    model = MODELS[kind]
    columns = [
        model._meta.get_field(name.removesuffix("_id")).column if name != "id" else "id" for name in fields
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def reset_sequences() -> None:
    """Point the id sequences past the ids written explicitly (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(MODELS.values()))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def vacuum() -> None:
    """VACUUM ANALYZE the loaded tables on PostgreSQL (outside any transaction), ANALYZE on SQLite."""
    if connection.in_atomic_block:
        return  # VACUUM cannot run in a transaction; the caller's data is not committed anyway
    tables = [model._meta.db_table for model in [*MODELS.values(), AdmissionTally]]
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        else:
            cursor.execute("ANALYZE")


@contextmanager
def bulk_load_scope() -> Iterator[None]:
    """Drop the tally and revision triggers and the name-search index for a bulk load; rebuild after.

    Use inside a transaction: on an error the drop is rolled back with everything else.
    """
    tally.drop(connection)
    revisions.drop(connection, list(revisions.TABLES))
    had_search_index = search_index.exists(connection)
    search_index.drop(connection)  # a GIN index is cheaper built once than kept row by row
    yield
    tally.rebuild(connection)
    tally.install(connection)
    revisions.revise_all(connection)
    revisions.install(connection, list(revisions.TABLES))
    if had_search_index:
        if is_postgresql():  # check the deferred foreign keys now: no index is built over pending ones
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        search_index.create(connection)
