"""TicketStore on SQLite and PostgreSQL: filing, customer look-up, workflow, history, due dates."""
from __future__ import annotations

import itertools
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select

from sobu_privacy.identifiers import new_ticket_number, normalize_ticket_number
from sobu_privacy.requests import DeliveryMethod, RequestType
from sobu_privacy.workflow import ALLOWED_TRANSITIONS, TicketStatus
from storage import AuditLog, Database, InvalidTicket, InvalidTransition, NotFound, Ticket, TicketStore
from storage_testkit import make_draft

NUMBER_RE = re.compile(r"^PR-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}$")
S = TicketStatus


@pytest.fixture
def store(db, clock) -> TicketStore:
    return TicketStore(db, due_days=14, clock=clock)


def test_open_ticket_stores_every_field(store, clock):
    draft = make_draft(
        request_type="訂正", requester_kind="agent", agent_name="総武 一郎", agent_relationship="父",
        postal_code="２６００００１", phone="０４３－１２３－４５６７", email="hanako@example.jp",
        customer_number="C-123", delivery_method="電磁的記録", conversation_id="conv-9",
    )
    ticket = store.open_ticket(draft)
    assert isinstance(ticket, Ticket)
    assert NUMBER_RE.match(ticket.number)
    assert ticket.request_type is RequestType.CORRECTION and ticket.request_type.label == "訂正"
    assert ticket.delivery_method is DeliveryMethod.ELECTRONIC and ticket.delivery_method.label == "電磁的記録"
    assert (ticket.agent_name, ticket.agent_relationship) == ("総武 一郎", "父")
    assert ticket.postal_code == "260-0001" and ticket.phone == "0431234567"
    assert ticket.email == "hanako@example.jp" and ticket.customer_number == "C-123"
    assert ticket.status is S.PENDING_VERIFICATION and ticket.refusal_reason is None
    assert ticket.created_at == clock.now == ticket.updated_at
    assert store.get(ticket.number) == ticket
    with pytest.raises(Exception):
        ticket.status = S.ACCEPTED  # frozen dataclass, not an ORM row


