#!/usr/bin/env python
"""`make bench` (analytics part): the analysts' report at scale, and the consumer's pace.

1. **Report at scale.** Generates ``--conversations`` (default 100,000) conversations spread
   over the last 30 days (Japan time; more by day than by night, fewer at weekends) as the
   broker events Rasa publishes, interleaved in timestamp order, into a fresh SQLite database
   under a temporary directory. Every event goes through the real ``Consumer.process``, in
   batches of 2,000 events, so the daily counters are exactly those the consumer keeps; the
   mask is the identity (GiNZA's cost is part 2), and the unanswered texts that would hold
   personal data are generated already masked (［氏名］ …). Request tickets with their
   status history are then inserted through the ORM models (one per conversation that filed a
   request, plus older ones closed in the period), so the ticket figures have work. Then
   ``compute_figures(store, Period.last_days(30))`` is timed: **cold** is the median of 3
   fresh processes (what ``make report`` pays: imports, knowledge base, Sudachi dictionary;
   the database file is in the OS cache), **warm** the median of 3 calls in this process
   after one warm-up. Target: under 10 s.
2. **Consumer pace with the real de-identifier**: ``build_consumer`` (GiNZA's masking, the
   knowledge base's sections) on ``--pace-conversations`` (300) generated conversations whose
   texts hold raw personal data, in the SQL source's batches of 500 events; events/s and
   customer messages/s, against the chat's own turns/s from ``results/bench.json`` (written by
   scripts/bench.py, which ``make bench`` runs first).
3. Peak memory (``ru_maxrss``) of this process, and of the cold-report processes.

The mix (made up, typical of this assistant): 1–8 customer turns a conversation (greeting and
thanks included), questions mostly answered from the knowledge base (texts from
nlu/data/faq.yml, ~15 % as buttons), ~15 % of questions unanswered: out_of_scope (20 topics ×
8 phrasings, recombined with openers, a masked personal detail or a second topic; a few are
asked by many conversations, the tail by few), nlu_fallback (vague messages) and FAQ intents
too unsure to answer (the fallback action); ~8 % of conversations ask for a person (a live
handoff or a call-back form), ~2 % file a request through the request form.

``--quick`` is a smoke run (5,000 conversations, 50 for the pace); ``--profile`` prints where a
warm ``compute_figures`` spends its time (cProfile).
"""
from __future__ import annotations

import argparse
import bisect
import cProfile
import heapq
import io
import itertools
import json
import pstats
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from analytics.consumer import Consumer  # noqa: E402
from analytics.figures import MAX_TEXTS_CLUSTERED, compute_figures  # noqa: E402
from analytics.sources import BATCH_SIZE as SOURCE_BATCH_EVENTS  # noqa: E402
from policy_kb import load_knowledge_base  # noqa: E402
from sobu_privacy.clock import JST, japan_date  # noqa: E402
from sobu_privacy.identifiers import new_ticket_number  # noqa: E402
from sobu_privacy.requests import DeliveryMethod, RequesterKind, RequestType  # noqa: E402
from sobu_privacy.settings import load_settings  # noqa: E402
from sobu_privacy.workflow import TicketStatus  # noqa: E402
from storage import Database  # noqa: E402
from storage.analytics import AnalyticsStore, Period  # noqa: E402
from storage.models import AnalyticsQuestionRow, TicketHistoryRow, TicketRow  # noqa: E402

TARGET_SECONDS = 10.0
DAYS = 30
SCALE_BATCH_EVENTS = 2_000
QUICK_CONVERSATIONS = 5_000
BENCH_JSON = ROOT / "results" / "bench.json"

# --- what customers write ---------------------------------------------------------------------

#: Questions about the gas/electricity business, not the privacy policy: the assistant cannot
#: answer them. 20 topics × 8 phrasings (analytics/figures.py's CLUSTER_SIMILARITY refers to these).
TOPICS = ["ポイント", "引っ越し", "ガス料金", "電気料金", "支払い方法", "口座振替", "検針日", "解約", "名義変更",
          "マイページ", "請求書", "ガス機器の修理", "点検", "契約プラン", "領収書", "クレジットカード",
          "料金の明細", "開栓", "閉栓", "キャンペーン"]
