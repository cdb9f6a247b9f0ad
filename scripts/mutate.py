"""`make mutate`: mutation testing of the rules that decide what a customer or staff member sees
or may do, with a verdict per module.

Why: a suite is worth what it catches. mutmut (pinned in requirements.lock, configured under
``[tool.mutmut]`` in pyproject.toml) copies the project into ``mutants/``, plants one small bug
at a time in the modules named there (``only_mutate``) and runs the tests that reach the
function it changed. A mutant the tests let through is a claim no test defends.

This script runs mutmut, then reads its per-file results (``mutants/<module>.py.meta``) and
prints the kill rate per module. The run fails (exit 1) when a module kills fewer than
``KILL_TARGET`` of its mutants, or when a mutant survives that is not in
``scripts/mutation_survivors.yml``: the reviewed list of survivors that are equivalent (the
program behaves the same) or harmless, each with its reason. Listed mutants that no longer
survive are reported so the list stays true.

mutmut keeps its results between runs and re-tests only functions that changed, so a second
``make mutate`` is quick. The first full pass takes over an hour on two cores, so it stays out of
``make test``; ``scripts/mutate.py <module> …`` runs chosen modules.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
SURVIVORS_FILE = ROOT / "scripts" / "mutation_survivors.yml"
KILL_TARGET = 0.90

# mutmut's exit codes of a mutant's test run (mutmut/stats.py): 1 and 3 are test failures, i.e.
# the mutant was caught; timeouts and crashes also stop the bug from passing unnoticed.
_KILLED = {1, 3}
_TIMEOUT = {24, -24, 36, 152, 255}
_CRASHED = {-11, -9}
_NO_TESTS = {5, 33}
_TYPE_CHECKED = {37}


@dataclass(frozen=True)
class ModuleScore:
    """The verdicts of one mutated module."""

    module: str
    killed: int
    survived: tuple[str, ...]  # mutants the tests ran against and let through
    untested: tuple[str, ...]  # mutants no selected test reaches
    unchecked: int  # not run yet (an interrupted run)

    @property
    def total(self) -> int:
        return self.killed + len(self.survived) + len(self.untested) + self.unchecked

    @property
    def kill_rate(self) -> float:
        return self.killed / self.total if self.total else 1.0

    def not_killed(self) -> tuple[str, ...]:
        return self.survived + self.untested


@dataclass(frozen=True)
class Verdict:
    """What the run means for the project: which modules miss the target, which survivors
    nobody has reviewed, which reviewed entries are stale."""

    below_target: tuple[str, ...]
    unreviewed: tuple[str, ...]
    stale: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.below_target and not self.unreviewed


def score_module(module: str, exit_code_by_key: Mapping[str, Optional[int]]) -> ModuleScore:
    """Sort one module's mutants by mutmut's recorded exit codes."""
    killed = 0
    survived: List[str] = []
    untested: List[str] = []
    unchecked = 0
    for key in sorted(exit_code_by_key):
        code = exit_code_by_key[key]
        if code is None:
            unchecked += 1
        elif code in _KILLED or code in _TIMEOUT or code in _CRASHED or code in _TYPE_CHECKED:
            killed += 1
        elif code in _NO_TESTS:
            untested.append(key)
        else:  # 0, or anything mutmut calls suspicious: the bug went through
            survived.append(key)
    return ModuleScore(module, killed, tuple(survived), tuple(untested), unchecked)


def read_scores(mutants_dir: Path, modules: Iterable[str]) -> List[ModuleScore]:
    """The score of each configured module from mutmut's ``.meta`` files."""
    scores = []
    for module in modules:
        meta = mutants_dir / (module + ".meta")
        data = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {"exit_code_by_key": {}}
        scores.append(score_module(module, data["exit_code_by_key"]))
    return scores


def load_reviewed(path: Path) -> Dict[str, str]:
    """The reviewed survivors: mutant name → why it may live (equivalent or harmless)."""
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    reviewed = {}
    for entry in entries:
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path}: {entry.get('mutant')} has no reason")
        reviewed[entry["mutant"]] = entry["reason"]
    return reviewed


def judge(scores: Sequence[ModuleScore], reviewed: Mapping[str, str], target: float = KILL_TARGET) -> Verdict:
    alive = {name for score in scores for name in score.not_killed()}
    return Verdict(
        below_target=tuple(s.module for s in scores if s.kill_rate < target),
        unreviewed=tuple(sorted(alive - set(reviewed))),
        stale=tuple(sorted(set(reviewed) - alive)),
    )


