"""Queue, claim, reply, notes, hand-back - and hostile text staying text."""
from __future__ import annotations

import html
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.console.helpers import bot_summary

SUMMARY = bot_summary()
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _seed_tracker(console, cid):
    console.rasa.events[cid] = [
        {"event": "user", "text": "担当者と話したい", "timestamp": 1.0,
         "parse_data": {"intent": {"name": "request_human"}}},
        {"event": "bot", "text": "担当者におつなぎします。", "data": {}, "timestamp": 2.0},
        {"event": "slot", "name": "name", "value": "山田 太郎", "timestamp": 2.5},
        {"event": "slot", "name": "requested_slot", "value": "phone", "timestamp": 2.6},
        {"event": "pause", "timestamp": 3.0},
    ]


def test_queue_lists_waiting_oldest_first_then_claimed(console):
    console.ctx.handoffs.enqueue("conv-a", SUMMARY)
    console.ctx.handoffs.enqueue("conv-b", bot_summary("second"), kind="callback")
    staff = console.login("staff1")
    data = staff.get(staff.url("/api/conversations")).json()
    assert [h["conversation_id"] for h in data["waiting"]] == ["conv-a", "conv-b"]
    assert data["waiting"][1]["kind"] == "callback"
    assert data["waiting"][0]["waiting_seconds"] >= 0
    staff.api_post("/api/conversations/conv-b/claim")
    data = staff.get(staff.url("/api/conversations")).json()
    assert [h["conversation_id"] for h in data["waiting"]] == ["conv-a"]
    assert [h["claimed_by"] for h in data["claimed"]] == ["staff1"]


def test_disabling_a_staff_member_puts_their_chats_back_in_the_queue(console):
    console.ctx.handoffs.enqueue("conv-held", SUMMARY)
    staff = console.login("staff1")
    assert staff.api_post("/api/conversations/conv-held/claim").status_code == 200
    admin = console.login("admin1")
    assert admin.api_post("/api/users/staff1/active", {"active": False}).status_code == 200
    waiting = admin.get(admin.url("/api/conversations")).json()["waiting"]
    assert [h["conversation_id"] for h in waiting] == ["conv-held"]
    other = console.login("staff2")
    assert other.api_post("/api/conversations/conv-held/claim").status_code == 200
    [entry] = console.ctx.audit.entries(action="handoff.release")
    assert (entry.actor, entry.target, entry.detail["released_from"]) == ("admin1", "conv-held", "staff1")


def test_two_staff_claiming_at_once_one_gets_409(console):
    console.ctx.handoffs.enqueue("conv-race", SUMMARY)
    clients = [console.login("staff1"), console.login("staff2")]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda c: c.api_post("/api/conversations/conv-race/claim"), clients))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert "対応中" in loser.json()["error"]
    assert len([e for e in console.ctx.audit.entries(action="handoff.claim")]) == 1


def test_conversation_view_reply_and_handback(console):
    console.ctx.handoffs.enqueue("conv-1", SUMMARY)
    _seed_tracker(console, "conv-1")
    staff = console.login("staff1")
    view = staff.get(staff.url("/api/conversations/conv-1")).json()
    kinds = [i["kind"] for i in view["transcript"]]
    assert kinds == ["user", "bot", "slot", "event"]
    assert view["transcript"][0]["intent"] == "request_human"
    assert view["paused"] is True
    assert ["お名前", "山田 太郎"] in view["summary"]["collected"]
    assert view["summary"]["reason"] == "customer_asked" and view["summary"]["reason_label"]
    assert view["handoff"]["question"] == "個人情報の開示を請求したいです"

    # replying before claiming is refused: only the holder speaks for the company
    assert staff.api_post("/api/conversations/conv-1/reply", {"text": "こんにちは"}).status_code == 409
    assert staff.api_post("/api/conversations/conv-1/claim").status_code == 200
    other = console.login("staff2")
    assert other.api_post("/api/conversations/conv-1/reply", {"text": "横取り"}).status_code == 409

    assert staff.api_post("/api/conversations/conv-1/reply", {"text": "総務部の担当です。"}).status_code == 200
    cid, events = console.rasa.appended[-1]
    assert cid == "conv-1"
    assert events == [{
        "event": "bot", "text": None,
        # the customer sees the display name (STAFF_DISPLAY_NAME), never the login name
        "data": {"custom": {"data": {"staff_reply": "総務部の担当です。", "staff_name": "総務部"}}},
        "metadata": {"from_staff": "staff1"},
    }]
    view = staff.get(staff.url("/api/conversations/conv-1")).json()
    assert view["transcript"][-1] == {**view["transcript"][-1], "kind": "staff", "text": "総務部の担当です。", "staff": "staff1"}
    assert "staff1" not in str(events[0]["data"])

    console.rasa.calls.clear()
    assert staff.api_post("/api/conversations/conv-1/handback").status_code == 200
    # what RasaClient.hand_back sends: resume, the bot's own utter_handback, then action_listen
    assert [(m, p, b) for m, p, _q, b in console.rasa.calls] == [
        ("POST", "/conversations/conv-1/tracker/events", [{"event": "resume", "metadata": {"from_staff": "staff1"}}]),
        ("POST", "/conversations/conv-1/execute", {"name": "utter_handback"}),
        ("POST", "/conversations/conv-1/tracker/events", [{"event": "action", "name": "action_listen"}]),
    ]
    assert all(q.get("output_channel") == "socketio" for _m, _p, q, _b in console.rasa.calls)
    assert console.ctx.handoffs.open_for_conversation("conv-1") is None
    actions = [e.action for e in console.ctx.audit.entries(target="conv-1")]
    assert {"handoff.claim", "handoff.reply", "handoff.handback"} <= set(actions)
    # the audit log does not copy what staff wrote to the customer
    reply_entry = next(e for e in console.ctx.audit.entries(action="handoff.reply"))
    assert "総務部" not in str(reply_entry.detail)


