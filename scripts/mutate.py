"""`make mutate`: mutation testing of the figures (targets/progress.py) and the import's row checks.

Runs mutmut 3 (configured in pyproject.toml, [tool.mutmut]) with one worker, then reads its
results and fails when a mutant survives that docs/testing.md does not list as equivalent.

Two things mutmut does not do on its own, and this script adds:

- it skips every decorated function, and most of the definitions in targets/progress.py
  are properties (`Period.days_in_year`, `MetricProgress.ratio`, `FederationProgress.score`
  ...). A `@property` or `@cached_property` method is mutated here like any other: the
  trampoline keeps the decorator, the original and mutated copies are plain functions;
- it mutates whole files, and the rules an import checks each row against live among the
  models' other methods. Only those are run: `Member.clean` and `_check_admission`,
  `GrassrootsUnion.clean`, and `unionboard.rules.not_in_future`.

Usage: `python scripts/mutate.py` (everything), `python scripts/mutate.py NAME-GLOB ...` (some
mutants again) or `python scripts/mutate.py --report` (the last run's results, checked again).
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The mutants that are run (mutmut's names: module, class ǁ method, then a number).
SELECTED = [
    "targets.progress.*",
    "members.models.xǁMemberǁclean__mutmut_*",
    "members.models.xǁMemberǁ_check_admission__mutmut_*",
    "branches.models.xǁGrassrootsUnionǁclean__mutmut_*",
    "unionboard.rules.x_not_in_future__mutmut_*",
]
# Properties that must be mutated: if mutmut changes how it lays out its trampolines, this
# script must fail rather than quietly test less.
MUST_HAVE = [
    "targets.progress.xǁPeriodǁdays_in_year__mutmut_1",
    "targets.progress.xǁMetricProgressǁratio__mutmut_1",
    "targets.progress.xǁFederationProgressǁscore__mutmut_1",
]
EQUIVALENT_FILE = ROOT / "docs" / "testing.md"
PROPERTY_DECORATORS = {"property", "cached_property"}


def _is_property(function) -> bool:
    import libcst as cst

    return len(function.decorators) == 1 and isinstance(function.decorators[0].decorator, cst.Name) and (
        function.decorators[0].decorator.value in PROPERTY_DECORATORS
    )


def patch_mutmut_for_properties() -> None:
    """Let mutmut mutate @property and @cached_property methods (see the module docstring)."""
    import libcst as cst
    from mutmut.mutation import file_mutation

    visitor = next(
        cls for cls in vars(file_mutation).values()
        if isinstance(cls, type) and "_skip_node_and_children" in vars(cls)
    )
    skip = visitor._skip_node_and_children

    def skip_node_and_children(self, node) -> bool:
        if isinstance(node, cst.FunctionDef) and _is_property(node):
            return node.name.value in file_mutation.NEVER_MUTATE_FUNCTION_NAMES
        return skip(self, node)

    visitor._skip_node_and_children = skip_node_and_children

    arrange = file_mutation.function_trampoline_arrangement

    def function_trampoline_arrangement(function, mutants, class_name):
        if not _is_property(function):
            return arrange(function, mutants, class_name)
        # The copies (original and mutants) become plain methods the trampoline calls; the
        # trampoline itself, which takes the method's name in the class, keeps the decorator.
        declarations, methods, assignments, names = arrange(
            function.with_changes(decorators=[]), mutants, class_name
        )
        trampoline = methods[0]
        methods = [trampoline.with_changes(decorators=[*function.decorators, *trampoline.decorators]),
                   *methods[1:]]
        return declarations, methods, assignments, names

    file_mutation.function_trampoline_arrangement = function_trampoline_arrangement


def results() -> dict[str, str]:
    """Every selected mutant's status, read from mutmut's metadata files."""
    from mutmut.stats import status_by_exit_code

    statuses: dict[str, str] = {}
    for meta in (ROOT / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        for name, code in data["exit_code_by_key"].items():
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in SELECTED):
                statuses[name] = status_by_exit_code[code]
    return statuses


def documented_equivalents() -> set[str]:
    """Mutant names listed in docs/testing.md's table of equivalent mutants (first column,
    one name or several, each in backquotes)."""
    names = set()
    for line in EQUIVALENT_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(name for name in first_cell.split("`")[1::2] if "__mutmut_" in name)
    return names


def main(argv: list[str]) -> int:
    import os

    os.chdir(ROOT)
    if argv == ["--report"]:  # only read and check the results of the last run
        return report(partial=False)
    patterns = argv or SELECTED
    if not argv:
        # A clean copy each time: mutmut keeps results between runs, and a stale result of a
        # mutant whose tests changed would be reported as if it were new.
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    # One SQLite database, migrated here once, which every mutant's run uses as it is
    # (tests/conftest.py, UNIONBOARD_MUTATION): creating a test database each time would
    # cost more than most mutants' tests.
    database = ROOT / "mutants" / "test-db.sqlite3"
    database.parent.mkdir(exist_ok=True)
    database.unlink(missing_ok=True)
    os.environ.update(DATABASE_URL=f"sqlite:///{database}", UNIONBOARD_MUTATION="1")
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], check=True)
    patch_mutmut_for_properties()
    from mutmut.__main__ import cli

    try:
        cli(["run", "--max-children", "1", *patterns], standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            return int(exc.code)
    return report(partial=bool(argv))


def report(*, partial: bool) -> int:
    """Count the results and check every survivor against docs/testing.md."""
    statuses = results()
    missing = [name for name in MUST_HAVE if name not in statuses]
    if missing:
        print("mutmut did not mutate these properties (has its layout changed?):", *missing, sep="\n  ")
        return 2
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    equivalent = documented_equivalents()
    # A timeout is a mutant that made the tests loop: detected. One not checked is left from an
    # earlier run when only some mutants are run again.
    ignored = {"killed", "timeout"} | ({"not checked"} if partial else set())
    survivors = sorted(name for name, status in statuses.items() if status not in ignored)
    unexplained = [name for name in survivors if name not in equivalent]
    stale = [] if partial else sorted(equivalent - set(survivors))
    print()
    print(f"{len(statuses)} mutants: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    print(f"{len(survivors) - len(unexplained)} survivors listed as equivalent in docs/testing.md")
    if stale:
        print("listed as equivalent but killed now (remove them from docs/testing.md):", *stale, sep="\n  ")
    if unexplained:
        print("surviving mutants not explained in docs/testing.md:")
        for name in unexplained:
            print(f"  {name} ({statuses[name]})   see: .venv/bin/mutmut show {name}")
        return 1
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
