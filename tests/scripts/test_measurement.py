"""Fast checks of the numbers `make eval` and `make bench` print (no model, no servers)."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from measure_common import (  # noqa: E402
    Prediction,
    canonical_intent,
    confusion_pairs,
    entity_metrics,
    entity_set,
    hiragana_only,
    intent_metrics,
    katakana_to_hiragana,
    load_contract_intents,
    load_examples,
    percentile,
)

GOLD = ["greet", "greet", "faq_fee", "faq_fee", "out_of_scope", "out_of_scope"]
RAW = ["greet", "faq_fee", "faq_fee", "faq_fee", "nlu_fallback", "greet"]


def _preds() -> list:
    return [Prediction(f"m{i}", g, canonical_intent(g, r), r) for i, (g, r) in enumerate(zip(GOLD, RAW))]


def test_nlu_fallback_counts_as_out_of_scope() -> None:
    assert canonical_intent("out_of_scope", "nlu_fallback") == "out_of_scope"
    assert canonical_intent("faq_fee", "nlu_fallback") == "out_of_scope"  # still wrong for faq_fee
    assert canonical_intent("faq_fee", "faq_fee") == "faq_fee"
    assert canonical_intent("greet", None) == "<none>"


def test_accuracy_and_per_intent_and_macro_f1() -> None:
    m = intent_metrics(GOLD, [p.pred for p in _preds()], ["greet", "faq_fee", "out_of_scope", "thanks"])
    assert m["accuracy"] == pytest.approx(4 / 6)
    # greet: tp1 fp1 fn1 -> P=R=F=0.5; faq_fee: tp2 fp1 fn0 -> P 2/3, R 1, F 0.8;
    # out_of_scope: tp1 fp0 fn1 -> P 1, R 0.5, F 2/3. thanks has no gold: not averaged.
    assert m["per_intent"]["greet"]["f1"] == pytest.approx(0.5)
    assert m["per_intent"]["faq_fee"]["precision"] == pytest.approx(2 / 3)
    assert m["per_intent"]["faq_fee"]["f1"] == pytest.approx(0.8)
    assert m["per_intent"]["out_of_scope"]["recall"] == pytest.approx(0.5)
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert m["macro_missing"] == ["thanks"]
    assert m["per_intent"]["thanks"]["support"] == 0


def test_intent_metrics_rejects_length_mismatch() -> None:
    with pytest.raises(ValueError):
        intent_metrics(["a"], [])


def test_confusion_pairs_counts_and_examples() -> None:
    preds = _preds() + [Prediction("m6", "greet", "faq_fee", "faq_fee"), Prediction("m7", "greet", "faq_fee", "faq_fee")]
    pairs = confusion_pairs(preds)
    assert [(p["gold"], p["pred"], p["count"]) for p in pairs] == [
        ("greet", "faq_fee", 3), ("out_of_scope", "greet", 1)]
    assert [e["text"] for e in pairs[0]["examples"]] == ["m1", "m6"]  # two examples only
    assert all(p["gold"] != p["pred"] for p in pairs)  # fallback on out_of_scope is no confusion


def test_entity_metrics_sets_per_message() -> None:
    gold = [frozenset({("phone", "0312345678")}), frozenset({("ticket_id", "PR-AB12-CD34")}), frozenset()]
    pred = [
        entity_set([{"entity": "phone", "value": "0312345678"}, {"entity": "phone", "value": "0312345678"}]),
        entity_set([{"entity": "ticket_id", "value": "pr-ab12-cd34"}]),  # not canonical: fp and fn
        entity_set([{"entity": "request_type", "value": "disclosure"}]),
    ]
    m = entity_metrics(gold, pred)
    assert (m["tp"], m["fp"], m["fn"]) == (1, 2, 1)
    assert m["precision"] == pytest.approx(1 / 3)
    assert m["recall"] == pytest.approx(1 / 2)
    assert m["f1"] == pytest.approx(0.4)
    assert m["per_entity"]["ticket_id"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 1, "fn": 1}
    assert m["per_entity"]["phone"]["f1"] == 1.0


def test_entity_metrics_empty_is_zero_not_error() -> None:
    assert entity_metrics([frozenset()], [frozenset()])["f1"] == 0.0


def test_percentile_linear_interpolation() -> None:
    values = [4.0, 1.0, 3.0, 2.0]  # unsorted on purpose
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(values, 95) == pytest.approx(3.85)  # numpy's default gives the same
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_heldout_loader_reads_annotated_entity_values(tmp_path: Path) -> None:
    f = tmp_path / "heldout.yml"
    f.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: check_request_status\n"
        "  examples: |\n"
        '    - 受付番号[pr-ab12-cd34]{"entity": "ticket_id", "value": "PR-AB12-CD34"}の状況は\n'
        "- intent: start_request\n"
        "  examples: |\n"
        "    - 個人情報の[開示](request_type:disclosure)をお願いします\n"
        "    - 手続きしたい\n",
        encoding="utf-8",
    )
    examples = {ex.text: ex for ex in load_examples(f)}
    assert examples["受付番号pr-ab12-cd34の状況は"].entities == {("ticket_id", "PR-AB12-CD34")}
    assert examples["個人情報の開示をお願いします"].entities == {("request_type", "disclosure")}
    assert examples["手続きしたい"].entities == frozenset()
    assert examples["手続きしたい"].intent == "start_request"


def test_contract_loader_reads_names_despite_prose(tmp_path: Path) -> None:
    f = tmp_path / "intents.yml"
    f.write_text(
        "faq:   # answered\n"
        "  faq_fee:\n"
        "    meaning: Joint use with 総武産業株式会社: which items.\n"
        "dialogue:\n"
        "  greet: {examples: [こんにちは]}\n"
        "  out_of_scope:\n",
        encoding="utf-8",
    )
    assert load_contract_intents(f) == ["faq_fee", "greet", "out_of_scope"]


def test_request_entity_metrics_only_request_messages_and_types() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from eval_nlu import request_entity_metrics  # no Rasa import at module level

    rt = ("request_type", "disclosure")
    preds = [
        # FAQ question: request_type extracted but not annotated -> ignored here (counted overall).
        Prediction("開示の申し込みはどこで？", "faq_how_to_request", "faq_how_to_request", "faq_how_to_request",
                   gold_entities=frozenset(), pred_entities=frozenset({rt})),
        # start_request: tp; the phone number is another entity type -> ignored here.
        Prediction("開示を請求します", "start_request", "start_request", "start_request",
                   gold_entities=frozenset({rt, ("phone_number", "0312345678")}),
                   pred_entities=frozenset({rt})),
        # check_request_status: ticket number missed -> fn.
        Prediction("PR-AB12-CD34 の状況", "check_request_status", "check_request_status", "check_request_status",
                   gold_entities=frozenset({("ticket_number", "PR-AB12-CD34")}), pred_entities=frozenset()),
    ]
    m = request_entity_metrics(preds)
    assert m["n_messages"] == 2
    assert (m["tp"], m["fp"], m["fn"]) == (1, 0, 1)
    assert m["precision"] == pytest.approx(1.0)
    assert m["recall"] == pytest.approx(0.5)
    assert m["per_entity"]["ticket_number"]["fn"] == 1
    overall = entity_metrics([p.gold_entities for p in preds], [p.pred_entities for p in preds])
    assert (overall["tp"], overall["fp"], overall["fn"]) == (1, 1, 2)


@pytest.mark.parametrize("tokens, expected", [
    pytest.param([("個人情報", "コジンジョウホウ", ""), ("の", "ノ", ""), ("開示", "カイジ", "")],
                 "こじんじょうほうのかいじ", id="kanji-words-become-their-reading"),
    pytest.param([("申し込み", "モウシコミ", ""), ("たい", "タイ", "")], "もうしこみたい", id="okurigana-token-whole"),
    pytest.param([("メール", "メール", ""), ("で", "デ", "")], "めーるで", id="katakana-keeps-long-vowel"),
    pytest.param([("ｶｲｼﾞ", "カイジ", "")], "かいじ", id="half-width-katakana"),
    pytest.param([("ヴァイオリン", "ヴァイオリン", "")], "ゔぁいおりん", id="katakana-vu"),
    pytest.param([("PR", "ピーアール", ""), ("-", "-", ""), ("7", "ナナ", ""), ("K", "キロ", ""), ("3M", "3m", "")],
                 "PR-7K3M", id="latin-and-digits-as-typed"),
    pytest.param([("090", "レイキュウ", ""), ("ー", "ー", ""), ("1234", "イチニサン", " "), ("？", "？", "")],
                 "090ー1234 ？", id="digits-dash-space-punctuation-as-typed"),
    pytest.param([("てすうりょう", "テスウリョウ", ""), ("は", "ハ", "")], "てすうりょうは", id="hiragana-as-typed"),
    pytest.param([("髙橋", "髙橋", ""), ("々", "キゴウ", "")], "髙橋々", id="unknown-kanji-and-lone-repeat-mark-kept"),
    pytest.param([("銀行", "", "")], "銀行", id="no-reading-keeps-surface"),
    pytest.param([], "", id="empty"),
])
def test_hiragana_only_rewrites_kanji_and_katakana_tokens_only(tokens: list, expected: str) -> None:
    assert hiragana_only(tokens) == expected


def test_katakana_to_hiragana_leaves_other_characters() -> None:
    assert katakana_to_hiragana("アイウヴヵヶヽヾー・ヷabc１漢") == "あいうゔゕゖゝゞー・ヷabc１漢"


@pytest.fixture(scope="module")
def to_hiragana():
    """The real tokenizer (GiNZA/Sudachi, a few seconds to load once), as `make eval` uses it."""
    from eval_nlu import hiragana_converter

    return hiragana_converter()


@pytest.mark.parametrize("typed, expected", [
    pytest.param("個人情報の開示をしたい", "こじんじょうほうのかいじをしたい", id="issue-example"),
    pytest.param("受付番号PR-7K3M-9XQ2の状況を教えて", "うけつけばんごうPR-7K3M-9XQ2のじょうきょうをおしえて",
                 id="ticket-number-kept"),
    pytest.param("ホームページ から 申し込めますか？", "ほーむぺーじ から もうしこめますか？", id="spaces-and-mark-kept"),
])
def test_hiragana_converter_uses_ginza_readings(to_hiragana, typed: str, expected: str) -> None:
    assert to_hiragana(typed) == expected


@pytest.mark.parametrize("rasa, peer, hiragana, met", [
    pytest.param(0.993, 0.963, 0.90, True, id="margin-exactly-3-points-despite-float-rounding"),
    pytest.param(0.982, 0.963, 0.95, False, id="less-than-3-points-above-peer"),
    pytest.param(0.974, 0.900, 0.95, False, id="below-0.975"),
    pytest.param(0.990, 0.950, 0.899, False, id="hiragana-below-0.90"),
])
def test_target_needs_accuracy_margin_over_peer_and_hiragana(rasa: float, peer: float, hiragana: float,
                                                             met: bool) -> None:
    from eval_nlu import target_met

    assert target_met(rasa, peer, hiragana) is met


def test_bench_prints_each_figure_as_a_multiple_of_the_floor():
    from bench import render_ratios

    def report(p50, p95, rps, memory, startup):
        return {"scenarios": [{"kind": "turn", "clients": 1, "p50_ms": p50, "p95_ms": p95, "throughput_rps": rps}],
                "peak_memory_mb": {"rasa": memory}, "startup_s": startup}

    text = render_ratios(report(40.0, 60.0, 25.0, 900.0, 12.0), report(20.0, 30.0, 50.0, 600.0, 10.0))
    assert "40.0/20.0 = 2.0x".replace(" ", "") in text.replace(" ", "")
    assert "60.0/30.0=2.0x" in text.replace(" ", "") and "25.0/50.0=0.50x" in text.replace(" ", "")
    assert "900/600 MB = 1.50x" in text and "12.0/10.0 s" in text


def test_eval_gathers_several_training_paths_without_losing_same_named_files(tmp_path: Path) -> None:
    """`make eval` scores fresh.yml with a model trained on nlu/data and heldout.yml: Rasa's
    train_nlu reads one path, so the files are gathered, and two files called the same must
    both arrive."""
    from eval_nlu import gathered, training_files

    (tmp_path / "data").mkdir()
    (tmp_path / "other").mkdir()
    for folder, text in (("data", "a"), ("other", "b")):
        (tmp_path / folder / "faq.yml").write_text(text, encoding="utf-8")
    (tmp_path / "data" / "notes.txt").write_text("not training data", encoding="utf-8")
    single = tmp_path / "other" / "faq.yml"

    assert gathered([tmp_path / "data"], tmp_path / "g0") == tmp_path / "data"
    assert training_files([tmp_path / "data", single, single]) == [
        (tmp_path / "data" / "faq.yml").resolve(), single.resolve()]
    into = gathered([tmp_path / "data", single], tmp_path / "g")
    assert sorted(p.read_text(encoding="utf-8") for p in into.iterdir()) == ["a", "b"]
    (into / "stale.yml").write_text("from a run before", encoding="utf-8")
    assert len(list(gathered([tmp_path / "data", single], tmp_path / "g").iterdir())) == 2


def test_eval_refuses_a_test_file_that_is_also_training_data(tmp_path: Path, capsys) -> None:
    from eval_nlu import main

    (tmp_path / "t.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - こんにちは\n',
                                    encoding="utf-8")
    assert main(["--train", str(tmp_path), "--test", str(tmp_path / "t.yml"), "--out", str(tmp_path / "out")]) == 2
    assert "also in the training data" in capsys.readouterr().err


def test_eval_report_says_when_the_test_file_has_no_entities() -> None:
    """fresh.yml carries intents only: its report must not print entity scores of 0."""
    from eval_nlu import build_report, render_markdown

    def preds(entities):
        return [Prediction("はい", "affirm", "affirm", "affirm", 0.9, entities, entities)]

    meta = {"generated_at": "t", "config": "c", "train": "d", "n_train": 1, "test": "x", "n_test": 1,
            "model": "m", "model_reused": False, "rasa_ms_per_message": 1.0, "peer_ngrams": "1-3",
            "normalizer": "n", "n_hiragana_changed": 0}
    plain = render_markdown(build_report(preds(frozenset()), preds(frozenset()), preds(frozenset()),
                                         preds(frozenset()), ["affirm"], meta))
    assert "not annotated in the test file" in plain and "entity P / R / F1" not in plain
    with_entities = frozenset({("ticket_number", "PR-1")})
    annotated = render_markdown(build_report(preds(with_entities), preds(frozenset()), preds(frozenset()),
                                             preds(frozenset()), ["affirm"], meta))
    assert "not annotated" not in annotated and "entity P / R / F1 (all messages, all types) | 1.000" in annotated
