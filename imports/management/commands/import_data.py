"""Bulk loads from the command line, for administrators.

`manage.py import_data {federations,unions,members,quotas,employers} PATH [--dry-run] [--user USERNAME]
[--reason TEXT] [--allow-identity-changes]`

Every record is in reach (no federation scoping). On any problem each one is printed as
`row N, column C: message`, nothing is written and the command exits non-zero; otherwise it
prints each update, old -> new (the first ones), and the created / updated / unchanged
counts. While it reads the file it shows how far it is: a bar on a terminal, a line at
each tenth of the rows otherwise (unionboard.console). A member row whose card number
belongs to someone with another name, gender or date of birth is refused unless
`--allow-identity-changes` is given.
"""

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports import progress, service
from unionboard.console import Progress


class Command(BaseCommand):
    help = "Import federations, grassroots unions, members or quotas from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(service.IMPORTERS))
        parser.add_argument("path", help="the CSV (.csv, .txt) or Excel (.xlsx) file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and print the counts; write nothing"
        )
        parser.add_argument("--user", help="username recorded as the author in the history")
        parser.add_argument(
            "--reason", default="",
            help="why the records change (e.g. the decision that sets the quotas), kept in their history",
        )
        parser.add_argument(
            "--allow-identity-changes", action="store_true",
            help="write member rows whose card number belongs to someone with another name, "
                 "gender or date of birth (refused without it)",
        )

    def handle(
        self, *args, kind: str, path: str, dry_run: bool, user: str | None,
        allow_identity_changes: bool, reason: str = "", **options,
    ):
        history_user = None
        if user:
            try:
                history_user = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user named {user!r}") from exc
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(f"no file at {path}")
        with file_path.open("rb") as source:
            bar = Progress(
                self.stdout, f"{kind}: {'checking' if dry_run else 'importing'}",
                progress.estimate_rows(source, file_path.name), unit="rows",
            )
            result = service.import_file(
                kind=kind, source=source, filename=file_path.name, history_user=history_user,
                commit=not dry_run, allow_identity_changes=allow_identity_changes, reason=reason,
                progress=bar.update,
            )
            bar.finish()
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            if result.problems_not_shown:
                self.stderr.write(f"... and {result.problems_not_shown} more")
            if result.identity_count and not allow_identity_changes:
                self.stderr.write(
                    f"{result.identity_count} identity change(s): check each card number; if the "
                    "rows are right, run again with --allow-identity-changes"
                )
            raise CommandError(f"{result.problem_count} problem(s) in {file_path.name}; nothing was written")
        for change in result.changes:
            self.stdout.write(describe(change))
        if result.changes_not_shown:
            self.stdout.write(f"... and {result.changes_not_shown} more updates")
        summary = (
            f"{kind}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged ({result.rows} rows)"
        )
        if dry_run:
            summary += " — dry run, nothing was written"
        self.stdout.write(summary)


def describe(change: service.Change) -> str:
    """'row 3, TN-0002 (Lê Văn Mẫu): full_name “Lê Văn Mẫu” -> “Lê Văn Mới”'."""
    fields = "; ".join(
        f"{field.column} {_shown(field.old)} -> {_shown(field.new)}" for field in change.fields
    )
    name = f" ({change.name})" if change.name else ""
    identity = " [identity change]" if change.approval else ""
    return f"row {change.row}, {change.key}{name}{identity}: {fields}"


def _shown(value) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return f"“{value}”" if isinstance(value, str) else str(value)