def render(scores: Sequence[ModuleScore], verdict: Verdict, reviewed: Mapping[str, str]) -> str:
    """The table README quotes, then every mutant left alive and why."""
    lines = ["| module | mutants | killed | kill rate | survivors (reviewed) |", "|---|---:|---:|---:|---|"]
    for s in scores:
        left = s.not_killed()
        noted = sum(1 for name in left if name in reviewed)
        lines.append(f"| `{s.module}` | {s.total} | {s.killed} | {s.kill_rate:.1%} | {len(left)} ({noted}) |")
    killed = sum(s.killed for s in scores)
    total = sum(s.total for s in scores)
    lines.append(f"| all | {total} | {killed} | {killed / total if total else 1:.1%} | |")
    for s in scores:
        for name in s.not_killed():
            why = reviewed.get(name, "NOT REVIEWED")
            kind = "no test reaches it" if name in s.untested else "survived"
            lines.append(f"- {name} ({kind}): {why}")
        if s.unchecked:
            lines.append(f"- {s.module}: {s.unchecked} mutants not run yet (interrupted run?)")
    for module in verdict.below_target:
        lines.append(f"BELOW TARGET ({KILL_TARGET:.0%}): {module}")
    for name in verdict.stale:
        lines.append(f"stale entry in {SURVIVORS_FILE.name} (now killed or gone): {name}")
    return "\n".join(lines)


def mutant_glob(module: str) -> str:
    """mutmut's names for the mutants of one module: ``policy_kb/fact_check.py`` →
    ``policy_kb.fact_check.*`` (then ``x_<function>__mutmut_<n>``)."""
    return module[: -len(".py")].replace("/", ".") + ".*"


def _mutmut_config(pyproject: Path = ROOT / "pyproject.toml") -> Dict[str, object]:
    import tomli

    return tomli.loads(pyproject.read_text(encoding="utf-8"))["tool"]["mutmut"]


def configured_modules() -> List[str]:
    return list(_mutmut_config()["only_mutate"])


def _refresh_data_files(mutants_dir: Path) -> None:
    """mutmut re-copies Python files every run but copies the others (domain, answers,
    templates) only into a fresh mutants/; refresh those that changed since, so a re-run
    tests today's data, not the first run's."""
    import filecmp
    import shutil

    for top in _mutmut_config()["source_paths"]:
        for source in (ROOT / str(top)).rglob("*"):
            if source.is_dir() or source.suffix == ".py" or "node_modules" in source.parts:
                continue
            copy = mutants_dir / source.relative_to(ROOT)
            if copy.exists() and not filecmp.cmp(source, copy, shallow=False):
                shutil.copy2(source, copy)


def _link_shared(mutants_dir: Path) -> None:
    """The tests find the intent contract in shared/ beside the repository; inside mutants/
    that is the repository itself, so point mutants/shared at the real one."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from measure_common import CONTRACT_CANDIDATES

    contract = next((c for c in CONTRACT_CANDIDATES if c.exists()), None)
    if contract is None:
        sys.exit("shared/contract/intents.yml not found beside the repository")
    mutants_dir.mkdir(exist_ok=True)
    link = mutants_dir / "shared"
    if not link.is_symlink():
        link.symlink_to(contract.parent.parent.resolve())


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report-only", action="store_true", help="read the last run's results, run nothing")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("modules", nargs="*", help="only these of the configured modules (paths as in "
                        "pyproject.toml), e.g. after changing one; the table still shows every module")
    args = parser.parse_args(argv)
    modules = configured_modules()
    unknown = sorted(set(args.modules) - set(modules))
    if unknown:
        parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")
    if not args.report_only:
        _link_shared(MUTANTS)
        _refresh_data_files(MUTANTS)
        mutmut = Path(sys.executable).with_name("mutmut")
        # mutmut draws a spinner per mutant; keep its log out of the terminal, show the table.
        with open(MUTANTS / "run.log", "w", encoding="utf-8") as log:
            code = subprocess.call([str(mutmut), "run", "--max-children", str(args.max_children),
                                    *(mutant_glob(m) for m in args.modules)],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        if code != 0:
            print(f"mutmut run failed ({code}); see {MUTANTS / 'run.log'}", file=sys.stderr)
            return code
    reviewed = load_reviewed(SURVIVORS_FILE)
    scores = read_scores(MUTANTS, modules)
    verdict = judge(scores, reviewed)
    print(render(scores, verdict, reviewed))
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
