"""The request intake form: validation, agent questions, summary, correction, cancel."""
import asyncio

from rasa_sdk import Tracker

from actions import services
from rasa_sdk.events import ActiveLoop
from rasa_sdk.executor import CollectingDispatcher

from actions.request_form import (
    ActionAskCorrectionField,
    ActionCancelRequest,
    ActionResetField,
    ActionShowRequestSummary,
    ValidateRequestForm,
)
from tests.actions.conftest import load_tracker, responses, slot_events


def test_phone_answer_is_normalised_and_next_question_follows(run_action):
    messages, events = run_action(ValidateRequestForm(), load_tracker("request_form_phone_answer"))
    slots = slot_events(events)
    assert slots["phone"] == "09012345678"
    assert slots["requested_slot"] == "email"
    assert messages == []


def test_invalid_phone_gets_a_specific_reprompt(run_action):
    state = load_tracker("request_form_phone_answer")
    state["events"][-1]["value"] = "いえです"
    messages, events = run_action(ValidateRequestForm(), state)
    assert responses(messages) == ["utter_invalid_phone"]
    assert slot_events(events)["phone"] is None
    assert slot_events(events)["requested_slot"] == "phone"


def test_repeated_failures_offer_another_way(run_action):
    state = load_tracker("request_form_phone_answer", invalid_answers=2)
    state["events"][-1]["value"] = "わからん"
    messages, events = run_action(ValidateRequestForm(), state)
    assert responses(messages) == ["utter_too_many_invalid"]
    assert "0479-63-1000" in messages[0]["contact"]
    assert slot_events(events)["invalid_answers"] == 0


def test_agent_questions_only_for_an_agent(domain):
    form = ValidateRequestForm()

    def required(kind):
        tracker = Tracker.from_dict(load_tracker("request_form_phone_answer", requester_kind=kind))
        return asyncio.run(form.required_slots(form.domain_slots(domain), CollectingDispatcher(), tracker, domain))

    assert required("agent")[2:5] == ["agent_name", "agent_relationship", "agent_documents"]
    assert not {"agent_name", "agent_relationship", "agent_documents"} & set(required("self"))


def test_summary_lists_every_answer_readably(run_action):
    messages, _ = run_action(ActionShowRequestSummary(), load_tracker("request_confirmed"))
    summary = messages[0]["summary"]
    assert "・お申込みの種類: 訂正" in summary
    assert "・お申込みになる方: 代理人" in summary
    assert "・電話番号: 090-1234-5678" in summary
    assert "・回答の受け取り方法: 郵送" in summary


def test_correction_buttons_then_the_chosen_field_is_cleared(run_action):
    messages, _ = run_action(ActionAskCorrectionField(), load_tracker("request_confirmed"))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/inform{"field": "phone"}' in payloads
    state = load_tracker("request_confirmed")
    state["latest_message"] = {"text": "電話番号を直したい", "intent": {"name": "inform"}, "entities": []}
    _, events = run_action(ActionResetField(), state)
    assert slot_events(events) == {"phone": None}
    state["latest_message"] = {"text": "/inform", "intent": {"name": "inform"},
                               "entities": [{"entity": "field", "value": "requester_kind"}]}
    _, events = run_action(ActionResetField(), state)
    assert slot_events(events) == {"requester_kind": None, "agent_name": None,
                                   "agent_relationship": None, "agent_documents": None}


def test_cancel_forgets_everything(run_action, monkeypatch):
    monkeypatch.setenv("CHAT_RETENTION_DAYS", "14")
    services.reset()
    messages, events = run_action(ActionCancelRequest(), load_tracker("request_confirmed"))
    assert responses(messages) == ["utter_request_cancelled"]
    assert messages[0]["retention_days"] == 14  # the customer is told how long the chat is kept
    assert ActiveLoop(None) in events
    assert all(value in (None, 0) for value in slot_events(events).values())
    assert "customer_name" in slot_events(events)


def test_start_takes_the_type_from_the_first_message(run_action):
    from actions.request_form import ActionStartRequest

    state = load_tracker("faq_disclosure")
    state["latest_message"] = {"text": "登録住所の訂正を申し込みます", "intent": {"name": "start_request"},
                               "entities": [{"entity": "request_type", "value": "correction"}]}
    messages, events = run_action(ActionStartRequest(), state)
    assert responses(messages) == ["utter_request_intro"]
    assert slot_events(events)["request_type"] == "correction"
    assert slot_events(events)["customer_name"] is None

    state["latest_message"] = {"text": "開示と削除をお願いします", "intent": {"name": "start_request"},
                               "entities": [{"entity": "request_type", "value": "disclosure"},
                                            {"entity": "request_type", "value": "deletion"}]}
    _, events = run_action(ActionStartRequest(), state)
    assert slot_events(events)["request_type"] is None  # two kinds named: ask


def test_yes_to_the_offer_after_a_disclosure_answer_means_disclosure(run_action):
    from actions.request_form import ActionStartRequest

    state = load_tracker("faq_disclosure", last_faq="faq_disclosure")
    state["latest_message"] = {"text": "はい", "intent": {"name": "affirm"}, "entities": []}
    _, events = run_action(ActionStartRequest(), state)
    assert slot_events(events)["request_type"] == "disclosure"
    state = load_tracker("faq_disclosure", last_faq="faq_stop_use")
    state["latest_message"] = {"text": "はい", "intent": {"name": "affirm"}, "entities": []}
    _, events = run_action(ActionStartRequest(), state)
    assert slot_events(events)["request_type"] is None  # 利用停止 or 消去: asked
