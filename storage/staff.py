"""Staff accounts, password hashes and console sessions.

Staff can read customers' personal data, so: passwords are scrypt hashes with a random salt
(parameters kept with the hash so they can be raised later), session tokens are stored only
as SHA-256 hashes (a copy of the database does not let anyone log in), sessions expire after
a period of inactivity, and there is no default password anywhere.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional, Union

from sqlalchemy import delete, exc, func, select

from sobu_privacy.roles import Role
from sobu_privacy.settings import load_settings

from .db import Clock, Database, utcnow
from .errors import LastActiveAdmin, NoInitialAdminPassword, NotFound, UserExists
from .models import StaffSessionRow, StaffUserRow

MIN_PASSWORD_LENGTH = 8
# scrypt cost: n=2**17, r=8, p=1 (OWASP's current recommendation) needs 128 MiB and about
# half a second here. STAFF_PASSWORD_SCRYPT_LOG2 lowers it only where hashing speed matters
# more than the cost of guessing (the test suite sets 14); hashes with a lower n than the
# current one are upgraded at the next successful login.
SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 8, 1, 32
DEFAULT_SCRYPT_LOG2 = 17
_SCRYPT_MAXMEM = 256 * 1024 * 1024


def scrypt_n() -> int:
    """The cost new hashes get: 2**STAFF_PASSWORD_SCRYPT_LOG2 (default 2**17)."""
    raw = os.environ.get("STAFF_PASSWORD_SCRYPT_LOG2", "").strip()
    log2 = int(raw) if raw.isdigit() and 10 <= int(raw) <= 20 else DEFAULT_SCRYPT_LOG2
    return 2**log2


def hash_cost(stored: str) -> int:
    """The n a stored hash was made with (0 when unreadable)."""
    try:
        params = stored.split("$")[1]
        return int(dict(item.split("=") for item in params.split(","))["n"])
    except (IndexError, ValueError, KeyError):
        return 0


@dataclass(frozen=True)
class StaffUser:
    username: str
    role: Role
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class StaffSession:
    user: StaffUser
    csrf_token: str = field(repr=False)
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: Optional[int] = None, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$n=…,r=…,p=…$<salt b64>$<hash b64>`` with a fresh 16-byte salt."""
    n = n or scrypt_n()
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_DKLEN, maxmem=_SCRYPT_MAXMEM)
    return f"scrypt$n={n},r={r},p={p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Recompute with the stored salt and parameters; compare in constant time."""
    try:
        scheme, params, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        cost = dict(item.split("=") for item in params.split(","))
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=int(cost["n"]),
            r=int(cost["r"]),
            p=int(cost["p"]),
            dklen=len(expected),
            maxmem=_SCRYPT_MAXMEM,
        )
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(digest, expected)


# Verified against when the user does not exist, so a wrong name takes as long as a wrong
# password (made at the current cost on first use).
_dummy_hashes: dict = {}


def _dummy_hash() -> str:
    n = scrypt_n()
    if n not in _dummy_hashes:
        _dummy_hashes[n] = hash_password(secrets.token_urlsafe(16), n=n)
    return _dummy_hashes[n]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: StaffUserRow) -> StaffUser:
    return StaffUser(username=row.username, role=Role(row.role), active=bool(row.active), created_at=row.created_at)


