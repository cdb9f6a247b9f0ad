"""`make run-scaled` as an operator runs it: scripts/run_scaled.sh starts two Rasa servers and
two action servers behind HAProxy (one public origin), PostgreSQL, Redis and RabbitMQ; a
customer reaches the chat through the proxy on both channels, a Rasa server that dies costs
nothing but its restart, and the analytics consumer reads both servers' events."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid
from types import SimpleNamespace

import psycopg2
import pytest
import requests

from storage import Database
from storage.models import AnalyticsConversationRow
from sobu_privacy.pseudonyms import ANALYTICS, pseudonym
from tests.e2e.test_channels import Browser
from tests.e2e.test_chat_rest import new_sender, texts
from tests.e2e.test_make_run import alive, answers, started_pids, wait_for
from tests.e2e.test_scale_path import _delete_queue
from tests.servers import ROOT, bot_environment, free_port

pytestmark = [pytest.mark.servers, pytest.mark.model, pytest.mark.postgres, pytest.mark.redis, pytest.mark.rabbitmq]


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("run_scaled")
    name = f"sobu_run_scaled_{uuid.uuid4().hex[:8]}"
    env = bot_environment(workdir)
    public_port = free_port()
    env.update(
        SCALE_PG_DB=name, RABBITMQ_QUEUE=name, LOCK_REDIS_DB="8", PUBLIC_PORT=str(public_port),
        RASA_PORT_1=str(free_port()), RASA_PORT_2=str(free_port()),
        ACTIONS_PORT_1=str(free_port()), ACTIONS_PORT_2=str(free_port()),
    )
    log = workdir / "run_scaled.log"
    process = subprocess.Popen(["bash", "scripts/run_scaled.sh"], cwd=ROOT, env=env, stdout=open(log, "wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    public = f"http://127.0.0.1:{public_port}"
    bot = SimpleNamespace(env=env, log=log, process=process, public=public, rasa_url=public,
                          api=f"http://127.0.0.1:{env['RASA_PORT']}", token=env["BOT_API_TOKEN"])
    try:
        for port in (env["RASA_PORT_1"], env["RASA_PORT_2"]):
            wait_for(lambda port=port: answers(f"http://127.0.0.1:{port}/version"), timeout=240)
        wait_for(lambda: answers(public + "/healthz"), timeout=60)
        # the proxy has seen both Rasa servers up (round robin: four answers in a row)
        wait_for(lambda: all(answers(bot.api + "/version") for _ in range(4)), timeout=60)
        yield bot
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
        admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        asyncio.run(_delete_queue(name))


def chat(bot, sender: str, message: str) -> str:
    reply = requests.post(f"{bot.public}/webhooks/rest/webhook", params={"token": bot.token},
                          json={"sender": sender, "message": message}, timeout=30)
    reply.raise_for_status()
    return texts(reply.json())


def test_one_public_origin_serves_the_site_and_the_chat_and_hides_rasa_s_api(scaled):
    site = requests.get(scaled.public + "/", timeout=10)
    assert site.status_code == 200 and f'data-socket-url="{scaled.public}"' in site.text
    assert "プライバシーポリシー" in chat(scaled, new_sender(), "個人情報の利用目的を教えてください")
    # Rasa's HTTP API is reachable on this machine's API port, not through the public origin.
    assert "minimum_compatible_version" not in requests.get(scaled.public + "/version", timeout=10).text
    assert requests.get(scaled.api + "/version", timeout=10).json()["version"].startswith("3.6")
    oversize = requests.post(f"{scaled.public}/webhooks/rest/webhook", params={"token": scaled.token},
                             data=b"x" * 1_100_000, headers={"Content-Type": "application/json"}, timeout=30)
    assert oversize.status_code == 413  # refused at the proxy


def test_the_website_chat_works_through_the_proxy(scaled):
    async def scenario() -> None:
        customer = Browser(scaled, origin=scaled.public)
        await customer.connect()
        mine = await customer.session()
        assert "手数料" in await customer.say(mine["session_id"], "開示の手数料はいくらですか")
        await customer.client.disconnect()

    asyncio.run(scenario())


def test_a_dead_rasa_server_costs_only_its_restart(scaled):
    rasa1 = started_pids(scaled.log)["rasa1"]
    os.kill(rasa1, signal.SIGKILL)
    # (a message that reaches the server in the instant it dies is lost with it: HAProxy cannot
    # know whether it was taken, so it is not sent twice; every message after that is answered)
    wait_for(lambda: not os.path.exists(f"/proc/{rasa1}"), timeout=10, step=0.05)
    senders = [new_sender() for _ in range(6)]
    for sender in senders:  # the proxy sends every message to the server that is up
        assert "プライバシーポリシー" in chat(scaled, sender, "個人情報の利用目的を教えてください")
    wait_for(lambda: "rasa1 restarted" in scaled.log.read_text(), timeout=60)
    wait_for(lambda: answers(f"http://127.0.0.1:{scaled.env['RASA_PORT_1']}/version"), timeout=240)

    # Both servers' events reach the one analytics store through RabbitMQ.
    db = Database(f"postgresql://postgres@127.0.0.1:5432/{scaled.env['SCALE_PG_DB']}")
    key = scaled.env["PSEUDONYM_KEY"].encode()
    try:
        def all_seen() -> bool:
            with db.transaction(readonly=True) as session:
                return all(session.get(AnalyticsConversationRow, pseudonym(s, purpose=ANALYTICS, key=key)) for s in senders)
        wait_for(all_seen, timeout=60)
    finally:
        db.dispose()


def test_sigterm_stops_every_service(scaled):
    pids = list(started_pids(scaled.log).values())
    os.killpg(scaled.process.pid, signal.SIGTERM)
    scaled.process.wait(timeout=60)
    wait_for(lambda: not any(alive(pid) for pid in pids), timeout=30)
