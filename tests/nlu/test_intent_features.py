"""CharTfidfFeaturizer and LogisticRegressionIntentClassifier on hand-made tokens (no spaCy).

Messages carry tokens as SpacyTokenizer would leave them (text + GiNZA lemma), so each
test shows exactly what the component sees; training and loading go through Rasa's real
LocalModelStorage.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.intent_classifier import LogisticRegressionIntentClassifier
from nlu.components.tfidf_featurizer import CharTfidfFeaturizer


def message(tokens: Sequence[Tuple[str, str]], intent: str = "") -> Message:
    """A message whose text is the tokens' surface forms joined, with (text, lemma) tokens."""
    text = "".join(t for t, _ in tokens)
    data: Dict[str, Any] = {TEXT: text}
    if intent:
        data[INTENT] = intent
    msg = Message(data=data)
    offset, toks = 0, []
    for surface, lemma in tokens:
        toks.append(Token(surface, offset, lemma=lemma))
        offset += len(surface)
    msg.set(TOKENS_NAMES[TEXT], toks)
    return msg


MOUSHIKOMI = [("申し込ん", "申し込む"), ("だ", "だ")]
SAKUJO = [("削除", "削除"), ("し", "する"), ("て", "て")]


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    (tmp_path / "model").mkdir()
    return LocalModelStorage(tmp_path / "model")


def featurizer(storage: LocalModelStorage, name: str, **config: Any) -> CharTfidfFeaturizer:
    context = ExecutionContext(GraphSchema({}), node_name=name)
    return CharTfidfFeaturizer.create(
        {**CharTfidfFeaturizer.get_default_config(), **config}, storage, Resource(name), context
    )


def sentence_vector(msg: Message, alias: str) -> np.ndarray:
    [feature] = [f for f in msg.features if f.type == "sentence" and f.origin == alias]
    return feature.features.toarray()[0]


def test_lemma_source_sees_the_dictionary_form_and_rows_have_unit_length(storage) -> None:
    component = featurizer(storage, "lemmas", alias="lemmas", source="lemmas", analyzer="char_wb",
                           min_ngram=1, max_ngram=2)
    train = [message(MOUSHIKOMI, "a"), message(SAKUJO, "b")]
    component.train(TrainingData(train))
    vocabulary = component._vectorizer.vocabulary_
    assert "込む" in vocabulary and "込ん" not in vocabulary

    [msg] = component.process([message([("申し込み", "申し込む")])])
    vector = sentence_vector(msg, "lemmas")
    assert vector[vocabulary["込む"]] > 0
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-6)
    sequence = [f for f in msg.features if f.type == "sequence"][0].features
    assert sequence.shape == (1, len(vocabulary))


def test_text_source_reads_the_message_across_token_boundaries(storage) -> None:
    component = featurizer(storage, "text", alias="text", source="text", analyzer="char",
                           min_ngram=2, max_ngram=2)
    component.train(TrainingData([message(MOUSHIKOMI, "a"), message(SAKUJO, "b")]))
    vocabulary = component._vectorizer.vocabulary_
    assert "んだ" in vocabulary  # spans 申し込ん|だ: a char_wb analyser on tokens never sees it
    assert "込む" not in vocabulary


def with_readings(tokens: Sequence[Tuple[str, str, str]], intent: str = "") -> Message:
    """A message with (text, lemma, reading) tokens and the spaCy doc SpacyNLP would attach."""
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    msg = message([(t, lemma) for t, lemma, _ in tokens], intent)
    words = [t for t, _, _ in tokens]
    morphs = [f"Reading={r}" if r else "" for _, _, r in tokens]
    msg.set(SPACY_DOCS[TEXT], Doc(Vocab(), words=words, spaces=[False] * len(words), morphs=morphs))
    return msg


