"""Deterministic Japanese entity extraction (standard library only).

Used by ``nlu.components.entities.JapaneseEntityExtractor`` and usable on its own, e.g.
by the action server to validate a form answer::

    from sobu_privacy.text import normalize_text
    from nlu.components.entity_patterns import extract_entities
    extract_entities(normalize_text("電話は０９０ー１２３４ー５６７８です"))

The patterns expect text already passed through ``normalize_text`` (half-width digits and
Latin letters, "-" as the hyphen between digits).  Offsets refer to the text given.

The rules for what a phone number or a 受付番号 *is* are the product's vocabulary
(``sobu_privacy.identifiers``); this module finds them inside free text.

Entities and canonical values
- ``phone_number``: Japanese numbers, value = digits only with the leading 0
  ("09012345678", "0120123456", "+81 90-1234-5678" -> "09012345678").
  Mobile/IP/M2M (070/080/090/050/020/060) and 0800 numbers need 11 digits, every other
  number starting with 0 needs 10.  Never fires on numbers not starting with 0
  (postal codes, お客様番号, amounts, dates), on 受付番号, or right after a marker such as
  お客様番号 / 受付番号 / 郵便番号 / 〒.
- ``postal_code``: "〒289-2511", "〒2892511", "郵便番号 2892511", or a bare "289-2511"
  (a bare 7-digit run without 〒/郵便番号 is ambiguous and is not taken);
  value "NNN-NNNN".
- ``ticket_number`` (受付番号): "PR-" + 4 + "-" + 4 characters of Crockford base32
  (0-9 and A-Z without I, L, O, U), case-insensitive, hyphens/spaces optional;
  value "PR-XXXX-XXXX" upper case.  Typed without any hyphen/space it must contain a
  digit, so that words like "PRESIDENTS" are not taken.  As Crockford's decoding rules say, a typed I or L is
  read as 1 and O as 0 (the generator never emits them, so this is unambiguous).
- ``request_type``: the APPI request a customer names (see ``REQUEST_TYPE_PATTERNS``):
  disclosure, correction, addition, deletion, stop_use, erasure.  削除 (deletion, 第34条,
  untrue content) and 消去 (erasure, 第35条) are distinct.  Collective terms that do not say
  which request is meant (開示等, 訂正等, 利用停止等) yield nothing, and neither does a bare
  停止 (a gas company hears "ガスを停止したい" for closing a supply contract).
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Pattern, Tuple

from sobu_privacy.identifiers import find_ticket_numbers, normalize_phone
from sobu_privacy.requests import RequestType

__all__ = [
    "extract_entities",
    "extract_phone_numbers",
    "extract_postal_codes",
    "extract_ticket_numbers",
    "extract_request_types",
    "REQUEST_TYPES",
]

PHONE_NUMBER = "phone_number"
POSTAL_CODE = "postal_code"
TICKET_NUMBER = "ticket_number"
REQUEST_TYPE = "request_type"

Entity = Dict[str, Any]


def _entity(entity: str, start: int, end: int, value: str) -> Entity:
    return {"entity": entity, "start": start, "end": end, "value": value}


# --------------------------------------------------------------------------- phone

# Not glued to a preceding letter/digit, nor continuing "123-"; not followed by more.
_PHONE_START = r"(?<![0-9A-Za-z])(?<![0-9]-)"
_PHONE_END = r"(?![0-9A-Za-z])(?!\s?-\s?[0-9])"
_SEP = r"(?:\s?-\s?|\s)"  # one hyphen (optionally spaced) or one space

_DOMESTIC_BODY = (
    r"(?:"
    # (0479)63-1000, (03) 1234 5678
    r"\(\s?0\d{1,4}\s?\)\s?\d{1,4}" + _SEP + r"\d{3,4}"
    # 0479(63)1000
    r"|0\d{1,4}\s?\(\s?\d{1,4}\s?\)\s?\d{3,4}"
    # 0479-63-1000, 090 1234 5678, 0120-123-456
    r"|0\d{1,4}" + _SEP + r"\d{1,4}" + _SEP + r"\d{3,4}"
    # 090-12345678, 0120-123456
    r"|0\d{1,4}" + _SEP + r"\d{5,8}"
    # 09012345678, 0479631000
    r"|0\d{9,10}"
    r")"
)
_INTERNATIONAL_BODY = (
    r"\+\s?81\s?-?\s?(?:\(\s?0\s?\)\s?)?"
    r"(?:"
    r"[1-9]\d{0,3}" + _SEP + r"\d{1,4}" + _SEP + r"\d{3,4}"
    r"|[1-9]\d{0,3}" + _SEP + r"\d{5,8}"
    r"|[1-9]\d{8,9}"
    r")"
)
_PHONE_RE = re.compile(
    r"(?:" + _PHONE_START + _DOMESTIC_BODY + r"|" + _INTERNATIONAL_BODY + r")" + _PHONE_END
)

# A number right after one of these markers is not a phone number.
_NOT_PHONE_MARKERS = re.compile(
    r"(?:お客様番号|お客さま番号|顧客番号|契約番号|受付番号|郵便番号|〒|お問い合わせ番号)"
    r"(?:は|:|：)?\s?$"
)
def extract_phone_numbers(text: str) -> List[Entity]:
    entities = []
    for match in _PHONE_RE.finditer(text):
        value = normalize_phone(match.group(0))
        if value is None:
            continue
        if _NOT_PHONE_MARKERS.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        entities.append(_entity(PHONE_NUMBER, match.start(), match.end(), value))
    return entities


# --------------------------------------------------------------------------- postal

_POSTAL_MARKED_RE = re.compile(
    r"(?:〒|郵便番号\s?(?:は|:|：)?)\s?(?<![0-9])(\d{3})\s?-?\s?(\d{4})(?![0-9A-Za-z])(?!-[0-9])"
)
_POSTAL_BARE_RE = re.compile(r"(?<![0-9A-Za-z\-+])(\d{3})-(\d{4})(?![0-9A-Za-z])(?!\s?-\s?[0-9])")


def extract_postal_codes(text: str) -> List[Entity]:
    entities = []
    for regex in (_POSTAL_MARKED_RE, _POSTAL_BARE_RE):
        for match in regex.finditer(text):
            value = f"{match.group(1)}-{match.group(2)}"
            entities.append(_entity(POSTAL_CODE, match.start(1), match.end(2), value))
    return entities


# --------------------------------------------------------------------------- ticket

def extract_ticket_numbers(text: str) -> List[Entity]:
    """受付番号 by the vocabulary's rule (sobu_privacy.identifiers), as entities."""
    return [_entity(TICKET_NUMBER, start, end, value) for start, end, value in find_ticket_numbers(text)]


