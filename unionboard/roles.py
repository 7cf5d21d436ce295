"""Who a user is to Unionboard: city-wide reader, district officer, or administrator.

Roles are Django groups and permissions plus the officer <-> federation link
(`Federation.officers`). Querysets never ask these questions themselves: they go
through the `visible_to` / `editable_by` doors on each model's manager, which use
these helpers.
"""

from django.contrib.auth.models import AnonymousUser, User

from unionboard.auth import cached_for_access

CITY_STAFF_GROUP = "city_staff"
OFFICER_GROUP = "district_officer"
ADMIN_GROUP = "administrator"

# The permission that lets a user read every federation (city staff, administrators).
CITY_WIDE_PERM = "branches.view_all_federations"


def is_city_wide(user: User | AnonymousUser) -> bool:
    """True when the user may read every federation's figures, unions and members."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(CITY_WIDE_PERM))


def is_officer(user: User | AnonymousUser) -> bool:
    """True when the user is linked to at least one federation as its officer."""
    return bool(officer_federation_ids(user))


def has_role(user: User | AnonymousUser) -> bool:
    """True for city-wide readers and officers: the users the dashboards and rankings are for."""
    return is_city_wide(user) or is_officer(user)


def officer_federation_ids(user: User | AnonymousUser) -> list[int]:
    """The ids of the federations a user keeps records for (cached on the user object)."""
    if not (user.is_authenticated and user.is_active):
        return []
    cached = getattr(user, "_officer_federation_ids", None)
    if cached is None:
        cached = cached_for_access(
            user, "officer-federations", lambda: list(user.federations.values_list("pk", flat=True))
        )
        user._officer_federation_ids = cached  # type: ignore[attr-defined]  # memo on the request's user
    return cached


def can_edit_records(user: User | AnonymousUser) -> bool:
    """True for users who record unions and members: officers and superusers."""
    return bool(user.is_authenticated and (user.is_superuser or is_officer(user)))


def scope_key(user: User | AnonymousUser) -> str:
    """Everything the scoped querysets ask of a user, as text: users with the same key see
    the same unions, members and figures, and may edit the same ones (see pagecache)."""
    if not (user.is_authenticated and user.is_active):
        return "anonymous"
    federations = ",".join(str(pk) for pk in sorted(officer_federation_ids(user)))
    return f"city={int(is_city_wide(user))} super={int(user.is_superuser)} officer={federations}"


# The permissions each role's group holds ("app_label.codename").
GROUP_PERMISSIONS: dict[str, list[str]] = {
    CITY_STAFF_GROUP: [
        CITY_WIDE_PERM,
        "branches.view_federation",
        "branches.view_grassrootsunion",
        "members.view_member",
        "members.view_transfer",
        "targets.view_quota",
        "targets.view_indicator",
        "targets.view_report",
        "targets.view_unionrating",
    ],
    OFFICER_GROUP: [
        "branches.view_federation",
        "branches.view_grassrootsunion",
        "branches.add_grassrootsunion",
        "branches.change_grassrootsunion",
        "members.view_member",
        "members.add_member",
        "members.change_member",
        "members.view_transfer",
        "members.add_transfer",
        "targets.view_quota",
        "targets.view_indicator",
        "targets.view_report",
        "targets.add_report",
        "targets.change_report",
        "targets.view_unionrating",
        "targets.add_unionrating",
        "targets.change_unionrating",
    ],
    ADMIN_GROUP: [
        CITY_WIDE_PERM,
        "branches.view_federation",
        "branches.add_federation",
        "branches.change_federation",
        "branches.view_grassrootsunion",
        "members.view_member",
        "members.view_transfer",
        "targets.view_quota",
        "targets.add_quota",
        "targets.view_indicator",
        "targets.add_indicator",
        "targets.change_indicator",
        "targets.view_report",
        "targets.add_report",
        "targets.change_report",
        "targets.view_unionrating",
        "targets.add_unionrating",
        "targets.change_unionrating",
        "targets.view_federationrating",
        "targets.add_federationrating",
        "targets.change_federationrating",
        "targets.change_quota",
        "targets.delete_quota",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def ensure_groups(**kwargs) -> None:
    """Create the role groups with their permissions (idempotent; runs after migrate)."""
    from django.contrib.auth.models import Group, Permission

    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted: list[Permission] = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
