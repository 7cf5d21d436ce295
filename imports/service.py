"""Plan and write an import: compare each row with the database, count, check, then write.

`import_file` reads the file in chunks of rows, so a 100.000-row file costs a few queries
per chunk and memory that does not grow with the file. Every row is checked; when the
caller asks to write and no row has a problem, each chunk is written as it is checked,
all inside one transaction that is rolled back if a later row turns out to be wrong: the
whole file is written, or nothing.

Each row is checked with the models' own rules — `clean`, the field validators, and for a
union's change of status `branches.services.status_change_errors` — the very rules that
the forms, the admin and the write services run, so a row is refused here with the same
message a form would show. The rows are then written in bulk, not through the per-record
services: those cost a few queries each, a file has 100.000 rows. On PostgreSQL each
chunk's new members are staged with COPY and written, with their history, by one
INSERT … SELECT while the next chunk is checked (`imports.copying`); elsewhere, and for
updates, each chunk goes through `bulk_create_with_history` / `bulk_update_with_history`.

Rows are matched on their key (a federation's or union's `code`, a member's `card_no`, a
quota's federation, year and metric), so importing the same file again changes nothing.
With a `scope_user` (the web import), unions and members are looked up through
`editable_by(user)`: a row that names a union outside the user's federations is refused.
Every union, member and quota written by one import gets the same history user, date and
change reason (naming the file): one change set per file.

Every update is described, old value beside new (`Change`; the first `MAX_CHANGES_SHOWN`
are kept). A member row whose card number belongs to someone with another name, gender or
date of birth is an *identity change*: a mistyped card number would otherwise rename one
person into another. It is written only when approved: all of them
(`allow_identity_changes`, the command's flag) or the ones the officer ticked
(`approved_identity_changes`, the confirmation form); otherwise it is refused (the command)
or left out (the browser, which lists it for approval).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any, BinaryIO

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import UNION_TAKEN, Employer, Federation, GrassrootsUnion, UnionStatus, format_tax_code
from branches.services import status_change_errors
from imports import copying, reading
from imports.schemas import SCHEMAS, HeaderMap, Problem, Schema
from members.models import Member, MemberStatus
from targets.models import (
    CLUSTER_TAKEN,
    Cluster,
    ClusterMembership,
    Indicator,
    Quota,
    Report,
    UnionRating,
)
from unionboard.rules import RuleErrors
from unionboard.text import fold

CHUNK_ROWS = 2000  # rows checked (and written) together: a few queries per chunk
BATCH_SIZE = 1000  # rows per INSERT / UPDATE statement
MAX_PROBLEMS = 1000  # problems kept for display; all are counted
MAX_CHANGES_SHOWN = 200  # updates (and identity changes) kept for display; all are counted
# what officers import in the browser
WEB_KINDS = ("unions", "members", "reports", "ratings", "employers")


@dataclass(frozen=True)
class FieldChange:
    """One value an update changes: the column as the file names it, old and new value."""

    column: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    """One row that updates a record: its row, key, the record's name now, what changes.

    `approval` is set on an identity change: the value its confirmation checkbox sends. It
    digests the old and new identity, so a tick approves this change and no other (if the
    record changes between preview and confirmation, the tick no longer matches).
    """

    row: int
    key: str
    name: str
    fields: tuple[FieldChange, ...]
    approval: str = ""


@dataclass
class ImportResult:
    """What an import found or did: counts, problems, changes, and what was read of the file."""

    kind: str
    filename: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    changes: list[Change] = field(default_factory=list)  # the first updates, old and new
    identity_changes: list[Change] = field(default_factory=list)  # the first identity changes
    identity_count: int = 0  # identity changes found (applied, left out or refused)
    identity_held: int = 0  # identity changes left out, not being approved
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_format: str = ""
    encoding: str = ""
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def problems_not_shown(self) -> int:
        return self.problem_count - len(self.problems)

    @property
    def changes_not_shown(self) -> int:
        return self.updated - len(self.changes)

    @property
    def identity_not_shown(self) -> int:
        return self.identity_count - len(self.identity_changes)

    def add(self, problems: list[Problem]) -> None:
        self.problem_count += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def refuse(self, message: str) -> None:
        """The file as a whole is refused: forget the counts, keep this one message."""
        self.created = self.updated = self.unchanged = 0
        self.identity_count = self.identity_held = 0
        self.changes, self.identity_changes = [], []
        self.problems = [Problem(None, None, message)]
        self.problem_count = 1


def change_reason(filename: str, kind: str, note: str = "") -> str:
    """The history note that ties every row of one import together and names the file.

    `note` is the reason the importer gave (a quota changed by a decision); it comes first,
    the file's name and the import's tag after it, within the history's 100 characters.
    """
    tag = f"import {kind} from {PurePath(filename).name} #{uuid.uuid4().hex[:8]}"
    note = " ".join(note.split())
    return f"{note[: max(100 - len(tag) - 3, 0)]} ({tag})"[:100] if note else tag[:100]


class Importer:
    """One kind of file: how its rows are keyed, looked up, checked and written."""

    schema: Schema
    model: type[models.Model]
    update_fields: list[str]
    with_history = True
    # Fields whose model validators the cell readers do not already apply (number ranges).
    checked_fields: tuple[str, ...] = ()

    def __init__(self, *, scope_user, history_user, reason: str, header: HeaderMap):
        self.identity_policy = IdentityPolicy.refused()
        self.scope_user = scope_user
        self.history_user = history_user
        self.reason = reason
        self.header = header
        self.history_date = timezone.now()

    def label(self, name: str) -> str:
        """A column as the file names it (the canonical name when the file lacks it)."""
        return self.header.labels.get(name, name)

    def problem(self, number: int, column: str, message: str) -> Problem:
        return Problem(number, self.label(column), message)

    def rule_problems(self, number: int, obj: models.Model, extra: RuleErrors | None = None) -> list[Problem]:
        """The model's own rules for one row — the same that the forms and the admin run.

        `full_clean` without the uniqueness and constraint checks (a query each: the keys
        are matched in bulk instead) and without re-validating what the cell readers
        already did; `clean` sees the record as it would be written.
        """
        errors = dict(extra.by_field) if extra else {}
        exclude = {field.name for field in obj._meta.concrete_fields} - set(self.checked_fields)
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.error_dict.items():
                errors.setdefault(field, []).extend(messages)
        return [
            Problem(number, None if field == NON_FIELD_ERRORS else self.label(field), message)
            for field, messages in errors.items()
            for message in ValidationError(messages).messages
        ]

    def key(self, values: dict[str, Any]):
        raise NotImplementedError

    def duplicate_message(self, first_row: int) -> tuple[str, str]:
        raise NotImplementedError

    def prepare(self, rows: list[tuple[int, dict]]) -> None:
        """Look up, in a few queries, what this chunk's rows refer to."""

    def reference_problem(self, number: int, values: dict) -> Problem | None:
        """A row naming a union or federation that is unknown or out of the user's reach."""
        return None

    def editable(self, model):
        """The records of `model` a row may name: every one from the command line, the
        importing officer's own from the browser."""
        return model.objects.all() if self.scope_user is None else model.objects.editable_by(self.scope_user)

    def unknown_reference(
        self, number: int, values: dict, column: str, known: dict, yours: str, anyone: str
    ) -> Problem | None:
        """The row's `column` names a code that `prepare` did not find: out of the officer's
        reach (`yours`) in the browser, unknown (`anyone`) from the command line."""
        code = values.get(column)
        if code is None or known.get(code) is not None:
            return None
        message = yours if self.scope_user is not None else anyone
        return self.problem(number, column, message % {"code": code})

    def existing(self, keys: list) -> tuple[dict, set]:
        """Rows already in the database for these keys, and the keys the user may change."""
        raise NotImplementedError

    def build(self, number: int, values: dict, current, editable: bool):
        """(object to create or update or None when unchanged, problems)."""
        raise NotImplementedError

    def save(self, creates: list, updates: list) -> None:
        if self.with_history:
            if creates:
                bulk_create_with_history(
                    creates, self.model, batch_size=BATCH_SIZE, default_user=self.history_user,
                    default_change_reason=self.reason, default_date=self.history_date,
                )
            if updates:
                bulk_update_with_history(
                    updates, self.model, self.update_fields, batch_size=BATCH_SIZE,
                    default_user=self.history_user, default_change_reason=self.reason,
                    default_date=self.history_date,
                )
        else:
            if creates:
                self.model.objects.bulk_create(creates, batch_size=BATCH_SIZE)
            if updates:
                self.model.objects.bulk_update(updates, self.update_fields, batch_size=BATCH_SIZE)

    def finish(self) -> None:
        """Write what `save` left for the end, once every row has passed its checks."""

    def final_problems(self) -> list[Problem]:
        """Problems only the whole file shows (rows that must agree with each other)."""
        return []

    def close(self, error: BaseException | None) -> None:
        """Release what writing holds, after the last chunk or an error (before the
        transaction ends)."""

    @staticmethod
    def apply(obj, values: dict[str, Any]) -> bool:
        """Set the values that differ; True when something changed."""
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        return changed

    # --- describing an update -------------------------------------------------------------

    # the attributes an update may change, and the column each one is read from
    shown: dict[str, str] = {}

    def snapshot(self, obj) -> dict[str, Any]:
        """The shown values of a stored record, before `build` changes them."""
        return {name: getattr(obj, name) for name in self.shown}

    def display(self, name: str, value):
        """A value as the preview shows it: a choice by its label."""
        field = self.model._meta.get_field(name)
        if field.choices and value is not None:
            return str(dict(field.flatchoices).get(value, value))
        return value

    def describe(self, number: int, key, before: dict[str, Any], obj) -> Change:
        """What the update of `obj` changes, old beside new, with the record's name before."""
        fields = tuple(
            FieldChange(self.label(column), self.display(name, before[name]),
                        self.display(name, getattr(obj, name)))
            for name, column in self.shown.items() if before[name] != getattr(obj, name)
        )
        return Change(row=number, key=self.key_label(key), name=self.name_of(before), fields=fields)

    def key_label(self, key) -> str:
        return str(key)

    def name_of(self, before: dict[str, Any]) -> str:
        return str(before.get("name", ""))

    def is_identity_change(self, before: dict[str, Any], obj) -> bool:
        """True when the row describes another person than the record it matches."""
        return False

    def identity_problem(self, number: int, key, before: dict[str, Any], obj) -> Problem:
        raise NotImplementedError