def test_reading_source_makes_hiragana_and_kanji_spellings_meet(storage) -> None:
    component = featurizer(storage, "reading", alias="reading", source="reading", analyzer="char",
                           min_ngram=1, max_ngram=3)
    kanji = with_readings([("開示", "開示", "カイジ"), ("し", "する", "シ"), ("て", "て", "テ")], "a")
    other = with_readings([("削除", "削除", "サクジョ")], "b")
    component.train(TrainingData([kanji, other]))
    assert "カイジ" in component._vectorizer.vocabulary_

    hiragana = with_readings([("かい", "かい", "カイ"), ("じ", "じ", "ジ"), ("して", "する", "シテ")])
    kanji_again = with_readings([("開示", "開示", "カイジ"), ("し", "する", "シ"), ("て", "て", "テ")])
    [a, b] = component.process([hiragana, kanji_again])
    assert np.allclose(sentence_vector(a, "reading"), sentence_vector(b, "reading"))

    latin = with_readings([("PR", "PR", ""), ("開示", "開示", "カイジ")])  # no reading: the token itself
    assert component._readings(latin) == ["PR", "カイジ"]


def test_reading_source_without_spacy_is_a_configuration_error(storage) -> None:
    component = featurizer(storage, "reading_nospacy", source="reading", analyzer="char")
    with pytest.raises(InvalidConfigException, match="SpacyNLP"):
        component.train(TrainingData([message(SAKUJO, "b")]))


def test_idf_weights_down_what_every_message_shares(storage) -> None:
    component = featurizer(storage, "idf", alias="idf", source="lemmas", analyzer="char_wb",
                           min_ngram=1, max_ngram=1)
    train = [message([("開示", "開示"), ("の", "の")]), message([("削除", "削除"), ("の", "の")]),
             message([("訂正", "訂正"), ("の", "の")])]
    component.train(TrainingData(train))
    [msg] = component.process([message([("開示", "開示"), ("の", "の")])])
    vocabulary = component._vectorizer.vocabulary_
    vector = sentence_vector(msg, "idf")
    assert vector[vocabulary["開"]] > vector[vocabulary["の"]] > 0


def test_saved_and_loaded_featurizer_gives_the_same_features(storage) -> None:
    config = dict(alias="tfidf", source="lemmas", analyzer="char_wb", min_ngram=1, max_ngram=3)
    trained = featurizer(storage, "persist", **config)
    trained.train(TrainingData([message(MOUSHIKOMI, "a"), message(SAKUJO, "b")]))
    context = ExecutionContext(GraphSchema({}), node_name="persist")
    loaded = CharTfidfFeaturizer.load(
        {**CharTfidfFeaturizer.get_default_config(), **config}, storage, Resource("persist"), context
    )
    probe = [("申し込み", "申し込む"), ("削除", "削除")]
    expected = sentence_vector(trained.process([message(probe)])[0], "tfidf")
    assert np.allclose(sentence_vector(loaded.process([message(probe)])[0], "tfidf"), expected)


def test_without_sequence_features_the_sentence_features_are_the_same(storage) -> None:
    config = dict(source="lemmas", analyzer="char_wb", min_ngram=1, max_ngram=3)
    both = featurizer(storage, "both", alias="both", **config)
    lean = featurizer(storage, "lean", alias="lean", sequence_features=False, **config)
    for component in (both, lean):
        component.train(TrainingData([message(MOUSHIKOMI, "a"), message(SAKUJO, "b")]))
    probe = [("申し込み", "申し込む"), ("削除", "削除")]
    [with_rows], [without] = both.process([message(probe)]), lean.process([message(probe)])
    assert [f.type for f in with_rows.features] == ["sequence", "sentence"]
    assert [f.type for f in without.features] == ["sentence"]
    assert np.array_equal(sentence_vector(without, "lean"), sentence_vector(with_rows, "both"))


def test_message_without_tokens_gets_no_features(storage) -> None:
    component = featurizer(storage, "empty", source="text", analyzer="char")
    component.train(TrainingData([message(SAKUJO, "b")]))
    empty = Message(data={TEXT: ""})
    empty.set(TOKENS_NAMES[TEXT], [])
    [msg] = component.process([empty])
    assert msg.features == []


