"""The three components inside Rasa 3.6: graph wiring (fast) and a tiny trained model."""
from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

NORMALIZER = "nlu.components.normalizer.JapaneseTextNormalizer"
EXTRACTOR = "nlu.components.entities.JapaneseEntityExtractor"
EMERGENCY = "nlu.components.emergency.EmergencyDetector"
TFIDF = "nlu.components.tfidf_featurizer.CharTfidfFeaturizer"
CLASSIFIER = "nlu.components.intent_classifier.LogisticRegressionIntentClassifier"
GINZA = "nlu.components.ginza_nlp.GinzaTokensNLP"

PIPELINE = [
    {"name": NORMALIZER},
    {"name": GINZA, "model": "ja_ginza"},
    {"name": "SpacyTokenizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char", "min_ngram": 1, "max_ngram": 3},
    {"name": "LogisticRegressionClassifier", "max_iter": 1000},
    {"name": EXTRACTOR},
    {"name": "FallbackClassifier", "threshold": 0.3},
    {"name": EMERGENCY},
]


def _config() -> Dict[str, Any]:
    return {
        "recipe": "default.v1",
        "language": "ja",
        "assistant_id": "nlu-components-test",
        "pipeline": [dict(item) for item in PIPELINE],
    }


def test_recipe_runs_normalizer_before_spacy_in_training_and_prediction() -> None:
    import nlu.components.emergency  # noqa: F401  (registers the components)
    import nlu.components.entities  # noqa: F401
    import nlu.components.ginza_nlp  # noqa: F401
    import nlu.components.normalizer  # noqa: F401
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.shared.data import TrainingType

    graph = DefaultV1Recipe().graph_config_for_recipe(
        _config(), {}, training_type=TrainingType.NLU
    )
    train = graph.train_schema.nodes
    normalizer_node = f"run_{NORMALIZER}0"
    # training: the provider's data goes through the normaliser, then to GiNZA
    assert train[normalizer_node].fn == "process_training_data"
    assert train[normalizer_node].needs["training_data"] == "nlu_training_data_provider"
    assert train[f"run_{GINZA}1"].needs["training_data"] == normalizer_node
    assert train[f"run_{GINZA}1"].needs["model"] == f"provide_{GINZA}1"
    # non-trainable extractor/detector add nothing to the training graph
    assert not any(EXTRACTOR in name or EMERGENCY in name for name in train)

    predict = graph.predict_schema.nodes
    assert predict[normalizer_node].needs["messages"] == "nlu_message_converter"
    assert predict[f"run_{GINZA}1"].needs["messages"] == normalizer_node
    assert predict[f"run_{GINZA}1"].needs["model"] == f"provide_{GINZA}1"
    assert predict["run_SpacyTokenizer2"].needs["messages"] == f"run_{GINZA}1"
    assert predict[f"run_{EXTRACTOR}5"].needs["messages"] == "run_LogisticRegressionClassifier4"
    assert predict[f"run_{EMERGENCY}7"].needs["messages"] == "run_FallbackClassifier6"
    assert predict["run_RegexMessageHandler"].needs["messages"] == f"run_{EMERGENCY}7"


def test_component_types_registered() -> None:
    import nlu.components.ginza_nlp  # noqa: F401  (registers the components)
    import nlu.components.intent_classifier  # noqa: F401
    import nlu.components.tfidf_featurizer  # noqa: F401
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    types = DefaultV1Recipe.ComponentType
    expected = {
        NORMALIZER: ({types.MESSAGE_FEATURIZER}, False),
        EXTRACTOR: ({types.ENTITY_EXTRACTOR}, False),
        EMERGENCY: ({types.INTENT_CLASSIFIER}, False),
        TFIDF: ({types.MESSAGE_FEATURIZER}, True),
        CLASSIFIER: ({types.INTENT_CLASSIFIER}, True),
        GINZA: ({types.MODEL_LOADER, types.MESSAGE_FEATURIZER}, False),
    }
    for path, (component_types, trainable) in expected.items():
        registered = DefaultV1Recipe._from_registry(path)
        assert registered.types == component_types
        assert registered.is_trainable is trainable


