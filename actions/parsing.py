"""Reading customers' free-text answers in the request forms.

Customers type on phones: full-width digits, hyphens or none, 〒, hiragana. Each parser
returns the canonical value or None, never raises, so every validate_<slot> stays a
one-liner and its failure message lives in the domain. Parsers accept their own output
(Rasa validates already-filled slots again when a form is re-activated for a correction).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from nlu.components.entity_patterns import (
    canonical_phone_number,
    extract_request_types,
    extract_ticket_numbers,
)
from nlu.components.text_normalization import normalize_text
from storage import DeliveryMethod, RequesterKind, RequestType

# The labels customers see are the storage enums' own (one place for 開示, 郵送 …).
REQUEST_TYPE_LABELS = {kind.value: kind.label for kind in RequestType}
_REQUEST_TYPE_BY_LABEL = {kind.label: kind.value for kind in RequestType}
DELIVERY_LABELS = {method.value: method.label for method in DeliveryMethod}
REQUESTER_LABELS = {kind.value: kind.label for kind in RequesterKind}

# An answer that means "skip" for optional questions.
NONE_WORDS = ("なし", "無し", "ない", "ありません", "不要", "いらない", "スキップ", "持ってない", "もってない")
UNKNOWN_WORDS = ("わからない", "分からない", "わかりません", "分かりません", "不明", "しらない", "知らない", "忘れ")
YES_WORDS = ("はい", "ええ", "うん", "大丈夫", "だいじょうぶ", "できます", "準備", "用意", "ok", "了解", "お願いします")
NO_WORDS = ("いいえ", "いや", "できない", "できません", "無理", "むり", "ないです")

# Stored when an optional question was skipped; shown as such in the summary.
NOT_GIVEN = "（なし）"


def _clean(text: Optional[str]) -> str:
    return normalize_text(str(text or "")).strip()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _single(entities: List[Dict[str, Any]]) -> Optional[str]:
    """The one value the NLU's own extractor finds in an answer, or None if none or several."""
    values = {entity["value"] for entity in entities}
    return values.pop() if len(values) == 1 else None


def parse_request_type(text: Optional[str]) -> Optional[str]:
    """Code of the request type named in the answer (the same words the NLU extracts)."""
    value = _clean(text)
    if value in REQUEST_TYPE_LABELS:
        return value
    return _REQUEST_TYPE_BY_LABEL.get(value) or _single(extract_request_types(value))


def parse_requester_kind(text: Optional[str]) -> Optional[str]:
    value = _clean(text)
    if value in REQUESTER_LABELS:
        return value
    if any(w in value for w in ("代理", "家族", "親", "子", "夫", "妻", "後見", "代わり", "かわり")):
        return "agent"
    if any(w in value for w in ("本人", "ほんにん", "自分", "じぶん", "私", "わたし")):
        return "self"
    return None


def parse_yes_no(text: Optional[str]) -> Optional[bool]:
    value = _clean(text).lower()
    if any(w in value for w in NO_WORDS):
        return False
    if any(w in value for w in YES_WORDS):
        return True
    return None


def parse_person_name(text: Optional[str]) -> Optional[str]:
    """A name: 2-40 characters, letters of some script, no digits or @."""
    value = re.sub(r"\s+", " ", _clean(text))
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
    value = re.sub(r"(です|といいます)[。.]?$", "", _clean(text)).strip()
    value = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in value)
    value = re.sub(r"\s+", " ", value)
    if not value or len(value) > 60 or not _KATAKANA.match(value):
        return None
    return value


def parse_postal_code(text: Optional[str]) -> Optional[str]:
    value = _clean(text).replace("〒", "")
    match = re.search(r"(?<!\d)(\d{3})[-\s]?(\d{4})(?!\d)", value)
    if not match or len(_digits(value)) != 7:
        return None
    return f"{match.group(1)}-{match.group(2)}"


def parse_address(text: Optional[str]) -> Optional[str]:
    value = re.sub(r"\s+", " ", _clean(text))
    value = re.sub(r"^〒?\d{3}-?\d{4}\s*", "", value)
    if not 4 <= len(value) <= 200 or not re.search(r"[都道府県市区町村郡丁目番地号]|\d", value):
        return None
    return value


def parse_phone(text: Optional[str]) -> Optional[str]:
    """Japanese phone number as digits: landline 10, mobile/IP 11, 0120 10, +81 folded."""
    value = re.sub(r"^(電話番号は|電話は|番号は)|(です|になります)[。.]?$", "", _clean(text)).strip()
    if re.search(r"[^\d\-\s+()]", value):
        return None
    return canonical_phone_number(value)


def format_phone(digits: str) -> str:
    """Readable form for the summary; the stored value stays digits only.

    Landline area codes vary in length (03, 0479 …), so those stay as digits rather than
    being split in the wrong place.
    """
    if re.match(r"0[5789]0", digits) and len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if digits.startswith(("0120", "0570", "0800")) and len(digits) == 10:
        return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    return digits


_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")


def is_none_answer(text: Optional[str]) -> bool:
    value = _clean(text)
    return len(value) <= 12 and any(w in value for w in NONE_WORDS)


def is_unknown_answer(text: Optional[str]) -> bool:
    value = _clean(text)
    return len(value) <= 15 and any(w in value for w in UNKNOWN_WORDS)


def parse_email(text: Optional[str]) -> Optional[str]:
    if is_none_answer(text):
        return NOT_GIVEN
    value = re.sub(r"(です|になります)[。.]?$", "", _clean(text)).strip()
    return value if len(value) <= 254 and _EMAIL.match(value) else None


def parse_customer_number(text: Optional[str]) -> Optional[str]:
    if is_unknown_answer(text) or is_none_answer(text):
        return NOT_GIVEN
    value = _clean(text)
    digits = _digits(value)
    if re.search(r"[^\d\-\s]", re.sub(r"^(お客様番号は|番号は)|です[。.]?$", "", value)):
        return None
    return digits if 4 <= len(digits) <= 20 else None


def parse_details(text: Optional[str]) -> Optional[str]:
    value = _clean(text)
    return value if 2 <= len(value) <= 1000 else None


def parse_delivery_method(text: Optional[str], allow_electronic: bool) -> Optional[str]:
    value = _clean(text)
    if value in DELIVERY_LABELS and (allow_electronic or value != "electronic"):
        return value
    if any(w in value for w in ("郵送", "ゆうそう", "郵便", "書面", "手紙", "送って")):
        return "post"
    if any(w in value for w in ("窓口", "まどぐち", "取りに", "とりに", "来店", "直接")):
        return "counter"
    if allow_electronic and any(w in value for w in ("電子", "データ", "メール", "pdf", "PDF", "電磁")):
        return "electronic"
    return None


def parse_ticket_number(text: Optional[str]) -> Optional[str]:
    """受付番号 PR-XXXX-XXXX, typed in any case, with or without hyphens (the NLU's rule)."""
    return _single(extract_ticket_numbers(_clean(text)))
