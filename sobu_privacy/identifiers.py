"""The three identifiers customers type: 受付番号, phone numbers and postal codes.

Each has one rule, used by every part: the NLU finds them in messages, the request form
reads them from answers, storage stores and compares them, the console looks them up.
For each identifier:

- ``normalize_*`` takes a value that should be exactly that identifier (a form field, a
  URL segment, a stored value) in any spelling customers use, and returns the canonical
  form, or None when it is not one;
- ``parse_*`` reads a whole answer typed in the chat (「電話番号は０９０…です」) and returns
  the canonical form of the one identifier it holds, or None.

Canonical forms: 受付番号 ``PR-XXXX-XXXX`` (Crockford base32, upper case), phone numbers
digits only with the leading 0 (``09012345678``), postal codes ``NNN-NNNN``.
"""
from __future__ import annotations

import re
import secrets
from typing import List, Optional, Tuple

from .text import normalize_text

__all__ = [
    "CROCKFORD_ALPHABET",
    "TICKET_NUMBER_RE",
    "new_ticket_number",
    "normalize_ticket_number",
    "find_ticket_numbers",
    "parse_ticket_number",
    "normalize_phone",
    "parse_phone",
    "format_phone",
    "normalize_postal_code",
    "parse_postal_code",
]

# --------------------------------------------------------------------------- 受付番号

#: Crockford base32: no I, L, O, U, so a number read over the phone is not misheard.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Crockford base32 plus the look-alikes I, L, O that its decoding rules map to 1, 1, 0.
_TICKET_CHAR = "[0-9A-TV-Z]"  # everything but U (I, L, O accepted as typed)
#: A 受付番号 inside normalised text: "PR" + 4 + 4 characters, any case, hyphens or
#: spaces between the parts optional. Groups 1 and 2 are the two halves.
TICKET_NUMBER_RE = re.compile(
    r"(?<![0-9A-Za-z])PR\s?-?\s?(" + _TICKET_CHAR + r"{4})\s?-?\s?(" + _TICKET_CHAR + r"{4})(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_CROCKFORD_DECODE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_ticket_number() -> str:
    """40 random bits from ``secrets``: knowing one number says nothing about another."""
    chars = "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(8))
    return f"PR-{chars[:4]}-{chars[4:]}"


def _canonical_halves(match: "re.Match[str]") -> str:
    first, second = (group.upper().translate(_CROCKFORD_DECODE) for group in match.groups())
    return f"PR-{first}-{second}"


def normalize_ticket_number(value: Optional[str]) -> Optional[str]:
    """``PR-XXXX-XXXX`` for a typed 受付番号, or None.

    Width and case do not matter, hyphens and spaces are optional, and as Crockford
    base32 intends a typed I or L is read as 1 and O as 0 (the generator never emits
    them, so this is unambiguous).
    """
    match = TICKET_NUMBER_RE.fullmatch(normalize_text(value or ""))
    return _canonical_halves(match) if match else None


def _looks_like_a_word(match: "re.Match[str]") -> bool:
    """"PRESIDENTS", "PROPERTIES": ten letters glued together are English, not a 受付番号.

    Written without any separator, a 受付番号 is only taken when it holds a digit (a
    generated one lacks digits with probability (22/32)^8, about 5 %, and can still be
    typed as PR-XXXX-XXXX).
    """
    raw = match.group(0)
    has_separator = any(ch in raw for ch in "- ")
    return not has_separator and not any(ch.isdigit() for ch in raw)


def find_ticket_numbers(text: str) -> List[Tuple[int, int, str]]:
    """Every 受付番号 in normalised ``text``, as (start, end, canonical form)."""
    return [(m.start(), m.end(), _canonical_halves(m)) for m in TICKET_NUMBER_RE.finditer(text)
            if not _looks_like_a_word(m)]


def parse_ticket_number(text: Optional[str]) -> Optional[str]:
    """The one 受付番号 in an answer (「受付番号はpr 7k3m 9xq2です」), or None if none or several."""
    values = {value for _start, _end, value in find_ticket_numbers(normalize_text(str(text or "")))}
    return values.pop() if len(values) == 1 else None


# --------------------------------------------------------------------------- phone

#: Mobile, IP, M2M and 0800 numbers have 11 digits; every other number starting with 0 has 10.
ELEVEN_DIGIT_PREFIXES = ("070", "080", "090", "050", "020", "060", "0800")
_PHONE_ANSWER_WORDS = re.compile(r"^(電話番号は|電話は|番号は)|(です|になります)[。.]?$")


def normalize_phone(value: Optional[str]) -> Optional[str]:
    """Digits of a Japanese phone number with its leading 0, or None if not one.

    ``+81 90-…`` and ``+81 (0)3 …`` are folded to the domestic form; the length must fit
    the prefix (11 digits for 070/080/090/050/020/060/0800, else 10).
    """
    stripped = normalize_text(str(value or "")).strip()
    digits = re.sub(r"\D", "", stripped)
    if stripped.startswith("+"):
        if not digits.startswith("81"):
            return None
        digits = digits[2:]
        if digits.startswith("0"):  # "+81 (0)3 ..." written with the trunk 0
            digits = digits[1:]
        digits = "0" + digits
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    expected = 11 if digits.startswith(ELEVEN_DIGIT_PREFIXES) else 10
    return digits if len(digits) == expected else None


def parse_phone(text: Optional[str]) -> Optional[str]:
    """A phone number typed as a whole answer (「電話番号は080-1111-2222です」), as digits.

    Anything besides digits, hyphens, spaces, + and brackets makes it no phone number, so
    「お客様番号0479631000」 is not read as one.
    """
    value = _PHONE_ANSWER_WORDS.sub("", normalize_text(str(text or ""))).strip()
    if re.search(r"[^\d\-\s+()]", value):
        return None
    return normalize_phone(value)


def format_phone(digits: str) -> str:
    """Readable form for a summary; the stored value stays digits only.

    Landline area codes vary in length (03, 0479 …), so those stay as digits rather than
    being split in the wrong place.
    """
    if re.match(r"0[5789]0", digits) and len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if digits.startswith(("0120", "0570", "0800")) and len(digits) == 10:
        return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    return digits


# --------------------------------------------------------------------------- postal code

_POSTAL_RE = re.compile(r"(?<!\d)(\d{3})[-\s]?(\d{4})(?!\d)")


def normalize_postal_code(value: Optional[str]) -> Optional[str]:
    """``NNN-NNNN`` from a value of exactly seven digits (〒, hyphens and spaces ignored), or None."""
    text = re.sub(r"[〒\-\s]", "", normalize_text(str(value or "")))
    return f"{text[:3]}-{text[3:]}" if re.fullmatch(r"\d{7}", text) else None


def parse_postal_code(text: Optional[str]) -> Optional[str]:
    """The postal code in an answer (「〒289-2511です」), as ``NNN-NNNN``.

    The answer must hold exactly seven digits, written NNN-NNNN, NNN NNNN or NNNNNNN.
    """
    value = normalize_text(str(text or "")).replace("〒", "")
    match = _POSTAL_RE.search(value)
    if not match or len(re.sub(r"\D", "", value)) != 7:
        return None
    return f"{match.group(1)}-{match.group(2)}"
