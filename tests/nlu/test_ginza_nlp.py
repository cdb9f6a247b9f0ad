"""GiNZA's tokenizer and vectors alone give the NLU exactly what the whole ja_ginza gives it."""
from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
import yaml

from nlu.components.ginza_nlp import UNUSED_GINZA_COMPONENTS, GinzaTokensNLP, load_tokens_only
from sobu_privacy.text import normalize_text

ROOT = Path(__file__).resolve().parents[2]


def examples(every: int) -> List[str]:
    """Every ``every``-th training and held-out example, normalised as the pipeline does."""
    texts: List[str] = []
    for path in sorted((ROOT / "nlu" / "data").glob("*.yml")) + sorted((ROOT / "nlu" / "heldout").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    texts.append(normalize_text(line.strip()[2:]))
    return texts[::every]


@pytest.fixture(scope="module")
def pipelines():
    import spacy

    full = spacy.load("ja_ginza", disable=["parser"])  # what Rasa's SpacyNLP loads
    lean = load_tokens_only("ja_ginza", list(UNUSED_GINZA_COMPONENTS)).model
    return full, lean


def what_the_nlu_reads(doc) -> list:
    """Tokens with offsets, lemmas and katakana readings (SpacyTokenizer, CharTfidfFeaturizer)."""
    return [(t.text, t.idx, t.lemma_, tuple(t.morph.get("Reading"))) for t in doc]


def test_the_lean_model_loads_no_trained_component(pipelines):
    _full, lean = pipelines
    assert lean.pipe_names == [] and lean.vocab.vectors.shape[0] > 0


def test_the_lean_model_loads_none_of_the_vocabularys_strings(pipelines):
    full, lean = pipelines
    # ja_ginza ships ~599,000; the lean model holds only what its tokenizer has produced so far.
    assert len(full.vocab.strings) > 500_000
    assert len(lean.vocab.strings) < 100_000


def test_rasas_two_graph_nodes_share_one_model():
    """Rasa builds a SpacyNLP's "provide" and "run" nodes separately; each used to load GiNZA."""
    provider = GinzaTokensNLP.create({"model": "ja_ginza"}, None, None, None)
    runner = GinzaTokensNLP.create({"model": "ja_ginza"}, None, None, None)
    assert provider.provide().model is runner.provide().model
    other = GinzaTokensNLP.create({"model": "ja_ginza", "exclude": ["parser"]}, None, None, None)
    assert other.provide().model is not runner.provide().model  # other settings, another model


def test_same_tokens_lemmas_readings_and_vectors(pipelines):
    full, lean = pipelines
    texts = examples(every=8) + ["てすうりょうはいくらですか", "ｶｲｼﾞｾｲｷｭｳ", "受付番号PR-7K3M-9XQ2の状況", ""]
    assert len(texts) > 250
    for text in texts:
        a, b = full(text), lean(text)
        assert what_the_nlu_reads(a) == what_the_nlu_reads(b), text
        assert np.allclose(a.vector, b.vector), text  # SpacyFeaturizer's sentence feature
        assert all(np.allclose(x.vector, y.vector) for x, y in zip(a, b)), text


def test_threads_take_turns_with_the_shared_tokenizer():
    """Rasa trains and tests through its HTTP API in a worker thread while the event loop parses
    customers' messages; GiNZA's tokenizer fails when two threads use it at once."""
    import threading

    component = GinzaTokensNLP.create({"model": "ja_ginza"}, None, None, None)
    model = component.provide().model
    texts = ["ガスの契約者情報の開示請求をしたいのですが、受付番号を教えてください" * 20, "個人情報の利用目的は何ですか" * 30]
    errors: List[str] = []

    def parse(text: str) -> None:
        try:
            for _ in range(60):
                component._doc_for_text(model, text)
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            errors.append(repr(error))

    def train(text: str) -> None:
        try:
            for _ in range(3):
                component._process_content_bearing_samples(model, [(i, text) for i in range(20)])
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))

    threads = [threading.Thread(target=parse, args=(texts[0],)), threading.Thread(target=parse, args=(texts[1],)),
               threading.Thread(target=train, args=(texts[1],)), threading.Thread(target=train, args=(texts[0],))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_training_texts_are_tokenised_as_rasas_pipe_would(pipelines):
    _full, lean = pipelines
    texts = examples(every=40)
    ours = GinzaTokensNLP._process_content_bearing_samples(lean, list(enumerate(texts)))
    assert [i for i, _ in ours] == list(range(len(texts)))
    assert [what_the_nlu_reads(doc) for _, doc in ours] == [what_the_nlu_reads(doc) for doc in lean.pipe(texts)]
