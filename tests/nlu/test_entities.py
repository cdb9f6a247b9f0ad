"""Rule-based entities: entity_patterns and the JapaneseEntityExtractor component."""
from __future__ import annotations

from typing import List, Tuple

import pytest

from nlu.components.entity_patterns import extract_entities
from sobu_privacy.text import normalize_text


def found(raw: str, entity: str) -> List[Tuple[str, str]]:
    """(value, covered text) of each `entity` found in the normalised `raw`."""
    text = normalize_text(raw)
    return [
        (e["value"], text[e["start"] : e["end"]])
        for e in extract_entities(text)
        if e["entity"] == entity
    ]


def values(raw: str, entity: str) -> List[str]:
    return [value for value, _ in found(raw, entity)]


# --------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0120-123-456", "0120123456"),
        ("フリーダイヤル0120123456です", "0120123456"),
        ("0570-000-111に電話", "0570000111"),
        ("0800-123-4567", "08001234567"),
        ("050-1234-5678", "05012345678"),
        ("090 1234 5678", "09012345678"),
        ("09012345678", "09012345678"),
        ("携帯は０９０ー１２３４ー５６７８です", "09012345678"),
        ("0479-63-1000", "0479631000"),
        ("(0479)63-1000", "0479631000"),
        ("（０４７９）６３－１０００", "0479631000"),
        ("0479(63)1000", "0479631000"),
        ("03-1234-5678", "0312345678"),
        ("+81 90-1234-5678", "09012345678"),
        ("+81-3-1234-5678", "0312345678"),
        ("+81 (0)3-1234-5678", "0312345678"),
        ("+819012345678", "09012345678"),
    ],
)
def test_phone_number(raw: str, expected: str) -> None:
    assert values(raw, "phone_number") == [expected]


def test_phone_number_span_covers_the_number() -> None:
    assert found("電話は090-1234-5678まで", "phone_number") == [
        ("09012345678", "090-1234-5678")
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "〒289-2511",  # postal code
        "289-2511",
        "郵便番号2892511",
        "060-0001",  # postal code starting with 0
        "PR-7K3M-9XQ2",  # ticket number
        "PR-0123-4567",  # ticket number made of digits only
        "2024-01-15に申請",  # date
        "2024/01/15",
        "10,000円",  # amount
        "1000000円",
        "お客様番号12345678",  # 8 digits, no leading 0
        "お客様番号 0123456789",  # right after a number marker
        "12345678",
        "090-1234-567",  # too short
        "090-1234-56789",  # too long
        "0479-63-10000",
        "090-1234-5678-9",  # part of something longer
        "1090-1234-5678",
        "0012345678",  # international call prefix
        "9:00〜17:00",
    ],
)
def test_no_phone_number(raw: str) -> None:
    assert values(raw, "phone_number") == []


# --------------------------------------------------------------------------- postal


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("〒289-2511", "289-2511"),
        ("〒２８９－２５１１ 千葉県旭市", "289-2511"),
        ("〒2892511", "289-2511"),
        ("289-2511", "289-2511"),
        ("郵便番号2892511", "289-2511"),
        ("郵便番号は 289 2511 です", "289-2511"),
        ("郵便番号:289-2511", "289-2511"),
        ("060-0001", "060-0001"),
    ],
)
def test_postal_code(raw: str, expected: str) -> None:
    assert values(raw, "postal_code") == [expected]


@pytest.mark.parametrize(
    "raw",
    [
        "2892511",  # bare 7 digits: ambiguous
        "090-1234-5678",
        "0479-63-1000",
        "0120-123-456",
        "03-1234-5678",
        "PR-0123-4567",
        "2024-01-15",
        "1289-2511",
        "289-25111",
    ],
)
def test_no_postal_code(raw: str) -> None:
    assert values(raw, "postal_code") == []


