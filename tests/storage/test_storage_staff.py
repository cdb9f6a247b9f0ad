"""StaffDirectory and AuditLog: hashed passwords, initial admin, expiring sessions, audit entries."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from sobu_privacy.roles import Role
from storage import AuditLog, LastActiveAdmin, StaffDirectory, StaffSession, UserExists
from storage.models import StaffSessionRow, StaffUserRow


@pytest.fixture
def staff(db, clock) -> StaffDirectory:
    return StaffDirectory(db, session_minutes=30, clock=clock)


def test_passwords_are_salted_scrypt_hashes(staff, db):
    staff.create_user("tanaka", "correct horse battery", Role.STAFF)
    staff.create_user("suzuki", "correct horse battery", "analyst")
    with db.transaction(readonly=True) as session:
        hashes = dict(session.execute(select(StaffUserRow.username, StaffUserRow.password_hash)).all())
    assert all("correct horse" not in h for h in hashes.values())
    assert all(h.startswith("scrypt$n=16384,r=8,p=1$") for h in hashes.values())
    assert hashes["tanaka"] != hashes["suzuki"]  # random salt
    assert staff.authenticate("tanaka", "correct horse battery").role is Role.STAFF
    assert staff.authenticate("tanaka", "wrong password!") is None
    assert staff.authenticate("nobody", "correct horse battery") is None


def test_create_user_checks(staff):
    staff.create_user("tanaka", "long enough pw")
    with pytest.raises(UserExists):
        staff.create_user("tanaka", "another long pw")
    with pytest.raises(ValueError):
        staff.create_user("sato", "short")
    with pytest.raises(ValueError):
        staff.create_user("sato", "long enough pw", "superuser")
    assert [u.username for u in staff.list_users()] == ["tanaka"]


def test_ensure_initial_admin(staff):
    with pytest.raises(ValueError, match="password"):
        staff.ensure_initial_admin("")
    with pytest.raises(ValueError):
        staff.ensure_initial_admin(None)
    assert staff.list_users() == []
    admin = staff.ensure_initial_admin("first admin password")
    assert admin.username == "admin" and admin.role is Role.ADMIN
    assert staff.ensure_initial_admin("something else entirely") is None  # users exist: no change
    assert staff.ensure_initial_admin("") is None
    assert staff.authenticate("admin", "first admin password") is not None


def test_ensure_initial_admin_does_nothing_when_other_users_exist(staff):
    staff.create_user("tanaka", "long enough pw")
    assert staff.ensure_initial_admin("admin password") is None
    assert staff.get_user("admin") is None


def test_sessions_slide_and_expire(staff, db, clock):
    user = staff.create_user("tanaka", "long enough pw")
    token, csrf = staff.create_session(user)
    with db.transaction(readonly=True) as session:
        stored = session.execute(select(StaffSessionRow.token_hash)).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    found = staff.get_session(token)
    assert isinstance(found, StaffSession) and found.user.username == "tanaka" and found.csrf_token == csrf
    assert found.expires_at == clock.now + timedelta(minutes=30)
    clock.advance(minutes=29)
    assert staff.get_session(token) is not None  # activity slides the expiry
    clock.advance(minutes=29)
    assert staff.get_session(token).expires_at == clock.now + timedelta(minutes=30)
    clock.advance(minutes=30)
    assert staff.get_session(token) is None  # idle for 30 minutes: gone
    clock.advance(minutes=-10)
    assert staff.get_session(token) is None  # and deleted, not just hidden
    assert staff.get_session("not-a-token") is None and staff.get_session("") is None


def test_an_active_session_still_ends_after_its_absolute_lifetime(db, clock):
    staff = StaffDirectory(db, session_minutes=30, session_max_hours=12, clock=clock)
    token, _csrf = staff.create_session(staff.create_user("tanaka", "long enough pw"))
    for _ in range(23):  # active every 29 minutes for 11 h 7 min
        clock.advance(minutes=29)
        assert staff.get_session(token) is not None
    clock.advance(minutes=29)  # 11 h 36 min
    assert staff.get_session(token) is not None
    clock.advance(minutes=25)  # 12 h 1 min after the login
    assert staff.get_session(token) is None


def test_session_minutes_from_the_product_settings(db, clock, monkeypatch):
    from sobu_privacy.settings import load_settings

    monkeypatch.setenv("CONSOLE_SESSION_MINUTES", "5")
    load_settings.cache_clear()
    staff = StaffDirectory(db, clock=clock)
    load_settings.cache_clear()
    staff.create_user("tanaka", "long enough pw")
    token, _ = staff.create_session("tanaka")
    clock.advance(minutes=5)
    assert staff.get_session(token) is None


def test_session_and_form_tokens_are_32_random_bytes_each(staff):
    """The cookie token and the session's CSRF token: 256 bits each, URL-safe, never reused."""
    import re

    staff.create_user("tanaka", "long enough pw")
    pairs = [staff.create_session("tanaka") for _ in range(5)]
    tokens = [t for pair in pairs for t in pair]
    assert len(set(tokens)) == 10
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens)
    assert [staff.get_session(token).csrf_token for token, _ in pairs] == [csrf for _, csrf in pairs]


