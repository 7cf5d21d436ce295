"""The backends the settings name (databases, replica, cache), tried for real.

Used three ways: the WSGI application refuses to start while one cannot be imported or
reached (`check_backends`, from unionboard.wsgi, so gunicorn and runserver stop with the
reason instead of answering 500 at the first request); `manage.py check --deploy` reports
the same (`backends_check`); and `/healthz` reports them, with the migrations, to a load
balancer or a monitor (unionboard.views.healthz).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import caches
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

# What to do about a backend that fails, by the class of the backend.
HINTS = {
    "django.core.cache.backends.redis.RedisCache": (
        "Is Redis running at REDIS_URL, and is the redis package installed (pip install -e .)? "
        "Without Redis, set CACHE_BACKEND=database (docs/deployment.md)."
    ),
    "django.core.cache.backends.db.DatabaseCache": "Run `python manage.py createcachetable` once.",
    "django.db.backends.postgresql": (
        "Is PostgreSQL running, and does the URL name the right host, port and database?"
    ),
}


def _describe(exc: BaseException) -> str:
    """'OperationalError: connection refused': the class and the first line of the message."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def database_problems() -> dict[str, str]:
    """alias -> what went wrong, for each database that does not answer `SELECT 1`."""
    problems = {}
    for alias in settings.DATABASES:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:  # any failure to connect or query is the answer
            problems[alias] = _describe(exc)
    return problems


def cache_problems() -> dict[str, str]:
    """alias -> what went wrong, for each cache that cannot be imported or keep a value."""
    problems = {}
    for alias in settings.CACHES:
        key = f"unionboard:probe:{secrets.token_hex(8)}"
        try:
            cache = caches[alias]
            cache.set(key, "ok", 30)
            kept = cache.get(key)
            cache.delete(key)
        except Exception as exc:  # ImportError, refused connection, missing table...
            problems[alias] = _describe(exc)
            continue
        if kept != "ok":
            problems[alias] = "a value set could not be read back"
    return problems


_migrated = False


def unapplied_migrations() -> int:
    """How many migrations this code has that the primary database has not applied.

    Once none, never again for this process: its code does not change, and migrations are
    not unapplied under a running server. So /healthz reads the migration graph only until
    the database is seen up to date.
    """
    global _migrated
    if _migrated:
        return 0
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrated = pending == 0
    return pending


def backend_problems() -> list[str]:
    """Each database and cache that fails, with what went wrong and what to do."""
    messages = []
    for alias, problem in database_problems().items():
        hint = HINTS.get(settings.DATABASES[alias]["ENGINE"], "")
        messages.append(f"database {alias!r} cannot be reached ({problem}). {hint}".strip())
    for alias, problem in cache_problems().items():
        backend = str(settings.CACHES[alias]["BACKEND"])
        messages.append(f"cache {alias!r} ({backend}) fails ({problem}). {HINTS.get(backend, '')}".strip())
    return messages


def check_backends() -> None:
    """Refuse to start (ImproperlyConfigured) while a database or the cache cannot be reached."""
    problems = backend_problems()
    connections.close_all()  # a worker opens its own, after this
    if problems:
        raise ImproperlyConfigured("Unionboard cannot start: " + " ".join(problems))


@register("backends", deploy=True)
def backends_check(app_configs=None, **kwargs) -> list[Error]:
    """`manage.py check --deploy`: the same tries as at start."""
    return [Error(problem, id="unionboard.E001") for problem in backend_problems()]