# --------------------------------------------------------------------------- ticket


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("PR-7K3M-9XQ2", "PR-7K3M-9XQ2"),
        ("受付番号はpr-7k3m-9xq2です", "PR-7K3M-9XQ2"),
        ("pr7k3m9xq2", "PR-7K3M-9XQ2"),
        ("PR 7K3M 9XQ2", "PR-7K3M-9XQ2"),
        ("ＰＲ－７Ｋ３Ｍ－９ＸＱ２", "PR-7K3M-9XQ2"),
        ("ｐｒ７ｋ３ｍ９ｘｑ２", "PR-7K3M-9XQ2"),
        ("PR-ABCD-EFGH", "PR-ABCD-EFGH"),
        ("PR-0123-4567", "PR-0123-4567"),
        # Crockford decoding: I and L read as 1, O as 0
        ("PR-7K3M-9XQO", "PR-7K3M-9XQ0"),
        ("pr-il00-1234", "PR-1100-1234"),
    ],
)
def test_ticket_number(raw: str, expected: str) -> None:
    assert values(raw, "ticket_number") == [expected]


@pytest.mark.parametrize(
    "raw",
    [
        "PR-7K3M-9XQU",  # U is not in the alphabet
        "PR-7K3M-9XQ",  # too short
        "PR-7K3M-9XQ22",  # too long
        "XPR-7K3M-9XQ2",
        "PRESIDENTS",  # a word, not a number
        "PROPERTIES の件",
        "7K3M-9XQ2",  # prefix missing
        "PR-7K3M_9XQ2",
    ],
)
def test_no_ticket_number(raw: str) -> None:
    assert values(raw, "ticket_number") == []


# --------------------------------------------------------------------------- request type


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("個人情報の開示をお願いします", ["disclosure"]),
        ("かいじしてほしい", ["disclosure"]),
        ("第三者提供記録の開示", ["disclosure"]),
        ("住所を訂正したい", ["correction"]),
        ("ていせいおねがいします", ["correction"]),
        ("登録内容を修正してください", ["correction"]),
        ("しゅうせいしたい", ["correction"]),
        ("名前の間違いを直してほしい", ["correction"]),
        ("情報を追加したい", ["addition"]),
        ("ついかしたい", ["addition"]),
        ("古い住所を削除して", ["deletion"]),
        ("さくじょ", ["deletion"]),
        ("利用停止を求めます", ["stop_use"]),
        ("りようていし", ["stop_use"]),
        ("私の情報の利用を停止してほしい", ["stop_use"]),
        ("第三者提供の停止", ["stop_use"]),
        ("私のデータを使うのをやめてほしい", ["stop_use"]),
        ("もう使わないでください", ["stop_use"]),
        ("個人情報を消去してください", ["erasure"]),
        ("しょうきょ", ["erasure"]),
        ("私のデータを消して", ["erasure"]),
        # 削除 and 消去 are distinct requests
        ("削除と消去の違いは?", ["deletion", "erasure"]),
    ],
)
def test_request_type(raw: str, expected: List[str]) -> None:
    assert values(raw, "request_type") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "開示等の請求の手続きを知りたい",  # collective term: which request is unknown
        "訂正等の請求",
        "利用停止等の請求",
        "ガスを停止したい",  # closing a gas supply, not a privacy request
        "ガスの供給停止",
        "追加で質問があります",  # "additionally"
        "追加料金はかかりますか",
        "申請を取り消したい",  # withdrawal
        "申し込みを取消して",
        "こんにちは",
        "",
    ],
)
def test_no_request_type(raw: str) -> None:
    assert values(raw, "request_type") == []


def test_several_entities_in_one_message_are_sorted_and_do_not_overlap() -> None:
    text = normalize_text(
        "開示をお願いします。〒２８９－２５１１、電話０４７９－６３－１０００、受付番号ＰＲ－７Ｋ３Ｍ－９ＸＱ２"
    )
    entities = extract_entities(text)
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("request_type", "disclosure"),
        ("postal_code", "289-2511"),
        ("phone_number", "0479631000"),
        ("ticket_number", "PR-7K3M-9XQ2"),
    ]
    for a, b in zip(entities, entities[1:]):
        assert a["end"] <= b["start"]


# --------------------------------------------------------------------------- component


@pytest.fixture(scope="module")
def extractor():
    from nlu.components.entities import JapaneseEntityExtractor

    return JapaneseEntityExtractor(JapaneseEntityExtractor.get_default_config())


