"""nlu.components.fallback: greet/affirm/deny/thanks/goodbye need their own, higher confidence;
other intents keep the global threshold (tiny fixtures, no model)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from nlu.components.fallback import IntentAwareFallbackClassifier, below_intent_threshold
from sobu_privacy.intents import NONSENSE_INTENT

ROOT = Path(__file__).resolve().parents[2]


def _classifier(tmp_path, **config):
    return IntentAwareFallbackClassifier.create(
        {**IntentAwareFallbackClassifier.get_default_config(), **config},
        LocalModelStorage(tmp_path), Resource("fallback"), ExecutionContext(GraphSchema({}), "test"))


def _message(intent: str, confidence: float) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "inform", "confidence": confidence / 2}]
    return Message(data={"text": "x", "intent": ranking[0], "intent_ranking": ranking})


@pytest.mark.parametrize("intent, confidence, expected", [
    ("greet", 0.24, "nlu_fallback"),  # 「ぴよぴよ」
    ("affirm", 0.49, "nlu_fallback"),
    ("greet", 0.5, "greet"),  # the bar itself passes
    ("greet", 0.75, "greet"),  # 「こんいちは」
    ("faq_fee", 0.24, "faq_fee"),  # other intents keep the global threshold
    ("faq_fee", 0.19, "nlu_fallback"),
])
def test_each_intent_meets_its_own_bar(tmp_path, intent, confidence, expected):
    classifier = _classifier(tmp_path, threshold=0.2, ambiguity_threshold=0.0,
                             intent_thresholds={"greet": 0.5, "affirm": 0.5})
    [message] = classifier.process([_message(intent, confidence)])
    assert message.data["intent"]["name"] == expected


def test_without_intent_thresholds_it_is_rasas_classifier(tmp_path):
    classifier = _classifier(tmp_path, threshold=0.2, ambiguity_threshold=0.0)
    [message] = classifier.process([_message("greet", 0.24)])
    assert message.data["intent"]["name"] == "greet"


def test_the_rule():
    assert below_intent_threshold("greet", 0.49, {"greet": 0.5})
    assert not below_intent_threshold("greet", 0.5, {"greet": 0.5})
    assert not below_intent_threshold("faq_fee", 0.01, {"greet": 0.5})
    assert not below_intent_threshold(None, 0.0, {"greet": 0.5})


def test_a_fallback_intent_is_never_answered_as_itself(tmp_path):
    classifier = _classifier(tmp_path, threshold=0.2, ambiguity_threshold=0.0,
                             intent_thresholds={"greet": 0.3}, fallback_intents=["nonsense"])
    nonsense, greeting, fee = classifier.process(
        [_message("nonsense", 0.99), _message("greet", 0.31), _message("faq_fee", 0.25)])
    assert nonsense.data["intent"] == {"name": "nlu_fallback", "confidence": 0.2}
    assert [r["name"] for r in nonsense.data["intent_ranking"]][:2] == ["nlu_fallback", "nonsense"]
    assert greeting.data["intent"]["name"] == "greet"
    assert fee.data["intent"]["name"] == "faq_fee"


def test_the_served_pipeline_sets_the_dialogue_bars():
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    [step] = [c for c in pipeline if c["name"].endswith("FallbackClassifier")]
    assert step["name"] == "nlu.components.fallback.IntentAwareFallbackClassifier"
    assert step["intent_thresholds"] == {name: 0.3 for name in ("greet", "affirm", "deny", "thanks", "goodbye")}
    assert step["fallback_intents"] == [NONSENSE_INTENT]
