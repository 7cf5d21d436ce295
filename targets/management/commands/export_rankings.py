"""Rankings from the command line.

`manage.py export_rankings --year 2024 [--as-of DATE] [--kind KIND] [--format csv|xlsx] [--output PATH]
[--language vi|en]`
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branches.models import Federation, FederationKind
from targets import exports, progress
from targets.models import Quota
from unionboard.routers import replica_reads


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, got {value!r}") from exc


class Command(BaseCommand):
    help = "Write the federation rankings of a year as CSV (to standard output) or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of", help="cut-off date YYYY-MM-DD (in the year)")
        parser.add_argument(
            "--kind", help="only federations of this kind: " + ", ".join(FederationKind.values)
        )
        parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (CSV goes to standard output without it)")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the XLSX report's title and headings (the CSV keys are always English)",
        )

    @replica_reads()
    def handle(self, *args, year: int, as_of, kind, fmt: str, output, language: str, **options):
        if kind and kind not in FederationKind.values:
            raise CommandError(
                f"unknown kind {kind!r}; choose one of: {', '.join(FederationKind.values)}"
            )
        try:
            period = progress.make_period(year, iso_date(as_of) if as_of else None)
        except progress.PeriodError as exc:
            raise CommandError(str(exc)) from exc
        federations = Federation.objects.all()
        if kind:
            federations = federations.filter(kind=kind)
        if not Quota.objects.filter(year=year, federation__in=federations.values("pk")).exists():
            raise CommandError(f"no quotas are set for {year}" + (f" (kind {kind})" if kind else ""))
        indicators = progress.indicators_in_force()
        rows = progress.league(federations, period, indicators)
        in_force = progress.in_force(rows, indicators)

        if fmt == "xlsx":
            if not output:
                raise CommandError("--format xlsx needs --output PATH")
            with open(output, "wb") as stream, translation.override(language):
                exports.write_xlsx(rows, period, kind, stream, in_force)
        elif output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                exports.write_csv(rows, stream, in_force)
        else:
            exports.write_csv(rows, self.stdout, in_force)
        if output:
            self.stderr.write(f"wrote {len(rows)} federations to {output}")
