"""The figures analysts see, computed from the analytics tables for a period.

One ``Figures`` value feeds both the console's analytics page (as JSON) and ``make report``
(analytics/report.py), so the two can never show different numbers. Everything here is
read from the consumer's daily counters and aggregate queries (storage/analytics.py): a
30-day report costs the same whatever the traffic was, and no ticket row is loaded.

Free text is the one place a person could show through masking, so it is shown only for
a **cluster** of similar unanswered questions that at least ``MIN_CONVERSATIONS_FOR_TEXT``
different conversations sent; every other unanswered question is only counted. Clusters are
found locally: TF-IDF over character 1–3-grams of the **readings of its content words**
(Sudachi, the tokenizer GiNZA is built on: nouns counted twice, verbs, adjectives and adverbs
once, particles, auxiliaries and symbols left out), so 「てすうりょう」 and 「手数料」, 「たまる」
and 「貯まる」 look alike while 「〜について教えて」 does not make every topic one; then a greedy
pass (most frequent text first) joins each text to the cluster it is most similar to on
average over the cluster's texts, if that is at least ``CLUSTER_SIMILARITY``.
"""
from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from sobu_privacy.clock import now_in_japan
from sobu_privacy.intents import UNANSWERED_INTENTS, intent_label
from sobu_privacy.requests import RequestType
from sobu_privacy.workflow import TicketStatus
from storage.analytics import AnalyticsStore, Period, UnansweredOccurrence

from .consumer import Metric

__all__ = [
    "Cluster",
    "DayFigures",
    "Figures",
    "Labelled",
    "MIN_CONVERSATIONS_FOR_TEXT",
    "Suggestion",
    "TicketSummary",
    "cluster_texts",
    "compute_figures",
]

#: A free text (or its cluster) is shown only when this many different conversations sent it.
MIN_CONVERSATIONS_FOR_TEXT = 3
#: Texts clustered per report (most conversations first); the rest are counted, not grouped.
MAX_TEXTS_CLUSTERED = 1500
#: Mean cosine similarity (TF-IDF of content-word reading 1–3-grams) to a cluster's texts from
#: which a text joins it: 20 topics × 8 phrasings (scripts/bench_analytics.py) give 21
#: clusters, each of one topic, in any order; 0.35 merges topics (joining to the cluster's
#: first text only, or to its closest text, merged topics at every threshold tried).
CLUSTER_SIMILARITY = 0.45
#: Parts of speech whose words say what a question is about (Sudachi's first POS level).
CONTENT_WORDS = frozenset({"名詞", "代名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞", "接続詞"})
#: Example texts shown per cluster.
EXAMPLES_PER_CLUSTER = 5
TOP = 10
CONFIDENCE_BUCKETS = tuple(f"{i / 10:.1f}" for i in range(10))


class Suggestion:
    """What a cluster of unanswered questions suggests to the analyst."""

    #: Classified as nothing the assistant knows: the knowledge base may lack an answer.
    MISSING_ANSWER = "missing_answer"
    #: Classified as a known question, but too unsure to answer: add training examples.
    TRAINING = "training"

    LABELS: Mapping[str, str] = {
        MISSING_ANSWER: "回答の追加を検討（ポリシーに記載があるか確認）",
        TRAINING: "既存の回答あり：学習例の追加を検討",
    }


