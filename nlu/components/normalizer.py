"""Rasa 3.6 graph component that normalises Japanese message text.

Put it FIRST in the pipeline, before ``SpacyNLP``::

    pipeline:
      - name: nlu.components.normalizer.JapaneseTextNormalizer
      - name: SpacyNLP
        model: ja_ginza
      ...

Why it is registered as ``MESSAGE_FEATURIZER``: in Rasa 3.6's ``DefaultV1Recipe`` only
components typed ``MESSAGE_TOKENIZER`` or ``MESSAGE_FEATURIZER`` get a
``process_training_data`` node in the training graph (chained in config order); intent
classifiers and entity extractors only get ``train`` nodes there.  So only those two types
make Rasa rewrite the training examples *and* the incoming messages, in pipeline order.
``SpacyNLP`` is registered the same way for the same reason.  The class deliberately does
not subclass ``Tokenizer`` or ``Featurizer``: the recipe validator allows only one
``Tokenizer`` and checks ``Featurizer`` configs against each other.

What it does: ``message.data["text"]`` becomes ``normalize_text(text)``
(see ``sobu_privacy.text``) and the untouched text is kept in
``message.data["original_text"]`` (also in the parse result).  Rasa's parse result
``text`` is therefore the normalised text, and entity offsets from the extractors refer to
it; the tracker's ``UserUttered.text`` keeps what the customer typed.

WARNING: do not use entity annotations in the training data with this component: their
``start``/``end`` refer to the original text and are left untouched, so they stop matching
once the text is rewritten.  A warning is logged for every such example whose text changes.

Messages starting with "/" (button payloads such as ``/request_disclosure``, handled by
Rasa's ``RegexMessageHandler``) are left untouched.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from sobu_privacy import text as text_normalization
from sobu_privacy.text import normalize_text

__all__ = ["JapaneseTextNormalizer", "normalize_text", "ORIGINAL_TEXT"]

logger = logging.getLogger(__name__)

ORIGINAL_TEXT = "original_text"
INTENT_TRIGGER_PREFIX = "/"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class JapaneseTextNormalizer(GraphComponent):
    """Rewrites message text to the normal form (NFKC, dashes, tildes, whitespace)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options; the normal form is fixed by ``normalize_text``."""
        return {
            # also normalise the elements of lookup tables given as lists, so that
            # RegexEntityExtractor / RegexFeaturizer lookups match the normalised text
            "normalize_lookup_tables": True,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> JapaneseTextNormalizer:
        return cls(config)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Makes Rasa's training cache notice changes to the normalisation rules.

        Rasa fingerprints ``inspect.getsource(<this class>)`` only; the rules live in
        another module, so without this addon an edited ``normalize_text`` would be
        ignored for training data already in ``.rasa/cache``.
        """
        source = Path(text_normalization.__file__).read_bytes()
        return hashlib.sha256(source).hexdigest()

    @staticmethod
    def _normalize_message(message: Message) -> bool:
        """Normalises one message in place; returns whether its text changed."""
        text = message.get(TEXT)
        if not isinstance(text, str) or text.startswith(INTENT_TRIGGER_PREFIX):
            return False
        if message.get(ORIGINAL_TEXT) is None:
            message.set(ORIGINAL_TEXT, text, add_to_output=True)
        normalized = normalize_text(text)
        if normalized == text:
            return False
        # `set` (not `data[...] =`) so the message's cached fingerprint is reset.
        message.set(TEXT, normalized)
        return True

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises the text of every training example (in place)."""
        for example in training_data.training_examples:
            changed = self._normalize_message(example)
            if changed and example.get(ENTITIES):
                logger.warning(
                    "JapaneseTextNormalizer changed the text of a training example "
                    "with entity annotations; their offsets now point into the wrong "
                    "characters. Do not annotate entities in the training data: use "
                    "nlu.components.entities.JapaneseEntityExtractor instead. "
                    f"(normalised text: {example.get(TEXT)!r})"
                )
        if self._config.get("normalize_lookup_tables"):
            for table in training_data.lookup_tables:
                elements = table.get("elements")
                if isinstance(elements, list):
                    table["elements"] = list(
                        dict.fromkeys(
                            normalize_text(e) if isinstance(e, str) else e
                            for e in elements
                        )
                    )
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalises the text of incoming messages (in place)."""
        for message in messages:
            self._normalize_message(message)
        return messages
