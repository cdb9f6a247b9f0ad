"""The consumer against a fixture of known conversations: every figure is counted by hand."""
from __future__ import annotations

from datetime import date
from typing import Iterable

import pytest
from sqlalchemy import select

from analytics.consumer import Consumer, Metric, confidence_bucket, is_question
from policy_kb import load_knowledge_base
from sobu_privacy.pseudonyms import ANALYTICS, pseudonym
from storage import Database
from storage.analytics import AnalyticsStore, Period
from storage.models import AnalyticsQuestionRow

from .chats import Chat

DAY = date(2026, 11, 25)
KEY = b"analytics-test-key"


def mask_known(text: str, known: Iterable[str]) -> str:
    """Masks only what the conversation gave: the consumer's part, isolated from the rules."""
    for value in known:
        text = text.replace(value, "［氏名］")
    return text


@pytest.fixture
def store(tmp_path) -> AnalyticsStore:
    return AnalyticsStore(Database(f"sqlite:///{tmp_path / 'app.db'}"))


@pytest.fixture
def consumer(store) -> Consumer:
    kb = load_knowledge_base()
    return Consumer(store, mask_known, lambda intent: kb.answer_for(intent).sections, pseudonym_key=KEY)


def counts(store: AnalyticsStore) -> dict:
    return {(c.metric, c.key): c.count for c in store.daily_counts(Period(DAY, DAY))}


def questions(store: AnalyticsStore) -> list[AnalyticsQuestionRow]:
    with store.db.transaction(readonly=True) as session:
        return list(session.execute(select(AnalyticsQuestionRow).order_by(AnalyticsQuestionRow.id)).scalars())


def known_conversations() -> list[dict]:
    stream: list[dict] = []
    # 1. A policy question, answered from 第8条; thanks. Resolved without a person.
    Chat(stream, "c1").faq("手数料はかかりますか", "faq_fee").user("ありがとう", "thanks")
    # 2. An unanswered question, then a person: the handoff follows that question.
    (Chat(stream, "c2").unanswered("ガス代の支払い方法を変えたい")
     .user("担当者と話したい", "request_human").action("action_handoff").pause())
    # 3. A request form: the name answer was scored out_of_scope, and is still a form answer.
    (Chat(stream, "c3").user("開示請求したい", "start_request").action("request_form").loop("request_form")
     .form_answer("customer_name", "総武花子", intent="out_of_scope")
     .form_answer("phone", "09012345678")
     .user("手数料はいくら？", "faq_fee").action("action_answer_faq").slot("last_faq", "faq_fee")
     .loop(None).slot("last_ticket_number", "PR-AB12-CD34"))
    # 4. A question naming the customer before the name was asked: masked once it is given.
    (Chat(stream, "c4").not_understood("佐藤一郎ですが検針票の見方がわかりません", "faq_collected_info")
     .user("開示したい", "start_request").loop("request_form").form_answer("customer_name", "佐藤一郎"))
    # 5–7. The same unanswered question from three conversations.
    for sender in ("c5", "c6", "c7"):
        Chat(stream, sender).unanswered("ポイントはたまりますか")
    # 8. A button (its payload, not typed text) and a call-back registered.
    (Chat(stream, "c8").user("/faq_purpose", "faq_purpose", 1.0).action("action_answer_faq").slot("last_faq", "faq_purpose")
     .user("電話してほしい", "request_human").bot("utter_callback_registered"))
    return stream