def test_rasa_down_is_a_clear_error_not_a_500(console):
    console.ctx.handoffs.enqueue("conv-down", SUMMARY)
    staff = console.login("staff1")
    staff.api_post("/api/conversations/conv-down/claim")
    console.rasa.down = True
    resp = staff.api_post("/api/conversations/conv-down/reply", {"text": "hi"})
    assert resp.status_code == 502 and "Rasa" in resp.json()["error"]
    view = staff.get(staff.url("/api/conversations/conv-down")).json()
    assert view["transcript_error"]
    page = staff.get(staff.url("/console/conversations/conv-down"))
    assert page.status_code == 200 and "接続できません" in page.text
    # hand-back fails without closing the handoff, so the customer is not left alone
    assert staff.api_post("/api/conversations/conv-down/handback").status_code == 502
    assert console.ctx.handoffs.open_for_conversation("conv-down") is not None


def test_hostile_text_is_stored_as_is_and_rendered_escaped(console):
    console.ctx.handoffs.enqueue("conv-x", bot_summary(HOSTILE))
    console.rasa.events["conv-x"] = [
        {"event": "user", "text": HOSTILE, "timestamp": 1.0, "parse_data": {"intent": {"name": "nlu_fallback"}}},
    ]
    staff = console.login("staff1")
    staff.api_post("/api/conversations/conv-x/claim")
    assert staff.api_post("/api/conversations/conv-x/notes", {"text": HOSTILE}).status_code == 201
    assert staff.api_post("/api/conversations/conv-x/reply", {"text": HOSTILE}).status_code == 200
    notes = console.ctx.handoffs.notes(console.ctx.handoffs.open_for_conversation("conv-x").id)
    assert notes[0].text == HOSTILE  # stored exactly
    for path in ("/console/conversations/conv-x", "/console"):
        page = staff.get(staff.url(path)).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert html.escape(HOSTILE, quote=True) in page or "&lt;script&gt;" in page
    # JSON carries it as data, for console.js to put in with textContent
    view = staff.get(staff.url("/api/conversations/conv-x")).json()
    assert view["notes"][0]["text"] == HOSTILE
    # a note written through the HTML form too
    form = staff.post(staff.url("/console/conversations/conv-x/notes"),
                      data={"text": HOSTILE + "form", "csrf_token": staff.csrf}, allow_redirects=False)
    assert form.status_code == 303
    assert "<script>alert" not in staff.get(staff.url("/console/conversations/conv-x")).text


def test_pages_send_a_strict_csp(console):
    staff = console.login("staff1")
    resp = staff.get(staff.url("/console"))
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["Cache-Control"] == "no-store"


def test_notes_need_an_open_handoff(console):
    staff = console.login("staff1")
    resp = staff.api_post("/api/conversations/nobody/notes", {"text": "x"})
    assert resp.status_code == 404 and resp.json()["error"]


def test_demo_site_and_widget_assets_are_served_locally(console):
    page = requests.get(console.url + "/")
    assert page.status_code == 200
    assert "デモ" in page.text and 'src="/static/socket.io.min.js"' in page.text
    assert "cdn" not in page.text.lower()
    assert 'data-socket-url="http://127.0.0.1:5005"' in page.text
    for asset in ("widget.js", "widget.css", "socket.io.min.js", "console.js", "console.css"):
        assert requests.get(console.url + "/static/" + asset).status_code == 200, asset
    assert requests.get(console.url + "/static/package.json").status_code == 404
    assert requests.get(console.url + "/static/..%2Fpackage.json").status_code == 404


def test_only_the_holder_or_an_admin_hands_back(console):
    console.ctx.handoffs.enqueue("conv-hb", SUMMARY)
    holder, other, admin = console.login("staff1"), console.login("staff2"), console.login("admin1")
    holder.api_post("/api/conversations/conv-hb/claim")
    assert other.api_post("/api/conversations/conv-hb/handback").status_code == 409
    assert console.ctx.handoffs.open_for_conversation("conv-hb") is not None
    assert admin.api_post("/api/conversations/conv-hb/handback").status_code == 200
    assert console.ctx.handoffs.open_for_conversation("conv-hb") is None
    entry = console.ctx.audit.entries(action="handoff.handback")[0]
    assert entry.actor == "admin1" and entry.detail["forced"] is True


