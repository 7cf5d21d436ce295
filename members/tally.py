"""Database triggers that keep members.AdmissionTally equal to the admissions in members_member.

One tally row per (credited federation, admission day). Inserts add one, deletes take
one away, an update that changes the day or the credited federation moves the one.
PostgreSQL and SQLite each get their own trigger SQL; bulk loaders drop the triggers,
write, and `rebuild()` the tally in one statement.
"""

from __future__ import annotations

TALLY = "members_admissiontally"
MEMBERS = "members_member"

_ADD = (
    f"INSERT INTO {TALLY} (federation_id, day, admitted) "
    "VALUES (NEW.admitted_federation_id, NEW.admitted_on, 1) "
    f"ON CONFLICT (federation_id, day) DO UPDATE SET admitted = {TALLY}.admitted + 1;"
)
_REMOVE = (
    f"UPDATE {TALLY} SET admitted = admitted - 1 "
    "WHERE federation_id = OLD.admitted_federation_id AND day = OLD.admitted_on;"
)
_CHANGED = (
    "OLD.admitted_on IS DISTINCT FROM NEW.admitted_on "
    "OR OLD.admitted_federation_id IS DISTINCT FROM NEW.admitted_federation_id"
)

POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION members_tally_admission() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN {_REMOVE} END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {_ADD} END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    f"CREATE TRIGGER members_tally_insert AFTER INSERT ON {MEMBERS} "
    "FOR EACH ROW EXECUTE FUNCTION members_tally_admission()",
    f"CREATE TRIGGER members_tally_delete AFTER DELETE ON {MEMBERS} "
    "FOR EACH ROW EXECUTE FUNCTION members_tally_admission()",
    f"CREATE TRIGGER members_tally_update AFTER UPDATE OF admitted_on, admitted_federation_id ON {MEMBERS} "
    f"FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION members_tally_admission()",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS members_tally_insert ON {MEMBERS}",
    f"DROP TRIGGER IF EXISTS members_tally_delete ON {MEMBERS}",
    f"DROP TRIGGER IF EXISTS members_tally_update ON {MEMBERS}",
]

SQLITE_INSTALL = [
    f"CREATE TRIGGER members_tally_insert AFTER INSERT ON {MEMBERS} BEGIN {_ADD} END",
    f"CREATE TRIGGER members_tally_delete AFTER DELETE ON {MEMBERS} BEGIN {_REMOVE} END",
    f"CREATE TRIGGER members_tally_update AFTER UPDATE OF admitted_on, admitted_federation_id ON {MEMBERS} "
    f"WHEN {_CHANGED} BEGIN {_REMOVE} {_ADD} END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS members_tally_insert",
    "DROP TRIGGER IF EXISTS members_tally_delete",
    "DROP TRIGGER IF EXISTS members_tally_update",
]

REBUILD = [
    f"DELETE FROM {TALLY}",
    f"INSERT INTO {TALLY} (federation_id, day, admitted) "
    f"SELECT admitted_federation_id, admitted_on, COUNT(*) FROM {MEMBERS} "
    "GROUP BY admitted_federation_id, admitted_on",
]


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection) -> None:
    _run(
        connection,
        POSTGRESQL_DROP + POSTGRESQL_INSTALL
        if connection.vendor == "postgresql"
        else SQLITE_DROP + SQLITE_INSTALL,
    )


def drop(connection) -> None:
    _run(connection, POSTGRESQL_DROP if connection.vendor == "postgresql" else SQLITE_DROP)


def rebuild(connection) -> None:
    """Recount the whole tally from the members table (after a bulk load)."""
    _run(connection, REBUILD)
