"""``python -m console``: serve the demo site, the staff console and its API on one port.

Refuses to start when there are no staff users and CONSOLE_ADMIN_PASSWORD is unset: there
is no default password, so a fresh deployment cannot come up with a guessable admin.
"""
from __future__ import annotations

import logging
import os
import sys

from sobu_privacy.logsafe import install
from storage.db import Database
from storage.errors import NoInitialAdminPassword, StorageUnavailable
from storage.staff import StaffDirectory

from .app import create_app
from .config import Settings
from .context import ConsoleContext

NO_ADMIN_MESSAGE = (
    "スタッフユーザーがまだいません。最初の管理者のパスワードを環境変数 CONSOLE_ADMIN_PASSWORD に"
    "設定してから起動してください（既定のパスワードはありません）。\n"
    "No staff users exist yet: set CONSOLE_ADMIN_PASSWORD to the first admin's password and start "
    "again (there is no default password)."
)


def prepare(settings: Settings, db: Database) -> ConsoleContext:
    """Create the first admin if needed; raise SystemExit with a clear message otherwise."""
    staff = StaffDirectory(db)
    try:
        created = staff.ensure_initial_admin(os.environ.get("CONSOLE_ADMIN_PASSWORD") or None)
    except NoInitialAdminPassword:
        raise SystemExit(NO_ADMIN_MESSAGE) from None
    except ValueError as error:  # the password breaks the rule (too short)
        raise SystemExit(f"初期管理者を作成できません / cannot create the initial admin: {error}") from None
    if created is not None:
        logging.getLogger(__name__).info("initial admin user %r created", created.username)
    return ConsoleContext.build(settings, db)


def main() -> None:
    install()  # no customer text or personal data in the logs (sobu_privacy/logsafe.py)
    logging.basicConfig(level=os.environ.get("CONSOLE_LOG_LEVEL", "INFO"))
    settings = Settings.from_env()
    try:
        db = Database.from_env()
    except StorageUnavailable as error:
        raise SystemExit(f"データベースに接続できません / database unavailable: {error}") from None
    ctx = prepare(settings, db)
    if not settings.bot_token:
        print("warning: BOT_API_TOKEN is unset and .bot_api_token is missing; Rasa calls will be refused",
              file=sys.stderr)
    app = create_app(ctx)
    app.run(host=settings.host, port=settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
