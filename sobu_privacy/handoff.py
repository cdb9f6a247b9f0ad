"""What staff see first when a chat is handed to them: the typed, versioned handoff summary.

The action server writes it when it queues a chat (``to_json`` into the handoff row), the
console reads it back (``from_json``); both sides use this one type, so a field renamed on
one side fails the other's tests instead of showing staff an empty box. It may hold what
the customer typed and the details they gave, so it is personal data: storage keeps it
only with its handoff, and it never goes to a log.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

from .labels import LabelledEnum
from .request_form import AnswerShape

__all__ = ["CALLBACK_FORM", "CALLBACK_ANSWER_SHAPES", "SUMMARY_VERSION", "HandoffKind", "HandoffReason", "CallbackRequest", "HandoffSummary"]

#: Raise when the shape changes; ``from_json`` still reads every older version.
SUMMARY_VERSION = 1
#: The form that takes a call-back request outside opening hours (actions.handoff), and the shape
#: of its free-text answers: read in the form's context like the request form's
#: (bot.form_context_policy), so 「漏洩 花子」 asked for a name is a name, not a question.
CALLBACK_FORM = "callback_form"
CALLBACK_ANSWER_SHAPES: Mapping[str, AnswerShape] = {"callback_name": AnswerShape.NAME}
#: How many of the customer's last messages the summary keeps.
QUESTIONS_KEPT = 5


class HandoffKind(LabelledEnum):
    """A live chat with staff (inside opening hours), or a call-back asked for outside them."""

    LIVE = ("live", "チャット")
    CALLBACK = ("callback", "折り返し電話")


class HandoffReason(LabelledEnum):
    """Why the chat came to a person."""

    CUSTOMER_ASKED = ("customer_asked", "お客さまが担当者との会話を希望")
    NOT_UNDERSTOOD = ("not_understood", "アシスタントが質問を読み取れなかったため")
    FORM_DIFFICULTY = ("form_difficulty", "入力フォームの回答が続けて読み取れなかったため")
    CALLBACK = ("callback", "受付時間外の折り返し電話のご依頼")


@dataclass(frozen=True)
class CallbackRequest:
    """A call-back asked for outside opening hours."""

    name: str = field(repr=False)
    phone: str = field(repr=False)  # digits, as sobu_privacy.identifiers.normalize_phone gives
    time: str = field(repr=False)  # the customer's own words (「平日の午前中」)


@dataclass(frozen=True)
class HandoffSummary:
    reason: Optional[HandoffReason]
    #: The customer's last typed messages, oldest first (button payloads left out).
    questions: Tuple[str, ...] = field(default=(), repr=False)
    #: Intents the assistant recognised in the conversation, in order.
    intents: Tuple[str, ...] = ()
    #: Answers of the request form so far: (label, value as the summary shows it), in form order.
    collected: Tuple[Tuple[str, str], ...] = field(default=(), repr=False)
    #: The same answers as ticket fields with canonical values, to pre-fill a ticket.
    ticket_fields: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: The 受付番号 the customer was given in this conversation, if any.
    ticket_number: Optional[str] = None
    callback: Optional[CallbackRequest] = None
    version: int = SUMMARY_VERSION

    @property
    def first_question(self) -> str:
        """What the queue shows: the earliest of the kept questions."""
        return self.questions[0] if self.questions else ""

    def ticket_prefill(self) -> Dict[str, str]:
        """Ticket fields the assistant already collected (stripped, non-empty)."""
        return {k: v.strip() for k, v in self.ticket_fields.items() if isinstance(v, str) and v.strip()}

    def to_json(self) -> Dict[str, Any]:
        return {
            "version": self.version,
            "reason": self.reason.value if self.reason else None,
            "questions": list(self.questions),
            "intents": list(self.intents),
            "collected": [[label, value] for label, value in self.collected],
            "ticket_fields": dict(self.ticket_fields),
            "ticket_number": self.ticket_number,
            "callback": (
                {"name": self.callback.name, "phone": self.callback.phone, "time": self.callback.time}
                if self.callback else None
            ),
        }

    @classmethod
    def from_json(cls, data: Any) -> "HandoffSummary":
        """Read a stored summary of any version; what is missing or malformed is left empty.

        Never raises: a damaged row must still show staff the conversation. Version 0 is
        the untyped dict written before this type existed (``collected`` as a mapping).
        """
        if not isinstance(data, Mapping):
            return cls(reason=None)
        reason = _enum_or_none(HandoffReason, data.get("reason"))
        collected_raw = data.get("collected")
        if isinstance(collected_raw, Mapping):  # version 0
            pairs = list(collected_raw.items())
        elif isinstance(collected_raw, list):
            pairs = [tuple(p) for p in collected_raw if isinstance(p, (list, tuple)) and len(p) == 2]
        else:
            pairs = []
        callback_raw = data.get("callback")
        callback = None
        if isinstance(callback_raw, Mapping):
            callback = CallbackRequest(
                name=_text(callback_raw.get("name")), phone=_text(callback_raw.get("phone")),
                time=_text(callback_raw.get("time")),
            )
            reason = reason or HandoffReason.CALLBACK
        fields_raw = data.get("ticket_fields")
        ticket_fields = {
            str(k): v for k, v in (fields_raw.items() if isinstance(fields_raw, Mapping) else [])
            if isinstance(k, str) and isinstance(v, str)
        }
        version = data.get("version")
        return cls(
            reason=reason,
            questions=_texts(data.get("questions")),
            intents=_texts(data.get("intents")),
            collected=tuple((_text(label), _text(value)) for label, value in pairs),
            ticket_fields=ticket_fields,
            ticket_number=_text(data.get("ticket_number")) or None,
            callback=callback,
            version=version if isinstance(version, int) else 0,
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _texts(value: Any) -> Tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _enum_or_none(cls: Any, value: Any) -> Any:
    try:
        return cls(value) if value is not None else None
    except ValueError:
        return None
