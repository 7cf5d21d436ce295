"""Where an uploaded file waits between its preview and the officer's confirmation.

The file goes to a private temporary folder under a random name; the user's session
remembers that name with the kind, the original file name and the user id. Only the
session that uploaded a file can confirm it, and the confirmation checks it all again.

A confirmation first claims the file by renaming it (`<token>.upload` to `.applying`, one
atomic step of the file system): of two confirmations of the same file — a double
click — one gets it and imports it, the other learns that it is being (or has been)
imported, and never writes it a second time or waits on the first one's database lock.
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
WAITING, APPLYING, DONE = "upload", "applying", "done"  # the file's suffix says where it is
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class PendingImport:
    token: str
    kind: str
    filename: str
    path: Path
    rows: int | None = None  # as the preview counted them


def directory() -> Path:
    """The folder for waiting files (IMPORT_TEMP_DIR, else one under the system temp dir)."""
    base = getattr(settings, "IMPORT_TEMP_DIR", "") or Path(tempfile.gettempdir()) / "unionboard-imports"
    path = Path(base)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(token: str, state: str = WAITING) -> Path:
    return directory() / f"{token}.{state}"


def keep(request, uploaded, kind: str, rows: int | None = None) -> str:
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
        "rows": rows,
    }
    request.session[SESSION_KEY] = pending
    return token


def find(request, token: str) -> PendingImport | None:
    """The import this session stored under `token`, if it is its own and not too old.

    Whether its file is still waiting is for `claim` to say.
    """
    if not TOKEN.match(token or ""):
        return None
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["user"] != request.user.pk:
        return None
    if time.time() - entry["stored"] >= MAX_AGE_SECONDS:
        return None
    return PendingImport(
        token=token, kind=entry["kind"], filename=entry["filename"], path=_path(token),
        rows=entry.get("rows"),
    )


def claim(pending: PendingImport) -> Path | None:
    """Take the waiting file for this confirmation alone; None when another one has taken it."""
    applying = _path(pending.token, APPLYING)
    try:
        os.rename(pending.path, applying)
    except FileNotFoundError:
        return None
    return applying


def finish(token: str, *, written: bool) -> None:
    """After a claimed import: drop the file, and remember for a while that it was written.

    The session keeps its entry until it is too old, so a later confirmation of the same
    file (a double click, the browser's back button) is told it was imported.
    """
    _path(token, APPLYING).unlink(missing_ok=True)
    if written:
        _path(token, DONE).touch(mode=0o600)


def state(token: str) -> str | None:
    """Where a claimed file is: APPLYING, DONE, or None (gone: refused, abandoned or too old)."""
    for candidate in (APPLYING, DONE):
        if _path(token, candidate).exists():
            return candidate
    return None


def wait_while_applying(token: str, seconds: float, interval: float = 0.2) -> str | None:
    """The state of a file being imported by another request, once that import ends (or time is up)."""
    deadline = time.monotonic() + seconds
    current = state(token)
    while current == APPLYING and time.monotonic() < deadline:
        time.sleep(interval)
        current = state(token)
    return current


def _sweep() -> None:
    """Delete waiting files nobody confirmed in time, and old marks of claimed ones."""
    limit = time.time() - MAX_AGE_SECONDS
    for path in directory().glob("*.*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            continue
