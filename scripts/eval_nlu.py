#!/usr/bin/env python
"""`make eval`: train the NLU model from config.yml on nlu/data/ and score it on the held-out file.

Reports intent accuracy, macro-F1 over the contract intents, per-intent P/R/F1, the
most frequent confusions, and entity P/R/F1 on canonical (entity, value) pairs, beside
a plain peer (char n-gram TF-IDF + logistic regression on the same split), so a
pipeline change is judged against something simple rather than in a vacuum.

Both are also scored on the same held-out messages rewritten in hiragana only (every word
holding a kanji or katakana replaced by the hiragana of its GiNZA/Sudachi reading;
measure_common.hiragana_only), because customers on phones often leave words unconverted
(「こじんじょうほうのかいじをしたい」) and the held-out file has few such messages.

Target (issue 13): accuracy >= 0.975 and at least 3 points above the peer, and >= 0.90 on
the hiragana-only rewrite. Exit code 0 whether or not the target is met (it is a report);
non-zero only when something could not be measured.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import time
import unicodedata
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before anything imports TensorFlow
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
warnings.filterwarnings("ignore", category=DeprecationWarning)  # library noise, not about our data

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_common import (  # noqa: E402
    REPO_ROOT,
    Example,
    Prediction,
    canonical_intent,
    confusion_pairs,
    entity_metrics,
    entity_set,
    examples_from_training_data,
    hiragana_only,
    intent_metrics,
    CONTRACT_CANDIDATES,
    load_contract_intents,
    load_examples,
    peer_pipeline,
    percentile,
    quiet_rasa,
)

# Custom components in config.yml (e.g. nlu.components.normalizer) must be importable.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

ACCURACY_TARGET = 0.975
PEER_MARGIN = 0.03  # accuracy at least this much above the peer's
HIRAGANA_TARGET = 0.90  # accuracy on the hiragana-only rewrite of the held-out messages
# The held-out file annotates request_type/ticket_number only in request messages, while the
# extractor (rightly) also finds e.g. request_type in 「開示の申し込みはどこで？」; so these two
# are also scored on the messages whose gold intent is a request, beside the overall figure.
REQUEST_INTENTS = ("start_request", "check_request_status")
REQUEST_ENTITIES = ("request_type", "ticket_number")
MODEL_NAME = "nlu-eval"


def get_normalizer() -> Tuple[Callable[[str], str], str]:
    """The pipeline's own normaliser if the project has one, else NFKC, so the peer sees the same text."""
    try:
        from nlu.components.normalizer import normalize_text  # type: ignore[import-not-found]

        return normalize_text, "nlu.components.normalizer.normalize_text"
    except ImportError:
        return (lambda text: unicodedata.normalize("NFKC", text)), "unicodedata NFKC (no project normaliser)"


def hiragana_converter() -> Callable[[str], str]:
    """Rewrites a message in hiragana only, with GiNZA's tokenizer alone (no trained ja_ginza part)."""
    from nlu.components.ginza_nlp import UNUSED_GINZA_COMPONENTS, load_tokens_only

    nlp = load_tokens_only("ja_ginza", list(UNUSED_GINZA_COMPONENTS)).model

    def convert(text: str) -> str:
        return hiragana_only((t.text, "".join(t.morph.get("Reading")), t.whitespace_) for t in nlp(text))

    return convert


def rewritten(test: Sequence[Example], convert: Callable[[str], str]) -> List[Example]:
    """The same labelled messages with their text rewritten (intents and entity values kept)."""
    return [Example(convert(ex.text), ex.intent, ex.entities) for ex in test]


def model_is_fresh(model: Path, inputs: Sequence[Path]) -> bool:
    """True when `model` exists and is newer than every input file (config, data, custom components)."""
    if not model.exists():
        return False
    newest = 0.0
    for path in inputs:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else []
        newest = max([newest] + [f.stat().st_mtime for f in files])
    return model.stat().st_mtime > newest