def test_revoke_and_password_change_end_sessions(staff):
    staff.create_user("tanaka", "long enough pw")
    first, _ = staff.create_session("tanaka")
    second, _ = staff.create_session("tanaka")
    staff.revoke_session(first)
    assert staff.get_session(first) is None and staff.get_session(second) is not None
    staff.set_password("tanaka", "a new long password")
    assert staff.get_session(second) is None
    assert staff.authenticate("tanaka", "long enough pw") is None
    third, _ = staff.create_session("tanaka")
    staff.set_active("tanaka", False)
    assert staff.get_session(third) is None
    assert staff.authenticate("tanaka", "a new long password") is None


def test_the_last_active_admin_cannot_be_disabled(staff):
    staff.create_user("admin", "long enough pw", Role.ADMIN)
    staff.create_user("tanaka", "long enough pw", Role.STAFF)
    with pytest.raises(LastActiveAdmin):
        staff.set_active("admin", False)
    assert staff.authenticate("admin", "long enough pw") is not None
    staff.set_active("tanaka", False)  # other roles: no such rule
    staff.create_user("sato", "long enough pw", Role.ADMIN)
    staff.set_active("admin", False)
    with pytest.raises(LastActiveAdmin):
        staff.set_active("sato", False)
    staff.set_active("admin", True)
    staff.set_active("sato", False)


def test_two_admins_disabling_each_other_at_once_leave_one_active(staff):
    """Each request alone is allowed; together they must not lock everybody out."""
    import threading

    staff.create_user("admin", "long enough pw", Role.ADMIN)
    staff.create_user("sato", "long enough pw", Role.ADMIN)
    start = threading.Barrier(2)
    outcomes: dict = {}

    def disable(name: str) -> None:
        start.wait()
        try:
            staff.set_active(name, False)
            outcomes[name] = "disabled"
        except LastActiveAdmin:
            outcomes[name] = "refused"

    threads = [threading.Thread(target=disable, args=(n,)) for n in ("admin", "sato")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["disabled", "refused"], outcomes
    assert sum(u.active for u in staff.list_users() if u.role is Role.ADMIN) == 1


def test_audit_log_records_and_filters(db, clock):
    audit = AuditLog(db, clock=clock)
    audit.record("tanaka", "handoff.claim", "conv-1", {"handoff_id": 1})
    clock.advance(minutes=1)
    audit.record("suzuki", "ticket.view", "PR-AAAA-AAAA", {"理由": "問い合わせ対応"})
    clock.advance(minutes=1)
    audit.record("tanaka", "handoff.close", "conv-1")
    entries = audit.entries()
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("tanaka", "handoff.close", "conv-1"),
        ("suzuki", "ticket.view", "PR-AAAA-AAAA"),
        ("tanaka", "handoff.claim", "conv-1"),
    ]
    assert entries[1].detail == {"理由": "問い合わせ対応"} and entries[0].detail == {}
    assert [e.action for e in audit.entries(actor="tanaka")] == ["handoff.close", "handoff.claim"]
    assert [e.action for e in audit.entries(target="conv-1", limit=1)] == ["handoff.close"]
    assert [e.action for e in audit.entries(since=clock.now - timedelta(minutes=1))] == ["handoff.close", "ticket.view"]
    assert [e.action for e in audit.entries(before_id=entries[0].id)] == ["ticket.view", "handoff.claim"]
    with pytest.raises(ValueError):
        audit.record("", "x", "y")