def test_open_ticket_writes_first_history_row(store, clock):
    ticket = store.open_ticket(make_draft())
    (first,) = store.history(ticket.number)
    assert first.from_status is None and first.to_status is S.PENDING_VERIFICATION
    assert first.at == clock.now and first.actor and first.comment


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({"phone": "12345"}, "phone"),
        ({"postal_code": "26-0001"}, "postal code"),
        ({"name": "  "}, "name"),
        ({"details": ""}, "details"),
        ({"request_type": "refund"}, "request_type"),
        ({"delivery_method": "fax"}, "delivery_method"),
        ({"requester_kind": "agent"}, "agent_name"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_invalid_drafts_are_refused(store, overrides, problem):
    with pytest.raises(InvalidTicket, match=problem) as refused:
        store.open_ticket(make_draft(**overrides))
    assert store.list() == []
    for field, value in overrides.items():  # the message names the field, never what was typed
        if field != "requester_kind" and value.strip():
            assert value not in str(refused.value)


def test_find_for_customer_needs_number_and_phone(store):
    ticket = store.open_ticket(make_draft(phone="043-123-4567"))
    other = store.open_ticket(make_draft(phone="090-1111-2222"))
    assert store.find_for_customer(ticket.number, "0431234567") == ticket
    assert store.find_for_customer(ticket.number.lower(), "043-123-4567") == ticket
    assert store.find_for_customer(ticket.number.replace("-", ""), "０４３１２３４５６７") == ticket
    assert store.find_for_customer(ticket.number, "0431234568") is None  # wrong phone
    assert store.find_for_customer(ticket.number, "") is None
    assert store.find_for_customer(ticket.number, "09011112222") is None  # another ticket's phone
    assert store.find_for_customer(other.number, "0431234567") is None
    assert store.find_for_customer("PR-0000-0000", "0431234567") is None  # no such number
    assert store.find_for_customer("nonsense", "0431234567") is None


def test_ticket_number_normalisation():
    assert normalize_ticket_number("pr-abcd-efgh") == "PR-ABCD-EFGH"
    assert normalize_ticket_number("ＰＲ－ａｂｃｄ－ｅｆｇｈ") == "PR-ABCD-EFGH"
    assert normalize_ticket_number("PR ABCD EFGH") == "PR-ABCD-EFGH"
    assert normalize_ticket_number("PR-1ILO-0000") == "PR-1110-0000"  # Crockford: I,L->1  O->0
    assert normalize_ticket_number("PR-ABCD-EFGU") is None  # U is not a Crockford digit
    assert normalize_ticket_number("PR-ABCD-EFG") is None
    assert normalize_ticket_number("") is None


def test_numbers_are_random_and_collisions_are_retried(db, clock):
    numbers = iter(["PR-AAAA-AAAA", "PR-AAAA-AAAA", "PR-AAAA-AAAA", "PR-BBBB-BBBB"])
    store = TicketStore(db, due_days=14, clock=clock, number_factory=lambda: next(numbers))
    assert store.open_ticket(make_draft()).number == "PR-AAAA-AAAA"
    assert store.open_ticket(make_draft()).number == "PR-BBBB-BBBB"  # two collisions skipped
    assert len(store.list()) == 2


def test_generated_numbers_look_random():
    numbers = {new_ticket_number() for _ in range(2000)}
    assert len(numbers) == 2000 and all(NUMBER_RE.match(n) for n in numbers)
    # every Crockford character shows up in every position: nothing sequential or fixed
    for position in (3, 4, 5, 6, 8, 9, 10, 11):
        assert len({n[position] for n in numbers}) == 32


ALL_PAIRS = list(itertools.product(list(S), list(S)))


def _walk_to(store: TicketStore, status: TicketStatus) -> str:
    path = {
        S.PENDING_VERIFICATION: [],
        S.ACCEPTED: [S.ACCEPTED],
        S.IN_PROGRESS: [S.ACCEPTED, S.IN_PROGRESS],
        S.ANSWERED: [S.ACCEPTED, S.IN_PROGRESS, S.ANSWERED],
        S.WITHDRAWN: [S.WITHDRAWN],
        S.REFUSED: [S.REFUSED],
    }[status]
    number = store.open_ticket(make_draft()).number
    for step in path:
        store.change_status(number, step, actor="tanaka", comment="進めます", reason="理由" if step is S.REFUSED else None)
    return number


def test_transitions_allowed_and_refused(store):
    for current, target in ALL_PAIRS:
        number = _walk_to(store, current)
        reason = "法令上の除外事由" if target is S.REFUSED else None
        if target in ALLOWED_TRANSITIONS[current]:
            ticket = store.change_status(number, target, actor="suzuki", comment="変更", reason=reason)
            assert ticket.status is target
        else:
            with pytest.raises(InvalidTransition):
                store.change_status(number, target, actor="suzuki", comment="変更", reason=reason)
            assert store.get(number).status is current
    expected = {
        S.PENDING_VERIFICATION: {S.ACCEPTED, S.WITHDRAWN, S.REFUSED},
        S.ACCEPTED: {S.IN_PROGRESS, S.WITHDRAWN, S.REFUSED},
        S.IN_PROGRESS: {S.ANSWERED, S.WITHDRAWN, S.REFUSED},
        S.ANSWERED: set(), S.WITHDRAWN: set(), S.REFUSED: set(),
    }
    assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == expected


def test_refusal_requires_reason_and_stores_it(store):
    number = store.open_ticket(make_draft()).number
    for blank in (None, "", "   "):
        with pytest.raises(InvalidTicket, match="reason"):
            store.change_status(number, S.REFUSED, actor="tanaka", comment="対応できません", reason=blank)
    assert store.get(number).status is S.PENDING_VERIFICATION
    ticket = store.change_status(number, "対応不可", actor="tanaka", comment="対応できません", reason="本人確認書類が確認できないため")
    assert ticket.status is S.REFUSED and ticket.refusal_reason == "本人確認書類が確認できないため"
    assert store.history(number)[-1].reason == "本人確認書類が確認できないため"


def test_comment_and_actor_required(store):
    number = store.open_ticket(make_draft()).number
    with pytest.raises(InvalidTicket, match="comment"):
        store.change_status(number, S.ACCEPTED, actor="tanaka", comment=" ")
    with pytest.raises(InvalidTicket, match="actor"):
        store.change_status(number, S.ACCEPTED, actor="", comment="ok")
    with pytest.raises(NotFound):
        store.change_status("PR-0000-0000", S.ACCEPTED, actor="tanaka", comment="ok")


def test_history_and_audit_rows(store, db, clock):
    number = store.open_ticket(make_draft()).number
    clock.advance(hours=1)
    store.change_status(number, S.ACCEPTED, actor="tanaka", comment="本人確認書類を確認")
    clock.advance(days=1)
    store.change_status(number.lower(), S.IN_PROGRESS, actor="suzuki", comment="調査開始")
    history = store.history(number)
    assert [(h.from_status, h.to_status, h.actor, h.comment) for h in history[1:]] == [
        (S.PENDING_VERIFICATION, S.ACCEPTED, "tanaka", "本人確認書類を確認"),
        (S.ACCEPTED, S.IN_PROGRESS, "suzuki", "調査開始"),
    ]
    assert history[2].at == clock.now and store.get(number).updated_at == clock.now
    audit = AuditLog(db).entries(target=number)
    assert [(e.actor, e.action, e.detail["from"], e.detail["to"]) for e in audit] == [
        ("suzuki", "ticket.status_change", "受付済", "対応中"),
        ("tanaka", "ticket.status_change", "本人確認待ち", "受付済"),
    ]


def test_refused_change_leaves_no_history_or_audit(store, db):
    number = store.open_ticket(make_draft()).number
    with pytest.raises(InvalidTransition):
        store.change_status(number, S.ANSWERED, actor="tanaka", comment="x")
    assert len(store.history(number)) == 1 and AuditLog(db).entries() == []


def test_due_date_from_setting_and_japan_date(db, clock, monkeypatch):
    clock.now = clock.now.replace(hour=16)  # 2025-04-01 16:00 UTC = 2025-04-02 01:00 JST
    assert TicketStore(db, due_days=10, clock=clock).open_ticket(make_draft()).due_date == date(2025, 4, 12)
    from sobu_privacy.settings import load_settings

    monkeypatch.setenv("TICKET_DUE_DAYS", "30")
    load_settings.cache_clear()
    assert TicketStore(db, clock=clock).open_ticket(make_draft()).due_date == date(2025, 5, 2)
    monkeypatch.delenv("TICKET_DUE_DAYS")
    load_settings.cache_clear()
    assert TicketStore(db, clock=clock).due_days == 14
    monkeypatch.setenv("TICKET_DUE_DAYS", "soon")
    load_settings.cache_clear()
    with pytest.raises(ValueError, match="TICKET_DUE_DAYS"):
        TicketStore(db, clock=clock)
    load_settings.cache_clear()


def test_listing_overdue_first_then_due_date_and_filters(db, clock):
    store = TicketStore(db, due_days=14, clock=clock)
    old_open = store.open_ticket(make_draft(request_type="deletion")).number  # due 04-15
    clock.advance(days=2)
    old_answered = _walk_to(store, S.ANSWERED)  # due 04-17, final
    clock.advance(days=1)
    old_refused = _walk_to(store, S.REFUSED)  # due 04-18, final
    clock.advance(days=10)
    recent = store.open_ticket(make_draft()).number  # due 04-28
    clock.advance(days=1)
    newest = store.open_ticket(make_draft(request_type="削除")).number  # due 04-29
    clock.advance(days=10)  # today 04-25: old_open overdue; finals never overdue
    listed = store.list()
    assert [t.number for t in listed] == [old_open, old_answered, old_refused, recent, newest]
    assert listed[0].is_overdue(store.today())
    assert not listed[1].is_overdue(store.today())
    clock.advance(days=4)  # today 04-29: recent is overdue too; it sorts before the final ones
    assert [t.number for t in store.list()] == [old_open, recent, old_answered, old_refused, newest]
    assert [t.number for t in store.list(status=S.PENDING_VERIFICATION)] == [old_open, recent, newest]
    assert [t.number for t in store.list(status=[S.ANSWERED, "対応不可"])] == [old_answered, old_refused]
    assert [t.number for t in store.list(request_type=RequestType.DELETION)] == [old_open, newest]
    assert [t.number for t in store.list(request_type="削除", status=S.PENDING_VERIFICATION)] == [old_open, newest]
    assert [t.number for t in store.list(due_before=date(2025, 4, 18))] == [old_open, old_answered]
    assert len(store.list(limit=2)) == 2
    assert store.list(due_before=date(2025, 4, 1)) == []


def test_repr_carries_no_personal_data(store):
    draft = make_draft(name="総武 花子", phone="043-123-4567", address="千葉県千葉市", email="h@example.jp")
    ticket = store.open_ticket(draft)
    for text in (repr(draft), repr(ticket)):
        assert "花子" not in text and "4567" not in text and "千葉市" not in text and "example.jp" not in text
    assert ticket.number in repr(ticket)


def test_a_conversation_may_file_a_bounded_number_of_tickets(db, clock):
    from storage import TicketLimitReached, TicketStore

    store = TicketStore(db, clock=clock)
    store.open_ticket(make_draft(conversation_id="conv-9"), max_per_conversation=2)
    store.open_ticket(make_draft(conversation_id="conv-9"), max_per_conversation=2)
    with pytest.raises(TicketLimitReached):
        store.open_ticket(make_draft(conversation_id="conv-9"), max_per_conversation=2)
    store.open_ticket(make_draft(conversation_id="conv-10"), max_per_conversation=2)  # another conversation
    store.open_ticket(make_draft(conversation_id="conv-9"))  # staff filing for the customer: no limit
    assert len(store.list()) == 4


def test_every_field_of_the_draft_is_read_back(store):
    draft = make_draft(name="総武 花子", name_kana="ソウブ ハナコ", address="千葉県千葉市中央区都町1-2-3",
                       details="保有個人データの開示をお願いします", conversation_id="conv-7")
    ticket = store.open_ticket(draft)
    for read in (ticket, store.get(ticket.number), store.list()[0]):
        assert (read.name, read.name_kana, read.address, read.details, read.conversation_id) == (
            "総武 花子", "ソウブ ハナコ", "千葉県千葉市中央区都町1-2-3", "保有個人データの開示をお願いします", "conv-7"
        )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"requester_kind": "robot"}, "requester_kind is not one of the known values"),
        ({"request_type": "refund"}, "request_type is not one of the known values"),
        ({"delivery_method": "fax"}, "delivery_method is not one of the known values"),
        ({"name": " "}, "name is required"),
        ({"name_kana": ""}, "name_kana is required"),
        ({"address": "  "}, "address is required"),
        ({"details": ""}, "details is required"),
        ({"requester_kind": "agent", "agent_relationship": "父"}, "agent_name is required"),
        ({"requester_kind": "agent", "agent_name": "総武 一郎"}, "agent_relationship is required"),
    ],
    ids=["requester_kind", "request_type", "delivery_method", "name", "name_kana", "address", "details",
         "agent_name", "agent_relationship"],
)
def test_a_refused_draft_names_exactly_the_field_at_fault(store, overrides, message):
    with pytest.raises(InvalidTicket) as refused:
        store.open_ticket(make_draft(**overrides))
    assert str(refused.value) == message