@pytest.mark.parametrize("bad", [{"source": "kanji"}, {"analyzer": "word"}, {"min_ngram": 3, "max_ngram": 2}])
def test_bad_config_is_refused(storage, bad: Dict[str, Any]) -> None:
    with pytest.raises(InvalidConfigException):
        featurizer(storage, "bad", **bad)


# --------------------------------------------------------------------------- classifier


def classifier(storage: LocalModelStorage, **config: Any) -> LogisticRegressionIntentClassifier:
    context = ExecutionContext(GraphSchema({}), node_name="intent")
    return LogisticRegressionIntentClassifier.create(config, storage, Resource("intent"), context)


def with_dense(vector: List[float], intent: str = "") -> Message:
    msg = Message(data={TEXT: "x", **({INTENT: intent} if intent else {})})
    msg.add_features(Features(np.array([vector]), "sentence", TEXT, "dense"))
    return msg


def test_classifier_passes_c_to_logistic_regression(storage) -> None:
    assert classifier(storage).clf.C == 1.0
    assert classifier(storage, C=30).clf.C == 30.0


def test_dense_vector_is_scaled_to_unit_length_only_when_asked(storage) -> None:
    msg = with_dense([3.0, 4.0])
    assert classifier(storage)._create_X([msg]).toarray().tolist() == [[3.0, 4.0]]
    scaled = classifier(storage, dense_unit_length=True)._create_X([msg]).toarray()
    assert scaled.tolist() == [[pytest.approx(0.6), pytest.approx(0.8)]]


def sparse_and_dense(tokens: Sequence[Tuple[str, str]], vector: List[float], intent: str = "") -> Message:
    msg = message(tokens, intent)
    msg.add_features(Features(np.array([vector]), "sentence", TEXT, "dense"))
    return msg


def three_intents() -> List[Message]:
    """New messages each time: a featurizer adds its features to the messages it is given."""
    return [
        sparse_and_dense(MOUSHIKOMI, [1.0, 0.2], "apply"),
        sparse_and_dense([("申し込み", "申し込む"), ("たい", "たい")], [0.9, 0.1], "apply"),
        sparse_and_dense(SAKUJO, [0.1, 1.0], "erase"),
        sparse_and_dense([("消し", "消す"), ("て", "て")], [0.2, 0.8], "erase"),
        sparse_and_dense([("こんにちは", "こんにちは")], [0.5, 0.5], "greet"),
        sparse_and_dense([("どうも", "どうも")], [0.6, 0.4], "greet"),
    ]


def test_probabilities_are_sklearns_predict_proba(storage) -> None:
    """The direct softmax gives what Rasa's LogisticRegressionClassifier.process gives."""
    tfidf = featurizer(storage, "tfidf", alias="tfidf", source="lemmas", analyzer="char_wb",
                       min_ngram=1, max_ngram=2, sequence_features=False)
    tfidf.train(TrainingData(three_intents()))
    component = classifier(storage, C=30, dense_unit_length=True)
    component.train(TrainingData(tfidf.process(three_intents())))
    assert component._scored_by_softmax()
    probes = [(MOUSHIKOMI, [0.7, 0.3]), (SAKUJO, [0.3, 0.9]), ([("消去", "消去")], [0.0, 0.0]),
              ([("こんにちは", "こんにちは"), ("削除", "削除")], [2.0, -1.0])]
    for tokens, vector in probes:
        [fast] = component.process(tfidf.process([sparse_and_dense(tokens, vector)]))
        [stock] = component._process_with_sklearn(tfidf.process([sparse_and_dense(tokens, vector)]))
        assert fast.get(INTENT)["name"] == stock.get(INTENT)["name"] is not None
        ranked = fast.get("intent_ranking")
        assert [r["name"] for r in ranked] == [r["name"] for r in stock.get("intent_ranking")]
        assert np.allclose([r["confidence"] for r in ranked],
                           [r["confidence"] for r in stock.get("intent_ranking")], rtol=0, atol=1e-12)
    # other weights (as after training again, or a model loaded in its place): not the old ones
    component.clf.coef_ = component.clf.coef_ * 2.0
    [fast] = component.process(tfidf.process([sparse_and_dense(SAKUJO, [0.3, 0.9])]))
    [stock] = component._process_with_sklearn(tfidf.process([sparse_and_dense(SAKUJO, [0.3, 0.9])]))
    assert fast.get(INTENT)["name"] is not None
    assert fast.get(INTENT)["confidence"] == pytest.approx(stock.get(INTENT)["confidence"], abs=1e-12)


