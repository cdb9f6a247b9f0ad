"""``python -m storage upgrade`` (migrate to head), ``current`` (show revision),
``init-admin`` (create the first admin; password from CONSOLE_ADMIN_PASSWORD or a prompt),
``purge`` (delete what is past its retention period, storage/retention.py; ``--every`` repeats
it every PURGE_INTERVAL_MINUTES, as ``make run`` does).

Uses DATABASE_URL, or the SQLite file under var/.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
import time

from sobu_privacy.logsafe import install
from sobu_privacy.settings import load_settings

from .db import Database
from .retention import Retention, RetentionPeriods, event_broker_path, tracker_engine
from .errors import StorageUnavailable
from .staff import StaffDirectory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description=__doc__)
    parser.add_argument("command", choices=["upgrade", "current", "init-admin", "purge"])
    parser.add_argument("--every", action="store_true", help="purge: repeat every PURGE_INTERVAL_MINUTES")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or sqlite var/app.db)")
    args = parser.parse_args(argv)
    install()  # no personal data in the logs (sobu_privacy/logsafe.py)
    url = args.url or os.environ.get("DATABASE_URL") or None
    try:
        if args.command == "current":
            db = Database(url, migrate=False)
            print(db.current_revision() or "(empty database)")
            return 0
        db = Database(url)  # migrates to head
        if args.command == "upgrade":
            print(f"{db.safe_url}: at {db.current_revision()}")
            return 0
        if args.command == "purge":
            return _purge(db, repeat=args.every)
        staff = StaffDirectory(db)
        if staff.list_users():
            print("staff users already exist; nothing to do")
            return 0
        password = os.environ.get("CONSOLE_ADMIN_PASSWORD") or getpass.getpass("password for 'admin': ")
        staff.ensure_initial_admin(password)
        print("created user 'admin'")
        return 0
    except StorageUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _purge(db: Database, *, repeat: bool) -> int:
    settings = load_settings()
    retention = Retention(
        db,
        tracker_engine(os.environ.get("TRACKER_DB_URL")),
        RetentionPeriods(
            settings.chat_retention_days, settings.ticket_retention_days, settings.purge_batch_size,
            analytics_days=settings.analytics_detail_days,
        ),
        broker_path=event_broker_path(),
    )
    while True:
        try:
            report = retention.purge()
            print(f"purged: {report}", flush=True)
        except StorageUnavailable as error:  # try again next time; a purge is never urgent
            print(f"purge skipped: {error}", file=sys.stderr, flush=True)
            if not repeat:
                return 2
        if not repeat:
            return 0
        time.sleep(settings.purge_interval_minutes * 60)


if __name__ == "__main__":
    sys.exit(main())
