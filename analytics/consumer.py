"""Rasa's event stream → de-identified analytics facts.

Rasa publishes every tracker event to its event broker (bot/endpoints*.yml). ``Consumer``
reads them in order per conversation and keeps only what analysts need:

- a conversation as its analytics pseudonym (sobu_privacy/pseudonyms.py), the day it
  started, whether a person took part (a live handoff or a call-back) and whether a
  request ticket was opened;
- a **question** per customer message that asks something: its intent, NLU confidence, the
  policy section answered, whether it went unanswered and whether the customer asked for a
  person right after it. Form answers and replies to a question for personal details are
  counted as messages and never stored as questions: that is where names and addresses are;
- the masked text (analytics/deidentify.py) of **unanswered** questions only: what the
  knowledge base lacks. Every value the conversation gave for its name, kana, address,
  phone, e-mail or customer number is masked wherever it appears, also in texts stored
  before the value was given. Those values are held in memory only, never stored;
- counters per day (storage.analytics), so reports never rescan facts.

An event already applied (a redelivery after a crash) is recognised by its timestamp,
which only grows within a conversation, and skipped.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Sequence, Set, Tuple

from sobu_privacy.clock import japan_date
from sobu_privacy.intents import (
    DIALOGUE_INTENTS,
    FORM_INTERRUPTIONS,
    UNANSWERED_INTENTS,
)
from sobu_privacy.pseudonyms import ANALYTICS, pseudonym
from sobu_privacy.request_form import REQUEST_FORM_FIELDS
from storage.analytics import AnalyticsBatch, AnalyticsStore
from storage.models import AnalyticsConversationRow

logger = logging.getLogger(__name__)

__all__ = ["Consumer", "Metric", "PERSONAL_SLOTS", "confidence_bucket", "is_question"]


class Metric:
    """The daily counters' names (storage ``analytics_daily.metric``)."""

    CONVERSATIONS = "conversations"      # by the day a conversation started
    MESSAGES = "messages"                # every customer message
    QUESTIONS = "questions"
    INTENT = "intent"                    # key: the intent of a question
    SECTION = "section"                  # key: the policy section number answered
    CONFIDENCE = "confidence"            # key: "0.0" … "0.9", the NLU confidence's tenth
    UNANSWERED = "unanswered"
    HANDOFFS = "handoffs"                # conversations a person took part in, by start day
    HANDOFF_AFTER = "handoff_after"      # key: the intent of the question before the handoff
    TICKETS = "tickets"                  # conversations that opened a request ticket


#: The ticket fields that identify a person; the request form's slots for them, plus the
#: call-back and status-check forms' own.
_PERSONAL_TICKET_FIELDS = {"name", "name_kana", "postal_code", "address", "phone", "email", "customer_number", "agent_name"}
PERSONAL_SLOTS: frozenset = frozenset(
    {f.slot for f in REQUEST_FORM_FIELDS if f.ticket_field in _PERSONAL_TICKET_FIELDS}
    | {"callback_name", "callback_phone", "status_ticket_number", "status_phone"}
)
#: Messages that answer the assistant rather than ask it something.
_NOT_QUESTIONS = frozenset({"inform", "cancel"} | (set(DIALOGUE_INTENTS) - {"out_of_scope", "bot_challenge"}))
#: The assistant's "not understood" actions: the question before one went unanswered.
_NOT_UNDERSTOOD_ACTIONS = frozenset({"action_handle_fallback", "action_default_fallback", "action_handle_out_of_scope"})
_ASK_FOR_PERSON = "request_human"
_CALLBACK_REGISTERED = "utter_callback_registered"
_KNOWN_VALUES_KEPT = 5000  # conversations whose given values are held for masking


def confidence_bucket(confidence: Optional[float]) -> str:
    """The tenth a confidence falls in ("0.0" … "0.9"; 1.0 goes with 0.9)."""
    value = min(max(float(confidence or 0.0), 0.0), 0.999)
    return f"{int(value * 10) / 10:.1f}"


