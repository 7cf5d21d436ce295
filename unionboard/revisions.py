"""Revision tokens: what each write changes, and what each page's cached content read.

`unionboard.DataRevision` holds a random token per (federation, part). Database triggers
replace the tokens of the parts a write touches, in the same transaction as the write;
a page's cache key holds a digest of the tokens of the parts it reads (`fingerprints`),
so a committed write changes the key of every page that showed what it changed, at
once, and of no other page. A token is random, not a counter, so a rolled-back write
never hands its value to the next one; a part with no row yet reads as absent, and the
first write to it adds the row, which changes the digest all the same.

The parts of a federation F (the `year` column):

- a year Y (2000-2100): F's figures of that year — the admissions credited to F with
  `admitted_on` in Y, the unions whose founding is credited to F with `founded_on` in Y,
  F's quotas for Y. The dashboards of year Y read Y and Y - 1 (last year's same period),
  so an admission in 2026 leaves every 2024 and 2025 page warm.
- RECORDS: F's unions and their members as the lists and F's own page show them, whatever
  the year: names, statuses, departures, transfers, who is in which union. A member's
  name corrected in 2026 touches no year; the lists of the members' federation go cold.
- ITSELF: F's own row (name, code, kind, closing date), shown wherever F is named.

What a write touches (the `TABLES` rules; on an update, the rows before and after):

- a member: the (credited federation, admission year) when the row is added or removed or
  its admission date or credit changes; always the RECORDS of the federation of its union.
- a grassroots union: the (founding federation, founding year) likewise; always the
  RECORDS of its federation (a status change, a rename, a move to another federation).
- a quota: (its federation, its year); and the city's QUOTA_YEARS when a year may have
  appeared or gone (the year menus list the years with quotas).
- a federation: its ITSELF.
- a report: (its federation, the year of its date); a union rating: (its union's
  federation, its year); a federation's rating: (it, its year); an indicator, an
  emulation cluster or a cluster's member: the city's EPOCH (every page names indicators;
  clusters change rarely).

City-wide rows have federation 0: ACCESS moves with every change to who may see what
(users' groups, permissions and flags, officer links; unionboard.auth caches permissions
under it), QUOTA_YEARS as above, EPOCH with bulk loads that write with the triggers off
(`revise_all`), and every fingerprint reads EPOCH.

What a page reads (`Reads`, declared by each CachedContentView): the overview and the
rankings of year Y read Y, Y - 1 and ITSELF of the federations they show; a federation's
page reads every part of that federation, and its rank card Y and Y - 1 of the whole
league; the lists read RECORDS and ITSELF of the user's federations. During a drive most
writes land in the current year, so the current year's league pages go cold with every
admission anywhere (they show the city's totals): those are made cheap to compute; a
federation's own content and an officer's lists stay warm while other districts write.

PostgreSQL fires once per statement, over its transition tables (an import of 100.000
rows touches each part once); SQLite, which has no statement triggers, once per row.
Rows are upserted in key order so that concurrent writers lock them in the same order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

REVISIONS = "unionboard_datarevision"

# Parts of a federation other than its years.
RECORDS = 0
ITSELF = 1

# City-wide rows: federation 0 (federation ids start at 1).
CITY = 0
ACCESS = 0
QUOTA_YEARS = 1
EPOCH = 2


@dataclass(frozen=True)
class Rule:
    """One (federation, part) that a written row touches, as SQL over the row `r`.

    `changed` names the columns whose change on an update makes the rule apply (to the
    row before and after); without it the rule applies to both on every update.
    """

    federation: str
    part: str
    joins: str = ""
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]  # the columns the rules read (SQLite copies them from NEW/OLD)
    rules: tuple[Rule, ...]


def _year(column: str) -> str:
    """The year of a date column; written per database by `_sql`."""
    return f"YEAR_OF({column})"


def _sql(text: str, vendor: str) -> str:
    # SQLite keeps dates as ISO text: the year is its first four characters.
    if vendor == "postgresql":
        year = "CAST(EXTRACT(YEAR FROM \\1) AS integer)"
    else:
        year = "CAST(SUBSTR(\\1, 1, 4) AS integer)"
    return re.sub(r"YEAR_OF\(([\w.]+)\)", year, text)


TABLES: dict[str, Table] = {
    "members_member": Table(
        ("id", "admitted_federation_id", "admitted_on", "union_id"),
        (
            Rule("r.admitted_federation_id", _year("r.admitted_on"),
                 changed=("admitted_federation_id", "admitted_on")),
            Rule("u.federation_id", str(RECORDS),
                 joins="JOIN branches_grassrootsunion u ON u.id = r.union_id"),
        ),
    ),
    "branches_grassrootsunion": Table(
        ("id", "federation_id", "founding_federation_id", "founded_on"),
        (
            Rule("r.founding_federation_id", _year("r.founded_on"),
                 changed=("founding_federation_id", "founded_on")),
            Rule("r.federation_id", str(RECORDS)),
        ),
    ),
    "targets_quota": Table(
        ("id", "federation_id", "year"),
        (
            Rule("r.federation_id", "r.year"),
            Rule(str(CITY), str(QUOTA_YEARS), changed=("year",)),
        ),
    ),
    "branches_federation": Table(("id",), (Rule("r.id", str(ITSELF)),)),
    "targets_report": Table(
        ("id", "federation_id", "as_of"),
        (Rule("r.federation_id", _year("r.as_of")),),
    ),
    "targets_unionrating": Table(
        ("id", "union_id", "year"),
        (Rule("u.federation_id", "r.year", joins="JOIN branches_grassrootsunion u ON u.id = r.union_id"),),
    ),
    "targets_federationrating": Table(("id", "federation_id", "year"), (Rule("r.federation_id", "r.year"),)),
    # An indicator renamed, added or retired changes what every page shows.
    "targets_indicator": Table(("id",), (Rule(str(CITY), str(EPOCH)),)),
    # An employer (its size, its union) moves its federation's coverage and density; the
    # threshold of a year, every federation's coverage.
    "branches_employer": Table(("id", "federation_id"), (Rule("r.federation_id", str(RECORDS)),)),
    "targets_coveragethreshold": Table(("id",), (Rule(str(CITY), str(EPOCH)),)),
    # Emulation clusters are few and rarely changed; a change refreshes every page.
    "targets_cluster": Table(("id",), (Rule(str(CITY), str(EPOCH)),)),
    "targets_clustermembership": Table(("id",), (Rule(str(CITY), str(EPOCH)),)),
}

# Tables whose rows decide what a user may see and do, with the columns of auth_user that do.
ACCESS_TABLES = {
    "auth_user": ["is_active", "is_staff", "is_superuser"],
    "auth_user_groups": [],
    "auth_user_user_permissions": [],
    "auth_group_permissions": [],
    "branches_federation_officers": [],
}

# A fresh random token (PostgreSQL: 62 random bits; SQLite: 64).
_PG_TOKEN = "(random() * 4611686018427387903)::bigint"
_UPSERT = "ON CONFLICT (federation_id, year) DO UPDATE SET token = EXCLUDED.token"
_EVENTS = ("INSERT", "UPDATE", "DELETE")


def _selects(table: Table, event: str, before: str, after: str) -> list[str]:
    """SELECTs of the (federation_id, year) pairs a statement touches; `before` and
    `after` are row sources (transition tables, or NEW/OLD copied into subqueries)."""
    selects = []
    for rule in table.rules:
        pick = f"SELECT {rule.federation} AS federation_id, {rule.part} AS year"
        if event != "UPDATE":
            source = after if event == "INSERT" else before
            selects.append(f"{pick} FROM {source} AS r {rule.joins} WHERE {rule.federation} IS NOT NULL")
            continue
        for this, other in ((before, after), (after, before)):
            if rule.changed:
                differs = " OR ".join(f"r.{c} IS DISTINCT FROM o.{c}" for c in rule.changed)
                selects.append(
                    f"{pick} FROM {this} AS r JOIN {other} AS o ON o.id = r.id {rule.joins}"
                    f" WHERE {rule.federation} IS NOT NULL AND ({differs})"
                )
            else:
                selects.append(f"{pick} FROM {this} AS r {rule.joins} WHERE {rule.federation} IS NOT NULL")
    return selects


def _upsert(selects: list[str], token: str) -> str:
    return (
        f"INSERT INTO {REVISIONS} (federation_id, year, token) "
        # DISTINCT: a table with one rule has no UNION to fold the rows of one statement that
        # touch the same part, and an upsert may not touch a row twice.
        f"SELECT federation_id, year, {token} FROM (SELECT DISTINCT federation_id, year FROM "
        f"({' UNION '.join(selects)}) AS parts) AS touched "
        f"WHERE true ORDER BY federation_id, year {_UPSERT}"
    )


def _pg_install(name: str, table: Table) -> list[str]:
    function = f"{name}_revise"
    branches: list[str] = []
    for event in _EVENTS:
        sql = _sql(_upsert(_selects(table, event, "old_rows", "new_rows"), _PG_TOKEN), "postgresql")
        branches.append(f"{'IF' if not branches else 'ELSIF'} TG_OP = '{event}' THEN {sql};")
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            {' '.join(branches)} END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""
    ]
    transitions = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }
    for event in _EVENTS:
        statements.append(
            f"CREATE TRIGGER {name}_revise_{event.lower()} AFTER {event} ON {name} "
            f"REFERENCING {transitions[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return statements


def _sqlite_install(name: str, table: Table) -> list[str]:
    def row(which: str) -> str:
        return "(SELECT " + ", ".join(f"{which}.{c} AS {c}" for c in table.columns) + ")"

    return [
        f"CREATE TRIGGER {name}_revise_{event.lower()} AFTER {event} ON {name} BEGIN "
        f"{_sql(_upsert(_selects(table, event, row('OLD'), row('NEW')), 'random()'), 'sqlite')}; END"
        for event in _EVENTS
    ]


def _access_install(table: str, columns: list[str], vendor: str) -> list[str]:
    upsert = (
        f"INSERT INTO {REVISIONS} (federation_id, year, token) "
        f"VALUES ({CITY}, {ACCESS}, {_PG_TOKEN if vendor == 'postgresql' else 'random()'}) {_UPSERT};"
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
    """Every page's key moves: after a bulk load that wrote with the triggers off.

    The rows go and a new EPOCH (which every fingerprint reads) and ACCESS come.
    """
    token = _PG_TOKEN if connection.vendor == "postgresql" else "random()"
    _run(
        connection,
        [
            f"DELETE FROM {REVISIONS}",
            f"INSERT INTO {REVISIONS} (federation_id, year, token) VALUES "
            f"({CITY}, {ACCESS}, {token}), ({CITY}, {EPOCH}, {token})",
        ],
    )


@dataclass(frozen=True)
class Reads:
    """Parts of federations that a page's content is drawn from.

    `federations`: their ids, or None for every federation (the city rows excluded);
    `parts`: years, RECORDS or ITSELF, or None for every part.
    """

    federations: tuple[int, ...] | None = None
    parts: tuple[int, ...] | None = None

    def matches(self, federation_id: int, part: int) -> bool:
        if self.federations is None:
            if federation_id == CITY:
                return False
        elif federation_id not in self.federations:
            return False
        return self.parts is None or part in self.parts


# What every fingerprint reads: the epoch of bulk loads.
_ALWAYS = Reads((CITY,), (EPOCH,))


def fingerprints(pages: Sequence[Iterable[Reads]]) -> list[str]:
    """For each page (its Reads), a digest of the tokens of what it reads; one query for all."""
    from django.db.models import Q

    from unionboard.models import DataRevision  # migrations import this module before apps load

    pages = [[*reads, _ALWAYS] for reads in pages]
    condition = Q()
    for reads in pages:
        for read in reads:
            if read.federations == ():
                continue
            if read.federations is None:
                q = Q(federation_id__gt=CITY)
            else:
                q = Q(federation_id__in=read.federations)
            if read.parts is not None:
                q &= Q(year__in=read.parts)
            condition |= q
    rows = list(
        DataRevision.objects.filter(condition).order_by("federation_id", "year").values_list(
            "federation_id", "year", "token"
        )
    )
    return [
        hashlib.blake2b(
            repr([row for row in rows if any(read.matches(row[0], row[1]) for read in reads)]).encode(),
            digest_size=16,
        ).hexdigest()
        for reads in pages
    ]


def fingerprint(*reads: Reads) -> str:
    """The digest of the tokens these Reads cover."""
    return fingerprints([reads])[0]