def test_a_ticket_filed_by_the_customer_has_the_customer_as_first_actor(store):
    number = store.open_ticket(make_draft()).number
    (first,) = store.history(number)
    assert (first.actor, first.comment) == ("customer", "チャットで申請を受け付けました")


def test_a_refused_status_change_says_exactly_what_is_missing_or_not_allowed(store):
    number = store.open_ticket(make_draft()).number
    with pytest.raises(InvalidTicket) as refused:
        store.change_status(number, S.ACCEPTED, actor=" ", comment="ok")
    assert str(refused.value) == "actor is required"
    with pytest.raises(InvalidTicket) as refused:
        store.change_status(number, S.ACCEPTED, actor="tanaka", comment="")
    assert str(refused.value) == "comment is required"
    with pytest.raises(InvalidTicket) as refused:
        store.change_status(number, S.REFUSED, actor="tanaka", comment="対応できません")
    assert str(refused.value) == "a reason is required to set 対応不可"
    with pytest.raises(InvalidTransition) as refused:
        store.change_status(number.lower(), S.ANSWERED, actor="tanaka", comment="回答")
    assert str(refused.value) == f"{number}: 本人確認待ち → 回答済 is not allowed"


def test_a_status_changes_audit_entry_carries_its_comment_and_reason(store, db):
    number = store.open_ticket(make_draft()).number
    store.change_status(number, S.ACCEPTED, actor="tanaka", comment="本人確認書類を確認")
    store.change_status(number, S.REFUSED, actor="tanaka", comment="対応できません", reason="法令上の除外事由")
    assert [e.detail for e in AuditLog(db).entries(target=number)] == [
        {"from": "受付済", "to": "対応不可", "comment": "対応できません", "reason": "法令上の除外事由"},
        {"from": "本人確認待ち", "to": "受付済", "comment": "本人確認書類を確認", "reason": None},
    ]


