"""Unit-level tests of analytics/deidentify.py, written from mutation-testing survivors.

mutmut left small bugs alive that the corpus tests in test_deidentify.py let through: those
check that the secrets are gone, not which placeholder replaced them, what stayed around
them, nor the edges of each rule (which kind a known value gets, how many digits make a
phone number, where a long text is cut before GiNZA sees it). Each table here pins one rule
of the masking with exact outputs, with the rules alone (``Deidentifier(None)``) wherever
GiNZA is not needed. Where the handling of GiNZA's entities is under test, a small fake
stands in for it, so the whole file runs in about a second.
"""
from __future__ import annotations

import re
import zlib
from types import SimpleNamespace
from typing import Iterator, List, Optional, Sequence, Tuple

import pytest

from analytics.deidentify import (
    Deidentifier,
    _chunks,
    _digit_kind,
    _is_stop_name,
    _known_kind,
    _known_patterns,
    other_kana,
)


@pytest.fixture(scope="module")
def rules() -> Deidentifier:
    return Deidentifier(None)


def _ids(cases: Sequence[tuple]) -> List[str]:
    """ASCII ids that follow the case, not its place in the table (a CRC of the case): mutmut
    cannot find tests with non-ASCII ids (see test_deidentify._ids), and it maps each test id to
    the functions it reaches, so a case inserted above others must not take over their ids."""
    return [f"{zlib.crc32(repr(case).encode('utf-8')):08x}" for case in cases]


# --------------------------------------------------------------------------- kana


def test_other_kana_swaps_every_kana_and_nothing_else() -> None:
    # ぁ/ゖ and ァ/ヶ are the ends of the two ranges; ー, ゝ, ヽ, kanji, digits and Latin stay.
    assert other_kana("ぁやまだゖ ァヤマダヶ 山田ー1ゝヽ Yamada") == "ァヤマダヶ ぁやまだゖ 山田ー1ゝヽ Yamada"
    assert other_kana("") == ""


# --------------------------------------------------------------------------- known values

# value -> the kind (and so the placeholder) it is masked as wherever it appears.
KNOWN_KINDS: List[Tuple[str, str]] = [
    ("PR-K7M2-Q9T4", "ticket_number"),
    ("PR K7M2 Q9T4", "ticket_number"),  # spaces inside do not matter
    ("C 1234567", "customer_number"),  # an ASCII code once its spaces are gone
    ("AB-123456", "customer_number"),
    ("銚子市", "address"),  # three or more characters ending in 市区町村郡, no space
    ("八街町", "address"),
    ("小野 小町", "name"),  # a space: a name, although it ends in 町
    ("小林健一", "name"),
    ("伊藤", "name"),
    ("旭市ニの1234", "address"),  # a block number, no prefecture
    ("千葉県旭市", "address"),  # a prefecture, no number
    ("taro@example.jp", "email"),
    ("090-1234-5678", "phone"),
    ("09012345678", "phone"),
    ("+81 90-1234-5678", "phone"),
]


@pytest.mark.parametrize("case", KNOWN_KINDS, ids=_ids(KNOWN_KINDS))
def test_the_kind_of_a_known_value(case: Tuple[str, str]) -> None:
    value, kind = case
    assert _known_kind(value) == kind


