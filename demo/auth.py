"""The demo password is printed in the README: it signs no one in once DEBUG is off."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from demo.users import DEMO_PASSWORD


class RefuseDemoPasswordBackend:
    """Listed before the backend that checks passwords: with DEBUG off, a sign-in with the demo
    password is refused outright, whichever account it names.

    `load_demo` sets that password only while DEBUG is on, but a database loaded in
    development and then served with DEBUG off kept it, and `admin` / `unionboard-demo`
    signed in. PermissionDenied stops Django's authenticate() at this backend; the failure
    is recorded and counted by the login throttling like any other. The deploy check
    `demo.E001` names the accounts that still have it. It has only `authenticate`: it never
    signs anyone in, so a session never names it and it holds no permissions.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs) -> None:
        if password == DEMO_PASSWORD and not settings.DEBUG:
            raise PermissionDenied
        return None