FORMS = ["{}について教えて", "{}はどうすればいいですか", "{}の手続きをしたい", "{}ってどうなってますか？",
         "{}を変更したいのですが", "{}について知りたいです", "{}の件で相談です", "{}はいつですか"]
PHRASINGS = [form.format(topic) for topic in TOPICS for form in FORMS]  # 160
#: How a message may start (weights: most start with the question itself).
OPENERS = [("", 60), ("すみません、", 12), ("あの、", 8), ("質問なんですが、", 10), ("ちょっと聞きたいんですが、", 6),
           ("教えてください。", 4)]
#: A personal detail before the question, as stored (already masked) and as typed (raw, for GiNZA).
PERSONAL_MASKED = ["［氏名］です。", "お客様番号［お客様番号］ですが、", "［住所］の者ですが、", "電話番号は［電話番号］です。"]
NAMES = ["山田太郎", "佐藤花子", "鈴木一郎", "高橋美咲", "田中健", "伊藤さくら", "渡辺浩二", "中村由美"]
#: What the classifier sends to nlu_fallback: too vague to be anything.
VAGUE = ["えっと", "あのー", "？", "うーん、よくわからない", "さっきのやつ", "それで？", "ちがう", "なんで",
         "もういい", "はい？", "意味がわからない", "え", "ちょっとまって", "どういうこと", "あれどうなった",
         "さっきの続き", "ｗｗ", "それじゃなくて", "むずかしい", "もう一回"]
GREETINGS = ["こんにちは", "こんばんは", "すみません", "お世話になります", "はじめまして"]
THANKS = ["ありがとうございました", "わかりました、ありがとう", "助かりました", "了解です", "ありがとう"]
ASK_PERSON = ["担当者と話したい", "人と話せますか", "オペレーターにつないで", "電話で相談したい"]
START_REQUEST = ["開示請求をしたい", "登録情報の訂正をお願いしたい", "ダイレクトメールを止めてほしい", "情報を消してほしい"]
REQUEST_TYPE_OF = {START_REQUEST[0]: RequestType.DISCLOSURE, START_REQUEST[1]: RequestType.CORRECTION,
                   START_REQUEST[2]: RequestType.STOP_USE, START_REQUEST[3]: RequestType.ERASURE}
#: Customer turns per conversation, 1–8 (weights).
TURNS = [(1, 14), (2, 22), (3, 20), (4, 15), (5, 11), (6, 8), (7, 6), (8, 4)]
#: Conversations by hour of day, Japan time (daytime and evening peaks).
HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 11, 12, 12, 10, 11, 11, 10, 9, 9, 9, 10, 10, 8, 5, 3]

UNANSWERED_SHARE = 0.15    # of the questions
HANDOFF_SHARE = 0.08       # of the conversations
TICKET_SHARE = 0.02        # of the conversations


def _weighted(pairs: Sequence[Tuple[Any, float]]) -> Tuple[List[Any], List[float]]:
    values = [value for value, _ in pairs]
    return values, list(itertools.accumulate(weight for _, weight in pairs))


def faq_examples() -> Dict[str, List[str]]:
    """The training examples of each FAQ intent: how customers ask what the assistant answers."""
    data = yaml.safe_load((ROOT / "nlu" / "data" / "faq.yml").read_text(encoding="utf-8"))
    examples: Dict[str, List[str]] = {}
    for item in data.get("nlu", []):
        if "intent" not in item:
            continue
        lines = [re.sub(r"\[([^\]]+)\][({][^)}]*[)}]", r"\1", line[2:].strip())
                 for line in str(item.get("examples", "")).splitlines() if line.strip().startswith("- ")]
        examples[item["intent"]] = [line for line in lines if line]
    return examples


@dataclass
class TicketFiled:
    """A request filed in a generated conversation (its ticket is inserted afterwards)."""

    number: str
    conversation_id: str
    created_at: datetime
    request_type: RequestType


