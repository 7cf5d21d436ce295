"""The demo logins: an officer for four districts, city staff and an administrator."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from branches.models import Federation
from unionboard import roles

DEMO_PASSWORD = "unionboard-demo"

# (username, role group, federation codes, staff, superuser)
DEMO_USERS = [
    ("officer.thanhxuan", roles.OFFICER_GROUP, ["thanh-xuan"], False, False),
    ("officer.badinh", roles.OFFICER_GROUP, ["ba-dinh"], False, False),
    ("officer.sontay", roles.OFFICER_GROUP, ["son-tay"], False, False),
    ("officer.myduc", roles.OFFICER_GROUP, ["my-duc"], False, False),
    ("city.staff", roles.CITY_STAFF_GROUP, [], False, False),
    ("admin", roles.ADMIN_GROUP, [], True, True),
]


def ensure_demo_users() -> list[tuple[str, str, str]]:
    """Create or refresh the demo users; return (username, role, where they land).

    Passwords are set only when DEBUG is on: a production database never gets a
    known password from the demo.
    """
    roles.ensure_groups()
    user_model = get_user_model()
    created = []
    for username, group, codes, staff, superuser in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(username=username)
        user.is_staff, user.is_superuser, user.is_active = staff, superuser, True
        if settings.DEBUG:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        user.federations.set(Federation.objects.filter(code__in=codes))
        where = ", ".join(Federation.objects.filter(code__in=codes).values_list("name", flat=True))
        created.append((username, group, where))
    return created
