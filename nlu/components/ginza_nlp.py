"""Rasa's ``SpacyNLP`` with only the parts of GiNZA this pipeline reads: its tokenizer and
word vectors.

The NLU reads tokens, lemmas, katakana readings (``token.morph["Reading"]``) and the static
word vectors. All of them come from GiNZA's SudachiPy tokenizer and the vector table; the
rest of ``ja_ginza`` (tok2vec, parser, ner, morphologizer, compound_splitter,
bunsetu_recognizer) costs about 30 times the tokenizer's time per message and most of the
Rasa server's memory, and changes none of those values (all 2,223 training and held-out
examples were compared when this was introduced; ``tests/nlu/test_ginza_nlp.py`` keeps
comparing a sample). Rasa's ``SpacyNLP`` loads every
component but the parser and has no setting for it, hence this subclass.

    - name: nlu.components.ginza_nlp.GinzaTokensNLP
      model: ja_ginza
      # exclude: the components not to load (default: all of ja_ginza's)

``SpacyTokenizer`` and ``SpacyFeaturizer`` accept it, since it is a ``SpacyNLP``.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

__all__ = ["GinzaTokensNLP", "UNUSED_GINZA_COMPONENTS", "load_tokens_only"]

#: ja_ginza's trained components; nothing this pipeline reads comes from them.
UNUSED_GINZA_COMPONENTS = (
    "tok2vec", "parser", "ner", "morphologizer", "compound_splitter", "bunsetu_recognizer",
)


def load_tokens_only(model_name: Text, exclude: List[Text]) -> SpacyModel:
    """The spaCy model without ``exclude`` (checked as Rasa checks a SpacyNLP model)."""
    import spacy

    language = spacy.load(model_name, exclude=list(exclude))
    GinzaTokensNLP.ensure_proper_language_model(language)
    return SpacyModel(model=language, model_name=model_name)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="GinzaTokensNLP",
)
class GinzaTokensNLP(SpacyNLP):
    """``SpacyNLP`` that does not load the spaCy components named in ``exclude``."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SpacyNLP.get_default_config(), "exclude": list(UNUSED_GINZA_COMPONENTS)}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "GinzaTokensNLP":
        merged = {**cls.get_default_config(), **config}
        model = load_tokens_only(merged.get("model") or "", merged["exclude"])
        return cls(model, merged)
