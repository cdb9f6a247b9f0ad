"""Tickets through the API: create from a conversation, filters, status rules."""
from __future__ import annotations

from storage.tickets import TicketDraft
from tests.console.helpers import bot_summary

FORM = {
    "request_type": "disclosure",
    "name": "山田 太郎",
    "name_kana": "ヤマダ タロウ",
    "postal_code": "289-2511",
    "address": "千葉県旭市イ1",
    "phone": "0479-62-0000",
    "details": "保有個人データの開示を求めます",
    "delivery_method": "post",
}


def _ticket(console, **kw):
    return console.ctx.tickets.open_ticket(TicketDraft(**{**FORM, **kw}))


def test_create_ticket_from_conversation_uses_collected_details(console):
    console.ctx.handoffs.enqueue("conv-t", bot_summary(
        "q", request_type="correction", customer_name="山田 太郎", customer_name_kana="ヤマダ タロウ",
        postal_code="289-2511", address="旭市イ1", phone="09012345678"))
    staff = console.login("staff1")
    resp = staff.api_post("/api/tickets", {"conversation_id": "conv-t", "details": "住所の訂正", "delivery_method": "post"})
    assert resp.status_code == 201, resp.text
    ticket = resp.json()
    assert ticket["request_type"] == "correction" and ticket["status"] == "本人確認待ち"
    assert ticket["conversation_id"] == "conv-t"
    assert console.ctx.handoffs.open_for_conversation("conv-t").ticket_number == ticket["number"]
    assert [e.action for e in console.ctx.audit.entries(target=ticket["number"])] == ["ticket.create"]


def test_create_ticket_rejects_bad_fields_in_japanese(console):
    staff = console.login("staff1")
    missing = staff.api_post("/api/tickets", {"request_type": "disclosure"})
    assert missing.status_code == 400 and "入力してください" in missing.json()["error"]
    bad_phone = staff.api_post("/api/tickets", {**FORM, "phone": "12"})
    assert bad_phone.status_code == 400
    wrong_type = staff.api_post("/api/tickets", {**FORM, "name": 123})
    assert wrong_type.status_code == 400 and "形式" in wrong_type.json()["error"]
    bad_kind = staff.api_post("/api/tickets", {**FORM, "request_type": "hack"})
    assert bad_kind.status_code == 400


def test_list_filters_and_overdue_first(console):
    a = _ticket(console)
    b = _ticket(console, request_type="erasure")
    staff = console.login("staff1")
    all_ = staff.get(staff.url("/api/tickets")).json()["tickets"]
    assert {t["number"] for t in all_} == {a.number, b.number}
    only = staff.get(staff.url("/api/tickets?type=erasure")).json()["tickets"]
    assert [t["number"] for t in only] == [b.number]
    status = staff.get(staff.url("/api/tickets?status=受付済")).json()["tickets"]
    assert status == []
    due = staff.get(staff.url("/api/tickets?due_before=2000-01-01")).json()["tickets"]
    assert due == []
    page = staff.get(staff.url("/console/tickets?type=erasure"))
    assert b.number in page.text and a.number not in page.text


def test_status_change_rules(console):
    t = _ticket(console)
    staff = console.login("staff1")
    path = f"/api/tickets/{t.number}/status"
    # comment is required
    assert staff.api_post(path, {"status": "受付済"}).status_code == 400
    # 対応不可 needs a reason
    refused = staff.api_post(path, {"status": "対応不可", "comment": "確認できず"})
    assert refused.status_code == 400 and "理由" in refused.json()["error"]
    # not allowed from 本人確認待ち straight to 回答済
    jump = staff.api_post(path, {"status": "回答済", "comment": "x"})
    assert jump.status_code == 409 and "変更できません" in jump.json()["error"]
    assert staff.api_post(path, {"status": "受付済", "comment": "本人確認済み"}).status_code == 200
    # the short form POST /api/tickets/{number} works the same
    resp = staff.api_post(f"/api/tickets/{t.number}", {"status": "対応不可", "comment": "対応不可", "reason": "法令上の理由"})
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert data["ticket"]["status"] == "対応不可" and data["ticket"]["refusal_reason"] == "法令上の理由"
    assert [h["to_status"] for h in data["history"]] == ["本人確認待ち", "受付済", "対応不可"]
    assert data["ticket"]["allowed_next"] == []
    # final: nothing more
    assert staff.api_post(path, {"status": "対応中", "comment": "x"}).status_code == 409
    assert staff.get(staff.url("/api/tickets/PR-0000-0000")).status_code == 404
    # via the HTML form on a new ticket
    t2 = _ticket(console)
    form = staff.post(staff.url(f"/console/tickets/{t2.number}/status"),
                      data={"status": "受付済", "comment": "<b>ok</b>", "csrf_token": staff.csrf}, allow_redirects=False)
    assert form.status_code == 303
    page = staff.get(staff.url(f"/console/tickets/{t2.number}")).text
    assert "&lt;b&gt;ok&lt;/b&gt;" in page and "<b>ok</b>" not in page
    entries = console.ctx.audit.entries(action="ticket.status_change")
    assert {e.actor for e in entries} == {"staff1"}


def test_ticket_from_the_bots_real_summary_shape(console):
    """The summary exactly as the bot's handoff action builds it from a tracker."""
    from rasa_sdk import Tracker

    from actions.handoff import conversation_summary, handoff_reason

    slots = {"request_type": "correction", "requester_kind": "self", "customer_name": "山田 太郎",
             "customer_name_kana": "ヤマダ タロウ", "postal_code": "289-2511", "address": "千葉県旭市イ1",
             "phone": "09012345678", "email": "（なし）", "request_details": "転居したので住所を訂正",
             "delivery_method": "post"}
    events = [{"event": "user", "text": t, "parse_data": {"intent": {"name": i}}}
              for t, i in [("住所を訂正したい", "start_request"), ("担当者と話したい", "request_human")]]
    tracker = Tracker("conv-real", slots, {}, events, False, None, {}, None)
    console.ctx.handoffs.enqueue("conv-real", conversation_summary(tracker, handoff_reason(tracker)))
    staff = console.login("staff1")
    queue = staff.get(staff.url("/api/conversations")).json()
    assert queue["waiting"][0]["question"] == "住所を訂正したい"
    page = staff.get(staff.url("/console/conversations/conv-real")).text
    assert 'value="山田 太郎"' in page and "収集した情報" in page
    resp = staff.api_post("/api/tickets", {"conversation_id": "conv-real"})
    assert resp.status_code == 201, resp.text
    ticket = resp.json()
    assert (ticket["request_type"], ticket["delivery_method"], ticket["phone"]) == ("correction", "post", "09012345678")


def test_reading_a_ticket_is_audited_with_who_and_which(console):
    ticket = _ticket(console)
    staff = console.login("staff1")
    assert staff.get(staff.url(f"/api/tickets/{ticket.number}")).status_code == 200
    [entry] = console.ctx.audit.entries(action="ticket.view")
    assert (entry.actor, entry.target) == ("staff1", ticket.number)
