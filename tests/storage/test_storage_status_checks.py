"""The status check's guard on both databases: misses per 受付番号 and in total, shared by all."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage import Admission, AuditLog, Database, StatusCheckGuard, StatusCheckLimits
from storage.models import StatusCheckCounterRow
from storage.status_checks import TOTAL

NUMBER = "PR-7K3M-9QXD"


def guard(db, clock, **limits) -> StatusCheckGuard:
    return StatusCheckGuard(db, StatusCheckLimits(**limits), clock=clock)


def misses_of(db, key: str) -> int:
    with db.transaction(readonly=True) as session:
        row = session.scalars(select(StatusCheckCounterRow).where(StatusCheckCounterRow.key == key)).one()
    return row.misses


def counter_keys(db) -> set[str]:
    with db.transaction(readonly=True) as session:
        return set(session.scalars(select(StatusCheckCounterRow.key)))


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


def test_a_new_window_starts_exactly_when_the_old_one_ends(db, clock):
    checks = guard(db, clock, lock_minutes=30)
    checks.record_miss(NUMBER)
    checks.record_miss(NUMBER)
    clock.advance(minutes=30)  # exactly lock_minutes after the number's window started
    assert checks.record_miss(NUMBER) is Admission.ALLOWED
    assert misses_of(db, NUMBER) == 1  # the new window counts from zero
    checks.record_miss("PR-0000-0001")
    clock.advance(minutes=1)  # exactly a minute after the total's window started
    checks.record_miss("PR-0000-0002")
    assert misses_of(db, TOTAL) == 1


def test_a_lock_starts_the_numbers_count_again_from_zero(db, clock):
    checks = guard(db, clock, max_misses=3)
    for _ in range(3):
        checks.record_miss(NUMBER)
    assert misses_of(db, NUMBER) == 0
    # During the lock it again takes three misses to lock (and renew) it.
    assert checks.record_miss(NUMBER) is Admission.ALLOWED
    assert checks.record_miss(NUMBER) is Admission.ALLOWED
    assert checks.record_miss(NUMBER) is Admission.NUMBER_LOCKED


def test_locked_until_is_none_without_a_lock_and_the_lock_end_with_one(db, clock):
    checks = guard(db, clock, lock_minutes=30)
    assert checks.locked_until(NUMBER) is None  # a number never seen
    checks.record_miss(NUMBER)
    assert checks.locked_until(NUMBER) is None  # misses, but no lock
    checks.record_miss(NUMBER)
    checks.record_miss(NUMBER)
    assert checks.locked_until(NUMBER) == clock.now + timedelta(minutes=30)


def test_the_locks_audit_entry_says_how_many_minutes_it_lasts(db, clock):
    checks = guard(db, clock, max_misses=1, lock_minutes=45)
    checks.record_miss(NUMBER)
    entry = AuditLog(db).entries(limit=1)[0]
    assert (entry.action, entry.target, entry.detail, entry.at) == ("status_check.locked", NUMBER, {"minutes": 45}, clock.now)


def test_counters_idle_more_than_a_day_are_forgotten_on_the_next_miss(db, clock):
    checks = guard(db, clock)
    checks.record_miss("PR-0000-0001")
    clock.advance(days=1)
    checks.record_miss(NUMBER)
    assert counter_keys(db) == {"PR-0000-0001", NUMBER, TOTAL}  # idle exactly a day: still kept
    clock.advance(seconds=1)
    checks.record_miss(NUMBER)
    assert counter_keys(db) == {NUMBER, TOTAL}


def test_an_old_counter_is_kept_while_its_lock_lasts_and_forgotten_once_it_ended(db, clock):
    checks = guard(db, clock, max_misses=1, lock_minutes=2 * 24 * 60)  # a lock longer than a day
    checks.record_miss(NUMBER)
    clock.advance(days=1, minutes=1)
    checks.record_miss("PR-0000-0001")
    assert NUMBER in counter_keys(db)
    assert checks.admit(NUMBER) is Admission.NUMBER_LOCKED
    clock.advance(days=1)  # the lock ended a minute ago
    checks.record_miss("PR-0000-0002")
    assert NUMBER not in counter_keys(db)


def test_unparseable_input_is_counted_upper_cased_stripped_and_cut_to_20_characters(db, clock):
    assert StatusCheckGuard.key_of("  my number  ") == "MY NUMBER"
    assert StatusCheckGuard.key_of("x" * 25) == "X" * 20
    assert StatusCheckGuard.key_of("") == StatusCheckGuard.key_of("   ") == StatusCheckGuard.key_of(None) == ""
    checks = guard(db, clock)
    checks.record_miss(" my number ")
    checks.record_miss("MY NUMBER")
    assert checks.record_miss("my number") is Admission.NUMBER_LOCKED  # one counter for every spelling
    assert checks.admit("something else") is Admission.ALLOWED  # other junk has its own counter
    long = "a" * 20
    checks.record_miss(long + "1")
    checks.record_miss(long + "2")
    assert checks.record_miss(long + "3") is Admission.NUMBER_LOCKED  # alike in their first 20 characters


def test_a_right_pair_forgets_only_that_numbers_misses(db, clock):
    checks = guard(db, clock, misses_per_minute=3)
    checks.record_miss(NUMBER)
    checks.record_miss("PR-0000-0001")
    checks.record_miss("PR-0000-0001")
    checks.record_success(NUMBER)
    assert counter_keys(db) == {"PR-0000-0001", TOTAL}
    assert misses_of(db, "PR-0000-0001") == 2 and misses_of(db, TOTAL) == 3
    assert checks.admit("PR-0000-0002") is Admission.BUSY


def test_a_right_pair_after_a_lock_ended_forgets_the_misses_made_since(db, clock):
    checks = guard(db, clock, lock_minutes=30)
    for _ in range(3):
        checks.record_miss(NUMBER)
    clock.advance(minutes=31)
    checks.record_miss(NUMBER)
    checks.record_miss(NUMBER)
    checks.record_success(NUMBER)
    assert checks.record_miss(NUMBER) is Admission.ALLOWED
    assert checks.record_miss(NUMBER) is Admission.ALLOWED
    assert checks.record_miss(NUMBER) is Admission.NUMBER_LOCKED


def test_a_right_pair_at_the_very_instant_a_lock_ends_forgets_the_misses(db, clock):
    """At locked_until the lock is over for admit and locked_until; record_success agrees."""
    checks = guard(db, clock, lock_minutes=30)
    for _ in range(3):
        checks.record_miss(NUMBER)
    clock.advance(minutes=30)
    assert checks.locked_until(NUMBER) is None and checks.admit(NUMBER) is Admission.ALLOWED
    checks.record_miss(NUMBER)
    checks.record_miss(NUMBER)
    checks.record_success(NUMBER)
    assert checks.record_miss(NUMBER) is Admission.ALLOWED  # two misses were forgotten


@pytest.mark.parametrize("limit", ["max_misses", "lock_minutes", "misses_per_minute"])
def test_every_limit_must_be_at_least_one(limit):
    assert getattr(StatusCheckLimits(**{limit: 1}), limit) == 1
    with pytest.raises(ValueError, match="positive"):
        StatusCheckLimits(**{limit: 0})


def test_checks_never_wait_for_a_writer(db, clock):
    """admit and locked_until only read, so they take no write lock (SQLite: BEGIN DEFERRED).

    A check made while misses are being written must not queue behind them (and on SQLite
    fail with StorageUnavailable once the busy timeout passes).
    """
    guard(db, clock, max_misses=1).record_miss(NUMBER)
    reader = Database(db.url, migrate=False, sqlite_busy_timeout_ms=200)
    checks = guard(reader, clock, max_misses=1)
    try:
        with db.transaction() as session:  # another writer, holding the write lock
            session.add(StatusCheckCounterRow(key="PR-0000-0001", window_started_at=clock.now, misses=1))
            session.flush()
            assert checks.admit(NUMBER) is Admission.NUMBER_LOCKED
            assert checks.locked_until(NUMBER) == clock.now + timedelta(minutes=30)
    finally:
        reader.dispose()
