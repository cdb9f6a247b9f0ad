"""Opening tickets, the status check and the handoff, on a real SQLite database."""
import pytest

from actions import services
from actions.handoff import ActionHandoff, ActionSubmitCallback, ValidateCallbackForm
from actions.tickets import ActionCheckTicketStatus, ActionOpenTicket, ValidateStatusCheckForm
from sobu_privacy.handoff import CallbackRequest, HandoffKind, HandoffReason
from storage import HandoffQueue
from tests.actions.conftest import load_tracker, responses, slot_events


def open_ticket(run_action):
    messages, events = run_action(ActionOpenTicket(), load_tracker("request_confirmed"))
    return messages, events


def test_confirmed_request_becomes_a_ticket(run_action):
    messages, events = open_ticket(run_action)
    assert responses(messages) == ["utter_ticket_opened", "utter_ticket_next_steps_agent"]  # the fixture is an agent
    number = messages[0]["ticket_number"]
    ticket = services.ticket_store().get(number)
    assert ticket.status.value == "本人確認待ち"
    assert ticket.phone == "09012345678" and ticket.agent_name == "総武 一郎"
    assert ticket.email is None and ticket.customer_number is None
    assert slot_events(events)["last_ticket_number"] == number
    assert slot_events(events)["customer_name"] is None


