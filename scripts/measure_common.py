"""Pure helpers shared by `make eval` (eval_nlu.py) and `make bench` (bench.py).

Kept free of model training and servers so tests/scripts/test_measurement.py can
check every number the reports print on tiny hand-made inputs, in milliseconds.
"""
from __future__ import annotations

import logging
import math
import re
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

REPO_ROOT = Path(__file__).resolve().parent.parent
# The intent contract stands in shared/ beside the repository (as on CI), or inside it.
CONTRACT_CANDIDATES = [REPO_ROOT.parent / "shared/contract/intents.yml", REPO_ROOT / "shared/contract/intents.yml"]

# The contract lets an out-of-scope message come back as either name.
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"

EntitySet = FrozenSet[Tuple[str, str]]


@dataclass(frozen=True)
class Example:
    """One labelled message: what the customer wrote and what it should parse to."""

    text: str
    intent: str
    entities: EntitySet = field(default_factory=frozenset)


@dataclass(frozen=True)
class Prediction:
    """One evaluated message. `pred` is the label metrics use; `raw_pred` what the model said."""

    text: str
    gold: str
    pred: str
    raw_pred: str
    confidence: float = 0.0
    gold_entities: EntitySet = field(default_factory=frozenset)
    pred_entities: EntitySet = field(default_factory=frozenset)


# --------------------------------------------------------------------------- labels


def canonical_intent(gold: str, pred: Optional[str]) -> str:
    """Fold `nlu_fallback` into `out_of_scope`, as the contract scores them the same.

    Folded for every gold label (not only gold out_of_scope) so that a fallback on an
    in-scope question also counts against out_of_scope precision, exactly like an
    explicit out_of_scope prediction would.
    """
    if pred is None or pred == "":
        return "<none>"
    return OUT_OF_SCOPE if pred == FALLBACK else pred


def entity_set(entities: Iterable[Dict[str, Any]]) -> EntitySet:
    """(entity, value) pairs of a Rasa entity list; duplicates from several extractors collapse."""
    return frozenset(
        (str(e.get("entity")), str(e.get("value")))
        for e in entities
        if e.get("entity") is not None and e.get("value") is not None
    )


def load_contract_intents(path: Path) -> List[str]:
    """Intent names of shared/contract/intents.yml: the keys one level under faq/request/dialogue.

    Read line by line rather than with a YAML parser because the contract's prose
    (e.g. "総武産業株式会社: which items") is not strictly valid YAML, and only the
    names matter here.
    """
    names: List[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^  ([A-Za-z_][A-Za-z0-9_]*):", line)
        if match:
            names.append(match.group(1))
    return names


def examples_from_training_data(training_data: Any) -> List[Example]:
    """Turn a Rasa TrainingData into Examples; the entity values are the annotated ones."""
    out = []
    for msg in training_data.intent_examples:
        text = msg.get("text")
        if not text:
            continue
        out.append(Example(text, str(msg.get("intent")), entity_set(msg.get("entities") or [])))
    return out


def load_examples(path: Path) -> List[Example]:
    """Load a Rasa NLU YAML file (or directory) with Rasa's own reader.

    Using Rasa's reader, not a hand-written parser, means `[x]{"entity": .., "value": ..}`
    and `[x](entity:value)` annotations give exactly the values Rasa itself would train on.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    return examples_from_training_data(load_data(str(path), language="ja"))


# --------------------------------------------------------------------------- hiragana-only set

# A token is rewritten when it holds a kanji (CJK ideographs, extension A, compatibility) or a
# katakana (full or half width); 々 alone is left, as Sudachi reads a lone 々 as キゴウ.
_KANJI_OR_KATAKANA = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30a1-\u30fa\u30fd\u30fe\uff66-\uff9d]")


def katakana_to_hiragana(text: str) -> str:
    """ァ..ヶ and ヽヾ become their hiragana (ヴ → ゔ); ー, ヷ..ヺ and everything else are kept."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" or c in "ヽヾ" else c for c in text)


def hiragana_only(tokens: Iterable[Tuple[str, str, str]]) -> str:
    """The message as a customer who leaves every word unconverted would type it.

    ``tokens`` are (surface, katakana reading, trailing whitespace) from GiNZA's Sudachi
    tokenizer. A token holding a kanji or a katakana becomes the hiragana of its reading
    (個人情報 → こじんじょうほう, メール → めーる, ｶｲｼﾞ → かいじ); digits, Latin letters,
    punctuation, spaces and hiragana stay as typed. Sudachi reads an unknown word as its
    surface, so a rare kanji it does not know (髙) stays a kanji.

    Why: phone users often send 「こじんじょうほうのかいじをしたい」, and the held-out file,
    typed on keyboards, has few such messages; `make eval` measures the same messages
    rewritten this way so that the hiragana figure tests the same meanings.
    """
    return "".join(
        (katakana_to_hiragana(reading or surface) if _KANJI_OR_KATAKANA.search(surface) else surface) + space
        for surface, reading, space in tokens
    )


# --------------------------------------------------------------------------- metrics