class StaffDirectory:
    """Users and sessions of the staff console."""

    def __init__(
        self,
        db: Database,
        *,
        session_minutes: Optional[int] = None,
        session_max_hours: Optional[float] = None,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        settings = load_settings()
        self.session_minutes = settings.staff_session_minutes if session_minutes is None else int(session_minutes)
        #: However active, a session ends this long after the login (a stolen cookie does not
        #: live for ever by being used).
        self.session_max_hours = settings.staff_session_max_hours if session_max_hours is None else session_max_hours
        self._clock = clock

    # --- users -------------------------------------------------------------------------

    def create_user(self, username: str, password: str, role: Union[Role, str] = Role.STAFF) -> StaffUser:
        """Raises UserExists, or ValueError for an empty name, unknown role or short password."""
        username = (username or "").strip()
        if not username:
            raise ValueError("username is required")
        role = Role(role)
        _check_password(password)
        try:
            with self.db.transaction() as session:
                row = StaffUserRow(
                    username=username, role=role.value, password_hash=hash_password(password),
                    active=True, created_at=self._clock(),
                )
                session.add(row)
                session.flush()
                return _user(row)
        except exc.IntegrityError:
            raise UserExists(f"user {username!r} already exists") from None

    def ensure_initial_admin(self, password: Optional[str]) -> Optional[StaffUser]:
        """Create "admin" only when there are no users at all; returns it, or None if users exist.

        There is no default password: with no users and no password this raises, so a fresh
        deployment cannot come up with a guessable admin account.
        """
        with self.db.transaction(readonly=True) as session:
            count = session.execute(select(func.count()).select_from(StaffUserRow)).scalar_one()
        if count:
            return None
        if not password:
            raise NoInitialAdminPassword("no staff users exist: an initial admin password must be given (none is built in)")
        try:
            return self.create_user("admin", password, Role.ADMIN)
        except UserExists:
            return None  # another process created it at the same moment

    def get_user(self, username: str) -> Optional[StaffUser]:
        with self.db.transaction(readonly=True) as session:
            row = session.execute(select(StaffUserRow).where(StaffUserRow.username == username)).scalar_one_or_none()
            return _user(row) if row else None

    def list_users(self) -> list[StaffUser]:
        with self.db.transaction(readonly=True) as session:
            rows = session.execute(select(StaffUserRow).order_by(StaffUserRow.username)).scalars()
            return [_user(r) for r in rows]

    def authenticate(self, username: str, password: str) -> Optional[StaffUser]:
        """The user if the password is right and the account active; None otherwise (same timing)."""
        with self.db.transaction(readonly=True) as session:
            row = session.execute(select(StaffUserRow).where(StaffUserRow.username == username)).scalar_one_or_none()
            stored = row.password_hash if row else _dummy_hash()
            user = _user(row) if row else None
        ok = verify_password(password or "", stored)
        if not (ok and user is not None and user.active):
            return None
        if hash_cost(stored) < scrypt_n():  # made at an older, lower cost: upgrade it now
            with self.db.transaction() as session:
                row = self._user_row(session, username)
                if row.password_hash == stored:
                    row.password_hash = hash_password(password)
        return user

    def set_password(self, username: str, password: str) -> None:
        """Change a password and end that user's sessions."""
        _check_password(password)
        with self.db.transaction() as session:
            row = self._user_row(session, username)
            row.password_hash = hash_password(password)
            session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == row.id))

    def set_active(self, username: str, active: bool) -> None:
        """Disable or re-enable an account; disabling ends its sessions.

        Raises LastActiveAdmin rather than disable the only active admin. The active admins
        are read FOR UPDATE (PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE),
        so two admins disabling each other at the same moment cannot both succeed.
        """
        with self.db.transaction() as session:
            row = self._user_row(session, username)
            if not active and row.active and row.role == Role.ADMIN.value:
                admins = session.execute(
                    select(StaffUserRow.id)
                    .where(StaffUserRow.role == Role.ADMIN.value, StaffUserRow.active.is_(True))
                    .with_for_update()
                ).scalars().all()
                if len(admins) <= 1:
                    raise LastActiveAdmin(f"{username!r} is the last active admin")
            row.active = bool(active)
            if not active:
                session.execute(delete(StaffSessionRow).where(StaffSessionRow.user_id == row.id))

    @staticmethod
    def _user_row(session, username: str) -> StaffUserRow:  # type: ignore[no-untyped-def]
        row = session.execute(select(StaffUserRow).where(StaffUserRow.username == username)).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no staff user {username!r}")
        return row

    # --- sessions ----------------------------------------------------------------------

    def create_session(self, user: Union[StaffUser, str]) -> tuple[str, str]:
        """Start a console session; returns (token for the cookie, CSRF token for forms).

        Only the SHA-256 of the token is stored.
        """
        username = user.username if isinstance(user, StaffUser) else user
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self._clock()
        with self.db.transaction() as session:
            row = self._user_row(session, username)
            if not row.active:
                raise ValueError(f"user {username!r} is disabled")
            session.add(
                StaffSessionRow(
                    token_hash=_token_hash(token), user_id=row.id, csrf_token=csrf,
                    created_at=now, expires_at=now + timedelta(minutes=self.session_minutes),
                )
            )
        return token, csrf

    def get_session(self, token: str) -> Optional[StaffSession]:
        """The live session for this token, sliding its expiry forward; None if unknown/expired.

        Expired sessions are deleted when met, so an old cookie can never come back to life.
        """
        if not token:
            return None
        now = self._clock()
        with self.db.transaction() as session:
            row = session.execute(
                select(StaffSessionRow).where(StaffSessionRow.token_hash == _token_hash(token))
            ).scalar_one_or_none()
            if row is None:
                return None
            if row.expires_at <= now or row.created_at + timedelta(hours=self.session_max_hours) <= now:
                session.delete(row)
                return None
            user_row = session.get(StaffUserRow, row.user_id)
            if user_row is None or not user_row.active:
                return None
            row.expires_at = now + timedelta(minutes=self.session_minutes)
            return StaffSession(user=_user(user_row), csrf_token=row.csrf_token, expires_at=row.expires_at)

    def revoke_session(self, token: str) -> None:
        """Log out: the token stops working at once."""
        with self.db.transaction() as session:
            session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_hash == _token_hash(token or "")))

    def purge_expired_sessions(self) -> int:
        """Delete sessions past their expiry; returns how many."""
        with self.db.transaction() as session:
            result = session.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at <= self._clock()))
            return int(result.rowcount or 0)


def _check_password(password: str) -> None:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