def test_the_page_shows_every_part_of_the_summary_the_action_server_writes(console):
    """The contract from the console's side: what actions.handoff writes is what staff read."""
    from sobu_privacy.handoff import CallbackRequest, HandoffReason, HandoffSummary

    written = bot_summary("開示の手続きを聞きたい", last_ticket_number="PR-7K3M-9XQ2")
    summary = HandoffSummary(**{**written.__dict__, "reason": HandoffReason.CALLBACK,
                                "callback": CallbackRequest(name="山田 太郎", phone="0479000000", time="夕方")})
    console.ctx.handoffs.enqueue("conv-sum", summary, kind="callback")
    staff = console.login("staff1")
    page = staff.get(staff.url("/console/conversations/conv-sum")).text
    for shown in ("受付時間外の折り返し電話のご依頼", "開示の手続きを聞きたい", "お名前", "山田 太郎",
                  "PR-7K3M-9XQ2", "夕方", "0479000000"):
        assert shown in page, shown
    queue = staff.get(staff.url("/console")).text
    assert "開示の手続きを聞きたい" in queue and "折り返し電話" in queue


def test_notes_and_ticket_links_only_by_the_holder_or_an_admin(console):
    console.ctx.handoffs.enqueue("conv-h", bot_summary())
    holder, other, admin = console.login("staff1"), console.login("staff2"), console.login("admin1")
    # nobody holds it yet: a note or link by a non-admin is refused
    assert other.api_post("/api/conversations/conv-h/notes", {"text": "x"}).status_code == 409
    assert holder.api_post("/api/conversations/conv-h/claim").status_code == 200
    assert other.api_post("/api/conversations/conv-h/notes", {"text": "横から"}).status_code == 409
    assert other.api_post("/api/conversations/conv-h/ticket", {"ticket_number": "PR-0000-0000"}).status_code == 409
    assert holder.api_post("/api/conversations/conv-h/notes", {"text": "担当メモ"}).status_code == 201
    assert admin.api_post("/api/conversations/conv-h/notes", {"text": "管理者メモ"}).status_code == 201
    notes = console.ctx.handoffs.notes(console.ctx.handoffs.open_for_conversation("conv-h").id)
    assert [n.author for n in notes] == ["staff1", "admin1"]
    # each note is audited with its author, never with its text
    entries = console.ctx.audit.entries(action="handoff.note", target="conv-h")
    assert sorted(e.actor for e in entries) == ["admin1", "staff1"]
    assert all("担当メモ" not in str(e.detail) for e in entries)


def test_linking_a_ticket_to_the_conversation_is_audited(console):
    console.ctx.handoffs.enqueue("conv-l", bot_summary())
    from storage.tickets import TicketDraft

    ticket = console.ctx.tickets.open_ticket(TicketDraft(
        request_type="disclosure", name="山田 太郎", name_kana="ヤマダ タロウ", postal_code="289-2511",
        address="千葉県旭市イ1", phone="0479-62-0000", details="開示", delivery_method="post"))
    holder = console.login("staff1")
    assert holder.api_post("/api/conversations/conv-l/claim").status_code == 200
    resp = holder.api_post("/api/conversations/conv-l/ticket", {"ticket_number": ticket.number})
    assert resp.status_code == 200, resp.text
    [entry] = console.ctx.audit.entries(action="handoff.link_ticket")
    assert (entry.actor, entry.target, entry.detail["ticket"]) == ("staff1", "conv-l", ticket.number)


def test_reads_of_personal_data_are_audited_once_per_window(console):
    console.ctx.handoffs.enqueue("conv-r", bot_summary())
    staff = console.login("staff1")
    for _ in range(3):  # the conversation page polls
        assert staff.get(staff.url("/api/conversations/conv-r")).status_code == 200
        assert staff.get(staff.url("/api/tickets"), params={"status": "受付済"}).status_code == 200
    views = console.ctx.audit.entries(action="conversation.view", actor="staff1")
    assert [e.target for e in views] == ["conv-r"]
    lists = console.ctx.audit.entries(action="ticket.list", actor="staff1")
    assert len(lists) == 1 and lists[0].detail == {"status": "受付済", "type": None, "due_before": None, "count": 0,
                                                 "address": "127.0.0.1"}
    other = console.login("staff2")
    other.get(other.url("/api/conversations/conv-r"))
    assert {e.actor for e in console.ctx.audit.entries(action="conversation.view")} == {"staff1", "staff2"}


def test_every_audit_entry_of_a_console_request_carries_the_client_address(console):
    console.ctx.handoffs.enqueue("conv-a", bot_summary())
    staff = console.login("staff1")
    staff.api_post("/api/conversations/conv-a/claim")
    staff.api_post("/api/conversations/conv-a/notes", {"text": "確認済み"})
    staff.get(staff.url("/api/conversations/conv-a"))
    entries = console.ctx.audit.entries(actor="staff1")
    assert {"login", "handoff.claim", "handoff.note", "conversation.view"} <= {e.action for e in entries}
    assert all(e.detail.get("address") == "127.0.0.1" for e in entries), [(e.action, e.detail) for e in entries]
