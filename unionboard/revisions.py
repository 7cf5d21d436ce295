"""Database triggers that keep `unionboard.DataRevision` moving with every write to the figures.

Every insert, update or delete on the tables the dashboards and lists read (members,
grassroots unions, quotas, federations) replaces a random token in the row of the
federation it touches, in the same transaction as the write. The tokens together are
the data's fingerprint: pages cache what they render under it, so a committed write
changes the key at once and no cached page outlives the data it showed. A token is
random, not a counter, so a rolled-back write never hands its value to the next one.

One row per federation, not one for the whole city, so writers of different districts
never wait on each other's lock. Row 0 is access: who belongs to which group, which
permissions groups and users hold, who is an officer of which federation, and users'
active, staff and superuser flags; what a user may see is cached under it
(unionboard.auth). PostgreSQL fires once per statement (over its
transition table, so an import of 100.000 rows touches each federation's row once);
SQLite, which has no statement triggers, once per row.
"""

from __future__ import annotations

import hashlib

REVISIONS = "branches_datarevision"

# Each table whose rows the pages show, with the column naming the federation to revise.
# Pages are keyed on all the tokens together, so which row a write revises only spreads
# the writers' locks: a member moved to another federation's union revises the
# federation credited with the admission, and every page's key changes all the same.
TABLES = {
    "branches_federation": "id",
    "branches_grassrootsunion": "federation_id",
    "members_member": "admitted_federation_id",
    "targets_quota": "federation_id",
}

# Tables whose rows decide what a user may see and do, with the columns of auth_user that do.
ACCESS = 0
ACCESS_TABLES = {
    "auth_user": ["is_active", "is_staff", "is_superuser"],
    "auth_user_groups": [],
    "auth_user_user_permissions": [],
    "auth_group_permissions": [],
    "branches_federation_officers": [],
}

# A fresh random token (PostgreSQL: 62 random bits; SQLite: 64).
_PG_TOKEN = "(random() * 4611686018427387903)::bigint"
_UPSERT = "ON CONFLICT (federation_id) DO UPDATE SET token = EXCLUDED.token"
_EVENTS = {
    "INSERT": "NEW TABLE AS changed",
    "UPDATE": "NEW TABLE AS changed",
    "DELETE": "OLD TABLE AS changed",
}


def _pg_install(table: str, column: str) -> list[str]:
    function = f"{table}_revise"
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            INSERT INTO {REVISIONS} (federation_id, token)
            SELECT federation_id, {_PG_TOKEN}
            FROM (SELECT DISTINCT {column} AS federation_id FROM changed
                  WHERE {column} IS NOT NULL) AS touched
            ORDER BY federation_id
            {_UPSERT};
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""
    ]
    for event, transition in _EVENTS.items():
        statements.append(
            f"CREATE TRIGGER {table}_revise_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return statements


def _sqlite_install(table: str, column: str) -> list[str]:
    statements = []
    for event in _EVENTS:
        row = "OLD" if event == "DELETE" else "NEW"
        statements.append(
            f"CREATE TRIGGER {table}_revise_{event.lower()} AFTER {event} ON {table} "
            f"WHEN {row}.{column} IS NOT NULL BEGIN "
            f"INSERT INTO {REVISIONS} (federation_id, token) VALUES ({row}.{column}, random()) {_UPSERT}; END"
        )
    return statements


def _access_install(table: str, columns: list[str], vendor: str) -> list[str]:
    upsert = (
        f"INSERT INTO {REVISIONS} (federation_id, token) "
        f"VALUES ({ACCESS}, {_PG_TOKEN if vendor == 'postgresql' else 'random()'}) {_UPSERT};"
    )
    if vendor == "postgresql":
        statements = [
            f"""CREATE OR REPLACE FUNCTION branches_revise_access() RETURNS trigger AS $$
            BEGIN {upsert} RETURN NULL; END $$ LANGUAGE plpgsql"""
        ]
        for_each = "FOR EACH STATEMENT EXECUTE FUNCTION branches_revise_access()"
    else:
        statements, for_each = [], f"FOR EACH ROW BEGIN {upsert} END"
    for event in _EVENTS:
        what = f"UPDATE OF {', '.join(columns)}" if event == "UPDATE" and columns else event
        statements.append(f"CREATE TRIGGER {table}_revise_{event.lower()} AFTER {what} ON {table} {for_each}")
    return statements


def _drop(table: str, vendor: str) -> list[str]:
    on = f" ON {table}" if vendor == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {table}_revise_{event.lower()}{on}" for event in _EVENTS]


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection, tables: list[str]) -> None:
    """(Re)create the revision triggers on these tables (keys of TABLES or ACCESS_TABLES)."""
    install_sql = _pg_install if connection.vendor == "postgresql" else _sqlite_install
    statements = []
    for table in tables:
        statements += _drop(table, connection.vendor)
        if table in ACCESS_TABLES:
            statements += _access_install(table, ACCESS_TABLES[table], connection.vendor)
        else:
            statements += install_sql(table, TABLES[table])
    _run(connection, statements)


def drop(connection, tables: list[str]) -> None:
    statements = []
    for table in tables:
        statements += _drop(table, connection.vendor)
    _run(connection, statements)


def install_operation(tables: list[str]):
    """A migration operation that installs the triggers on these tables (and drops them backwards)."""
    from django.db import migrations

    return migrations.RunPython(
        lambda apps, schema_editor: install(schema_editor.connection, tables),
        lambda apps, schema_editor: drop(schema_editor.connection, tables),
    )


def revise_all(connection) -> None:
    """A new token for every federation and for access (after a bulk load without the triggers)."""
    token = _PG_TOKEN if connection.vendor == "postgresql" else "random()"
    _run(
        connection,
        [
            f"DELETE FROM {REVISIONS}",
            f"INSERT INTO {REVISIONS} (federation_id, token) SELECT id, {token} FROM branches_federation",
            f"INSERT INTO {REVISIONS} (federation_id, token) VALUES ({ACCESS}, {token})",
        ],
    )


def data_fingerprint() -> str:
    """A digest of every federation's revision token: it changes with every committed
    write to members, unions, quotas or federations."""
    from unionboard.models import DataRevision  # migrations import this module before apps load

    tokens = DataRevision.objects.order_by("federation_id").values_list("federation_id", "token")
    return hashlib.blake2b(repr(list(tokens)).encode(), digest_size=16).hexdigest()
