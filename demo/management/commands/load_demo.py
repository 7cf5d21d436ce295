"""`manage.py load_demo`: the demo city of Hanoi, deterministic and idempotent.

It says what it is doing as it goes: each step on a line, and the federations written as a
bar on a terminal or a line at each tenth of them otherwise (unionboard.console).
"""

from __future__ import annotations

import io
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from branches.models import Federation
from demo import build, clusters, indicators, plan, users, writer
from targets.progress import today
from targets.services import quota_set
from unionboard.console import Progress


class Command(BaseCommand):
    help = (
        "Replace federations, unions, members, transfers, quotas, reports, ratings and employers with the "
        "demo city "
        "(Hanoi's 45 upper-level unions) and create the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(plan.SCALES),
            default="demo",
            help=(
                "demo (about 350.000 members, the seed figures), small (70.000, for benchmarks), "
                "city (700.000, the seed figures too) or nation (11 million, PostgreSQL only)."
            ),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when the database holds no federation yet (used by `make run`).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow replacing existing records when DEBUG is off.",
        )

    def handle(self, *args, scale: str, if_empty: bool, force: bool, **options):
        self.verbosity = options["verbosity"]
        has_data = Federation.objects.exists()
        if if_empty and has_data:
            self.stdout.write("The database already holds federations: demo not loaded.")
            self._print_logins(users.ensure_demo_users())
            return
        if has_data and not settings.DEBUG and not force:
            raise CommandError("DEBUG is off and the database holds records: pass --force to replace them.")
        if scale == "nation" and not writer.is_postgresql():
            raise CommandError("The nation scale needs PostgreSQL (set DATABASE_URL).")

        started = time.monotonic()
        counts = self._load(plan.SCALES[scale])
        self._step("analysing the tables")
        writer.vacuum()  # fresh statistics and visibility maps: index-only scans from the first page
        logins = users.ensure_demo_users()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo city loaded ({scale}) in {time.monotonic() - started:.1f} s: "
                + ", ".join(f"{n} {kind}s" for kind, n in counts.items())
            )
        )
        self._print_logins(logins)

    @transaction.atomic
    def _load(self, scale: plan.Scale) -> dict[str, int]:
        end = today()
        plans = plan.make_plan(scale, end)
        builder = build.CityBuilder(plans, end, seeded=scale.seeded)
        register = build.RegisterBuilder(end)
        self._seeded = scale.seeded
        with writer.bulk_load_scope():
            self._step("removing the records loaded before")
            writer.wipe()
            counts = self._write(plans, builder, register)
            self._step("rebuilding the admissions tally, the page revisions and the name search")
        return counts

    def _progress(self, label: str, total: int, unit: str) -> Progress:
        """A bar (or plain lines) on stdout; nothing shown at --verbosity 0."""
        return Progress(self.stdout if self.verbosity else io.StringIO(), f"demo: {label}", total, unit=unit)

    def _step(self, what: str) -> None:
        if self.verbosity:
            self.stdout.write(f"demo: {what}")

    def _write(self, plans, builder, register) -> dict[str, int]:
        counts = {kind: 0 for kind in build.COLUMNS}
        counts["federation"] = writer.write(
            "federation", build.COLUMNS["federation"], builder.federation_rows()
        )
        bar = self._progress("generating and writing", len(plans), "federations")
        for fed_id, federation_plan in enumerate(plans, start=1):
            unions, members, transfers = builder.federation(fed_id, federation_plan)
            counts["union"] += writer.write("union", build.COLUMNS["union"], unions)
            employers = register.federation(fed_id, unions)
            counts["employer"] += writer.write("employer", build.COLUMNS["employer"], employers)
            counts["member"] += writer.write("member", build.COLUMNS["member"], members)
            counts["transfer"] += writer.write("transfer", build.COLUMNS["transfer"], transfers)
            bar.update(fed_id, f"{counts['member']:,} members".replace(",", "."))
            if self.verbosity > 1:
                self.stdout.write(f"  {federation_plan.name}: {len(unions)} unions, {len(members)} members")
        bar.finish()
        writer.reset_sequences()
        counts["quota"] = self._quotas(builder)
        if self._seeded:
            counts.update(indicators.load())
        counts.update(clusters.load())
        return counts

    def _quotas(self, builder) -> int:
        """Quotas through quota_set, the door every quota goes through (its rules, its history).

        A few hundred rows: no need for the bulk path the members take.
        """
        federations = Federation.objects.in_bulk()
        rows = builder.quota_rows()
        with translation.override(settings.LANGUAGE_CODE):
            reason = gettext("Assigned by the city federation for the year")
        bar = self._progress("setting the quotas", len(rows), "quotas")
        for done, (_id, federation_id, year, metric, target) in enumerate(rows, start=1):
            quota_set(
                federation=federations[federation_id], year=year, metric=metric, target=target, reason=reason
            )
            bar.update(done)
        bar.finish()
        return len(rows)

    def _print_logins(self, logins) -> None:
        self.stdout.write("\nDemo logins:")
        for username, group, where in logins:
            self.stdout.write(f"  {username:<20} {group:<17} {where}")
        if settings.DEBUG:
            self.stdout.write(f"  password for each: {users.DEMO_PASSWORD}")
        else:
            self.stdout.write("  DEBUG is off: no password set; use `manage.py changepassword <username>`.")
