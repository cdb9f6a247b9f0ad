"""The scale path measured as `make bench` measures the embedded default (issue 12).

``make run-scaled``'s own script (scripts/run_scaled.sh) is started with a database, a RabbitMQ
queue, a Redis lock database and ports of its own: two Rasa servers with their action servers
behind HAProxy, trackers and tickets in the local PostgreSQL, Redis locks, events through
RabbitMQ. The same scenarios then go through the proxy: chat turns through the public origin
(as the website's REST and socket.io traffic does), ``/model/parse`` through the proxy's Rasa
API port, the request forms and the long conversation. The figures are printed beside the
embedded default's of the same run, throughput as a multiple of one server's.

Run by scripts/bench.py (``--no-scaled`` skips it); it needs the machine's PostgreSQL, Redis,
RabbitMQ and HAProxy, as ``make run-scaled`` does, and drops its database and queue afterwards.
The socket.io scenario is not repeated here: run_scaled.sh admits only its public origin, the
chat turns above already go through the proxy to both servers.
"""
from __future__ import annotations

import asyncio
import functools
import os
import secrets
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import requests

import bench
from measure_common import REPO_ROOT

#: Lock store database of the bench's scale path (tests use 7 and 8).
BENCH_LOCK_REDIS_DB = "9"


def rasa_server_pids(root_pid: int) -> List[int]:
    """The Rasa servers among the processes started by run_scaled.sh."""
    pids = []
    for pid in bench.process_tree(root_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(part.endswith(b"rasa_server.py") for part in command):
            pids.append(pid)
    return pids


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _stop(supervisor: bench.Service, services: Dict[int, bytes]) -> None:
    """Stop run_scaled.sh's supervisor (it stops its services), then anything of the services
    seen at start-up still running: each service runs in a session of its own, and a dead
    supervisor would leave them behind."""
    bench.stop_service(supervisor, grace=60.0)
    for pid, command in services.items():
        if command and _command_line(pid) == command:  # the same process, not a new one under its pid
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _drop(database: str, queue: str) -> List[str]:
    """Drop the bench's database and queue, with the settings run_scaled.sh used; the problems,
    if any, for the report (a failed clean-up must not hide the run's own error)."""
    problems = []
    try:
        import psycopg2

        admin = psycopg2.connect(host=os.environ.get("TRACKER_PG_HOST", "127.0.0.1"),
                                 port=int(os.environ.get("TRACKER_PG_PORT", "5432")),
                                 user=os.environ.get("TRACKER_PG_USER", "postgres"),
                                 password=os.environ.get("TRACKER_PG_PASSWORD") or None, dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
    except Exception as error:  # noqa: BLE001 - reported, and the queue is still deleted
        problems.append(f"database {database} not dropped: {type(error).__name__}")

    async def delete_queue() -> None:
        import aio_pika

        connection = await aio_pika.connect_robust(
            host=os.environ.get("RABBITMQ_HOST", "127.0.0.1"), port=int(os.environ.get("RABBITMQ_PORT", "5672")),
            login=os.environ.get("RABBITMQ_USER", "guest"), password=os.environ.get("RABBITMQ_PASSWORD", "guest"))
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)

    try:
        asyncio.run(asyncio.wait_for(delete_queue(), timeout=30))
    except Exception as error:  # noqa: BLE001
        problems.append(f"queue {queue} not deleted: {type(error).__name__}")
    return problems


def measure_scaled(model: Path, args: Any) -> Dict[str, Any]:
    """Start the scale path with ``model``, run the scenarios through HAProxy, stop it."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-scaled-"))
    name = f"bench_scaled_{secrets.token_hex(4)}"
    token = secrets.token_urlsafe(24)
    api_port, public_port = bench.free_port(), bench.free_port()
    env = bench.bench_environment(workdir, api_port, bench.free_port(), token)
    env.update(
        MODEL=str(model), SCALE_PG_DB=name, RABBITMQ_QUEUE=name, LOCK_REDIS_DB=BENCH_LOCK_REDIS_DB,
        PUBLIC_PORT=str(public_port), CONSOLE_PORT=str(bench.free_port()),
        RASA_PORT_1=str(bench.free_port()), RASA_PORT_2=str(bench.free_port()),
        ACTIONS_PORT_1=str(bench.free_port()), ACTIONS_PORT_2=str(bench.free_port()),
        CONSOLE_ADMIN_PASSWORD=secrets.token_urlsafe(12),
    )
    # run_scaled.sh honours these if exported: the bench's chats must never reach a real record.
    pg_user, pg_host = env.get("TRACKER_PG_USER", "postgres"), env.get("TRACKER_PG_HOST", "127.0.0.1")
    env.update(TRACKER_PG_DB=name, SCALE_DATABASE_URL=(
        f"postgresql://{pg_user}@{pg_host}:{env.get('TRACKER_PG_PORT', '5432')}/{name}"))
    public, api = f"http://127.0.0.1:{public_port}", f"http://127.0.0.1:{api_port}"
    print(f"bench: scale path (scripts/run_scaled.sh), public {public}, log {workdir / 'run_scaled.log'}; "
          "waiting ...", flush=True)
    started, load_before = time.monotonic(), os.getloadavg()
    services: Dict[int, bytes] = {}
    supervisor = bench.start_service("run_scaled", ["bash", "scripts/run_scaled.sh"], REPO_ROOT, env, workdir)
    process = supervisor.proc
    try:
        for port in (env["RASA_PORT_1"], env["RASA_PORT_2"]):
            bench.wait_until(supervisor, lambda port=port: requests.get(f"http://127.0.0.1:{port}/version", timeout=2).ok,
                             args.start_timeout)
        bench.wait_until(supervisor, lambda: requests.get(public + "/healthz", timeout=2).ok, 60)
        # HAProxy has seen both Rasa servers up (round robin: four answers in a row)
        bench.wait_until(supervisor, lambda: all(requests.get(api + "/version", timeout=2).ok for _ in range(4)), 60)
        startup = time.monotonic() - started
        services = {pid: _command_line(pid) for pid in bench.process_tree(process.pid) if pid != process.pid}

        senders = {"parse": bench.make_senders(api, token, timeout=30.0)["parse"],
                   "turn": bench.make_senders(public, token, timeout=30.0)["turn"]}
        run_id = secrets.token_hex(3)
        for kind, send in senders.items():
            bench.run_scenario(send, 1, bench.WARMUP_REQUESTS, f"{run_id}-warmup-{kind}")
        scenarios = []
        for kind, send in senders.items():
            for clients in bench.CONCURRENCY:
                print(f"bench: scale path {kind} x {args.requests} with {clients} client(s) ...", flush=True)
                result = bench.run_scenario(send, clients, args.requests, f"{run_id}-scaled-{kind}-{clients}")
                scenarios.append({"kind": kind, **result})
        long_conversation = bench.run_long_conversation(senders["turn"], f"{run_id}-scaled-long")
        print(f"bench: scale path form x {args.forms} conversations ...", flush=True)
        chat = functools.partial(bench.rest_turn, requests.Session(), public, token, timeout=30.0)
        scenarios.append({"kind": "form", **bench.run_forms(chat, args.forms, f"{run_id}-scaled-form")})
        memory = {f"rasa{i + 1}": bench.vmhwm_kb(pid) / 1024 for i, pid in enumerate(rasa_server_pids(process.pid))}
        load_after = os.getloadavg()
    finally:
        services.update({pid: _command_line(pid) for pid in bench.process_tree(process.pid) if pid != process.pid})
        _stop(supervisor, services)
        cleanup_problems = _drop(name, name)
        for problem in cleanup_problems:
            print(f"bench: scale path clean-up: {problem}", flush=True)
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "cleanup_problems": cleanup_problems,
        "host": {"cpus": os.cpu_count(), "loadavg_1m_before": load_before[0], "loadavg_1m_after": load_after[0]},
        "layout": "scale path: 2 Rasa servers + 2 action servers behind HAProxy, PostgreSQL, Redis, RabbitMQ",
        "startup_s": startup,
        "scenarios": scenarios,
        "long_conversation": long_conversation,
        "peak_memory_mb": memory,
    }


def render_scaled(scaled: Dict[str, Any], embedded: Dict[str, Any]) -> str:
    """The scale path's table and its throughput as a multiple of the embedded default's."""
    memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in scaled["peak_memory_mb"].items())
    table = bench.render_table({**scaled, "peak_memory_mb": {"rasa": max(scaled["peak_memory_mb"].values(), default=0),
                                                             "actions": 0.0}})
    one = {(s["kind"], s["clients"]): s for s in embedded["scenarios"]}
    rows = [table.rsplit("\npeak memory", 1)[0], f"peak memory (VmHWM) per Rasa server: {memory}; "
            f"start to both servers behind the proxy {scaled['startup_s']:.1f} s",
            f"{'vs one':<8} {'clients':>7} {'req/s':>22} {'p95':>22}"]
    for s in scaled["scenarios"]:
        o = one.get((s["kind"], s["clients"]))
        if o:
            rows.append(f"{s['kind']:<8} {s['clients']:>7} {s['throughput_rps']:>6.1f}/{o['throughput_rps']:<6.1f}="
                        f"{s['throughput_rps'] / o['throughput_rps']:>5.2f}x {s['p95_ms']:>6.1f}/{o['p95_ms']:<6.1f}="
                        f"{s['p95_ms'] / o['p95_ms']:>5.2f}x")
    return "\n".join(rows)
