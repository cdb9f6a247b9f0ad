"""The handoff summary: the one type the action server writes and the console reads."""
from __future__ import annotations

import json

from sobu_privacy.handoff import SUMMARY_VERSION, CallbackRequest, HandoffReason, HandoffSummary


def full_summary() -> HandoffSummary:
    return HandoffSummary(
        reason=HandoffReason.CALLBACK,
        questions=("開示の方法を教えて", "電話で話したい"),
        intents=("faq_how_to_request", "request_human"),
        collected=(("お名前", "総武 花子"), ("電話番号", "090-1234-5678")),
        ticket_fields={"name": "総武 花子", "phone": "09012345678"},
        ticket_number="PR-7K3M-9XQ2",
        callback=CallbackRequest(name="総武 花子", phone="09012345678", time="平日の午前中"),
    )


def test_round_trip_through_json():
    summary = full_summary()
    stored = json.loads(json.dumps(summary.to_json(), ensure_ascii=False))
    assert stored["version"] == SUMMARY_VERSION
    assert HandoffSummary.from_json(stored) == summary


def test_the_json_shape_is_fixed():
    """The stored shape; changing it needs a new SUMMARY_VERSION and a reader for the old one."""
    assert set(full_summary().to_json()) == {
        "version", "reason", "questions", "intents", "collected", "ticket_fields", "ticket_number", "callback"}


def test_first_question_and_prefill():
    summary = HandoffSummary(reason=None, questions=("最初", "次"), ticket_fields={"name": " 花子 ", "email": " "})
    assert summary.first_question == "最初"
    assert summary.ticket_prefill() == {"name": "花子"}
    assert HandoffSummary(reason=None).first_question == ""


def test_reads_the_untyped_summary_written_before_version_1():
    legacy = {"questions": ["質問"], "intents": ["request_human"], "collected": {"お名前": "花子"},
              "ticket_fields": {"name": "花子"}, "ticket_number": None,
              "callback": {"name": "花子", "phone": "090-1234-5678", "time": "夜"}}
    summary = HandoffSummary.from_json(legacy)
    assert summary.version == 0 and summary.collected == (("お名前", "花子"),)
    assert summary.reason is HandoffReason.CALLBACK and summary.callback.time == "夜"


def test_damaged_rows_still_give_a_summary():
    for bad in (None, [], "text", {"questions": "not a list", "reason": "nonsense", "collected": 5,
                                   "ticket_fields": {"name": 3}, "version": "x"}):
        summary = HandoffSummary.from_json(bad)
        assert summary.questions == () and summary.ticket_fields == {} and summary.reason is None


def test_personal_data_stays_out_of_repr():
    text = repr(full_summary())
    assert "花子" not in text and "0901234" not in text and "平日" not in text


def test_every_reason_has_a_label():
    assert all(reason.label for reason in HandoffReason)
