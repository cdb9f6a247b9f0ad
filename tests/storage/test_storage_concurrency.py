"""Simultaneous filings, claims and status changes never collide, block forever or vanish."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from sobu_privacy.workflow import TicketStatus
from sobu_privacy.handoff import HandoffSummary
from storage import AlreadyClaimed, Database, HandoffQueue, InvalidTransition, TicketStore
from storage.models import TicketHistoryRow, TicketRow
from storage_testkit import make_draft

WORKER = Path(__file__).with_name("_file_tickets.py")
REPO = Path(__file__).resolve().parents[2]


def _run_together(count: int, fn):
    """Start ``count`` threads that call fn(i) at the same moment; return results or exceptions."""
    barrier = threading.Barrier(count)

    def call(i):
        barrier.wait()
        try:
            return fn(i)
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def _counts(db: Database) -> tuple[int, int, int]:
    with db.transaction(readonly=True) as session:
        tickets = session.execute(select(func.count()).select_from(TicketRow)).scalar_one()
        distinct = session.execute(select(func.count(func.distinct(TicketRow.number)))).scalar_one()
        history = session.execute(select(func.count()).select_from(TicketHistoryRow)).scalar_one()
    return tickets, distinct, history


def test_200_concurrent_filings_from_threads(db):
    store = TicketStore(db, due_days=14)
    results = _run_together(200, lambda i: store.open_ticket(make_draft(conversation_id=f"conv-{i}")))
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    numbers = [t.number for t in results]
    assert len(set(numbers)) == 200
    assert _counts(db) == (200, 200, 200)  # every ticket with its first history row
    assert {t.conversation_id for t in store.list()} == {f"conv-{i}" for i in range(200)}


def test_filings_from_several_processes_on_sqlite(tmp_path):
    """Four interpreters open a brand-new file at once (so they also race to migrate it)."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, "50", str(go)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    threading.Timer(1.5, go.touch).start()  # let every process import and open the database first
    outputs = [p.communicate(timeout=90) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
    numbers = [n for out, _ in outputs for n in json.loads(out)]
    assert len(numbers) == 200 and len(set(numbers)) == 200
    db = Database(url)
    assert _counts(db) == (200, 200, 200)


def test_handoff_claim_race_exactly_one_wins(db):
    queue = HandoffQueue(db)
    for round_ in range(10):
        handoff = queue.enqueue(f"conv-race-{round_}", HandoffSummary(reason=None))
        results = _run_together(2, lambda i: queue.claim(handoff.id, ["tanaka", "suzuki"][i]))
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1 and len(losers) == 1
        assert isinstance(losers[0], AlreadyClaimed)
        assert queue.get(handoff.id).claimed_by == winners[0].claimed_by


def test_simultaneous_enqueue_gives_one_handoff(db):
    queue = HandoffQueue(db)
    results = _run_together(10, lambda i: queue.enqueue("conv-same", HandoffSummary(reason=None, questions=(str(i),))))
    assert not [r for r in results if isinstance(r, Exception)]
    assert len({h.id for h in results}) == 1 and len(queue.waiting()) == 1


def test_simultaneous_status_changes_one_wins(db):
    store = TicketStore(db, due_days=14)
    number = store.open_ticket(make_draft()).number
    targets = [TicketStatus.ACCEPTED, TicketStatus.WITHDRAWN] * 3
    results = _run_together(len(targets), lambda i: store.change_status(number, targets[i], actor=f"s{i}", comment="x"))
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) >= 1 and all(isinstance(r, InvalidTransition) for r in results if isinstance(r, Exception))
    history = store.history(number)
    # Each recorded change starts from the status the previous one left: no lost updates.
    for before, after in zip(history, history[1:]):
        assert after.from_status is before.to_status
    assert history[-1].to_status is store.get(number).status
