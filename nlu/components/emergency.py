"""Rasa 3.6 graph component: gas-emergency override of the NLU result.

Put it LAST in the pipeline (after DIETClassifier/LogisticRegressionClassifier and
FallbackClassifier).  When the normalised text reports a gas emergency (terms in
``emergency_terms.yml``, rule in ``emergency_rules.py``) it

- sets ``intent`` to ``{"name": "out_of_scope", "confidence": 1.0}`` (the contract puts
  emergencies in ``out_of_scope``),
- puts that intent first in ``intent_ranking``; the previous entries follow unchanged
  (an earlier ``out_of_scope`` entry is dropped, so it is not listed twice),
- adds the entity ``{"entity": "emergency", "value": "gas", "start", "end",
  "confidence": 1.0, "extractor": "EmergencyDetector"}`` (start/end: the matched term in
  the normalised text).

Registered as ``INTENT_CLASSIFIER`` (it decides the intent) with ``is_trainable=False``:
the recipe then runs its ``process`` in the prediction graph at its place in the pipeline
and adds nothing to the training graph.  Because the list order is the run order, it
must come after every classifier, or a later classifier would overwrite its intent.
Messages starting with "/" (button payloads) are left alone.

The domain needs the intent ``out_of_scope`` and the entity ``emergency`` (otherwise
Rasa warns and the entity is not featurised for the policies).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu.components.emergency_rules import DEFAULT_TERMS_FILE, EmergencyRules

__all__ = ["EmergencyDetector"]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class EmergencyDetector(GraphComponent, IntentClassifier, EntityExtractorMixin):
    """Overrides the intent with ``out_of_scope`` when a gas emergency is reported."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent": "out_of_scope",
            "entity": "emergency",
            "value": "gas",
            # None: nlu/components/emergency_terms.yml
            "terms_file": None,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        self._rules = EmergencyRules.from_file(
            self._config.get("terms_file") or DEFAULT_TERMS_FILE
        )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencyDetector:
        return cls(config)

    def _override(self, message: Message, start: int, end: int) -> None:
        intent_name = self._config["intent"]
        new_intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r
            for r in (message.get(INTENT_RANKING_KEY) or [])
            if r.get(INTENT_NAME_KEY) != intent_name
        ]
        message.set(INTENT, new_intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(new_intent)] + ranking, add_to_output=True)

        entities = list(message.get(ENTITIES) or [])
        if not any(
            e.get(ENTITY_ATTRIBUTE_TYPE) == self._config["entity"] for e in entities
        ):
            entity = {
                ENTITY_ATTRIBUTE_TYPE: self._config["entity"],
                ENTITY_ATTRIBUTE_START: start,
                ENTITY_ATTRIBUTE_END: end,
                ENTITY_ATTRIBUTE_VALUE: self._config["value"],
                ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
            }
            entities += self.add_extractor_name([entity])
        message.set(ENTITIES, entities, add_to_output=True)

    def detect(self, text: Optional[Text]) -> bool:
        return self._rules.detect(text) is not None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/"):
                continue
            match = self._rules.detect(text)
            if match is not None:
                self._override(message, match.start, match.end)
        return messages
