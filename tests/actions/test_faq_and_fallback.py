"""FAQ answers come from the knowledge base with their section; misses lead to a person."""
from actions import services
from actions.fallback import ActionDefaultFallback, ActionHandleFallback, ActionHandleOutOfScope
from actions.faq import ActionAnswerDetail, ActionAnswerFaq
from tests.actions.conftest import load_tracker, responses, slot_events


def test_faq_answer_names_its_section(run_action):
    messages, events = run_action(ActionAnswerFaq(), load_tracker("faq_fee"))
    assert responses(messages)[0] == "utter_faq_answer"
    assert "（プライバシーポリシー 8. より）" in messages[0]["answer"]
    assert "手数料" in messages[0]["answer"]
    assert slot_events(events) == {"last_faq": "faq_fee", "fallback_count": 0}


def test_answer_about_a_right_leaves_the_offer_to_the_rules(run_action):
    messages, _ = run_action(ActionAnswerFaq(), load_tracker("faq_disclosure"))
    assert responses(messages) == ["utter_faq_answer"]
    assert "（プライバシーポリシー 5." in messages[0]["answer"]


def test_more_detail_offered_outside_forms_only(run_action):
    messages, _ = run_action(ActionAnswerFaq(), load_tracker("faq_fee", last_faq=None))
    assert responses(messages) == ["utter_faq_answer", "utter_offer_detail"]
    state = load_tracker("faq_fee")
    state["active_loop"] = {"name": "request_form"}
    in_form, _ = run_action(ActionAnswerFaq(), state)
    assert responses(in_form) == ["utter_faq_answer"]


def test_follow_up_is_answered_in_context(run_action):
    in_context, _ = run_action(ActionAnswerFaq(), load_tracker("faq_agent_after_disclosure"))
    alone, _ = run_action(ActionAnswerFaq(), load_tracker("faq_agent_after_disclosure", last_faq=None))
    assert "委任状" in in_context[0]["answer"]
    assert in_context[0]["answer"] != alone[0]["answer"]
    assert "開示" in in_context[0]["answer"]


def test_detail_of_the_last_answer(run_action):
    detail, _ = run_action(ActionAnswerDetail(), load_tracker("faq_fee", last_faq="faq_identity_verification"))
    assert "（プライバシーポリシー 8. より）" in detail[0]["answer"]
    # the longer text of the last answer (not the short one again, not the current intent's)
    answer = services.knowledge_base().answer_for("faq_identity_verification")
    assert detail[0]["answer"] == answer.text_detail() != answer.text_short()
    nothing, _ = run_action(ActionAnswerDetail(), load_tracker("faq_fee", last_faq=None))
    assert responses(nothing) == ["utter_no_detail_context"]


def test_first_miss_asks_to_rephrase_second_offers_a_person(run_action):
    first, events = run_action(ActionHandleFallback(), load_tracker("not_understood"))
    assert responses(first) == ["utter_ask_rephrase"]
    assert slot_events(events) == {"fallback_count": 1}
    second, events = run_action(ActionHandleFallback(), load_tracker("not_understood", fallback_count=1))
    # the offer is its own action, so that a typed はい / いいえ answers it
    assert second == [] and [e["name"] for e in events if e["event"] == "followup"] == ["utter_offer_person"]
    assert slot_events(events) == {"fallback_count": 0}


def test_core_fallback_answers_the_same_and_reverts_the_message(run_action):
    first, events = run_action(ActionDefaultFallback(), load_tracker("not_understood"))
    assert responses(first) == ["utter_ask_rephrase"]
    # reverted first, so the dialogue continues where it was; the count survives the revert
    assert events[0]["event"] == "rewind" and slot_events(events) == {"fallback_count": 1}
    second, events = run_action(ActionDefaultFallback(), load_tracker("not_understood", fallback_count=1))
    assert events[0]["event"] == "rewind"
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "utter_offer_person")


def test_second_miss_outside_hours_gives_the_phone_and_hours(run_action, monkeypatch):
    monkeypatch.setenv("ASSISTANT_NOW", "2026-11-28T10:00:00+09:00")  # Saturday
    messages, _ = run_action(ActionHandleFallback(), load_tracker("not_understood", fallback_count=1))
    assert responses(messages) == ["utter_contact_by_phone"]
    assert "0479-63-1000" in messages[0]["contact"]


def test_gas_smell_gets_the_emergency_answer_never_a_policy_answer(run_action):
    messages, _ = run_action(ActionHandleOutOfScope(), load_tracker("gas_smell"))
    assert responses(messages) == ["utter_emergency"]
    assert messages[0]["emergency_contact"] == "当社の緊急連絡先"


def test_emergency_phone_is_a_setting(run_action, monkeypatch):
    monkeypatch.setenv("EMERGENCY_PHONE", "0000-00-0000")
    messages, _ = run_action(ActionHandleOutOfScope(), load_tracker("gas_smell"))
    assert "0000-00-0000" in messages[0]["emergency_contact"]


def test_plain_out_of_scope(run_action):
    state = load_tracker("gas_smell")
    state["latest_message"]["entities"] = []
    messages, _ = run_action(ActionHandleOutOfScope(), state)
    assert responses(messages) == ["utter_out_of_scope"]


def test_an_emergency_inside_a_form_is_never_taken_as_an_answer(run_action):
    from actions.request_form import ValidateRequestForm

    state = load_tracker("request_form_phone_answer")
    state["latest_message"] = {"text": "ガス臭い！", "intent": {"name": "out_of_scope"},
                               "entities": [{"entity": "emergency", "value": "gas"}]}
    state["events"][-1]["value"] = "ガス臭い！"
    messages, events = run_action(ValidateRequestForm(), state)
    assert responses(messages) == ["utter_emergency"]
    assert slot_events(events) == {"phone": None}


