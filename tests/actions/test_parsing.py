"""Form answers as customers type them on phones."""
import pytest

from actions import parsing
from sobu_privacy import identifiers


def test_katakana_names_accept_hiragana_and_half_width():
    assert parsing.parse_katakana("ソウブ　ハナコ") == "ソウブ ハナコ"
    assert parsing.parse_katakana("そうぶ はなこ") == "ソウブ ハナコ"
    assert parsing.parse_katakana("ｿｳﾌﾞ ﾊﾅｺ") == "ソウブ ハナコ"
    assert parsing.parse_katakana("総武花子") is None
    assert parsing.parse_katakana("") is None


def test_email_or_none():
    assert parsing.parse_email("Hanako.Sobu@example.jp") == "Hanako.Sobu@example.jp"
    assert parsing.parse_email("ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ") == "hanako@example.jp"
    assert parsing.parse_email("なし") == parsing.NOT_GIVEN
    assert parsing.parse_email("hanako@") is None
    assert parsing.parse_email("<script>@x") is None


def test_customer_number_optional():
    assert parsing.parse_customer_number("わからない") == parsing.NOT_GIVEN
    assert parsing.parse_customer_number("１２３４５６７８") == "12345678"
    assert parsing.parse_customer_number("abc") is None


@pytest.mark.parametrize(
    "typed, code",
    [("開示", "disclosure"), ("訂正をお願いします", "correction"), ("追加", "addition"),
     ("削除してほしい", "deletion"), ("利用停止", "stop_use"), ("消去", "erasure"),
     ("disclosure", "disclosure"), ("かいじ", "disclosure")],
)
def test_request_types(typed, code):
    assert parsing.parse_request_type(typed) == code


def test_request_type_unclear_or_several():
    assert parsing.parse_request_type("よくわからない") is None
    assert parsing.parse_request_type("開示と削除") is None


def test_requester_kind_and_yes_no():
    assert parsing.parse_requester_kind("本人です") == "self"
    assert parsing.parse_requester_kind("母の代理です") == "agent"
    assert parsing.parse_requester_kind("？") is None
    assert parsing.parse_yes_no("はい、用意できます") is True
    assert parsing.parse_yes_no("いいえ") is False


def test_names_reject_digits_and_markup():
    assert parsing.parse_person_name("総武 花子です") == "総武 花子"
    assert parsing.parse_person_name("<b>x</b>") is None
    assert parsing.parse_person_name("1") is None
    assert parsing.parse_person_name("あ" * 41) is None


def test_delivery_method_electronic_only_for_disclosure():
    assert parsing.parse_delivery_method("郵送で", allow_electronic=False) == "post"
    assert parsing.parse_delivery_method("窓口に取りに行きます", allow_electronic=False) == "counter"
    assert parsing.parse_delivery_method("電子データ", allow_electronic=True) == "electronic"
    assert parsing.parse_delivery_method("電子データ", allow_electronic=False) is None


def test_every_parser_accepts_its_own_output():
    """A form re-activated for a correction validates the stored values again."""
    cases = [
        (parsing.parse_request_type, "訂正"), (parsing.parse_requester_kind, "代理人です"),
        (parsing.parse_person_name, "総武 花子"), (parsing.parse_katakana, "そうぶ はなこ"),
        (identifiers.parse_postal_code, "〒２８９２５１１"), (parsing.parse_address, "旭市二の0000番地"),
        (identifiers.parse_phone, "090-1234-5678"), (parsing.parse_email, "なし"),
        (parsing.parse_email, "a@example.jp"), (parsing.parse_customer_number, "わからない"),
        (parsing.parse_details, "住所を直してください"),
        (lambda v: parsing.parse_delivery_method(v, allow_electronic=True), "電子データ"),
        (lambda v: parsing.parse_delivery_method(v, allow_electronic=False), "窓口"),
    ]
    for parse, typed in cases:
        once = parse(typed)
        assert once is not None and parse(once) == once, (typed, once)
    assert parsing.parse_yes_no(parsing.parse_yes_no("はい") and "準備できる") is True


def test_an_unknown_answer_is_not_a_name_in_katakana():
    assert parsing.parse_katakana("わかりません") is None