@dataclass(frozen=True)
class Labelled:
    """A count under its stored key and the Japanese label analysts read."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class DayFigures:
    day: date
    conversations: int
    messages: int
    questions: int
    unanswered: int
    handoffs: int


@dataclass(frozen=True)
class Cluster:
    """Similar unanswered questions. ``examples`` is empty unless enough conversations sent them."""

    conversations: int
    messages: int
    examples: Tuple[str, ...]
    intents: Tuple[Labelled, ...]
    suggestion: str

    @property
    def suggestion_label(self) -> str:
        return Suggestion.LABELS[self.suggestion]


@dataclass(frozen=True)
class TicketSummary:
    by_type: Tuple[Labelled, ...]
    by_status: Tuple[Labelled, ...]
    opened: int
    closed: int
    overdue: int
    median_days_to_close: Optional[float]


@dataclass(frozen=True)
class Figures:
    period: Period
    generated_at: datetime
    conversations: int
    messages: int
    questions: int
    unanswered: int
    handoffs: int
    conversations_with_ticket: int
    per_day: Tuple[DayFigures, ...]
    by_intent: Tuple[Labelled, ...]
    by_section: Tuple[Labelled, ...]
    confidence: Tuple[Labelled, ...]
    handoff_after: Tuple[Labelled, ...]
    clusters: Tuple[Cluster, ...]
    #: Unanswered questions whose text is not shown (too few conversations), only counted.
    unanswered_hidden: int
    tickets: TicketSummary

    @property
    def containment(self) -> Optional[float]:
        """Share of conversations resolved without a person (no live handoff, no call-back)."""
        return None if not self.conversations else (self.conversations - self.handoffs) / self.conversations

    @property
    def handoff_rate(self) -> Optional[float]:
        return None if not self.conversations else self.handoffs / self.conversations

    def to_json(self) -> Dict[str, Any]:
        """Plain JSON types, for the console API and the report's embedded data."""
        data = asdict(self)
        data["period"] = {"first": self.period.first.isoformat(), "last": self.period.last.isoformat()}
        data["generated_at"] = self.generated_at.isoformat(timespec="seconds")
        data["per_day"] = [{**d, "day": d["day"].isoformat()} for d in data["per_day"]]
        data["containment"] = self.containment
        data["handoff_rate"] = self.handoff_rate
        for cluster, source in zip(data["clusters"], self.clusters):
            cluster["suggestion_label"] = source.suggestion_label
        return _plain(data)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


# --- computing ----------------------------------------------------------------------------------


def compute_figures(
    store: AnalyticsStore,
    period: Period,
    *,
    section_title: Optional[Callable[[str], str]] = None,
    answered_intents: Optional[Iterable[str]] = None,
    today: Optional[date] = None,
) -> Figures:
    """Every figure of the period. ``section_title`` and ``answered_intents`` default to the
    knowledge base's (policy section titles; the FAQ intents it has an answer for)."""
    if section_title is None or answered_intents is None:
        from policy_kb import load_knowledge_base

        kb = load_knowledge_base()
        section_title = section_title or (lambda number: kb.section(number).title)
        answered_intents = kb.faq_intents if answered_intents is None else answered_intents
    counts = store.daily_counts(period)
    totals: Counter[str] = Counter()
    keyed: Dict[str, Counter[str]] = defaultdict(Counter)
    per_day: Dict[Tuple[date, str], int] = Counter()
    for c in counts:
        if c.key:
            keyed[c.metric][c.key] += c.count
        else:
            totals[c.metric] += c.count
            per_day[(c.day, c.metric)] += c.count
    clusters, hidden = _clusters(store.unanswered_occurrences(period), set(answered_intents))
    tickets = store.ticket_figures(period, today=today)
    return Figures(
        period=period,
        generated_at=now_in_japan(),
        conversations=totals[Metric.CONVERSATIONS],
        messages=totals[Metric.MESSAGES],
        questions=totals[Metric.QUESTIONS],
        unanswered=totals[Metric.UNANSWERED],
        handoffs=totals[Metric.HANDOFFS],
        conversations_with_ticket=totals[Metric.TICKETS],
        per_day=tuple(
            DayFigures(
                day,
                per_day[(day, Metric.CONVERSATIONS)],
                per_day[(day, Metric.MESSAGES)],
                per_day[(day, Metric.QUESTIONS)],
                per_day[(day, Metric.UNANSWERED)],
                per_day[(day, Metric.HANDOFFS)],
            )
            for day in period.days
        ),
        by_intent=_top(keyed[Metric.INTENT], intent_label),
        by_section=_top(keyed[Metric.SECTION], lambda n: _section_label(n, section_title), limit=None),
        confidence=tuple(Labelled(b, b, keyed[Metric.CONFIDENCE][b]) for b in CONFIDENCE_BUCKETS),
        handoff_after=_top(keyed[Metric.HANDOFF_AFTER], lambda i: intent_label(i) if i else "（質問の前）"),
        clusters=clusters,
        unanswered_hidden=hidden,
        tickets=TicketSummary(
            by_type=tuple(
                Labelled(t.value, t.label, tickets.by_type.get(t.value, 0)) for t in RequestType
            ),
            by_status=tuple(
                Labelled(s.value, s.label, tickets.by_status.get(s.value, 0)) for s in TicketStatus
            ),
            opened=tickets.opened,
            closed=tickets.closed,
            overdue=tickets.overdue,
            median_days_to_close=tickets.median_days_to_close,
        ),
    )


