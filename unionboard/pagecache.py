"""Page content cached under the revisions of what it reads: fast on a repeat view, never stale.

A dashboard or list is a `CachedContentView`. The key names everything the content is
drawn from: the page and its query string, the language, the date, what the user may see
(`roles.scope_key`) and a digest of the revision tokens of the data the page reads
(`reads()`: which parts of which federations, see unionboard.revisions; the tokens are
replaced by database triggers in the same transaction as every write). A write changes
the keys of the pages that read what it wrote, and of no other: an admission in 2026
leaves the 2024 pages warm, and an officer's lists warm while another district writes.

A page may cache its content in several parts, each under what that part reads (the
federation page: its own figures under its own revisions, its rank in the city under
the league's). On a hit the view skips the part's context and its queries, and the
template's `{% cachedcontent %}` blocks (`templates/cached_page.html`) return the stored
HTML; on a miss the blocks render as usual and are stored. Only the content is cached:
the navigation, the user's name, messages and CSRF tokens are rendered for each request.
A CSRF token cannot enter a cached block at all: inside it `csrf_token` is a value that
refuses to be rendered. Each response says in `X-Content-Cache` whether its content came
from the cache (`hit`), was computed (`miss`), or some of each (`partial`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.views.generic import TemplateView

from unionboard import roles
from unionboard.revisions import Reads, fingerprints
from unionboard.routers import replica_reads

ROOT = Path(settings.BASE_DIR)
T = TypeVar("T")
_release: str | None = None


def _code_files() -> list[Path]:
    """Every file whose change may change cached HTML: templates, catalogues, and every
    Python module of the project's own apps (template tags, tables, cells, selectors)."""
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("locale/**/*.mo")]
    for config in apps.get_app_configs():
        path = Path(config.path)
        if path.is_relative_to(ROOT) and ".venv" not in path.parts:
            files += path.glob("**/*.py")
            files += path.glob("templates/**/*.html")
    files += ROOT.glob("unionboard/**/*.py")
    return files


def release() -> str:
    """What the code looks like: RELEASE if set, else a digest of every source file's
    name and modification time.

    Part of every key, so a deploy never serves HTML rendered by the previous code from a
    shared cache.
    """
    global _release
    if _release is None:
        _release = settings.RELEASE or hashlib.blake2b(
            repr(sorted((str(path), path.stat().st_mtime_ns) for path in set(_code_files()))).encode(),
            digest_size=12,
        ).hexdigest()
    return _release


class _RefusedCsrfToken:
    """What `csrf_token` is inside cached content: rendering it is a programming error, so
    a form can never be cached with one user's token and served to another."""

    def __str__(self) -> str:
        raise ImproperlyConfigured("Cached content must not hold a CSRF token: move the form out.")

    __html__ = __str__


REFUSED_CSRF_TOKEN = _RefusedCsrfToken()


class CachedContent:
    """The cached HTML of one part of a page's content for this request.

    A part may be drawn in several blocks of the template (`fragments`), stored side by side.
    """

    def __init__(
        self, request: HttpRequest, page: str, reads: Sequence[Reads], *,
        fragments: Sequence[str] = ("",), fingerprint: str | None = None,
    ):
        query = sorted((name, value) for name, values in request.GET.lists() for value in values)
        parts = [
            release(),
            page,
            request.path,
            repr(query),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
            roles.scope_key(request.user),
            fingerprint if fingerprint is not None else fingerprints([reads])[0],
        ]
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
        self.keys = {name: f"content:{page}:{digest}{':' + name if name else ''}" for name in fragments}
        found = cache.get_many(list(self.keys.values()))
        self.fragments: dict[str, str | None] = {name: found.get(key) for name, key in self.keys.items()}
        self.missing_at_start = self.missing

    @property
    def missing(self) -> bool:
        return any(html is None for html in self.fragments.values())

    def html(self, fragment: str = "") -> str | None:
        return self.fragments[fragment]

    def store(self, html: str, fragment: str = "") -> None:
        cache.set(self.keys[fragment], html, settings.CONTENT_CACHE_SECONDS)
        self.fragments[fragment] = html


@dataclass(frozen=True)
class Part:
    """A separately cached part of a page: the context variable its blocks name, what it
    reads, how to compute its context on a miss, and the template blocks it is drawn in."""

    name: str
    reads: Sequence[Reads]
    compute: Callable[[], dict[str, Any]]
    fragments: Sequence[str] = ("",)


def shared_data(name: str, digest: str, compute: Callable[[], T]) -> T:
    """Data that several pages draw from (the league's standings), computed once for them
    all and cached under the digest of the revisions it reads (a part's `digests` entry)."""
    key = f"data:{name}:{release()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.CONTENT_CACHE_SECONDS)
    return value


def visible_federations(user: Any) -> tuple[int, ...] | None:
    """The federations whose records the user may see, as Reads name them (None: every one)."""
    if roles.is_city_wide(user):
        return None
    return tuple(roles.officer_federation_ids(user))


def league_federations(user: Any) -> tuple[int, ...] | None:
    """The federations the league shows the user (`ScopedQuerySet.in_league`)."""
    return None if roles.has_role(user) else ()


class CachedContentView(TemplateView):
    """A page whose content is cached (see the module docstring).

    Subclasses name `page` and `template_name` (a template extending `cached_page.html`),
    check access in `check`, give what the template shows outside the cached blocks in
    `get_shell_context`, say what the content reads in `reads`, and compute the content's
    context in `get_content_context`, which runs only on a miss. A page cached in several
    parts lists them in `parts`; `digests` holds each part's digest of what it reads while
    the parts are computed. Dashboards set `replica = True` to read the replica.
    """

    page: str
    replica = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.replica:
            with replica_reads():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def check(self) -> None:
        """Raise PermissionDenied or Http404 before anything is read from the cache."""

    def get_shell_context(self) -> dict[str, Any]:
        return {}

    def reads(self) -> list[Reads]:
        """What the content is drawn from: a write to anything else leaves it cached."""
        raise NotImplementedError

    def get_content_context(self) -> dict[str, Any]:
        raise NotImplementedError

    def parts(self) -> list[Part]:
        return [Part("page_content", self.reads(), self.get_content_context)]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.check()
        context = self.get_shell_context()
        parts = self.parts()
        digests = fingerprints([part.reads for part in parts])  # one query for every part
        self.digests = {part.name: digest for part, digest in zip(parts, digests, strict=True)}
        contents = [
            CachedContent(request, f"{self.page}:{part.name}", part.reads, fragments=part.fragments,
                          fingerprint=digest)
            for part, digest in zip(parts, digests, strict=True)
        ]
        for part, content in zip(parts, contents, strict=True):
            context[part.name] = content
            if content.missing:
                context.update(part.compute())
        # Rendered here, not lazily after dispatch: the tables read as they render, and
        # must do so inside replica_reads().
        response = cast(TemplateResponse, self.render_to_response(context))
        response.render()
        missed = sum(content.missing_at_start for content in contents)
        response["X-Content-Cache"] = (
            "hit" if not missed else "miss" if missed == len(contents) else "partial"
        )
        return response
