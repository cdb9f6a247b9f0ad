#!/usr/bin/env python
"""`make bench` (analytics part): the analysts' report at scale, and the consumer's pace.

1. **Report at scale.** Generates ``--conversations`` (default 100,000) conversations spread
   over the last 30 days (Japan time) into a fresh SQLite analytics store, through the real
   ``Consumer.process`` (so the counters are exactly the ones the consumer keeps) with a
   trivial mask, in batches of 2,000 events; then times ``compute_figures`` for those 30
   days, cold and warm. Target: under 10 s.
2. **Consumer pace with the real de-identifier** (GiNZA): events and customer messages per
   second on a few hundred generated conversations, to compare with the chat's own pace
   (`scripts/bench.py` prints turns/s).
3. Peak memory of this process.

The mix (made up, typical of a privacy-policy assistant): 1–8 messages a conversation, most
questions answered from the knowledge base, ~15 % unanswered (a few hundred phrasings, some
asked by many), ~8 % of conversations with a person, ~2 % opening a request.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.consumer import Consumer  # noqa: E402
from analytics.figures import compute_figures  # noqa: E402
from policy_kb import load_knowledge_base  # noqa: E402
from sobu_privacy.clock import JST  # noqa: E402
from storage import Database  # noqa: E402
from storage.analytics import AnalyticsStore, Period  # noqa: E402

TARGET_SECONDS = 10.0
BATCH_EVENTS = 2_000
TOPICS = ["ポイント", "引っ越し", "ガス料金", "電気料金", "支払い方法", "口座振替", "検針日", "解約", "名義変更",
          "マイページ", "請求書", "ガス機器の修理", "点検", "契約プラン", "領収書", "クレジットカード",
          "料金の明細", "開栓", "閉栓", "キャンペーン"]
FORMS = ["{}について教えて", "{}はどうすればいいですか", "{}の手続きをしたい", "{}ってどうなってますか？",
         "{}を変更したいのですが", "{}について知りたいです", "{}の件で相談です", "{}はいつですか"]
UNANSWERED = [form.format(topic) for topic in TOPICS for form in FORMS]  # 160 phrasings


class Generator:
    """Rasa broker events of made-up conversations, in publishing order."""

    def __init__(self, seed: int = 20261204) -> None:
        self.random = random.Random(seed)
        kb = load_knowledge_base()
        self.faq = list(kb.faq_intents)
        self.now = datetime.now(JST)

    def conversation(self, sender: str) -> List[Dict[str, Any]]:
        r = self.random
        ts = (self.now - timedelta(days=r.uniform(0, 29.9))).timestamp()
        events: List[Dict[str, Any]] = []

        def add(kind: str, **fields: Any) -> None:
            nonlocal ts
            ts += 1.0
            events.append({"sender_id": sender, "event": kind, "timestamp": ts, **fields})

        def user(text: str, intent: str, confidence: float) -> None:
            add("user", text=text, parse_data={"intent": {"name": intent, "confidence": confidence}, "text": text})

        for _ in range(r.randint(1, 8)):
            roll = r.random()
            if roll < 0.15:
                # skewed: a few phrasings are asked by many conversations
                text = UNANSWERED[min(int(r.expovariate(1 / 25)), len(UNANSWERED) - 1)]
                user(text, "out_of_scope", r.uniform(0.2, 0.6))
                add("action", name="action_handle_out_of_scope")
            elif roll < 0.25:
                user("ありがとうございました", "thanks", 0.97)
            else:
                intent = r.choice(self.faq)
                user("質問です", intent, r.uniform(0.45, 0.99))
                add("action", name="action_answer_faq")
                add("slot", name="last_faq", value=intent)
        if r.random() < 0.08:
            user("担当者と話したい", "request_human", 0.95)
            add("pause")
        if r.random() < 0.02:
            add("slot", name="last_ticket_number", value="PR-0000-0000")
        return events

    def stream(self, conversations: int) -> Iterator[List[Dict[str, Any]]]:
        batch: List[Dict[str, Any]] = []
        for i in range(conversations):
            batch.extend(self.conversation(f"bench-{i}"))
            if len(batch) >= BATCH_EVENTS:
                yield batch
                batch = []
        if batch:
            yield batch


def report_at_scale(conversations: int, workdir: Path) -> None:
    store = AnalyticsStore(Database(f"sqlite:///{workdir / 'analytics.db'}"))
    kb = load_knowledge_base()
    consumer = Consumer(store, lambda text, _known: text, lambda intent: kb.answer_for(intent).sections,
                        pseudonym_key=b"bench-key")
    started, events = time.perf_counter(), 0
    for batch in Generator().stream(conversations):
        events += consumer.process(batch)
    took = time.perf_counter() - started
    print(f"generated {conversations:,} conversations ({events:,} events) through the consumer "
          f"in {took:.0f} s: {events / took:,.0f} events/s with a trivial mask")

    period = Period.last_days(30)
    timings = []
    for _ in range(4):
        started = time.perf_counter()
        figures = compute_figures(store, period)
        timings.append(time.perf_counter() - started)
    cold, warm = timings[0], statistics.median(timings[1:])
    print(f"30-day report: {figures.conversations:,} conversations, {figures.questions:,} questions, "
          f"{figures.unanswered:,} unanswered in {len(figures.clusters)} shown clusters "
          f"({figures.unanswered_hidden:,} only counted)")
    verdict = "met" if max(cold, warm) < TARGET_SECONDS else "NOT met"
    print(f"compute_figures: cold {cold:.2f} s, warm median {warm:.2f} s (target < {TARGET_SECONDS:.0f} s: {verdict})")


def consumer_pace(conversations: int, workdir: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from analytics.__main__ import build_consumer

    consumer = build_consumer(AnalyticsStore(Database(f"sqlite:///{workdir / 'pace.db'}")))
    generator = Generator(seed=7)
    for index, word in enumerate(("総武花子です。", "電話は０９０－１２３４－５６７８")):  # warm up GiNZA
        consumer.process([{"sender_id": "warm", "event": "user", "timestamp": 1.0 + index,
                           "text": word, "parse_data": {"intent": {"name": "out_of_scope", "confidence": 0.3}}}])
    batches = list(generator.stream(conversations))
    messages = sum(1 for batch in batches for e in batch if e["event"] == "user")
    started, events = time.perf_counter(), 0
    for batch in batches:
        events += consumer.process(batch)
    took = time.perf_counter() - started
    print(f"consumer with GiNZA masking: {events / took:,.0f} events/s, {messages / took:,.0f} customer "
          f"messages/s ({conversations} conversations, {events:,} events in {took:.1f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="5,000 conversations (a smoke run)")
    parser.add_argument("--pace-conversations", type=int, default=300)
    args = parser.parse_args()
    conversations = 5_000 if args.quick else args.conversations
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        report_at_scale(conversations, Path(tmp))
        consumer_pace(50 if args.quick else args.pace_conversations, Path(tmp))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