def test_rasa_sdk_registers_the_forms_but_not_their_abstract_base():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    names = set(executor.actions)
    assert {"validate_request_form", "validate_status_check_form", "validate_callback_form"} <= names


# --- a question about one part of an answer gets that part first (issue 13, item 3) ----------

def test_question_about_one_part_gets_that_part(run_action):
    messages, events = run_action(ActionAnswerFaq(), load_tracker("faq_electricity_which_companies"))
    kb = services.knowledge_base()
    part = kb.answer_for("faq_joint_use_electricity", message="一般送配電事業者ってどこの会社？")
    assert part.part == "transmission_operators"
    assert responses(messages) == ["utter_faq_answer", "utter_offer_detail"]
    assert messages[0]["answer"] == part.text_short()
    assert "東京電力パワーグリッド株式会社" in messages[0]["answer"]
    assert messages[0]["answer"].endswith("（プライバシーポリシー 4. より）")
    # the slot names the intent, so 「詳しく」 gives the whole answer (with the list of ※3)
    assert slot_events(events) == {"last_faq": "faq_joint_use_electricity", "fallback_count": 0}
    detail, _ = run_action(ActionAnswerDetail(), load_tracker("faq_fee", last_faq="faq_joint_use_electricity"))
    assert detail[0]["answer"] == kb.answer_for("faq_joint_use_electricity").text_detail() == part.text_detail()
    assert "沖縄電力株式会社" in detail[0]["answer"]


def test_question_about_no_part_gets_the_whole_answer(run_action):
    state = load_tracker("faq_electricity_which_companies")
    state["latest_message"]["text"] = "でんきのきょうどうりようってなに"
    messages, _ = run_action(ActionAnswerFaq(), state)
    assert messages[0]["answer"] == services.knowledge_base().answer_for("faq_joint_use_electricity").text_short()


def test_the_customers_text_picks_the_part_but_is_never_logged(run_action, caplog):
    state = load_tracker("faq_electricity_which_companies")
    text = "電気の情報の管理責任者は誰ですか？山田花子です"
    state["latest_message"]["text"] = text
    with caplog.at_level("DEBUG"):
        messages, _ = run_action(ActionAnswerFaq(), state)
    assert "需要抑制契約者です。" in messages[0]["answer"]  # the manager part
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "part=manager" in logged
    assert "山田" not in logged and "管理責任者は誰" not in logged


def test_a_part_wins_over_the_context_of_the_previous_question(run_action):
    state = load_tracker("faq_agent_after_disclosure")
    state["latest_message"] = {"text": "代理人が申し込むときの本人確認は？",
                               "intent": {"name": "faq_identity_verification", "confidence": 0.9}, "entities": []}
    messages, _ = run_action(ActionAnswerFaq(), state)
    kb = services.knowledge_base()
    assert messages[0]["answer"] == kb.answer_for("faq_identity_verification", message="代理人").text_short()
    state["latest_message"]["text"] = "本人確認は？"
    messages, _ = run_action(ActionAnswerFaq(), state)
    assert messages[0]["answer"] == kb.answer_for("faq_identity_verification", "faq_disclosure").text_short()


def test_the_actions_answer_to_the_names_the_domain_gives_them():
    import yaml
    from pathlib import Path

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "bot/domain.yml").read_text(encoding="utf-8"))
    assert {ActionAnswerFaq().name(), ActionAnswerDetail().name()} <= set(domain["actions"])
    assert (ActionAnswerFaq().name(), ActionAnswerDetail().name()) == ("action_answer_faq", "action_answer_detail")


def test_the_detail_is_sent_as_the_faq_answer_response(run_action):
    detail, _ = run_action(ActionAnswerDetail(), load_tracker("faq_fee", last_faq="faq_fee"))
    assert responses(detail) == ["utter_faq_answer"]


def test_an_intent_without_an_answer_gets_the_default_reply_never_an_improvised_one(run_action):
    state = load_tracker("faq_fee")
    state["latest_message"]["intent"] = {"name": "greet", "confidence": 0.99}
    messages, events = run_action(ActionAnswerFaq(), state)
    assert responses(messages) == ["utter_default"] and events == []


def _after(state, action_name):
    """``state`` with the bot's ``action_name`` (then listening) before the customer's message."""
    state["events"] = [{"event": "action", "name": action_name}, {"event": "action", "name": "action_listen"},
                       *state["events"]]
    return state


def test_a_miss_at_the_summary_or_an_offer_is_reverted_so_the_question_still_stands(run_action):
    """Without the revert, 「よろしいですか？」 no longer stands after a message the NLU did not
    understand, and the customer's next 「はい」 is a lone yes: the request is never filed."""
    for waiting in ("action_show_request_summary", "action_ask_correction_field", "utter_offer_request"):
        messages, events = run_action(ActionHandleFallback(), _after(load_tracker("not_understood"), waiting))
        assert responses(messages) == ["utter_ask_rephrase"]
        assert events[0]["event"] == "rewind" and slot_events(events) == {"fallback_count": 1}, waiting
    elsewhere, events = run_action(ActionHandleFallback(), _after(load_tracker("not_understood"), "utter_greet"))
    assert responses(elsewhere) == ["utter_ask_rephrase"] and events[0]["event"] == "slot"
    # the core fallback reverts once, wherever it comes
    _, events = run_action(ActionDefaultFallback(),
                           _after(load_tracker("not_understood"), "action_show_request_summary"))
    assert [e["event"] for e in events].count("rewind") == 1
