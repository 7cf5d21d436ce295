"""How far an import is, for the page that waits on it.

The browser's upload and confirmation are ordinary form posts answered when the file is
checked (or written): with thousands of rows that takes a while on a synchronous worker.
Meanwhile the page polls `progress_status`, answered by any other worker, which reads what
the working request last reported here: a small JSON file beside the waiting uploads
(`storage.directory()`, swept with them), named by the user and a token the form carried.
A file rather than the cache: the development cache is each process's own, the folder is
shared by every worker of the machine, as the uploads waiting for confirmation already are.

A report is a name for the work (sending the file, checking or writing it), the rows done
and, when known, the rows in all: a CSV's line count before it is checked (an upper bound:
a quoted cell may hold a line break), the checked row count when it is written.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from imports import storage

SENDING, CHECKING, WRITING, FINISHED = "sending", "checking", "writing", "finished"
STAGES = (SENDING, CHECKING, WRITING, FINISHED)
FIELD = "progress"  # the form field that carries the token


def expect(user_id: int) -> str:
    """A token for the work of a form about to be shown, reported as waiting for the file.

    Reported at once, so that the page's first polls, made while the file is still on its
    way, find the user's report (not a 404 in the browser's console).
    """
    token = secrets.token_urlsafe(24)
    Reporter(user_id, token, SENDING)
    return token


def _path(user_id: int, token: str) -> Path:
    return storage.directory() / f"progress-{int(user_id)}-{token}.json"


def estimate_rows(source: BinaryIO, filename: str) -> int | None:
    """About how many data rows the file holds (at most this many), without parsing it; None if unknown.

    A CSV's lines are counted in one pass of 1 MB reads (the upload is at most
    IMPORT_MAX_BYTES). An XLSX's rows are only known once its sheet is read.
    """
    if not filename.lower().endswith((".csv", ".txt")):
        return None
    source.seek(0)
    lines, last = 0, b"\n"
    while block := source.read(1 << 20):
        lines += block.count(b"\n")
        last = block[-1:]
    source.seek(0)
    lines += last != b"\n"  # a last line without its line end
    return max(lines - 1, 0)  # the header


@dataclass
class Reporter:
    """Reports one request's import as it goes: call it with the rows done so far."""

    user_id: int
    token: str
    stage: str
    total: int | None = None

    def __post_init__(self) -> None:
        self(0)

    def __call__(self, done: int) -> None:
        total = self.total
        if total is not None and done > total:
            total = self.total = done  # the estimate was short
        self._write({"stage": self.stage, "done": done, "total": total})

    def finish(self, done: int) -> None:
        """The work ended (written, or checked and shown): the page's answer is on its way."""
        self.stage = FINISHED
        self(done)

    def _write(self, state: dict) -> None:
        # Written aside, then renamed over the report: a poll never reads half a file.
        path = _path(self.user_id, self.token)
        aside = path.with_suffix(f".{os.getpid()}.tmp")
        aside.write_text(json.dumps({**state, "at": time.time()}))
        os.replace(aside, path)


def reporter(request, stage: str, total: int | None = None) -> Reporter | None:
    """A Reporter for the token the form sent, or None when it sent none (or not a token)."""
    token = request.POST.get(FIELD, "")
    if not storage.TOKEN.match(token):
        return None
    return Reporter(request.user.pk, token, stage, total)


def read(user_id: int, token: str) -> dict | None:
    """What the user's import under this token last reported; None if nothing (or not theirs)."""
    if not storage.TOKEN.match(token or ""):
        return None
    try:
        state = json.loads(_path(user_id, token).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if time.time() - state.get("at", 0) >= storage.MAX_AGE_SECONDS or state.get("stage") not in STAGES:
        return None
    return state
