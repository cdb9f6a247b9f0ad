"""Answers to policy questions, always from the knowledge base and always with its section."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from sobu_privacy.intents import OFFER_REQUEST_INTENTS

logger = logging.getLogger(__name__)


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        previous = tracker.get_slot("last_faq")
        kb = services.knowledge_base()
        if intent not in kb.faq_intents:
            # Only policy answers are given here; never improvise one.
            dispatcher.utter_message(response="utter_default")
            return []
        # The customer's words pick the part of the answer they ask about (「一般送配電事業者って
        # どこの会社？」 gets the list of companies first). They are personal data: matched
        # here, never logged; only the part's name is.
        message = tracker.latest_message.get("text") or None
        answer = kb.answer_for(intent, previous_intent=previous, message=message)
        logger.info(
            "faq answered intent=%s part=%s previous=%s sections=%s", intent, answer.part, previous, answer.sections
        )
        dispatcher.utter_message(response="utter_faq_answer", answer=answer.text_short())
        in_form = tracker.active_loop_name is not None
        # Answers about a right the customer can exercise here, or how to file, are followed by
        # the offer to file it (utter_offer_request, by rule), so they do not also offer more detail.
        if answer.detail and not in_form and intent not in OFFER_REQUEST_INTENTS:
            dispatcher.utter_message(response="utter_offer_detail")
        return [
            SlotSet("last_faq", intent),
            SlotSet("fallback_count", 0),
        ]


class ActionAnswerDetail(Action):
    """「詳しく」: the longer answer to the question just answered."""

    def name(self) -> Text:
        return "action_answer_detail"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        last = tracker.get_slot("last_faq")
        if not last:
            dispatcher.utter_message(response="utter_no_detail_context")
            return []
        answer = services.knowledge_base().answer_for(last)
        dispatcher.utter_message(response="utter_faq_answer", answer=answer.text_detail())
        return []
