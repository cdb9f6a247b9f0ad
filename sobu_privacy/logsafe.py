"""Logs without what customers type: every log record is scrubbed when it is made.

The services log through Rasa, rasa_sdk, Sanic, SQLAlchemy, alembic and our own modules, and
some of them put message text, slot values or a whole tracker into a log line or an
exception's message on failure paths. Rather than chase each of those lines, every record
of a service's process is scrubbed as it is created (``install()`` sets the logging
record factory), whatever logger, level or handler it goes to:

- any run of non-ASCII characters (Japanese text: names, addresses, messages) becomes
  ``[text]``; the product's own log lines are ASCII (codes, pseudonyms, counts);
- e-mail addresses become ``[email]``, runs of 7 or more digits (phone numbers, customer
  numbers, even with separators) ``[number]``, 受付番号 ``[ticket]``;
- long hexadecimal runs (conversation ids) become ``[id]``; use
  ``sobu_privacy.pseudonyms.log_ref`` to name a conversation;
- a traceback is scrubbed the same way (frames stay, messages lose their data).

Rasa's structured logs (structlog) end in the standard library's loggers as JSON in which
Japanese is written as ``\\uXXXX`` escapes; those runs are scrubbed as text too.
"""
from __future__ import annotations

import logging
import re
import traceback
from typing import Any, Callable, Optional

__all__ = ["scrub", "install", "REDACTED"]

REDACTED = "[text]"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2})?")
# One character of customer text: any non-ASCII character, or its JSON escape (\uXXXX).
_WIDE = r"(?:[^\x00-\x7f]|\\u[0-9a-fA-F]{4})"
# A run of text with the ASCII letters, digits and punctuation inside or attached to it
# (旭市二の5941番地, 総武 花子です, お客様番号0479631000).
_TEXT_RUN = re.compile(rf"[0-9A-Za-z-]*{_WIDE}+(?:[\s0-9A-Za-z\x21-\x2f\x3a-\x40]*{_WIDE}+)*[0-9A-Za-z-]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TICKET = re.compile(r"\bPR-?[0-9A-Z]{4}-?[0-9A-Z]{4}\b", re.IGNORECASE)
_DIGITS = re.compile(r"(?<![\w.])\+?\d(?:[\d\s().-]{5,}\d)(?![\w.])")
_HEX_ID = re.compile(r"\b[0-9a-fA-F]{20,}\b")


def _long_digit_run(match: "re.Match[str]") -> str:
    if _DATE.fullmatch(match.group(0).strip()):
        return match.group(0)
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[number]" if digits >= 7 else match.group(0)


def scrub(text: str) -> str:
    """``text`` with customer text and personal data replaced by markers."""
    if not text:
        return text
    text = _TEXT_RUN.sub(REDACTED, text)
    text = _EMAIL.sub("[email]", text)
    text = _TICKET.sub("[ticket]", text)
    text = _DIGITS.sub(_long_digit_run, text)
    return _HEX_ID.sub("[id]", text)


_installed: Optional[Callable[..., logging.LogRecord]] = None


def install() -> None:
    """Scrub every log record this process creates from now on (idempotent)."""
    global _installed
    if _installed is not None:
        return
    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep nothing of its arguments
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[0] is not None:
            # line by line: a text run may span lines in a message, but in a traceback it
            # would swallow the "ValueError:" line between the failing source line and the message
            formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_text = "\n".join(scrub(line) for line in formatted.split("\n"))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return record

    logging.setLogRecordFactory(scrubbed_record)
    _installed = scrubbed_record
