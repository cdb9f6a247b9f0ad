"""Rasa's ``SpacyNLP`` with only the parts of GiNZA this pipeline reads: its tokenizer and
word vectors.

The NLU reads tokens, lemmas, katakana readings (``token.morph["Reading"]``) and the static
word vectors. All of them come from GiNZA's SudachiPy tokenizer and the vector table; the
rest of ``ja_ginza`` (tok2vec, parser, ner, morphologizer, compound_splitter,
bunsetu_recognizer) costs about 30 times the tokenizer's time per message, it and the
vocabulary's preloaded strings much of the Rasa server's memory, and none of them changes those
values (all training and held-out examples were compared when each was left out;
``tests/nlu/test_ginza_nlp.py`` keeps comparing a sample). Rasa's ``SpacyNLP`` loads every
component but the parser, twice (once per graph node), and has no setting for it, hence this
subclass.

    - name: nlu.components.ginza_nlp.GinzaTokensNLP
      model: ja_ginza
      # exclude: the components not to load (default: all of ja_ginza's)

``SpacyTokenizer`` and ``SpacyFeaturizer`` accept it, since it is a ``SpacyNLP``.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

__all__ = ["GinzaTokensNLP", "UNUSED_GINZA_COMPONENTS", "UNUSED_GINZA_DATA", "load_tokens_only"]

#: ja_ginza's trained components; nothing this pipeline reads comes from them.
UNUSED_GINZA_COMPONENTS = (
    "tok2vec", "parser", "ner", "morphologizer", "compound_splitter", "bunsetu_recognizer",
)


#: What else of ja_ginza is not loaded: the vocabulary's preloaded strings. They are the
#: 599,000 strings its trained components were built with (about 130 MB in the Rasa server);
#: the tokenizer adds each string it produces (text, lemma, tag, reading) as it goes, and the
#: vectors are looked up by hash, so nothing this pipeline reads needs them.
UNUSED_GINZA_DATA = ("strings",)


def load_tokens_only(model_name: Text, exclude: List[Text]) -> SpacyModel:
    """The spaCy model without ``exclude`` nor the preloaded strings, loaded once per process.

    Rasa builds two graph nodes from a ``SpacyNLP`` (the one that provides the model and the
    one that processes messages) and each loads the model: two copies of the vocabulary and
    vectors, about 330 MB of the Rasa server. Both read the same model and never change it
    (beyond the strings the tokenizer adds), so they share one.
    """
    return _load_once(model_name, tuple(exclude))


@functools.lru_cache(maxsize=None)
def _load_once(model_name: Text, exclude: Tuple[Text, ...]) -> SpacyModel:
    import spacy

    language = spacy.load(model_name, exclude=[*exclude, *UNUSED_GINZA_DATA])
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
