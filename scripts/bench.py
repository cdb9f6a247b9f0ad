#!/usr/bin/env python
"""`make bench`: latency and memory of the assistant as customers would hit it.

Starts its own Rasa server (REST API + channels) and action server on free loopback
ports with the latest model in models/, waits until both answer, warms up, then times
a bounded number of requests:

- `POST /model/parse` (NLU only; what the contract evaluations call), and
- `POST /webhooks/rest/webhook` (a whole chat turn: NLU, policies, action server),

each with 1 and with 16 concurrent virtual clients, over realistic customer messages
(greetings, policy questions, thanks), then, with one client:

- the same conversations on **the website's socket.io channel** (bot/channels.py
  ``WebsiteSocketIOInput``, websocket transport, the widget's Origin and session handshake),
  a turn timed from emitting ``user_uttered`` to the server's acknowledgement of it, which
  comes after the turn's last ``bot_uttered`` (``WebsiteSocket`` says why that is exact), and
- **a request form filled in** over REST (``FORM_CONVERSATION``: the wish, the answers, 郵送,
  ``/affirm``; 12 turns, a new conversation and phone number each time), each turn timed,
  and the conversation counted as an error unless its last reply carries a 受付番号.

Afterwards it reads the peak resident memory (VmHWM) of each service's process tree.
Targets (issue 12), p95 at 1 client: a REST or socket.io turn ≤ 40 ms, a form turn ≤ 60 ms,
a parse ≤ 150 ms. The servers are always stopped (process groups, try/finally).

Then the same run measures **the floor** (scripts/floor_bot: the smallest Rasa + GiNZA bot on
the same installed stack, trained here) with the same messages and clients, and prints each
of the assistant's figures also as a ratio to the floor's (`--no-floor` skips it). The floor
has neither a socket.io channel nor a form, so those two rows have no ratio ("-").

Last, **the scale path** (scripts/bench_scaled.py: `make run-scaled`'s script with a database,
queue and ports of its own, two Rasa servers behind HAProxy on PostgreSQL, Redis and RabbitMQ)
gets the same parse, turn, form and long-conversation scenarios through the proxy, its
throughput printed as a multiple of the embedded default's (`--no-scaled` skips it).
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import requests
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_common import REPO_ROOT, latency_summary  # noqa: E402

#: p95 at one client, per scenario kind (issue 12 for the turns; a parse is one part of a turn).
P95_TARGETS_MS: Dict[str, float] = {"parse": 150.0, "turn": 40.0, "socketio": 40.0, "form": 60.0}
CONCURRENCY = (1, 16)
WARMUP_REQUESTS = 20
TURNS_PER_CONVERSATION_MAX = 6

# Short conversations as customers write them: a greeting, one or two policy
# questions, thanks. A virtual client plays them in turn, each under a new sender id,
# so trackers stay conversation-sized instead of growing for the whole run.
CONVERSATIONS: List[List[str]] = [
    ["こんにちは", "個人情報の取り扱いについての基本的な考え方を教えてください", "ありがとうございました"],
    ["すみません、質問があります", "どんな個人情報を集めているのですか", "わかりました、ありがとう"],
    ["こんにちは", "集めた個人情報は何に使われますか", "宣伝に私の情報を使っていますか", "助かりました"],
    ["お世話になります", "工事会社に私の電話番号が伝わるのはなぜですか", "ありがとうございます"],
    ["こんばんは", "個人情報を他の会社に売ったりしていませんか", "了解です、ありがとうございました"],
    ["こんにちは", "総武産業と情報を共有しているのですか", "ありがとうございました"],
    ["すみません", "電気の契約情報は送配電事業者に共有されますか", "よくわかりました。ありがとう"],
    ["こんにちは", "情報漏えいの対策はしていますか", "安心しました、ありがとうございます"],
    ["はじめまして", "自分の登録情報を見せてもらうことはできますか", "開示の申し込みはどこでできますか", "ありがとうございました"],
    ["こんにちは", "登録されている住所が間違っている場合はどうなりますか", "ありがとう"],
    ["すみません、ちょっと聞きたいのですが", "ダイレクトメールを止めてもらうことはできますか", "助かります"],
    ["こんにちは", "窓口の受付時間を教えてください", "土曜日は開いていますか", "ありがとうございました"],
    ["こんにちは", "本人確認には何が必要ですか", "保険証でも大丈夫ですか", "ありがとうございます"],
    ["すみません", "家族の代わりに申請できますか", "委任状は必要ですか", "ありがとうございました"],
    ["こんにちは", "開示請求に手数料はかかりますか", "わかりました、ありがとう"],
    ["お疲れさまです", "法人契約の情報も同じように扱われますか", "ありがとうございました"],
]
assert all(len(c) <= TURNS_PER_CONVERSATION_MAX for c in CONVERSATIONS)
MESSAGES: List[str] = [m for conv in CONVERSATIONS for m in conv]

#: A disclosure request filed as a customer would (the sequence of tests/e2e/test_chat_rest.py
#: ``file_request``): the wish, nine answers, how to receive the reply, the confirmation.
#: ``PHONE`` is replaced by a number of its own per conversation (``next_phone``).
PHONE = "{phone}"
FORM_CONVERSATION: List[str] = [
    "個人情報の開示を請求したいです", "本人です", "総武 花子", "そうぶ はなこ", "〒２８９－２５１１", "旭市二の0000番地",
    PHONE, "なし", "わからない", "登録されている私の情報をすべて見せてください", "郵送", "/affirm",
]
TICKET_NUMBER = re.compile(r"受付番号: PR-[0-9A-Z]{4}-[0-9A-Z]{4}")
FORM_CONVERSATIONS = 10
#: The Origin the bench's socket presents; bench_environment makes it the servers' SITE_ORIGINS,
#: so the channel's Origin check runs as it does for the website.
BENCH_SITE_ORIGIN = "http://bench.localhost"


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    """A loopback port the OS says is free now (tiny race, acceptable for a bench)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latest_model(models_dir: Path) -> Optional[Path]:
    """Newest *.tar.gz directly in models/ (not models/eval/, which holds NLU-only eval models)."""
    candidates = list(models_dir.glob("*.tar.gz"))
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


