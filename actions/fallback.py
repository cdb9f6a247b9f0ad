"""What happens when the assistant cannot help: rephrase, then a person; emergencies first."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import opening_hours, services
from sobu_privacy.pseudonyms import log_ref
from sobu_privacy.request_form import SUMMARY_ACTIONS

logger = logging.getLogger(__name__)


def is_emergency(tracker: Tracker) -> bool:
    return any(e.get("entity") == "emergency" for e in tracker.latest_message.get("entities", []))


def utter_emergency(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The urgent answer: phone the company now. The number is a setting, never invented."""
    logger.warning("emergency message conversation=%s", log_ref(tracker.sender_id))
    phone = services.settings().emergency_phone
    contact = f"当社の緊急連絡先（{phone}）" if phone else "当社の緊急連絡先"
    dispatcher.utter_message(response="utter_emergency", emergency_contact=contact)


class ActionHandleOutOfScope(Action):
    def name(self) -> Text:
        return "action_handle_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if is_emergency(tracker):
            utter_emergency(dispatcher, tracker)
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []


#: The bot's turns that wait for a yes or no (or a field to fix): a message not understood there
#: is reverted, so that the question still stands and a 「はい」 after the miss still answers it.
AWAITING_ANSWER = (*SUMMARY_ACTIONS, "utter_offer_request")


def action_before_latest_message(tracker: Tracker) -> Optional[str]:
    """The bot's last action (other than listening) before the latest user message."""
    seen_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_message = True
        elif seen_message and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


class ActionHandleFallback(Action):
    """First miss: ask to rephrase with suggestions. Second miss in a row: offer a person.

    A miss at a question waiting for an answer (the request summary, the offer to file) is
    reverted, as Rasa's core fallback reverts (``ActionDefaultFallback``): otherwise the
    summary's 「よろしいですか？」 no longer stands and a later 「はい」 files nothing.
    """

    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events = await self._answer(dispatcher, tracker)
        if action_before_latest_message(tracker) in AWAITING_ANSWER:
            return [UserUtteranceReverted(), *events]
        return events

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        misses = int(tracker.get_slot("fallback_count") or 0) + 1
        logger.info("fallback conversation=%s misses=%d", log_ref(tracker.sender_id), misses)
        if misses < 2:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return [SlotSet("fallback_count", misses)]
        if opening_hours.is_open(services.settings().now()):
            # As its own action, so that a typed 「はい」/「いいえ」 answers it (rules in rules.yml).
            return [SlotSet("fallback_count", 0), FollowupAction("utter_offer_person")]
        else:
            dispatcher.utter_message(
                response="utter_contact_by_phone", contact=services.knowledge_base().contact_text()
            )
        return [SlotSet("fallback_count", 0)]


class ActionDefaultFallback(ActionHandleFallback):
    """Rasa's core fallback (no rule fits the message here), answered the same way.

    Replaces Rasa's own ``action_default_fallback`` (utter_default, every time, never a
    person): e.g. a stray name or address outside a form, or an odd reply at the request
    summary. The message is reverted, as Rasa's own action does: the dialogue goes on from
    where it was (a 「はい」 after it still confirms the summary), while the message stays in
    the tracker's event log for staff and analytics. The miss count is set after the revert.
    """

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return [UserUtteranceReverted(), *await self._answer(dispatcher, tracker)]
