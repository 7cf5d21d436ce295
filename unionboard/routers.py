"""Primary and read replica: dashboards read the replica, everything else uses the primary.

With DATABASE_REPLICA_URL set, settings add a `replica` database alias, PrimaryReplicaRouter
and PinPrimaryMiddleware. A read goes to the replica only when all of these hold:

- it happens inside `replica_reads()`: the overview, rankings, rankings exports and
  federation pages, and the export_rankings command, enter it; every other page, the
  admin, the imports and the login stay on the primary;
- it reads dashboard data (federations, unions, members, quotas and their history).
  Users, groups, permissions and sessions are always read from the primary, so that a
  withdrawn role takes effect at once, not after the replication lag;
- the user has not written in the last REPLICA_PIN_SECONDS: the replica trails the
  primary a little, and people expect to see at once what they have just saved.

Every write goes to the primary, also the save of an object read from the replica;
migrations run only on the primary (streaming replication copies them).
"""

from __future__ import annotations

import contextvars
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA_DB_ALIAS = "replica"
# The apps whose tables hold the dashboard figures; auth, sessions, admin and axes never
# go to the replica.
# The data revisions (app "unionboard") go with them: a page's cache key must be read from
# the database its content is read from.
REPLICA_APP_LABELS = frozenset({"unionboard", "branches", "members", "targets"})
PIN_COOKIE_NAME = "unionboard_primary"
PIN_COOKIE_SALT = "unionboard.routers.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "unionboard_replica_reads", default=False
)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "unionboard_pinned_to_primary", default=False
)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the dashboard reads inside this block go to the replica; also a decorator."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Keep every read inside this block on the primary, even within replica_reads()."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def reads_from_replica() -> bool:
    """True when a dashboard read made now would go to the replica."""
    return _replica_reads.get() and not _pinned.get() and REPLICA_DB_ALIAS in connections.settings


class PrimaryReplicaRouter:
    """Route dashboard reads in replica_reads() to the replica; all else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        if model._meta.app_label in REPLICA_APP_LABELS and reads_from_replica():
            return REPLICA_DB_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        """Rows of the primary and of the replica are the same rows: relations are fine."""
        ours = {DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        """Only the primary is migrated; the replica receives the changes by replication."""
        return db == DEFAULT_DB_ALIAS


def pin_seconds() -> int:
    return settings.REPLICA_PIN_SECONDS


def _now() -> float:
    """The clock the pin is measured with (wall time: the cookie crosses worker processes)."""
    return time.time()


def is_pinned(request: HttpRequest) -> bool:
    """True while the request carries an unexpired, untampered pin cookie."""
    value = request.get_signed_cookie(PIN_COOKIE_NAME, default=None, salt=PIN_COOKIE_SALT)
    try:
        deadline = float(value)  # type: ignore[arg-type]  # None raises TypeError, caught below
    except (TypeError, ValueError):
        return False
    return deadline > _now()


def pin(response: HttpResponse) -> None:
    """Send this browser's reads to the primary for the next REPLICA_PIN_SECONDS."""
    seconds = pin_seconds()
    if seconds <= 0:
        return
    response.set_signed_cookie(
        PIN_COOKIE_NAME,
        f"{_now() + seconds:.3f}",
        salt=PIN_COOKIE_SALT,
        max_age=math.ceil(seconds),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class PinPrimaryMiddleware:
    """After a user's POST, PUT, PATCH or DELETE, their reads use the primary for a while.

    The pin is a signed cookie holding its deadline, so that it holds across worker
    processes and servers without a database or cache write. The writing request itself
    reads from the primary too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in SAFE_METHODS
        token = _pinned.set(writes or is_pinned(request))
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes:
            pin(response)
        return response
