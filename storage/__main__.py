"""``python -m storage upgrade`` (migrate to head), ``current`` (show revision),
``init-admin`` (create the first admin; password from CONSOLE_ADMIN_PASSWORD or a prompt).

Uses DATABASE_URL, or the SQLite file under var/.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from sobu_privacy.logsafe import install

from .db import Database
from .errors import StorageUnavailable
from .staff import StaffDirectory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description=__doc__)
    parser.add_argument("command", choices=["upgrade", "current", "init-admin"])
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


if __name__ == "__main__":
    sys.exit(main())
