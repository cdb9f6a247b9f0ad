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


# --------------------------------------------------------------------------- exact rules


def _typed_of_length(pattern: str, length: int) -> str:
    """An answer of exactly ``length`` characters once cleaned, made by repeating ``pattern``."""
    text = (pattern * (length // len(pattern) + 1))[:length]
    assert len(parsing.clean_answer(text)) == length
    return text


@pytest.mark.parametrize("typed", [None, "", "　", " \t "])
def test_a_missing_or_blank_answer_cleans_to_the_empty_string(typed):
    assert parsing.clean_answer(typed) == ""


def test_an_answer_is_cleaned_to_half_width_with_one_space():
    assert parsing.clean_answer("　ＰＲ－７Ｋ３Ｍ　　９ＸＱ２　") == "PR-7K3M 9XQ2"


@pytest.mark.parametrize(
    "typed, none",
    [
        ("なし", True),
        ("メールアドレスはないです", True),      # 12 characters: still a short "no"
        ("メールアドレスはありません", False),    # 13 characters: a sentence, not a skip
    ],
)
def test_a_none_answer_is_at_most_12_characters(typed, none):
    assert parsing.is_none_answer(typed) is none
    assert (parsing.parse_email(typed) == parsing.NOT_GIVEN) is none


@pytest.mark.parametrize(
    "typed, unknown",
    [
        ("わかりません", True),
        ("お客様番号はちょっと分からない", True),      # 15 characters
        ("お客様番号はちょっとわかりません", False),    # 16 characters
    ],
)
def test_an_unknown_answer_is_at_most_15_characters(typed, unknown):
    assert parsing.is_unknown_answer(typed) is unknown


# --- customer number


@pytest.mark.parametrize("typed", ["わかりません", "不明です", "忘れました", "なし", "持ってないです"])
def test_a_customer_number_may_be_skipped_as_unknown_or_none(typed):
    assert parsing.parse_customer_number(typed) == parsing.NOT_GIVEN


@pytest.mark.parametrize(
    "typed, digits",
    [
        ("お客様番号は１２３４－５６７８です", "12345678"),
        ("番号は 1234 5678 です。", "12345678"),
        ("1234-5678", "12345678"),
        ("１２３４", "1234"),                                    # 4 digits: the shortest
        ("１２３４５６７８９０１２３４５６７８９０", "12345678901234567890"),  # 20 digits: the longest
    ],
)
def test_a_customer_number_is_its_digits_without_hyphens_spaces_or_words(typed, digits):
    assert parsing.parse_customer_number(typed) == digits


@pytest.mark.parametrize(
    "typed",
    [
        "１２３",                                        # 3 digits
        "123456789012345678901",                         # 21 digits
        "A1234567",                                      # letters are no customer number
        "お客様番号はAB-1234です",
        "1234番です",
    ],
)
def test_a_customer_number_of_3_or_21_digits_or_with_letters_is_refused(typed):
    assert parsing.parse_customer_number(typed) is None


# --- address


@pytest.mark.parametrize(
    "typed, address",
    [
        ("〒289-2511 千葉県旭市萩園1234", "千葉県旭市萩園1234"),
        ("〒２８９－２５１１　千葉県旭市萩園１２３４", "千葉県旭市萩園1234"),
        ("2892511千葉県旭市萩園1234", "千葉県旭市萩園1234"),
        ("千葉県旭市　萩園   1234", "千葉県旭市 萩園 1234"),
        ("旭市萩園", "旭市萩園"),  # 4 characters: the shortest
    ],
)
def test_an_address_loses_its_postal_code_and_keeps_one_space(typed, address):
    assert parsing.parse_address(typed) == address


@pytest.mark.parametrize("typed", ["千葉県", "旭市", "〒289-2511 旭市", "まだ決まっていません", "よくわかりません"])
def test_an_address_shorter_than_4_characters_or_without_any_place_word_is_refused(typed):
    assert parsing.parse_address(typed) is None


def test_an_address_is_at_most_200_characters():
    longest = _typed_of_length("千葉県旭市萩園1234番地総武ハイツ", 200)
    assert parsing.parse_address(longest) == longest
    assert parsing.parse_address(_typed_of_length("千葉県旭市萩園1234番地総武ハイツ", 201)) is None


# --- details


def test_details_are_2_to_1000_characters():
    assert parsing.parse_details("誤り") == "誤り"
    assert parsing.parse_details("あ") is None
    assert parsing.parse_details("") is None
    assert parsing.parse_details(None) is None
    longest = _typed_of_length("住所が旧住所のままです。", 1000)
    assert parsing.parse_details(longest) == longest
    assert parsing.parse_details(_typed_of_length("住所が旧住所のままです。", 1001)) is None


# --- e-mail


@pytest.mark.parametrize(
    "typed, address",
    [
        ("hanako@example.jpです", "hanako@example.jp"),
        ("hanako@example.jpです。", "hanako@example.jp"),
        ("ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐになります", "hanako@example.jp"),
    ],
)
def test_an_email_answer_loses_its_polite_ending(typed, address):
    assert parsing.parse_email(typed) == address


def _email_of_length(length: int) -> str:
    local = "hanako.sobu"
    domain_length = length - len(local) - 1 - len(".jp")
    labels = []
    while domain_length > 0:
        label = "a" * min(63, domain_length)
        labels.append(label)
        domain_length -= len(label) + 1
    address = f"{local}@{'.'.join(labels)}.jp"
    assert len(address) == length, address
    return address


def test_an_email_address_is_at_most_254_characters():
    assert parsing.parse_email(_email_of_length(254)) == _email_of_length(254)
    assert parsing.parse_email(_email_of_length(255)) is None


# --- name in katakana


@pytest.mark.parametrize(
    "typed, katakana",
    [
        ("ソウブハナコです", "ソウブハナコ"),
        ("そうぶ　はなこといいます。", "ソウブ ハナコ"),
        ("ふぁん", "ファン"),  # ぁ, the first hiragana, is converted too
        ("ゔぃくとる", "ヴィクトル"),
    ],
)
def test_katakana_names_lose_the_polite_ending_and_hiragana_becomes_katakana(typed, katakana):
    assert parsing.parse_katakana(typed) == katakana


@pytest.mark.parametrize("typed", ["なし", "ありません", "わからない", "ＸＸ　ＸＸ", "Sobu Hanako", "ソウブ花子"])
def test_a_none_answer_a_placeholder_or_other_script_is_not_a_name_in_katakana(typed):
    assert parsing.parse_katakana(typed) is None


def test_a_name_in_katakana_is_at_most_60_characters():
    longest = _typed_of_length("ソウブハナコ", 60)
    assert parsing.parse_katakana(longest) == longest
    assert parsing.parse_katakana(_typed_of_length("ソウブハナコ", 61)) is None


# --- person name


@pytest.mark.parametrize(
    "typed, name",
    [
        ("名前は総武花子です", "総武花子"),
        ("なまえは そうぶ はなこ です", "そうぶ はなこ"),
        ("氏名は総武花子と申します。", "総武花子"),
        ("総武　　花子といいます", "総武 花子"),
        ("総武", "総武"),  # 2 characters: the shortest
    ],
)
def test_a_name_loses_its_lead_in_and_polite_ending(typed, name):
    assert parsing.parse_person_name(typed) == name


def test_a_name_is_2_to_40_characters():
    assert parsing.parse_person_name("林") is None
    longest = _typed_of_length("総武花子", 40)
    assert parsing.parse_person_name(longest) == longest
    assert parsing.parse_person_name(_typed_of_length("総武花子", 41)) is None


# --- requester kind


@pytest.mark.parametrize(
    "typed",
    ["代理です", "家族です", "母親です", "息子です", "夫です", "妻です", "成年後見人です",
     "母の代わりに来ました", "ははのかわりです", "代理人"],
)
def test_each_word_for_someone_else_makes_the_requester_an_agent(typed):
    assert parsing.parse_requester_kind(typed) == "agent"


@pytest.mark.parametrize("typed", ["本人", "本人です", "ほんにんです", "自分のことです", "じぶんです", "私です", "わたしです"])
def test_each_word_for_oneself_makes_the_requester_the_person(typed):
    assert parsing.parse_requester_kind(typed) == "self"


# --- yes / no


@pytest.mark.parametrize(
    "typed, answer",
    [("OK", True), ("ok", True), ("ＯＫです", True), ("うん", True), ("お願いします", True),
     ("いいえ", False), ("無理です", False), ("用意できません", False),
     ("えっと", None), ("？", None), ("", None)],
)
def test_yes_no_reads_ok_in_any_case_and_nothing_else_as_yes(typed, answer):
    assert parsing.parse_yes_no(typed) is answer


# --- delivery method


@pytest.mark.parametrize(
    "typed",
    ["郵送", "郵送でお願いします", "ゆうそうで", "郵便でください", "書面でほしいです", "手紙でお願いします",
     "家に送ってください"],
)
@pytest.mark.parametrize("allow_electronic", [True, False])
def test_each_post_word_asks_for_post(typed, allow_electronic):
    assert parsing.parse_delivery_method(typed, allow_electronic=allow_electronic) == "post"


@pytest.mark.parametrize(
    "typed",
    ["窓口", "窓口で受け取ります", "まどぐちで", "取りに行きます", "とりにいきます", "来店します",
     "直接もらいに行きます"],
)
@pytest.mark.parametrize("allow_electronic", [True, False])
def test_each_counter_word_asks_for_the_counter(typed, allow_electronic):
    assert parsing.parse_delivery_method(typed, allow_electronic=allow_electronic) == "counter"


ELECTRONIC_ANSWERS = ["電磁的記録", "電子でお願いします", "データでほしい", "メールでお願いします",
                      "pdfでください", "ｐｄｆで", "PDFでください", "電磁記録で"]


@pytest.mark.parametrize("typed", ELECTRONIC_ANSWERS)
def test_each_electronic_word_asks_for_electronic_delivery_when_it_is_offered(typed):
    assert parsing.parse_delivery_method(typed, allow_electronic=True) == "electronic"


@pytest.mark.parametrize("typed", ELECTRONIC_ANSWERS)
def test_electronic_delivery_is_not_read_when_it_is_not_offered(typed):
    assert parsing.parse_delivery_method(typed, allow_electronic=False) is None


@pytest.mark.parametrize("typed", ["よくわかりません", "どれでもいいです", "？", ""])
@pytest.mark.parametrize("allow_electronic", [True, False])
def test_an_answer_naming_no_method_is_no_delivery_method(typed, allow_electronic):
    assert parsing.parse_delivery_method(typed, allow_electronic=allow_electronic) is None
