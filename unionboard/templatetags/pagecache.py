"""`{% cachedcontent page_content %} … {% endcachedcontent %}`: the cached part of a page."""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context

from unionboard.pagecache import REFUSED_CSRF_TOKEN, CachedContent

register = template.Library()


class CachedContentNode(template.Node):
    def __init__(self, nodelist: NodeList, content: FilterExpression):
        self.nodelist = nodelist
        self.content = content

    def render(self, context: Context) -> str:
        content: CachedContent = self.content.resolve(context)
        if content.html is None:
            with context.push(csrf_token=REFUSED_CSRF_TOKEN):
                content.store(self.nodelist.render(context))
        assert content.html is not None
        return content.html


@register.tag
def cachedcontent(parser: Parser, token: Token) -> CachedContentNode:
    """{% cachedcontent content %} ... {% endcachedcontent %}: the view's CachedContent."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("cachedcontent takes the view's CachedContent")
    nodelist = parser.parse(("endcachedcontent",))
    parser.delete_first_token()
    return CachedContentNode(nodelist, parser.compile_filter(bits[1]))
