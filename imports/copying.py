"""New members written on PostgreSQL: COPY into a staging table, then one INSERT … SELECT.

`bulk_create_with_history` builds an INSERT of a thousand rows for the members and another
for their history, in Python, value by value: on PostgreSQL that cost more than the
database's own work. Here each checked chunk of new members is streamed with COPY into a
temporary table (dropped at the end of the transaction), and once every row of the file
has passed its checks one statement writes them all and their history rows:

    WITH written AS (INSERT INTO members … SELECT … FROM staging ORDER BY row RETURNING …)
    INSERT INTO history … SELECT … FROM written ORDER BY id

The rows are the `Member` objects the import built and checked with the model's rules:
nothing is checked or computed here, so the rules live once, in the models. The members'
triggers (the admission tally, the revision tokens) fire as for any insert; the history
rows carry the import's user, date and change reason, as `bulk_create_with_history`
writes them, in the same order (ids follow the file's rows on both paths).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model

from members.models import Member


def available() -> bool:
    """True when the database can take new members through COPY (PostgreSQL)."""
    return connection.vendor == "postgresql"


class MemberCopy:
    """The staging table of one import's new members, and the statement that writes them."""

    staging = "import_new_members"

    def __init__(self, *, history_user, history_date, reason: str):
        history = Member.history.model
        self.history_user_id = getattr(history_user, "pk", None)
        self.history_date = history_date
        self.reason = reason
        # Every stored column of a member but the id; the history keeps the tracked ones.
        self.fields = [field for field in Member._meta.concrete_fields if not field.primary_key]
        self.columns = [field.column for field in self.fields]
        self.tracked = [field.column for field in history.tracked_fields]
        self.member_table = Member._meta.db_table
        self.history_table = history._meta.db_table
        self.staged = 0

    def _create(self, cursor) -> None:
        quote = connection.ops.quote_name
        # LIKE copies the columns' types (and NOT NULL): a value the members table would
        # refuse is refused at COPY already; the row number orders the insert.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.staging} "
            f"(row integer NOT NULL, LIKE {quote(self.member_table)} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        cursor.execute(f"ALTER TABLE {self.staging} DROP COLUMN id")

    def stage(self, members: list[Model]) -> None:
        """Stream checked new members into the staging table (created with the first ones)."""
        if not members:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(["row"] + [quote(column) for column in self.columns])
        attnames = [field.attname for field in self.fields]
        with connection.cursor() as cursor:
            if self.staged == 0:
                self._create(cursor)
            with cursor.copy(f"COPY {self.staging} ({columns}) FROM STDIN") as copy:
                for number, member in enumerate(members, start=self.staged):
                    copy.write_row([number, *(getattr(member, name) for name in attnames)])
        self.staged += len(members)

    def write(self) -> int:
        """Insert every staged member and its history row in one statement; how many."""
        if not self.staged:
            return 0
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        tracked = ", ".join(quote(column) for column in self.tracked)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH written AS ("
                f" INSERT INTO {quote(self.member_table)} ({columns})"
                f" SELECT {columns} FROM {self.staging} ORDER BY row"
                f" RETURNING {tracked})"
                f" INSERT INTO {quote(self.history_table)}"
                f" ({tracked}, history_date, history_change_reason, history_type, history_user_id)"
                f" SELECT {tracked}, %s, %s, '+', %s FROM written ORDER BY id",
                [self.history_date, self.reason, self.history_user_id],
            )
            cursor.execute(f"DROP TABLE {self.staging}")
        staged, self.staged = self.staged, 0
        return staged
