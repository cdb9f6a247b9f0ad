#!/usr/bin/env python
"""Stratified k-fold cross-validation of NLU configs on the TRAINING data only (nlu/data).

Used to choose the pipeline (classifier, featurizers, FallbackClassifier thresholds)
without looking at the held-out file, which stays the final test (scripts/eval_nlu.py).

For every config and fold: train with Rasa's own `train_nlu` on the other folds, load
the model with `Agent.load`, parse the fold's messages, and keep the full intent ranking.
Reports intent accuracy and macro-F1 over the contract intents (nlu_fallback counts as
out_of_scope, as the contract says), the most frequent confusions, the training wall time
per fold, a sweep of FallbackClassifier threshold/ambiguity_threshold recomputed from the
rankings (no retraining), and the char TF-IDF + LogisticRegression peer on the same folds.

    cd /work/main && source scripts/env.sh
    RASA_CACHE_DIRECTORY=/tmp/my_cache .venv/bin/python scripts/cv_nlu.py \
        --config config.yml --config /tmp/variant.yml --folds 5

Training times depend on machine load (printed): Rasa's training cache in
RASA_CACHE_DIRECTORY reuses the spaCy/GiNZA parse of a fold across configs, so only the
first config on a fold pays for it: compare classifier times
across configs, and measure a cold full training separately.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
warnings.filterwarnings("ignore", category=DeprecationWarning)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_common import (  # noqa: E402
    REPO_ROOT,
    Prediction,
    canonical_intent,
    confusion_pairs,
    intent_metrics,
    CONTRACT_CANDIDATES,
    load_contract_intents,
    peer_pipeline,
    quiet_rasa,
)

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

FALLBACK = "nlu_fallback"
DEFAULT_SWEEP_THRESHOLDS = [0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55]
DEFAULT_SWEEP_AMBIGUITY = [0.0, 0.05, 0.1]


def load_training_data(config: Path, data: Path) -> Any:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_nlu_importer_from_config(str(config), training_data_paths=[str(data)])
    return importer.get_nlu_data()


def make_folds(labels: Sequence[str], k: int, seed: int) -> List[List[int]]:
    """Indices of each test fold, stratified by intent, fixed by `seed`."""
    from sklearn.model_selection import StratifiedKFold

    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [list(test) for _, test in skf.split(list(range(len(labels))), list(labels))]


def write_fold_training_data(full: Any, keep: Sequence[int], path: Path) -> None:
    """The training part of a fold as Rasa YAML (regexes, lookups and synonyms kept)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = [full.intent_examples[i] for i in keep]
    td = TrainingData(
        training_examples=examples,
        entity_synonyms=full.entity_synonyms,
        regex_features=full.regex_features,
        lookup_tables=full.lookup_tables,
    )
    RasaYAMLWriter().dump(path, td)


async def _parse(model: str, texts: Sequence[str]) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [await agent.parse_message(t) for t in texts]


def ranking_of(parse: Dict[str, Any]) -> Tuple[List[Tuple[str, float]], bool]:
    """The classifier's own ranking (nlu_fallback removed) and whether the emergency rule fired."""
    emergency = any(e.get("entity") == "emergency" for e in parse.get("entities") or [])
    ranking = [(r["name"], float(r["confidence"])) for r in parse.get("intent_ranking") or []
               if r.get("name") != FALLBACK]
    if emergency and ranking and ranking[0][0] == "out_of_scope" and ranking[0][1] == 1.0:
        ranking = ranking[1:]  # the detector's forced entry; the classifier's ranking follows
    if not ranking:
        intent = parse.get("intent") or {}
        ranking = [(intent.get("name") or "", float(intent.get("confidence") or 0.0))]
    return ranking, emergency


def decide(ranking: List[Tuple[str, float]], emergency: bool, threshold: float, ambiguity: float) -> str:
    """What FallbackClassifier(threshold, ambiguity) + EmergencyDetector would output."""
    if emergency:
        return "out_of_scope"
    top, conf = ranking[0]
    if conf < threshold:
        return FALLBACK
    if len(ranking) > 1 and conf - ranking[1][1] < ambiguity:
        return FALLBACK
    return top


def peer_fold(train_x: List[str], train_y: List[str], test_x: List[str]) -> List[str]:
    from sobu_privacy.text import normalize_text

    peer = peer_pipeline(normalize_text, (1, 3))
    peer.fit(train_x, train_y)
    return [str(x) for x in peer.predict(test_x)]


def fallback_settings(config: Path) -> Tuple[float, float]:
    import yaml

    cfg = yaml.safe_load(config.read_text(encoding="utf-8"))
    for comp in cfg.get("pipeline") or []:
        # Rasa's or the project's subclass (whose per-intent thresholds CV does not sweep).
        if str(comp.get("name", "")).endswith("FallbackClassifier"):
            return float(comp.get("threshold", 0.3)), float(comp.get("ambiguity_threshold", 0.1))
    return 0.0, 0.0