@dataclass
class Mix:
    """What was generated, counted as it was generated."""

    conversations: int = 0
    events: int = 0
    messages: int = 0
    questions: int = 0
    typed_questions: int = 0
    unanswered: int = 0
    handoffs: int = 0
    tickets: int = 0


class Generator:
    """Rasa broker events of made-up conversations, interleaved in publishing (timestamp) order.

    ``raw_personal_data``: unanswered texts and form answers hold personal data as typed (for
    the real de-identifier); otherwise the texts hold it already masked, as the store would.
    """

    def __init__(self, seed: int, *, raw_personal_data: bool, now: Optional[datetime] = None) -> None:
        self.random = random.Random(seed)
        self.raw = raw_personal_data
        self.now = now or datetime.now(JST)
        kb = load_knowledge_base()
        examples = faq_examples()
        self.faq = [intent for intent in kb.faq_intents if examples.get(intent)]
        self.examples = examples
        order = self.faq[:]
        self.random.shuffle(order)  # a few intents are asked much more often than the rest
        self.faq_values, self.faq_cum = _weighted([(intent, 1 / (rank + 2)) for rank, intent in enumerate(order)])
        phrasings = PHRASINGS[:]
        self.random.shuffle(phrasings)  # popularity: a few asked by many, the tail by few
        self.phrasing_values, self.phrasing_cum = _weighted([(p, 1 / (rank + 8)) for rank, p in enumerate(phrasings)])
        self.opener_values, self.opener_cum = _weighted(OPENERS)
        self.turn_values, self.turn_cum = _weighted(TURNS)
        self.hour_values, self.hour_cum = _weighted(list(enumerate(HOURS)))
        self.mix = Mix()
        self.tickets: List[TicketFiled] = []
        self._numbers: set = set()

    def _pick(self, values: List[Any], cum: List[float]) -> Any:
        return values[bisect.bisect(cum, self.random.random() * cum[-1])]

    # --- texts --------------------------------------------------------------------------
    def _personal_detail(self) -> str:
        r = self.random
        if not self.raw:
            return r.choice(PERSONAL_MASKED)
        kind = r.randrange(4)
        if kind == 0:
            return f"{r.choice(NAMES)}です。"
        if kind == 1:
            return f"お客様番号{r.randrange(10**9, 10**10)}ですが、"
        if kind == 2:
            return f"千葉県旭市ニの{r.randint(100, 9999)}番地の者ですが、"
        return f"電話番号は090-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}です。"

    def unanswered_text(self) -> str:
        r = self.random
        roll = r.random()
        if roll < 0.10:  # two topics in one question: mostly asked once
            first, second = r.sample(TOPICS, 2)
            question = f"{first}と{second}について教えてください"
        else:
            question = self._pick(self.phrasing_values, self.phrasing_cum)
        opener = self._personal_detail() if r.random() < 0.08 else self._pick(self.opener_values, self.opener_cum)
        return opener + question

    # --- one conversation -----------------------------------------------------------------
    def conversation(self, sender: str, start: float) -> List[Dict[str, Any]]:
        r, mix = self.random, self.mix
        events: List[Dict[str, Any]] = []
        ts = start

        def add(kind: str, gap: float = 0.05, **fields: Any) -> None:
            nonlocal ts
            ts += gap
            events.append({"sender_id": sender, "event": kind, "timestamp": round(ts, 6), **fields})

        def user(text: str, intent: Optional[str], confidence: float, question: bool = False) -> None:
            mix.messages += 1
            if question:
                mix.questions += 1
                mix.typed_questions += not text.startswith("/")
            data = {"intent": {"name": intent, "confidence": round(confidence, 4)} if intent else None,
                    "entities": [], "text": text}
            add("user", gap=r.uniform(4.0, 40.0), text=text, parse_data=data, input_channel="socketio",
                message_id=f"{r.getrandbits(64):016x}")

        def bot(utter: str) -> None:
            add("bot", text="…", data={}, metadata={"utter_action": utter})

        def listen() -> None:
            add("action", name="action_listen", policy="RulePolicy", confidence=1.0)

        def action(name: str) -> None:
            add("action", name=name, policy="RulePolicy", confidence=1.0)

        def faq_turn() -> None:
            intent = self._pick(self.faq_values, self.faq_cum)
            if r.random() < 0.15:
                user(f"/{intent}", intent, 1.0, question=True)  # a button: its payload, not typed text
            else:
                user(r.choice(self.examples[intent]), intent, 0.45 + 0.55 * r.betavariate(4.0, 1.3), question=True)
            action("action_answer_faq")
            bot("utter_faq_answer")
            add("slot", name="last_faq", value=intent)
            listen()

        def unanswered_turn() -> None:
            mix.unanswered += 1
            roll = r.random()
            if roll < 0.65:
                user(self.unanswered_text(), "out_of_scope", r.uniform(0.3, 0.95), question=True)
                action("action_handle_out_of_scope")
                bot("utter_out_of_scope")
            elif roll < 0.85:
                user(r.choice(VAGUE), "nlu_fallback", 0.2, question=True)  # FallbackClassifier's threshold
                action("action_handle_fallback")
                bot("utter_default")
            else:  # an FAQ intent, too unsure to answer: the fallback action runs
                user(self.unanswered_text(), self._pick(self.faq_values, self.faq_cum), r.uniform(0.2, 0.45),
                     question=True)
                action("action_handle_fallback")
                bot("utter_default")
            listen()

        def slot_answer(slot: str, text: str, value: Any = None) -> None:
            add("slot", name="requested_slot", value=slot)
            user(text, "inform", r.uniform(0.4, 0.9))
            add("slot", name=slot, value=text if value is None else value)

        def name_phone() -> Tuple[str, str]:
            name = r.choice(NAMES)
            phone = f"090{r.randint(1000, 9999)}{r.randint(1000, 9999)}"
            return name, phone

        def handoff() -> None:
            mix.handoffs += 1
            user(r.choice(ASK_PERSON), "request_human", r.uniform(0.7, 0.99), question=True)
            if r.random() < 0.6:  # a person is free: a live handoff pauses the conversation
                action("action_handoff")
                bot("utter_handoff")
                add("pause")
            else:  # outside hours or all busy: a call-back
                action("callback_form")
                add("active_loop", name="callback_form")
                name, phone = name_phone()
                slot_answer("callback_name", name)
                slot_answer("callback_phone", phone)
                add("active_loop", name=None)
                bot("utter_callback_registered")
                listen()

        def file_request() -> None:
            mix.tickets += 1
            text = r.choice(START_REQUEST)
            user(text, "start_request", r.uniform(0.6, 0.99), question=True)
            action("request_form")
            add("active_loop", name="request_form")
            name, phone = name_phone()
            slot_answer("request_type", "開示", REQUEST_TYPE_OF[text].value)
            slot_answer("requester_kind", "本人", RequesterKind.SELF.value)
            slot_answer("customer_name", name)
            slot_answer("customer_name_kana", "ヤマダタロウ")
            if r.random() < 0.2:  # a policy question in the middle of the form
                faq_turn()
            slot_answer("postal_code", "289-2511")
            slot_answer("address", f"千葉県旭市ニの{r.randint(100, 9999)}番地")
            slot_answer("phone", phone)
            slot_answer("email", "なし", None)
            slot_answer("customer_number", "なし", None)
            slot_answer("request_details", "登録されている情報を確認したい")
            slot_answer("delivery_method", "郵送", DeliveryMethod.POST.value)
            add("active_loop", name=None)
            action("action_submit_request")
            number = new_ticket_number()
            while number in self._numbers:
                number = new_ticket_number()
            self._numbers.add(number)
            add("slot", name="last_ticket_number", value=number)
            bot("utter_request_submitted")
            listen()
            self.tickets.append(TicketFiled(number, sender, datetime.fromtimestamp(ts, tz=timezone.utc),
                                            REQUEST_TYPE_OF[text]))

        mix.conversations += 1
        add("action", gap=0.0, name="action_session_start", policy=None, confidence=None)
        add("session_started")
        listen()
        turns = self._pick(self.turn_values, self.turn_cum)
        greets = turns > 1 and r.random() < 0.35
        thanks = turns > 1 and r.random() < 0.45
        person = r.random() < HANDOFF_SHARE
        request = not person and r.random() < TICKET_SHARE / (1 - HANDOFF_SHARE)
        # questions are what is left of the turns; ~15 % of them unanswered
        asked = max(1, turns - greets - thanks - person - request)
        if greets:
            user(r.choice(GREETINGS), "greet", r.uniform(0.8, 0.99))
            action("utter_greet")
            bot("utter_greet")
            listen()
        for _ in range(asked):
            if r.random() < UNANSWERED_SHARE:
                unanswered_turn()
            else:
                faq_turn()
        if request:
            file_request()
        if person:
            handoff()
        if thanks:
            user(r.choice(THANKS), "thanks", r.uniform(0.8, 0.99))
            action("utter_thanks")
            bot("utter_thanks")
            listen()
        mix.events += len(events)
        return events

    # --- many conversations, as the broker publishes them ---------------------------------
    def starts(self, conversations: int, days: int = DAYS) -> List[float]:
        """Start times over the last ``days`` days (Japan time, today included), oldest first."""
        r = self.random
        today = self.now.date()
        latest = (self.now - timedelta(minutes=15)).timestamp()  # every event before now
        first_day = today - timedelta(days=days - 1)
        day_cum = list(itertools.accumulate(0.75 if (first_day + timedelta(d)).weekday() >= 5 else 1.0
                                            for d in range(days)))
        starts: List[float] = []
        while len(starts) < conversations:
            day = first_day + timedelta(days=bisect.bisect(day_cum, r.random() * day_cum[-1]))
            hour = self._pick(self.hour_values, self.hour_cum)
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=JST) + timedelta(seconds=r.uniform(0, 3600))
            if moment.timestamp() <= latest:
                starts.append(moment.timestamp())
        starts.sort()
        return starts

    def batches(self, conversations: int, batch_events: int) -> Iterator[List[Dict[str, Any]]]:
        """Batches of about ``batch_events`` events in timestamp order: conversations that
        overlap in time are interleaved, as the broker receives them."""
        heap: List[Tuple[float, int, Dict[str, Any]]] = []
        seq = itertools.count()
        batch: List[Dict[str, Any]] = []
        for start in self.starts(conversations):
            while heap and heap[0][0] < start:
                batch.append(heapq.heappop(heap)[2])
            if len(batch) >= batch_events:
                yield batch
                batch = []
            sender = f"{self.random.getrandbits(128):032x}"
            for event in self.conversation(sender, start):
                heapq.heappush(heap, (event["timestamp"], next(seq), event))
        while heap:
            batch.append(heapq.heappop(heap)[2])
        if batch:
            yield batch