# (text, known values, masked text): in each text the rules alone would not find the value
# (or would find it as a plain ［番号］), so the known-value pattern is what is tested.
KNOWN_VALUES: List[Tuple[str, List[str], str]] = [
    ("先週伊藤から手紙が来ました", ["伊藤"], "先週［氏名］から手紙が来ました"),  # two characters are enough
    ("銚子市から来ました", ["銚子市"], "［住所］から来ました"),
    ("小野小町です", ["小野 小町"], "［氏名］です"),
    ("小野小町です", ["様", "小野 小町"], "［氏名］です"),  # a too short value does not stop the others
    ("小野誠です", ["小野 誠"], "［氏名］です"),  # the whole name first, not its family part alone
    ("小野さんではなく、誠が契約者です", ["小野 誠"], "［氏名］さんではなく、誠が契約者です"),
    ("そうぶはなこです", ["ソウブ ハナコ"], "［氏名］です"),
    # phone numbers: digits with up to two separators between any two of them, also as +81
    ("電話は090- 1234- 5678です", ["09012345678"], "電話は［電話番号］です"),
    ("電話は090- 1234- 5678です", ["+81 90-1234-5678"], "電話は［電話番号］です"),
    ("TEL+81-90-1234-5678", ["09012345678"], "TEL［電話番号］"),
    # customer numbers: hyphens and spaces between the characters optional, any case
    ("AB-123456の明細を見たい", ["AB123456"], "［お客様番号］の明細を見たい"),
    ("ab123456の明細を見たい", ["AB123456"], "［お客様番号］の明細を見たい"),
    ("お問い合わせはAB123456の件です", ["AB 123456"], "お問い合わせは［お客様番号］の件です"),
    # an e-mail address: also its local part alone (four characters or more), in any case
    ("ユーザー名もtaroです", ["taro@example.jp"], "ユーザー名も［メールアドレス］です"),
    ("ユーザー名もTaro.Yです", ["taro.y@example.jp"], "ユーザー名も［メールアドレス］です"),
    ("ユーザー名はtarosanです", ["taro@example.jp"], "ユーザー名はtarosanです"),
    ("ユーザー名はtarです", ["tar@example.jp"], "ユーザー名はtarです"),
    # an address: also what follows its prefecture and municipality (four characters or more)
    ("ニの1234に住んでいます", ["千葉県旭市ニの1234"], "［住所］に住んでいます"),
    ("ハ123に住んでいます", ["千葉県旭市ハ123"], "［住所］に住んでいます"),
    ("旭市ニの1234です", ["千葉県旭市ニの1234"], "［住所］です"),
]


@pytest.mark.parametrize("case", KNOWN_VALUES, ids=_ids(KNOWN_VALUES))
def test_known_values_are_masked_where_the_rules_miss_them(rules: Deidentifier, case) -> None:
    text, known, expected = case
    assert rules.mask(text, known) == expected


def test_known_patterns_skip_none_and_short_values() -> None:
    assert [kind for _pattern, kind in _known_patterns([None, "様", "小野 小町"])] == ["name"]  # type: ignore[list-item]


# --------------------------------------------------------------------------- digits

# A run of digit groups -> its kind: a phone number is a valid Japanese one, any 10-11 digits
# from 0, or 9-13 digits after a +; a postal code is NNN-NNNN; anything else of two or more
# digits is a number; a single digit is nothing.
DIGIT_KINDS: List[Tuple[str, Optional[str]]] = [
    ("7", None),
    ("12", "number"),
    ("1-2", "number"),
    ("1234", "number"),
    ("2892511", "number"),
    ("289-2511", "postal_code"),
    ("090-1234-5678", "phone"),
    ("(0479)12-3456", "phone"),
    ("090-1234-567", "phone"),  # ten digits from 0: a mistyped mobile number
    ("03-1234-56789", "phone"),  # eleven digits from 0
    ("090-1234-56789", "number"),  # twelve
    ("+81 90 1234 5678", "phone"),
    ("+1 212 555 0123", "phone"),
    ("+49 30 12345", "phone"),  # nine digits after +
    ("+49 30 1234", "number"),  # eight
    ("+86 138 0013 8000", "phone"),  # thirteen
    ("+86 138 0013 80001", "number"),  # fourteen
]


@pytest.mark.parametrize("case", DIGIT_KINDS, ids=_ids(DIGIT_KINDS))
def test_the_kind_of_a_digit_run(case: Tuple[str, Optional[str]]) -> None:
    run, kind = case
    assert _digit_kind(run) == kind