def score(texts: List[str], golds: List[str], raws: List[str], contract: List[str],
          confidences: Optional[List[float]] = None) -> Dict[str, Any]:
    preds = [Prediction(t, g, canonical_intent(g, r), r, (confidences or [0.0] * len(texts))[i])
             for i, (t, g, r) in enumerate(zip(texts, golds, raws))]
    m = intent_metrics(golds, [p.pred for p in preds], contract)
    m["confusions"] = confusion_pairs(preds, top=12)
    return m


def run_config(config: Path, full: Any, folds: List[List[int]], work: Path, contract: List[str]) -> Dict[str, Any]:
    from rasa.model_training import train_nlu

    n = len(full.intent_examples)
    texts = [m.get("text") for m in full.intent_examples]
    golds = [str(m.get("intent")) for m in full.intent_examples]
    rankings: List[Any] = [None] * n
    emergencies = [False] * n
    raws = [""] * n
    confs = [0.0] * n
    train_secs, parse_secs = [], []
    for k, test_idx in enumerate(folds):
        test_set = set(test_idx)
        keep = [i for i in range(n) if i not in test_set]
        fold_dir = work / f"fold{k}"
        fold_dir.mkdir(parents=True, exist_ok=True)
        data_path = fold_dir / "train.yml"
        write_fold_training_data(full, keep, data_path)
        model_dir = fold_dir / f"models-{config.stem}"
        t0 = time.perf_counter()
        model = train_nlu(str(config), str(data_path), str(model_dir), fixed_model_name="cv")
        train_secs.append(time.perf_counter() - t0)
        if not model:
            raise RuntimeError(f"training failed for {config} fold {k}")
        t0 = time.perf_counter()
        parses = asyncio.run(_parse(str(model), [texts[i] for i in test_idx]))
        parse_secs.append(time.perf_counter() - t0)
        for i, p in zip(test_idx, parses):
            rankings[i], emergencies[i] = ranking_of(p)
            raws[i] = (p.get("intent") or {}).get("name") or ""
            confs[i] = float((p.get("intent") or {}).get("confidence") or 0.0)
        print(f"  {config.name} fold {k + 1}/{len(folds)}: train {train_secs[-1]:.1f}s, "
              f"parse {parse_secs[-1]:.1f}s, load {os.getloadavg()[0]:.1f}", flush=True)

    tested = sorted(i for f in folds for i in f)  # every example unless --test-only-from
    texts, golds, raws, confs = ([xs[i] for i in tested] for xs in (texts, golds, raws, confs))
    rankings, emergencies = [rankings[i] for i in tested], [emergencies[i] for i in tested]
    n = len(tested)
    thr, amb = fallback_settings(config)
    as_configured = score(texts, golds, raws, contract, confs)
    sweep = []
    for t in DEFAULT_SWEEP_THRESHOLDS:
        for a in DEFAULT_SWEEP_AMBIGUITY:
            sim = [decide(rankings[i], emergencies[i], t, a) for i in range(n)]
            m = intent_metrics(golds, [canonical_intent(g, r) for g, r in zip(golds, sim)], contract)
            sweep.append({"threshold": t, "ambiguity_threshold": a, "accuracy": m["accuracy"],
                          "macro_f1": m["macro_f1"],
                          "in_scope_fallbacks": sum(1 for g, r in zip(golds, sim) if r == FALLBACK and g != "out_of_scope")})
    return {
        "config": str(config),
        "fallback": {"threshold": thr, "ambiguity_threshold": amb},
        "accuracy": as_configured["accuracy"],
        "macro_f1": as_configured["macro_f1"],
        "per_intent_f1": {k: round(v["f1"], 3) for k, v in as_configured["per_intent"].items() if v["support"]},
        "confusions": as_configured["confusions"],
        "train_seconds_per_fold": [round(s, 1) for s in train_secs],
        "train_seconds_mean": sum(train_secs) / len(train_secs),
        "parse_seconds_per_fold": [round(s, 1) for s in parse_secs],
        "fallback_sweep": sweep,
    }


