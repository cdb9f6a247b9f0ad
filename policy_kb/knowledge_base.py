"""Queries on the loaded knowledge base: the answer for an intent, a piece, a section, the
contact text. Built (and validated) by ``policy_kb.build.load_knowledge_base``.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping

from .model import Contact, FaqAnswer, Piece, Section, TextBlock


class KnowledgeBase:
    """The loaded, validated policy and answers. Build it with ``load_knowledge_base``."""

    def __init__(
        self,
        *,
        title: str,
        subtitle: str,
        sections: tuple[Section, ...],
        pieces: Mapping[str, Piece],
        verbatim: tuple[tuple[str, str], ...],
        contact: Contact,
        answers: Mapping[str, Mapping[str | None, FaqAnswer]],
        blocks: Mapping[str, TextBlock],
        source_text: str,
        policy_path: Path,
        answers_path: Path,
        source_path: Path,
    ):
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.pieces: Mapping[str, Piece] = MappingProxyType(dict(pieces))
        self._verbatim = verbatim
        self.contact = contact
        self._answers = answers
        self.blocks: Mapping[str, TextBlock] = MappingProxyType(dict(blocks))
        self.source_text = source_text
        self.policy_path = policy_path
        self.answers_path = answers_path
        self.source_path = source_path
        self._sections_by_number = {s.number: s for s in sections}

    # --- answers -----------------------------------------------------------------
    @property
    def faq_intents(self) -> tuple[str, ...]:
        """The FAQ intents that have answers, in answers.yml order."""
        return tuple(self._answers)

    def answer_for(self, intent: str, previous_intent: str | None = None) -> FaqAnswer:
        """The answer for ``intent``; the context variant for ``previous_intent`` if there is one.

        Raises KeyError for an intent without an answer (callers should fall
        back, never improvise a policy answer).
        """
        variants = self._answers[intent]
        if previous_intent is not None and previous_intent in variants:
            return variants[previous_intent]
        return variants[None]

    def context_variants(self, intent: str) -> tuple[str, ...]:
        """Previous intents for which ``intent`` has a dedicated variant."""
        return tuple(k for k in self._answers[intent] if k is not None)

    def iter_answers(self) -> Iterator[FaqAnswer]:
        """Every answer and every context variant (for tests and reviews)."""
        for variants in self._answers.values():
            yield from variants.values()

    def contact_text(self, with_citation: bool = False) -> str:
        """How to reach 総務部 by phone and when, for any part of the assistant that must say it."""
        b = self.blocks["contact_and_hours"]
        return b.text_with_citation() if with_citation else b.text

    # --- policy --------------------------------------------------------------------
    def piece(self, piece_id: str) -> Piece:
        """The piece with that id; KeyError if unknown."""
        return self.pieces[piece_id]

    def section(self, number: str | int) -> Section:
        """Section ``number`` (``"8"`` or ``8``); KeyError if unknown."""
        return self._sections_by_number[str(number)]

    def verbatim_texts(self) -> tuple[tuple[str, str], ...]:
        """(where, text) for every string of policy.yml that claims to be source text."""
        return self._verbatim
