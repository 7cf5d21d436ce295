"""The trigram index behind the members' name search on PostgreSQL (LIKE '%nguyen thi%')."""

from __future__ import annotations

from django.db import transaction

NAME = "member_name_trgm_idx"
CREATE = f"CREATE INDEX IF NOT EXISTS {NAME} ON members_member USING gin (name_search gin_trgm_ops)"
DROP = f"DROP INDEX IF EXISTS {NAME}"


def create(connection) -> bool:
    """Create pg_trgm and the index; False where not PostgreSQL or the extension is not allowed.

    Without it the search still works, by scanning.
    """
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - a missing privilege must not stop a migration or a load
        return False
    with connection.cursor() as cursor:
        cursor.execute(CREATE)
    return True


def exists(connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [NAME])
        return cursor.fetchone() is not None


def drop(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(DROP)
