"""Reading a message in the request form's context before the NLU's reading.

Why: the NLU reads each message alone. Asked for a name, a customer called 「漏洩 花子」 is heard
asking about leaks; asked how they are related to the customer, an agent's 「成年後見人です」 is
heard asking about agents. The rules then answer a question nobody asked and ask for the name
again. This policy runs beside RulePolicy and, when the form is waiting for a free-text answer
and the message is shaped like that answer with no question, wish or command in it
(``sobu_privacy.request_form.reads_as``), hands the message to the form as the asked
slot's value. The form's own validation (``validate_<slot>`` on the action server) still checks
it, and the summary shows every answer before anything is filed, so a wrong guess is seen and
fixed there. A question (「手数料は？」, 「身分証」 alone, 「やめます」) keeps the NLU's reading.
The request form's shaped fields and the call-back form's name are read this way.

At the summary (or the question which answer to fix), 「電話番号を直したいです」 is heard as a new
訂正 request; read against the summary it asks to fix the phone answer, so the policy predicts
``action_reset_field`` (a rule then asks that question again) instead of losing the summary;
「修正する」 typed as the button reads (heard as a question about 訂正) names no answer, so the
policy predicts ``action_ask_correction_field``, as the button does.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from sobu_privacy.handoff import CALLBACK_ANSWER_SHAPES, CALLBACK_FORM
from sobu_privacy.request_form import (REQUEST_FORM_FIELDS, SUMMARY_ACTIONS, AnswerShape, field_to_fix, reads_as,
                                       wants_a_fix)

#: The request form (its shapes are in its field table, sobu_privacy.request_form).
REQUEST_FORM = "request_form"
#: The forms whose free-text questions are read in context: form → asked slot → answer shape.
ANSWER_SHAPES: Dict[str, Dict[str, AnswerShape]] = {
    REQUEST_FORM: {f.slot: f.answer_shape for f in REQUEST_FORM_FIELDS if f.answer_shape is not None},
    CALLBACK_FORM: dict(CALLBACK_ANSWER_SHAPES),
}
#: Intents the context may override: the policy questions, which a name or a relationship can
#: sound like. Cancelling, asking for a person, an emergency or a status check always win.
_OVERRIDABLE_PREFIX = "faq_"
#: The action that clears the answer named at the summary (``actions.request_form.ActionResetField``,
#: which reads the same words).
RESET_FIELD = "action_reset_field"
#: The question which answer to fix (the 「修正する」 button's action, ``actions.request_form``).
ASK_FIELD_TO_FIX = "action_ask_correction_field"
#: At the summary, whatever the NLU heard, these intents keep their meaning.
_KEEP_AT_SUMMARY = frozenset({"affirm", "cancel", "request_human", "out_of_scope", "bot_challenge",
                              "check_request_status"})
#: Above RulePolicy (6). The form prediction is a "no user" prediction, which overrules RulePolicy's
#: rules on the message (its FAQ rule); RulePolicy also predicts the running form as one, with the
#: same confidence 1.0, and the priority picks this one, which carries the answer.
FORM_CONTEXT_POLICY_PRIORITY = 7


def _message_awaits_action(tracker: DialogueStateTracker) -> bool:
    """True when the latest user message has not been acted on yet (nothing executed or
    rejected since it), so the policy speaks only once per message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, (ActionExecuted, ActionExecutionRejected)):
            return False
    return False


def _intent(tracker: DialogueStateTracker) -> str:
    """The NLU's intent of the latest message ("" when it has none)."""
    return (tracker.latest_message.intent or {}).get("name") or ""


def _action_before_message(tracker: DialogueStateTracker) -> Optional[str]:
    """The bot's last action (other than listening) before the latest user message."""
    seen_message = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            seen_message = True
        elif seen_message and isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None


def correction_at_summary(tracker: DialogueStateTracker) -> Optional[str]:
    """The field the latest message asks to fix at the summary, or None."""
    if tracker.active_loop_name or tracker.latest_action_name != ACTION_LISTEN_NAME:
        return None
    if not _message_awaits_action(tracker) or _action_before_message(tracker) not in SUMMARY_ACTIONS:
        return None
    if _intent(tracker) in _KEEP_AT_SUMMARY:
        return None
    return field_to_fix(tracker.latest_message.text or "")


def unnamed_fix_at_summary(tracker: DialogueStateTracker) -> bool:
    """True when the latest message, at the summary itself, asks to fix an answer without naming
    it (「修正する」 typed, 「直したいです」): the question which answer to fix is then asked, as
    the 「修正する」 button would. A named field is ``correction_at_summary``'s."""
    if tracker.active_loop_name or tracker.latest_action_name != ACTION_LISTEN_NAME:
        return False
    if not _message_awaits_action(tracker) or _action_before_message(tracker) != SUMMARY_ACTIONS[0]:
        return False
    if _intent(tracker) in _KEEP_AT_SUMMARY:
        return False
    text = tracker.latest_message.text or ""
    return field_to_fix(text) is None and wants_a_fix(text)


def form_answer(tracker: DialogueStateTracker) -> Optional[SlotSet]:
    """The slot the latest message answers, read in the running form's context, or None to
    leave the message to the other policies."""
    shapes = ANSWER_SHAPES.get(tracker.active_loop_name or "")
    if shapes is None or tracker.latest_action_name != ACTION_LISTEN_NAME:
        return None
    if not _message_awaits_action(tracker):
        return None
    if not _intent(tracker).startswith(_OVERRIDABLE_PREFIX):
        return None
    slot = tracker.get_slot(REQUESTED_SLOT) or ""
    text = tracker.latest_message.text or ""
    if slot not in shapes or not reads_as(shapes[slot], text):
        return None
    return SlotSet(slot, text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class FormContextPolicy(Policy):
    """Predicts the running form, with the message as the asked slot's value, when the message
    answers the form's question, and the reset of a field when a message at the summary asks to
    fix it (see the module docstring). Learns nothing from stories."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": FORM_CONTEXT_POLICY_PRIORITY}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn: the rule lives in sobu_privacy.request_form

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if correction_at_summary(tracker):
            probabilities[domain.index_for_action(RESET_FIELD)] = 1.0
            return self._prediction(probabilities)
        if unnamed_fix_at_summary(tracker):
            probabilities[domain.index_for_action(ASK_FIELD_TO_FIX)] = 1.0
            return self._prediction(probabilities)
        answer = form_answer(tracker)
        if answer is None:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(tracker.active_loop_name)] = 1.0
        # Optional events: applied only if this prediction wins (then before the form runs, so
        # the form finds the answer as if the slot mapping had taken it). Like RulePolicy's
        # prediction of a running loop, it is a "no user" prediction (those overrule the rest);
        # the two agree on the form, and the priority picks this one with its answer.
        return self._prediction(probabilities, optional_events=[answer], is_no_user_prediction=True)
