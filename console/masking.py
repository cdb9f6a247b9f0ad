"""Masks personal data in free text before analysts see it.

What customers type can hold phone numbers, e-mail addresses, postal codes, 受付番号 and
customer numbers. The analytics page only needs to know *what kind* of question failed, so
every such run becomes a single ＊ - not one per character, so not even the length of a
number is left, and questions that differ only in their numbers group together.
Input is NFKC-normalised first so full-width digits (０９０…) are caught too.
"""
from __future__ import annotations

import re
import unicodedata

MASK = "＊"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# 受付番号 (PR-XXXX…) and similar codes: letters followed by digits/hyphens.
_PR_NUMBER = re.compile(r"\b[A-Za-z]{1,4}-?[A-Za-z0-9]*\d[A-Za-z0-9\-]*", re.ASCII)
# Phone numbers and postal codes (with 〒), with hyphens or spaces between digit groups.
_POSTAL = re.compile(r"〒?\s*\d{3}\s*[-ー－]\s*\d{4}")
_PHONE = re.compile(r"\+?\d[\d\-\s()ー－]{6,}\d")
# Whatever digits are left: any run of two or more (ages, dates, amounts and fragments
# of numbers all go; one digit on its own is kept so "第3条" stays readable).
_DIGITS = re.compile(r"\d{2,}")


def mask_personal_data(text: str) -> str:
    """Return ``text`` with e-mail addresses, 受付番号, postal codes, phone numbers and digit runs masked."""
    if not text:
        return ""
    masked = unicodedata.normalize("NFKC", text)
    for pattern in (_EMAIL, _PR_NUMBER, _PHONE, _POSTAL, _DIGITS):
        masked = pattern.sub(MASK, masked)
    return masked
