"""Japanese text as customers type it, in one normal form (standard library only).

``normalize_text`` is what the NLU's ``JapaneseTextNormalizer`` applies to every message
before spaCy/GiNZA sees it, and what every other part applies before reading a 受付番号,
a phone number or a form answer, so that the chat, the status check and the console
accept exactly the same spellings.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text"]

# Zero-width characters and the BOM: invisible, but they break regexes and n-grams.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

# Tilde / wave-dash variants (after NFKC, U+FF5E FULLWIDTH TILDE is already "~").
# All become U+301C WAVE DASH, the form Japanese IMEs produce ("9時〜17時", "はーい〜").
_TILDES = re.compile("[~\u301c\u223c\u223e\u3030\uff5e]")
WAVE_DASH = "\u301c"

# Hyphen / dash / long-vowel look-alikes that customers type in place of one another.
# (NFKC already folds U+FF0D FULLWIDTH HYPHEN-MINUS to "-" and U+FF70 HALFWIDTH
# PROLONGED SOUND MARK to "ー".)
_DASH_CHARS = (
    "-"  # U+002D hyphen-minus
    "\u2010\u2011\u2012\u2013\u2014\u2015"  # ‐ ‑ ‒ – — ―
    "\u2212"  # − minus sign
    "\u2500\u2501"  # ─ ━ box drawing, typed as a dash by some IMEs
    "\ufe63"  # ﹣ small hyphen-minus
    "\u30fc"  # ー KATAKANA-HIRAGANA PROLONGED SOUND MARK
)
_DASH = f"[{re.escape(_DASH_CHARS)}]"
_KATAKANA = "\u30a1-\u30fa\u30fc"  # ァ..ヺ and ー

# A dash between two ASCII letters/digits is a hyphen: 090ー1234ー5678, PR－7K3M－9XQ2.
_DASH_BETWEEN_ALNUM = re.compile(f"(?<=[0-9A-Za-z]){_DASH}+(?=[0-9A-Za-z])")
# A dash right after katakana (and not leading into a digit/letter) is the long vowel:
# メ-ル -> メール, センタ― -> センター.
_DASH_AFTER_KATAKANA = re.compile(f"(?<=[{_KATAKANA}]){_DASH}+(?![0-9A-Za-z])")

# Runs of the same punctuation mark collapse to one: "！！！" -> "!", "。。" -> "。".
# "." is left alone so that an ellipsis ("…" is "..." after NFKC) and decimals survive.
_REPEATED_PUNCT = re.compile("([。、,・〜ー])\\1+")
_EXCLAIM_QUESTION_RUN = re.compile("[!?]{2,}")

_WHITESPACE = re.compile(r"\s+")

# Control characters (other than the whitespace ones, which become spaces) and lone UTF-16
# surrogates: nothing a customer means, and the tokenizer fails on them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _collapse_exclaim_question(match: "re.Match[str]") -> str:
    run = match.group(0)
    return "?" if "?" in run else "!"


def normalize_text(text: str) -> str:
    """Returns ``text`` in the normal form the NLU pipeline works on.

    - Unicode NFKC: full-width ASCII to half-width (０９０→090, ＡＢＣ→ABC, ！→!),
      half-width katakana to full-width (ｶﾀｶﾅ→カタカナ, ｶﾞ→ガ), U+3000 to a space.
    - tilde variants (〜 ～ ~ ∼ 〰) become 〜.
    - a run of dash look-alikes (- ‐ – — ― − ─ ー ｰ －) between two ASCII letters/digits
      becomes a single "-" (090ー1234ー5678 → 090-1234-5678); after katakana (and not
      followed by a letter/digit) each becomes the long-vowel mark ー (メ-ル → メール).
    - runs of !/? collapse to one mark ("?" if the run holds one), runs of 。、,・〜ー
      collapse to one ("..." is kept).
    - control characters and lone surrogates are dropped (before NFKC), zero-width
      characters are dropped, whitespace runs become one space, and the
      result is stripped.
    - Latin letters keep their case (受付番号 are upper case; extractors are
      case-insensitive).

    The function is idempotent: ``normalize_text(normalize_text(t)) == normalize_text(t)``.
    """
    if not text:
        return "" if text is None else text
    result = unicodedata.normalize("NFKC", _CONTROL.sub("", text))
    result = _INVISIBLE.sub("", result)
    result = _TILDES.sub(WAVE_DASH, result)
    result = _DASH_BETWEEN_ALNUM.sub("-", result)
    result = _DASH_AFTER_KATAKANA.sub(lambda m: "ー" * len(m.group(0)), result)
    result = _EXCLAIM_QUESTION_RUN.sub(_collapse_exclaim_question, result)
    result = _REPEATED_PUNCT.sub(r"\1", result)
    result = _WHITESPACE.sub(" ", result).strip()
    return result