def test_known_conversations_give_the_counted_figures(consumer, store):
    stream = known_conversations()
    assert consumer.process(stream) == len(stream)
    figures = counts(store)
    assert figures[(Metric.CONVERSATIONS, "")] == 8
    assert figures[(Metric.MESSAGES, "")] == 16
    # Questions: c1 fee; c2 oos + human; c3 start + fee; c4 collected + start; c5-7 oos; c8 purpose + human.
    assert figures[(Metric.QUESTIONS, "")] == 12
    assert figures[(Metric.INTENT, "faq_fee")] == 2
    assert figures[(Metric.INTENT, "out_of_scope")] == 4  # the form answer scored out_of_scope is not one
    assert figures[(Metric.INTENT, "request_human")] == 2
    assert (Metric.INTENT, "inform") not in figures and (Metric.INTENT, "thanks") not in figures
    assert figures[(Metric.SECTION, "8")] == 2 and figures[(Metric.SECTION, "2")] == 1
    assert figures[(Metric.UNANSWERED, "")] == 5  # c2, c4 (fallback action), c5-7
    assert figures[(Metric.HANDOFFS, "")] == 2  # c2 live, c8 call-back
    assert figures[(Metric.HANDOFF_AFTER, "out_of_scope")] == 1  # c2: the question, not 「担当者と話したい」
    assert figures[(Metric.HANDOFF_AFTER, "faq_purpose")] == 1
    assert figures[(Metric.TICKETS, "")] == 1
    assert sum(n for (metric, _), n in figures.items() if metric == Metric.CONFIDENCE) == 12


def test_only_unanswered_questions_keep_their_masked_text(consumer, store):
    consumer.process(known_conversations())
    kept = [q.text for q in questions(store) if q.text is not None]
    assert sorted(kept) == sorted([
        "ガス代の支払い方法を変えたい", "［氏名］ですが検針票の見方がわかりません",
        "ポイントはたまりますか", "ポイントはたまりますか", "ポイントはたまりますか",
    ])
    assert all(q.unanswered for q in questions(store) if q.text is not None)
    assert not any("総武花子" in (q.text or "") or "090" in (q.text or "") for q in questions(store))


def test_conversations_appear_only_as_their_analytics_pseudonym(consumer, store):
    consumer.process(known_conversations())
    senders = {q.conversation for q in questions(store)}
    assert pseudonym("c2", purpose=ANALYTICS, key=KEY) in senders
    assert not {"c1", "c2", "c3"} & senders


def test_a_redelivered_batch_counts_nothing_twice(consumer, store):
    stream = known_conversations()
    consumer.process(stream)
    before, before_questions = counts(store), len(questions(store))
    assert consumer.process(stream) == 0
    assert counts(store) == before and len(questions(store)) == before_questions


def test_malformed_events_are_skipped_and_the_rest_applied(consumer, store):
    stream: list = [{"event": "user"}, {"sender_id": 5, "event": "user"}, {"sender_id": "x", "event": "user", "timestamp": "soon"}]
    Chat(stream, "ok").faq("個人情報の利用目的は？", "faq_purpose")
    stream.append({"sender_id": "ok", "event": "user", "timestamp": 10**10, "parse_data": "not a dict"})
    consumer.process(stream)
    assert counts(store)[(Metric.QUESTIONS, "")] == 1
    assert consumer.skipped == 4


def test_the_cursor_is_committed_with_the_facts(consumer, store):
    consumer.process(known_conversations()[:5], cursor=("sql-broker", 5))
    assert store.cursor("sql-broker") == 5


def test_questions_inside_a_form_are_only_the_interruptions():
    assert is_question("faq_fee", in_form=True)
    assert is_question("request_human", in_form=True)
    assert not is_question("out_of_scope", in_form=True)
    assert not is_question("nlu_fallback", in_form=True)
    assert not is_question("cancel", in_form=True)
    assert is_question("out_of_scope", in_form=False)
    assert not is_question("inform", in_form=False) and not is_question("affirm", in_form=False)


@pytest.mark.parametrize("value, bucket", [(None, "0.0"), (0.0, "0.0"), (0.05, "0.0"), (0.5, "0.5"), (0.99, "0.9"), (1.0, "0.9"), (7, "0.9"), (-1, "0.0")])
def test_confidence_buckets(value, bucket):
    assert confidence_bucket(value) == bucket


def test_erasure_and_retention_remove_the_facts_but_not_the_counts(consumer, store):
    consumer.process(known_conversations())
    before = counts(store)
    assert store.forget_conversation(pseudonym("c5", purpose=ANALYTICS, key=KEY)) == 1
    assert len([q for q in questions(store) if q.text == "ポイントはたまりますか"]) == 2
    assert store.purge(before=date(2026, 11, 26)) > 0
    assert questions(store) == []
    assert counts(store) == before
