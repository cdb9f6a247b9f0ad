"""Rasa 3.6's LogisticRegressionClassifier, made safe for messages with no features.

A message that is empty or only spaces/punctuation after normalisation has no tokens and
so no features; the stock classifier then fails the whole parse (HTTP 500 on
/model/parse, no answer on the channels). Such a message gets no intent with confidence 0
here, so the FallbackClassifier turns it into nlu_fallback and the customer is asked,
politely, to write the question again.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FeatureSafeLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier that answers 'no intent' instead of failing."""

    def _has_features(self, message: Message) -> bool:
        """True when the message has the full feature vector the model was trained on."""
        return self._create_X([message]).shape[1] == self.clf.n_features_in_

    def process(self, messages: List[Message]) -> List[Message]:
        with_features = [m for m in messages if self._has_features(m)]
        if with_features:
            super().process(with_features)
        classified = {id(m) for m in with_features}
        for message in messages:
            if id(message) not in classified:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