# (text, masked text) for digits: runs split into phone numbers and postal codes, kanji and
# katakana digits, invisible characters and non-ASCII digits.
DIGIT_TEXTS: List[Tuple[str, str]] = [
    ("部屋は1-2です", "部屋は［番号］です"),
    ("第3条について", "第3条について"),
    ("電話は03-1234-56789です", "電話は［電話番号］です"),
    ("海外からは+1 212 555 0123にかけています", "海外からは［電話番号］にかけています"),
    # one space-separated run holding several numbers
    ("090 1234 5678 080 1111 2222", "［電話番号］"),
    ("+81 (0)90 1234 5678 080 1111 2222", "［電話番号］"),
    ("0 9 0 1 2 3 4 5 6 7 8 9", "［電話番号］ ［番号］"),  # the digit left over is masked too
    ("〒-289-2511 090-1234-5678", "〒-［郵便番号］ ［電話番号］"),
    # a bracket or separator after the run is not part of it
    ("携帯は090-1234-5678(日中のみ)です", "携帯は［電話番号］(日中のみ)です"),
    ("携帯は090-1234-5678 (日中のみ)です", "携帯は［電話番号］ (日中のみ)です"),
    # kanji digits: 10-11 from 〇 are a phone number, three or more a number
    ("市外局番は〇四七九です", "市外局番は［番号］です"),
    ("自宅は〇四七九の一二の三四五六です", "自宅は［電話番号］です"),
    ("〇九〇の一二三四の五六七八九", "［番号］"),
    ("部屋番号は二の一の五です", "部屋番号は［番号］です"),
    # katakana digit words: the same, from six words on
    ("イチニーヨンゴーロクナナです", "［番号］です"),
    ("ゼロヨンナナキューイチニーヨンゴーロクナナ", "［電話番号］"),
    ("ゼロイチニーヨンゴーロク", "［番号］"),
    ("ゼロキューゼロイチニーヨンゴーロクナナハチキューゼロ", "［番号］"),
    ("イチニーヨンゴーロクナナキューハチゼロイチ", "［番号］"),
    # invisible characters are dropped and every decimal digit becomes ASCII first
    ("電話は090\u00ad1234\u00ad5678", "電話は［電話番号］"),
    ("電話は090\u200e1234\u200e5678です", "電話は［電話番号］です"),
    ("電話は٠٩٠١٢٣٤٥٦٧٨", "電話は［電話番号］"),
    ("第٣条について", "第3条について"),
]


@pytest.mark.parametrize("case", DIGIT_TEXTS, ids=_ids(DIGIT_TEXTS))
def test_digits_are_masked_by_kind(rules: Deidentifier, case: Tuple[str, str]) -> None:
    text, expected = case
    assert rules.mask(text) == expected


# --------------------------------------------------------------------------- labels, e-mail, codes

# (text, masked text): what the rules mask, and what stays beside it.
RULE_TEXTS: List[Tuple[str, str]] = [
    # the label before a value stays
    ("郵便番号は2892511です", "郵便番号は［郵便番号］です"),
    ("誕生日は5月5日です", "誕生日は［生年月日］です"),
    # an address glued to an @ (spelled in kana): the label before it and です after it stay
    ("やまだ＠れい．じぇいぴー", "［メールアドレス］"),
    ("やまだ＠れい．じぇいぴーです", "［メールアドレス］です"),
    ("メールはやまだ＠れい．じぇいぴーです。よろしくお願いします", "メールは［メールアドレス］です。よろしくお願いします"),
    ("こんにちは。メールはやまだ＠れい．じぇいぴーです", "こんにちは。メールは［メールアドレス］です"),
    ("わたしはメールはやまだ＠れい．じぇいぴーです", "わたしはメールは［メールアドレス］です"),
    ("メールはa@b.jp、予備はやまだ＠れい．じぇいぴーです", "メールは［メールアドレス］、予備は［メールアドレス］です"),
    # は, が, を inside a kana address are syllables, not the end of a label
    ("ながい＠れい．じぇいぴーです", "［メールアドレス］です"),
    ("はやし＠れい．じぇいぴーです", "［メールアドレス］です"),
    ("さがわ@れい.じぇいぴー", "［メールアドレス］"),
    ("メアドはながい＠れい．じぇいぴーです", "メアドは［メールアドレス］です"),
    ("mail:はやし@れい.じぇいぴー", "mail:［メールアドレス］"),
    ("わたしはやまだ＠れい．じぇいぴーです", "［メールアドレス］です"),  # over-masks rather than leaks
    # a label is found wherever its particle sits: one character long, at an odd distance
    # from the @, before a one-character local part; a capital X is no particle
    ("私はやまだ＠れい．じぇいぴーです", "私は［メールアドレス］です"),
    ("メールはやまもと＠れい．じぇいぴーです", "メールは［メールアドレス］です"),
    ("予備はk@gmailです", "予備は［メールアドレス］です"),
    ("メールはALEX.K@gmailです", "メールは［メールアドレス］です"),
    # loose 受付番号: PR and a code with a digit or a hyphen; English words stay
    ("PR AB12 で申し込みました", "［受付番号］ で申し込みました"),
    ("PR-KMQX の件", "［受付番号］ の件"),
    ("PRIVACY POLICYの英語版はありますか", "PRIVACY POLICYの英語版はありますか"),
    # お客様番号: the value after the label; one kanji numeral is a word (一度), two or more
    # are taken as the value (over-masking rather than leaking a number)
    ("お客様番号は一度しか聞かれませんでしたか", "お客様番号は一度しか聞かれませんでしたか"),
    ("お客様番号は一度変更しました。新しいお客様番号はAB1234です",
     "お客様番号は一度変更しました。新しいお客様番号は［お客様番号］です"),
    ("お客様番号はAから始まりますか", "お客様番号は［お客様番号］から始まりますか"),
    ("お客様番号はaから始まりますか", "お客様番号は［お客様番号］から始まりますか"),
    ("お客様番号は一二から始まりますか", "お客様番号は［お客様番号］から始まりますか"),
    ("お客様番号は十二桁ですか", "お客様番号は十二桁ですか"),  # a count, not the number
    ("お客様番号は十二三四五六です", "お客様番号は［お客様番号］です"),
    # a count is skipped, a later mention still masked; only three characters or fewer,
    # without letters, before a counter (here 名 of 名前) are a count
    ("お客様番号は十二桁ですか。お客様番号はAB1234です", "お客様番号は十二桁ですか。お客様番号は［お客様番号］です"),
    ("会員番号は1234 名前は佐藤です", "会員番号は［お客様番号］ 名前は［氏名］です"),
    ("会員番号はA12 名前は佐藤です", "会員番号は［お客様番号］ 名前は［氏名］です"),
    ("会員番号はa12 名前は佐藤です", "会員番号は［お客様番号］ 名前は［氏名］です"),
    # re-masking: a placeholder already in the text does not widen a new span
    ("［氏名］様の電話は090-1234-5678", "［氏名］様の電話は［電話番号］"),
]