def test_audit_entries_of_one_client_address_are_filtered_before_the_limit(db, clock):
    """The login throttle reads one address's entries with a limit: filtered in SQL (on
    SQLite and PostgreSQL), so newer entries from other addresses do not fill the limit."""
    audit = AuditLog(db, clock=clock)
    audit.record("admin", "login.attempt", "admin", {"address": "203.0.113.20"})
    for i in range(3):
        audit.record(f"u{i}", "login.attempt", f"u{i}", {"address": "198.51.100.7"})
    audit.record("admin", "login.attempt", "admin", {})  # no address: never matches one
    assert [e.target for e in audit.entries(2, address="203.0.113.20")] == ["admin"]
    assert [e.target for e in audit.entries(2, action="login.attempt", address="198.51.100.7")] == ["u2", "u1"]
    assert audit.entries(address="192.0.2.1") == []


def test_passwords_at_owasp_cost_and_older_hashes_upgraded_at_login(db, clock, monkeypatch):
    from sqlalchemy import select as sql_select

    from storage.models import StaffUserRow
    from storage.staff import hash_cost

    def stored_hash() -> str:
        with db.transaction(readonly=True) as session:
            return session.execute(sql_select(StaffUserRow.password_hash).where(StaffUserRow.username == "sato")).scalar_one()

    monkeypatch.setenv("STAFF_PASSWORD_SCRYPT_LOG2", "14")
    staff = StaffDirectory(db, clock=clock)
    staff.create_user("sato", "long enough pw")
    assert hash_cost(stored_hash()) == 2**14
    monkeypatch.delenv("STAFF_PASSWORD_SCRYPT_LOG2")  # production: OWASP's n=2**17
    assert staff.authenticate("sato", "wrong password") is None
    assert hash_cost(stored_hash()) == 2**14  # a wrong password changes nothing
    assert staff.authenticate("sato", "long enough pw") is not None
    assert hash_cost(stored_hash()) == 2**17
    assert staff.authenticate("sato", "long enough pw") is not None  # the new hash verifies


def test_a_password_of_exactly_the_minimum_length_is_accepted(staff):
    from storage.staff import MIN_PASSWORD_LENGTH

    assert MIN_PASSWORD_LENGTH == 8
    staff.create_user("tanaka", "8chars!!")
    assert staff.authenticate("tanaka", "8chars!!") is not None
    staff.set_password("tanaka", "eight-ch")
    with pytest.raises(ValueError):
        staff.create_user("sato", "7chars!")
    with pytest.raises(ValueError):
        staff.set_password("tanaka", "7chars!")
    assert staff.authenticate("tanaka", "eight-ch") is not None


@pytest.mark.parametrize("username", ["", None, "   "], ids=["empty", "none", "blank"])
def test_a_user_needs_a_name(staff, username):
    with pytest.raises(ValueError, match="username"):
        staff.create_user(username, "long enough pw")
    assert staff.list_users() == []


def test_users_are_listed_by_name(staff):
    for name in ("sato", "abe", "tanaka", "ito"):
        staff.create_user(name, "long enough pw")
    assert [u.username for u in staff.list_users()] == ["abe", "ito", "sato", "tanaka"]


