"""Trigram (pg_trgm) indexes behind the searches by any part of a name, on PostgreSQL.

`LIKE '%thanh xuan%'` cannot use a B-tree index; a GIN trigram index serves it (and prefix
patterns too). Other databases have no such index and the same searches scan the table.
"""

from __future__ import annotations

from django.db import transaction


def create(connection, name: str, table: str, columns: str) -> bool:
    """Create pg_trgm and the index `name` on `table` (`columns`: the GIN column list).

    False where not PostgreSQL or where the extension is not allowed: the searches still
    work without the index, by scanning.
    """
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - a missing privilege must not stop a migration or a load
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({columns})")
    return True


def exists(connection, name: str) -> bool:
    """True when the index is there (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        return cursor.fetchone() is not None


def drop(connection, name: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