NLU_DATA = textwrap.dedent(
    """\
    version: "3.1"
    nlu:
    - intent: greet
      examples: |
        - こんにちは
        - ｺﾝﾆﾁﾊ
        - おはようございます
        - こんばんは
    - intent: request_disclosure
      examples: |
        - 個人情報の開示をお願いしたい
        - 私の情報を開示してください
        - 保有個人データを見せてほしい
        - ＡＢＣ社に渡した情報の開示
    - intent: request_stop_use
      examples: |
        - 私の情報の利用を停止してほしい
        - もう使わないでください
        - 利用停止をお願いします
    - intent: check_request_status
      examples: |
        - 受付番号は PR-7K3M-9XQ2 です
        - 申請の状況を知りたい
        - 手続きはどうなっていますか
    - intent: inform
      examples: |
        - 電話番号は０９０ー１２３４ー５６７８です
        - 〒２８９－２５１１ 千葉県旭市
        - 0479-63-1000
    - intent: out_of_scope
      examples: |
        - 今日の天気は
        - 野球の結果を教えて
        - おすすめのレストランは
    """
)


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory):
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    work = tmp_path_factory.mktemp("nlu_model")
    (work / "config.yml").write_text(
        yaml.safe_dump(_config(), allow_unicode=True), encoding="utf-8"
    )
    (work / "nlu.yml").write_text(NLU_DATA, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        # keep Rasa's training cache out of the working tree
        mp.setenv("RASA_CACHE_DIRECTORY", str(work / "cache"))
        model = train_nlu(str(work / "config.yml"), str(work / "nlu.yml"), str(work / "models"))
    assert model and Path(model).exists()
    return Agent.load(model)


def _parse(agent, text: str) -> Dict[str, Any]:
    return asyncio.run(agent.parse_message(text))


@pytest.mark.model
def test_training_examples_were_normalised(agent) -> None:
    # CountVectorsFeaturizer learnt its character vocabulary from the training texts:
    # after normalisation no full-width Latin letter nor half-width katakana is left.
    # (Reaches into Rasa internals: the graph runner's instantiated nodes.)
    nodes = agent.processor.graph_runner._instantiated_nodes
    [featurizer] = [n._component for name, n in nodes.items() if "CountVectorsFeaturizer" in name]
    vocabulary = featurizer.vectorizers["text"].vocabulary_
    characters = {gram for gram in vocabulary if len(gram) == 1}
    # (digits are no probe: CountVectorsFeaturizer replaces numbers by __NUMBER__)
    assert not characters & set("ｺﾝﾁﾊＡＢＣａｂｃ")
    assert set("コンチハabc") <= characters, sorted(characters)


@pytest.mark.model
def test_full_width_message_is_normalised_and_entities_extracted(agent) -> None:
    raw = "利用停止をお願いします。電話は０９０ー１２３４ー５６７８、〒２８９－２５１１、受付番号ｐｒ７ｋ３ｍ９ｘｑ２"
    result = _parse(agent, raw)
    assert result["text"] == (
        "利用停止をお願いします。電話は090-1234-5678、〒289-2511、受付番号pr7k3m9xq2"
    )
    assert result["original_text"] == raw
    entities = {(e["entity"], e["value"]) for e in result["entities"]}
    assert entities == {
        ("request_type", "stop_use"),
        ("phone_number", "09012345678"),
        ("postal_code", "289-2511"),
        ("ticket_number", "PR-7K3M-9XQ2"),
    }
    for e in result["entities"]:
        assert e["extractor"] == "JapaneseEntityExtractor"
        assert e["confidence"] == 1.0
    text = result["text"]
    by_type = {e["entity"]: text[e["start"] : e["end"]] for e in result["entities"]}
    assert by_type["phone_number"] == "090-1234-5678"
    assert result["intent"]["name"] != "out_of_scope"


@pytest.mark.model
def test_half_width_katakana_is_classified_like_full_width(agent) -> None:
    assert _parse(agent, "ｺﾝﾆﾁﾊ")["intent"]["name"] == "greet"
    assert _parse(agent, "コンニチハ")["intent"]["name"] == "greet"


@pytest.mark.model
def test_emergency_overrides_the_classifier(agent) -> None:
    result = _parse(agent, "ガス臭いです！！　すぐ来て")
    assert result["text"] == "ガス臭いです! すぐ来て"
    assert result["intent"] == {"name": "out_of_scope", "confidence": 1.0}
    ranking = result["intent_ranking"]
    assert ranking[0] == {"name": "out_of_scope", "confidence": 1.0}
    assert len(ranking) >= 2 and all(r["confidence"] < 1.0 for r in ranking[1:])
    assert {"entity": "emergency", "value": "gas"}.items() <= result["entities"][-1].items()


@pytest.mark.model
def test_policy_service_topic_is_not_an_emergency(agent) -> None:
    result = _parse(agent, "漏洩・火災自動通報サービスの個人情報について")
    assert not any(e["entity"] == "emergency" for e in result["entities"])
    assert result["intent"]["confidence"] < 1.0


@pytest.mark.model
def test_full_model_gives_an_empty_message_no_intent_instead_of_failing():
    """The stock LogisticRegressionClassifier fails the whole parse on a featureless message."""
    import asyncio

    from rasa.core.agent import Agent

    from tests.servers import MODEL

    if not MODEL.exists():
        pytest.fail("needs the trained model: run `make train`")
    agent = Agent.load(str(MODEL))
    for text in ["", "   "]:
        result = asyncio.run(agent.parse_message(text))
        assert result["intent"]["name"] == "nlu_fallback", text
    assert asyncio.run(agent.parse_message("開示の手数料は？"))["intent"]["name"] == "faq_fee"