def test_a_hash_holds_a_16_byte_salt_and_a_32_byte_digest():
    """The format hash_password documents: scrypt$n=…,r=8,p=1$<16-byte salt>$<32-byte hash>."""
    import base64

    from storage.staff import hash_password, verify_password

    stored = hash_password("correct horse battery", n=2**10)
    scheme, params, salt, digest = stored.split("$")
    assert (scheme, params) == ("scrypt", "n=1024,r=8,p=1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert verify_password("correct horse battery", stored) and not verify_password("correct horse batterY", stored)


def test_an_unknown_name_is_checked_against_a_dummy_hash_at_the_current_cost(staff, monkeypatch):
    """A wrong name costs one scrypt at today's n, like a wrong password, from the first
    login of the process on (the dummy hash is made then) and again after the cost changes."""
    import storage.staff as staff_module
    from storage.staff import hash_cost, scrypt_n

    monkeypatch.setattr(staff_module, "_dummy_hashes", {})
    assert staff.authenticate("nobody", "long enough pw") is None
    assert {n: hash_cost(h) for n, h in staff_module._dummy_hashes.items()} == {scrypt_n(): scrypt_n()}
    monkeypatch.setenv("STAFF_PASSWORD_SCRYPT_LOG2", "12")
    assert staff.authenticate("nobody", "long enough pw") is None
    assert hash_cost(staff_module._dummy_hashes[2**12]) == 2**12


def test_session_lengths_given_to_the_directory_override_the_settings(db, clock):
    """The settings say 30 minutes idle and 12 hours in all; these are 7 minutes and 1 hour."""
    staff = StaffDirectory(db, session_minutes=7, session_max_hours=1, clock=clock)
    token, _csrf = staff.create_session(staff.create_user("tanaka", "long enough pw"))
    assert staff.get_session(token).expires_at == clock.now + timedelta(minutes=7)
    for _ in range(9):  # active every 6 minutes for 54 minutes
        clock.advance(minutes=6)
        assert staff.get_session(token) is not None
    clock.advance(minutes=6)  # 1 h after the login
    assert staff.get_session(token) is None


def test_a_session_ends_exactly_at_its_absolute_lifetime(db, clock):
    staff = StaffDirectory(db, session_minutes=30, session_max_hours=1, clock=clock)
    token, _csrf = staff.create_session(staff.create_user("tanaka", "long enough pw"))
    clock.advance(minutes=29)
    assert staff.get_session(token) is not None
    clock.advance(minutes=29)
    assert staff.get_session(token) is not None  # idle expiry now at 1 h 28 min
    clock.advance(minutes=2)  # exactly 1 h after the login
    assert staff.get_session(token) is None


def test_a_session_of_a_disabled_account_is_refused_even_if_its_row_is_left(staff, db):
    """set_active deletes the sessions, but a create_session racing it (PostgreSQL, READ
    COMMITTED) can still leave one: get_session checks the account itself."""
    from sqlalchemy import update

    staff.create_user("tanaka", "long enough pw")
    token, _csrf = staff.create_session("tanaka")
    with db.transaction() as session:
        session.execute(update(StaffUserRow).where(StaffUserRow.username == "tanaka").values(active=False))
    assert staff.get_session(token) is None


def _session_rows(db) -> int:
    from sqlalchemy import func

    with db.transaction(readonly=True) as session:
        return session.execute(select(func.count()).select_from(StaffSessionRow)).scalar_one()


def test_disabling_deletes_the_sessions_and_enabling_keeps_them(staff, db):
    staff.create_user("tanaka", "long enough pw")
    staff.create_user("sato", "long enough pw")
    tanaka, _ = staff.create_session("tanaka")
    sato, _ = staff.create_session("sato")
    staff.set_active("sato", True)  # already active: nothing ends
    assert staff.get_session(sato) is not None and _session_rows(db) == 2
    staff.set_active("tanaka", False)
    assert _session_rows(db) == 1 and staff.get_session(sato) is not None
    staff.set_active("tanaka", True)  # back, but the old cookie stays dead
    assert staff.get_session(tanaka) is None


def test_purge_deletes_the_expired_sessions_and_counts_them(staff, db, clock):
    staff.create_user("tanaka", "long enough pw")
    first, _ = staff.create_session("tanaka")  # expires at +30 min
    clock.advance(minutes=10)
    second, _ = staff.create_session("tanaka")  # expires at +40 min
    assert staff.purge_expired_sessions() == 0 and _session_rows(db) == 2
    clock.advance(minutes=20)  # the first expires at this very moment
    assert staff.purge_expired_sessions() == 1 and _session_rows(db) == 1
    assert staff.get_session(second) is not None
    clock.advance(minutes=-1)
    assert staff.get_session(first) is None  # deleted, not only hidden


def test_reading_accounts_and_the_audit_log_does_not_wait_for_a_writer_on_sqlite(tmp_path, clock):
    """Reads take no SQLite write lock (BEGIN DEFERRED, WAL): the console lists accounts, the
    init-admin check runs and logins are counted while another connection is writing. Writers
    queue instead, so a read that took the lock would wait out the busy timeout and then fail."""
    from sqlalchemy import text

    from storage import Database

    database = Database(f"sqlite:///{tmp_path / 'app.db'}", sqlite_busy_timeout_ms=200)
    try:
        staff = StaffDirectory(database, clock=clock)
        staff.create_user("tanaka", "long enough pw")
        audit = AuditLog(database, clock=clock)
        audit.record("tanaka", "login.attempt", "tanaka", {"address": "203.0.113.5"})
        with database.transaction() as writer:
            writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: this connection holds the write lock
            assert staff.get_user("tanaka").username == "tanaka"
            assert [u.username for u in staff.list_users()] == ["tanaka"]
            assert staff.ensure_initial_admin("an admin password") is None  # users exist
            assert staff.authenticate("tanaka", "long enough pw") is not None  # a hash at today's cost: no write
            assert [e.action for e in audit.entries(10, action="login.attempt")] == ["login.attempt"]
    finally:
        database.dispose()


def test_an_address_given_with_an_entry_is_kept(db, clock):
    """While a request's address is set every entry carries it, unless the entry names one."""
    from storage.audit import CLIENT_ADDRESS

    audit = AuditLog(db, clock=clock)
    token = CLIENT_ADDRESS.set("203.0.113.5")
    try:
        audit.record("tanaka", "login", "tanaka", {"address": "198.51.100.7"})
        audit.record("tanaka", "ticket.view", "PR-AAAA-AAAA")
    finally:
        CLIENT_ADDRESS.reset(token)
    audit.record("tanaka", "logout", "tanaka")
    assert [e.detail for e in audit.entries()] == [{}, {"address": "203.0.113.5"}, {"address": "198.51.100.7"}]


@pytest.mark.parametrize("raw,log2", [
    ("10", 10), ("20", 20), (" 12 ", 12), ("9", 17), ("21", 17), ("", 17), ("fast", 17), ("-14", 17), ("1e3", 17),
], ids=["lowest", "highest", "spaces", "below_range", "above_range", "empty", "word", "negative", "float_text"])
def test_the_scrypt_cost_setting_is_used_only_within_its_range(monkeypatch, raw, log2):
    """STAFF_PASSWORD_SCRYPT_LOG2 from 10 to 20; anything else means the default, 2**17."""
    from storage.staff import scrypt_n

    monkeypatch.setenv("STAFF_PASSWORD_SCRYPT_LOG2", raw)
    assert scrypt_n() == 2**log2


def _foreign(scheme: str) -> str:
    from storage.staff import hash_password

    return scheme + hash_password("long enough pw", n=2**10)[len("scrypt"):]


@pytest.mark.parametrize("stored", [
    "", "garbage", "scrypt$n=1024,r=8,p=1$only-three-parts", "scrypt$n=1024,r=8$c2FsdA==$aGFzaA==",
    "scrypt$n=x,r=8,p=1$c2FsdA==$aGFzaA==", "scrypt$n=1024,r=8,p=1$not base64!$aGFzaA==",
], ids=["empty", "garbage", "three_parts", "no_p", "n_not_a_number", "bad_base64"])
def test_an_unreadable_hash_verifies_no_password(stored):
    from storage.staff import verify_password

    assert verify_password("long enough pw", stored) is False


def test_a_hash_of_another_scheme_verifies_no_password():
    """Only scrypt is understood: a row written by another tool (same layout, other name)
    is refused, not accepted."""
    from storage.staff import verify_password

    assert verify_password("long enough pw", _foreign("scrypt")) is True  # the layout is right
    assert verify_password("long enough pw", _foreign("bcrypt")) is False
    assert verify_password("long enough pw", _foreign("SCRYPT")) is False


def test_a_user_keeps_the_moment_it_was_created(staff, clock):
    created = clock.now
    assert staff.create_user("tanaka", "long enough pw").created_at == created
    clock.advance(days=3)
    assert staff.get_user("tanaka").created_at == created
    assert [u.created_at for u in staff.list_users()] == [created]
    assert staff.authenticate("tanaka", "long enough pw").created_at == created


def test_a_hash_at_the_current_cost_is_left_alone_at_login(staff, db):
    def stored_hash() -> str:
        with db.transaction(readonly=True) as session:
            return session.execute(select(StaffUserRow.password_hash)).scalar_one()

    staff.create_user("tanaka", "long enough pw")
    before = stored_hash()
    assert staff.authenticate("tanaka", "long enough pw") is not None
    assert stored_hash() == before


@pytest.mark.parametrize("stored,cost", [
    ("scrypt$n=16384,r=8,p=1$c2FsdA==$aGFzaA==", 16384), ("scrypt$r=8,p=1,n=1024$c2FsdA==$aGFzaA==", 1024),
    ("", 0), ("garbage", 0), ("scrypt$r=8,p=1$c2FsdA==$aGFzaA==", 0), ("scrypt$n=many,r=8,p=1$c2FsdA==$aGFzaA==", 0),
], ids=["n_16384", "n_last", "empty", "garbage", "no_n", "n_not_a_number"])
def test_the_cost_read_from_a_stored_hash(stored, cost):
    from storage.staff import hash_cost

    assert hash_cost(stored) == cost
