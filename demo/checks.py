"""Deploy check: no account keeps the demo password once DEBUG is off."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import Error, register
from django.db import DatabaseError

from demo.users import DEMO_PASSWORD, DEMO_USERS


@register("security", deploy=True)
def demo_passwords(app_configs=None, **kwargs) -> list[Error]:
    """`check --deploy` names the demo accounts whose password is still the demo password.

    They cannot sign in while DEBUG is off (demo.auth), but the password is public and one
    DEBUG=1 restart would let anyone in as `admin`. Only the demo's own usernames are tried
    (one password hash each); a database that is not migrated yet has none.
    """
    if settings.DEBUG:
        return []
    try:
        users = list(get_user_model().objects.filter(username__in=[row[0] for row in DEMO_USERS]))
    except DatabaseError:
        return []
    exposed = sorted(user.username for user in users if user.check_password(DEMO_PASSWORD))
    if not exposed:
        return []
    return [
        Error(
            f"The demo accounts {', '.join(exposed)} still have the demo password, which is public.",
            hint="Give each a new password (manage.py changepassword NAME) or delete them; they "
                 "cannot sign in with it while DEBUG is off.",
            id="demo.E001",
        )
    ]
