"""What every form of the assistant does with an answer, whatever the question.

Form answers such as addresses or 「平日の午前中」 can look off-topic to the NLU, so forms take
them whatever the intent; an emergency is recognised by its entity instead, gets the urgent
answer, and the question is asked again. A wrong answer gets the question's own re-prompt;
after repeated failures the customer is offered a person instead of a loop.
"""
from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.fallback import is_emergency, utter_emergency

logger = logging.getLogger(__name__)


class CustomerFormValidation(FormValidationAction, metaclass=ABCMeta):
    """Base of the forms' validation actions (abstract, so rasa_sdk does not register it)."""

    @abstractmethod
    def name(self) -> Text:
        """Each form's own validation action name."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if is_emergency(tracker):
            utter_emergency(dispatcher, tracker)
            requested = tracker.get_slot("requested_slot")
            return [SlotSet(requested, None)] if requested else []
        return await super().run(dispatcher, tracker, domain)

    def _accept(self, slot: str, value: Any) -> Dict[Text, Any]:
        return {slot: value, "invalid_answers": 0}

    def _reject(
        self, slot: str, response: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        """Say what was wrong; after repeated failures offer a person instead of looping."""
        failures = int(tracker.get_slot("invalid_answers") or 0) + 1
        logger.info("form answer rejected slot=%s failures=%d", slot, failures)
        if failures >= services.settings().form_max_invalid_answers:
            dispatcher.utter_message(
                response="utter_too_many_invalid", contact=services.knowledge_base().contact_text()
            )
            failures = 0
        else:
            dispatcher.utter_message(response=response)
        return {slot: None, "invalid_answers": failures}

    def _check(
        self,
        slot: str,
        value: Any,
        response: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> Dict[Text, Any]:
        if value is None:
            return self._reject(slot, response, dispatcher, tracker)
        return self._accept(slot, value)