class FederationImporter(Importer):
    schema = SCHEMAS["federations"]
    model = Federation
    update_fields = ["name", "kind", "name_sort", "name_search"]
    shown = {"name": "name", "kind": "kind"}
    with_history = False

    def key(self, values):
        return values.get("code")

    def duplicate_message(self, first_row):
        return "code", _("This code is already on row %(row)s of the file.") % {"row": first_row}

    def existing(self, keys):
        found = {obj.code: obj for obj in Federation.objects.filter(code__in=keys)}
        return found, set(found)

    def build(self, number, values, current, editable):
        fields = {"name": values["name"], "kind": values["kind"]}
        if current is None:
            obj = Federation(code=values["code"], **fields)
            obj.fill_keys()
            return obj, []
        if self.apply(current, fields):
            current.fill_keys()
            return current, []
        return None, []


class UnionImporter(Importer):
    schema = SCHEMAS["unions"]
    model = GrassrootsUnion
    update_fields = [
        "name", "federation", "sector", "founded_on", "status", "status_on", "employees",
        "name_sort", "name_search",
    ]
    checked_fields = ("employees",)
    shown = {
        "name": "name", "federation_id": "federation", "sector": "sector", "founded_on": "founded_on",
        "status": "status", "status_on": "status_on", "employees": "employees",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.federations: dict[str, int | None] = {}
        self.federation_codes: dict[int, str] = {}  # for the preview: a move shows codes

    def display(self, name, value):
        if name == "federation_id":
            return self.federation_codes.get(value, value)
        return super().display(name, value)

    def key(self, values):
        return values.get("code")

    def duplicate_message(self, first_row):
        return "code", _("This code is already on row %(row)s of the file.") % {"row": first_row}

    def prepare(self, rows):
        codes = {values.get("federation") for _, values in rows} - {None} - self.federations.keys()
        if codes:
            found = dict(self.editable(Federation).filter(code__in=codes).values_list("code", "pk"))
            for code in codes:
                self.federations[code] = found.get(code)
            self.federation_codes.update({pk: code for code, pk in found.items()})

    def reference_problem(self, number, values):
        return self.unknown_reference(
            number, values, "federation", self.federations,
            _("“%(code)s” is not one of your federations."), _("No federation has the code “%(code)s”."),
        )

    def existing(self, keys):
        found = {
            obj.code: obj
            for obj in GrassrootsUnion.objects.filter(code__in=keys).select_related("federation")
        }
        self.federation_codes.update({obj.federation_id: obj.federation.code for obj in found.values()})
        editable = set(self.editable(GrassrootsUnion).filter(code__in=keys).values_list("code", flat=True))
        return found, editable

    def build(self, number, values, current, editable):
        problems: list[Problem] = []
        federation_id = self.federations.get(values["federation"])
        if (problem := self.reference_problem(number, values)) is not None:
            problems.append(problem)
        if current is not None and not editable:
            # Taken by another federation's union (codes are unique): say it cannot be used,
            # never whose it is or in what state, so a file cannot probe other federations.
            problems.append(Problem(
                number, self.label("code"),
                _("The code “%(code)s” cannot be used; choose another code.") % {"code": values["code"]},
            ))
        if problems:
            return None, problems

        fields = {
            "name": values["name"], "federation_id": federation_id, "sector": values["sector"],
            "founded_on": values["founded_on"],
        }
        if "status" in values:
            fields["status"] = values["status"] or UnionStatus.ACTIVE
        for name in ("status_on", "employees"):
            if name in values:
                fields[name] = values[name]
        if current is None:
            obj, changed, change = GrassrootsUnion(code=values["code"], **fields), True, None
        else:
            before = copy.copy(current)
            obj, changed = current, self.apply(current, fields)
            # A change of status follows the same transitions as the union's event forms.
            change = status_change_errors(before=before, status=obj.status, on=obj.status_on)
        obj.fill_keys()
        problems = self.rule_problems(number, obj, change)
        if problems:
            return None, problems
        return (obj if changed else None), []


class MemberImporter(Importer):
    schema = SCHEMAS["members"]
    model = Member
    update_fields = [
        "full_name", "gender", "birth_date", "admitted_on", "status", "left_on", "left_reason", "name_search",
    ]
    shown = {
        "full_name": "full_name", "gender": "gender", "birth_date": "birth_date",
        "admitted_on": "admitted_on", "status": "status", "left_on": "left_on", "left_reason": "left_reason",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The unions named by the file, with what Member.clean reads of them (founding, status).
        self.unions: dict[str, GrassrootsUnion | None] = {}
        # On PostgreSQL new members go through COPY and one INSERT … SELECT (imports.copying).
        self.copy = (
            copying.MemberCopy(
                history_user=self.history_user, history_date=self.history_date, reason=self.reason
            )
            if copying.available() else None
        )

    def save(self, creates, updates):
        if self.copy is None:
            super().save(creates, updates)
            return
        self.copy.stage(creates)
        super().save([], updates)

    def existing(self, keys):
        found = self._existing(keys)
        if self.copy is not None:
            # This chunk's look-ups done, the previous chunk is written while this one is checked.
            self.copy.send()
        return found

    def finish(self):
        if self.copy is not None:
            self.copy.write()

    def close(self, error):
        if self.copy is not None:
            self.copy.close(error)

    def name_of(self, before):
        return before["full_name"]

    def is_identity_change(self, before, obj):
        """Another name (beyond case and accents: a spelling fixed is the same person),
        another gender, or another date of birth where one was recorded."""
        return (
            fold(before["full_name"]) != fold(obj.full_name)
            or before["gender"] != obj.gender
            or (before["birth_date"] is not None and obj.birth_date is not None
                and before["birth_date"] != obj.birth_date)
        )

    def person(self, full_name: str, gender: str, birth_date) -> str:
        """'Trần Thị Thử (female, born 1990-01-02)', without the birth date when unknown."""
        details = [str(self.display("gender", gender)).lower()]
        if birth_date is not None:
            details.append(_("born %(date)s") % {"date": birth_date.isoformat()})
        return f"{full_name} ({', '.join(details)})"

    def identity_problem(self, number, key, before, obj):
        return Problem(
            number, self.label("card_no"),
            _("The card number “%(card)s” belongs to %(old)s; this row names %(new)s. If it is "
              "the same person, the change must be approved; if not, correct the card number.")
            % {
                "card": key,
                "old": self.person(before["full_name"], before["gender"], before["birth_date"]),
                "new": self.person(obj.full_name, obj.gender, obj.birth_date),
            },
        )

    def key(self, values):
        return values.get("card_no")

    def duplicate_message(self, first_row):
        return "card_no", _("This card number is already on row %(row)s of the file.") % {"row": first_row}

    def prepare(self, rows):
        codes = {values.get("union") for _, values in rows} - {None} - self.unions.keys()
        if not codes:
            return
        unions = (
            GrassrootsUnion.objects.all() if self.scope_user is None
            else GrassrootsUnion.objects.editable_by(self.scope_user)
        )
        found = {
            union.code: union
            for union in unions.filter(code__in=codes).only(
                "code", "federation_id", "founded_on", "status", "status_on"
            )
        }
        for code in codes:
            self.unions[code] = found.get(code)

    def reference_problem(self, number, values):
        return self.unknown_reference(
            number, values, "union", self.unions,
            _("“%(code)s” is not a grassroots union of your federations."),
            _("No grassroots union has the code “%(code)s”."),
        )

    def _existing(self, keys):
        found = {obj.card_no: obj for obj in Member.objects.filter(card_no__in=keys)}
        if self.scope_user is None:
            return found, set(found)
        editable = set(
            Member.objects.editable_by(self.scope_user).filter(card_no__in=keys)
            .values_list("card_no", flat=True)
        )
        return found, editable

    def build(self, number, values, current, editable):
        if (problem := self.reference_problem(number, values)) is not None:
            return None, [problem]
        union = self.unions[values["union"]]
        if current is not None and not editable:
            # Another federation's member (or one moved out of the user's): card numbers are
            # unique, so the row cannot be written; the message does not say where the card is.
            return None, [Problem(
                number, self.label("card_no"),
                _("The card number “%(card)s” cannot be used.") % {"card": values["card_no"]},
            )]
        if current is not None and current.union_id != union.pk:
            return None, [Problem(
                number, self.label("union"),
                _("This member is in another grassroots union; an import does not move members: "
                  "use the transfer form."),
            )]

        fields = {
            "full_name": values["full_name"], "gender": values["gender"],
            "admitted_on": values["admitted_on"],
        }
        for name in ("birth_date", "left_on", "status"):
            if name in values:
                fields[name] = values[name]
        if fields.get("status") is None and "left_on" in fields:
            # No status given: it follows the leaving date.
            fields["status"] = MemberStatus.LEFT if fields["left_on"] else MemberStatus.ACTIVE
        elif fields.get("status") is None:
            fields.pop("status", None)
        if "left_reason" in values:
            fields["left_reason"] = values["left_reason"] or ""
        elif fields.get("status") == MemberStatus.ACTIVE:
            fields["left_reason"] = ""  # a member active again keeps no reason for leaving
        if current is None:
            # Credited to the union's federation at admission, for good (Member.fill_keys).
            obj = Member(card_no=values["card_no"], union=union, admitted_federation_id=union.federation_id,
                         **fields)
            changed = True
        else:
            obj, changed = current, self.apply(current, fields)
            obj.union = union  # the same union: Member.clean reads it without a query
        obj.fill_keys()
        problems = self.rule_problems(number, obj)
        if problems:
            return None, problems
        return (obj if changed else None), []


class _IndicatorLookup:
    """Indicators by code, looked up once per file (administrators add them: no fixed list)."""

    def __init__(self):
        self.indicators: dict[str, Indicator] | None = None

    def indicator(self, code: str | None) -> Indicator | None:
        if self.indicators is None:
            self.indicators = {ind.code: ind for ind in Indicator.objects.all()}
        return self.indicators.get(code or "")

    def unknown(self, code: str) -> str:
        return _("No indicator has the code “%(code)s”.") % {"code": code}


class QuotaImporter(_IndicatorLookup, Importer):
    schema = SCHEMAS["quotas"]
    model = Quota
    update_fields = ["target", "rate"]
    checked_fields = ("year", "target", "rate")
    shown = {"target": "target", "rate": "rate"}

    def key_label(self, key):
        return " · ".join(str(part) for part in key)

    def __init__(self, **kwargs):
        super().__init__()
        Importer.__init__(self, **kwargs)
        self.federations: dict[str, int | None] = {}

    def key(self, values):
        if values.get("federation") and values.get("year") is not None and values.get("metric"):
            return (values["federation"], values["year"], values["metric"])
        return None

    def duplicate_message(self, first_row):
        return "metric", _("This federation, year and metric are already on row %(row)s of the file.") % {
            "row": first_row
        }

    def prepare(self, rows):
        codes = {values.get("federation") for _, values in rows} - {None} - self.federations.keys()
        if codes:
            found = dict(Federation.objects.filter(code__in=codes).values_list("code", "pk"))
            for code in codes:
                self.federations[code] = found.get(code)

    def reference_problem(self, number, values):
        code = values.get("federation")
        if code is None or self.federations.get(code) is not None:
            return None
        message = _("No federation has the code “%(code)s”.") % {"code": code}
        return self.problem(number, "federation", message)

    def existing(self, keys):
        ids = {self.federations.get(code) for code, _, _ in keys} - {None}
        codes = {pk: code for code, pk in self.federations.items() if pk is not None}
        found = {
            (codes[quota.federation_id], quota.year, quota.metric_id): quota
            for quota in Quota.objects.filter(
                federation_id__in=ids, year__in={year for _, year, _ in keys}
            )
        }
        return found, set(found)

    def build(self, number, values, current, editable):
        federation_id = self.federations.get(values["federation"])
        problems = []
        if (problem := self.reference_problem(number, values)) is not None:
            problems.append(problem)
        if self.indicator(values["metric"]) is None:
            return None, [*problems, self.problem(number, "metric", self.unknown(values["metric"]))]
        target, rate = values.get("target"), values.get("rate")
        # The year, target and rate rules are the model's (admin, quota_set alike).
        candidate = Quota(
            federation_id=federation_id, year=values["year"], metric_id=values["metric"],
            target=target, rate=rate,
        )
        problems += self.rule_problems(number, candidate)
        if problems:
            return None, problems
        if current is None:
            return candidate, []
        if self.apply(current, {"target": target, "rate": rate}):
            return current, []
        return None, []


class ReportImporter(_IndicatorLookup, Importer):
    """Reported figures: one row per federation, indicator and date; a later file's value
    for the same date replaces the stored one, kept in the history."""

    schema = SCHEMAS["reports"]
    model = Report
    update_fields = ["value", "entered_at"]
    checked_fields = ("value",)
    shown = {"value": "value"}

    def __init__(self, **kwargs):
        super().__init__()
        Importer.__init__(self, **kwargs)
        self.federations: dict[str, Federation | None] = {}

    def key_label(self, key):
        return " · ".join(str(part) for part in key)

    def key(self, values):
        if values.get("federation") and values.get("indicator") and values.get("as_of"):
            return (values["federation"], values["indicator"], values["as_of"])
        return None

    def duplicate_message(self, first_row):
        return "as_of", _(
            "This federation, indicator and date are already on row %(row)s of the file."
        ) % {"row": first_row}

    def prepare(self, rows):
        codes = {values.get("federation") for _, values in rows} - {None} - self.federations.keys()
        if codes:
            found = {fed.code: fed for fed in self.editable(Federation).filter(code__in=codes)}
            for code in codes:
                self.federations[code] = found.get(code)

    def reference_problem(self, number, values):
        return self.unknown_reference(
            number, values, "federation", self.federations,
            _("“%(code)s” is not one of your federations."), _("No federation has the code “%(code)s”."),
        )

    def existing(self, keys):
        feds = {fed.pk: code for code, fed in self.federations.items() if fed is not None}
        found = {
            (feds[report.federation_id], report.indicator.code, report.as_of): report
            for report in Report.objects.filter(
                federation_id__in=feds, as_of__in={as_of for _, _, as_of in keys}
            ).select_related("indicator")
        }
        return found, set(found)

    def build(self, number, values, current, editable):
        problems = []
        if (problem := self.reference_problem(number, values)) is not None:
            problems.append(problem)
        indicator = self.indicator(values["indicator"])
        if indicator is None:
            problems.append(self.problem(number, "indicator", self.unknown(values["indicator"])))
        if problems:
            return None, problems
        federation = self.federations[values["federation"]]
        candidate = current or Report(federation=federation, indicator=indicator, as_of=values["as_of"])
        before = candidate.value
        candidate.value = values["value"]
        candidate.entered_by = self.history_user
        problems += self.rule_problems(number, candidate)
        if problems:
            candidate.value = before
            return None, problems
        if current is not None and before == values["value"]:
            return None, []
        candidate.entered_at = self.history_date
        return candidate, []


class RatingImporter(Importer):
    """Union ratings (xếp loại CĐCS): one grade per union and year."""

    schema = SCHEMAS["ratings"]
    model = UnionRating
    update_fields = ["grade"]
    checked_fields = ("year",)
    shown = {"grade": "grade"}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.unions: dict[str, GrassrootsUnion | None] = {}

    def key_label(self, key):
        return " · ".join(str(part) for part in key)

    def key(self, values):
        if values.get("union") and values.get("year") is not None:
            return (values["union"], values["year"])
        return None

    def duplicate_message(self, first_row):
        return "union", _("This union and year are already on row %(row)s of the file.") % {"row": first_row}

    def prepare(self, rows):
        codes = {values.get("union") for _, values in rows} - {None} - self.unions.keys()
        if codes:
            found = {union.code: union for union in self.editable(GrassrootsUnion).filter(code__in=codes)}
            for code in codes:
                self.unions[code] = found.get(code)

    def reference_problem(self, number, values):
        return self.unknown_reference(
            number, values, "union", self.unions,
            _("“%(code)s” is not one of your grassroots unions."),
            _("No grassroots union has the code “%(code)s”."),
        )

    def existing(self, keys):
        unions = {union.pk: code for code, union in self.unions.items() if union is not None}
        found = {
            (unions[rating.union_id], rating.year): rating
            for rating in UnionRating.objects.filter(
                union_id__in=unions, year__in={year for _, year in keys}
            )
        }
        return found, set(found)

    def build(self, number, values, current, editable):
        if (problem := self.reference_problem(number, values)) is not None:
            return None, [problem]
        union = self.unions[values["union"]]
        candidate = current or UnionRating(union=union, year=values["year"])
        before = candidate.grade
        candidate.grade = values["grade"]
        problems = self.rule_problems(number, candidate)
        if problems:
            candidate.grade = before
            return None, problems
        if current is not None and before == values["grade"]:
            return None, []
        return candidate, []


class EmployerImporter(Importer):
    """Employers from the lists of the tax and labour offices, keyed on the tax code.

    The federation is the `federation` column's; without it, the union's, the stored
    employer's, or the importing officer's only federation. An empty `union` cell leaves
    the link as it is: a list from the tax office knows nothing of unions and must not
    unlink them.
    """

    schema = SCHEMAS["employers"]
    model = Employer
    update_fields = [
        "name", "ward", "sector", "federation", "employees", "counted_on", "union",
        "name_sort", "name_search",
    ]
    checked_fields = ("employees",)
    shown = {
        "name": "name", "ward": "ward", "sector": "sector", "federation_id": "federation",
        "employees": "employees", "counted_on": "counted_on", "union_id": "union",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.unions: dict[str, GrassrootsUnion | None] = {}
        self.union_taken: dict[int, str] = {}  # union id → tax code of the employer it covers
        self.union_rows: dict[int, int] = {}  # union id → the file's row that links it
        self.federations: dict[str, int | None] = {}
        self.codes: dict[tuple[str, int], str] = {}  # ("federation" | "union", id) → code, for the preview
        self._default_federation: int | None | bool = False  # False: not looked up yet

    def display(self, name, value):
        if name in ("federation_id", "union_id") and value is not None:
            return self.codes.get((name.removesuffix("_id"), value), value)
        return super().display(name, value)

    def key(self, values):
        return values.get("tax_code")

    def key_label(self, key):
        return format_tax_code(key)

    def duplicate_message(self, first_row):
        return "tax_code", _("This tax code is already on row %(row)s of the file.") % {"row": first_row}

    def default_federation(self) -> int | None:
        """The importing officer's federation, when they have exactly one."""
        if self._default_federation is False:
            ids = list(self.editable(Federation).values_list("pk", flat=True)[:2]) if self.scope_user else []
            self._default_federation = ids[0] if len(ids) == 1 else None
        return self._default_federation  # type: ignore[return-value]

    def prepare(self, rows):
        codes = {values.get("union") for _, values in rows} - {None} - self.unions.keys()
        if codes:
            unions = self.editable(GrassrootsUnion).filter(code__in=codes).select_related("federation")
            found = {union.code: union for union in unions}
            for code in codes:
                self.unions[code] = found.get(code)
            self.union_taken.update(
                Employer.objects.filter(union__in=found.values()).values_list("union_id", "tax_code")
            )
            self.codes.update({("union", union.pk): union.code for union in found.values()})
        codes = {values.get("federation") for _, values in rows} - {None} - self.federations.keys()
        if codes:
            found_ids = dict(self.editable(Federation).filter(code__in=codes).values_list("code", "pk"))
            for code in codes:
                self.federations[code] = found_ids.get(code)
            self.codes.update({("federation", pk): code for code, pk in found_ids.items()})

    def reference_problem(self, number, values):
        return self.unknown_reference(
            number, values, "union", self.unions,
            _("“%(code)s” is not a grassroots union of your federations."),
            _("No grassroots union has the code “%(code)s”."),
        ) or self.unknown_reference(
            number, values, "federation", self.federations,
            _("“%(code)s” is not one of your federations."), _("No federation has the code “%(code)s”."),
        )

    def existing(self, keys):
        found = {obj.tax_code: obj for obj in Employer.objects.filter(tax_code__in=keys)}
        # the codes of what the stored employers name, for the preview's old values
        self.codes.update(
            {("federation", pk): code for pk, code in Federation.objects.filter(
                pk__in={obj.federation_id for obj in found.values()}).values_list("pk", "code")}
        )
        self.codes.update(
            {("union", pk): code for pk, code in GrassrootsUnion.objects.filter(
                pk__in={obj.union_id for obj in found.values()} - {None}).values_list("pk", "code")}
        )
        if self.scope_user is None:
            return found, set(found)
        editable = set(
            Employer.objects.editable_by(self.scope_user).filter(tax_code__in=keys)
            .values_list("tax_code", flat=True)
        )
        return found, editable

    def build(self, number, values, current, editable):
        if (problem := self.reference_problem(number, values)) is not None:
            return None, [problem]
        tax = values["tax_code"]
        if current is not None and not editable:
            # Another federation's employer: say the code cannot be used, never whose it is.
            return None, [Problem(
                number, self.label("tax_code"),
                _("The tax code “%(code)s” cannot be used.") % {"code": format_tax_code(tax)},
            )]
        union = self.unions.get(values["union"]) if values.get("union") else None
        problems = []
        if union is not None:
            holder = self.union_taken.get(union.pk)
            if holder is not None and holder != tax:
                problems.append(self.problem(number, "union", str(UNION_TAKEN)))
            elif union.pk in self.union_rows:
                problems.append(self.problem(
                    number, "union",
                    _("This grassroots union is already on row %(row)s of the file.")
                    % {"row": self.union_rows[union.pk]},
                ))
            else:
                self.union_rows[union.pk] = number
        federation_id = (
            self.federations.get(values["federation"]) if values.get("federation")
            else union.federation_id if union is not None
            else current.federation_id if current is not None
            else self.default_federation()
        )
        if federation_id is None:
            problems.append(self.problem(
                number, "federation",
                _("Name the employer's federation (column “federation”): it has no union to tell it."),
            ))
        if problems:
            return None, problems
        fields = {
            "name": values["name"], "sector": values["sector"], "federation_id": federation_id,
            "employees": values["employees"], "counted_on": values["counted_on"],
        }
        if "ward" in values:
            fields["ward"] = values["ward"] or ""
        if union is not None:
            fields["union_id"] = union.pk
        if current is None:
            obj, changed = Employer(tax_code=tax, **fields), True
        else:
            obj, changed = current, self.apply(current, fields)
        if union is not None:
            obj.union = union  # Employer.clean reads its federation without a query
        obj.fill_keys()
        problems = self.rule_problems(number, obj)
        if problems:
            return None, problems
        return (obj if changed else None), []


class ClusterImporter(Importer):
    """Emulation clusters (cụm thi đua): one row per member federation of a cluster and year.

    A row is keyed on its year and federation: a federation is in at most one cluster a
    year, so a file naming it twice in a year, or naming a federation that is already in
    another cluster that year, is refused. `leader` is the code of the cluster's leading
    federation (on any of its rows; the rows that give it agree); the leader must be one
    of the cluster's members, in the file or already stored — the rule of `Cluster`. The
    clusters and their new members are written together at the end, once every row is
    checked; members not in the file are kept.
    """

    schema = SCHEMAS["clusters"]
    model = ClusterMembership
    update_fields: list[str] = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.federations: dict[str, Federation | None] = {}
        self.stored: dict[tuple[str, int], Cluster] = {}
        # per (name, year): its rows' member codes, the leaders given (code → first row)
        self.members: dict[tuple[str, int], set[str]] = {}
        self.leaders: dict[tuple[str, int], dict[str, int]] = {}
        self.first_row: dict[tuple[str, int], int] = {}
        self.created: list[ClusterMembership] = []
        self.cluster_of: dict[tuple[int, str], tuple[str, int]] = {}
        self.leader_shown: set[tuple[str, int]] = set()
        self.incomplete: set[tuple[str, int]] = set()

    def key_label(self, key):
        return " · ".join(str(part) for part in key)

    def key(self, values):
        if values.get("federation") and values.get("year") is not None:
            return (values["year"], values["federation"])
        return None

    def duplicate_message(self, first_row):
        return "federation", _(
            "This federation is already in a cluster of that year on row %(row)s of the file; "
            "a federation is in at most one cluster a year."
        ) % {"row": first_row}

    def prepare(self, rows):
        codes = ({values.get(name) for _, values in rows for name in ("federation", "leader")}
                 - {None} - self.federations.keys())
        if codes:
            found = Federation.objects.in_bulk(codes, field_name="code")
            for code in codes:
                self.federations[code] = found.get(code)
        names = {(values["cluster"], values["year"]) for _, values in rows
                 if values.get("cluster") and values.get("year") is not None} - self.stored.keys()
        if names:
            for cluster in Cluster.objects.filter(
                name__in={name for name, _ in names}, year__in={year for _, year in names}
            ).select_related("leader"):
                self.stored[(cluster.name, cluster.year)] = cluster

    def reference_problem(self, number, values):
        for column in ("federation", "leader"):
            code = values.get(column)
            if code is not None and self.federations.get(code) is None:
                message = _("No federation has the code “%(code)s”.") % {"code": code}
                return self.problem(number, column, message)
        return None

    def existing(self, keys):
        ids = {fed.pk: code for code, fed in self.federations.items() if fed is not None}
        found = {
            (membership.year, ids[membership.federation_id]): membership
            for membership in ClusterMembership.objects.filter(
                federation_id__in=ids, year__in={year for year, _ in keys}
            ).select_related("cluster", "federation")
        }
        return found, set(found)

    def build(self, number, values, current, editable):
        name, year = values["cluster"], values["year"]
        if (problem := self.reference_problem(number, values)) is not None:
            self.incomplete.add((name, year))  # its leader is not checked against its members
            return None, [problem]
        # the year's range and the name's rules are the cluster's own (the admin's alike)
        candidate = self.stored.get((name, year)) or Cluster(name=name, year=year)
        candidate.members_checked_elsewhere = True
        problems = self.rule_problems(number, candidate)
        if problems:
            return None, problems
        federation = self.federations[values["federation"]]
        if current is not None and current.cluster.name != name:
            return None, [self.problem(number, "federation", CLUSTER_TAKEN % {
                "federation": federation.name, "cluster": current.cluster.name, "year": year,
            })]
        cluster_key = (name, year)
        self.members.setdefault(cluster_key, set()).add(values["federation"])
        self.cluster_of[(year, values["federation"])] = cluster_key
        self.first_row.setdefault(cluster_key, number)
        leader = values.get("leader")
        if leader:
            self.leaders.setdefault(cluster_key, {}).setdefault(leader, number)
        if current is None:
            return ClusterMembership(federation=federation, year=year), []
        stored = current.cluster.leader
        if leader and (stored is None or stored.code != leader) and cluster_key not in self.leader_shown:
            # the row that changes the cluster's leader is the one the preview lists
            self.leader_shown.add(cluster_key)
            current.new_leader = leader
            return current, []
        return None, []

    def snapshot(self, obj):
        leader = obj.cluster.leader
        return {"leader": leader.code if leader else None}

    def describe(self, number, key, before, obj):
        return Change(row=number, key=self.key_label(key), name=obj.cluster.name,
                      fields=(FieldChange(self.label("leader"), before["leader"], obj.new_leader),))

    def save(self, creates, updates):
        # written in `finish`, with the clusters, once every row is checked
        self.created.extend(creates)

    def final_problems(self) -> list[Problem]:
        problems = []
        for cluster_key, given in self.leaders.items():
            name, year = cluster_key
            if len(given) > 1:
                codes = sorted(given, key=given.get)
                problems.append(self.problem(given[codes[1]], "leader", _(
                    "The cluster “%(cluster)s” of %(year)s names two leading federations "
                    "(“%(first)s” on row %(row)s and “%(second)s”); a cluster has one leader."
                ) % {"cluster": name, "year": year, "first": codes[0], "row": given[codes[0]],
                     "second": codes[1]}))
                continue
            (code, row), = given.items()
            if cluster_key in self.incomplete:
                continue
            stored = self.stored.get(cluster_key)
            # the cluster as the file would leave it (the stored one is compared in `finish`)
            cluster = Cluster(pk=stored.pk if stored else None, name=name, year=year,
                              leader=self.federations[code])
            members = {self.federations[c].pk for c in self.members.get(cluster_key, ())}
            try:
                cluster.check_leader(members | cluster.member_ids())
            except ValidationError as exc:
                problems.extend(self.problem(row, "leader", message) for message in exc.messages)
        return problems

    def leader_changes(self) -> list[tuple[Cluster, Federation]]:
        """The clusters whose stored leader the file changes (or that the file creates)."""
        changes = []
        for cluster_key in self.first_row:
            given = self.leaders.get(cluster_key)
            leader = self.federations[next(iter(given))] if given else None
            cluster = self.stored.get(cluster_key)
            if cluster is None or (leader is not None and cluster.leader_id != leader.pk):
                changes.append((cluster_key, leader))
        return changes

    def finish(self):
        for (name, year), leader in self.leader_changes():
            cluster = self.stored.get((name, year)) or Cluster(name=name, year=year)
            if leader is not None:
                cluster.leader = leader
            cluster._history_user = self.history_user
            cluster._change_reason = self.reason
            cluster._history_date = self.history_date
            cluster.save()
            self.stored[(name, year)] = cluster
        for membership in self.created:
            membership.cluster = self.stored[self.cluster_of[(membership.year, membership.federation.code)]]
        if self.created:
            bulk_create_with_history(
                self.created, ClusterMembership, batch_size=BATCH_SIZE, default_user=self.history_user,
                default_change_reason=self.reason, default_date=self.history_date,
            )


IMPORTERS: dict[str, type[Importer]] = {
    "federations": FederationImporter,
    "unions": UnionImporter,
    "members": MemberImporter,
    "quotas": QuotaImporter,
    "reports": ReportImporter,
    "ratings": RatingImporter,
    "employers": EmployerImporter,
    "clusters": ClusterImporter,
}


def import_file(
    *,
    kind: str,
    source: BinaryIO,
    filename: str,
    size: int | None = None,
    scope_user=None,
    history_user=None,
    commit: bool = False,
    allow_identity_changes: bool = False,
    approved_identity_changes: Collection[str] | None = None,
    reason: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check a file and, with `commit` and no problem in any row, write it in one transaction.

    `scope_user` restricts unions and members to those the user may edit (the web import);
    without it (the command line) every record is in reach. Nothing is written when
    `commit` is false (the preview, `--dry-run`) or when any row has a problem.

    `reason` is kept in the history of every record written, beside the file's name.

    Identity changes are written when `allow_identity_changes`; else, with
    `approved_identity_changes` (the browser), those whose `approval` is in it are written
    and the others left out; else each one is a problem.

    `progress`, when given, is called with the rows read so far after each chunk of rows
    (the browser's progress bar, the command's).
    """
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    if scope_user is not None and kind not in WEB_KINDS:
        raise ValueError(f"{kind} are imported by administrators from the command line only")
    result = ImportResult(kind=kind, filename=PurePath(filename).name)
    try:
        sheet = reading.open_sheet(source, filename, size=size)
        result.file_format, result.encoding, result.notes = sheet.file_format, sheet.encoding, sheet.notes
        schema = IMPORTERS[kind].schema
        header, problems = schema.map_header(sheet.header)
        result.ignored_columns = header.ignored
        if problems:
            result.add(problems)
            return result
        importer = IMPORTERS[kind](
            scope_user=scope_user, history_user=history_user,
            reason=change_reason(filename, kind, reason), header=header,
        )
        importer.identity_policy = (
            IdentityPolicy.all() if allow_identity_changes
            else IdentityPolicy.approved(approved_identity_changes)
            if approved_identity_changes is not None
            else IdentityPolicy.refused()
        )
        if commit:
            with transaction.atomic():
                try:
                    _run(importer, sheet, result, commit=True, progress=progress)
                except BaseException as error:
                    importer.close(error)
                    raise
                importer.close(None)
                if not result.ok:
                    transaction.set_rollback(True)
        else:
            _run(importer, sheet, result, commit=False, progress=progress)
    except reading.FileRefused as exc:
        result.refuse(exc.message)
    except IntegrityError:
        result.refuse(_(
            "The records changed while this file was being written, so nothing was written. "
            "Import the file again."
        ))
    result.problems.sort(key=lambda problem: problem.row or 0)
    if result.ok and result.rows == 0:
        result.refuse(_("The file has a header row but no data rows."))
    result.written = commit and result.ok
    return result


def _run(
    importer: Importer, sheet: reading.Sheet, result: ImportResult, *, commit: bool,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Check (and write) the rows chunk by chunk."""
    seen: dict[Any, int] = {}
    schema = importer.schema
    while chunk := list(itertools.islice(sheet.rows, CHUNK_ROWS)):
        checked: list[tuple[int, dict]] = []
        faulty: list[tuple[int, dict]] = []  # rows with a problem: their references are checked too
        for number, cells in chunk:
            result.rows += 1
            values, problems = schema.read_row(number, cells, importer.header)
            key = importer.key(values) if not problems else None
            if key is not None and key in seen:
                column, message = importer.duplicate_message(seen[key])
                problems.append(Problem(number, importer.label(column), message))
            elif key is not None:
                seen[key] = number
            if problems:
                result.add(problems)
                faulty.append((number, values))
            else:
                checked.append((number, values))
        importer.prepare(checked + faulty)
        result.add([
            problem for number, values in faulty
            if (problem := importer.reference_problem(number, values)) is not None
        ])
        if not checked:
            if progress is not None:
                progress(result.rows)
            continue
        found, editable = importer.existing([importer.key(values) for _, values in checked])
        creates, updates = [], []
        for number, values in checked:
            key = importer.key(values)
            current = found.get(key)
            before = importer.snapshot(current) if current is not None else None
            obj, problems = importer.build(number, values, current, key in editable)
            if problems:
                result.add(problems)
            elif obj is None:
                result.unchanged += 1
            elif before is None:  # a new record
                creates.append(obj)
                result.created += 1
            elif _update(importer, result, number, key, before, obj):
                updates.append(obj)
        if commit and result.ok:
            importer.save(creates, updates)
        if progress is not None:
            progress(result.rows)
    result.add(importer.final_problems())
    if commit and result.ok:
        importer.finish()


@dataclass(frozen=True)
class IdentityPolicy:
    """Which identity changes an import writes: all, the approved ones, or none (refused)."""

    apply_all: bool = False
    approvals: frozenset[str] | None = None  # None: refuse each one as a problem

    @classmethod
    def all(cls) -> IdentityPolicy:
        return cls(apply_all=True)

    @classmethod
    def approved(cls, approvals: Collection[str]) -> IdentityPolicy:
        return cls(approvals=frozenset(approvals))

    @classmethod
    def refused(cls) -> IdentityPolicy:
        return cls()


def approval_of(key, before: dict[str, Any], obj) -> str:
    """The value that approves this identity change: a digest of the card, old and new identity."""
    parts = [str(key)]
    for name in ("full_name", "gender", "birth_date"):
        parts += [str(before[name]), str(getattr(obj, name))]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def _update(importer: Importer, result: ImportResult, number: int, key, before: dict, obj) -> bool:
    """Count and describe one update; False when it is not to be written (identity change
    refused or not approved)."""
    change = importer.describe(number, key, before, obj)
    if importer.is_identity_change(before, obj):
        change = replace(change, approval=approval_of(key, before, obj))
        result.identity_count += 1
        if len(result.identity_changes) < MAX_CHANGES_SHOWN:
            result.identity_changes.append(change)
        policy = importer.identity_policy
        if not policy.apply_all:
            if policy.approvals is None:
                result.add([importer.identity_problem(number, key, before, obj)])
                return False
            if change.approval not in policy.approvals:
                result.identity_held += 1
                return False
    result.updated += 1
    if len(result.changes) < MAX_CHANGES_SHOWN:
        result.changes.append(change)
    return True
