"""`python -m console` refuses to start without users and without CONSOLE_ADMIN_PASSWORD."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_refuses_to_start_without_admin_password(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CONSOLE_ADMIN_PASSWORD"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}", CONSOLE_PORT="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "console"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert "CONSOLE_ADMIN_PASSWORD" in proc.stderr
    assert "スタッフユーザーがまだいません" in proc.stderr and "No staff users exist" in proc.stderr


def test_prepare_creates_the_first_admin_once(tmp_path, monkeypatch):
    from console.__main__ import prepare
    from console.config import Settings
    from storage.db import Database

    db = Database(f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("CONSOLE_ADMIN_PASSWORD", "first-admin-pass")
    ctx = prepare(Settings(tracker_db_url=f"sqlite:///{tmp_path / 't.db'}"), db)
    assert ctx.staff.authenticate("admin", "first-admin-pass") is not None
    monkeypatch.delenv("CONSOLE_ADMIN_PASSWORD")
    prepare(Settings(tracker_db_url=f"sqlite:///{tmp_path / 't.db'}"), db)  # users exist: no password needed
