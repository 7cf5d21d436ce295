"""Page content cached under the data's fingerprint: fast on a repeat view, never stale.

A dashboard or list view asks for its `CachedContent` first. The key names everything
the content is drawn from: the page and its query string, the language, the date, what
the user may see (`roles.scope_key`) and the fingerprint of the data
(`branches.selectors.data_fingerprint`, moved by database triggers in the same
transaction as every write). On a hit the view skips its queries and the template's
`{% cachedcontent %}` block returns the stored HTML; on a miss the block renders as
usual and is stored. Only the page's content is cached: the navigation, the user's
name, messages and CSRF tokens are rendered for each request, and content holding a
CSRF token is refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation

from unionboard import roles

register = template.Library()

ROOT = Path(__file__).resolve().parent.parent
_release: str | None = None


def release() -> str:
    """What the code looks like: RELEASE if set, else the newest template, catalogue or module.

    Part of every key, so a deploy never serves HTML rendered by the previous templates
    from a shared cache.
    """
    global _release
    if _release is None:
        _release = settings.RELEASE or str(
            max(
                (path.stat().st_mtime_ns for pattern in ("templates/**/*.html", "locale/**/*.mo", "*/*.py")
                 for path in ROOT.glob(pattern)),
                default=0,
            )
        )
    return _release


class CachedContent:
    """The cached HTML of one page's content for this request, or None (a miss)."""

    def __init__(self, request, page: str):
        from branches.selectors import data_fingerprint

        query = sorted((name, value) for name, values in request.GET.lists() for value in values)
        parts = [
            release(),
            page,
            request.path,
            repr(query),
            translation.get_language(),
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
        if "csrfmiddlewaretoken" in html:
            raise ImproperlyConfigured("Cached content must not hold a CSRF token: move the form out.")
        cache.set(self.key, html, settings.CONTENT_CACHE_SECONDS)
        self.html = html


class CachedContentNode(template.Node):
    def __init__(self, nodelist, content):
        self.nodelist = nodelist
        self.content = content

    def render(self, context):
        content: CachedContent = self.content.resolve(context)
        if content.html is None:
            content.store(self.nodelist.render(context))
        return content.html


@register.tag
def cachedcontent(parser, token):
    """{% cachedcontent content %} ... {% endcachedcontent %}: the view's CachedContent."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("cachedcontent takes the view's CachedContent")
    nodelist = parser.parse(("endcachedcontent",))
    parser.delete_first_token()
    return CachedContentNode(nodelist, parser.compile_filter(bits[1]))