# --- part 1: the report at scale -----------------------------------------------------------------


def sections_for_kb() -> Callable[[str], Sequence[str]]:
    """As analytics/__main__.py's build_consumer: the policy sections of an FAQ intent's answer."""
    kb = load_knowledge_base()
    faq = set(kb.faq_intents)
    return lambda intent: kb.answer_for(intent).sections if intent in faq else ()


def insert_tickets(db: Database, filed: Sequence[TicketFiled], now: datetime, seed: int = 11) -> Tuple[int, int]:
    """The tickets of the requests filed in the generated conversations, plus a quarter as many
    filed 30–60 days ago (so some closings in the period are of older tickets), each with its
    status history, through the ORM models (one transaction). Returns (tickets, history rows)."""
    r = random.Random(seed)
    due_days = load_settings().ticket_due_days
    taken = {t.number for t in filed}
    older: List[TicketFiled] = []
    for _ in range(len(filed) // 4):
        number = new_ticket_number()
        while number in taken:
            number = new_ticket_number()
        taken.add(number)
        created = now - timedelta(days=r.uniform(DAYS, 2 * DAYS))
        older.append(TicketFiled(number, f"{r.getrandbits(128):032x}", created.astimezone(timezone.utc),
                                 r.choice(list(RequestType))))
    history = 0
    with db.transaction() as session:
        rows: List[Tuple[TicketRow, List[Tuple[datetime, Optional[str], str]]]] = []
        for ticket in list(filed) + older:
            created = ticket.created_at
            steps: List[Tuple[datetime, Optional[str], str]] = [(created, None, TicketStatus.PENDING_VERIFICATION.value)]
            at, status = created, TicketStatus.PENDING_VERIFICATION
            # identity checked in 0–4 days, worked on in 1–5, answered in 1–14: some pass the due date
            for wait, nxt in ((r.uniform(0.2, 4), TicketStatus.ACCEPTED), (r.uniform(1, 5), TicketStatus.IN_PROGRESS),
                              (r.uniform(1, 14), TicketStatus.ANSWERED)):
                at = at + timedelta(days=wait)
                if at > now:
                    break
                roll = r.random()
                if nxt is not TicketStatus.ANSWERED and roll < 0.04:
                    nxt = TicketStatus.WITHDRAWN
                elif nxt is TicketStatus.ANSWERED and roll < 0.06:
                    nxt = TicketStatus.REFUSED
                steps.append((at, status.value, nxt.value))
                status = nxt
                if status.is_final:
                    break
            row = TicketRow(
                number=ticket.number, request_type=ticket.request_type.value,
                requester_kind=RequesterKind.SELF.value, name="試験 花子", name_kana="シケン ハナコ",
                postal_code="289-2511", address="千葉県旭市ニの1番地", phone="09000000000",
                details="登録されている情報を確認したい", delivery_method=DeliveryMethod.POST.value,
                conversation_id=ticket.conversation_id, status=status.value,
                refusal_reason="本人確認ができなかったため" if status is TicketStatus.REFUSED else None,
                created_at=created, updated_at=steps[-1][0],
                due_date=japan_date(created) + timedelta(days=due_days),
            )
            session.add(row)
            rows.append((row, steps))
        session.flush()
        for row, steps in rows:
            for at, before, after in steps:
                session.add(TicketHistoryRow(ticket_id=row.id, at=at, actor="customer" if before is None else "staff",
                                             from_status=before, to_status=after, comment="ベンチマーク"))
                history += 1
    return len(rows), history


def time_cold(url: str, runs: int) -> Tuple[List[float], List[float], float]:
    """compute_figures in fresh processes: (its seconds, the process's wall seconds, peak MB)."""
    inner, outer, peak = [], [], 0.0
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--figures-once", url], check=True,
                             capture_output=True, text=True).stdout
        outer.append(time.perf_counter() - started)
        result = json.loads(out.strip().splitlines()[-1])
        inner.append(result["seconds"])
        peak = max(peak, result["peak_mb"])
    return inner, outer, peak