def training_files(paths: Sequence[Path]) -> List[Path]:
    """The NLU files under ``paths`` (files as given, directories' ``*.yml``), each once, sorted."""
    files = set()
    for path in paths:
        files.update([path] if path.is_file() else path.rglob("*.yml"))
    return sorted(f.resolve() for f in files)


def gathered(paths: Sequence[Path], into: Path) -> Path:
    """One directory holding copies of the training files, as Rasa's ``train_nlu`` reads one path.

    Copied under their own names and their directory's (``data__faq.yml``, ``heldout__heldout.yml``)
    so that two files of the same name do not overwrite each other.
    """
    if len(paths) == 1:
        return paths[0]
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for f in training_files(paths):
        shutil.copyfile(f, into / f"{f.parent.name}__{f.name}")
    return into


def train_model(config: Path, train: Path, model_dir: Path) -> Path:
    """Train with Rasa's own API so the model is exactly what `rasa train nlu` would give."""
    from rasa.model_training import train_nlu

    model_dir.mkdir(parents=True, exist_ok=True)
    result = train_nlu(str(config), str(train), str(model_dir), fixed_model_name=MODEL_NAME)
    if not result:
        raise RuntimeError(f"Rasa did not train a model from {config} and {train}")
    return Path(result)


def load_training_examples(config: Path, train: Path) -> List[Example]:
    """The examples Rasa trains on, read through the same importer train_nlu uses."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_nlu_importer_from_config(str(config), training_data_paths=[str(train)])
    return examples_from_training_data(importer.get_nlu_data())


async def _parse_all(model: Path, texts: Sequence[str]) -> Tuple[List[Dict[str, Any]], List[float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parses, seconds = [], []
    for text in texts:
        start = time.perf_counter()
        parses.append(await agent.parse_message(text))
        seconds.append(time.perf_counter() - start)
    return parses, seconds


def predict_rasa(model: Path, test: Sequence[Example],
                 extra: Sequence[Example] = ()) -> Tuple[List[Prediction], List[Prediction], float]:
    """Parse every message of `test` and `extra` with one loaded model.

    Returns the predictions of each and the median ms/message over `test`.
    """
    parses, seconds = asyncio.run(_parse_all(model, [ex.text for ex in [*test, *extra]]))
    preds = []
    for ex, parse in zip([*test, *extra], parses):
        intent = parse.get("intent") or {}
        raw = intent.get("name") or ""
        preds.append(Prediction(
            text=ex.text, gold=ex.intent, pred=canonical_intent(ex.intent, raw), raw_pred=raw,
            confidence=float(intent.get("confidence") or 0.0),
            gold_entities=ex.entities, pred_entities=entity_set(parse.get("entities") or []),
        ))
    return preds[:len(test)], preds[len(test):], percentile(seconds[:len(test)], 50) * 1000


def predict_peer(train: Sequence[Example], tests: Sequence[Sequence[Example]], normalize: Callable[[str], str],
                 ngrams: Tuple[int, int]) -> List[List[Prediction]]:
    """Char n-gram TF-IDF + LogisticRegression, fitted once: the bar a real pipeline should clear."""
    peer = peer_pipeline(normalize, ngrams)
    peer.fit([ex.text for ex in train], [ex.intent for ex in train])
    out = []
    for test in tests:
        labels = peer.predict([ex.text for ex in test])
        out.append([Prediction(ex.text, ex.intent, canonical_intent(ex.intent, str(lab)), str(lab))
                    for ex, lab in zip(test, labels)])
    return out


def request_entity_metrics(preds: Sequence[Prediction]) -> Dict[str, Any]:
    """Entity P/R/F1 of REQUEST_ENTITIES on messages whose gold intent is one of REQUEST_INTENTS."""
    def keep(pairs: Any) -> frozenset:
        return frozenset(p for p in pairs if p[0] in REQUEST_ENTITIES)

    chosen = [p for p in preds if p.gold in REQUEST_INTENTS]
    m = entity_metrics([keep(p.gold_entities) for p in chosen], [keep(p.pred_entities) for p in chosen])
    m["n_messages"] = len(chosen)
    return m


def target_met(rasa: float, peer: float, rasa_hiragana: float) -> bool:
    """Issue 13's target: accuracy >= 0.975 and >= peer + 0.03, and >= 0.90 on the hiragana set.

    The margin is compared with a tolerance so that e.g. 0.993 - 0.963 is not lost to rounding.
    """
    return rasa >= ACCURACY_TARGET and rasa - peer >= PEER_MARGIN - 1e-9 and rasa_hiragana >= HIRAGANA_TARGET


def build_report(rasa_preds: List[Prediction], peer_preds: List[Prediction], rasa_hira: List[Prediction],
                 peer_hira: List[Prediction], contract: List[str], meta: Dict[str, Any]) -> Dict[str, Any]:
    """Everything the JSON and Markdown reports show, computed once (`*_hira`: the hiragana-only set)."""
    golds = [p.gold for p in rasa_preds]
    rasa = intent_metrics(golds, [p.pred for p in rasa_preds], contract)
    peer = intent_metrics(golds, [p.pred for p in peer_preds], contract)
    rasa["confusions"] = confusion_pairs(rasa_preds)
    rasa["entities"] = entity_metrics([p.gold_entities for p in rasa_preds], [p.pred_entities for p in rasa_preds])
    rasa["entities_in_requests"] = request_entity_metrics(rasa_preds)
    peer["confusions"] = confusion_pairs(peer_preds, top=5)
    hira: Dict[str, Any] = {}
    for name, preds in (("rasa", rasa_hira), ("peer", peer_hira)):
        hira[name] = intent_metrics([p.gold for p in preds], [p.pred for p in preds], contract)
        hira[name]["confusions"] = confusion_pairs(preds, top=10 if name == "rasa" else 5)
    met = target_met(rasa["accuracy"], peer["accuracy"], hira["rasa"]["accuracy"])
    return {
        **meta,
        "entities_annotated": any(p.gold_entities for p in rasa_preds),
        "target": {"accuracy_min": ACCURACY_TARGET, "peer_margin_min": PEER_MARGIN,
                   "hiragana_accuracy_min": HIRAGANA_TARGET, "met": met},
        "rasa": rasa,
        "peer": peer,
        "hiragana": hira,
        "not_in_contract": sorted({p.gold for p in rasa_preds} - set(contract)) if contract else [],
    }


def fmt(x: float) -> str:
    return f"{x:.3f}"


def render_markdown(rep: Dict[str, Any]) -> str:
    """Human-readable report; the same text is printed and written to nlu_eval.md."""
    r, p = rep["rasa"], rep["peer"]
    hr, hp = rep["hiragana"]["rasa"], rep["hiragana"]["peer"]
    ent = r["entities"]
    annotated = rep["entities_annotated"]  # a test file without entities says nothing about the extractor
    req = r.get("entities_in_requests") if annotated else None
    lines = [
        f"# NLU evaluation ({rep['generated_at']})",
        "",
        f"- config: `{rep['config']}`, train: `{rep['train']}` ({rep['n_train']} examples), "
        f"test: `{rep['test']}` ({rep['n_test']} examples)",
        f"- model: `{rep['model']}` ({'reused' if rep['model_reused'] else 'trained'}), "
        f"median parse {rep['rasa_ms_per_message']:.1f} ms/message in-process",
        f"- peer: char {rep['peer_ngrams']}-gram TF-IDF + LogisticRegression, normaliser: {rep['normalizer']}",
        "",
        "| | Rasa pipeline | peer | target |",
        "|---|---|---|---|",
        f"| intent accuracy | {fmt(r['accuracy'])} | {fmt(p['accuracy'])} | >= {ACCURACY_TARGET} and >= peer + {PEER_MARGIN} |",
        f"| hiragana only: intent accuracy (the same {hr['n']} messages, {rep['n_hiragana_changed']} of them "
        f"rewritten: every kanji/katakana word as its reading) "
        f"| {fmt(hr['accuracy'])} | {fmt(hp['accuracy'])} | >= {HIRAGANA_TARGET:.2f} |",
        f"| macro-F1 ({len(r['macro_labels'])} contract intents) | {fmt(r['macro_f1'])} | {fmt(p['macro_f1'])} | |",
    ]
    if annotated:
        lines.append(f"| entity P / R / F1 (all messages, all types) | {fmt(ent['precision'])} / {fmt(ent['recall'])} / {fmt(ent['f1'])} | - | |")
    else:
        lines.append("| entities | not annotated in the test file | - | |")
    if req is not None:
        lines.append(
            f"| entity P / R / F1 ({'/'.join(REQUEST_ENTITIES)} in {req['n_messages']} "
            f"{'/'.join(REQUEST_INTENTS)} messages) | {fmt(req['precision'])} / {fmt(req['recall'])} / {fmt(req['f1'])} | - | |")
    lines += [
        "",
        f"**Target {'MET' if rep['target']['met'] else 'NOT MET'}**",
        "",
    ]
    if r["macro_missing"]:
        lines += [f"Contract intents with no held-out example (left out of macro-F1): {', '.join(r['macro_missing'])}", ""]
    if rep["not_in_contract"]:
        lines += [f"Held-out intents not in the contract: {', '.join(rep['not_in_contract'])}", ""]
    lines += ["## Per intent (Rasa | peer F1)", "",
              "| intent | support | precision | recall | F1 | peer F1 |", "|---|---|---|---|---|---|"]
    for name, m in r["per_intent"].items():
        if m["support"] or m["predicted"]:
            pf = p["per_intent"].get(name, {}).get("f1", 0.0)
            lines.append(f"| {name} | {m['support']} | {fmt(m['precision'])} | {fmt(m['recall'])} | {fmt(m['f1'])} | {fmt(pf)} |")
    for title, confusions in (("", r["confusions"]), (", hiragana only", hr["confusions"])):
        lines += ["", f"## Most frequent confusions{title} (Rasa, gold → predicted)", ""]
        if not confusions:
            lines.append("none")
        for c in confusions:
            examples = "; ".join(f"「{e['text']}」 ({e['raw_pred']} {e['confidence']})" for e in c["examples"])
            lines.append(f"- {c['gold']} → {c['pred']} ×{c['count']}: {examples}")
    if not annotated:
        return "\n".join(lines) + "\n"
    lines += ["", "## Entities (canonical (entity, value) pairs, per message)", "",
              "| entity | tp | fp | fn | precision | recall | F1 |", "|---|---|---|---|---|---|---|"]
    for name, m in ent["per_entity"].items():
        lines.append(f"| {name} | {m['tp']} | {m['fp']} | {m['fn']} | {fmt(m['precision'])} | {fmt(m['recall'])} | {fmt(m['f1'])} |")
    if req is not None:
        lines += ["", f"Restricted to gold {'/'.join(REQUEST_INTENTS)} messages ({'/'.join(REQUEST_ENTITIES)} only):", "",
                  "| entity | tp | fp | fn | precision | recall | F1 |", "|---|---|---|---|---|---|---|"]
        for name, m in req["per_entity"].items():
            lines.append(f"| {name} | {m['tp']} | {m['fp']} | {m['fn']} | {fmt(m['precision'])} | {fmt(m['recall'])} | {fmt(m['f1'])} |")
    return "\n".join(lines) + "\n"


def find_contract(explicit: Optional[Path]) -> Optional[Path]:
    if explicit:
        return explicit
    return next((c for c in CONTRACT_CANDIDATES if c.exists()), None)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, default=REPO_ROOT / "config.yml")
    ap.add_argument("--train", type=Path, action="append",
                    help="training data, a file or a directory (repeatable); default nlu/data")
    ap.add_argument("--test", type=Path, default=REPO_ROOT / "nlu/heldout/heldout.yml")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "results", help="directory for the reports")
    ap.add_argument("--name", default="nlu_eval", help="report file stem in --out (<name>.json, <name>.md)")
    ap.add_argument("--model-dir", type=Path, default=REPO_ROOT / "models/eval")
    ap.add_argument("--contract", type=Path, default=None, help="intent contract (default: shared/contract/intents.yml)")
    ap.add_argument("--skip-train", action="store_true", help="reuse models/eval if newer than config, data and components")
    ap.add_argument("--peer-ngrams", default="1-3", help="char n-gram range of the peer, e.g. 1-3 or 2-4")
    args = ap.parse_args(argv)
    args.train = args.train or [REPO_ROOT / "nlu/data"]
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    for path in (args.config, *args.train, args.test):
        if not path.exists():
            print(f"eval_nlu: {path} does not exist", file=sys.stderr)
            return 2
    lo, hi = (int(x) for x in args.peer_ngrams.split("-"))
    quiet_rasa()

    contract_path = find_contract(args.contract)
    contract = load_contract_intents(contract_path) if contract_path else []
    if not contract:
        print("eval_nlu: no intent contract found; macro-F1 over the held-out intents instead", file=sys.stderr)

    if args.test.resolve() in training_files(args.train):
        print(f"eval_nlu: {args.test} is also in the training data", file=sys.stderr)
        return 2
    model = args.model_dir / f"{MODEL_NAME}.tar.gz"
    inputs = [args.config, *args.train, REPO_ROOT / "nlu/components"]
    reused = args.skip_train and model_is_fresh(model, inputs)
    if args.skip_train and not reused:
        print(f"eval_nlu: {model} is missing or older than its inputs; training", file=sys.stderr)
    train_path = gathered(args.train, args.model_dir / "training-data")
    if not reused:
        model = train_model(args.config, train_path, args.model_dir)

    train = load_training_examples(args.config, train_path)
    test = load_examples(args.test)
    if not test:
        print(f"eval_nlu: no intent examples in {args.test}", file=sys.stderr)
        return 2
    normalize, normalizer_name = get_normalizer()
    hiragana_test = rewritten(test, hiragana_converter())
    rasa_preds, rasa_hira, ms_per_msg = predict_rasa(model, test, hiragana_test)
    peer_preds, peer_hira = predict_peer(train, [test, hiragana_test], normalize, (lo, hi))

    meta = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": str(args.config), "train": ", ".join(map(str, args.train)), "test": str(args.test),
        "contract": str(contract_path) if contract_path else None,
        "model": str(model), "model_reused": reused,
        "n_train": len(train), "n_test": len(test),
        "n_hiragana_changed": sum(a.text != b.text for a, b in zip(test, hiragana_test)),
        "normalizer": normalizer_name, "peer_ngrams": f"{lo}-{hi}",
        "rasa_ms_per_message": ms_per_msg,
    }
    report = build_report(rasa_preds, peer_preds, rasa_hira, peer_hira,
                          contract or sorted({ex.intent for ex in test}), meta)
    report["predictions"] = [
        {"text": p.text, "gold": p.gold, "pred": p.raw_pred, "confidence": p.confidence,
         "gold_entities": sorted(p.gold_entities), "pred_entities": sorted(p.pred_entities)}
        for p in rasa_preds
    ]
    report["hiragana"]["predictions"] = [
        {"text": p.text, "gold": p.gold, "pred": p.raw_pred, "confidence": p.confidence} for p in rasa_hira
    ]
    markdown = render_markdown(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    (args.out / f"{args.name}.md").write_text(markdown, encoding="utf-8")
    print("\n" + markdown)
    print(f"written: {args.out / f'{args.name}.json'}, {args.out / f'{args.name}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
