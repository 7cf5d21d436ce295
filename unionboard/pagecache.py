"""Page content cached under the data's fingerprint: fast on a repeat view, never stale.

A dashboard or list is a `CachedContentView`. The key names everything the content is
drawn from: the page and its query string, the language, the date, what the user may see
(`roles.scope_key`) and the fingerprint of the data (`revisions.data_fingerprint`, moved
by database triggers in the same transaction as every write). On a hit the view skips
`get_content_context` and its queries, and the template's `{% cachedcontent %}` block
(`templates/cached_page.html`) returns the stored HTML; on a miss the block renders as
usual and is stored. Only the page's content is cached: the navigation, the user's name,
messages and CSRF tokens are rendered for each request. A CSRF token cannot enter the
cached block at all: inside it `csrf_token` is a value that refuses to be rendered.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.views.generic import TemplateView

from unionboard import roles
from unionboard.revisions import data_fingerprint
from unionboard.routers import replica_reads

ROOT = Path(settings.BASE_DIR)
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
    """The cached HTML of one page's content for this request, or None (a miss)."""

    def __init__(self, request: HttpRequest, page: str):
        query = sorted((name, value) for name, values in request.GET.lists() for value in values)
        parts = [
            release(),
            page,
            request.path,
            repr(query),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
            roles.scope_key(request.user),
            data_fingerprint(),
        ]
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
        self.key = f"content:{page}:{digest}"
        self.html: str | None = cache.get(self.key)

    @property
    def missing(self) -> bool:
        return self.html is None

    def store(self, html: str) -> None:
        cache.set(self.key, html, settings.CONTENT_CACHE_SECONDS)
        self.html = html


class CachedContentView(TemplateView):
    """A page whose content is cached (see the module docstring).

    Subclasses name `page` and `template_name` (a template extending `cached_page.html`),
    check access in `check`, give what the template shows outside the cached block in
    `get_shell_context`, and compute the content's context in `get_content_context`,
    which runs only on a miss. Dashboards set `replica = True` to read the replica.
    """

    page: str
    replica = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.replica:
            with replica_reads():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def check(self) -> None:
        """Raise PermissionDenied or Http404 before anything is read from the cache."""

    def get_shell_context(self) -> dict[str, Any]:
        return {}

    def get_content_context(self) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.check()
        shell = self.get_shell_context()
        content = CachedContent(request, self.page)
        context = {**shell, "page_content": content}
        if content.missing:
            context.update(self.get_content_context())
        # Rendered here, not lazily after dispatch: the tables read as they render, and
        # must do so inside replica_reads().
        return self.render_to_response(context).render()
