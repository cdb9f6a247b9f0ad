"""Opening a request ticket from the confirmed form, and the customer's status check."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import CustomerFormValidation
from actions import services
from actions.request_form import reset_form_slots, ticket_fields
from sobu_privacy.identifiers import parse_phone, parse_ticket_number
from sobu_privacy.pseudonyms import log_ref
from sobu_privacy.requests import RequesterKind
from storage import Admission, StorageUnavailable, TicketDraft, TicketLimitReached

logger = logging.getLogger(__name__)


def draft_from(tracker: Tracker) -> TicketDraft:
    return TicketDraft(**ticket_fields(tracker), conversation_id=tracker.sender_id)


class ActionOpenTicket(Action):
    """Writes the ticket in one transaction; if that fails the answers stay in the chat."""

    def name(self) -> Text:
        return "action_open_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        limit = services.settings().max_tickets_per_conversation
        try:
            ticket = services.ticket_store().open_ticket(draft_from(tracker), max_per_conversation=limit)
        except TicketLimitReached:
            logger.info("ticket limit reached conversation=%s", log_ref(tracker.sender_id))
            dispatcher.utter_message(
                response="utter_ticket_limit_reached", contact=services.knowledge_base().contact_text()
            )
            return reset_form_slots()
        except StorageUnavailable:
            logger.error("ticket not saved conversation=%s", log_ref(tracker.sender_id))
            dispatcher.utter_message(response="utter_ticket_save_failed")
            return [FollowupAction("action_show_request_summary")]
        logger.info("ticket opened conversation=%s type=%s", log_ref(tracker.sender_id), ticket.request_type.value)
        dispatcher.utter_message(response="utter_ticket_opened", ticket_number=ticket.number)
        # The policy checks an agent by 委任状 and 印鑑証明書, a customer by documents and a call-back.
        next_steps = "utter_ticket_next_steps_agent" if ticket.requester_kind is RequesterKind.AGENT else "utter_ticket_next_steps"
        dispatcher.utter_message(response=next_steps, contact=services.knowledge_base().contact_text())
        return [*reset_form_slots(), SlotSet("last_ticket_number", ticket.number)]


class ValidateStatusCheckForm(CustomerFormValidation):
    def name(self) -> Text:
        return "validate_status_check_form"

    def validate_status_ticket_number(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        number = parse_ticket_number(slot_value)
        return self._check("status_ticket_number", number, "utter_invalid_ticket_number", dispatcher, tracker)

    def validate_status_phone(self, slot_value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        phone = parse_phone(slot_value)
        return self._check("status_phone", phone, "utter_invalid_phone", dispatcher, tracker)


class ActionCheckTicketStatus(Action):
    """Shows a ticket only when 受付番号 and phone both match; a miss reveals nothing.

    Misses are counted in the application database per 受付番号 and in total
    (storage.status_checks), so neither a new conversation nor another Rasa server starts the
    count again: after too many, that number is locked for everyone and the customer is
    asked to call 総務部.
    """

    def name(self) -> Text:
        return "action_check_ticket_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        clear = [SlotSet("status_ticket_number", None), SlotSet("status_phone", None)]
        contact = services.knowledge_base().contact_text()
        number = tracker.get_slot("status_ticket_number") or ""
        guard = services.status_check_guard()
        try:
            admission = guard.admit(number)
            if admission is not Admission.ALLOWED:
                dispatcher.utter_message(response=_REFUSALS[admission], contact=contact)
                return clear
            ticket = services.ticket_store().find_for_customer(number, tracker.get_slot("status_phone") or "")
            if ticket is None:
                outcome = guard.record_miss(number)
            else:
                guard.record_success(number)
        except StorageUnavailable:
            logger.error("status look-up failed conversation=%s", log_ref(tracker.sender_id))
            dispatcher.utter_message(response="utter_handoff_failed", contact=contact)
            return clear
        if ticket is None:
            logger.info("status look-up miss conversation=%s", log_ref(tracker.sender_id))
            if outcome is Admission.NUMBER_LOCKED:
                dispatcher.utter_message(response="utter_status_locked", contact=contact)
            else:
                dispatcher.utter_message(response="utter_status_not_found")
            return clear
        dispatcher.utter_message(
            response="utter_status_report",
            ticket_number=ticket.number,
            request_type_label=ticket.request_type.label,
            status=ticket.status.label,
        )
        dispatcher.utter_message(
            response=f"utter_status_meaning_{ticket.status.name.lower()}",
            refusal_reason=ticket.refusal_reason or "",
        )
        return clear


#: What the customer is told when a look-up is not even tried.
_REFUSALS = {Admission.NUMBER_LOCKED: "utter_status_locked", Admission.BUSY: "utter_status_busy"}
