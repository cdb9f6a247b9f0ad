"""受付番号, phone numbers and postal codes: one rule each, as customers type them."""
import re

import pytest

from sobu_privacy import identifiers


@pytest.mark.parametrize(
    "typed, digits",
    [
        ("090-1234-5678", "09012345678"),
        ("０９０ー１２３４ー５６７８", "09012345678"),
        ("09012345678", "09012345678"),
        ("0479-63-1000", "0479631000"),
        ("(0479)63-1000", "0479631000"),
        ("0120-123-456", "0120123456"),
        ("050 1234 5678", "05012345678"),
        ("+81 90-1234-5678", "09012345678"),
        ("電話番号は080-1111-2222です", "08011112222"),
    ],
)
def test_phone_numbers_in_common_forms_become_digits(typed, digits):
    assert identifiers.parse_phone(typed) == digits


@pytest.mark.parametrize("typed", ["", "1234", "090-1234-567", "12345678901", "電話はありません", "0479-63-1000-1"])
def test_not_a_phone_number(typed):
    assert identifiers.parse_phone(typed) is None


@pytest.mark.parametrize("typed", ["289-2511", "〒289-2511", "〒２８９－２５１１", "2892511", "〒 289 2511"])
def test_postal_codes(typed):
    assert identifiers.parse_postal_code(typed) == "289-2511"


@pytest.mark.parametrize("typed", ["289-251", "28925111", "郵便番号わかりません", ""])
def test_not_a_postal_code(typed):
    assert identifiers.parse_postal_code(typed) is None


@pytest.mark.parametrize("typed", ["PR-7K3M-9XQ2", "pr-7k3m-9xq2", "ＰＲ－７Ｋ３Ｍ－９ＸＱ２", "PR7K3M9XQ2", "受付番号はpr 7k3m 9xq2です"])
def test_ticket_numbers(typed):
    assert identifiers.parse_ticket_number(typed) == "PR-7K3M-9XQ2"


def test_ticket_number_rejects_ambiguous_letters():
    assert identifiers.parse_ticket_number("PR-IL0U-1234") is None


def test_phone_format_for_display():
    assert identifiers.format_phone("09012345678") == "090-1234-5678"
    assert identifiers.format_phone("0120123456") == "0120-123-456"
    assert identifiers.format_phone("0479631000") == "0479631000"


def test_normalize_phone_reads_any_width_and_the_international_form():
    assert identifiers.normalize_phone("０９０ー１２３４ー５６７８") == "09012345678"
    assert identifiers.normalize_phone("090-1234-5678") == "09012345678"
    assert identifiers.normalize_phone("0479631000") == "0479631000"
    assert identifiers.normalize_phone("+81 (0)479 63 1000") == "0479631000"


@pytest.mark.parametrize("value", ["047963100", "+1 555 123 4567", "0012345678", "09012345678901", "", None,
                                   "1234567890", "090-1234-567"])
def test_normalize_phone_refuses_what_is_not_a_japanese_number(value):
    assert identifiers.normalize_phone(value) is None


def test_a_phone_answer_must_not_hold_other_words():
    """The guard against text besides the number: a customer number is not a phone number."""
    assert identifiers.parse_phone("お客様番号0479631000") is None
    assert identifiers.parse_phone("電話 0479631000 か 09011112222") is None


def test_normalize_ticket_number():
    assert identifiers.normalize_ticket_number(" pr 7k3m 9xq2 ") == "PR-7K3M-9XQ2"
    assert identifiers.normalize_ticket_number("ＰＲ－７Ｋ３Ｍ－９ＸＱ２") == "PR-7K3M-9XQ2"
    assert identifiers.normalize_ticket_number("PR-1L0O-1234") == "PR-1100-1234"  # Crockford: I/L→1, O→0
    assert identifiers.normalize_ticket_number("PR-7K3M-9XQU") is None
    assert identifiers.normalize_ticket_number("PR-7K3M-9XQ2 です") is None  # a whole value, not a search
    assert identifiers.normalize_ticket_number(None) is None


def test_find_ticket_numbers_skips_english_words():
    assert identifiers.find_ticket_numbers("PRESIDENTS") == []
    assert [v for _s, _e, v in identifiers.find_ticket_numbers("番号はPR-7K3M-9XQ2とPR 1111 2222")] == [
        "PR-7K3M-9XQ2", "PR-1111-2222"]


def test_generated_ticket_numbers_are_canonical_and_random():
    numbers = {identifiers.new_ticket_number() for _ in range(500)}
    assert len(numbers) == 500
    assert all(identifiers.normalize_ticket_number(n) == n for n in numbers)
    assert all(re.fullmatch(r"PR-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}", n) for n in numbers)


@pytest.mark.parametrize("value, canonical", [("289-2511", "289-2511"), ("〒２８９－２５１１", "289-2511"),
                                              ("2892511", "289-2511"), ("289 2511", "289-2511")])
def test_normalize_postal_code(value, canonical):
    assert identifiers.normalize_postal_code(value) == canonical


@pytest.mark.parametrize("value", ["289-251", "28925111", "abc", "", None, "289-2511 旭市"])
def test_normalize_postal_code_refuses(value):
    assert identifiers.normalize_postal_code(value) is None


@pytest.mark.parametrize("typed", ["〒289-2511です", "郵便番号は２８９ ２５１１です"])
def test_a_postal_code_answer_may_hold_words_around_the_seven_digits(typed):
    assert identifiers.parse_postal_code(typed) == "289-2511"


@pytest.mark.parametrize(
    "typed",
    [
        "〒289-2511 旭市萩園1234",  # more digits than the postal code: an address, not an answer
        "289-2511の1番地",
        "2892-511",                  # seven digits, hyphen in the wrong place: refused, not raised
        "28 92 511",
    ],
)
def test_a_postal_code_answer_must_hold_exactly_seven_digits_written_as_a_postal_code(typed):
    assert identifiers.parse_postal_code(typed) is None


@pytest.mark.parametrize("digits, shown", [
    ("09012345678", "090-1234-5678"),  # mobile and IP phones: 3-4-4
    ("0120123456", "0120-123-456"),  # free dial
    ("0570123456", "0570-123-456"),  # navi dial
    ("0800123456", "0800-123-456"),  # free dial (0800), not a mobile number though it starts 080
    ("0479631000", "0479631000"),  # landline: area codes vary, so left as digits
])
def test_phone_numbers_are_shown_in_the_customary_groups(digits, shown):
    assert identifiers.format_phone(digits) == shown


def test_ten_letters_glued_together_are_a_word_not_a_ticket_number_even_with_an_x():
    assert identifiers.find_ticket_numbers("PRXKQMWXYZ") == []
    assert [n for _, _, n in identifiers.find_ticket_numbers("PR-XKQM-WXYZ")] == ["PR-XKQM-WXYZ"]
