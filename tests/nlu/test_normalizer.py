"""normalize_text and the JapaneseTextNormalizer component."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from sobu_privacy.text import normalize_text


@pytest.mark.parametrize(
    "raw, expected",
    [
        # full width digits / Latin letters / symbols -> half width (NFKC)
        ("０９０", "090"),
        ("ＡＢＣ", "ABC"),
        ("ｐｒ７ｋ３ｍ", "pr7k3m"),  # case is kept (extractors are case-insensitive)
        ("（０４７９）６３－１０００", "(0479)63-1000"),
        # half-width katakana -> full width, voiced marks composed
        ("ｶﾀｶﾅ", "カタカナ"),
        ("ｶﾞｽ ﾒｰﾙ", "ガス メール"),
        # spaces: full-width space, tabs, newlines, runs, leading/trailing
        ("開示\u3000請求", "開示 請求"),
        ("  開示   \n\t請求  ", "開示 請求"),
        ("\u200b開示\ufeff", "開示"),
        # tilde / wave dash variants -> 〜
        ("9時～17時", "9時〜17時"),
        ("9時~17時", "9時〜17時"),
        ("9時〜17時", "9時〜17時"),
        ("9時\u223c17時", "9時〜17時"),
        # dash look-alikes between digits -> "-"
        ("０９０ー１２３４ー５６７８", "090-1234-5678"),
        ("090―1234—5678", "090-1234-5678"),
        ("090‐1234−5678", "090-1234-5678"),
        ("〒２８９－２５１１", "〒289-2511"),
        ("PRー7K3Mー9XQ2", "PR-7K3M-9XQ2"),
        # dash look-alikes after katakana -> long vowel ー
        ("メ-ル", "メール"),
        ("センタ―に", "センターに"),
        ("コ－ル", "コール"),
        ("ｻｰﾋﾞｽ", "サービス"),
        # repeated punctuation collapses
        ("ガスくさい！！！", "ガスくさい!"),
        ("本当？？", "本当?"),
        ("えっ！？！？", "えっ?"),
        ("はい。。。", "はい。"),
        ("すご〜〜い", "すご〜い"),
        ("ガーース", "ガース"),
        # ellipsis and decimals survive
        ("1.5倍…", "1.5倍..."),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_hyphen_between_katakana_and_digit_is_left_alone() -> None:
    assert normalize_text("タイプ-2") == "タイプ-2"


def test_no_text_becomes_the_empty_string() -> None:
    assert normalize_text(None) == "" and normalize_text("") == ""


def test_normalize_text_is_idempotent_on_fixed_examples() -> None:
    for text in ["０９０ー１２３４ー５６７８", "ｶﾞｽｰｰ！！", "ア-ー1", "メ－ル　センタ～", "(0479)63ｰ1000"]:
        once = normalize_text(text)
        assert normalize_text(once) == once


def test_normalize_text_is_idempotent_on_random_strings() -> None:
    alphabet = (
        "０９09ＡａAaｱｶﾞｰアカガーぁあ漢字 \u3000\t\n-‐―—－−ｰー~～〜!！?？。、.・()（）〒+"
    )
    rng = random.Random(20261126)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        once = normalize_text(text)
        assert normalize_text(once) == once, repr(text)


def test_normalize_text_imports_no_rasa() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import sobu_privacy.text; "
        "sys.exit(1 if any(m == 'rasa' or m.startswith('rasa.') for m in sys.modules) else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


# --------------------------------------------------------------------------- component


@pytest.fixture(scope="module")
def component():
    from nlu.components.normalizer import JapaneseTextNormalizer

    return JapaneseTextNormalizer(JapaneseTextNormalizer.get_default_config())


def test_normalize_text_reexported_by_component_module() -> None:
    from nlu.components import normalizer

    assert normalizer.normalize_text is normalize_text


def test_process_rewrites_text_and_keeps_original(component) -> None:
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": "電話は０９０ー１２３４ー５６７８です"})
    [out] = component.process([message])
    assert out.get("text") == "電話は090-1234-5678です"
    assert out.get("original_text") == "電話は０９０ー１２３４ー５６７８です"
    assert "original_text" in out.as_dict(only_output_properties=True)


def test_process_leaves_button_payloads_alone(component) -> None:
    from rasa.shared.nlu.training_data.message import Message

    payload = '/inform{"phone_number": "０９０"}'
    [out] = component.process([Message(data={"text": payload})])
    assert out.get("text") == payload


def test_process_training_data_rewrites_examples_not_entities(component, caplog) -> None:
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    entities = [{"entity": "phone_number", "start": 3, "end": 16, "value": "x"}]
    plain = Message(data={"text": "ｶｲｼﾞ　したい", "intent": "request"})
    annotated = Message(
        data={"text": "電話は０９０ー１２３４ー５６７８！！", "intent": "inform", "entities": entities}
    )
    data = TrainingData(
        [plain, annotated],
        lookup_tables=[{"name": "kinds", "elements": ["ｶｲｼﾞ", "カイジ", "ＡＢＣ"]}],
    )
    before = plain.fingerprint()
    with caplog.at_level("WARNING"):
        out = component.process_training_data(data)
    assert [m.get("text") for m in out.training_examples] == [
        "カイジ したい",
        "電話は090-1234-5678!",
    ]
    assert plain.fingerprint() != before  # Message.set resets the cached fingerprint
    assert annotated.get("entities") == entities  # untouched, as documented
    assert "entity annotations" in caplog.text
    assert out.lookup_tables[0]["elements"] == ["カイジ", "ABC"]


def test_fingerprint_addon_follows_the_rules_module() -> None:
    import hashlib
    from pathlib import Path

    from sobu_privacy import text as text_normalization
    from nlu.components.normalizer import JapaneseTextNormalizer

    expected = hashlib.sha256(Path(text_normalization.__file__).read_bytes()).hexdigest()
    assert JapaneseTextNormalizer.fingerprint_addon({}) == expected
