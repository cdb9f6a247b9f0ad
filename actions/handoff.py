"""Handing a conversation to 総務部 staff, or a call-back request outside opening hours.

Rasa 3.6 has no live-agent feature: pausing the conversation (ConversationPaused) stops
the assistant from acting while messages keep being recorded; the staff console replies
through Rasa's HTTP API and resumes the conversation to hand back.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import CustomerFormValidation
from actions import opening_hours, parsing, services
from actions.request_form import FORM_SLOTS, display_value, request_fields, ticket_fields
from storage import StorageUnavailable

logger = logging.getLogger(__name__)

CALLBACK_SLOTS = ["callback_name", "callback_phone", "callback_time"]


def conversation_summary(tracker: Tracker) -> Dict[str, Any]:
    """What staff need at a glance: questions asked, intents seen, details, ticket."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    intents = [((e.get("parse_data") or {}).get("intent") or {}).get("name") for e in user_events]
    questions = [e.get("text") for e in user_events if e.get("text") and not e["text"].startswith("/")]
    collected = {
        request_fields()[slot]["label"]: display_value(slot, tracker.get_slot(slot))
        for slot in FORM_SLOTS
        if slot in request_fields() and tracker.get_slot(slot) is not None
    }
    return {
        "questions": questions[-5:],
        "intents": [i for i in intents if i],
        "collected": collected,
        # The same answers as ticket fields, so the console can open a ticket from them.
        "ticket_fields": {k: v for k, v in ticket_fields(tracker).items() if v is not None},
        "ticket_number": tracker.get_slot("last_ticket_number"),
    }


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        now = services.settings().now()
        if not opening_hours.is_open(now):
            opening = opening_hours.describe_opening(opening_hours.next_opening(now))
            dispatcher.utter_message(response="utter_handoff_closed", next_open=opening)
            return []
        try:
            services.handoff_queue().enqueue(tracker.sender_id, conversation_summary(tracker), kind="live")
        except StorageUnavailable:
            logger.exception("handoff not queued conversation=%s", tracker.sender_id)
            dispatcher.utter_message(response="utter_handoff_failed", contact=services.knowledge_base().contact_text())
            return []
        logger.info("handoff queued conversation=%s", tracker.sender_id)
        dispatcher.utter_message(response="utter_handoff_queued")
        return [SlotSet("fallback_count", 0), ConversationPaused()]


class ValidateCallbackForm(CustomerFormValidation):
    def name(self) -> Text:
        return "validate_callback_form"

    def validate_callback_name(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        name = parsing.parse_person_name(slot_value)
        return self._check("callback_name", name, "utter_invalid_name", dispatcher, tracker)

    def validate_callback_phone(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        phone = parsing.parse_phone(slot_value)
        return self._check("callback_phone", phone, "utter_invalid_phone", dispatcher, tracker)

    def validate_callback_time(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        time = parsing.parse_details(slot_value)
        return self._check("callback_time", time, "utter_invalid_callback_time", dispatcher, tracker)


class ActionSubmitCallback(Action):
    def name(self) -> Text:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        summary = conversation_summary(tracker)
        summary["callback"] = {
            "name": tracker.get_slot("callback_name"),
            "phone": parsing.format_phone(tracker.get_slot("callback_phone") or ""),
            "time": tracker.get_slot("callback_time"),
        }
        clear = [SlotSet(slot, None) for slot in CALLBACK_SLOTS]
        try:
            services.handoff_queue().enqueue(tracker.sender_id, summary, kind="callback")
        except StorageUnavailable:
            logger.exception("callback not queued conversation=%s", tracker.sender_id)
            dispatcher.utter_message(response="utter_handoff_failed", contact=services.knowledge_base().contact_text())
            return []
        dispatcher.utter_message(response="utter_callback_registered")
        return clear
