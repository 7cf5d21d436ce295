"""What a user may do, read once per access change instead of on every request.

Django's ModelBackend asks the database for a user's permissions on every request
(two five-table joins), and the roles ask for the user's federations. Both change only
when an administrator changes a user, a group or an officer link, and each such change
replaces the access token (`unionboard.revisions`, the city's ACCESS row) in the same transaction. So
they are cached under (user, access token): a change is seen by the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from unionboard.models import DataRevision
from unionboard.revisions import ACCESS, CITY

T = TypeVar("T")


def access_token(user) -> int | None:
    """The current access token, read once per request (memoised on the user object)."""
    if not hasattr(user, "_access_token"):
        user._access_token = (
            DataRevision.objects.filter(federation_id=CITY, year=ACCESS)
            .values_list("token", flat=True)
            .first()
        )
    return user._access_token


def cached_for_access(user, name: str, compute: Callable[[], T]) -> T:
    """compute(), cached for this user until the next access change."""
    token = access_token(user)
    if token is None:  # no token row (tables loaded without triggers): nothing is cached
        return compute()
    key = f"access:{name}:{user.pk}:{int(user.is_superuser)}:{token}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.CONTENT_CACHE_SECONDS)
    return value


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend whose permission sets are cached until the next access change.

    Only ModelBackend's public methods are overridden: `has_perm` reads
    `get_all_permissions`, which joins these two and keeps the result on the user object
    for the rest of the request, so a request reads the cache at most twice.
    """

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()  # as ModelBackend answers, without a cache key for an anonymous user
        compute = super().get_user_permissions
        return cached_for_access(user_obj, "user-perms", lambda: compute(user_obj))

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        compute = super().get_group_permissions
        return cached_for_access(user_obj, "group-perms", lambda: compute(user_obj))
