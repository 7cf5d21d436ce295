"""Read side of grassroots unions: scoped querysets with their member counts.

Members are read through the reverse relations that the members app declares
(`GrassrootsUnion.members`, `.transfers_in`, `.transfers_out`): branches sits below
members in the layers and never imports it.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from branches.models import Employer, GrassrootsUnion, UnionStatus
from unionboard.text import fold

# members.MemberStatus.ACTIVE, the status of a member who has not left.
ACTIVE_MEMBER = Q(members__status="active")


def with_active_members(unions: QuerySet[GrassrootsUnion]) -> QuerySet[GrassrootsUnion]:
    """Annotate each union with its active members (one correlated count, no query per row)."""
    counts = (
        GrassrootsUnion.objects.filter(pk=OuterRef("pk"))
        .order_by()
        # A column of the members' (union, ..., status) index: counted from the index alone.
        .annotate(n=Count("members__status", filter=ACTIVE_MEMBER))
        .values("n")
    )
    return unions.annotate(active_members=Coalesce(Subquery(counts, output_field=IntegerField()), 0))


def unions_for(user) -> QuerySet[GrassrootsUnion]:
    """The unions a user may see, with federation and member counts, in Vietnamese order."""
    return with_active_members(
        GrassrootsUnion.objects.visible_to(user).select_related("federation")
    ).order_by("name_sort", "code")


def latest_members(union: GrassrootsUnion, limit: int = 20) -> QuerySet[Any]:
    """The union's members, newest admission first (transfers in included)."""
    return union.members.order_by("-admitted_on", "-id")[:limit]


def latest_transfers(union: GrassrootsUnion, limit: int = 20) -> list[Any]:
    """The union's transfers in and out, newest first: two bounded queries, merged."""
    related = ("member", "from_union", "to_union", "recorded_by")
    out = union.transfers_out.select_related(*related).order_by("-transferred_on", "-id")[:limit]
    into = union.transfers_in.select_related(*related).order_by("-transferred_on", "-id")[:limit]
    merged = sorted(chain(out, into), key=lambda t: (t.transferred_on, t.pk), reverse=True)
    return merged[:limit]


# The search for a receiving union: typed text shorter than this matches too much to be
# useful (and a trigram index needs three characters); more matches than this ask for more text.
PICK_MIN_CHARS = 3
PICK_LIMIT = 20


def receiving_unions() -> QuerySet[GrassrootsUnion]:
    """The unions a member may be transferred into from anywhere: the active ones, city-wide.

    Deliberately not scoped by `visible_to`: an officer moving a member to another district
    must find that district's union. What leaves the scope is what a union's own officers
    would tell anyone: its name, code and federation; never its members, figures or dates,
    and never a union that is suspended or dissolved, which is answered like a code that
    does not exist.
    """
    return GrassrootsUnion.objects.filter(status=UnionStatus.ACTIVE)


def search_receiving_unions(
    text: str, *, excluding: int | None = None, limit: int = PICK_LIMIT
) -> list[GrassrootsUnion]:
    """Receiving unions whose name (diacritics optional) contains `text` or whose code starts with it.

    At most `limit` + 1 rows, in Vietnamese order: the caller tells "more than `limit`" by the
    extra row. Nothing for fewer than PICK_MIN_CHARS characters; never the union `excluding`
    (the member's own). On PostgreSQL both conditions are served by the trigram index of
    branches.search_index.
    """
    text = text.strip()
    if len(text) < PICK_MIN_CHARS:
        return []
    matches = Q(name_search__contains=fold(text)) | Q(code__istartswith=text)
    return list(
        receiving_unions()
        .filter(matches)
        .exclude(pk=excluding)  # type: ignore[misc]  # None excludes nothing
        .select_related("federation")
        .only("code", "name", "name_sort", "federation__code", "federation__name")
        .order_by("name_sort", "code")[: limit + 1]
    )


# Words that open most union names and would only lengthen a code.
_NAME_OPENINGS = ("cong-doan-co-so-", "cong-doan-")


def union_code_suggestion(*, federation_code: str, name: str) -> str:
    """A free code for a new union: the federation's code and the name without accents.

    "Công đoàn Công ty May Đức Giang" in thanh-xuan → thanh-xuan-cong-ty-may-duc-giang (đ is d),
    cut at a word to the column's 50 characters, with -2, -3... when the code is taken.
    """
    limit = GrassrootsUnion._meta.get_field("code").max_length or 50
    words = slugify(fold(name))
    for opening in _NAME_OPENINGS:
        if words.startswith(opening) and len(words) > len(opening):
            words = words.removeprefix(opening)
            break
    base = "-".join(part for part in (federation_code, words) if part)
    number = 1
    while True:  # one query, or a few when the same name is founded again
        suffix = f"-{number}" if number > 1 else ""
        code = _cut(base, limit - len(suffix)) + suffix
        if not GrassrootsUnion.objects.filter(code=code).exists():
            return code
        number += 1


def _cut(code: str, limit: int) -> str:
    """`code` within `limit` characters, cut after a whole word where one ends in time."""
    if len(code) <= limit:
        return code
    cut = code[:limit]
    return cut.rsplit("-", 1)[0] if "-" in cut[limit // 2 :] else cut


def employers_for(user) -> QuerySet[Employer]:
    """The employers a user may see, with their federation and union, in Vietnamese order."""
    return (
        Employer.objects.visible_to(user)
        .select_related("federation", "union")
        .order_by("name_sort", "tax_code")
    )


def employer_of(union: GrassrootsUnion, user) -> Employer | None:
    """The employer a union covers, if the user may see it."""
    return Employer.objects.visible_to(user).filter(union=union).first()


def largest_uncovered(user, federation, on, limit: int = 10) -> list[Employer]:
    """The federation's employers the user may see with no union active on `on`, the
    largest first (ties by name): where organizing should go next (one query)."""
    active = GrassrootsUnion.objects.active_on(on).values("pk")
    return list(
        Employer.objects.visible_to(user)
        .filter(federation=federation)
        .exclude(union__in=active)
        .only("tax_code", "name", "ward", "employees")
        .order_by("-employees", "name_sort", "tax_code")[:limit]
    )