@pytest.mark.parametrize("case", RULE_TEXTS, ids=_ids(RULE_TEXTS))
def test_rules_mask_the_value_and_keep_its_surroundings(rules: Deidentifier, case: Tuple[str, str]) -> None:
    text, expected = case
    assert rules.mask(text) == expected


# --------------------------------------------------------------------------- names

NAME_TEXTS: List[Tuple[str, str]] = [
    ("林さんに聞きました", "［氏名］さんに聞きました"),  # a one-character name
    ("ますださんに電話しました", "［氏名］さんに電話しました"),  # ます inside a name before さん
    ("山田さんに早く連絡してよお", "［氏名］さんに早く連絡してよお"),
    ("わたしはあべです", "わたしは［氏名］です"),
    # greetings and わたしは before a hiragana name stay
    ("わたしはやまだともうします", "わたしは［氏名］ともうします"),
    ("こんにちは、わたしはやまだともうします", "こんにちは、わたしは［氏名］ともうします"),
    # not names
    ("店長さんに聞きました", "店長さんに聞きました"),
    ("おかあさんが契約しています", "おかあさんが契約しています"),
    ("私はそれでいいです", "私はそれでいいです"),
]


@pytest.mark.parametrize("case", NAME_TEXTS, ids=_ids(NAME_TEXTS))
def test_names_found_by_the_rules(rules: Deidentifier, case: Tuple[str, str]) -> None:
    text, expected = case
    assert rules.mask(text) == expected


# (candidate, phrase_check or None for the default, is it a stop word). GiNZA's Person
# entities are checked with the default (no phrase check).
STOP_NAMES: List[Tuple[str, Optional[bool], bool]] = [
    ("山田 太郎", None, False),
    ("ますだ", None, False),
    ("ますだ", True, True),  # after 私は, ます shows a phrase (私はますます…)
    ("日本 人", None, True),  # a stop word split by a space
    ("利用 停止", None, True),
    ("店長", None, True),  # two characters ending in 長
    ("おかあ", None, True),
    ("担当者", None, True),
]


@pytest.mark.parametrize("case", STOP_NAMES, ids=_ids(STOP_NAMES))
def test_stop_names(case: Tuple[str, Optional[bool], bool]) -> None:
    candidate, phrase_check, expected = case
    if phrase_check is None:
        assert _is_stop_name(candidate) is expected
    else:
        assert _is_stop_name(candidate, phrase_check) is expected


# --------------------------------------------------------------------------- chunks for GiNZA

