"""Which piece of the policy each answer reaches, and which piece no question reaches.

Why: the assistant is meant to answer the whole privacy policy, not just the parts someone
thought of (issue 13, "Coverage": every section, numbered item, table row and note ※1–※5
is reachable by some question). A piece nobody can reach is a gap a customer meets as
「お答えできません」 although the policy answers it. ``make kb-report`` prints every piece
with the answers that use it and fails when one is reached by none.

Reachability follows the code path the bot really uses, nothing parallel to it:

* ``actions/faq.py`` sends ``KnowledgeBase.answer_for(intent, previous_intent, message)``: the
  answer of answers.yml for the FAQ intent, or the part of it the customer's message asks
  about (its ``parts:``, shown here as ``intent#part``), or its ``context:`` variant when the
  previous FAQ was that intent (shown as ``intent@previous``); 「詳しく」 sends the whole
  answer's detail.
  There is no generic per-section answer: a piece no answer cites is not said by the bot.
  (tests/policy_kb and tests/sobu_privacy check that every answers.yml intent is one of the
  contract's FAQ intents the NLU recognises.)
* hand-off, fallback, form and ticket messages send ``KnowledgeBase.contact_text()``, the
  block ``contact_and_hours`` (shown as ``block:contact_and_hours``). Other blocks are not
  sent by any code, so they reach nothing (see ``SENT_BLOCKS``).

What an answer reaches is what it cites (``sources``), because that is what the loader
turns into its citation and what review checks the answer text against:

* ``cited`` — an answer names the piece itself;
* ``enclosed`` — an answer names a container around it (a list, a table, a row): a
  container's text is rendered from its parts, so citing the table cites every cell;
* ``parts`` — a container none cites directly, but every part of which is reached
  (the list of section 1 when each of its five items is cited).

Footnotes are not carried along: a piece marked ^{※2} does not reach note ※2, because
rendering a container leaves notes out; a note is reached only when an answer cites it.

The document's title and subtitle (``doc.*``) belong to no section; the loader refuses
them as sources, so they are listed apart and not counted.

Pure: reads a loaded ``KnowledgeBase``, no Rasa, no files of its own.
Run: ``python -m policy_kb.coverage [policy.yml or directory]`` (``make kb-report``).
"""

from __future__ import annotations

import argparse
import enum
import sys
import unicodedata
from dataclasses import dataclass
from typing import Mapping, Sequence

from .build import load_knowledge_base
from .knowledge_base import KnowledgeBase
from .model import FaqAnswer, Piece

#: The blocks of answers.yml some code sends, and by what. ``KnowledgeBase.contact_text()`` is
#: the only reader of ``kb.blocks``; a new block reaches nothing until code sends it and it
#: is added here (tests/policy_kb/test_coverage.py fails on a block missing from this list).
SENT_BLOCKS: Mapping[str, str] = {
    "contact_and_hours": "KnowledgeBase.contact_text(): hand-off, fallback, form and ticket messages",
}

BLOCK_PREFIX = "block:"


class Reach(enum.Enum):
    """How a piece is reached; see the module docstring. NONE means no question reaches it."""

    CITED = "cited"
    ENCLOSED = "enclosed"
    PARTS = "parts"
    NONE = "UNCOVERED"


@dataclass(frozen=True)
class PieceCoverage:
    """One piece of the policy and the answers (``intent``, ``intent@previous``,
    ``intent#part``, ``block:name``) that reach it, in answers.yml order."""

    piece_id: str
    section: str
    kind: str
    title: str  # the piece's label/marker and first words, for a reader of the report
    answers: tuple[str, ...]
    reached_by: Reach

    @property
    def covered(self) -> bool:
        return self.reached_by is not Reach.NONE


@dataclass(frozen=True)
class SectionCoverage:
    """A numbered section with its pieces in document order."""

    number: str
    title: str
    pieces: tuple[PieceCoverage, ...]

    @property
    def uncovered(self) -> tuple[PieceCoverage, ...]:
        return tuple(p for p in self.pieces if not p.covered)


@dataclass(frozen=True)
class CoverageReport:
    """Every section's pieces, and the pieces outside any section (not counted)."""

    sections: tuple[SectionCoverage, ...]
    not_counted: tuple[str, ...]  # piece ids outside the sections (the document's title)

    @property
    def pieces(self) -> tuple[PieceCoverage, ...]:
        return tuple(p for s in self.sections for p in s.pieces)

    @property
    def uncovered(self) -> tuple[PieceCoverage, ...]:
        return tuple(p for p in self.pieces if not p.covered)

    def piece(self, piece_id: str) -> PieceCoverage:
        """The coverage of one piece; KeyError if it is not in a section."""
        for p in self.pieces:
            if p.piece_id == piece_id:
                return p
        raise KeyError(piece_id)


def answer_label(answer: FaqAnswer) -> str:
    """``faq_agent`` for a base answer, ``faq_agent@faq_disclosure`` for a context variant,
    ``faq_joint_use_electricity#transmission_operators`` for a part."""
    if answer.part:
        return f"{answer.intent}#{answer.part}"
    return answer.intent + (f"@{answer.context}" if answer.context else "")


