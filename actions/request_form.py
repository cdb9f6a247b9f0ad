"""The request intake form: one question at a time, each answer validated on its own.

One `validate_<slot>` per question, small and pure (parsing lives in actions.parsing);
the messages for a wrong answer live in the domain (utter_invalid_<what>).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import CustomerFormValidation
from actions import parsing, services
from sobu_privacy.identifiers import format_phone, parse_phone, parse_postal_code
from sobu_privacy.request_form import (
    AGENT_DOCUMENTS_READY,
    AGENT_SLOTS,
    FIELDS_BY_SLOT,
    FORM_SLOTS,
    NOT_GIVEN,
    REQUEST_FORM_FIELDS,
    field_named_in,
    field_to_fix,
)
from sobu_privacy.requests import DeliveryMethod, RequesterKind, RequestType, UnknownValue

_LABELLED = {"request_type": RequestType, "requester_kind": RequesterKind, "delivery_method": DeliveryMethod}


def display_value(slot: str, value: Any) -> str:
    """An answer as the summary shows it: Japanese labels, a readable phone number."""
    if value is None:
        return ""
    if slot in _LABELLED:
        try:
            return _LABELLED[slot].parse(value).label
        except UnknownValue:
            return str(value)
    if slot == "phone":
        return format_phone(value)
    return str(value)


def collected_answers(tracker: Tracker) -> List[Tuple[str, str]]:
    """(label, shown value) of every answered question that the summary shows, in form order."""
    return [
        (field.label, display_value(field.slot, tracker.get_slot(field.slot)))
        for field in REQUEST_FORM_FIELDS
        if field.label and tracker.get_slot(field.slot) is not None
    ]


def summary_lines(tracker: Tracker) -> str:
    return "\n".join(f"・{label}: {value}" for label, value in collected_answers(tracker))


def ticket_fields(tracker: Tracker) -> Dict[str, Any]:
    """The answers as storage.TicketDraft fields; skipped optional answers become None and
    the agent's details are kept only for a request made by an agent."""
    agent = tracker.get_slot("requester_kind") == RequesterKind.AGENT.value
    fields: Dict[str, Any] = {}
    for field in REQUEST_FORM_FIELDS:
        if field.ticket_field is None:
            continue
        value = tracker.get_slot(field.slot)
        if field.agent_only and not agent:
            value = None
        fields[field.ticket_field] = None if value == NOT_GIVEN else value
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
        known = {kind.value for kind in RequestType}
        named = [e.get("value") for e in tracker.latest_message.get("entities", [])
                 if e.get("entity") == "request_type" and e.get("value") in known]
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
        if tracker.get_slot("requester_kind") == RequesterKind.AGENT.value:
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
        value = parse_postal_code(slot_value)
        return self._check("postal_code", value, "utter_invalid_postal_code", dispatcher, tracker)

    def validate_address(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parsing.parse_address(slot_value)
        return self._check("address", value, "utter_invalid_address", dispatcher, tracker)

    def validate_phone(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        value = parse_phone(slot_value)
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
        # 第33条: the person may ask for an electronic record; it is offered for disclosure only.
        electronic = tracker.get_slot("request_type") == RequestType.DISCLOSURE.value
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
            {"title": field.label, "payload": f'/inform{{"field": "{field.slot}"}}'}
            for field in REQUEST_FORM_FIELDS
            if field.label and tracker.get_slot(field.slot) is not None and field.slot != "requester_kind"
        ]
        dispatcher.utter_message(response="utter_ask_correction_field", buttons=buttons)
        return []


def chosen_field(tracker: Tracker) -> Optional[str]:
    """The field named by a button (entity `field`) or typed in words (「電話番号を直したい」 names
    the phone: the wish to fix is read first, so its 訂正 is not taken for the request type)."""
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "field" and entity.get("value") in FIELDS_BY_SLOT:
            return entity["value"]
    text = parsing.clean_answer(tracker.latest_message.get("text"))
    return field_to_fix(text) or field_named_in(text)


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
        # True to what happens: the answers stay in the chat record until the purge (storage.retention).
        dispatcher.utter_message(
            response="utter_request_cancelled", retention_days=services.settings().chat_retention_days
        )
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_form_slots()]
