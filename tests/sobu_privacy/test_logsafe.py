"""sobu_privacy.logsafe: what customers type never survives into a log record."""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from sobu_privacy.logsafe import scrub

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "line, secret",
    [
        ("Received user message '総武 花子です' with intent 'inform'", "総武"),
        ("text=そうぶ はなこ", "はなこ"),
        ("phone 090-1234-5678 given", "1234"),
        ("phone ０９０１２３４５６７８", "１２３４"),
        ("phone +81 479 63 1000", "479 63 1000"),
        ("お客様番号0479631000", "0479631000"),
        ("mail hanako.sobu+x@example.co.jp", "hanako"),
        ("ticket pr7k3m9qxd", "7k3m"),
        ("ticket PR-7K3M-9QXD", "7K3M"),
        ("conversation 3f2a9c0d1e2b4a5f6789abcdef012345", "3f2a9c0d1e2b"),
        (json.dumps({"event": "rest.message.received.failure", "text": "旭市二の5941番地"}), "5941"),
        (json.dumps({"text": "旭市"}), "\\u65ed"),
    ],
)
def test_personal_data_is_scrubbed(line, secret):
    assert secret not in scrub(line)


@pytest.mark.parametrize(
    "line",
    ["action failed: KeyError conversation=c-95c9739dbd7e", "took 1234 ms", "at 2026-12-03 10:00:01",
     "status look-up miss conversation=c-0123abcd", "listening on http://127.0.0.1:5055"],
)
def test_the_product_s_own_lines_stay_readable(line):
    assert scrub(line) == line


def test_every_logger_and_traceback_of_a_process_is_scrubbed():
    """Installed once, it covers any logger, any level, exception messages and arguments."""
    program = r'''
import logging, sys
from sobu_privacy.logsafe import install
install()
logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, format="%(name)s %(message)s")
logging.getLogger("rasa.core.processor").debug("Received user message '%s'", "総武花子 090-1234-5678")
try:
    raise ValueError("bad value: marker@example.com 旭市二の5941")
except ValueError:
    logging.getLogger("sqlalchemy").exception("failed with %r", {"name": "総武花子"})
logging.getLogger("x").error("broken %s %s", "総武花子")
'''
    out = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    text = out.stdout + out.stderr
    for secret in ["総武", "花子", "1234-5678", "marker@example.com", "5941", "旭市"]:
        assert secret not in text, text
    assert "ValueError" in text and "Traceback" in text and "rasa.core.processor" in text


@pytest.fixture
def fresh_install():
    """install() in this process from scratch (the servers call it once at start), put back after."""
    from sobu_privacy import logsafe

    saved_factory, saved = logging.getLogRecordFactory(), logsafe._installed
    logging.setLogRecordFactory(logging.LogRecord)
    logsafe._installed = None
    try:
        logsafe.install()
        yield logsafe
    finally:
        logging.setLogRecordFactory(saved_factory)
        logsafe._installed = saved


def _record(name, level, msg, *args, exc_info=None, stack_info=False):
    logger = logging.getLogger(name)
    return logger.makeRecord(name, level, "f.py", 1, msg, args, exc_info,
                             sinfo="Stack (most recent call last):\n  総武花子 09012345678" if stack_info else None)


def test_install_scrubs_message_arguments_traceback_and_stack_of_each_record(fresh_install):
    record = _record("rasa.core.processor", logging.DEBUG, "Received user message '%s'", "総武花子 090-1234-5678")
    assert record.getMessage() == "Received user message '[text] [number]'"
    assert record.args is None
    try:
        raise ValueError("bad value: marker@example.com 旭市二の5941")
    except ValueError:
        failed = _record("sqlalchemy", logging.ERROR, "failed", exc_info=sys.exc_info())
    assert failed.exc_info is None  # formatted once, scrubbed; never formatted again from the raw exception
    lines = failed.exc_text.split("\n")
    assert lines[0] == "Traceback (most recent call last):" and lines[1].startswith('  File "')
    assert lines[-1] == "ValueError: bad value: [email] [text]" and "marker" not in failed.exc_text
    stacked = _record("x", logging.WARNING, "here", stack_info=True)
    assert stacked.stack_info == "Stack (most recent call last):\n  [text] [number]"
    broken = _record("x", logging.ERROR, "broken %s %s", "総武花子")  # one argument short
    assert broken.getMessage() == "broken %s %s" and broken.args is None
    plain = _record("x", logging.INFO, "ticket opened type=%s", "disclosure", exc_info=(None, None, None))
    assert plain.getMessage() == "ticket opened type=disclosure" and plain.exc_text is None


@pytest.mark.parametrize("line, expected", [
    ("call 01-2345 please", "call 01-2345 please"),  # 6 digits: a count or an amount, kept
    ("call 012-3456 please", "call [number] please"),  # 7 digits: may be a phone number
    ("ticket PR-7K3M-9XQ2 opened", "ticket [ticket] opened"),
    ("conversation 0123456789abcdef01234567 ended", "conversation [id] ended"),
])
def test_each_kind_of_personal_data_gets_its_own_marker(line, expected):
    assert scrub(line) == expected


def test_install_is_idempotent_and_keeps_the_factory_it_wrapped(fresh_install):
    installed = logging.getLogRecordFactory()
    assert installed is fresh_install._installed and installed is not logging.LogRecord
    fresh_install.install()
    assert logging.getLogRecordFactory() is installed  # a second call does not wrap twice
