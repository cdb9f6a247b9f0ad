#!/usr/bin/env python
"""Starts the services ``make run`` lists and keeps them running.

A service that exits is started again after a pause that doubles while it keeps failing
quickly (1 s, 2 s, 4 s … at most ``MAX_BACKOFF``) and resets once it has run for
``HEALTHY_AFTER`` seconds; every restart is logged with its exit code. One crashed service
therefore costs seconds, not the whole assistant. Ctrl-C (SIGINT) or SIGTERM stops every
service (its whole process group) and then the supervisor.

    scripts/supervise.py --service 'actions=.venv/bin/python -m actions.server -p 5055' \\
                         --service 'rasa=.venv/bin/python scripts/rasa_server.py …'
"""
from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

POLL_SECONDS = 0.5
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
HEALTHY_AFTER = 60.0
STOP_GRACE_SECONDS = 20.0


@dataclass(frozen=True)
class Service:
    name: str
    command: Sequence[str]

    @classmethod
    def parse(cls, spec: str) -> "Service":
        """``name=command with args`` (the command split as a shell would, never run by one)."""
        name, sep, command = spec.partition("=")
        if not sep or not name.strip() or not command.strip():
            raise argparse.ArgumentTypeError(f"expected name=command, got {spec!r}")
        return cls(name.strip(), tuple(shlex.split(command)))


@dataclass
class Running:
    service: Service
    process: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF
    restart_at: Optional[float] = None
    restarts: int = field(default=0)


def log(message: str) -> None:
    print(f"[supervise {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Supervisor:
    def __init__(self, services: Sequence[Service], *, now=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.running = [Running(s) for s in services]
        self.now = now
        self.stopping = False

    def start(self, entry: Running) -> None:
        entry.process = subprocess.Popen(list(entry.service.command), start_new_session=True)
        entry.started_at = self.now()
        entry.restart_at = None

    def check(self) -> None:
        """Restart what has exited, once its pause is over."""
        for entry in self.running:
            if entry.process is not None and entry.process.poll() is not None and entry.restart_at is None:
                ran = self.now() - entry.started_at
                entry.backoff = FIRST_BACKOFF if ran >= HEALTHY_AFTER else entry.backoff
                log(f"{entry.service.name} exited with code {entry.process.returncode} after {ran:.0f} s; "
                    f"restarting in {entry.backoff:.0f} s")
                entry.restart_at = self.now() + entry.backoff
                entry.backoff = min(entry.backoff * 2, MAX_BACKOFF)
            if entry.restart_at is not None and self.now() >= entry.restart_at:
                entry.restarts += 1
                self.start(entry)
                log(f"{entry.service.name} restarted (restart {entry.restarts}, pid {entry.process.pid})")  # type: ignore[union-attr]

    def stop(self) -> None:
        self.stopping = True
        alive = [e.process for e in self.running if e.process is not None and e.process.poll() is None]
        for process in alive:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in alive:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
        log("stopped")

    def run(self) -> int:
        def on_signal(signum, _frame):  # type: ignore[no-untyped-def]
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_signal)
        for entry in self.running:
            self.start(entry)
            log(f"{entry.service.name} started (pid {entry.process.pid})")  # type: ignore[union-attr]
        try:
            while True:
                time.sleep(POLL_SECONDS)
                self.check()
        except KeyboardInterrupt:
            self.stop()
        return 0


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--service", action="append", type=Service.parse, required=True, metavar="NAME=COMMAND")
    args = parser.parse_args(argv)
    return Supervisor(args.service).run()


if __name__ == "__main__":
    sys.exit(main())
