"""Starting the real Rasa server and action server for tests and benchmarks.

The same commands as scripts/run.sh, on free loopback ports, with their own databases,
so a test never touches the developer's var/ and several instances can run side by side.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class BotServers:
    """A running action server + Rasa server (+ optionally the console)."""

    workdir: Path
    env: Dict[str, str]
    rasa_port: int
    actions_port: int
    console_port: Optional[int] = None
    processes: List[subprocess.Popen] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def console_url(self) -> Optional[str]:
        return f"http://127.0.0.1:{self.console_port}" if self.console_port else None

    @property
    def token(self) -> str:
        return self.env["BOT_API_TOKEN"]

    def chat(self, sender: str, message: str, timeout: float = 30) -> List[dict]:
        """One turn on the REST channel; returns the bot's messages."""
        reply = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            params={"token": self.token},
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        reply.raise_for_status()
        return reply.json()

    def parse(self, text: str) -> dict:
        reply = requests.post(
            f"{self.rasa_url}/model/parse", params={"token": self.token}, json={"text": text}, timeout=30
        )
        reply.raise_for_status()
        return reply.json()

    def tracker(self, sender: str) -> dict:
        reply = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30
        )
        reply.raise_for_status()
        return reply.json()

    def start(self, with_console: bool = False, with_actions: bool = True) -> "BotServers":
        logs = self.workdir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        endpoints = self.env.get("RASA_ENDPOINTS", "bot/endpoints.yml")
        commands = [
            ("rasa", [str(VENV_BIN / "python"), "scripts/rasa_server.py", "-i", "127.0.0.1", "-p", str(self.rasa_port), "--model", str(MODEL),
                      "--endpoints", endpoints, "--credentials", "bot/credentials.yml"]),
        ]
        if with_actions:
            commands.append(("actions", self._actions_command()))
        if with_console:
            commands.append(("console", [str(VENV_BIN / "python"), "-m", "console"]))
        for name, command in commands:
            self._spawn(name, command, self.env)
        self.wait_until_ready(with_actions)
        return self

    def _spawn(self, name: str, command: List[str], env: Dict[str, str]) -> subprocess.Popen:
        log = open(self.workdir / "logs" / f"{name}-{self.rasa_port}.log", "ab")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def _actions_command(self) -> List[str]:
        return [str(VENV_BIN / "python"), "-m", "actions.server", "-p", str(self.actions_port)]

    def actions_process(self) -> subprocess.Popen:
        """The running action server (tests may have restarted it: found by its command)."""
        return next(p for p in reversed(self.processes)
                    if "actions.server" in " ".join(map(str, p.args)) and p.poll() is None)

    @contextmanager
    def actions_with(self, **overrides: str) -> Iterator["BotServers"]:
        """The same servers with the action server restarted under other settings (e.g. another
        ``ASSISTANT_NOW``: the opening hours are the action server's), then put back as it was.
        Restarting one small server instead of booting a second Rasa for one test."""
        def restart(env: Dict[str, str]) -> None:
            old = self.actions_process()
            os.killpg(old.pid, signal.SIGTERM)
            old.wait(timeout=20)
            self.processes.remove(old)
            self._spawn("actions", self._actions_command(), env)
            self.wait_until_ready(with_actions=True)

        restart({**self.env, **overrides})
        try:
            yield self
        finally:
            restart(self.env)

    def wait_until_ready(self, with_actions: bool = True, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        checks = [f"{self.rasa_url}/status?token={self.token}"]
        if with_actions:
            checks.append(f"http://127.0.0.1:{self.actions_port}/health")
        if self.console_port:
            checks.append(f"{self.console_url}/login")
        for url in checks:
            while True:
                if any(p.poll() is not None for p in self.processes):
                    raise RuntimeError(f"a server exited early; see {self.workdir / 'logs'}")
                try:
                    if requests.get(url, timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} not ready after {timeout}s; see {self.workdir / 'logs'}")
                time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


def bot_environment(workdir: Path, **overrides: str) -> Dict[str, str]:
    """Environment of a test instance: own ports, token and databases under workdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    rasa_port, actions_port, console_port = free_port(), free_port(), free_port()
    env = dict(os.environ)
    env.update(
        BOT_API_TOKEN=f"test-token-{rasa_port}",
        PSEUDONYM_KEY=f"test-pseudonym-key-{rasa_port}",
        RASA_PORT=str(rasa_port),
        ACTIONS_PORT=str(actions_port),
        CONSOLE_PORT=str(console_port),
        CONSOLE_HOST="127.0.0.1",
        ACTION_SERVER_TOKEN=f"test-action-token-{actions_port}",
        RASA_URL=f"http://127.0.0.1:{rasa_port}",
        ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
        TRACKER_SQLITE_PATH=str(workdir / "rasa_tracker.db"),
        TRACKER_DB_URL=f"sqlite:///{workdir / 'rasa_tracker.db'}",
        EVENT_BROKER_SQLITE_PATH=str(workdir / "rasa_events.db"),
        DATABASE_URL=f"sqlite:///{workdir / 'app.db'}",
        CONSOLE_ADMIN_PASSWORD="admin-test-password",
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONPATH=str(ROOT),
        # A Wednesday morning, inside 総務部's hours, unless a test says otherwise.
        ASSISTANT_NOW="2026-11-25T10:00:00+09:00",
    )
    env.update(overrides)
    return env


def start_bot(
    workdir: Path, with_console: bool = False, with_actions: bool = True, **overrides: str
) -> BotServers:
    env = bot_environment(workdir, **overrides)
    servers = BotServers(
        workdir=workdir,
        env=env,
        rasa_port=int(env["RASA_PORT"]),
        actions_port=int(env["ACTIONS_PORT"]),
        console_port=int(env["CONSOLE_PORT"]) if with_console else None,
    )
    try:
        return servers.start(with_console=with_console, with_actions=with_actions)
    except Exception:
        servers.stop()
        raise
