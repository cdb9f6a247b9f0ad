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