def render(rep: Dict[str, Any]) -> str:
    lines = [f"# NLU cross-validation ({rep['generated_at']})", "",
             f"- data: `{rep['data']}` ({rep['n']} examples, {rep.get('n_tested', rep['n'])} tested"
             + (f" = those also in `{rep['test_only_from']}`" if rep.get("test_only_from") else "")
             + f"), {rep['folds']}-fold stratified, seed {rep['seed']}",
             f"- load average at start / end: {rep['load_start']} / {rep['load_end']} (2 cores; shared machine)",
             f"- peer (char 1-3 TF-IDF + LogisticRegression, same folds): accuracy {rep['peer']['accuracy']:.3f}, "
             f"macro-F1 {rep['peer']['macro_f1']:.3f}", "",
             "| config | fallback thr / amb | accuracy | macro-F1 | train s/fold (mean) | best sweep (thr, amb): acc / F1 |",
             "|---|---|---|---|---|---|"]
    for r in rep["results"]:
        best = max(r["fallback_sweep"], key=lambda s: (s["accuracy"], s["macro_f1"], s["threshold"]))
        lines.append(
            f"| `{Path(r['config']).name}` | {r['fallback']['threshold']} / {r['fallback']['ambiguity_threshold']} "
            f"| {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['train_seconds_mean']:.1f} "
            f"| ({best['threshold']}, {best['ambiguity_threshold']}): {best['accuracy']:.3f} / {best['macro_f1']:.3f} |")
    for r in rep["results"]:
        lines += ["", f"## `{Path(r['config']).name}`", "", "Fallback sweep (accuracy / macro-F1 / in-scope fallbacks):", "",
                  "| threshold | " + " | ".join(f"amb {a}" for a in DEFAULT_SWEEP_AMBIGUITY) + " |",
                  "|---|" + "---|" * len(DEFAULT_SWEEP_AMBIGUITY)]
        for t in DEFAULT_SWEEP_THRESHOLDS:
            cells = [s for s in r["fallback_sweep"] if s["threshold"] == t]
            lines.append(f"| {t} | " + " | ".join(
                f"{s['accuracy']:.3f} / {s['macro_f1']:.3f} / {s['in_scope_fallbacks']}" for s in cells) + " |")
        lines += ["", "Confusions (gold → predicted, as configured):", ""]
        for c in r["confusions"]:
            ex = "; ".join(f"「{e['text']}」 ({e['raw_pred']} {e['confidence']})" for e in c["examples"])
            lines.append(f"- {c['gold']} → {c['pred']} ×{c['count']}: {ex}")
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, action="append", help="config to evaluate (repeatable); default config.yml")
    ap.add_argument("--data", type=Path, default=REPO_ROOT / "nlu/data")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "results/cv")
    ap.add_argument("--name", default="nlu_cv", help="report file stem in --out")
    ap.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temp dir)")
    ap.add_argument("--test-only-from", type=Path, default=None,
                    help="NLU data dir/file: only its examples are split into test folds, every other example of "
                         "--data is always trained on (measures what added examples do to the older ones)")
    args = ap.parse_args(argv)
    configs = args.config or [REPO_ROOT / "config.yml"]
    quiet_rasa()
    contract_path = next((c for c in CONTRACT_CANDIDATES if c.exists()), None)
    contract = load_contract_intents(contract_path) if contract_path else []

    full = load_training_data(configs[0], args.data)
    texts = [m.get("text") for m in full.intent_examples]
    golds = [str(m.get("intent")) for m in full.intent_examples]
    if args.test_only_from:
        older = {(m.get("text"), str(m.get("intent")))
                 for m in load_training_data(configs[0], args.test_only_from).intent_examples}
        eligible = [i for i in range(len(texts)) if (texts[i], golds[i]) in older]
        folds = [[eligible[j] for j in f] for f in make_folds([golds[i] for i in eligible], args.folds, args.seed)]
    else:
        folds = make_folds(golds, args.folds, args.seed)
    contract = contract or sorted(set(golds))
    load_start = round(os.getloadavg()[0], 1)

    peer_raw = [""] * len(texts)
    for test_idx in folds:
        s = set(test_idx)
        keep = [i for i in range(len(texts)) if i not in s]
        for i, lab in zip(test_idx, peer_fold([texts[i] for i in keep], [golds[i] for i in keep], [texts[i] for i in test_idx])):
            peer_raw[i] = lab
    tested = sorted(i for f in folds for i in f)
    peer = score([texts[i] for i in tested], [golds[i] for i in tested], [peer_raw[i] for i in tested], contract)
    print(f"peer: accuracy {peer['accuracy']:.3f} macro-F1 {peer['macro_f1']:.3f}", flush=True)

    work_ctx = tempfile.TemporaryDirectory(prefix="nlu_cv_") if args.work is None else None
    work = Path(work_ctx.name) if work_ctx else args.work
    results = []
    try:
        for config in configs:
            r = run_config(config, full, folds, work, contract)
            print(f"{config.name}: accuracy {r['accuracy']:.3f} macro-F1 {r['macro_f1']:.3f} "
                  f"train {r['train_seconds_mean']:.1f}s/fold", flush=True)
            results.append(r)
    finally:
        if work_ctx:
            work_ctx.cleanup()
    from datetime import datetime, timezone

    rep = {"generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "data": str(args.data),
           "n": len(texts), "n_tested": len(tested), "test_only_from": str(args.test_only_from or ""),
           "folds": args.folds, "seed": args.seed, "load_start": load_start,
           "load_end": round(os.getloadavg()[0], 1),
           "peer": {"accuracy": peer["accuracy"], "macro_f1": peer["macro_f1"], "confusions": peer["confusions"]},
           "results": results}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(rep, ensure_ascii=False, indent=2), encoding="utf-8")
    md = render(rep)
    (args.out / f"{args.name}.md").write_text(md, encoding="utf-8")
    print("\n" + md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
