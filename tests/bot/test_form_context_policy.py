"""bot.form_context_policy: inside the request form, a message that answers the asked question
goes to the form as that slot's value, whatever the NLU heard in it; everything else is left to
the other policies (small tracker fixtures on the project's domain)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.form_context_policy import FORM_CONTEXT_POLICY_PRIORITY, FormContextPolicy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain.yml"))


@pytest.fixture(scope="module")
def policy(tmp_path_factory) -> FormContextPolicy:
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    return FormContextPolicy.create(
        FormContextPolicy.get_default_config(), storage, Resource("form_context"),
        ExecutionContext(GraphSchema({}), "test"))


def tracker(domain: Domain, text: str, intent: str, *, loop: Optional[str] = "request_form",
            asked: Optional[str] = "customer_name", after: List[Event] = ()) -> DialogueStateTracker:
    """The form asked for ``asked`` and the customer answered ``text`` (NLU: ``intent``)."""
    events: List[Event] = [ActionExecuted(ACTION_LISTEN_NAME)]
    if loop:
        events += [ActionExecuted(loop), ActiveLoop(loop)]
    if asked:
        events.append(SlotSet(REQUESTED_SLOT, asked))
    events += [ActionExecuted(ACTION_LISTEN_NAME),
               UserUttered(text, {"name": intent, "confidence": 0.8}), *after]
    return DialogueStateTracker.from_events("fixture", events, domain.slots)


def predicted(prediction: PolicyPrediction, domain: Domain) -> Optional[str]:
    if max(prediction.probabilities) == 0:
        return None
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_a_name_heard_as_a_policy_question_goes_to_the_form(policy, domain):
    prediction = policy.predict_action_probabilities(tracker(domain, "漏洩確認 花子", "faq_security"), domain)
    assert predicted(prediction, domain) == "request_form"
    assert prediction.max_confidence == 1.0
    assert prediction.optional_events == [SlotSet("customer_name", "漏洩確認 花子")]
    assert prediction.events == []  # nothing applied unless this prediction wins
    assert prediction.policy_priority == FORM_CONTEXT_POLICY_PRIORITY


@pytest.mark.parametrize("slot, text, intent", [
    ("agent_relationship", "成年後見人です", "faq_agent"),
    ("customer_name_kana", "かいじ たろう", "faq_disclosure"),
    ("address", "旭市個人情報町1-2-3", "faq_collected_info"),
], ids=["relationship", "kana", "address"])
def test_each_shaped_field_takes_its_answer(policy, domain, slot, text, intent):
    prediction = policy.predict_action_probabilities(tracker(domain, text, intent, asked=slot), domain)
    assert predicted(prediction, domain) == "request_form"
    assert prediction.optional_events == [SlotSet(slot, text)]


def test_the_call_back_forms_name_is_read_in_its_context(policy, domain):
    """Outside opening hours the call-back form asks for a name: 「漏洩確認 花子です」 is that
    name, not a question about leaks; a question asked there is still answered."""
    fixture = tracker(domain, "漏洩確認 花子です", "faq_security", loop="callback_form", asked="callback_name")
    prediction = policy.predict_action_probabilities(fixture, domain)
    assert predicted(prediction, domain) == "callback_form"
    assert prediction.optional_events == [SlotSet("callback_name", "漏洩確認 花子です")]
    question = tracker(domain, "漏洩したらどうなりますか", "faq_security", loop="callback_form", asked="callback_name")
    assert predicted(policy.predict_action_probabilities(question, domain), domain) is None


@pytest.mark.parametrize("text, intent, loop, asked, after", [
    ("漏洩したらどうなりますか", "faq_security", "request_form", "customer_name", []),  # a question
    ("漏洩確認 花子", "cancel", "request_form", "customer_name", []),  # never overrides cancelling
    ("漏洩確認 花子", "request_human", "request_form", "customer_name", []),
    ("漏洩確認 花子", "out_of_scope", "request_form", "customer_name", []),  # an emergency is out_of_scope
    ("漏洩確認 花子", "check_request_status", "request_form", "customer_name", []),
    ("漏洩確認 花子", "faq_security", None, None, []),  # no form
    ("漏洩確認 花子", "faq_security", "callback_form", "callback_time", []),  # a time takes any text
    ("漏洩確認 花子", "faq_security", "another_form", "customer_name", []),  # a form it does not know
    ("漏洩確認 花子", "faq_security", "request_form", None, []),  # nothing asked
    ("漏洩確認 花子", "faq_security", "request_form", "request_details", []),  # details take any text already
    ("漏洩確認 花子", "faq_security", "request_form", "customer_name",
     [ActionExecuted("action_answer_faq")]),  # already acted on
    ("漏洩確認 花子", "faq_security", "request_form", "customer_name",
     [ActionExecutionRejected("request_form")]),  # the form refused it once: leave it
], ids=["question", "cancel", "human", "out_of_scope", "status", "no_form", "callback_time", "unknown_form", "nothing_asked",
        "details", "acted_on", "rejected"])
def test_everything_else_is_left_to_the_other_policies(policy, domain, text, intent, loop, asked, after):
    prediction = policy.predict_action_probabilities(
        tracker(domain, text, intent, loop=loop, asked=asked, after=after), domain)
    assert predicted(prediction, domain) is None
    assert prediction.events == [] and prediction.optional_events == []


def test_it_wins_over_the_rule_that_would_answer_the_question(policy, domain):
    """RulePolicy's 「policy question during the request form」 also predicts with 1.0; the form
    prediction, a "no user" one, overrules it, and the answer is applied only with the winner."""
    fixture = tracker(domain, "漏洩確認 花子", "faq_security")
    ours = policy.predict_action_probabilities(fixture, domain)
    rule_probabilities = [0.0] * len(domain.action_names_or_texts)
    rule_probabilities[domain.index_for_action("action_answer_faq")] = 1.0
    rule = PolicyPrediction(rule_probabilities, "RulePolicy", policy_priority=6)
    best = DefaultPolicyPredictionEnsemble().combine_predictions([rule, ours], fixture, domain)
    assert domain.action_names_or_texts[best.max_confidence_index] == "request_form"
    assert SlotSet("customer_name", "漏洩確認 花子") in best.events


def test_it_wins_over_the_running_loop_and_brings_the_answer(policy, domain):
    """RulePolicy first predicts the running form as a "no user" prediction (those overrule all
    others); without the answer the form would refuse the message. Ours agrees on the form and
    wins the tie by priority, so the form runs with the answer."""
    fixture = tracker(domain, "漏洩確認 花子", "faq_security")
    ours = policy.predict_action_probabilities(fixture, domain)
    loop_probabilities = [0.0] * len(domain.action_names_or_texts)
    loop_probabilities[domain.index_for_action("request_form")] = 1.0
    loop = PolicyPrediction(loop_probabilities, "RulePolicy", policy_priority=6, is_no_user_prediction=True)
    best = DefaultPolicyPredictionEnsemble().combine_predictions([loop, ours], fixture, domain)
    assert best.policy_name == "FormContextPolicy"
    assert SlotSet("customer_name", "漏洩確認 花子") in best.events


def summary_tracker(domain: Domain, text: str, intent: str, *, shown: str = "action_show_request_summary",
                    loop: Optional[str] = None, after: List[Event] = ()) -> DialogueStateTracker:
    """The summary (or the question which answer to fix) was shown; the customer wrote ``text``."""
    events: List[Event] = [ActionExecuted(ACTION_LISTEN_NAME), ActionExecuted("request_form"), ActiveLoop(None),
                           ActionExecuted(shown)]
    if loop:
        events.append(ActiveLoop(loop))
    events += [ActionExecuted(ACTION_LISTEN_NAME), UserUttered(text, {"name": intent, "confidence": 0.9}), *after]
    return DialogueStateTracker.from_events("fixture", events, domain.slots)


@pytest.mark.parametrize("shown", ["action_show_request_summary", "action_ask_correction_field"])
@pytest.mark.parametrize("text, intent", [("電話番号を直したいです", "start_request"),
                                          ("いいえ、住所が間違っています", "deny"),
                                          ("名前の漢字がちがう", "nlu_fallback")], ids=["request", "deny", "fallback"])
def test_a_wish_to_fix_an_answer_at_the_summary_resets_that_field(policy, domain, shown, text, intent):
    prediction = policy.predict_action_probabilities(summary_tracker(domain, text, intent, shown=shown), domain)
    assert predicted(prediction, domain) == "action_reset_field"
    assert prediction.max_confidence == 1.0 and not prediction.is_no_user_prediction


@pytest.mark.parametrize("text, intent", [("修正する", "faq_correction"), ("直したいです", "start_request"),
                                          ("ちょっと違います", "nlu_fallback")])
def test_a_wish_to_fix_without_a_field_at_the_summary_asks_which(policy, domain, text, intent):
    """「修正する」 typed as the button reads is heard as a question about 訂正; at the summary it
    asks which answer to fix, as the button does."""
    prediction = policy.predict_action_probabilities(summary_tracker(domain, text, intent), domain)
    assert predicted(prediction, domain) == "action_ask_correction_field"
    assert prediction.max_confidence == 1.0 and not prediction.is_no_user_prediction


@pytest.mark.parametrize("text, intent, shown, loop", [
    ("修正する", "faq_correction", "action_ask_correction_field", None),  # already choosing the answer
    ("修正する", "faq_correction", "utter_greet", None),  # not at the summary
    ("訂正の手数料は？", "faq_fee", "action_show_request_summary", None),  # a question, answered by the rules
    ("修正したい", "cancel", "action_show_request_summary", None),
    ("修正する", "faq_correction", "action_show_request_summary", "request_form"),  # a form is running again
])
def test_other_fix_words_are_left_to_the_rules(policy, domain, text, intent, shown, loop):
    prediction = policy.predict_action_probabilities(
        summary_tracker(domain, text, intent, shown=shown, loop=loop), domain)
    assert predicted(prediction, domain) != "action_ask_correction_field"


@pytest.mark.parametrize("text, intent, shown, loop, after", [
    ("電話番号を直したいです", "cancel", "action_show_request_summary", None, []),
    ("電話番号を直したいです", "request_human", "action_show_request_summary", None, []),
    ("はい", "affirm", "action_show_request_summary", None, []),
    ("開示の手数料はいくら？", "faq_fee", "action_show_request_summary", None, []),  # no field to fix
    ("電話番号を直したいです", "start_request", "utter_greet", None, []),  # not at the summary
    ("電話番号を直したいです", "start_request", "action_show_request_summary", "request_form", []),
    ("電話番号を直したいです", "start_request", "action_show_request_summary", None,
     [ActionExecuted("action_reset_field")]),  # already acted on
], ids=["cancel", "human", "affirm", "question", "elsewhere", "in_form", "acted_on"])
def test_other_messages_at_the_summary_are_left_to_the_rules(policy, domain, text, intent, shown, loop, after):
    prediction = policy.predict_action_probabilities(
        summary_tracker(domain, text, intent, shown=shown, loop=loop, after=after), domain)
    assert predicted(prediction, domain) != "action_reset_field"
