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
import threading
from typing import TYPE_CHECKING, Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["GinzaTokensNLP", "TOKENIZER_LOCK", "UNUSED_GINZA_COMPONENTS", "UNUSED_GINZA_DATA", "load_tokens_only"]

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
    (beyond the strings the tokenizer adds), so they share one. Training through Rasa's HTTP
    API (a worker thread) shares it too: GiNZA's tokenizer may be used by one thread at a time,
    so ``GinzaTokensNLP`` tokenises under ``TOKENIZER_LOCK``. Only the latest settings are kept:
    another model's settings load their own copy, freed with that model.
    """
    return _load_once(model_name, tuple(exclude))


#: SudachiPy's tokenizer refuses to be used by two threads at once ("Already borrowed"); Rasa
#: parses customers' messages on its event loop while ``POST /model/train`` and
#: ``POST /model/test/intents`` run in a worker thread. One text at a time, so a turn waits
#: for at most one other text's tokenisation (about 0.4 ms).
TOKENIZER_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
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

    def _doc_for_text(self, model: Language, text: Text) -> Doc:
        with TOKENIZER_LOCK:
            return super()._doc_for_text(model, text)

    @staticmethod
    def _process_content_bearing_samples(model: Language, samples_to_pipe: List[Tuple[int, Text]]
                                         ) -> List[Tuple[int, Doc]]:
        """Rasa's, one text at a time under the lock (``model.pipe`` gives the same docs: the
        model has no components to batch)."""
        docs = []
        for index, text in samples_to_pipe:
            with TOKENIZER_LOCK:
                docs.append((index, model(text)))
        return docs

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
