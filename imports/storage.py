"""Where an uploaded file waits between its preview and the officer's confirmation.

The file goes to a private temporary folder under a random name; the user's session
remembers that name with the kind, the original file name and the user id. Only the
session that uploaded a file can confirm it, and the confirmation checks it all again.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SESSION_KEY = "pending_imports"
MAX_AGE_SECONDS = 2 * 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class PendingImport:
    token: str
    kind: str
    filename: str
    path: Path


def directory() -> Path:
    """The folder for waiting files (IMPORT_TEMP_DIR, else one under the system temp dir)."""
    base = getattr(settings, "IMPORT_TEMP_DIR", "") or Path(tempfile.gettempdir()) / "unionboard-imports"
    path = Path(base)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(token: str) -> Path:
    return directory() / f"{token}.upload"


def keep(request, uploaded, kind: str) -> str:
    """Store an uploaded file for this session; return the token its confirmation quotes."""
    _sweep()
    token = secrets.token_urlsafe(24)
    descriptor = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    uploaded.seek(0)
    with os.fdopen(descriptor, "wb") as target:
        for chunk in uploaded.chunks():
            target.write(chunk)
    pending = {
        key: entry for key, entry in request.session.get(SESSION_KEY, {}).items()
        if time.time() - entry["stored"] < MAX_AGE_SECONDS
    }
    pending[token] = {
        "kind": kind, "filename": uploaded.name, "user": request.user.pk, "stored": time.time(),
    }
    request.session[SESSION_KEY] = pending
    return token


def find(request, token: str) -> PendingImport | None:
    """The waiting file this session stored under `token`, if it is still there."""
    if not TOKEN.match(token or ""):
        return None
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["user"] != request.user.pk:
        return None
    path = _path(token)
    if time.time() - entry["stored"] >= MAX_AGE_SECONDS or not path.exists():
        return None
    return PendingImport(token=token, kind=entry["kind"], filename=entry["filename"], path=path)


def discard(request, token: str) -> None:
    """Forget a waiting file (after its import, or when it is abandoned)."""
    pending = request.session.get(SESSION_KEY, {})
    if token in pending:
        del pending[token]
        request.session[SESSION_KEY] = pending
    if TOKEN.match(token or ""):
        _path(token).unlink(missing_ok=True)


def _sweep() -> None:
    """Delete waiting files nobody confirmed in time."""
    limit = time.time() - MAX_AGE_SECONDS
    for path in directory().glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            continue