def test_component_adds_rasa_entities(extractor) -> None:
    from rasa.shared.nlu.training_data.message import Message

    text = "電話は090-1234-5678です"
    [out] = extractor.process([Message(data={"text": text})])
    assert out.get("entities") == [
        {
            "entity": "phone_number",
            "start": 3,
            "end": 16,
            "value": "09012345678",
            "confidence": 1.0,
            "extractor": "JapaneseEntityExtractor",
        }
    ]
    assert "entities" in out.as_dict(only_output_properties=True)


def test_component_keeps_other_extractors_entities_and_does_not_duplicate(extractor) -> None:
    from rasa.shared.nlu.training_data.message import Message

    theirs = [
        {"entity": "phone_number", "start": 3, "end": 16, "value": "090-1234-5678", "extractor": "DIETClassifier"},
        {"entity": "field", "start": 0, "end": 2, "value": "電話", "extractor": "DIETClassifier"},
    ]
    message = Message(data={"text": "電話は090-1234-5678、削除して", "entities": list(theirs)})
    [out] = extractor.process([message])
    entities = out.get("entities")
    assert entities[:2] == theirs
    assert [(e["entity"], e["value"]) for e in entities[2:]] == [("request_type", "deletion")]


def test_component_without_entities_sets_an_empty_list(extractor) -> None:
    from rasa.shared.nlu.training_data.message import Message

    [out] = extractor.process([Message(data={"text": "こんにちは"})])
    assert out.get("entities") == []


def test_component_config_selects_entity_types() -> None:
    from nlu.components.entities import JapaneseEntityExtractor

    only_phone = JapaneseEntityExtractor({"entities": ["phone_number"]})
    assert [e["entity"] for e in only_phone.extract("削除 090-1234-5678")] == ["phone_number"]
    with pytest.raises(ValueError):
        JapaneseEntityExtractor({"entities": ["telephone"]})


# --------------------------------------------------------------------------- spans and overlaps


@pytest.mark.parametrize(
    "raw, covered",
    [
        ("〒289-2511", "289-2511"),
        ("郵便番号は 289 2511 です", "289 2511"),
        ("住所は289-2511 千葉県旭市", "289-2511"),
    ],
)
def test_postal_code_span_covers_all_seven_digits(raw: str, covered: str) -> None:
    assert found(raw, "postal_code") == [("289-2511", covered)]


@pytest.mark.parametrize(
    "raw, covered",
    [
        ("電話は047 431-1234です", "047 431-1234"),
        ("(047)431-1234", "(047)431-1234"),
        ("+81 (0)47 431-1234", "+81 (0)47 431-1234"),
    ],
)
def test_a_phone_number_wins_over_the_postal_code_shape_inside_it(raw: str, covered: str) -> None:
    """The longest of overlapping candidates is kept: 431-1234 here is part of the number."""
    text = normalize_text(raw)
    assert [(e["entity"], e["value"], text[e["start"]:e["end"]]) for e in extract_entities(text)] == [
        ("phone_number", "0474311234", covered)
    ]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("開示090-1234-5678", [("request_type", "disclosure"), ("phone_number", "09012345678")]),
        ("090-1234-5678削除", [("phone_number", "09012345678"), ("request_type", "deletion")]),
        ("受付番号PR-7K3M-9XQ2消去の件", [("ticket_number", "PR-7K3M-9XQ2"), ("request_type", "erasure")]),
    ],
)
def test_entities_that_touch_without_a_space_are_both_kept(raw: str, expected) -> None:
    assert [(e["entity"], e["value"]) for e in extract_entities(normalize_text(raw))] == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("090-1234-567、いや090-1234-5678です", ["09012345678"]),  # a number too short, then the right one
        ("03-123-456じゃなくて03-1234-5678", ["0312345678"]),
        ("お客様番号 0123456789、電話 0479-63-1000", ["0479631000"]),  # a customer number, then the phone
        ("受付番号は0120123456、電話は090-1234-5678", ["09012345678"]),
    ],
)
def test_a_phone_number_after_a_non_phone_number_is_still_found(raw: str, expected: List[str]) -> None:
    assert values(raw, "phone_number") == expected