def _top(counter: Mapping[str, int], label: Callable[[str], str], limit: Optional[int] = TOP) -> Tuple[Labelled, ...]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Labelled(key, label(key), n) for key, n in ranked[:limit])


def _section_label(number: str, title: Callable[[str], str]) -> str:
    try:
        return f"{number}. {title(number)}"
    except (KeyError, LookupError, ValueError):
        return f"{number}."


# --- clusters of unanswered questions ----------------------------------------------------------


@dataclass
class _Text:
    text: str
    conversations: Set[str] = field(default_factory=set)
    messages: int = 0
    intents: Counter = field(default_factory=Counter)


def _clusters(occurrences: Sequence[UnansweredOccurrence], answered: Set[str]) -> Tuple[Tuple[Cluster, ...], int]:
    texts: Dict[str, _Text] = {}
    for o in occurrences:
        t = texts.setdefault(o.text, _Text(o.text))
        t.conversations.add(o.conversation)
        t.messages += o.messages
        t.intents[o.intent or ""] += o.messages
    ranked = sorted(texts.values(), key=lambda t: (-len(t.conversations), -t.messages, t.text))
    clustered = ranked[:MAX_TEXTS_CLUSTERED]
    groups = cluster_texts([t.text for t in clustered])
    clusters: List[Cluster] = []
    hidden = sum(t.messages for t in ranked[MAX_TEXTS_CLUSTERED:])
    for members in groups:
        items = [clustered[i] for i in members]
        conversations = set().union(*(t.conversations for t in items))
        messages = sum(t.messages for t in items)
        intents: Counter[str] = sum((t.intents for t in items), Counter())
        shown = len(conversations) >= MIN_CONVERSATIONS_FOR_TEXT
        if not shown:
            hidden += messages
            continue
        clusters.append(
            Cluster(
                conversations=len(conversations),
                messages=messages,
                examples=tuple(t.text for t in items[:EXAMPLES_PER_CLUSTER]),
                intents=_top(intents, lambda i: intent_label(i) if i else "（不明）", limit=3),
                suggestion=_suggestion(intents, answered),
            )
        )
    clusters.sort(key=lambda c: (-c.conversations, -c.messages, c.examples))
    return tuple(clusters), hidden


def _suggestion(intents: Mapping[str, int], answered: Set[str]) -> str:
    """Mostly classified as a question the knowledge base answers → training; else missing."""
    known = sum(n for i, n in intents.items() if i in answered and i not in UNANSWERED_INTENTS)
    return Suggestion.TRAINING if known * 2 > sum(intents.values()) else Suggestion.MISSING_ANSWER


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    return Dictionary().create(SplitMode.C)


#: A Sudachi tokenizer may be used by one thread at a time (the console computes figures in
#: worker threads; two analysts may ask at once).
_TOKENIZER_LOCK = threading.Lock()
_PLACEHOLDER = re.compile(r"［[^］]*］")


def reading(text: str) -> str:
    """What a text is about, as read: its content words in katakana, nouns twice, spaced."""
    # A masked detail (［電話番号］) says nothing about the topic: left out, or every question
    # opening with one would cluster together (seen in scripts/bench_analytics.py).
    topical = _PLACEHOLDER.sub(" ", text)
    with _TOKENIZER_LOCK:
        morphemes = [(m.part_of_speech()[0], m.reading_form() or m.surface()) for m in _tokenizer().tokenize(topical)]
    words = [" ".join([r, r] if pos == "名詞" else [r]) for pos, r in morphemes if pos in CONTENT_WORDS]
    return " ".join(words) or text


def cluster_texts(texts: Sequence[str], threshold: float = CLUSTER_SIMILARITY) -> List[List[int]]:
    """Groups of indexes into ``texts`` (in the given order, which should be most important
    first): each text joins the cluster it is most similar to on average, if at least
    ``threshold``; otherwise it starts a cluster."""
    if not texts:
        return []
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    readings = [reading(text) for text in texts]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True).fit_transform(readings)
    similarity = (vectors @ vectors.T).toarray()  # rows are L2-normalised: cosine
    labels = np.zeros(len(texts), dtype=int)
    groups: List[List[int]] = []
    for i in range(len(texts)):
        if groups:
            sums = np.bincount(labels[:i], weights=similarity[i, :i], minlength=len(groups))
            means = sums / np.array([len(g) for g in groups])
            best = int(means.argmax())
            if means[best] >= threshold:
                labels[i] = best
                groups[best].append(i)
                continue
        labels[i] = len(groups)
        groups.append([i])
    return groups
