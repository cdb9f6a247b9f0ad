"""Reading customers' free-text answers in the request forms.

Customers type on phones: full-width digits, hyphens or none, 〒, hiragana. Each parser
returns the canonical value or None, never raises, so every validate_<slot> stays a
one-liner and its failure message lives in the domain. Parsers accept their own output
(Rasa validates already-filled slots again when a form is re-activated for a correction).

Phone numbers, postal codes and 受付番号 are read by the vocabulary's own rules
(``sobu_privacy.identifiers``), the same ones storage and the console use.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from nlu.components.entity_patterns import extract_request_types
from sobu_privacy.request_form import NOT_GIVEN
from sobu_privacy.requests import DeliveryMethod, RequesterKind, RequestType, UnknownValue
from sobu_privacy.text import normalize_text

# An answer that means "skip" for optional questions.
NONE_WORDS = ("なし", "無し", "ない", "ありません", "不要", "いらない", "スキップ", "持ってない", "もってない")
UNKNOWN_WORDS = ("わからない", "分からない", "わかりません", "分かりません", "不明", "しらない", "知らない", "忘れ")
YES_WORDS = ("はい", "ええ", "うん", "大丈夫", "だいじょうぶ", "できます", "準備", "用意", "ok", "了解", "お願いします")
NO_WORDS = ("いいえ", "いや", "できない", "できません", "無理", "むり", "ないです")


def clean_answer(text: Optional[str]) -> str:
    """The answer in the normal form every parser reads (``normalize_text``)."""
    return normalize_text(str(text or "")).strip()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _single(entities: List[Dict[str, Any]]) -> Optional[str]:
    """The one value the NLU's own extractor finds in an answer, or None if none or several."""
    values = {entity["value"] for entity in entities}
    return values.pop() if len(values) == 1 else None


def _member_value(parse: Any, value: str) -> Optional[str]:
    """The value of the enum member ``value`` names exactly (its value or label), or None."""
    try:
        return parse(value).value
    except UnknownValue:
        return None


def parse_request_type(text: Optional[str]) -> Optional[str]:
    """Code of the request type named in the answer (the same words the NLU extracts)."""
    value = clean_answer(text)
    return _member_value(RequestType.parse, value) or _single(extract_request_types(value))


def parse_requester_kind(text: Optional[str]) -> Optional[str]:
    value = clean_answer(text)
    exact = _member_value(RequesterKind.parse, value)
    if exact:
        return exact
    if any(w in value for w in ("代理", "家族", "親", "子", "夫", "妻", "後見", "代わり", "かわり")):
        return "agent"
    if any(w in value for w in ("本人", "ほんにん", "自分", "じぶん", "私", "わたし")):
        return "self"
    return None


def parse_yes_no(text: Optional[str]) -> Optional[bool]:
    value = clean_answer(text).lower()
    if any(w in value for w in NO_WORDS):
        return False
    if any(w in value for w in YES_WORDS):
        return True
    return None


def parse_person_name(text: Optional[str]) -> Optional[str]:
    """A name: 2-40 characters, letters of some script, no digits or @."""
    value = re.sub(r"\s+", " ", clean_answer(text))
    value = re.sub(r"^(名前は|なまえは|氏名は)", "", value)
    value = re.sub(r"(です|といいます|と申します)[。.]?$", "", value).strip()
    if not 2 <= len(value) <= 40 or re.search(r"[\d@/\\<>{}]", value):
        return None
    return value


_KATAKANA = re.compile(r"^[ァ-ヴー・\s]+$")


def parse_katakana(text: Optional[str]) -> Optional[str]:
    """Name in katakana; hiragana is accepted and converted."""
    if is_unknown_answer(text) or is_none_answer(text):
        return None
    value = re.sub(r"(です|といいます)[。.]?$", "", clean_answer(text)).strip()
    value = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in value)
    value = re.sub(r"\s+", " ", value)
    if not value or len(value) > 60 or not _KATAKANA.match(value):
        return None
    return value


def parse_address(text: Optional[str]) -> Optional[str]:
    value = re.sub(r"\s+", " ", clean_answer(text))
    value = re.sub(r"^〒?\d{3}-?\d{4}\s*", "", value)
    if not 4 <= len(value) <= 200 or not re.search(r"[都道府県市区町村郡丁目番地号]|\d", value):
        return None
    return value


_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")


def is_none_answer(text: Optional[str]) -> bool:
    value = clean_answer(text)
    return len(value) <= 12 and any(w in value for w in NONE_WORDS)


def is_unknown_answer(text: Optional[str]) -> bool:
    value = clean_answer(text)
    return len(value) <= 15 and any(w in value for w in UNKNOWN_WORDS)


def parse_email(text: Optional[str]) -> Optional[str]:
    if is_none_answer(text):
        return NOT_GIVEN
    value = re.sub(r"(です|になります)[。.]?$", "", clean_answer(text)).strip()
    return value if len(value) <= 254 and _EMAIL.match(value) else None


def parse_customer_number(text: Optional[str]) -> Optional[str]:
    if is_unknown_answer(text) or is_none_answer(text):
        return NOT_GIVEN
    value = clean_answer(text)
    digits = _digits(value)
    if re.search(r"[^\d\-\s]", re.sub(r"^(お客様番号は|番号は)|です[。.]?$", "", value)):
        return None
    return digits if 4 <= len(digits) <= 20 else None


def parse_details(text: Optional[str]) -> Optional[str]:
    value = clean_answer(text)
    return value if 2 <= len(value) <= 1000 else None


def parse_delivery_method(text: Optional[str], allow_electronic: bool) -> Optional[str]:
    value = clean_answer(text)
    exact = _member_value(DeliveryMethod.parse, value)
    if exact and (allow_electronic or exact != DeliveryMethod.ELECTRONIC.value):
        return exact
    if any(w in value for w in ("郵送", "ゆうそう", "郵便", "書面", "手紙", "送って")):
        return "post"
    if any(w in value for w in ("窓口", "まどぐち", "取りに", "とりに", "来店", "直接")):
        return "counter"
    if allow_electronic and any(w in value for w in ("電子", "データ", "メール", "pdf", "PDF", "電磁")):
        return "electronic"
    return None