def prf(tp: int, fp: int, fn: int) -> Tuple[float, float, float]:
    """Precision, recall, F1 with 0.0 where undefined (no division by zero in reports)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def intent_metrics(
    golds: Sequence[str], preds: Sequence[str], macro_labels: Optional[Sequence[str]] = None
) -> Dict[str, Any]:
    """Accuracy, per-intent P/R/F1 and macro-F1.

    Macro-F1 averages over `macro_labels` (the contract intents) that have at least one
    gold example: an intent absent from the test file has no defined recall, and
    giving it 0 or 1 would say something about the test file, not about the model.
    Labels in `macro_labels` without gold examples are listed under `macro_missing`.
    """
    if len(golds) != len(preds):
        raise ValueError("golds and preds differ in length")
    support = Counter(golds)
    predicted = Counter(preds)
    correct = Counter(g for g, p in zip(golds, preds) if g == p)
    per_intent = {}
    for label in sorted(set(golds) | set(preds) | set(macro_labels or [])):
        tp = correct[label]
        p, r, f = prf(tp, predicted[label] - tp, support[label] - tp)
        per_intent[label] = {
            "precision": p, "recall": r, "f1": f,
            "support": support[label], "predicted": predicted[label],
        }
    labels = list(macro_labels) if macro_labels is not None else sorted(support)
    scored = [label for label in labels if support[label] > 0]
    macro = sum(per_intent[label]["f1"] for label in scored) / len(scored) if scored else 0.0
    return {
        "n": len(golds),
        "accuracy": sum(correct.values()) / len(golds) if golds else 0.0,
        "macro_f1": macro,
        "macro_labels": scored,
        "macro_missing": [label for label in labels if support[label] == 0],
        "per_intent": per_intent,
    }


def confusion_pairs(predictions: Sequence[Prediction], top: int = 10, examples: int = 2) -> List[Dict[str, Any]]:
    """Most frequent gold -> predicted mistakes, with a few example texts to look at."""
    counts: Counter = Counter()
    samples: Dict[Tuple[str, str], List[Dict[str, Any]]] = defaultdict(list)
    for pr in predictions:
        if pr.gold == pr.pred:
            continue
        key = (pr.gold, pr.pred)
        counts[key] += 1
        if len(samples[key]) < examples:
            samples[key].append({"text": pr.text, "raw_pred": pr.raw_pred, "confidence": round(pr.confidence, 3)})
    # Ties broken by name so reports are stable from run to run.
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [{"gold": g, "pred": p, "count": c, "examples": samples[(g, p)]} for (g, p), c in ranked]


def entity_metrics(gold_sets: Sequence[EntitySet], pred_sets: Sequence[EntitySet]) -> Dict[str, Any]:
    """Micro P/R/F1 of (entity, value) pairs, compared as sets per message, plus per entity type.

    A value counts only when it equals the annotated canonical form (digits-only phone,
    NNN-NNNN postal code, upper-case PR-XXXX-XXXX, request_type code), so this also
    measures the normalisation that extraction must do.
    """
    tp = fp = fn = 0
    by_type: Dict[str, List[int]] = defaultdict(lambda: [0, 0, 0])
    for gold, pred in zip(gold_sets, pred_sets):
        for ent, _ in gold & pred:
            by_type[ent][0] += 1
        for ent, _ in pred - gold:
            by_type[ent][1] += 1
        for ent, _ in gold - pred:
            by_type[ent][2] += 1
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    p, r, f = prf(tp, fp, fn)
    per_type = {}
    for ent, (t, fpos, fneg) in sorted(by_type.items()):
        ep, er, ef = prf(t, fpos, fneg)
        per_type[ent] = {"precision": ep, "recall": er, "f1": ef, "tp": t, "fp": fpos, "fn": fneg}
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn, "per_entity": per_type}


def percentile(values: Sequence[float], q: float) -> float:
    """q-th percentile (0..100) by linear interpolation between order statistics.

    Same definition as numpy's default, written out so the bench has no hidden choice.
    """
    if not values:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError("q must be within 0..100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def latency_summary(seconds: Sequence[float]) -> Dict[str, float]:
    """p50/p95/p99/mean/max in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": sum(ms) / len(ms) if ms else math.nan,
        "max_ms": max(ms) if ms else math.nan,
    }


def quiet_rasa() -> None:
    """Rasa logs every parse with its text at debug level; a report should not echo the test set.

    Also imports Rasa's heavy modules with warnings off: their import-time deprecation
    warnings (matplotlib, pyparsing, click) would bury the report and say nothing about it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import rasa.core.agent  # noqa: F401
        import rasa.model_training  # noqa: F401
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING, warn_only_once=False)
    configure_structlog(logging.WARNING)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def peer_pipeline(normalize: Callable[[str], str], ngrams: Tuple[int, int] = (1, 3)) -> Any:
    """The plain peer every figure is compared with: char n-gram TF-IDF + LogisticRegression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=ngrams, sublinear_tf=True, preprocessor=normalize),
        LogisticRegression(C=10.0, max_iter=5000),
    )
