"""Handing a conversation to 総務部 staff, or a call-back request outside opening hours.

Rasa 3.6 has no live-agent feature: pausing the conversation (ConversationPaused) stops
the assistant from acting while messages keep being recorded; the staff console replies
through Rasa's HTTP API and resumes the conversation to hand back.
"""
from __future__ import annotations

import enum
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import CustomerFormValidation
from actions import opening_hours, parsing, services
from actions.request_form import collected_answers, ticket_fields
from sobu_privacy.handoff import QUESTIONS_KEPT, CallbackRequest, HandoffKind, HandoffReason, HandoffSummary
from sobu_privacy.identifiers import parse_phone
from sobu_privacy.pseudonyms import log_ref
from storage import HandoffQueueFull, StorageUnavailable

logger = logging.getLogger(__name__)

CALLBACK_SLOTS = ["callback_name", "callback_phone", "callback_time"]


def handoff_reason(tracker: Tracker) -> HandoffReason:
    """Why this chat comes to a person, from how the customer got here.

    A 「はい」 can only lead here as the answer to the offer of a person after two misses;
    the 「担当者と話す」 button after repeated unreadable form answers follows
    ``utter_too_many_invalid``; everything else is the customer asking.
    """
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "affirm":
        return HandoffReason.NOT_UNDERSTOOD
    last_bot = next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)
    if last_bot and (last_bot.get("metadata") or {}).get("utter_action") == "utter_too_many_invalid":
        return HandoffReason.FORM_DIFFICULTY
    return HandoffReason.CUSTOMER_ASKED


def conversation_summary(
    tracker: Tracker, reason: HandoffReason, callback: Optional[CallbackRequest] = None
) -> HandoffSummary:
    """What staff need at a glance: why, questions asked, intents seen, details, ticket."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    intents = [((e.get("parse_data") or {}).get("intent") or {}).get("name") for e in user_events]
    questions = [e.get("text") for e in user_events if e.get("text") and not e["text"].startswith("/")]
    return HandoffSummary(
        reason=reason,
        questions=tuple(questions[-QUESTIONS_KEPT:]),
        intents=tuple(i for i in intents if i),
        collected=tuple(collected_answers(tracker)),
        # The same answers as ticket fields, so the console can open a ticket from them.
        ticket_fields={k: v for k, v in ticket_fields(tracker).items() if v is not None},
        ticket_number=tracker.get_slot("last_ticket_number"),
        callback=callback,
    )


class Queued(enum.Enum):
    """What became of a request to put a conversation in front of staff."""

    YES = "yes"
    FULL = "full"  # MAX_WAITING_HANDOFFS customers already wait
    UNAVAILABLE = "unavailable"  # the database could not be reached


def queue_for_staff(
    dispatcher: CollectingDispatcher, tracker: Tracker, summary: HandoffSummary, kind: HandoffKind
) -> Queued:
    """Queue the conversation for staff; when that fails, tell the customer how to call."""
    try:
        services.handoff_queue().enqueue(
            tracker.sender_id, summary, kind=kind, max_waiting=services.settings().max_waiting_handoffs
        )
        return Queued.YES
    except HandoffQueueFull:
        logger.warning("%s refused, queue full conversation=%s", kind.value, log_ref(tracker.sender_id))
        refusal, outcome = "utter_handoff_busy", Queued.FULL
    except StorageUnavailable:
        logger.error("%s not queued conversation=%s", kind.value, log_ref(tracker.sender_id))
        refusal, outcome = "utter_handoff_failed", Queued.UNAVAILABLE
    dispatcher.utter_message(response=refusal, contact=services.knowledge_base().contact_text())
    return outcome


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        now = services.settings().now()
        if not opening_hours.is_open(now):
            opening = opening_hours.describe_opening(opening_hours.next_opening(now))
            dispatcher.utter_message(response="utter_handoff_closed", next_open=opening)
            return []
        summary = conversation_summary(tracker, handoff_reason(tracker))
        if queue_for_staff(dispatcher, tracker, summary, HandoffKind.LIVE) is not Queued.YES:
            return []
        logger.info("handoff queued conversation=%s", log_ref(tracker.sender_id))
        dispatcher.utter_message(response="utter_handoff_queued")
        return [SlotSet("fallback_count", 0), ConversationPaused()]


class ValidateCallbackForm(CustomerFormValidation):
    def name(self) -> Text:
        return "validate_callback_form"

    def validate_callback_name(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        name = parsing.parse_person_name(slot_value)
        return self._check("callback_name", name, "utter_invalid_name", dispatcher, tracker)

    def validate_callback_phone(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        phone = parse_phone(slot_value)
        return self._check("callback_phone", phone, "utter_invalid_phone", dispatcher, tracker)

    def validate_callback_time(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        time = parsing.parse_details(slot_value)
        return self._check("callback_time", time, "utter_invalid_callback_time", dispatcher, tracker)


class ActionSubmitCallback(Action):
    def name(self) -> Text:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        callback = CallbackRequest(
            name=tracker.get_slot("callback_name") or "",
            phone=tracker.get_slot("callback_phone") or "",
            time=tracker.get_slot("callback_time") or "",
        )
        summary = conversation_summary(tracker, HandoffReason.CALLBACK, callback)
        clear = [SlotSet(slot, None) for slot in CALLBACK_SLOTS]
        queued = queue_for_staff(dispatcher, tracker, summary, HandoffKind.CALLBACK)
        if queued is Queued.FULL:
            return clear
        if queued is Queued.UNAVAILABLE:
            return []  # the answers stay, so pressing again retries
        dispatcher.utter_message(response="utter_callback_registered")
        return clear