def test_history_rows_name_the_ticket_in_its_canonical_form(store):
    number = store.open_ticket(make_draft()).number
    store.change_status(number, S.ACCEPTED, actor="tanaka", comment="ok")
    assert [h.ticket_number for h in store.history(number.lower())] == [number, number]


def test_listing_an_unknown_request_type_names_the_filter(store):
    with pytest.raises(InvalidTicket) as refused:
        store.list(request_type="refund")
    assert str(refused.value) == "request_type is not one of the known values"


def test_tickets_due_sooner_are_listed_first_even_if_filed_later(db, clock):
    filed_first = TicketStore(db, due_days=30, clock=clock).open_ticket(make_draft()).number  # due 05-01
    clock.advance(hours=1)
    store = TicketStore(db, due_days=10, clock=clock)  # TICKET_DUE_DAYS changed in between
    filed_later = store.open_ticket(make_draft()).number  # due 04-11
    assert [t.number for t in store.list()] == [filed_later, filed_first]


def test_tickets_due_the_same_day_are_listed_in_filing_order_not_writing_order(store, clock):
    clock.advance(hours=2)
    written_first = store.open_ticket(make_draft()).number  # filed 12:00 JST
    clock.advance(hours=-1)  # another server filed at 11:00 but wrote its row later
    filed_first = store.open_ticket(make_draft()).number
    assert [t.number for t in store.list()] == [filed_first, written_first]