def test_database_down_keeps_the_answers_and_offers_a_retry(run_action, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")
    services.reset()
    messages, events = open_ticket(run_action)
    assert responses(messages) == ["utter_ticket_save_failed"]
    assert events == [{"event": "followup", "name": "action_show_request_summary", "timestamp": None}]


def test_status_check_needs_number_and_phone(run_action):
    number = open_ticket(run_action)[0][0]["ticket_number"]
    state = load_tracker("status_check_complete", status_ticket_number=number.lower().replace("-", ""))
    state["slots"]["status_ticket_number"] = number
    messages, _ = run_action(ActionCheckTicketStatus(), state)
    assert responses(messages) == ["utter_status_report", "utter_status_meaning_pending_verification"]
    assert messages[0]["status"] == "本人確認待ち"

    wrong_phone = load_tracker("status_check_complete", status_ticket_number=number, status_phone="09000000000")
    messages, events = run_action(ActionCheckTicketStatus(), wrong_phone)
    unknown = load_tracker("status_check_complete", status_ticket_number="PR-0000-0000")
    messages_unknown, _ = run_action(ActionCheckTicketStatus(), unknown)
    assert responses(messages) == responses(messages_unknown) == ["utter_status_not_found"]
    assert messages == messages_unknown  # a wrong pair reveals nothing
    assert slot_events(events) == {"status_ticket_number": None, "status_phone": None}


def miss(run_action, number: str, sender: str):
    state = load_tracker("status_check_complete", status_ticket_number=number, status_phone="09000000000")
    state["sender_id"] = sender
    return responses(run_action(ActionCheckTicketStatus(), state)[0])


def test_third_miss_on_a_number_locks_it_for_every_conversation(run_action):
    """The count lives in the database: a new sender id (or /restart) does not reset it."""
    number = open_ticket(run_action)[0][0]["ticket_number"]
    assert miss(run_action, number, "guess-1") == ["utter_status_not_found"]
    assert miss(run_action, number.lower(), "guess-2") == ["utter_status_not_found"]
    assert miss(run_action, number, "guess-3") == ["utter_status_locked"]
    # Even the right pair, from yet another conversation, is refused while locked.
    right = load_tracker("status_check_complete", status_ticket_number=number)
    right["sender_id"] = "the-customer"
    messages, _ = run_action(ActionCheckTicketStatus(), right)
    assert responses(messages) == ["utter_status_locked"]
    assert messages[0]["contact"] == services.knowledge_base().contact_text()  # the phone and hours
    # Another number is not affected.
    assert miss(run_action, "PR-0000-0000", "guess-4") == ["utter_status_not_found"]


def test_too_many_misses_in_a_minute_pause_every_check(run_action, monkeypatch):
    monkeypatch.setenv("STATUS_CHECK_PER_MINUTE", "4")
    services.reset()
    number = open_ticket(run_action)[0][0]["ticket_number"]
    for i in range(4):  # a search spread over many numbers and conversations
        assert miss(run_action, f"PR-0000-000{i}", f"guess-{i}") == ["utter_status_not_found"]
    right = load_tracker("status_check_complete", status_ticket_number=number)
    messages, _ = run_action(ActionCheckTicketStatus(), right)
    assert responses(messages) == ["utter_status_busy"]


def test_handoff_in_hours_pauses_and_queues_a_summary(run_action):
    messages, events = run_action(ActionHandoff(), load_tracker("human_request"))
    assert responses(messages) == ["utter_handoff_queued"]
    assert {"event": "pause", "timestamp": None} in events
    waiting = HandoffQueue(services.database()).waiting()
    assert [h.conversation_id for h in waiting] == ["handoff"]
    summary = waiting[0].summary
    assert summary.reason is HandoffReason.CUSTOMER_ASKED
    assert summary.intents == ("start_request", "request_human")
    assert ("お申込みの種類", "開示") in summary.collected
    assert summary.ticket_fields["request_type"] == "disclosure"
    assert "開示の手続きで相談したいことがあります" in summary.questions


def test_handoff_outside_hours_says_when_and_offers_alternatives(run_action, monkeypatch):
    monkeypatch.setenv("ASSISTANT_NOW", "2026-12-31T11:00:00+09:00")
    services.reset()
    messages, events = run_action(ActionHandoff(), load_tracker("human_request"))
    assert responses(messages) == ["utter_handoff_closed"]
    assert messages[0]["next_open"] == "1月5日（火）午前9時"
    assert not any(e.get("event") == "pause" for e in events)
    assert HandoffQueue(services.database()).waiting() == []


def test_callback_request_is_queued_for_staff(run_action):
    state = load_tracker("human_request", callback_name="総武 花子", callback_phone="0479000000",
                         callback_time="平日の午前中")
    messages, events = run_action(ActionSubmitCallback(), state)
    assert responses(messages) == ["utter_callback_registered"]
    handoff = HandoffQueue(services.database()).waiting()[0]
    assert handoff.kind is HandoffKind.CALLBACK
    assert handoff.summary.reason is HandoffReason.CALLBACK
    assert handoff.summary.callback == CallbackRequest(name="総武 花子", phone="0479000000", time="平日の午前中")


VALID_ANSWERS = {
    "status_ticket_number": ("受付番号は pr-7k3m-9xq2 です", "PR-7K3M-9XQ2"),
    "status_phone": ("０９０－１１１１－２２２２", "09011112222"),
    "callback_name": ("総武 花子です", "総武 花子"),
    "callback_phone": ("0479-63-0000", "0479630000"),
    "callback_time": ("平日の午前中", "平日の午前中"),
}


@pytest.mark.parametrize("form, action", [("status_check_form", ValidateStatusCheckForm()),
                                          ("callback_form", ValidateCallbackForm())])
def test_every_question_of_the_small_forms_reads_a_typical_answer(form, action, domain):
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    tracker = Tracker.from_dict(load_tracker("human_request"))
    for slot in domain["forms"][form]["required_slots"]:
        typed, expected = VALID_ANSWERS[slot]
        result = getattr(action, f"validate_{slot}")(typed, CollectingDispatcher(), tracker, domain)
        assert result[slot] == expected, slot


def test_one_conversation_files_a_bounded_number_of_requests(run_action, monkeypatch):
    monkeypatch.setenv("MAX_TICKETS_PER_CONVERSATION", "2")
    services.reset()
    assert responses(open_ticket(run_action)[0]) == ["utter_ticket_opened", "utter_ticket_next_steps_agent"]
    assert responses(open_ticket(run_action)[0]) == ["utter_ticket_opened", "utter_ticket_next_steps_agent"]
    messages, events = open_ticket(run_action)
    assert responses(messages) == ["utter_ticket_limit_reached"]
    assert messages[0]["contact"] == services.knowledge_base().contact_text()
    assert slot_events(events)["customer_name"] is None
    assert len(services.ticket_store().list()) == 2


def test_next_steps_name_the_checks_the_policy_names_for_the_requester(run_action):
    """Section 8: a customer is checked by documents and a call-back, an agent by 委任状 and 印鑑証明書."""
    own = load_tracker("request_confirmed", requester_kind="self", agent_name=None, agent_relationship=None,
                       agent_documents=None)
    messages, _ = run_action(ActionOpenTicket(), own)
    assert responses(messages) == ["utter_ticket_opened", "utter_ticket_next_steps"]


def test_a_full_queue_asks_the_customer_to_call(run_action, monkeypatch):
    """Scripted conversations cannot queue handoffs without bound (MAX_WAITING_HANDOFFS)."""
    from tests.console.helpers import bot_summary

    monkeypatch.setenv("MAX_WAITING_HANDOFFS", "2")
    services.reset()
    for cid in ("scripted-1", "scripted-2"):
        HandoffQueue(services.database()).enqueue(cid, bot_summary())
    messages, events = run_action(ActionHandoff(), load_tracker("human_request"))
    assert responses(messages) == ["utter_handoff_busy"]
    assert messages[0]["contact"] == services.knowledge_base().contact_text()
    assert {"event": "pause", "timestamp": None} not in events
    assert len(HandoffQueue(services.database()).waiting()) == 2
