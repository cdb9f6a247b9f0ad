"""The knowledge base's data model: the policy's pieces and sections, the contact and hours,
the answers, their parts and the text blocks. Frozen dataclasses; built by ``policy_kb.build``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from sobu_privacy.text import normalize_text as _normalize_text


class KnowledgeBaseError(ValueError):
    """policy.yml / answers.yml is inconsistent; the message lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid policy knowledge base:\n- " + "\n- ".join(self.problems))


@dataclass(frozen=True)
class Piece:
    """One identifiable piece of the policy (paragraph, item, table cell, note, ...).

    ``text`` is verbatim policy text for leaf pieces; for containers (a list,
    a table, a table row of ②, the contact block) it is rendered from the
    children so that citing a container still yields readable text.
    """

    id: str
    section: str | None
    text: str
    kind: str = "paragraph"
    label: str | None = None
    marker: str | None = None
    number: int | None = None
    notes: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    parent: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Section:
    """A numbered section of the policy; ``pieces`` are all its pieces in document order."""

    number: str
    title: str
    pieces: tuple[Piece, ...]

    @property
    def id(self) -> str:
        return f"s{self.number}"


@dataclass(frozen=True)
class Contact:
    """The request desk of section 8 (《受付の窓口》) and its hours, as data.

    ``hours`` / ``closed_days`` are display strings built from the policy's own
    words (「平日 午前9時〜午後5時」, 「土日祝日及び12/30～1/4」); the
    machine-readable fields let the hand-off logic decide whether staff are in.
    """

    address: str
    department: str
    phone: str
    hours: str
    closed_days: str
    days: str = "平日"
    open: str = "午前9時"
    close: str = "午後5時"
    open_time: _dt.time = _dt.time(9, 0)
    close_time: _dt.time = _dt.time(17, 0)
    closed_weekdays: tuple[int, ...] = (6, 7)  # ISO weekday numbers
    closed_on_national_holidays: bool = True
    closed_period: tuple[str, str] = ("12-30", "01-04")  # MM-DD, inclusive, wraps the year end

    def is_open_at(self, when: _dt.datetime, is_holiday: Callable[[_dt.date], bool] | None = None) -> bool:
        """True when the desk is staffed at ``when`` according to the policy.

        ``is_holiday`` (e.g. ``jpholiday.is_holiday``) decides national
        holidays; without it holidays cannot be recognised and only weekends,
        the year-end period and the time of day are checked.
        """
        day = when.date()
        if day.isoweekday() in self.closed_weekdays:
            return False
        if self.closed_on_national_holidays and is_holiday is not None and is_holiday(day):
            return False
        md = day.strftime("%m-%d")
        start, end = self.closed_period
        in_period = (start <= md <= end) if start <= end else (md >= start or md <= end)
        if in_period:
            return False
        return self.open_time <= when.time() < self.close_time


def _citation(sections: list[str]) -> str:
    if not sections:
        return ""
    return "（プライバシーポリシー " + "・".join(f"{n}." for n in sections) + " より）"


@dataclass(frozen=True)
class FaqAnswer:
    """The answer to one FAQ intent (possibly a context variant or a part), ready to send.

    ``short`` is what a phone chat window shows first; ``detail`` is for
    「詳しく」. ``sources`` are piece ids; ``sections`` and ``citation`` are
    derived from them by the loader.

    A *part* (``part`` set) is the focused answer to a question about one part of the
    answer (「一般送配電事業者ってどこの会社？」): its own short text, sources and citation,
    but the whole answer's detail, because 「詳しく」 after it shows the whole answer.
    ``detail_citation`` is that detail's citation (the whole answer's), so a part's
    ``text_detail()`` is exactly its answer's.
    """

    intent: str
    short: str
    detail: str | None
    sources: list[str]
    sections: list[str]
    citation: str
    context: str | None = None  # the previous intent this variant is for, None for the base answer
    part: str | None = None  # the name of the part this answer is, None for a whole answer
    detail_citation: str | None = None  # the citation of ``detail`` when it is not this answer's own

    def text_short(self) -> str:
        """The short answer with its citation on the next line."""
        return f"{self.short}\n{self.citation}" if self.citation else self.short

    def text_detail(self) -> str:
        """The detailed answer (or the short one if there is none) with its citation."""
        if not self.detail:
            return self.text_short()
        citation = self.citation if self.detail_citation is None else self.detail_citation
        return f"{self.detail}\n{citation}" if citation else self.detail


def match_form(text: str) -> str:
    """``text`` as part words are matched: the assistant's normal form, without spaces, case-folded.

    Why one function for both sides: a part's ``when`` words (answers.yml) and the
    customer's message go through the same ``sobu_privacy.text.normalize_text`` the NLU
    applies, so full-width and half-width letters and digits, half-width katakana and the
    dash/long-vowel variants meet in one spelling (ｲｯﾊﾟﾝ → イッパン, ＯＣＣＴＯ → OCCTO).
    Spaces are dropped because customers split words at random (「一般 送配電」). Hiragana
    and katakana are NOT folded into each other, and kana is never turned into kanji: the
    spellings customers type in kana (いっぱんそうはいでん) are listed as words of their own.
    """
    return _normalize_text(text).replace(" ", "").casefold()


@dataclass(frozen=True)
class AnswerPart:
    """A named part of an FAQ answer and the words that ask about it (answers.yml ``parts:``).

    ``when`` holds the words in ``match_form``; the part applies to a message whose
    ``match_form`` contains any of them. ``answer`` is what is sent then (its ``part`` is
    ``name``). Which of several applicable parts is chosen is ``KnowledgeBase.part_for``'s
    rule (the first in answers.yml order).
    """

    name: str
    when: tuple[str, ...]
    answer: FaqAnswer

    def applies_to(self, message: str) -> bool:
        """Whether the customer's ``message`` (raw, as typed) contains one of the part's words."""
        text = match_form(message)
        return any(word in text for word in self.when)


@dataclass(frozen=True)
class TextBlock:
    """A reusable text other parts of the assistant send (e.g. ``contact_and_hours``)."""

    name: str
    text: str
    sources: list[str]
    sections: list[str]
    citation: str

    def text_with_citation(self) -> str:
        return f"{self.text}\n{self.citation}" if self.citation else self.text
