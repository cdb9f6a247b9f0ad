"""Fast checks of `make bench`'s own logic (no model, no Rasa): where a socket.io turn ends,
how a request form is counted, and what the report prints for scenarios the floor lacks.

The socket.io checks talk to a small python-socketio server in this process (aiohttp, on a
loopback port) that answers like bot/channels.py: it is the ordering of the real library's
packets that makes the acknowledgement a turn's end, so a fake client would prove nothing.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List

import pytest
import socketio
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import bench  # noqa: E402

SILENT = "黙って"  # the stand-in channel sends nothing for this message


async def website_channel(replies: int, pause: float) -> AsyncIterator[str]:
    """A stand-in for WebsiteSocketIOInput: ``replies`` bot_uttered per turn, ``pause`` s apart."""
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[bench.BENCH_SITE_ORIGIN])
    app = web.Application()
    sio.attach(app, socketio_path="socket.io")
    confirmed: Dict[str, str] = {}

    @sio.on("session_request")
    async def session_request(sid: str, data: Any = None) -> None:
        confirmed[sid] = f"s{len(confirmed)}"
        await sio.emit("session_confirm", {"session_id": confirmed[sid], "session_secret": "x"}, room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: Dict[str, Any]) -> None:
        if data.get("session_id") != confirmed.get(sid):
            await sio.emit("session_refused", {}, room=sid)
            return
        if data["message"] == SILENT:
            return
        for i in range(replies):
            await asyncio.sleep(pause)  # Rasa runs actions between the messages of one turn
            await sio.emit("bot_uttered", {"text": f"{data['message']} {i}"}, room=sid)

    runner = web.AppRunner(app)
    await runner.setup()
    port = bench.free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def with_channel(replies: int, pause: float, body) -> Any:
    channel = website_channel(replies, pause)
    base = await channel.__anext__()
    try:
        return await body(base)
    finally:
        await channel.aclose()


def test_a_socket_turn_ends_after_its_last_message_however_late() -> None:
    """Three messages 50 ms apart: a quiet gap shorter than that would cut the turn short."""

    async def body(base: str) -> List[List[Dict[str, Any]]]:
        client = socketio.AsyncClient(reconnection=False)
        sock = bench.WebsiteSocket(client, timeout=5)
        await client.connect(base, transports=["websocket"], headers={"Origin": bench.BENCH_SITE_ORIGIN},
                             socketio_path="/socket.io", wait_timeout=5)
        try:
            await sock.new_conversation()
            turns = [await sock.turn("一"), await sock.turn("二"), await sock.turn(SILENT)]
            sock.session_id = "someone-else"
            with pytest.raises(RuntimeError, match="refused"):
                await sock.turn("三")
            return turns
        finally:
            await client.disconnect()

    first, second, silent = asyncio.run(with_channel(3, 0.05, body))
    assert [m["text"] for m in first] == ["一 0", "一 1", "一 2"]
    assert [m["text"] for m in second] == ["二 0", "二 1", "二 2"]
    assert silent == []


def test_run_website_times_only_the_turns_after_the_warm_up_and_counts_silence() -> None:
    async def body(base: str) -> Dict[str, Any]:
        return await bench.run_website(base, total=7, warmup=3, timeout=5)

    result = asyncio.run(with_channel(2, 0.0, body))
    assert (result["requests"], result["ok"], result["errors"], result["unanswered"]) == (7, 7, 0, 0)
    assert result["p95_ms"] > 0

    original = bench.CONVERSATIONS
    bench.CONVERSATIONS = [["こんにちは", SILENT]]
    try:
        silent = asyncio.run(with_channel(1, 0.0, lambda base: bench.run_website(base, total=4, timeout=5)))
    finally:
        bench.CONVERSATIONS = original
    assert (silent["ok"], silent["unanswered"]) == (4, 2)


def _form_chat(number_at_the_end: bool = True, fail_at: str = ""):
    """A REST stand-in: one message per turn, the 受付番号 after /affirm; records what it heard."""
    heard: List[tuple] = []

    def chat(sender: str, text: str) -> List[Dict[str, Any]]:
        heard.append((sender, text))
        if text == fail_at:
            raise ConnectionError("dropped")
        if text == "/affirm" and number_at_the_end:
            return [{"text": "受付番号: PR-7K3M-9XQ2 で承りました。"}, {"text": "このあとの流れ"}]
        return [{"text": "次の質問"}]

    return chat, heard


def test_forms_are_timed_per_turn_with_a_new_conversation_and_phone_each() -> None:
    chat, heard = _form_chat()
    result = bench.run_forms(chat, 3, "t")
    turns = len(bench.FORM_CONVERSATION)
    assert (result["ok"], result["errors"], result["tickets"], result["conversations"]) == (3 * turns, 0, 3, 3)
    assert len({sender for sender, _ in heard}) == 3
    phones = [text for _, text in heard if text.startswith("080-")]
    assert len(phones) == len(set(phones)) == 3
    assert bench.PHONE not in [text for _, text in heard]
    assert result["conversation_p95_ms"] >= result["p95_ms"]
    by_position = result["turn_p50_ms_by_position"]
    assert len(by_position) == turns and all(ms is not None and ms >= 0 for ms in by_position)


def test_a_turn_position_never_reached_has_no_figure() -> None:
    chat, _ = _form_chat(True, "郵送")
    by_position = bench.run_forms(chat, 1, "t")["turn_p50_ms_by_position"]
    stop = bench.FORM_CONVERSATION.index("郵送")
    assert by_position[stop:] == [None] * (len(bench.FORM_CONVERSATION) - stop)
    assert None not in by_position[:stop]


@pytest.mark.parametrize("number_at_the_end, fail_at, ok_turns", [
    pytest.param(False, "", len(bench.FORM_CONVERSATION), id="no-ticket-number-in-the-last-reply"),
    pytest.param(True, "郵送", len(bench.FORM_CONVERSATION) - 2, id="a-turn-fails-and-the-form-stops"),
])
def test_a_form_without_a_ticket_number_is_an_error(number_at_the_end: bool, fail_at: str, ok_turns: int) -> None:
    chat, _ = _form_chat(number_at_the_end, fail_at)
    result = bench.run_forms(chat, 1, "t")
    assert (result["ok"], result["errors"], result["tickets"]) == (ok_turns, 1, 0)


def _row(kind: str, p95: float, errors: int = 0, **extra: Any) -> Dict[str, Any]:
    return {"kind": kind, "clients": 1, "ok": 10, "errors": errors, "unanswered": 0, "p50_ms": p95 / 2,
            "p95_ms": p95, "p99_ms": p95, "mean_ms": p95 / 2, "throughput_rps": 20.0, **extra}


def test_the_table_holds_each_kind_to_its_own_target_and_the_floor_ratio_is_a_dash() -> None:
    form = _row("form", 61.0, conversations=10, tickets=10, turns_per_conversation=12,
                conversation_p50_ms=500.0, conversation_p95_ms=700.0)
    report = {"scenarios": [_row("parse", 100.0), _row("turn", 40.0), _row("socketio", 39.0, errors=1), form],
              "peak_memory_mb": {"rasa": 900.0, "actions": 60.0}, "startup_s": 12.0,
              "host": {"cpus": 2, "loadavg_1m_before": 0.0}}
    lines = bench.render_table(report).splitlines()
    verdicts = {line.split()[0]: line.rsplit(":", 1)[-1].strip() for line in lines[1:5]}
    assert verdicts == {"parse": "MET", "turn": "MET", "socketio": "NOT MET", "form": "NOT MET"}
    assert any("10/10 requests filed" in line and "p95 700 ms" in line for line in lines)

    floor = {"scenarios": [_row("parse", 50.0), _row("turn", 20.0)], "peak_memory_mb": {"rasa": 600.0},
             "startup_s": 10.0}
    ratios = {line.split()[0]: line for line in bench.render_ratios(report, floor).splitlines()[1:5]}
    assert ratios["socketio"].split()[2:] == ratios["form"].split()[2:] == ["-", "-", "-"]
    assert "40.0/20.0=2.0x" in ratios["turn"].replace(" ", "")


def test_the_long_conversation_ends_with_the_messages_it_began_with() -> None:
    messages = bench.long_conversation_messages()
    assert len(messages) == bench.LONG_CONVERSATION_TURNS == 100
    assert messages[-10:] == messages[:10] == bench.MESSAGES[:10]
    assert messages[10:90] == [bench.MESSAGES[i % len(bench.MESSAGES)] for i in range(10, 90)]


def test_the_long_conversation_compares_each_message_with_itself() -> None:
    times = [10.0] * 10 + [99.0] * 80 + [20.0] * 9 + [5.0]  # the last message happened to be fast
    result = bench.long_conversation_result(times)
    assert result["first10_p50_ms"] == 10.0 and result["last10_p50_ms"] == 20.0 and result["ratio"] == 2.0
    assert result["same_message_ratio_median"] == 2.0
    assert result["turns"] == 100


def scenario(kind: str, clients: int, rps: float, p95: float) -> Dict[str, Any]:
    return {"kind": kind, "clients": clients, "ok": 10, "errors": 0, "unanswered": 0, "p50_ms": p95 / 2,
            "p95_ms": p95, "p99_ms": p95, "mean_ms": p95 / 2, "throughput_rps": rps, "error_examples": []}


def test_the_scale_path_is_printed_as_a_multiple_of_one_server() -> None:
    import bench_scaled

    one = {"scenarios": [scenario("turn", 1, 80.0, 15.0), scenario("turn", 16, 80.0, 300.0)]}
    scaled = {"host": {"cpus": 2, "loadavg_1m_before": 0.0}, "startup_s": 12.0,
              "peak_memory_mb": {"rasa1": 850.0, "rasa2": 860.0},
              "scenarios": [scenario("turn", 1, 40.0, 30.0), scenario("turn", 16, 120.0, 240.0)]}
    text = bench_scaled.render_scaled(scaled, one)
    assert "rasa1 850 MB, rasa2 860 MB" in text
    assert " 40.0/80.0  = 0.50x" in text and "120.0/80.0  = 1.50x" in text and "240.0/300.0 = 0.80x" in text


def test_the_scale_paths_rasa_servers_are_found_among_the_processes() -> None:
    import bench_scaled

    # a supervisor with two children, one of them started as the Rasa launcher is
    tree = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys, time\n"
        "a = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)', 'scripts/rasa_server.py'])\n"
        "b = subprocess.Popen(['sleep', '30'])\n"
        "time.sleep(30)")])
    try:
        deadline = time.monotonic() + 10
        while len(bench.process_tree(tree.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        [found] = bench_scaled.rasa_server_pids(tree.pid)
        assert Path(f"/proc/{found}/cmdline").read_bytes().endswith(b"scripts/rasa_server.py\0")
    finally:
        for pid in reversed(bench.process_tree(tree.pid)):
            os.kill(pid, 9)
        tree.wait()


def test_the_scale_paths_services_are_stopped_even_when_their_supervisor_is_gone() -> None:
    import bench_scaled

    # a "supervisor" that starts a service in a session of its own and dies, as a crash would leave it
    supervisor = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True)\n"
        "print(p.pid, flush=True)\n"
        "import time; time.sleep(60)")], stdout=subprocess.PIPE, start_new_session=True)
    service = int(supervisor.stdout.readline())
    services = {pid: bench_scaled._command_line(pid) for pid in bench.process_tree(supervisor.pid) if pid != supervisor.pid}
    assert service in services
    os.kill(supervisor.pid, 9)
    supervisor.wait()
    bench_scaled._stop(bench.Service("supervisor", supervisor, Path("/dev/null")), services)
    deadline = time.monotonic() + 10
    while bench_scaled._command_line(service) and time.monotonic() < deadline:
        time.sleep(0.05)  # reaped by init once killed
    assert bench_scaled._command_line(service) == b""


def test_a_failed_clean_up_is_reported_not_raised(monkeypatch) -> None:
    import bench_scaled

    monkeypatch.setenv("TRACKER_PG_PORT", "1")  # nothing listens there
    monkeypatch.setenv("RABBITMQ_PORT", "1")
    problems = bench_scaled._drop("bench_scaled_nothing", "bench_scaled_nothing")
    assert [p.split(" not ")[0] for p in problems] == ["database bench_scaled_nothing", "queue bench_scaled_nothing"]


def test_waiting_for_a_service_stops_when_it_has_exited(tmp_path) -> None:
    """bench.wait_until, which the scale path also waits with (run_scaled.sh may exit early)."""
    exited = bench.start_service("run_scaled", ["true"], tmp_path, dict(os.environ), tmp_path)
    exited.proc.wait()
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="exited"):
        bench.wait_until(exited, lambda: False, 120)
    assert time.monotonic() - start < 5
