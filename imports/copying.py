"""New members written on PostgreSQL: COPY into a staging table, then INSERT … SELECT.

`bulk_create_with_history` builds an INSERT of a thousand rows for the members and another
for their history, in Python, value by value: on PostgreSQL that cost more than the
database's own work. Here each checked chunk of new members is streamed with COPY into a
temporary table (dropped at the end of the transaction), and one statement writes them
and their history rows:

    WITH written AS (INSERT INTO members … SELECT … FROM staging ORDER BY row RETURNING …)
    INSERT INTO history … SELECT … FROM written ORDER BY id

That statement is sent in psycopg's pipeline mode once the next chunk's look-ups are done,
so the database writes one chunk while Python checks the next; the next COPY waits for
it. All of it runs in the import's transaction: a row refused later, or a card number
taken meanwhile (the statement's error, raised at the next wait), rolls everything back.

The rows are the `Member` objects the import built and checked with the model's rules:
nothing is checked or computed here, so the rules live once, in the models. The members'
triggers (the admission tally, the revision tokens) fire as for any insert; the history
rows carry the import's user, date and change reason, as `bulk_create_with_history`
writes them (the members' ids follow the file's rows on both paths).
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
        self.staged = 0  # members staged so far: the row numbers go on across chunks
        self.created = False
        self.pending = False  # staged members not yet sent
        self.pipeline = None

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
        """Stream checked new members into the staging table (created with the first ones),
        once the previous chunk is written."""
        if not members:
            return
        self._wait()
        quote = connection.ops.quote_name
        columns = ", ".join(["row"] + [quote(column) for column in self.columns])
        attnames = [field.attname for field in self.fields]
        with connection.cursor() as cursor:
            if not self.created:
                self._create(cursor)
                self.created = True
            with cursor.copy(f"COPY {self.staging} ({columns}) FROM STDIN") as copy:
                for number, member in enumerate(members, start=self.staged):
                    copy.write_row([number, *(getattr(member, name) for name in attnames)])
        self.staged += len(members)
        self.pending = True

    def send(self) -> None:
        """Start writing the staged members and their history, without waiting for it.

        The statements go out in psycopg's pipeline mode: the database writes this chunk
        while Python checks the next one. The next `stage` (COPY cannot share a pipeline),
        a query whose result is read, or `write` waits for them; an error of theirs (a card
        number taken meanwhile) is raised there, inside the import's transaction.
        """
        if not self.pending:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        tracked = ", ".join(quote(column) for column in self.tracked)
        self.pipeline = connection.connection.pipeline()
        self.pipeline.__enter__()
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
            cursor.execute(f"TRUNCATE {self.staging}")
        self.pending = False

    def _wait(self) -> None:
        """Wait for the statements `send` started; raise their error, if any."""
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is not None:
            with connection.wrap_database_errors:  # as Django's own: IntegrityError, …
                pipeline.__exit__(None, None, None)

    def write(self) -> int:
        """Write what is staged and wait for every chunk's statements; how many members."""
        self.send()
        self._wait()
        if self.created:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {self.staging}")
            self.created = False
        staged, self.staged = self.staged, 0
        return staged

    def close(self, error: BaseException | None) -> None:
        """Leave pipeline mode when the import stops on an error (the transaction rolls back)."""
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is not None:
            with connection.wrap_database_errors:
                if error is None:
                    pipeline.__exit__(None, None, None)
                else:
                    pipeline.__exit__(type(error), error, error.__traceback__)
