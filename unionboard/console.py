"""How far a long command is: a bar redrawn in place on a terminal, plain lines elsewhere.

`load_demo` and `import_data` run for minutes on a city's data. On a terminal a bar on one
line, rewritten with a carriage return, says how far they are without scrolling; in a log
(a pipe, CI, cron) a carriage return would pile the redraws into one unreadable line, so
there they write a plain line at each tenth of the work instead.
"""

from __future__ import annotations

from typing import TextIO

from django.core.management.base import OutputWrapper

BAR_WIDTH = 30
STEPS = 10  # plain lines: one per tenth of the work, when its total is known


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # the project writes 4.550, in commands too


class Progress:
    """One piece of work of `total` units (None: unknown) that `update` reports as it goes."""

    def __init__(
        self, stream: TextIO | OutputWrapper, label: str, total: int | None = None, *,
        unit: str = "", tty: bool | None = None,
    ):
        self.stream = stream
        self.label = label
        self.total = total
        self.unit = f" {unit}" if unit else ""
        self.tty = stream.isatty() if tty is None else tty
        self.done = 0
        self._step = -1

    def _counts(self) -> str:
        if self.total:
            return f"{_number(self.done)}/{_number(self.total)}{self.unit}"
        return f"{_number(self.done)}{self.unit}"

    def update(self, done: int, note: str = "") -> None:
        """`done` units are done; `note` says what is under way (a federation's name)."""
        self.done = done
        if self.total is not None and done > self.total:
            self.total = done
        note = f" {note}" if note else ""
        if self.tty:
            self._draw(note)
            return
        if self.total:
            step = done * STEPS // self.total
            if step == self._step:
                return
            self._step = step
            self._write_line(f"{self.label}: {self._counts()} ({done * 100 // self.total}%){note}")
        else:
            self._write_line(f"{self.label}: {self._counts()}{note}")

    def finish(self, note: str = "") -> None:
        """The work is done: the bar ends its line; a plain line says so unless it just did."""
        if self.total is None:
            self.total = self.done
        if self.tty:
            self._draw(f" {note}" if note else "")
            self._emit("\n")
        elif self._step != STEPS:
            self.update(self.total, note)

    def _draw(self, note: str) -> None:
        if self.total:
            filled = BAR_WIDTH * self.done // self.total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            line = f"{self.label} [{bar}] {self._counts()} {self.done * 100 // self.total:3d}%{note}"
        else:
            line = f"{self.label}: {self._counts()}{note}"
        # \r back to the start, the line, then \x1b[K clears what a longer line left behind
        self._emit(f"\r{line}\x1b[K")

    def _write_line(self, line: str) -> None:
        self._emit(line + "\n")

    def _emit(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):  # which ends each write with a newline
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()