def _citations(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Piece id → labels of the answers and sent blocks citing it, in answers.yml order."""
    cites: dict[str, list[str]] = {}
    senders: list[tuple[str, Sequence[str]]] = [(answer_label(a), a.sources) for a in kb.iter_answers()]
    senders += [(BLOCK_PREFIX + name, kb.blocks[name].sources) for name in SENT_BLOCKS if name in kb.blocks]
    for label, sources in senders:
        for sid in sources:
            labels = cites.setdefault(sid, [])
            if label not in labels:
                labels.append(label)
    return cites


def _title(p: Piece, width: int = 44) -> str:
    """The piece's label, marker or number and its first words, at most ``width`` columns."""
    head = " ".join(x for x in (p.label, p.marker, f"({p.number})" if p.number is not None else None) if x)
    title = f"{head} {p.text.splitlines()[0] if p.text else ''}".strip()
    if _width(title) <= width:
        return title
    while _width(title) > width - 1:
        title = title[:-1]
    return title + "…"


def _ordered(labels: set[str], order: Sequence[str]) -> tuple[str, ...]:
    return tuple(label for label in order if label in labels)


def coverage(kb: KnowledgeBase) -> CoverageReport:
    """The coverage of every piece of every section of ``kb``."""
    cites = _citations(kb)
    order = [answer_label(a) for a in kb.iter_answers()] + [BLOCK_PREFIX + n for n in SENT_BLOCKS]
    memo: dict[str, tuple[Reach, frozenset[str]]] = {}

    def enclosing(p: Piece) -> set[str]:
        labels: set[str] = set()
        parent = p.parent
        while parent is not None:
            labels.update(cites.get(parent, ()))
            parent = kb.pieces[parent].parent
        return labels

    def reach(p: Piece) -> tuple[Reach, frozenset[str]]:
        if p.id in memo:
            return memo[p.id]
        direct, around = set(cites.get(p.id, ())), enclosing(p)
        parts = [reach(kb.pieces[c]) for c in p.children]
        if direct:
            result = (Reach.CITED, frozenset(direct | around))
        elif around:
            result = (Reach.ENCLOSED, frozenset(around))
        elif parts and all(r is not Reach.NONE for r, _ in parts):
            result = (Reach.PARTS, frozenset().union(*(labels for _, labels in parts)))
        else:
            result = (Reach.NONE, frozenset())
        memo[p.id] = result
        return result

    sections = []
    in_sections: set[str] = set()
    for s in kb.sections:
        rows = []
        for p in s.pieces:
            how, labels = reach(p)
            in_sections.add(p.id)
            rows.append(PieceCoverage(p.id, s.number, p.kind, _title(p), _ordered(set(labels), order), how))
        sections.append(SectionCoverage(s.number, s.title, tuple(rows)))
    return CoverageReport(tuple(sections), tuple(pid for pid in kb.pieces if pid not in in_sections))


# --- printing ----------------------------------------------------------------------------

def _width(text: str) -> int:
    """Display width in a terminal: full-width (Japanese) characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def render(report: CoverageReport) -> str:
    """The report as a table a reviewer reads: one line per piece, grouped by section."""
    id_w = max((len(p.piece_id) for p in report.pieces), default=8) + 2
    kind_w = max((len(p.kind) for p in report.pieces), default=8) + 2
    title_w = max((_width(p.title) for p in report.pieces), default=10) + 2
    reach_w = max(len(r.value) for r in Reach) + 2
    lines = [
        "プライバシーポリシーの各部分と、それを使う回答 / each piece of the policy and the answers that use it",
        "(intent@previous: the variant sent after that previous question; intent#part: the part of the answer",
        " sent when the question names it; block:contact_and_hours: the desk's contact text of hand-off,",
        " fallback and request messages; enclosed: inside a cited list or table; parts: every part reached)",
        "",
        _pad("piece", id_w) + _pad("sec", 5) + _pad("kind", kind_w) + _pad("text", title_w)
        + _pad("reached", reach_w) + "answers",
    ]
    for s in report.sections:
        lines.append("")
        done = len(s.pieces) - len(s.uncovered)
        lines.append(f"{s.number}. {s.title}  ({done}/{len(s.pieces)})")
        for p in s.pieces:
            lines.append(
                _pad(p.piece_id, id_w) + _pad(p.section, 5) + _pad(p.kind, kind_w) + _pad(p.title, title_w)
                + _pad(p.reached_by.value, reach_w) + (", ".join(p.answers) if p.answers else "—")
            )
    if report.uncovered:
        lines += ["", "未到達 / uncovered: " + ", ".join(p.piece_id for p in report.uncovered)]
    if report.not_counted:
        lines += ["", "not counted (the document's title, in no section): " + ", ".join(report.not_counted)]
    lines += ["", f"{len(report.pieces)} pieces, {len(report.uncovered)} uncovered"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report; 1 if any piece is uncovered (so ``make kb-report`` fails), else 0."""
    parser = argparse.ArgumentParser(prog="python -m policy_kb.coverage", description=__doc__.split("\n", 1)[0])
    parser.add_argument("policy", nargs="?", help="policy.yml or a directory with policy.yml and answers.yml "
                                                  "(default: the bundled knowledge base)")
    args = parser.parse_args(argv)
    report = coverage(load_knowledge_base(args.policy))
    print(render(report))
    return 1 if report.uncovered else 0


if __name__ == "__main__":
    sys.exit(main())