def test_in_a_batch_each_message_gets_what_rasa_shows(storage) -> None:
    """A message without features gets no intent and the next one is still classified; both are
    in /model/parse's output (Rasa's add_to_output); the weights are made once per model."""
    tfidf = featurizer(storage, "tfidf", alias="tfidf", source="lemmas", analyzer="char_wb",
                       min_ngram=1, max_ngram=2, sequence_features=False)
    tfidf.train(TrainingData(three_intents()))
    component = classifier(storage, C=30, dense_unit_length=True)
    component.train(TrainingData(tfidf.process(three_intents())))
    assert component.clf.n_features_in_ == len(tfidf._vectorizer.vocabulary_) + 2  # both blocks are read
    empty, after = component.process([Message(data={TEXT: ""})] + tfidf.process([sparse_and_dense(SAKUJO, [0.3, 0.9])]))
    assert empty.get(INTENT) == {"name": None, "confidence": 0.0} and empty.get("intent_ranking") == []
    assert after.get(INTENT)["name"] == "erase"
    for parsed in (empty, after):
        assert {INTENT, "intent_ranking"} <= set(parsed.output_properties)
    assert component._row_ordered_weights() is component._row_ordered_weights()


def dense_only(vector: List[float], intent: str = "") -> Message:
    return with_dense(vector, intent)


@pytest.mark.parametrize("config", [{}, {"solver": "liblinear"}])
def test_dense_features_alone_and_other_solvers_score_as_sklearn(storage, config) -> None:
    component = classifier(storage, C=10, **config)
    component.train(TrainingData([dense_only([1.0, 0.1, 0.0], "a"), dense_only([0.9, 0.0, 0.2], "a"),
                                  dense_only([0.0, 1.0, 0.1], "b"), dense_only([0.1, 0.8, 0.0], "b"),
                                  dense_only([0.0, 0.1, 1.0], "c"), dense_only([0.2, 0.0, 0.9], "c")]))
    assert component._scored_by_softmax() == (config.get("solver") != "liblinear")  # sklearn's own rule
    for probe in ([0.8, 0.3, 0.1], [0.1, 0.2, 0.7], [0.4, 0.4, 0.4]):
        [fast], [stock] = component.process([dense_only(probe)]), component._process_with_sklearn([dense_only(probe)])
        assert [(r["name"], pytest.approx(r["confidence"], abs=1e-12)) for r in fast.get("intent_ranking")] == \
            [(r["name"], r["confidence"]) for r in stock.get("intent_ranking")]


def test_a_short_dense_vector_is_scaled_up_to_unit_length(storage) -> None:
    scaled = classifier(storage, dense_unit_length=True)._create_X([with_dense([0.3, 0.4])]).toarray()
    assert scaled.tolist() == [[pytest.approx(0.6), pytest.approx(0.8)]]


def test_message_without_features_gets_no_intent(storage) -> None:
    component = classifier(storage, dense_unit_length=True)
    component.train(TrainingData([with_dense([1.0, 0.0], "yes"), with_dense([0.0, 1.0], "no")]))
    featureless = Message(data={TEXT: ""})
    known, empty = component.process([with_dense([0.9, 0.1]), featureless])
    assert known.get(INTENT)["name"] == "yes"
    assert empty.get(INTENT) == {"name": None, "confidence": 0.0}
    assert empty.get("intent_ranking") == []


