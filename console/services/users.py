"""Staff accounts: logging in and out, the admins' user management, one's own password."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Tuple

from sobu_privacy.roles import Role
from storage.errors import LastActiveAdmin, NotFound, UserExists
from storage.staff import MIN_PASSWORD_LENGTH, StaffSession, StaffUser

from ..auth import login_attempt_refused, password_attempt_refused
from ..errors import ApiError
from ..messages import t
from ..serializers import user_json
from ..validation import (
    PASSWORD_MAX,
    bool_field,
    choice_field,
    existing_username,
    password_field,
    username as check_username,
)
from .base import Service, storage_errors

ROLE_VALUES = [role.value for role in Role]


class LoginRefused(Exception):
    """The login form is shown again with this status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class LoggedIn:
    user: StaffUser
    token: str  # for the session cookie only


class UserService(Service):
    # --- logging in and out -------------------------------------------------------------

    async def login(self, username: str, password: str, address: str = "") -> LoggedIn:
        """Check the throttle, the password and the account; start a session; audit each step.

        Raises LoginRefused (429 while the name is locked after repeated failures, 401 for a
        wrong name or password: the two are not told apart).
        """
        console = self.ctx
        if username and await console.run(login_attempt_refused, console, username, address):
            await self.audit(username, "login.locked", username, {"address": address})
            minutes = max(1, round(console.settings.product.login_lock_minutes))
            raise LoginRefused(429, t("login_locked", minutes=minutes))
        user = None
        if username and password and len(password) <= PASSWORD_MAX:
            user = await console.run(console.staff.authenticate, username, password)
        if user is None:
            if username:
                await self.audit(username, "login.failed", username, {"address": address})
            raise LoginRefused(401, t("login_failed"))
        token, _csrf = await console.run(console.staff.create_session, user)
        await self.audit(user.username, "login", user.username, {"address": address})
        # Sessions that ran out are deleted here, so the sessions table does not only grow.
        await console.run(console.staff.purge_expired_sessions)
        return LoggedIn(user=user, token=token)

    async def logout(self, session: StaffSession, token: str) -> None:
        await self.ctx.run(self.ctx.staff.revoke_session, token)
        await self.audit(session.user.username, "logout", session.user.username, {})

    # --- admins: accounts ---------------------------------------------------------------

    async def list(self) -> Dict[str, Any]:
        with storage_errors():
            users = await self.ctx.run(self.ctx.staff.list_users)
        return {"users": [user_json(u) for u in users]}

    async def create(self, session: StaffSession, body: Dict[str, Any]) -> Dict[str, Any]:
        name = check_username(body.get("username"))
        password = password_field(body, "password", t("label_password"))
        role = choice_field(body, "role", "権限", ROLE_VALUES)
        try:
            with storage_errors():
                user = await self.ctx.run(self.ctx.staff.create_user, name, password, role)
        except UserExists:
            raise ApiError(409, t("user_exists")) from None
        except ValueError:
            raise ApiError(400, t("password_too_short", min=MIN_PASSWORD_LENGTH)) from None
        await self.audit(session.user.username, "user.create", name, {"role": role})
        return {"username": user.username, "role": user.role.value, "active": user.active}

    async def _existing(self, name: str) -> StaffUser:
        with storage_errors():
            user = await self.ctx.run(self.ctx.staff.get_user, name)
        if user is None:
            raise ApiError(404, t("user_not_found"))
        return user

    async def _store_password(self, name: str, password: str) -> None:
        """storage.set_password: checks the password rule (``_check_password``, the only one),
        stores the new hash and ends every session of that user."""
        try:
            with storage_errors():
                await self.ctx.run(self.ctx.staff.set_password, name, password)
        except NotFound:
            raise ApiError(404, t("user_not_found")) from None
        except ValueError:
            raise ApiError(400, t("password_too_short", min=MIN_PASSWORD_LENGTH)) from None

    async def set_active(self, session: StaffSession, username: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """Admin: disable or re-enable an account. Disabling ends its sessions at once (storage);
        an admin cannot disable themself, so the console always keeps an active admin."""
        name = existing_username(username)
        active = bool_field(body, "active", t("label_active"))
        if not active and name == session.user.username:
            raise ApiError(400, t("cannot_deactivate_self"))
        before = await self._existing(name)
        try:
            with storage_errors():
                await self.ctx.run(self.ctx.staff.set_active, name, active)
        except NotFound:
            raise ApiError(404, t("user_not_found")) from None
        except LastActiveAdmin:  # only in a race: two admins disabling each other at once
            raise ApiError(409, t("last_active_admin")) from None
        await self.audit(
            session.user.username, "user.activate" if active else "user.deactivate", name, {"was_active": before.active}
        )
        if not active:  # the chats they held go back to the queue, so no customer waits on nobody
            for handoff in await self.ctx.run(self.ctx.handoffs.release_claims_of, name):
                await self.audit(session.user.username, "handoff.release", handoff.conversation_id,
                                 {"handoff_id": handoff.id, "released_from": name})
        return user_json(await self._existing(name))

    async def reset_password(self, session: StaffSession, username: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """Admin: give another user a new password; all of that user's sessions end."""
        name = existing_username(username)
        if name == session.user.username:
            raise ApiError(400, t("reset_own_password"))
        password = password_field(body, "password", t("label_password"))
        if "password_confirm" in body:
            confirm = password_field(body, "password_confirm", t("label_password_confirm"))
            if confirm != password:
                raise ApiError(400, t("password_mismatch"))
        await self._existing(name)
        await self._store_password(name, password)
        await self.audit(session.user.username, "user.password_reset", name, {"sessions_revoked": True})
        return user_json(await self._existing(name))

    # --- everyone: their own password ---------------------------------------------------

    async def change_own_password(self, session: StaffSession, body: Dict[str, Any]) -> Tuple[str, str]:
        """Any role: change one's own password, proving the current one.

        storage ends every session of the user, so a fresh session is started for the caller:
        returns (session token for the cookie, its CSRF token). Other browsers are logged out.
        """
        user = session.user.username
        current = password_field(body, "current_password", t("label_current_password"))
        new = password_field(body, "new_password", t("label_new_password"))
        confirm = password_field(body, "new_password_confirm", t("label_new_password_confirm"))
        if new != confirm:
            raise ApiError(400, t("password_mismatch"))
        # A stolen session must not become a way to guess the password: the same limit as
        # logging in, attempt recorded first (console.auth.login_attempt_refused).
        if await self.ctx.run(password_attempt_refused, self.ctx, user):
            await self.audit(user, "user.password_change_locked", user, {})
            minutes = max(1, round(self.ctx.settings.product.login_lock_minutes))
            raise ApiError(429, t("password_change_locked", minutes=minutes))
        with storage_errors():
            verified = await self.ctx.run(self.ctx.staff.authenticate, user, current)
        if verified is None:
            await self.audit(user, "user.password_change_failed", user, {"reason": "current_password_wrong"})
            raise ApiError(400, t("current_password_wrong"))
        await self._store_password(user, new)
        try:
            with storage_errors():
                token, csrf = await self.ctx.run(self.ctx.staff.create_session, user)
        except (NotFound, ValueError):  # removed or disabled by an admin in the meantime
            raise ApiError(401, t("unauthenticated")) from None
        await self.audit(user, "user.password_change", user, {"sessions_revoked": True})
        return token, csrf
