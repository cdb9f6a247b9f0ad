"""``python -m analytics consume`` turns Rasa's event stream into de-identified facts;
``python -m analytics report`` writes the analysts' report (``make report``).

consume reads the ``event_broker`` section of the endpoints file the Rasa server uses
(bot/endpoints.yml by default; bot/endpoints.scale.yml on the scale path), so both always
agree on where the stream is. ``--once`` applies what is waiting and exits (tests, cron);
without it the consumer follows the stream until stopped, as ``make run`` does.

The analytics tables live in the product's database (DATABASE_URL, or the SQLite file under
var/).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

from sobu_privacy.logsafe import install
from storage.analytics import AnalyticsStore, Period
from storage.db import Database
from storage.errors import StorageUnavailable

from .consumer import Consumer
from .sources import RabbitSource, SqlBrokerSource, read_broker_config

DEFAULT_ENDPOINTS = Path("bot/endpoints.yml")
DEFAULT_REPORT_DIR = Path("reports/latest")


def build_consumer(store: AnalyticsStore) -> Consumer:
    """The consumer with GiNZA's de-identifier and the knowledge base's policy sections."""
    from policy_kb import load_knowledge_base

    from .deidentify import load_deidentifier

    kb = load_knowledge_base()
    deidentifier = load_deidentifier()
    faq_intents = set(kb.faq_intents)

    def sections_for(intent: str) -> Sequence[str]:
        return kb.answer_for(intent).sections if intent in faq_intents else ()

    return Consumer(store, deidentifier.mask, sections_for)


def consume(endpoints: Path, *, once: bool) -> int:
    config = read_broker_config(endpoints)
    if config is None:
        print(f"error: {endpoints} has no event_broker section", file=sys.stderr)
        return 1
    consumer = build_consumer(AnalyticsStore(Database.from_env()))
    if config.is_sql:
        source = SqlBrokerSource.from_config(config, consumer)
        if once:
            applied = source.drain()
            print(f"analytics: {applied} broker rows read, {consumer.skipped} skipped", flush=True)
            return 0
        print("analytics: following the SQL event broker", flush=True)
        source.run_forever()
        return 0
    if config.is_rabbitmq:
        rabbit = RabbitSource(config, consumer)
        print(f"analytics: following RabbitMQ queue {rabbit.queue_name}", flush=True)
        applied = asyncio.run(rabbit.run(idle_exit_seconds=2.0 if once else None))
        print(f"analytics: {applied} events applied, {consumer.skipped} skipped", flush=True)
        return 0
    print(f"error: event broker type {config.type!r} is not supported", file=sys.stderr)
    return 1


def report(out: Path, period: Period) -> int:
    from .figures import compute_figures
    from .report import write_report

    figures = compute_figures(AnalyticsStore(Database.from_env()), period)
    index = write_report(figures, out)
    print(f"report: {index}", flush=True)
    return 0


def _period(args: argparse.Namespace) -> Period:
    first = date.fromisoformat(args.first) if args.first else None
    last = date.fromisoformat(args.last) if args.last else None
    try:
        return Period.chosen(args.days, first, last)
    except ValueError:
        raise ValueError("--from is after --to") from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    consume_cmd = commands.add_parser("consume", help="apply Rasa's broker events to the analytics tables")
    consume_cmd.add_argument("--endpoints", type=Path, default=Path(os.environ.get("RASA_ENDPOINTS", DEFAULT_ENDPOINTS)))
    consume_cmd.add_argument("--once", action="store_true", help="apply what is waiting, then exit")
    report_cmd = commands.add_parser("report", help="write the HTML report and a CSV per table")
    report_cmd.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR)
    report_cmd.add_argument("--days", type=int, default=30, choices=range(1, 367), metavar="1..366")
    report_cmd.add_argument("--from", dest="first", help="first day (YYYY-MM-DD, Japan time)")
    report_cmd.add_argument("--to", dest="last", help="last day (YYYY-MM-DD, Japan time)")
    args = parser.parse_args(argv)
    install()  # no personal data in the logs (sobu_privacy/logsafe.py)
    try:
        if args.command == "consume":
            return consume(args.endpoints, once=args.once)
        return report(args.out, _period(args))
    except StorageUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