def test_weight_scales_the_block_after_its_unit_length(storage) -> None:
    """``weight`` makes a block count more beside the others (config.yml weighs readings 2):
    the sentence and sequence rows get length ``weight``, the direction is unchanged."""
    plain = featurizer(storage, "plain", alias="plain", source="lemmas", min_ngram=1, max_ngram=2)
    heavy = featurizer(storage, "heavy", alias="heavy", source="lemmas", min_ngram=1, max_ngram=2, weight=2)
    for component in (plain, heavy):
        component.train(TrainingData([message(MOUSHIKOMI, "a"), message(SAKUJO, "b")]))
    [one] = plain.process([message(MOUSHIKOMI)])
    [two] = heavy.process([message(MOUSHIKOMI)])
    assert np.linalg.norm(sentence_vector(one, "plain")) == pytest.approx(1.0, abs=1e-6)
    assert np.linalg.norm(sentence_vector(two, "heavy")) == pytest.approx(2.0, abs=1e-6)
    assert sentence_vector(two, "heavy") == pytest.approx(2 * sentence_vector(one, "plain"))
    rows = [f for f in two.features if f.type == "sequence"][0].features.toarray()
    assert np.linalg.norm(rows, axis=1) == pytest.approx([2.0] * len(rows), abs=1e-6)


@pytest.mark.parametrize("weight", [0, -1])
def test_a_weight_that_is_not_positive_is_refused(storage, weight) -> None:
    with pytest.raises(InvalidConfigException):
        featurizer(storage, "bad", alias="bad", source="lemmas", weight=weight)


@pytest.mark.parametrize("length, shown", [(0, 3), (1, 1), (2, 2), (10, 3)])
def test_the_ranking_is_cut_as_rasa_cuts_it(storage, length: int, shown: int) -> None:
    component = classifier(storage, ranking_length=length)
    component.train(TrainingData([dense_only([1.0, 0.0, 0.0], "a"), dense_only([0.0, 1.0, 0.0], "b"),
                                  dense_only([0.0, 0.0, 1.0], "c")]))
    [message] = component.process([dense_only([0.7, 0.2, 0.1])])
    assert len(message.get("intent_ranking")) == shown and message.get(INTENT)["name"] == "a"


def test_a_one_vs_rest_model_is_left_to_sklearn(storage) -> None:
    component = classifier(storage)
    component.clf.set_params(multi_class="ovr")  # not a setting of the component; sklearn's rule holds
    component.train(TrainingData([dense_only([1.0, 0.0, 0.0], "a"), dense_only([0.0, 1.0, 0.0], "b"),
                                  dense_only([0.0, 0.0, 1.0], "c")]))
    assert not component._scored_by_softmax()
    [fast], [stock] = component.process([dense_only([0.5, 0.3, 0.2])]), component._process_with_sklearn(
        [dense_only([0.5, 0.3, 0.2])])
    assert fast.get("intent_ranking") == stock.get("intent_ranking")


def test_two_intents_under_multinomial_are_left_to_sklearn(storage) -> None:
    component = classifier(storage)
    component.clf.set_params(multi_class="multinomial")  # sklearn then scores one row: softmax([-d, d])
    component.train(TrainingData([dense_only([1.0, 0.0], "no"), dense_only([0.0, 1.0], "yes"),
                                  dense_only([0.9, 0.2], "no"), dense_only([0.1, 0.8], "yes")]))
    assert not component._scored_by_softmax()
    [fast], [stock] = component.process([dense_only([0.6, 0.4])]), component._process_with_sklearn([dense_only([0.6, 0.4])])
    assert fast.get("intent_ranking") == stock.get("intent_ranking") and len(fast.get("intent_ranking")) == 2
