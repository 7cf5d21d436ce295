"""What every app's record rules share: dates not ahead of today, and messages kept by field.

The rules themselves live in the models' `clean` (branches, members, targets) and the write
services; forms, the importer and the admin all run them, so a record refused in one door
is refused in the others with the same words. These helpers only keep that uniform.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOT_IN_FUTURE = _("The date cannot be in the future.")


class RuleErrors:
    """Messages collected by field and raised together, so a record shows every broken rule at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str | None, message: Any, **params: Any) -> None:
        error = ValidationError(message, params=params or None)
        self.by_field.setdefault(field or NON_FIELD_ERRORS, []).append(error)

    def __contains__(self, field: str) -> bool:
        return field in self.by_field

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def not_in_future(errors: RuleErrors, obj: models.Model, *names: str) -> None:
    """Records are never dated ahead: what has not happened yet is not recorded."""
    today = timezone.localdate()
    for name in names:
        day: datetime.date | None = getattr(obj, name)
        if day is not None and day > today:
            errors.add(name, NOT_IN_FUTURE)


def messages_by_field(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [message, ...]}, messages formatted with their parameters."""
    if hasattr(error, "error_dict"):
        return {field: [str(message) for message in ValidationError(errors).messages]
                for field, errors in error.error_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}
