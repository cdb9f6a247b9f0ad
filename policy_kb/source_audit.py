"""Checking policy.yml against the bundled source text, both ways (used by the tests).

Every verbatim text of the data must occur in the source, and every paragraph, list item,
table cell and note of the source must be covered by the data: the knowledge base neither
adds to the policy nor leaves any of it out.
"""

from __future__ import annotations

import re

from .knowledge_base import KnowledgeBase
from .normalize import NOTE_MARK_RE, squash, strip_markup


def source_problems(kb: KnowledgeBase) -> list[str]:
    """Differences between policy.yml and the source text; empty when they agree.

    Two directions: (1) every verbatim text of the data occurs in the
    source (after width/whitespace/markup normalisation); (2) every
    non-empty paragraph, list item, table cell fragment and note of the
    source is covered by texts of the data.
    """
    problems: list[str] = []
    src = squash(kb.source_text)
    for where, text in kb.verbatim_texts():
        if squash(text) not in src:
            problems.append(f"not in source: {where}: {text!r}")
    covering = sorted({squash(t) for _, t in kb.verbatim_texts() if len(squash(t)) >= 2}, key=len, reverse=True)
    # list markers (①, ○, ・) are data too, but one character long: they may only
    # account for the start of what is left of a fragment, not for text anywhere.
    markers = {squash(p.marker) for p in kb.pieces.values() if p.marker}
    for frag in source_fragments(kb.source_text):
        rest = squash(frag)
        for t in covering:
            if t in rest:
                rest = rest.replace(t, "")
        if rest[:1] in markers:
            rest = rest[1:]
        if re.sub(r"[-()《》「」・、。:：,.~※○\s]", "", rest):
            problems.append(f"source not covered: {frag!r} (left over: {rest!r})")
    return problems


def source_fragments(source_text: str) -> list[str]:
    """Split the policy text into its smallest meaningful pieces.

    Lines, then table cells (tab), then HTML paragraphs / list bullets, with
    Markdown list markers (``1. ``, ``- ``) removed. Used to prove that the
    data covers the whole source.
    """
    frags: list[str] = []
    for line in source_text.splitlines():
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"^(?:-\s+|\d+\.\s+)", "", line)
        for cell in line.split("\t"):
            cell = NOTE_MARK_RE.sub("", cell)
            for part in re.split(r"</?(?:p|ul|li)\b[^>]*>", cell):
                for bullet in re.split(r"\s・", part):
                    bullet = strip_markup(bullet).strip()
                    if bullet:
                        frags.append(bullet)
    return frags
