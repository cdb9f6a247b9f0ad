"""Rasa 3.6 graph component: deterministic Japanese entity extraction.

Extracts ``phone_number``, ``postal_code``, ``ticket_number`` (受付番号) and
``request_type`` with the rules of ``nlu.components.entity_patterns`` and canonical values
(see that module).  Place it after ``JapaneseTextNormalizer`` (which must be first) and
after the classifiers; offsets (``start``/``end``) refer to the normalised text, which is
what Rasa returns as ``parse_data["text"]``.

Registered as ``ENTITY_EXTRACTOR`` with ``is_trainable=False``: the recipe then adds one
``process`` node to the prediction graph and nothing to the training graph (it has nothing
to learn).  An entity that another extractor already produced with the same type, start
and end is not added a second time.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu.components import entity_patterns

__all__ = ["JapaneseEntityExtractor"]

ALL_ENTITY_TYPES = [
    entity_patterns.PHONE_NUMBER,
    entity_patterns.POSTAL_CODE,
    entity_patterns.TICKET_NUMBER,
    entity_patterns.REQUEST_TYPE,
]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class JapaneseEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts phone numbers, postal codes, 受付番号 and request types by rule."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # which entity types to extract (all by default)
            "entities": list(ALL_ENTITY_TYPES),
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        unknown = set(self._config["entities"]) - set(ALL_ENTITY_TYPES)
        if unknown:
            raise ValueError(
                f"{self.__class__.__name__}: unknown entity types {sorted(unknown)}; "
                f"known: {ALL_ENTITY_TYPES}"
            )
        self._wanted = set(self._config["entities"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> JapaneseEntityExtractor:
        return cls(config)

    def extract(self, text: Optional[Text]) -> List[Dict[Text, Any]]:
        """Entities of the wanted types in ``text``, in Rasa's entity format."""
        if not isinstance(text, str) or not text:
            return []
        entities = [
            e for e in entity_patterns.extract_entities(text) if e["entity"] in self._wanted
        ]
        for entity in entities:
            entity[ENTITY_ATTRIBUTE_CONFIDENCE] = 1.0
        return self.add_extractor_name(entities)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            existing = message.get(ENTITIES) or []
            seen = {
                (e.get(ENTITY_ATTRIBUTE_TYPE), e.get(ENTITY_ATTRIBUTE_START), e.get(ENTITY_ATTRIBUTE_END))
                for e in existing
            }
            new = [
                e
                for e in self.extract(message.get(TEXT))
                if (e[ENTITY_ATTRIBUTE_TYPE], e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END])
                not in seen
            ]
            if new or ENTITIES not in message.data:
                message.set(ENTITIES, existing + new, add_to_output=True)
        return messages
