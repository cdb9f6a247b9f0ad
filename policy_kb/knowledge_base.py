"""Queries on the loaded knowledge base: the answer for an intent (or the part of it the
question asks about), a piece, a section, the contact text. Built (and validated) by
``policy_kb.build.load_knowledge_base``.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping

from .model import AnswerPart, Contact, FaqAnswer, Piece, Section, TextBlock


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
        parts: Mapping[str, tuple[AnswerPart, ...]] | None = None,
    ):
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.pieces: Mapping[str, Piece] = MappingProxyType(dict(pieces))
        self._verbatim = verbatim
        self.contact = contact
        self._answers = answers
        self._parts: Mapping[str, tuple[AnswerPart, ...]] = MappingProxyType(dict(parts or {}))
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

    def answer_for(
        self, intent: str, previous_intent: str | None = None, message: str | None = None
    ) -> FaqAnswer:
        """The answer for ``intent``: the part ``message`` asks about, else the context variant
        for ``previous_intent`` if there is one, else the base answer.

        ``message`` is the customer's text as typed (see ``part_for``). A part wins over a
        context variant: what the customer asks now is more specific than what they asked
        before. Raises KeyError for an intent without an answer (callers should fall
        back, never improvise a policy answer).
        """
        variants = self._answers[intent]
        part = self.part_for(intent, message) if message else None
        if part is not None:
            return part.answer
        if previous_intent is not None and previous_intent in variants:
            return variants[previous_intent]
        return variants[None]

    def parts(self, intent: str) -> tuple[AnswerPart, ...]:
        """The parts of ``intent``'s answer in answers.yml order (empty if it has none)."""
        self._answers[intent]  # KeyError for an intent without an answer, as everywhere
        return self._parts.get(intent, ())

    def part_for(self, intent: str, message: str) -> AnswerPart | None:
        """The part of ``intent``'s answer that ``message`` asks about, or None.

        Order rule: the FIRST part, in answers.yml order, one of whose ``when`` words occurs
        in the message. A message can name several (「一般送配電事業者にはどんな情報が渡るの」
        names a party and asks for the items), so answers.yml lists the parts that say what
        is asked (管理責任者, 目的, 項目) before the parts that explain a term (※2–※5); the
        loader rejects a word that an earlier part's word already catches.
        """
        for part in self.parts(intent):
            if part.applies_to(message):
                return part
        return None

    def context_variants(self, intent: str) -> tuple[str, ...]:
        """Previous intents for which ``intent`` has a dedicated variant."""
        return tuple(k for k in self._answers[intent] if k is not None)

    def iter_answers(self) -> Iterator[FaqAnswer]:
        """Every answer, every context variant and every part (for tests, reviews, coverage):
        everything ``answer_for`` can return, so checks over it miss no sent text."""
        for intent, variants in self._answers.items():
            yield from variants.values()
            yield from (p.answer for p in self._parts.get(intent, ()))

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
