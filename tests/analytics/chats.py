"""Building Rasa broker events for analytics tests: conversations as Rasa would publish them.

Each event is the dict Rasa's tracker store streams to its broker (``sender_id`` plus
``Event.as_dict()``), with timestamps that grow within a conversation.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from sobu_privacy.clock import JST

#: 2026-11-25 10:00 in Japan.
MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=JST).timestamp()


class Chat:
    """One conversation's events, appended to a shared stream in publishing order."""

    def __init__(self, stream: List[Dict[str, Any]], sender: str, start: float = MORNING) -> None:
        self.stream = stream
        self.sender = sender
        self.ts = start

    def _add(self, event: str, **fields: Any) -> "Chat":
        self.ts += 1.0
        self.stream.append({"sender_id": self.sender, "event": event, "timestamp": self.ts, **fields})
        return self

    def user(self, text: str, intent: Optional[str], confidence: float = 0.93) -> "Chat":
        intent_data = {"name": intent, "confidence": confidence} if intent else None
        return self._add("user", text=text, parse_data={"intent": intent_data, "text": text}, input_channel="rest")

    def action(self, name: str) -> "Chat":
        return self._add("action", name=name)

    def slot(self, name: str, value: Any) -> "Chat":
        return self._add("slot", name=name, value=value)

    def loop(self, name: Optional[str]) -> "Chat":
        return self._add("active_loop", name=name)

    def bot(self, utter_action: str, text: str = "…") -> "Chat":
        return self._add("bot", text=text, metadata={"utter_action": utter_action})

    def pause(self) -> "Chat":
        return self._add("pause")

    # --- what the assistant does after common messages -----------------------------------
    def faq(self, text: str, intent: str) -> "Chat":
        return self.user(text, intent).action("action_answer_faq").bot("utter_faq_answer").slot("last_faq", intent)

    def unanswered(self, text: str, intent: str = "out_of_scope") -> "Chat":
        return self.user(text, intent, 0.41).action("action_handle_out_of_scope").bot("utter_out_of_scope")

    def not_understood(self, text: str, intent: str) -> "Chat":
        """A message the classifier gave an intent, but no rule fits: the fallback action runs."""
        return self.user(text, intent, 0.35).action("action_handle_fallback").bot("utter_default")

    def form_answer(self, slot: str, text: str, intent: str = "inform", value: Optional[str] = None) -> "Chat":
        return self.slot("requested_slot", slot).user(text, intent, 0.5).slot(slot, value or text)
