"""Where the time of a chat turn goes: py-spy's sampled stacks → a table per stage.

`make profile` (scripts/bench.py --profile) records both servers with py-spy while the bench
plays its conversations (``--format raw``: one line per distinct stack, ``frame;frame;… count``,
root first, each frame ``function (path:line)``). This module reads those files and says which
part of the turn each sample belongs to, so README's profile table is computed, not guessed.

A sample belongs to the **outermost** stage marker on its stack (the first from the root):
the tracker store's load is "tracker store" even while SQLAlchemy or event replay runs
inside it, and GiNZA is "NLU: GiNZA" even deep in Sudachi. Samples with no marker are the
server itself (Sanic, JSON, asyncio); idle samples (py-spy records them only with --idle) are
left out. Pure: tested on hand-made stacks in tests/scripts/test_profile_summary.py.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

# (stage, path markers, function names or () for any): a frame belongs to a stage when its
# path holds a marker (and its function is one of those named); checked from the root.
STAGES: Tuple[Tuple[str, Tuple[str, ...], Tuple[str, ...]], ...] = (
    ("lock store", ("lock_store.py",), ()),
    ("tracker store: load", ("tracker_store.py",), ("retrieve", "retrieve_full_tracker", "_retrieve",
                                                     "get_or_create_tracker", "get_tracker")),
    ("tracker store: save", ("tracker_store.py",), ()),
    ("event broker", ("event_broker",), ()),
    ("NLU: normalizer", ("nlu/components/normalizer.py",), ()),
    ("NLU: GiNZA (spaCy, Sudachi)", ("nlu/components/ginza_nlp.py", "spacy_tokenizer.py", "spacy_featurizer.py",
                                     "spacy_utils.py"), ()),
    ("NLU: TF-IDF features", ("nlu/components/tfidf_featurizer.py",), ()),
    ("NLU: intent classifier", ("nlu/components/intent_classifier.py",), ()),
    ("NLU: entities", ("nlu/components/entities.py",), ()),
    ("NLU: emergency, fallback", ("nlu/components/emergency.py", "fallback_classifier.py"), ()),
    ("policies (RulePolicy)", ("rasa/core/policies/",), ()),
    ("custom action call", ("remote_action.py", "rasa/core/actions/action.py"), ()),
    ("action server: actions", ("/actions/faq.py", "/actions/fallback.py", "/actions/handoff.py",
                                "/actions/request_form.py", "/actions/tickets.py", "/actions/form_validation.py"), ()),
    ("action server: storage", ("/storage/",), ()),
    ("action server: rasa_sdk", ("rasa_sdk/",), ()),
)
OTHER = "server (HTTP, JSON, asyncio, other)"
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<where>[^()]*)\)$")


@dataclass(frozen=True)
class StageShare:
    stage: str
    samples: int
    share: float


@dataclass(frozen=True)
class HotFunction:
    """A function where the CPU was when sampled (self time)."""

    function: str
    where: str
    samples: int
    share: float


def read_raw(lines: Iterable[str]) -> List[Tuple[Tuple[str, ...], int]]:
    """py-spy raw lines → (frames root first, count); blank and malformed lines skipped."""
    stacks = []
    for line in lines:
        line = line.rstrip("\n")
        head, _, count = line.rpartition(" ")
        if not head or not count.isdigit():
            continue
        stacks.append((tuple(head.split(";")), int(count)))
    return stacks


def _split(frame: str) -> Tuple[str, str]:
    match = _FRAME.match(frame)
    return (match["func"], match["where"]) if match else (frame, "")


def stage_of(frames: Sequence[str]) -> str:
    for frame in frames:
        func, where = _split(frame)
        for stage, paths, functions in STAGES:
            if any(marker in where for marker in paths) and (not functions or func in functions):
                return stage
    return OTHER


def stages(stacks: Sequence[Tuple[Tuple[str, ...], int]]) -> List[StageShare]:
    """Samples per stage, largest first, as shares of all samples."""
    counts: Counter = Counter()
    for frames, count in stacks:
        counts[stage_of(frames)] += count
    total = sum(counts.values()) or 1
    return [StageShare(stage, n, n / total) for stage, n in counts.most_common()]


def hot_functions(stacks: Sequence[Tuple[Tuple[str, ...], int]], top: int = 12) -> List[HotFunction]:
    """The leaf frames that hold the most samples."""
    counts: Counter = Counter()
    for frames, count in stacks:
        if frames:
            counts[frames[-1]] += count
    total = sum(counts.values()) or 1
    hot = []
    for frame, n in counts.most_common(top):
        func, where = _split(frame)
        hot.append(HotFunction(func, _short_path(where), n, n / total))
    return hot


def _short_path(where: str) -> str:
    """site-packages/… and the repository's own paths without the machine's prefix."""
    for cut in ("site-packages/", "/work/main/", "python3.10/"):
        if cut in where:
            return where.split(cut, 1)[1]
    return where


def render(name: str, stacks: Sequence[Tuple[Tuple[str, ...], int]]) -> str:
    total = sum(count for _, count in stacks)
    lines = [f"### {name}: {total} samples", "", "| stage | share |", "|---|---:|"]
    lines += [f"| {s.stage} | {s.share:.1%} |" for s in stages(stacks)]
    lines += ["", "| hottest functions (self) | where | share |", "|---|---|---:|"]
    lines += [f"| `{h.function}` | {h.where} | {h.share:.1%} |" for h in hot_functions(stacks)]
    return "\n".join(lines)


def render_files(files: Sequence[Tuple[str, Path]]) -> str:
    parts = []
    for name, path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            parts.append(render(name, read_raw(handle)))
    return "\n\n".join(parts)