def test_limit_and_offset_page_through_the_queue(store, clock):
    numbers = []
    for _ in range(5):
        numbers.append(store.open_ticket(make_draft()).number)
        clock.advance(minutes=1)
    assert [t.number for t in store.list(limit=2)] == numbers[:2]
    assert [t.number for t in store.list(limit=2, offset=2)] == numbers[2:4]
    assert [t.number for t in store.list(offset=4)] == numbers[4:]


def test_reading_tickets_never_waits_for_a_writer(db, clock):
    """get, find_for_customer, list, history and the number check only read, so they take no
    write lock (SQLite: BEGIN DEFERRED): staff and customers are not queued behind a filing
    or a status change (nor, on SQLite, failed with StorageUnavailable after the busy timeout).
    """
    from storage.models import TicketRow

    ticket = TicketStore(db, due_days=14, clock=clock).open_ticket(make_draft(phone="043-123-4567"))
    reader_db = Database(db.url, migrate=False, sqlite_busy_timeout_ms=200)
    reader = TicketStore(reader_db, due_days=14, clock=clock)
    try:
        with db.transaction() as session:  # a status change in progress holds the write lock
            session.execute(select(TicketRow).where(TicketRow.number == ticket.number).with_for_update()).one()
            assert reader.get(ticket.number) == ticket
            assert reader.find_for_customer(ticket.number, "0431234567") == ticket
            assert reader.list() == [ticket]
            assert len(reader.history(ticket.number)) == 1
            assert reader._number_taken(ticket.number) is True
            assert reader._number_taken("PR-0000-0000") is False
    finally:
        reader_db.dispose()


def test_a_number_taken_by_a_simultaneous_filing_is_retried(db, clock):
    """Two filings that both found the same number free: the one whose insert fails retries.

    Only PostgreSQL has this race; SQLite's BEGIN IMMEDIATE makes the check and the insert one step.
    """
    if db.dialect != "postgresql":
        pytest.skip("no race between the number check and the insert on SQLite")
    from sqlalchemy import event

    from storage.models import TicketRow

    both_checked = threading.Barrier(2)
    inserts = itertools.count()

    def wait_for_the_other(_mapper, _connection, _target):
        if next(inserts) < 2:  # the first two inserts start only after both checks found the number free
            both_checked.wait(timeout=10)

    stores = [
        TicketStore(db, due_days=14, clock=clock, number_factory=iter(["PR-AAAA-AAAA", f"PR-BBBB-BBB{i}"]).__next__)
        for i in range(2)
    ]
    event.listen(TicketRow, "before_insert", wait_for_the_other)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            tickets = list(pool.map(lambda s: s.open_ticket(make_draft()), stores))
    finally:
        event.remove(TicketRow, "before_insert", wait_for_the_other)
    numbers = sorted(t.number for t in tickets)
    assert numbers[0] == "PR-AAAA-AAAA" and numbers[1] in {"PR-BBBB-BBB0", "PR-BBBB-BBB1"}
    assert sorted(t.number for t in stores[0].list()) == numbers


def test_a_conversation_files_at_most_the_allowed_number_of_tickets(store):
    from storage import TicketLimitReached

    for _ in range(2):
        store.open_ticket(make_draft(conversation_id="c-limit"), max_per_conversation=2)
    with pytest.raises(TicketLimitReached):
        store.open_ticket(make_draft(conversation_id="c-limit"), max_per_conversation=2)
    store.open_ticket(make_draft(conversation_id="c-other"), max_per_conversation=2)  # counted per conversation


def test_tickets_may_be_due_the_next_day_but_not_the_same_day(db, clock):
    assert TicketStore(db, due_days=1, clock=clock).due_days == 1
    with pytest.raises(ValueError):
        TicketStore(db, due_days=0, clock=clock)