@dataclass
class Service:
    """A server this script started, with its log so a failed start can be explained."""

    name: str
    proc: subprocess.Popen
    log: Path

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_service(name: str, cmd: Sequence[str], cwd: Path, env: Dict[str, str], log_dir: Path) -> Service:
    """Start `cmd` in its own session, so stopping it also stops anything it forks."""
    log = log_dir / f"{name}.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return Service(name, proc, log)


def stop_service(svc: Service, grace: float = 10.0) -> None:
    """SIGTERM the whole process group, then SIGKILL what is still there after `grace` seconds."""
    try:
        pgid = os.getpgid(svc.proc.pid)
    except ProcessLookupError:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        try:
            svc.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; give children of the group the same signal once more.
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        return


def wait_until(svc: Service, probe: Callable[[], bool], timeout: float) -> None:
    """Poll `probe` until it is true; fail early, with the log tail, if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if svc.proc.poll() is not None:
            raise RuntimeError(f"{svc.name} exited with {svc.proc.returncode}; log {svc.log}:\n{svc.tail()}")
        try:
            if probe():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{svc.name} did not answer within {timeout:.0f} s; log {svc.log}:\n{svc.tail()}")


def process_tree(pid: int) -> List[int]:
    """`pid` and all its descendants, from /proc/<pid>/task/*/children."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for children in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo.extend(int(c) for c in children.read_text().split())
            except OSError:
                pass
    return out


def vmhwm_kb(pid: int) -> int:
    """Peak resident set (VmHWM, kB) summed over a process and its children.

    Summing per-process peaks over-counts if they peaked at different times; with the
    single-worker servers here it is one or two processes, so it is a fair upper bound.
    """
    total = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


# --------------------------------------------------------------------------- load


def scenario_result(clients: int, total: int, latencies: Sequence[float], errors: Sequence[str], unanswered: int,
                    wall: float) -> Dict[str, Any]:
    """One row of the report, the same keys for every kind of scenario (seconds in, ms out)."""
    return {
        "clients": clients, "requests": total, "ok": len(latencies), "errors": len(errors), "unanswered": unanswered,
        "error_examples": sorted(set(errors))[:3], "wall_s": wall,
        "throughput_rps": len(latencies) / wall if wall else 0.0,
        **latency_summary(latencies),
    }


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def run_scenario(send: Callable[[requests.Session, str, str], bool], clients: int, total: int,
                 tag: str) -> Dict[str, Any]:
    """`total` requests spread over `clients` threads, each a virtual customer with its own sender ids.

    Each client plays whole conversations in order (starting at a different one), so a
    chat turn always follows the turns a real customer would have sent before it.
    """
    tickets = itertools.count()
    lock = threading.Lock()
    latencies: List[float] = []
    errors: List[str] = []
    unanswered = [0]

    def client(idx: int) -> None:
        session = requests.Session()
        local: List[float] = []
        for conv_no in itertools.count():
            conv = CONVERSATIONS[(idx + conv_no) % len(CONVERSATIONS)]
            sender = f"bench-{tag}-c{idx}-{conv_no}"
            for text in conv:
                with lock:
                    if next(tickets) >= total:
                        latencies.extend(local)
                        return
                start = time.perf_counter()
                try:
                    answered = send(session, sender, text)
                    local.append(time.perf_counter() - start)
                    if not answered:
                        with lock:
                            unanswered[0] += 1
                except Exception as exc:  # noqa: BLE001 - every failure is a data point
                    with lock:
                        errors.append(describe(exc))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return scenario_result(clients, total, latencies, errors, unanswered[0], time.perf_counter() - start)


LONG_CONVERSATION_TURNS = 100
#: Turns compared at each end of the long conversation.
LONG_CONVERSATION_ENDS = 10


def long_conversation_messages(turns: int = LONG_CONVERSATION_TURNS) -> List[str]:
    """The long conversation's messages: the bench's conversations one after another, and in
    the last ten turns the first ten messages again.

    So the first and the last ten turns ask the same things and differ only in how long the
    conversation is. Compared over different messages (turns 91-100 were other questions than
    turns 1-10), the ratio moved with what was asked: 1.55x on code whose same-message ratio
    was about 1.0.
    """
    body = [MESSAGES[i % len(MESSAGES)] for i in range(turns - LONG_CONVERSATION_ENDS)]
    return body + MESSAGES[:LONG_CONVERSATION_ENDS]


def long_conversation_result(times: Sequence[float]) -> Dict[str, Any]:
    """p50 of the first and of the last ten turns, and the median over those ten messages of
    each one's time at the end over its time at the start."""
    ends = LONG_CONVERSATION_ENDS
    first, last = statistics.median(times[:ends]), statistics.median(times[-ends:])
    per_message = statistics.median(b / a for a, b in zip(times[:ends], times[-ends:]))
    return {"turns": len(times), "first10_p50_ms": first, "last10_p50_ms": last, "ratio": last / first,
            "same_message_ratio_median": per_message}


def run_long_conversation(send: Callable[[requests.Session, str, str], bool], tag: str) -> Dict[str, Any]:
    """One customer asking ``LONG_CONVERSATION_TURNS`` questions in one conversation: does a
    turn cost more as the conversation grows?"""
    session, sender, times = requests.Session(), f"bench-{tag}", []
    for text in long_conversation_messages():
        start = time.perf_counter()
        send(session, sender, text)
        times.append((time.perf_counter() - start) * 1000)
    return long_conversation_result(times)


def rest_turn(session: requests.Session, base: str, token: str, sender: str, text: str,
              timeout: float) -> List[Dict[str, Any]]:
    """One chat turn on the REST channel: the bot's messages; raises on anything but a list in a 200."""
    r = session.post(f"{base}/webhooks/rest/webhook", params={"token": token}, json={"sender": sender, "message": text},
                     timeout=timeout)
    r.raise_for_status()
    answer = r.json()
    if not isinstance(answer, list):
        raise ValueError("REST channel answer is not a list")
    return answer


def texts(messages: Sequence[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def make_senders(base: str, token: str, timeout: float) -> Dict[str, Callable[[requests.Session, str, str], bool]]:
    """The two request kinds; each raises on anything but a well-formed 200 answer.

    They return whether the bot actually answered: a turn with no bot message is fast
    but useless, so it is counted (`unanswered`) rather than silently timed as a success.
    """

    def parse(session: requests.Session, sender: str, text: str) -> bool:
        r = session.post(f"{base}/model/parse", params={"token": token}, json={"text": text}, timeout=timeout)
        r.raise_for_status()
        if "intent" not in r.json():
            raise ValueError("parse result without intent")
        return True

    def turn(session: requests.Session, sender: str, text: str) -> bool:
        return bool(rest_turn(session, base, token, sender, text, timeout))

    return {"parse": parse, "turn": turn}


_PHONE_SERIALS = itertools.count()


def next_phone() -> str:
    """A mobile number no earlier form of this process used, so that no guard keyed on the
    phone (status-check misses, duplicates) carries over from one conversation to the next."""
    n = next(_PHONE_SERIALS)
    return f"080-{4000 + n // 10_000:04d}-{n % 10_000:04d}"


def run_forms(chat: Callable[[str, str], List[Dict[str, Any]]], conversations: int, tag: str) -> Dict[str, Any]:
    """``conversations`` requests filed one after another (one client), each turn timed.

    A form turn does more than a question (slot validation in the action server, the
    summary, the ticket's transaction), so it has its own target. A conversation counts as
    one error, and stops, at a failed turn or when its last reply has no 受付番号: a form that
    went astray would otherwise be timed as if it had been filled in.
    """
    turn_times: List[float] = []
    by_position: List[List[float]] = [[] for _ in FORM_CONVERSATION]
    conversation_times: List[float] = []
    errors: List[str] = []
    unanswered = 0
    started = time.perf_counter()
    for n in range(conversations):
        sender, phone = f"bench-{tag}-{n}", next_phone()
        began, said = time.perf_counter(), []
        try:
            for position, text in enumerate(FORM_CONVERSATION):
                start = time.perf_counter()
                said = chat(sender, phone if text == PHONE else text)
                turn_times.append(time.perf_counter() - start)
                by_position[position].append(turn_times[-1])
                unanswered += not said
            if not TICKET_NUMBER.search(texts(said)):
                raise ValueError(f"no 受付番号 in the last reply: {texts(said)[:60]!r}")
            conversation_times.append(time.perf_counter() - began)
        except Exception as exc:  # noqa: BLE001 - every failure is a data point
            errors.append(describe(exc))
    wall = time.perf_counter() - started
    whole = latency_summary(conversation_times)
    return {
        **scenario_result(1, conversations * len(FORM_CONVERSATION), turn_times, errors, unanswered, wall),
        "conversations": conversations, "tickets": len(conversation_times),
        "turns_per_conversation": len(FORM_CONVERSATION),
        "conversation_p50_ms": whole["p50_ms"], "conversation_p95_ms": whole["p95_ms"],
        # which turn of the form costs what (the p95 is set by the slowest few)
        "turn_p50_ms_by_position": [latency_summary(times)["p50_ms"] if times else None for times in by_position],
    }


# --------------------------------------------------------------------------- the website's socket.io channel


class WebsiteSocket:
    """The website's widget (bot/web/widget.js) as a bench client: one socket.io connection,
    a new conversation per ``session_request``, and turns that end on a signal, not a pause.

    **The end of a turn.** The channel may send several ``bot_uttered`` per turn and sends no
    "done" event, and a quiet gap would add its own length to every turn. So the message is
    emitted with an acknowledgement (``call``): python-socketio's server acknowledges when the
    channel's ``user_uttered`` handler returns, that is after Rasa has run the whole turn and
    awaited the emit of each of its messages to this socket's room; those emits and the ack
    go out through the same socket's queue in that order, and the client dispatches packets in
    arrival order (a task each, started in order, none of which waits). The messages heard
    between the emit and the ack are therefore exactly the turn's, and the time to the ack is
    the time to the last of them plus one small frame.
    """

    def __init__(self, client: Any, timeout: float = 30.0) -> None:
        self.client, self.timeout = client, timeout
        self.heard: List[Dict[str, Any]] = []
        self.refused = 0
        self.session_id: Optional[str] = None
        self._confirmed: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()
        client.on("bot_uttered", self.heard.append)
        client.on("session_confirm", self._confirmed.put_nowait)
        client.on("session_refused", self._on_refused)

    def _on_refused(self, _: Any = None) -> None:
        self.refused += 1

    async def new_conversation(self) -> str:
        """What the widget's "new conversation" does: a session request without an id."""
        await self.client.emit("session_request", {})
        self.session_id = (await asyncio.wait_for(self._confirmed.get(), self.timeout))["session_id"]
        return self.session_id

    async def turn(self, text: str) -> List[Dict[str, Any]]:
        """The bot's messages in answer to ``text``, returned when the server acknowledges it."""
        heard, refused = len(self.heard), self.refused
        await self.client.call("user_uttered", {"message": text, "session_id": self.session_id}, timeout=self.timeout)
        if self.refused != refused:
            raise RuntimeError("the channel refused the message (no session confirmed for this socket)")
        return self.heard[heard:]


async def run_website(base: str, total: int, warmup: int = 0, timeout: float = 30.0) -> Dict[str, Any]:
    """``total`` turns of ``CONVERSATIONS`` over one websocket, as the widget sends them (one client).

    The first ``warmup`` turns are played but not timed. After a failed turn the client starts
    a new conversation, so a late answer to it cannot be taken for the next turn's.
    """
    client = socketio.AsyncClient(reconnection=False)
    sock = WebsiteSocket(client, timeout)
    await client.connect(base, transports=["websocket"], headers={"Origin": BENCH_SITE_ORIGIN},
                         socketio_path="/socket.io", wait_timeout=10)
    latencies: List[float] = []
    errors: List[str] = []
    unanswered, played, started = 0, 0, time.perf_counter()
    conversations = itertools.cycle(CONVERSATIONS)
    try:
        while played < warmup + total:
            await sock.new_conversation()
            for text in next(conversations)[: warmup + total - played]:
                if played == warmup:
                    started = time.perf_counter()
                timed, played = played >= warmup, played + 1
                start = time.perf_counter()
                try:
                    said = await sock.turn(text)
                except Exception as exc:  # noqa: BLE001 - every failure is a data point
                    if not timed:
                        raise RuntimeError(f"warm-up of socketio failed: {describe(exc)}") from exc
                    errors.append(describe(exc))
                    break
                if timed:
                    latencies.append(time.perf_counter() - start)
                    unanswered += not said
        wall = time.perf_counter() - started
    finally:
        await client.disconnect()
    return scenario_result(1, total, latencies, errors, unanswered, wall)


# --------------------------------------------------------------------------- report


def target_met(scenario: Dict[str, Any]) -> bool:
    """p95 within the kind's target, and not one error (a fast failure is no success)."""
    return scenario["p95_ms"] <= P95_TARGETS_MS[scenario["kind"]] and not scenario["errors"]


def render_table(report: Dict[str, Any]) -> str:
    rows = [f"{'scenario':<8} {'clients':>7} {'ok':>5} {'err':>4} {'noans':>5} {'p50':>8} {'p95':>8} {'p99':>8} "
            f"{'mean':>8} {'req/s':>7}  target (p95 @ 1 client)"]
    for s in report["scenarios"]:
        target = ""
        if s["clients"] == 1 and s["kind"] in P95_TARGETS_MS:
            target = f"<= {P95_TARGETS_MS[s['kind']]:.0f} ms: {'MET' if target_met(s) else 'NOT MET'}"
        rows.append(f"{s['kind']:<8} {s['clients']:>7} {s['ok']:>5} {s['errors']:>4} {s['unanswered']:>5} {s['p50_ms']:>6.1f}ms "
                    f"{s['p95_ms']:>6.1f}ms {s['p99_ms']:>6.1f}ms {s['mean_ms']:>6.1f}ms {s['throughput_rps']:>7.1f}  {target}")
    for s in report["scenarios"]:
        if s["kind"] == "form":
            rows.append(f"form: {s['tickets']}/{s['conversations']} requests filed (受付番号 in the last reply), "
                        f"{s['turns_per_conversation']} turns each; whole conversation p50 {s['conversation_p50_ms']:.0f} ms, "
                        f"p95 {s['conversation_p95_ms']:.0f} ms")
            rows.append("form: p50 per turn, in order: " + ", ".join(
                "-" if ms is None else f"{ms:.0f}" for ms in s.get("turn_p50_ms_by_position", [])) + " ms")
        if s["kind"] == "socketio":
            rows.append("socketio: the website's channel over a websocket; a turn ends at the server's ack, "
                        "which follows the turn's last bot_uttered")
    if "long_conversation" in report:
        lc = report["long_conversation"]
        rows.append(f"one conversation of {lc['turns']} turns: p50 of turns 1-10 {lc['first10_p50_ms']:.1f} ms, "
                    f"of the last 10 (the same messages) {lc['last10_p50_ms']:.1f} ms ({lc['ratio']:.2f}x; target <= 1.5x); "
                    f"per message, last over first: median {lc.get('same_message_ratio_median', float('nan')):.2f}x")
    mem = report["peak_memory_mb"]
    rows.append(f"peak memory (VmHWM, process tree): rasa {mem['rasa']:.0f} MB, actions {mem['actions']:.0f} MB")
    host = report["host"]
    if host["loadavg_1m_before"] > 0.5 * (host["cpus"] or 1):
        # Other work on the machine competes with the servers (and the 16 client threads).
        rows.append(f"note: host busy before the run (load {host['loadavg_1m_before']:.1f} on {host['cpus']} CPUs): "
                    "latencies are inflated; rerun on an idle machine for figures to compare")
    return "\n".join(rows)


def project_file(project: Path, explicit: Optional[str], name: str) -> str:
    """The project keeps endpoints/credentials in bot/; a plain Rasa project has them at the top."""
    if explicit:
        return explicit
    return f"bot/{name}" if (project / "bot" / name).exists() else name


def bench_environment(workdir: Path, rport: int, aport: int, token: str) -> Dict[str, str]:
    """Own ports, token and databases, like tests/servers.py does for a test instance.

    The tracker store and ticket database point into the bench's scratch directory, so
    benchmark chats never land in var/rasa_tracker.db, the record staff and analytics read.
    """
    return {
        **os.environ,
        "BOT_API_TOKEN": token,
        "RASA_PORT": str(rport),
        "ACTIONS_PORT": str(aport),
        "RASA_URL": f"http://127.0.0.1:{rport}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{aport}/webhook",
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "TRACKER_SQLITE_PATH": str(workdir / "rasa_tracker.db"),
        "TRACKER_DB_URL": f"sqlite:///{workdir / 'rasa_tracker.db'}",
        "EVENT_BROKER_SQLITE_PATH": str(workdir / "rasa_events.db"),
        "DATABASE_URL": f"sqlite:///{workdir / 'app.db'}",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SITE_ORIGINS": BENCH_SITE_ORIGIN,
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", type=Path, default=REPO_ROOT, help="bot directory (holds actions/ and models/)")
    ap.add_argument("--endpoints", default=None, help="relative to --project (default: bot/endpoints.yml or endpoints.yml)")
    ap.add_argument("--credentials", default=None, help="relative to --project (default: bot/credentials.yml or credentials.yml)")
    ap.add_argument("--model", type=Path, default=None, help="model archive (default: newest in <project>/models/)")
    ap.add_argument("--requests", type=int, default=200, help="requests per scenario (default 200)")
    ap.add_argument("--forms", type=int, default=FORM_CONVERSATIONS,
                    help=f"request forms filled in, {len(FORM_CONVERSATION)} turns each (default {FORM_CONVERSATIONS})")
    ap.add_argument("--rasa-port", type=int, default=0, help="default: a free loopback port")
    ap.add_argument("--actions-port", type=int, default=0, help="default: a free loopback port")
    ap.add_argument("--start-timeout", type=float, default=180.0, help="seconds to wait for each server")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "results/bench.json")
    ap.add_argument("--no-floor", action="store_true", help="do not measure the floor bot (scripts/floor_bot)")
    ap.add_argument("--no-scaled", action="store_true",
                    help="do not measure the scale path (scripts/bench_scaled.py: run_scaled.sh on the local "
                         "PostgreSQL, Redis, RabbitMQ and HAProxy)")
    ap.add_argument("--profile", type=Path, default=None,
                    help="record both servers with py-spy during the turns into this folder and print where "
                         "the time goes (make profile); the timings of such a run include py-spy's cost")
    return ap.parse_args(argv)


FLOOR_PROJECT = REPO_ROOT / "scripts" / "floor_bot"


def start_profilers(folder: Path, services: Dict[str, Optional[Service]]) -> List[subprocess.Popen]:
    """py-spy (pinned in requirements.lock) samples each server's process from outside, 100 times
    a second without pausing it; raw stacks go to ``folder/<service>.txt`` (profile_summary.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    recorders = []
    for name, svc in services.items():
        if svc is None:
            continue
        recorders.append(subprocess.Popen(
            [py_spy, "record", "--pid", str(svc.proc.pid), "--rate", "100", "--nonblocking", "--format", "raw",
             "--output", str(folder / f"{name}.txt")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1.0)  # attached before the first timed request
    return recorders


def stop_profilers(recorders: List[subprocess.Popen]) -> None:
    for rec in recorders:
        rec.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
    for rec in recorders:
        try:
            rec.wait(timeout=30)
        except subprocess.TimeoutExpired:
            rec.kill()


def measure(project: Path, model: Path, endpoints: str, credentials: str, args: argparse.Namespace,
            *, with_actions: bool = True, website_and_form: bool = True,
            profile: Optional[Path] = None) -> Dict[str, Any]:
    """Start the bot of ``project`` with ``model``, run every scenario, stop it; the report.

    ``website_and_form``: also the socket.io and request-form scenarios, which only the
    assistant has (the floor bot has neither channel nor form).
    """
    rasa_bin = str(Path(sys.executable).parent / "rasa")
    rport, aport = args.rasa_port or free_port(), args.actions_port or free_port()
    token = secrets.token_urlsafe(24)
    base = f"http://127.0.0.1:{rport}"
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = bench_environment(workdir, rport, aport, token)
    services: List[Service] = []
    try:
        actions = None
        if with_actions:
            # The project's own entry (token-checked, actions/server.py); a plain bot's rasa_sdk server otherwise.
            own_server = (project / "actions" / "server.py").exists()
            actions_command = ([sys.executable, "-m", "actions.server", "-p", str(aport)] if own_server
                               else [rasa_bin, "run", "actions", "-p", str(aport), "--actions", "actions"])
            actions = start_service("actions", actions_command, project, env, workdir)
            services.append(actions)
        rasa = start_service("rasa", [sys.executable, str(REPO_ROOT / "scripts/rasa_server.py"), "-i", "127.0.0.1",
                                      "-p", str(rport), "--model", str(model), "--endpoints", endpoints,
                                      "--credentials", credentials], project, env, workdir)
        services.append(rasa)
        print(f"bench: model {model}\nbench: rasa :{rport}{f', actions :{aport}' if actions else ''}, logs {workdir}; waiting ...")
        t0 = time.monotonic()
        if actions:
            wait_until(actions, lambda: requests.get(f"http://127.0.0.1:{aport}/health", timeout=2).ok, args.start_timeout)
        wait_until(rasa, lambda: "Hello from Rasa" in requests.get(f"{base}/", timeout=2).text, args.start_timeout)
        # Rasa loads the model before it serves, and keeps serving without one if loading
        # failed: so ask /status once instead of waiting for a model that will not come.
        status = requests.get(f"{base}/status", params={"token": token}, timeout=5)
        if not status.ok or not status.json().get("model_file"):
            raise RuntimeError(f"rasa has no model loaded ({status.status_code}); log {rasa.log}:\n{rasa.tail()}")
        startup = time.monotonic() - t0

        senders = make_senders(base, token, timeout=30.0)
        run_id = secrets.token_hex(3)
        for kind, send in senders.items():
            warm = run_scenario(send, 1, WARMUP_REQUESTS, f"{run_id}-warmup-{kind}")
            if warm["errors"]:
                raise RuntimeError(f"warm-up of {kind} failed: {warm['error_examples']}\n{rasa.tail()}")
        chat = functools.partial(rest_turn, requests.Session(), base, token, timeout=30.0)
        if website_and_form:
            warm = run_forms(chat, 1, f"{run_id}-warmup-form")
            if warm["errors"]:
                raise RuntimeError(f"warm-up of form failed: {warm['error_examples']}\n{rasa.tail()}")

        recorders = start_profilers(profile, {"rasa": rasa, "actions": actions}) if profile else []
        load_before = os.getloadavg()
        scenarios = []
        for kind, send in senders.items():
            for clients in CONCURRENCY:
                print(f"bench: {kind} x {args.requests} with {clients} client(s) ...", flush=True)
                result = run_scenario(send, clients, args.requests, f"{run_id}-{kind}-{clients}")
                scenarios.append({"kind": kind, **result})

        long_conversation = run_long_conversation(senders["turn"], f"{run_id}-long")
        stop_profilers(recorders)
        # After the profilers, so that `make profile` keeps sampling the same requests as before.
        if website_and_form:
            print(f"bench: socketio x {args.requests} with 1 client ...", flush=True)
            scenarios.append({"kind": "socketio", **asyncio.run(run_website(base, args.requests, WARMUP_REQUESTS))})
            print(f"bench: form x {args.forms} conversations of {len(FORM_CONVERSATION)} turns ...", flush=True)
            scenarios.append({"kind": "form", **run_forms(chat, args.forms, f"{run_id}-form")})
        load_after = os.getloadavg()
        memory = {"rasa": vmhwm_kb(rasa.proc.pid) / 1024, "actions": vmhwm_kb(actions.proc.pid) / 1024 if actions else 0.0}
    finally:
        for svc in reversed(services):
            stop_service(svc)
    # Reached only on success; after a failure the logs stay for reading.
    shutil.rmtree(workdir, ignore_errors=True)

    one_client = {s["kind"]: s for s in scenarios if s["clients"] == 1}
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": str(model), "project": str(project),
        "host": {"cpus": os.cpu_count(), "python": platform.python_version(),
                 "loadavg_1m_before": load_before[0], "loadavg_1m_after": load_after[0]},
        "startup_s": startup, "requests_per_scenario": args.requests, "warmup_requests": WARMUP_REQUESTS,
        "messages": len(MESSAGES), "conversations": len(CONVERSATIONS),
        "target": {"p95_ms_at_1_client": P95_TARGETS_MS, "met": all(target_met(s) for s in one_client.values())},
        "scenarios": scenarios,
        "long_conversation": long_conversation,
        "peak_memory_mb": memory,
    }


def train_floor(out: Path) -> Path:
    """The floor bot's model, trained now (about a minute) with the installed Rasa."""
    rasa_bin = str(Path(sys.executable).parent / "rasa")
    print("bench: training the floor bot (scripts/floor_bot) ...", flush=True)
    done = subprocess.run(
        [rasa_bin, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
         "--out", str(out), "--fixed-model-name", "floor"],
        cwd=FLOOR_PROJECT, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"training the floor bot failed:\n{done.stderr[-2000:]}")
    return out / "floor.tar.gz"


def render_ratios(report: Dict[str, Any], floor: Dict[str, Any]) -> str:
    """The assistant's figures beside the floor's, as a multiple of them."""
    floor_by = {(s["kind"], s["clients"]): s for s in floor["scenarios"]}
    rows = [f"{'vs floor':<8} {'clients':>7} {'p50':>17} {'p95':>19} {'req/s':>17}"]
    for s in report["scenarios"]:
        f = floor_by.get((s["kind"], s["clients"]))
        if f is None:  # the floor has no socket.io channel and no form
            rows.append(f"{s['kind']:<8} {s['clients']:>7} {'-':>17} {'-':>19} {'-':>17}")
            continue
        rows.append(
            f"{s['kind']:<8} {s['clients']:>7} {s['p50_ms']:>6.1f}/{f['p50_ms']:<5.1f}={s['p50_ms'] / f['p50_ms']:>4.1f}x "
            f"{s['p95_ms']:>6.1f}/{f['p95_ms']:<6.1f}={s['p95_ms'] / f['p95_ms']:>4.1f}x "
            f"{s['throughput_rps']:>5.1f}/{f['throughput_rps']:<5.1f}={s['throughput_rps'] / f['throughput_rps']:>4.2f}x")
    mine, theirs = report["peak_memory_mb"]["rasa"], floor["peak_memory_mb"]["rasa"]
    rows.append(f"rasa memory {mine:.0f}/{theirs:.0f} MB = {mine / theirs:.2f}x; "
                f"start to first answer {report['startup_s']:.1f}/{floor['startup_s']:.1f} s")
    return "\n".join(rows)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    project = args.project.resolve()
    model = (args.model or latest_model(project / "models"))
    if model is None or not model.exists():
        print(f"bench: no model (looked for {args.model or project / 'models/*.tar.gz'}); run `make train` first", file=sys.stderr)
        return 2
    # SIGTERM (e.g. from make or CI) must also reach the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = measure(project, model.resolve(), project_file(project, args.endpoints, "endpoints.yml"),
                     project_file(project, args.credentials, "credentials.yml"), args, profile=args.profile)
    print("\n" + render_table(report))
    if not args.no_floor:
        with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
            floor = measure(FLOOR_PROJECT, train_floor(Path(tmp)), "endpoints.yml", "credentials.yml", args,
                            with_actions=False, website_and_form=False, profile=args.profile / "floor" if args.profile else None)
        print("\nthe floor (scripts/floor_bot):\n" + render_table(floor))
        print("\n" + render_ratios(report, floor))
        report["floor"] = floor
    failed = False
    if not args.no_scaled and not args.profile:
        from bench_scaled import measure_scaled, render_scaled

        try:
            scaled = measure_scaled(model.resolve(), args)
        except Exception as error:  # noqa: BLE001 - the other figures are still written below
            print(f"\nthe scale path was not measured: {error}", file=sys.stderr)
            report["scaled"] = {"error": str(error)}
            failed = True
        else:
            print("\nthe scale path (make run-scaled's layout on this machine):\n" + render_scaled(scaled, report))
            report["scaled"] = scaled
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written: {args.out}")
    if args.profile:
        from profile_summary import render_files

        recorded = [(name, args.profile / sub / f"{service}.txt")
                    for name, sub in (("assistant", ""), ("floor", "floor"))
                    for service in ("rasa", "actions")]
        table = render_files([(f"{name}: {path.stem}", path) for name, path in recorded if path.exists()])
        (args.profile / "profile.md").write_text(table + "\n", encoding="utf-8")
        print("\n" + table + f"\n\nwritten: {args.profile / 'profile.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
