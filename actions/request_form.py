"""The request intake form: one question at a time, each answer validated on its own.

One `validate_<slot>` per question, small and pure (parsing lives in actions.parsing);
the messages for a wrong answer live in the domain (utter_invalid_<what>).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import CustomerFormValidation
from actions import parsing

AGENT_SLOTS = ["agent_name", "agent_relationship", "agent_documents"]
FORM_SLOTS = [
    "request_type", "requester_kind", *AGENT_SLOTS, "customer_name", "customer_name_kana",
    "postal_code", "address", "phone", "email", "customer_number", "request_details",
    "delivery_method",
]
AGENT_DOCUMENTS_READY = "準備できる"


@lru_cache(maxsize=1)
def request_fields() -> Dict[str, Dict[str, Any]]:
    """Field labels and the words that name them, from request_fields.yml."""
    path = Path(__file__).with_name("request_fields.yml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))["fields"]


def display_value(slot: str, value: Any) -> str:
    if value is None:
        return ""
    if slot == "request_type":
        return parsing.REQUEST_TYPE_LABELS.get(value, str(value))
    if slot == "requester_kind":
        return parsing.REQUESTER_LABELS.get(value, str(value))
    if slot == "delivery_method":
        return parsing.DELIVERY_LABELS.get(value, str(value))
    if slot == "phone":
        return parsing.format_phone(value)
    return str(value)


def summary_lines(tracker: Tracker) -> str:
    lines = []
    for slot, field in request_fields().items():
        value = tracker.get_slot(slot)
        if value is not None:
            lines.append(f"・{field['label']}: {display_value(slot, value)}")
    return "\n".join(lines)


def ticket_fields(tracker: Tracker) -> Dict[str, Any]:
    """The answers as storage.TicketDraft fields; skipped optional answers become None and
    the agent's details are kept only for a request made by an agent."""
    agent = tracker.get_slot("requester_kind") == "agent"
    fields: Dict[str, Any] = {}
    for slot, field in request_fields().items():
        value = tracker.get_slot(slot)
        if slot in AGENT_SLOTS and not agent:
            value = None
        fields[field["ticket_field"]] = None if value == parsing.NOT_GIVEN else value
    return fields


def reset_form_slots() -> List[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("invalid_answers", 0)]


# After an answer about disclosure, 「はい」 to the offer means a disclosure request; after the
# other rights the kind is still open (訂正・追加・削除, 利用停止・消去), so it is asked.
OFFER_REQUEST_TYPES = {"faq_disclosure": "disclosure"}


class ActionStartRequest(Action):
    """Opens the intake; the request type is taken from the message that started it."""

    def name(self) -> Text:
        return "action_start_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_request_intro")
        named = [e.get("value") for e in tracker.latest_message.get("entities", [])
                 if e.get("entity") == "request_type" and e.get("value") in parsing.REQUEST_TYPE_LABELS]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if len(set(named)) == 1:
            request_type = named[0]
        elif intent == "affirm" and not named:
            request_type = OFFER_REQUEST_TYPES.get(tracker.get_slot("last_faq"))
        else:
            request_type = None
        return [*reset_form_slots(), SlotSet("request_type", request_type)]


class ValidateRequestForm(CustomerFormValidation):
    def name(self) -> Text:
        return "validate_request_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """Agent questions only for a request made by an agent."""
        if tracker.get_slot("requester_kind") == "agent":
            return list(FORM_SLOTS)
        return [slot for slot in FORM_SLOTS if slot not in AGENT_SLOTS]

    def validate_request_type(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_request_type(slot_value)
        return self._check("request_type", value, "utter_invalid_request_type", dispatcher, tracker)

    def validate_requester_kind(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_requester_kind(slot_value)
        return self._check("requester_kind", value, "utter_invalid_requester_kind", dispatcher, tracker)

    def validate_agent_name(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_person_name(slot_value)
        return self._check("agent_name", value, "utter_invalid_name", dispatcher, tracker)

    def validate_agent_relationship(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_details(slot_value)
        return self._check("agent_relationship", value, "utter_invalid_request_details", dispatcher, tracker)

    def validate_agent_documents(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        ready = parsing.parse_yes_no(slot_value)
        value = AGENT_DOCUMENTS_READY if ready else None
        return self._check("agent_documents", value, "utter_invalid_agent_documents", dispatcher, tracker)

    def validate_customer_name(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_person_name(slot_value)
        return self._check("customer_name", value, "utter_invalid_name", dispatcher, tracker)

    def validate_customer_name_kana(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_katakana(slot_value)
        return self._check("customer_name_kana", value, "utter_invalid_kana", dispatcher, tracker)

    def validate_postal_code(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_postal_code(slot_value)
        return self._check("postal_code", value, "utter_invalid_postal_code", dispatcher, tracker)

    def validate_address(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_address(slot_value)
        return self._check("address", value, "utter_invalid_address", dispatcher, tracker)

    def validate_phone(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_phone(slot_value)
        return self._check("phone", value, "utter_invalid_phone", dispatcher, tracker)

    def validate_email(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_email(slot_value)
        return self._check("email", value, "utter_invalid_email", dispatcher, tracker)

    def validate_customer_number(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_customer_number(slot_value)
        return self._check("customer_number", value, "utter_invalid_customer_number", dispatcher, tracker)

    def validate_request_details(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_details(slot_value)
        return self._check("request_details", value, "utter_invalid_request_details", dispatcher, tracker)

    def validate_delivery_method(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        electronic = tracker.get_slot("request_type") == "disclosure"
        value = parsing.parse_delivery_method(slot_value, allow_electronic=electronic)
        return self._check("delivery_method", value, "utter_invalid_delivery_method", dispatcher, tracker)


class ActionShowRequestSummary(Action):
    def name(self) -> Text:
        return "action_show_request_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_request_summary", summary=summary_lines(tracker))
        return []


class ActionAskCorrectionField(Action):
    """Buttons for each answered question; the chosen one is asked again."""

    def name(self) -> Text:
        return "action_ask_correction_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        buttons = [
            {"title": field["label"], "payload": f'/inform{{"field": "{slot}"}}'}
            for slot, field in request_fields().items()
            if tracker.get_slot(slot) is not None and slot != "requester_kind"
        ]
        dispatcher.utter_message(response="utter_ask_correction_field", buttons=buttons)
        return []


def chosen_field(tracker: Tracker) -> Optional[str]:
    """The field named by a button (entity `field`) or typed in words."""
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "field" and entity.get("value") in request_fields():
            return entity["value"]
    text = parsing._clean(tracker.latest_message.get("text"))
    for slot, field in request_fields().items():
        if any(word in text for word in field["words"]):
            return slot
    return None


class ActionResetField(Action):
    def name(self) -> Text:
        return "action_reset_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        field = chosen_field(tracker)
        if field is None:
            # Nothing recognisable: ask again from the question the customer would expect first.
            field = "request_details"
        events = [SlotSet(field, None)]
        if field == "requester_kind":
            events += [SlotSet(slot, None) for slot in AGENT_SLOTS]
        return events


class ActionCancelRequest(Action):
    """「やめます」: forget every answer; nothing is stored."""

    def name(self) -> Text:
        return "action_cancel_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_request_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_form_slots()]