# --------------------------------------------------------------------------- request type

REQUEST_TYPES = tuple(member.value for member in RequestType)

_NOT_COLLECTIVE = r"(?!等|など)"
REQUEST_TYPE_PATTERNS: Dict[str, Tuple[str, ...]] = {
    "disclosure": (
        r"開示" + _NOT_COLLECTIVE,
        r"かいじ",
    ),
    "correction": (
        r"訂正" + _NOT_COLLECTIVE,
        r"ていせい",
        r"修正",
        r"しゅうせい",
        r"(?:間違い|間違って(?:いる|る)(?:ところ|箇所|所|情報|内容)?|誤り)を?直",
    ),
    "addition": (
        # "追加で質問" (= additionally) and "追加料金/費用" are not requests
        r"追加(?!で|料|費|の質問|質問)",
        r"ついか(?!で)",
    ),
    "deletion": (
        r"削除",
        r"さくじょ",
    ),
    "stop_use": (
        r"(?:利用|使用|第三者提供|提供)(?:の|を)?停止" + _NOT_COLLECTIVE,
        r"りようていし",
        r"(?:使う|利用する|使用する)の(?:を|は)?(?:やめ|止め)",
        r"(?:利用|使用)を(?:やめ|止め)",
        r"(?:使わ|利用し|使用し)ないで",
    ),
    "erasure": (
        r"消去",
        r"しょうきょ",
        # 消して but not 取り消して / 取消して / 打ち消して (withdraw, cancel)
        r"(?<!取り)(?<!取)(?<!打ち)消して",
    ),
}
_REQUEST_TYPE_RES: List[Tuple[str, Pattern[str]]] = [
    (value, re.compile(pattern))
    for value, patterns in REQUEST_TYPE_PATTERNS.items()
    for pattern in patterns
]


def extract_request_types(text: str) -> List[Entity]:
    entities = []
    for value, regex in _REQUEST_TYPE_RES:
        for match in regex.finditer(text):
            entities.append(_entity(REQUEST_TYPE, match.start(), match.end(), value))
    return entities


# --------------------------------------------------------------------------- all


def _overlaps(a: Entity, b: Entity) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _resolve_overlaps(candidates: Iterable[Entity]) -> List[Entity]:
    """Keeps the longest of overlapping candidates (earlier start wins ties)."""
    ordered = sorted(candidates, key=lambda e: (-(e["end"] - e["start"]), e["start"]))
    kept: List[Entity] = []
    for candidate in ordered:
        if not any(_overlaps(candidate, other) for other in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda e: (e["start"], e["end"]))


def extract_entities(text: str) -> List[Entity]:
    """All entities in ``text`` (normalised), sorted by position, no overlaps.

    Each entity is ``{"entity", "start", "end", "value"}``.  Overlaps are resolved
    longest-first (e.g. "〒289-2511" beats nothing else; "090-1234-5678" beats the
    "090-1234" a bare postal pattern would see, which is excluded anyway).
    """
    if not text:
        return []
    candidates: List[Entity] = []
    candidates += extract_ticket_numbers(text)
    candidates += extract_postal_codes(text)
    candidates += extract_phone_numbers(text)
    candidates += extract_request_types(text)
    return _resolve_overlaps(candidates)
