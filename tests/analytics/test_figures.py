"""The analysts' figures from a fixture of known conversations, and when free text may show."""
from __future__ import annotations

import json

import pytest

from analytics.consumer import Consumer
from analytics.figures import MIN_CONVERSATIONS_FOR_TEXT, Suggestion, cluster_texts, compute_figures
from policy_kb import load_knowledge_base
from sobu_privacy.intents import INTENT_LABELS
from storage import Database
from storage.analytics import AnalyticsStore, Period

from .chats import Chat
from .test_consumer import DAY, KEY, known_conversations, mask_known

PERIOD = Period(DAY, DAY)


@pytest.fixture
def store(tmp_path) -> AnalyticsStore:
    return AnalyticsStore(Database(f"sqlite:///{tmp_path / 'app.db'}"))


def consume(store: AnalyticsStore, stream: list) -> None:
    kb = load_knowledge_base()
    Consumer(store, mask_known, lambda intent: kb.answer_for(intent).sections, pseudonym_key=KEY).process(stream)


def test_headline_figures_and_labels(store):
    consume(store, known_conversations())
    figures = compute_figures(store, PERIOD, today=DAY)
    assert (figures.conversations, figures.messages, figures.questions) == (8, 16, 12)
    assert (figures.unanswered, figures.handoffs, figures.conversations_with_ticket) == (5, 2, 1)
    assert figures.containment == 6 / 8 and figures.handoff_rate == 2 / 8
    assert [(d.day, d.conversations, d.messages) for d in figures.per_day] == [(DAY, 8, 16)]
    by_intent = {f.key: (f.label, f.count) for f in figures.by_intent}
    assert by_intent["out_of_scope"] == (INTENT_LABELS["out_of_scope"], 4)
    assert by_intent["faq_fee"] == (INTENT_LABELS["faq_fee"], 2)
    assert [f.count for f in figures.by_intent] == sorted((f.count for f in figures.by_intent), reverse=True)
    section_8 = next(s for s in figures.by_section if s.key == "8")
    assert section_8.count == 2 and section_8.label == f"8. {load_knowledge_base().section('8').title}"
    assert sum(b.count for b in figures.confidence) == 12 and len(figures.confidence) == 10
    assert {f.key for f in figures.handoff_after} == {"out_of_scope", "faq_purpose"}


def test_only_text_from_enough_conversations_is_shown(store):
    consume(store, known_conversations())
    figures = compute_figures(store, PERIOD, today=DAY)
    # 「ポイントはたまりますか」 came from c5, c6 and c7; c2's and c4's questions from one each.
    assert [c.examples for c in figures.clusters] == [("ポイントはたまりますか",)]
    cluster = figures.clusters[0]
    assert (cluster.conversations, cluster.messages) == (3, 3)
    assert cluster.suggestion == Suggestion.MISSING_ANSWER
    assert figures.unanswered_hidden == 2
    shown = json.dumps(figures.to_json(), ensure_ascii=False)
    assert "ガス代の支払い方法" not in shown and "検針票" not in shown


def test_one_conversation_repeating_itself_is_not_enough(store):
    stream: list = []
    chat = Chat(stream, "alone")
    for _ in range(MIN_CONVERSATIONS_FOR_TEXT + 2):
        chat.unanswered("山田の家のガス漏れ保険")
    consume(store, stream)
    figures = compute_figures(store, PERIOD, today=DAY)
    assert figures.clusters == () and figures.unanswered_hidden == MIN_CONVERSATIONS_FOR_TEXT + 2


def test_similar_questions_from_different_conversations_form_one_shown_cluster(store):
    stream: list = []
    for sender, text in (("a", "ポイントはたまりますか"), ("b", "ポイントは貯まりますか？"), ("c", "ポイント貯まりますか")):
        Chat(stream, sender).unanswered(text)
    Chat(stream, "d").unanswered("引っ越しの手続きを教えて")
    consume(store, stream)
    figures = compute_figures(store, PERIOD, today=DAY)
    assert len(figures.clusters) == 1
    assert set(figures.clusters[0].examples) == {"ポイントはたまりますか", "ポイントは貯まりますか？", "ポイント貯まりますか"}
    assert figures.clusters[0].conversations == 3 and figures.unanswered_hidden == 1


def test_a_known_question_not_understood_suggests_training(store):
    stream: list = []
    for sender, text in (("a", "てすうりょうは？"), ("b", "手数料って？"), ("c", "てすうりょういくら")):
        Chat(stream, sender).not_understood(text, "faq_fee")
    consume(store, stream)
    (cluster,) = compute_figures(store, PERIOD, today=DAY).clusters
    assert cluster.suggestion == Suggestion.TRAINING
    assert cluster.intents[0].label == INTENT_LABELS["faq_fee"]


def test_cluster_texts_keeps_unrelated_questions_apart():
    groups = cluster_texts(["料金の支払い方法", "料金の支払方法は？", "個人情報の開示", "開示請求したい個人情報"])
    assert sorted(sorted(g) for g in groups) == [[0, 1], [2, 3]]
    assert cluster_texts([]) == []


def test_the_same_wording_about_different_topics_is_not_one_cluster():
    texts = [f"{topic}{form}" for topic in ("ポイント", "引っ越し", "口座振替")
             for form in ("について教えて", "の手続きをしたい", "はどうすればいいですか")]
    groups = cluster_texts(texts)
    assert sorted(sorted(g) for g in groups) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_the_json_is_plain(store):
    consume(store, known_conversations())
    data = compute_figures(store, PERIOD, today=DAY).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["period"] == {"first": "2026-11-25", "last": "2026-11-25"}
    assert data["clusters"][0]["suggestion_label"] == Suggestion.LABELS[Suggestion.MISSING_ANSWER]


def test_readings_can_be_taken_by_several_threads_at_once():
    """The console computes figures in worker threads; Sudachi's tokenizer is not shareable."""
    from concurrent.futures import ThreadPoolExecutor

    from analytics.figures import reading

    texts = ["てすうりょうは？", "手数料って？", "ポイントは貯まりますか"] * 200
    with ThreadPoolExecutor(8) as pool:
        readings = list(pool.map(reading, texts))
    assert readings[:3] == ["テ スウ リョウ リョウ", "テスウリョウ テスウリョウ", "ポイント ポイント タマリ"]
    assert readings == readings[:3] * 200


def test_a_masked_detail_does_not_decide_the_cluster():
    texts = ["［電話番号］です。ポイントはたまりますか", "［電話番号］です。引っ越しの手続きを教えて",
             "ポイントは貯まりますか？", "引っ越しの手続きをしたい"]
    assert sorted(sorted(g) for g in cluster_texts(texts)) == [[0, 2], [1, 3]]
