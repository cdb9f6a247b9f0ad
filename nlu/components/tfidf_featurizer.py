"""Character n-gram TF-IDF features for Rasa 3.6, unit length per message.

Rasa's ``CountVectorsFeaturizer`` gives raw counts: a long message outweighs a short one,
and particles such as の・は・を count as much as 開示 or 削除.  Customers here write
anything from 「削除」 to three lines of context, so the classifier needs the weighting a
text classifier usually gets: sublinear term frequency, inverse document frequency, and
each message scaled to length 1 so that its length does not decide the intent.

What is vectorised (``source``):

* ``lemmas``: GiNZA's lemmas joined by spaces (申し込ん → 申し込む), so inflection does
  not split the evidence;
* ``reading``: the tokens' readings in katakana (GiNZA/Sudachi ``Reading``) joined
  without spaces, so 「こじんじょうほうのかいじ」 and 「個人情報の開示」 give the same n-grams:
  customers on phones often leave words in hiragana;
* ``text``: the normalised message as typed.

``config.yml`` uses ``lemmas`` (char_wb 1–4) and ``reading`` (char 1–3), chosen by 5-fold
CV on the training data (figures in ``nlu/README.md``).

``weight`` scales a block after its unit-length normalisation (default 1), i.e. how much it
counts beside the other blocks.  Why: a message typed all in hiragana is cut by Sudachi into
wrong words (こじんじょうほう → こじる + じょうほう, ぱそこん → ぱ + そこ + ん), so its lemmas and
GiNZA vector are noise and only its readings still match the kanji spelling.  Readings at
weight 2 raised 5-fold CV on the training folds rewritten in hiragana from 0.666 to 0.776,
and as typed from 0.821 to 0.824 (``nlu/README.md``, 2026-12-04).

Like Rasa's featurizers it adds sequence features (one row per token) and sentence
features (the whole message) for the ``text`` attribute; ``sequence_features: false`` leaves
out the former where nothing reads them (this pipeline's classifier reads sentence features
and its entity extractor reads rules: with them each message cost two transforms and Rasa
copied and joined the token rows of both blocks for nothing).  A message without tokens gets
no features, as with ``CountVectorsFeaturizer``; the intent classifier then gives it no
intent (see ``intent_classifier.py``).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer

logger = logging.getLogger(__name__)

SOURCES = ("lemmas", "reading", "text")
ANALYZERS = ("char", "char_wb")
MODEL_FILE = "tfidf.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class CharTfidfFeaturizer(SparseFeaturizer, GraphComponent):
    """Sublinear, unit-length character n-gram TF-IDF of the message text or its lemmas."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            # "lemmas": the tokens' lemmas joined by spaces; "reading": their katakana readings
            # joined without spaces (needs SpacyNLP with ja_ginza); "text": the message text
            "source": "lemmas",
            "analyzer": "char_wb",
            "min_ngram": 1,
            "max_ngram": 4,
            # the block's length after normalisation: how much it weighs beside the others
            "weight": 1.0,
            # also a row per token (Rasa's sequence features, for DIET or CRF); false when
            # nothing in the pipeline reads them: each message then costs one transform, not two
            "sequence_features": True,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizer: Optional[TfidfVectorizer] = None  # set by train() or load()

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config["source"] not in SOURCES:
            raise InvalidConfigException(f"CharTfidfFeaturizer: source must be one of {SOURCES}.")
        if config["analyzer"] not in ANALYZERS:
            raise InvalidConfigException(f"CharTfidfFeaturizer: analyzer must be one of {ANALYZERS}.")
        if not 1 <= int(config["min_ngram"]) <= int(config["max_ngram"]):
            raise InvalidConfigException("CharTfidfFeaturizer: need 1 <= min_ngram <= max_ngram.")
        if not float(config.get("weight", 1.0)) > 0:
            raise InvalidConfigException("CharTfidfFeaturizer: weight must be > 0.")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CharTfidfFeaturizer":
        return cls({**cls.get_default_config(), **config}, model_storage, resource, execution_context)

    def _new_vectorizer(self, vocabulary: Optional[Dict[str, int]] = None) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=self._config["analyzer"],
            ngram_range=(int(self._config["min_ngram"]), int(self._config["max_ngram"])),
            lowercase=True,
            sublinear_tf=True,
            norm="l2",
            vocabulary=vocabulary,
            dtype=np.float32,
        )

    def _token_texts(self, message: Message) -> List[str]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        if self._config["source"] == "lemmas":
            return [t.lemma or t.text for t in tokens]
        if self._config["source"] == "reading":
            return self._readings(message) if tokens else []
        return [t.text for t in tokens]

    @staticmethod
    def _readings(message: Message) -> List[str]:
        """Katakana reading of each token; the token itself where there is none (Latin, digits)."""
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None:
            raise InvalidConfigException("CharTfidfFeaturizer: source 'reading' needs SpacyNLP (ja_ginza) before it.")
        readings = []
        for token in doc:
            if token.is_space:
                continue
            reading = token.morph.get("Reading")
            readings.append(reading[0] if reading else token.text)
        return readings

    def _sentence_text(self, message: Message, token_texts: List[str]) -> str:
        if self._config["source"] == "lemmas":
            return " ".join(token_texts)
        if self._config["source"] == "reading":
            return "".join(token_texts)
        return message.get(TEXT) or ""

    def train(self, training_data: TrainingData) -> Resource:
        texts = []
        for message in training_data.training_examples:
            token_texts = self._token_texts(message)
            if token_texts:
                texts.append(self._sentence_text(message, token_texts))
        if not texts:
            logger.debug("CharTfidfFeaturizer: no text to learn from; no features will be added.")
            return self._resource
        self._vectorizer = self._new_vectorizer()
        self._vectorizer.fit(texts)
        self.persist()
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self._vectorizer is None:
            return messages
        for message in messages:
            token_texts = self._token_texts(message)
            if not token_texts:
                continue
            weight = float(self._config["weight"])
            sequence = None
            if self._config["sequence_features"]:
                sequence = (self._vectorizer.transform(token_texts) * weight).tocoo()
            sentence = (self._vectorizer.transform([self._sentence_text(message, token_texts)]) * weight).tocoo()
            self.add_features_to_message(sequence, sentence, TEXT, message)
        return messages

    def persist(self) -> None:
        """Vocabulary and idf weights as JSON: no pickle in the model archive."""
        if self._vectorizer is None:
            return
        state = {
            "vocabulary": {gram: int(i) for gram, i in self._vectorizer.vocabulary_.items()},
            "idf": [float(w) for w in self._vectorizer.idf_],
        }
        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / MODEL_FILE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "CharTfidfFeaturizer":
        component = cls.create(config, model_storage, resource, execution_context)
        try:
            with model_storage.read_from(resource) as model_dir:
                state = json.loads((model_dir / MODEL_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.debug(f"CharTfidfFeaturizer: no trained state in '{resource.name}'.")
            return component
        vectorizer = component._new_vectorizer(vocabulary=state["vocabulary"])
        vectorizer.idf_ = np.asarray(state["idf"], dtype=np.float64)
        component._vectorizer = vectorizer
        return component


__all__ = ["CharTfidfFeaturizer"]
