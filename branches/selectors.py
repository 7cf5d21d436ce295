"""Read side of grassroots unions: scoped querysets with their member counts."""

from __future__ import annotations

import hashlib

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from branches.models import DataRevision, GrassrootsUnion
from members.models import Member, MemberStatus


def with_active_members(unions: QuerySet[GrassrootsUnion]) -> QuerySet[GrassrootsUnion]:
    """Annotate each union with its active members (one correlated count, no query per row)."""
    counts = (
        Member.objects.filter(union=OuterRef("pk"), status=MemberStatus.ACTIVE)
        .order_by()
        .values("union")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return unions.annotate(active_members=Coalesce(Subquery(counts, output_field=IntegerField()), 0))


def unions_for(user) -> QuerySet[GrassrootsUnion]:
    """The unions a user may see, with federation and member counts, in Vietnamese order."""
    return with_active_members(
        GrassrootsUnion.objects.visible_to(user).select_related("federation")
    ).order_by("name_sort", "code")


def data_fingerprint() -> str:
    """A digest of every federation's revision token: it changes with every committed
    write to members, unions, quotas or federations (branches.revisions)."""
    tokens = DataRevision.objects.order_by("federation_id").values_list("federation_id", "token")
    return hashlib.blake2b(repr(list(tokens)).encode(), digest_size=16).hexdigest()