def figures_once(url: str) -> int:
    """(Child of ``time_cold``.) One compute_figures in this fresh process, as JSON."""
    store = AnalyticsStore(Database(url, migrate=False))
    started = time.perf_counter()
    figures = compute_figures(store, Period.last_days(DAYS))
    took = time.perf_counter() - started
    print(json.dumps({"seconds": took, "conversations": figures.conversations,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


def topics_of(text: str) -> set:
    """The topic of a generated unanswered text (none for a vague one or one asking about two)."""
    topics = {topic for topic in TOPICS if topic in text}
    return topics if len(topics) == 1 else set()


def report_at_scale(conversations: int, workdir: Path, *, profile: bool) -> None:
    url = f"sqlite:///{workdir / 'analytics.db'}"
    db = Database(url)
    store = AnalyticsStore(db)
    consumer = Consumer(store, lambda text, _known: text, sections_for_kb(), pseudonym_key=b"bench-analytics")
    generator = Generator(seed=20261204, raw_personal_data=False)
    print(f"[1] generating {conversations:,} conversations over the last {DAYS} days through Consumer.process "
          f"(identity mask, batches of {SCALE_BATCH_EVENTS:,} events) ...", flush=True)
    started = time.perf_counter()
    in_consumer = 0.0
    applied = batches = 0
    for batch in generator.batches(conversations, SCALE_BATCH_EVENTS):
        t0 = time.perf_counter()
        applied += consumer.process(batch)
        in_consumer += time.perf_counter() - t0
        batches += 1
        if batches % 100 == 0:
            print(f"    {generator.mix.conversations:,} conversations, {generator.mix.events:,} events, "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
    took = time.perf_counter() - started
    mix = generator.mix
    print(f"    {mix.events:,} events ({applied:,} applied, the rest before a first message), {mix.messages:,} customer "
          f"messages, {mix.questions:,} questions ({mix.unanswered:,} unanswered), {mix.handoffs:,} asking for a "
          f"person, {mix.tickets:,} requests filed")
    print(f"    took {took:.0f} s, of which Consumer.process {in_consumer:.0f} s: {mix.events / in_consumer:,.0f} events/s, "
          f"{mix.messages / in_consumer:,.0f} customer messages/s with the identity mask")
    started = time.perf_counter()
    tickets, history = insert_tickets(db, generator.tickets, generator.now)
    print(f"    + {tickets:,} tickets with {history:,} status changes through the ORM in {time.perf_counter() - started:.1f} s")
    with db.transaction(readonly=True) as session:
        q = AnalyticsQuestionRow
        distinct = session.execute(select(func.count(func.distinct(q.text))).where(q.text.is_not(None))).scalar_one()
        stored = session.execute(select(func.count()).select_from(q)).scalar_one()
    size_mb = (workdir / "analytics.db").stat().st_size / 2**20
    print(f"    database: {stored:,} question rows, {distinct:,} distinct unanswered texts, {size_mb:,.0f} MB "
          f"(+ WAL {(workdir / 'analytics.db-wal').stat().st_size / 2**20 if (workdir / 'analytics.db-wal').exists() else 0:,.0f} MB)")

    period = Period.last_days(DAYS)
    print(f"[1] timing compute_figures(store, Period.last_days({DAYS})) = {period.first} .. {period.last} ...", flush=True)
    cold, cold_wall, cold_peak = time_cold(url, 3)
    warm = []
    for run in range(4):
        t0 = time.perf_counter()
        figures = compute_figures(store, period)
        if run:  # the first call in this process loads the knowledge base and Sudachi: not warm
            warm.append(time.perf_counter() - t0)
    shown_messages = sum(c.messages for c in figures.clusters)
    mixed = sum(1 for c in figures.clusters if len(set().union(*[topics_of(e) for e in c.examples])) > 1)
    print(f"    figures: {figures.conversations:,} conversations, {figures.messages:,} messages, "
          f"{figures.questions:,} questions, {figures.unanswered:,} unanswered, {figures.handoffs:,} handoffs "
          f"(containment {figures.containment:.1%}), {figures.conversations_with_ticket:,} with a ticket")
    print(f"    clusters: {len(figures.clusters)} shown ({shown_messages:,} messages; {mixed} whose examples mix topics), "
          f"{figures.unanswered_hidden:,} unanswered only counted; texts clustered: {min(distinct, MAX_TEXTS_CLUSTERED):,} "
          f"of {distinct:,} distinct")
    t = figures.tickets
    print(f"    tickets: {t.opened:,} opened, {t.closed:,} closed, {t.overdue:,} overdue, "
          f"median {t.median_days_to_close} days to close")
    worst = max(statistics.median(cold), statistics.median(warm))
    verdict = "MET" if worst < TARGET_SECONDS else "NOT MET"
    print(f"compute_figures, 30 days of {figures.conversations:,} conversations: cold {statistics.median(cold):.2f} s "
          f"(median of 3 fresh processes: {', '.join(f'{s:.2f}' for s in cold)}; whole process "
          f"{statistics.median(cold_wall):.1f} s, peak {cold_peak:,.0f} MB), warm {statistics.median(warm):.2f} s "
          f"(median of 3: {', '.join(f'{s:.2f}' for s in warm)}); target < {TARGET_SECONDS:.0f} s: {verdict}", flush=True)
    if profile or worst >= TARGET_SECONDS:
        profiler = cProfile.Profile()
        profiler.enable()
        compute_figures(store, period)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print("cProfile of one warm compute_figures (cumulative):\n" + out.getvalue())
    db.engine.dispose()


# --- part 2: the consumer's pace with GiNZA ---------------------------------------------------------


def chat_turns_per_second() -> Optional[Tuple[float, str]]:
    """The chat's best whole-turn throughput from scripts/bench.py's last run, if any."""
    try:
        report = json.loads(BENCH_JSON.read_text(encoding="utf-8"))
        turns = [s for s in report["scenarios"] if s["kind"] == "turn" and not s.get("errors")]
        best = max(turns, key=lambda s: s["throughput_rps"])
        return best["throughput_rps"], f"{best['clients']} client(s), {report.get('generated_at', '?')}"
    except (OSError, ValueError, KeyError):
        return None


def consumer_pace(conversations: int, workdir: Path, scale_conversations: int) -> None:
    from analytics.__main__ import build_consumer
    from analytics.deidentify import load_deidentifier

    print(f"[2] the real consumer (build_consumer: GiNZA masking) on {conversations} conversations, "
          f"batches of {SOURCE_BATCH_EVENTS} events ...", flush=True)
    t0 = time.perf_counter()
    db = Database(f"sqlite:///{workdir / 'pace.db'}")
    consumer = build_consumer(AnalyticsStore(db))
    deidentifier = load_deidentifier()
    for text in ("山田太郎です。引っ越しの手続きをしたい", "電話は０９０－１２３４－５６７８です"):  # warm up GiNZA
        deidentifier.mask(text, ())
    print(f"    GiNZA and the knowledge base loaded in {time.perf_counter() - t0:.1f} s")
    generator = Generator(seed=7, raw_personal_data=True)
    batches = list(generator.batches(conversations, SOURCE_BATCH_EVENTS))
    mix = generator.mix
    started, applied = time.perf_counter(), 0
    for batch in batches:
        applied += consumer.process(batch)
    took = time.perf_counter() - started
    messages_per_s = mix.messages / took
    print(f"    {mix.events:,} events, {mix.messages:,} customer messages ({mix.typed_questions:,} typed questions "
          f"masked) in {took:.1f} s: {mix.events / took:,.0f} events/s, {messages_per_s:,.1f} customer messages/s "
          f"({1000 * took / max(mix.typed_questions, 1):.0f} ms per masked question)")
    chat = chat_turns_per_second()
    if chat is None:
        print(f"    the chat's own pace: no {BENCH_JSON.relative_to(ROOT)} (run scripts/bench.py first)")
    else:
        rate, how = chat
        keeps_up = "keeps up" if messages_per_s >= rate else "does NOT keep up"
        print(f"    the chat's own pace (scripts/bench.py, {how}): {rate:,.1f} turns/s = customer messages/s; "
              f"the consumer {keeps_up} ({messages_per_s / rate:.1f}x) when both run flat out")
    # The scale run's traffic (conversations over 30 days, this mix) in consumer time a day.
    per_day = scale_conversations / DAYS * mix.messages / max(mix.conversations, 1)
    print(f"    at {scale_conversations:,} conversations / {DAYS} days (~{per_day:,.0f} customer messages a day) "
          f"the consumer needs ~{per_day / messages_per_s / 60:,.1f} CPU-minutes a day")
    db.engine.dispose()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000, help="for the report at scale (default 100,000)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: {QUICK_CONVERSATIONS:,} conversations, 50 for the consumer's pace")
    parser.add_argument("--pace-conversations", type=int, default=300, help="for the consumer's pace with GiNZA")
    parser.add_argument("--profile", action="store_true", help="cProfile one warm compute_figures")
    parser.add_argument("--figures-once", metavar="URL", help=argparse.SUPPRESS)  # a cold run (child process)
    args = parser.parse_args(argv)
    if args.figures_once:
        return figures_once(args.figures_once)
    conversations = QUICK_CONVERSATIONS if args.quick else args.conversations
    pace = 50 if args.quick else args.pace_conversations
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        report_at_scale(conversations, Path(tmp), profile=args.profile)
        consumer_pace(pace, Path(tmp), conversations)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[3] peak memory (ru_maxrss) of this process: {own:,.0f} MB (GiNZA included)")
    print(f"bench_analytics: {time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
