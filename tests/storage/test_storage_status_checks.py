"""The status check's guard on both databases: misses per 受付番号 and in total, shared by all."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from storage import Admission, AuditLog, StatusCheckGuard, StatusCheckLimits
from storage.models import StatusCheckCounterRow
from storage.status_checks import TOTAL

NUMBER = "PR-7K3M-9QXD"


def guard(db, clock, **limits) -> StatusCheckGuard:
    return StatusCheckGuard(db, StatusCheckLimits(**limits), clock=clock)


def misses_of(db, key: str) -> int:
    with db.transaction(readonly=True) as session:
        row = session.scalars(select(StatusCheckCounterRow).where(StatusCheckCounterRow.key == key)).one()
    return row.misses


def test_third_miss_locks_the_number_for_everyone_in_any_spelling(db, clock):
    first, second = guard(db, clock), guard(db, clock)  # two conversations, or two servers
    assert first.record_miss(NUMBER) is Admission.ALLOWED
    assert second.record_miss("pr7k3m9qxd") is Admission.ALLOWED
    assert first.admit(NUMBER) is Admission.ALLOWED
    assert second.record_miss("ＰＲ－７Ｋ３Ｍ－９ＱＸＤ") is Admission.NUMBER_LOCKED
    assert first.admit(NUMBER) is Admission.NUMBER_LOCKED
    assert second.admit("pr-7k3m-9qxd") is Admission.NUMBER_LOCKED
    assert first.admit("PR-0000-0000") is Admission.ALLOWED  # another number is not affected
    entry = AuditLog(db).entries(limit=1)[0]
    assert (entry.action, entry.target, entry.actor) == ("status_check.locked", NUMBER, "assistant")


def test_the_lock_ends_after_its_minutes(db, clock):
    checks = guard(db, clock, lock_minutes=30)
    for _ in range(3):
        checks.record_miss(NUMBER)
    clock.advance(minutes=29, seconds=59)
    assert checks.admit(NUMBER) is Admission.NUMBER_LOCKED
    assert checks.locked_until(NUMBER) is not None
    clock.advance(seconds=1)
    assert checks.admit(NUMBER) is Admission.ALLOWED
    assert checks.locked_until(NUMBER) is None
    # The count starts again from zero after a lock.
    assert checks.record_miss(NUMBER) is Admission.ALLOWED


def test_misses_further_apart_than_the_window_do_not_add_up(db, clock):
    checks = guard(db, clock, lock_minutes=30)
    checks.record_miss(NUMBER)
    checks.record_miss(NUMBER)
    clock.advance(minutes=31)
    assert checks.record_miss(NUMBER) is Admission.ALLOWED
    assert misses_of(db, NUMBER) == 1


def test_a_right_pair_forgets_the_misses_but_not_a_lock(db, clock):
    checks = guard(db, clock)
    checks.record_miss(NUMBER)
    checks.record_miss(NUMBER)
    checks.record_success(NUMBER)
    assert checks.record_miss(NUMBER) is Admission.ALLOWED
    checks.record_miss(NUMBER)
    assert checks.record_miss(NUMBER) is Admission.NUMBER_LOCKED
    checks.record_success(NUMBER)
    assert checks.admit(NUMBER) is Admission.NUMBER_LOCKED


def test_the_budget_per_minute_pauses_every_check_until_the_minute_ends(db, clock):
    checks = guard(db, clock, misses_per_minute=5)
    for i in range(5):  # a search spread over many numbers: no single one locks
        assert checks.record_miss(f"PR-0000-000{i}") is Admission.ALLOWED
    assert checks.admit(NUMBER) is Admission.BUSY
    clock.advance(seconds=60)
    assert checks.admit(NUMBER) is Admission.ALLOWED
    assert misses_of(db, TOTAL) == 5


def test_parallel_misses_are_all_counted(db, clock):
    checks = guard(db, clock, max_misses=1000, misses_per_minute=1000)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: checks.record_miss(NUMBER), range(24)))
    assert outcomes == [Admission.ALLOWED] * 24
    assert misses_of(db, NUMBER) == misses_of(db, TOTAL) == 24


def test_parallel_misses_lock_exactly_once(db, clock):
    checks = guard(db, clock, max_misses=3)
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda _: checks.record_miss(NUMBER), range(6)))
    # Six misses at once: the third locks; the three after it start the count again (0 → 3 → lock).
    assert outcomes.count(Admission.NUMBER_LOCKED) == 2
    assert [e.action for e in AuditLog(db).entries(limit=10)].count("status_check.locked") == 2