# (text, chunks of at most 10 characters): cut after the last punctuation mark in the second
# half of the window, else at 10; the last piece is never cut.
CHUNKS: List[Tuple[str, List[Tuple[int, str]]]] = [
    ("あいうえおかきくけこさしすせそ", [(0, "あいうえおかきくけこ"), (10, "さしすせそ")]),
    ("あいう、えおかきくけこ", [(0, "あいう、えおかきくけ"), (10, "こ")]),  # 、 in the first half
    ("あいうえお、か、き。さしすせそ", [(0, "あいうえお、か、き。"), (10, "さしすせそ")]),
    ("あいうえおか、き。けこさしす", [(0, "あいうえおか、き。"), (9, "けこさしす")]),
    ("あいうえおか。きくけ", [(0, "あいうえおか。きくけ")]),
    ("", []),
]


@pytest.mark.parametrize("case", CHUNKS, ids=_ids(CHUNKS))
def test_long_texts_are_cut_after_punctuation(case) -> None:
    text, expected = case
    assert list(_chunks(text, 10)) == expected


def test_chunks_cover_a_long_text() -> None:
    text = "個人情報の開示をお願いします。" * 150
    chunks = list(_chunks(text))
    assert "".join(chunk for _offset, chunk in chunks) == text
    assert [offset for offset, _chunk in chunks] == [0, 990, 1980]
    assert all(len(chunk) <= 1000 for _offset, chunk in chunks)


# --------------------------------------------------------------------------- GiNZA's entities (faked)


class _FakeNlp:
    """Stands in for GiNZA: tags every match of ``entities`` (pattern, label) in a chunk, in
    the order of the patterns; raises on a chunk holding ``fail_on``."""

    def __init__(self, entities: Sequence[Tuple[str, str]], fail_on: Optional[str] = None) -> None:
        self.entities = entities
        self.fail_on = fail_on
        self.chunks: List[str] = []

    def __call__(self, chunk: str) -> SimpleNamespace:
        self.chunks.append(chunk)
        if self.fail_on and self.fail_on in chunk:
            raise RuntimeError("tokenizer failed")
        ents = [
            SimpleNamespace(label_=label, text=m.group(0), start_char=m.start(), end_char=m.end())
            for pattern, label in self.entities
            for m in re.finditer(pattern, chunk)
        ]
        return SimpleNamespace(ents=ents)


def test_entities_of_the_nlp_are_masked_by_kind() -> None:
    nlp = _FakeNlp([("旭市", "City"), ("担当者", "Person"), ("伊藤", "Person"), ("銚子市本町1", "Postal_Address")])
    deidentifier = Deidentifier(nlp)
    assert deidentifier.mask("旭市の担当者の伊藤です") == "旭市の担当者の［氏名］です"
    assert deidentifier.mask("銚子市本町1です") == "［住所］です"
    assert nlp.chunks == ["旭市の担当者の伊藤です", "銚子市本町1です"]


def test_a_chunk_the_nlp_fails_on_leaves_the_others() -> None:
    text = "壊れた文字" + "あ" * 995 + "。先週伊藤から手紙が来ました"
    nlp = _FakeNlp([("伊藤", "Person")], fail_on="壊")
    assert Deidentifier(nlp).mask(text) == text.replace("伊藤", "［氏名］")
    assert len(nlp.chunks) == 2


def test_a_placeholder_inside_an_entity_stays() -> None:
    nlp = _FakeNlp([("[\ue000-\ue00f]?伊藤", "Person")])  # GiNZA may take a placeholder into a name
    assert Deidentifier(nlp).mask("［住所］伊藤です") == "［住所］［氏名］です"


def test_an_unusable_entity_falls_back_to_the_rules_with_the_known_values() -> None:
    def malformed(_chunk: str) -> SimpleNamespace:
        return SimpleNamespace(ents=[SimpleNamespace(label_="Person", text="x", start_char=None, end_char=None)])

    deidentifier = Deidentifier(malformed)
    assert deidentifier.mask("小野小町です。電話は090-1234-5678", ["小野 小町"]) == "［氏名］です。電話は［電話番号］"


def test_broken_known_values_mask_with_the_rules_alone(rules: Deidentifier) -> None:
    def broken() -> Iterator[str]:
        yield "小野 小町"
        raise RuntimeError("the store went away")

    assert rules.mask("電話は090-1234-5678", broken()) == "電話は［電話番号］"


def test_a_text_that_cannot_be_read_gives_an_empty_string(rules: Deidentifier) -> None:
    class Unreadable:
        def __str__(self) -> str:
            raise ValueError("no text")

    assert rules.mask(Unreadable()) == ""  # type: ignore[arg-type]
