"""`make run` as a user runs it: scripts/run.sh starts every service, keeps them running,
serves what README claims (telemetry off, a Content-Security-Policy on every page, the
analytics consumer following the chat), and Ctrl-C stops everything."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from sobu_privacy.pseudonyms import ANALYTICS, pseudonym
from storage import Database
from storage.models import AnalyticsConversationRow
from tests.e2e.test_chat_rest import new_sender, texts
from tests.servers import ROOT, BotServers, bot_environment

pytestmark = [pytest.mark.servers, pytest.mark.model]


def started_pids(log: Path) -> dict:
    """The latest pid of each service, from the supervisor's started / restarted lines."""
    found = re.findall(r"\] (\w+) (?:started \(|restarted \(restart \d+, )pid (\d+)\)", log.read_text())
    return {name: int(pid) for name, pid in found}


def wait_for(condition, timeout: float = 60, step: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("make_run")
    env = bot_environment(workdir)
    env.pop("RASA_TELEMETRY_ENABLED")  # scripts/env.sh must set it, not the test
    log = workdir / "run.log"
    process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=open(log, "wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    bot = BotServers(workdir=workdir, env=env, rasa_port=int(env["RASA_PORT"]),
                     actions_port=int(env["ACTIONS_PORT"]), console_port=int(env["CONSOLE_PORT"]))
    try:
        bot.wait_until_ready()
        yield bot, process, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def test_every_service_runs_with_telemetry_off(make_run):
    _bot, _process, log = make_run
    pids = wait_for(lambda: (p := started_pids(log)) and len(p) == 5 and p)
    assert set(pids) == {"actions", "rasa", "console", "analytics", "purge"}
    for name, pid in pids.items():
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"RASA_TELEMETRY_ENABLED=false" in environ, name


def test_every_page_carries_a_content_security_policy(make_run):
    bot, _process, _log = make_run
    for path in ("/", "/login", "/console", "/console/analytics", "/no-such-page", "/static/console.css"):
        reply = requests.get(bot.console_url + path, allow_redirects=False, timeout=10)
        policy = reply.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy or "default-src 'none'" in policy, (path, policy)
        # Nothing from another host; the website's widget talks to the Rasa server only.
        others = set(re.findall(r"(?:https?|wss?)://[^\s;]+", policy))
        assert others <= {bot.rasa_url, bot.rasa_url.replace("http://", "ws://")}, (path, policy)
        assert reply.headers.get("X-Content-Type-Options") == "nosniff"


def test_a_chat_reaches_the_analytics_consumer_while_it_runs(make_run):
    bot, _process, _log = make_run
    sender = new_sender()
    assert "プライバシーポリシー" in texts(bot.chat(sender, "個人情報の利用目的を教えてください"))
    who = pseudonym(sender, purpose=ANALYTICS, key=bot.env["PSEUDONYM_KEY"].encode())
    db = Database(bot.env["DATABASE_URL"])
    try:
        def seen():
            with db.transaction(readonly=True) as session:
                return session.get(AnalyticsConversationRow, who) is not None
        wait_for(seen, timeout=60)
    finally:
        db.dispose()


def test_a_crashed_service_is_restarted_and_ctrl_c_stops_everything(make_run):
    bot, process, log = make_run
    actions = started_pids(log)["actions"]
    os.kill(actions, signal.SIGKILL)
    wait_for(lambda: "actions restarted" in log.read_text(), timeout=30)
    wait_for(lambda: answers(f"http://127.0.0.1:{bot.actions_port}/health"), timeout=60)
    assert "プライバシーポリシー" in texts(bot.chat(new_sender(), "個人情報の利用目的を教えてください"))

    pids = list(started_pids(log).values())
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal reaches the whole group
    process.wait(timeout=60)
    wait_for(lambda: not any(alive(pid) for pid in pids), timeout=30)


def answers(url: str) -> bool:
    """The URL answers 200 now."""
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