def is_question(intent: Optional[str], in_form: bool) -> bool:
    """Whether a customer message asks something (and so may be shown, masked, to analysts).

    Inside a form everything except the interruptions the form answers (a policy question,
    a status check, asking for a person) is an answer to the form's question, whatever the
    classifier made of it: a name scored as out_of_scope is still a name.
    """
    if intent in _NOT_QUESTIONS:
        return False
    if in_form:
        return intent in FORM_INTERRUPTIONS and intent != "cancel"
    return True


@dataclass(frozen=True)
class _Pending:
    """An open question's masked text, held until it is known whether it was answered."""

    question_id: int
    text: Optional[str]


class Consumer:
    """Applies batches of broker events to the analytics store, one transaction per batch."""

    def __init__(
        self,
        store: AnalyticsStore,
        mask: Callable[[str, Iterable[str]], str],
        sections_for: Callable[[str], Sequence[str]],
        *,
        pseudonym_key: Optional[bytes] = None,
    ) -> None:
        self.store = store
        self._mask = mask
        self._sections_for = sections_for
        self._key = pseudonym_key
        # In memory only: the values each conversation gave (masked wherever they appear),
        # and the text of its open question. Oldest conversations are forgotten first.
        self._known: "OrderedDict[str, Set[str]]" = OrderedDict()
        self._pending: Dict[str, _Pending] = {}
        self.skipped = 0

    def process(self, events: Sequence[Mapping[str, Any]], cursor: Optional[Tuple[str, int]] = None) -> int:
        """Apply ``events`` (Rasa's broker JSON) and, in the same transaction, the cursor."""
        applied = 0
        with self.store.batch() as batch:
            for event in events:
                try:
                    applied += self._apply(batch, event)
                except (TypeError, ValueError, AttributeError, KeyError) as error:
                    # A malformed event must not stop the stream; its content is never logged.
                    self.skipped += 1
                    logger.warning("analytics: skipped a malformed event (%s)", type(error).__name__)
            if cursor is not None:
                batch.set_cursor(*cursor)
        return applied

    # --- one event -------------------------------------------------------------------------
    def _apply(self, batch: AnalyticsBatch, event: Mapping[str, Any]) -> int:
        sender = event.get("sender_id")
        kind = event.get("event")
        timestamp = float(event.get("timestamp") or 0.0)
        if not isinstance(sender, str) or not sender or not isinstance(kind, str):
            self.skipped += 1
            return 0
        who = pseudonym(sender, purpose=ANALYTICS, key=self._key)
        conversation = batch.conversation(who)
        if conversation is not None and timestamp <= conversation.last_event_ts:
            return 0  # already applied (redelivered)
        if kind == "user":
            conversation = self._user(batch, who, conversation, event, timestamp)
        elif conversation is None:
            return 0  # nothing before the first customer message is a fact about them
        elif kind == "action":
            self._action(batch, who, conversation, str(event.get("name") or ""))
        elif kind == "slot":
            self._slot(batch, who, conversation, str(event.get("name") or ""), event.get("value"))
        elif kind == "active_loop":
            conversation.in_form = bool(event.get("name"))
        elif kind == "pause":
            self._handoff(batch, conversation)
        elif kind == "bot":
            if (event.get("metadata") or {}).get("utter_action") == _CALLBACK_REGISTERED:
                self._handoff(batch, conversation)
        elif kind in ("restart", "session_started"):
            conversation.in_form = False
            conversation.open_question_id = None
            self._pending.pop(who, None)
        conversation.last_event_ts = timestamp
        return 1

    def _user(
        self, batch: AnalyticsBatch, who: str, conversation: Optional[AnalyticsConversationRow],
        event: Mapping[str, Any], timestamp: float,
    ) -> AnalyticsConversationRow:
        moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
        day = japan_date(moment)
        if conversation is None:
            conversation = batch.start_conversation(who, moment, day)
            batch.count(day, Metric.CONVERSATIONS)
        conversation.open_question_id = None
        self._pending.pop(who, None)
        batch.count(day, Metric.MESSAGES)

        parsed = event.get("parse_data") or {}
        intent_data = parsed.get("intent") or {}
        intent = intent_data.get("name") or None
        confidence = intent_data.get("confidence")
        confidence = float(confidence) if isinstance(confidence, (int, float)) else None
        if not is_question(intent, conversation.in_form):
            return conversation

        text = str(event.get("text") or "")
        typed = not text.startswith("/")  # a button sends its payload, not customer text
        masked = self._mask(text, self._known.get(who, ())).strip()[:500] if typed else None
        unanswered = intent in UNANSWERED_INTENTS or intent is None
        question_id = batch.add_question(
            who, day, intent, confidence, unanswered, (masked or None) if unanswered else None
        )
        batch.count(day, Metric.QUESTIONS)
        batch.count(day, Metric.INTENT, intent or "")
        batch.count(day, Metric.CONFIDENCE, confidence_bucket(confidence))
        if unanswered:
            batch.count(day, Metric.UNANSWERED)
        else:
            self._pending[who] = _Pending(question_id, masked or None)
        conversation.open_question_id = question_id
        if intent != _ASK_FOR_PERSON:
            conversation.topic_question_id = question_id
        return conversation

    def _action(self, batch: AnalyticsBatch, who: str, conversation: AnalyticsConversationRow, name: str) -> None:
        if name not in _NOT_UNDERSTOOD_ACTIONS:
            return
        pending = self._pending.pop(who, None)
        question = batch.question(conversation.open_question_id)
        if question is None or question.unanswered:
            return
        text = pending.text if pending and pending.question_id == question.id else None
        batch.update_question(question.id, unanswered=True, text=text)
        batch.count(question.day, Metric.UNANSWERED)

    def _slot(
        self, batch: AnalyticsBatch, who: str, conversation: AnalyticsConversationRow, name: str, value: Any,
    ) -> None:
        if name == "last_faq" and value:
            question = batch.question(conversation.open_question_id)
            if question is not None and not question.unanswered:
                sections = [str(s) for s in self._sections_for(str(value))]
                batch.update_question(question.id, section=",".join(sections)[:64] or None)
                for section in sections:
                    batch.count(question.day, Metric.SECTION, section)
        elif name == "last_ticket_number" and value and not conversation.ticket:
            conversation.ticket = True
            batch.count(conversation.day, Metric.TICKETS)
        elif name in PERSONAL_SLOTS and isinstance(value, str) and value.strip():
            self._remember(batch, who, value.strip())

    def _remember(self, batch: AnalyticsBatch, who: str, value: str) -> None:
        """Hold a value the customer gave, and mask it in what is already stored."""
        known = self._known.setdefault(who, set())
        self._known.move_to_end(who)
        known.add(value)
        while len(self._known) > _KNOWN_VALUES_KEPT:
            self._known.popitem(last=False)
        for question_id, text in batch.stored_texts(who):
            masked = self._mask(text, known)
            if masked != text:
                batch.update_question(question_id, text=masked)
        pending = self._pending.get(who)
        if pending and pending.text:
            self._pending[who] = _Pending(pending.question_id, self._mask(pending.text, known))

    def _handoff(self, batch: AnalyticsBatch, conversation: AnalyticsConversationRow) -> None:
        if conversation.handoff:
            return
        conversation.handoff = True
        batch.count(conversation.day, Metric.HANDOFFS)
        topic = batch.question(conversation.topic_question_id)
        if topic is not None:
            batch.update_question(topic.id, handoff_after=True)
            batch.count(topic.day, Metric.HANDOFF_AFTER, topic.intent or "")
