"""`{% cachedcontent page_content ["fragment"] %} … {% endcachedcontent %}`: a cached part of a page."""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context

from unionboard.pagecache import REFUSED_CSRF_TOKEN, CachedContent

register = template.Library()


class CachedContentNode(template.Node):
    def __init__(self, nodelist: NodeList, content: FilterExpression, fragment: FilterExpression | None):
        self.nodelist = nodelist
        self.content = content
        self.fragment = fragment

    def render(self, context: Context) -> str:
        content: CachedContent = self.content.resolve(context)
        fragment = self.fragment.resolve(context) if self.fragment else ""
        html = content.html(fragment)
        if html is None:
            with context.push(csrf_token=REFUSED_CSRF_TOKEN):
                html = self.nodelist.render(context)
            content.store(html, fragment)
        return html


@register.tag
def cachedcontent(parser: Parser, token: Token) -> CachedContentNode:
    """{% cachedcontent content %} ... {% endcachedcontent %}: a CachedContent of the view;
    `{% cachedcontent content "name" %}` draws one of its named fragments."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError("cachedcontent takes the view's CachedContent and a fragment name")
    nodelist = parser.parse(("endcachedcontent",))
    parser.delete_first_token()
    fragment = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    return CachedContentNode(nodelist, parser.compile_filter(bits[1]), fragment)
