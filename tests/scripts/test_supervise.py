"""scripts/supervise.py: a service that exits is started again with backoff; SIGTERM stops all."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import supervise  # noqa: E402


def test_a_service_spec_is_split_like_a_shell_would_and_checked():
    service = supervise.Service.parse("rasa=python -m x --flag 'a b'")
    assert service == supervise.Service("rasa", ("python", "-m", "x", "--flag", "a b"))
    for bad in ("no-equals", "=cmd", "name="):
        with pytest.raises(Exception):
            supervise.Service.parse(bad)


def test_backoff_doubles_while_a_service_keeps_failing_and_resets_after_a_healthy_run(tmp_path):
    clock = [0.0]
    marker = tmp_path / "starts"
    crash = supervise.Service("crash", (sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x')"))
    supervisor = supervise.Supervisor([crash], now=lambda: clock[0])
    entry = supervisor.running[0]
    supervisor.start(entry)
    entry.process.wait()
    pauses = []
    for _ in range(7):
        supervisor.check()  # notices the exit, schedules the restart
        pauses.append(entry.restart_at - clock[0])
        clock[0] = entry.restart_at
        supervisor.check()  # restarts
        entry.process.wait()
    assert pauses == [1, 2, 4, 8, 16, 30, 30]
    assert marker.read_text() == "x" * 8 and entry.restarts == 7
    clock[0] += supervise.HEALTHY_AFTER  # this run lasted long enough: the next pause is short again
    supervisor.check()
    assert entry.restart_at - clock[0] == supervise.FIRST_BACKOFF


def test_a_crashed_service_is_restarted_and_sigterm_stops_every_service(tmp_path):
    starts = tmp_path / "starts"
    child_pids = tmp_path / "pids"
    crash_once = (
        f"import os,sys,time; open({str(starts)!r},'a').write('x'); "
        f"open({str(child_pids)!r},'a').write(str(os.getpid())+'\\n'); "
        f"sys.exit(3) if len(open({str(starts)!r}).read()) == 1 else time.sleep(60)"
    )
    steady = f"import os,time; open({str(child_pids)!r},'a').write(str(os.getpid())+'\\n'); time.sleep(60)"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "supervise.py"),
         "--service", f"flaky={sys.executable} -c \"{crash_once}\"",
         "--service", f"steady={sys.executable} -c \"{steady}\""],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (not starts.exists() or len(starts.read_text()) < 2):
        time.sleep(0.1)
    assert starts.read_text() == "xx"  # started, crashed with 3, started again after 1 s
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "flaky exited with code 3" in output and "flaky restarted (restart 1, pid" in output
    for pid in map(int, child_pids.read_text().split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
