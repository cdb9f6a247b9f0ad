"""The disclosure document of a 開示 request: printable HTML and a real PDF (Debian chromium)."""
from __future__ import annotations

import time

from storage.tickets import TicketDraft
from tests.console.test_tickets_api import FORM


def chat(console, cid: str) -> None:
    console.rasa.events[cid] = [
        {"event": "user", "text": "登録している住所を教えてください", "timestamp": time.time(),
         "parse_data": {"intent": {"name": "faq_disclosure"}}},
        {"event": "bot", "text": "開示のお申し込みを承ります。", "timestamp": time.time()},
        {"event": "slot", "name": "customer_name", "value": "山田 太郎", "timestamp": time.time()},
    ]


def test_a_disclosure_document_in_html_and_pdf(console):
    request = console.ctx.tickets.open_ticket(TicketDraft(**FORM, conversation_id="c-disclose"))
    earlier = console.ctx.tickets.open_ticket(TicketDraft(**{**FORM, "request_type": "correction"}))
    chat(console, "c-disclose")
    staff = console.login("staff1")
    assert f"/console/tickets/{request.number}/disclosure" in staff.get(staff.url(f"/console/tickets/{request.number}")).text

    page = staff.get(staff.url(f"/console/tickets/{request.number}/disclosure"))
    assert page.status_code == 200
    for expected in ["保有個人データ開示資料", request.number, "山田 太郎", "千葉県旭市イ1", earlier.number,
                     "登録している住所を教えてください", "開示のお申し込みを承ります。", "お客さま", "アシスタント"]:
        assert expected in page.text, expected
    assert "faq_disclosure" not in page.text  # no internal codes in what the customer receives
    assert "Content-Security-Policy" in page.headers and "<style>" not in page.text

    pdf = staff.get(staff.url(f"/console/tickets/{request.number}/disclosure.pdf"), timeout=90)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 5000
    actions = [e.action for e in console.ctx.audit.entries(target=request.number)]
    assert actions.count("privacy.disclosure") == 2


def test_only_for_disclosure_requests_and_staff(console):
    correction = console.ctx.tickets.open_ticket(TicketDraft(**{**FORM, "request_type": "correction"}))
    disclosure = console.ctx.tickets.open_ticket(TicketDraft(**FORM))
    staff = console.login("staff1")
    assert staff.get(staff.url(f"/console/tickets/{correction.number}/disclosure")).status_code == 409
    analyst = console.login("analyst1")
    assert analyst.get(analyst.url(f"/console/tickets/{disclosure.number}/disclosure")).status_code == 403
