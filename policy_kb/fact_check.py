"""Find the checkable facts in an answer that the privacy policy does not contain.

Why: the assistant may only state what the policy says. Wording can be
paraphrased, but facts cannot: a phone number, a time, a date, a number of
days, a company or authority, an identity document, a law, a fee. This module
extracts such facts from any text and reports those that do not occur in the
source text (after folding width, whitespace, tilde/dash variants, and
treating 9:00 / 午前9時 / 9時 and 12/30 / 12月30日 as the same thing).

It is deliberately conservative: a fact counts as supported only when the
source has it as a whole word (``メール`` is not supported by
``Eメールアドレス``; ``東京電力株式会社`` is not supported by
``東京電力パワーグリッド株式会社``). Known limits: it does not understand
meaning — a wrong statement built only from words of the policy passes; that
is what review of answers.yml is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .normalize import fold, strip_markup, to_hhmm

__all__ = ["Fact", "extract_facts", "unsupported_facts", "is_supported"]

_SOURCE_PATH = Path(__file__).resolve().parent / "source" / "privacy_policy.txt"

# Characters that continue a Japanese "word" for our purposes: kanji, katakana
# (without the ・ separator), 々, ー, Latin letters. Hiragana, digits and
# punctuation end a word.
_W = "\u3400-\u4dbf\u4e00-\u9fff\u3005\u30a1-\u30fa\u30fc-\u30ffA-Za-z"
_WORD_CHAR = re.compile(f"[{_W}]")

_URL_RE = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&'*+,;=%-]+")

_UNITS = (
    "営業日|日間|日|週間|週|か月|ヶ月|カ月|ケ月|箇月|月|年間|年|時間|分間|分|秒|円|件|回|歳|"
    "号|条|項|番地|名|人|通|枚|%|割|倍|万|億|千|つ|個|点|社|ページ|桁|階"
)
_KANJI_NUM_UNITS = "営業日|日間|日|週間|か月|ヶ月|カ月|ケ月|箇月|年間|年|時間|万円|円"
_NUMBER_RE = re.compile(
    r"(?P<time>(?:午前|午後)\s*\d{1,2}\s*時(?:\s*\d{1,2}\s*分|半)?"
    r"|(?<!\d)\d{1,2}\s*時(?!間)(?:\s*\d{1,2}\s*分|半)?"
    r"|(?<![\d:])\d{1,2}:\d{2}(?![\d:]))"
    r"|(?P<date>(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*日|(?<![\d/])\d{1,2}/\d{1,2}(?![\d/]))"
    rf"|(?P<num>(?:第\s*)?\d+(?:\s*[-/]\s*\d+)*(?:\.\d+)?(?:\s*(?:{_UNITS}))?)"
    rf"|(?P<knum>[〇一二三四五六七八九十百千]+\s*(?:{_KANJI_NUM_UNITS}))"
)

# Words that end names of companies, bodies, documents and laws. A whole word
# (maximal run of _W characters) ending in one of these is a fact.
_NAME_SUFFIXES = {
    "company": ["株式会社", "有限会社", "合同会社", "会社", "銀行", "信用金庫", "組合"],
    "body": ["機関", "庁", "省", "委員会", "協会", "センター", "大臣", "裁判所", "警察署", "警察",
             "役所", "役場", "事業者", "契約者", "団体"],
    "document": ["運転免許証", "免許証", "パスポート", "旅券", "委任状", "印鑑登録証明書", "証明書",
                 "被保険者証", "保険証", "カード", "住民票", "謄本", "抄本", "手帳", "申込書面", "申込書",
                 "申請書", "書面", "封筒", "印紙", "切手", "学生証", "通知書"],
    "law": ["法律", "法令", "条例", "規則", "ガイドライン", "約款", "法"],
}
# Words ending in 法 that are not laws.
_NOT_LAWS = ("方法", "手法", "用法", "寸法", "作法", "文法", "製法", "技法", "療法", "工法", "論法",
             "違法", "合法", "適法", "不法", "説法")
_SUFFIX_KIND = {s: k for k, ss in _NAME_SUFFIXES.items() for s in ss}
_NAME_RE = re.compile(
    f"(?<![{_W}])[{_W}]*(?:"
    + "|".join(sorted(map(re.escape, _SUFFIX_KIND), key=len, reverse=True))
    + f")(?![{_W}]*(?:"
    + "|".join(sorted(map(re.escape, _SUFFIX_KIND), key=len, reverse=True))
    + "))"
)
# Claims about procedure, timing, cost and channels that the policy might not make.
_CLAIM_WORDS = (
    "手数料", "無料", "無償", "有料", "実費", "即日", "当日", "翌日", "翌営業日", "速やかに", "遅滞なく",
    "直ちに", "以内", "メール", "FAX", "ファクス", "ファックス", "オンライン", "ウェブ", "インターネット",
    "ホームページ", "アプリ", "マイページ", "LINE", "マイナンバー", "個人番号",
)
_CLAIM_RE = re.compile("|".join(sorted(map(re.escape, _CLAIM_WORDS), key=len, reverse=True)))
_LATIN_RE = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}(?![A-Za-z])")


@dataclass(frozen=True)
class Fact:
    """A checkable fact: ``surface`` as written, ``key`` the form compared with the source."""

    kind: str  # time, date, number, phone, url, company, body, document, law, claim, latin
    surface: str
    key: str


def _number_fact(m: re.Match[str]) -> Fact:
    s = m.group(0)
    if m.group("time"):
        return Fact("time", s, "time:" + (to_hhmm(s) or s))
    if m.group("date"):
        md = re.findall(r"\d+", s)
        return Fact("date", s, f"date:{int(md[0])}/{int(md[1])}")
    if m.group("knum"):
        return Fact("number", s, "knum:" + re.sub(r"\s+", "", s))
    compact = re.sub(r"\s+", "", s)
    digits = re.sub(r"\D", "", compact)
    if "-" in compact or len(digits) >= 6:
        return Fact("phone", s, "tel:" + digits)
    return Fact("number", s, "num:" + compact)


def extract_facts(text: str) -> list[Fact]:
    """All checkable facts of ``text`` in order of appearance (duplicates kept)."""
    t = fold(strip_markup(text))
    facts: list[tuple[int, Fact]] = []
    for m in _URL_RE.finditer(t):
        facts.append((m.start(), Fact("url", m.group(0), "url:" + m.group(0).rstrip("/"))))
    rest = _URL_RE.sub(lambda m: " " * len(m.group(0)), t)
    for m in _NUMBER_RE.finditer(rest):
        facts.append((m.start(), _number_fact(m)))
    for m in _NAME_RE.finditer(rest):
        word = m.group(0)
        suffix = next(s for s in sorted(_SUFFIX_KIND, key=len, reverse=True) if word.endswith(s))
        kind = _SUFFIX_KIND[suffix]
        if kind == "law" and word.endswith(_NOT_LAWS):
            continue
        facts.append((m.start(), Fact(kind, word, f"{kind}:{word}|{suffix}")))
    for m in _CLAIM_RE.finditer(rest):
        word = m.group(0)
        # a katakana/Latin claim word inside a longer word (Eメールアドレス) is that other word
        if re.match(f"[{_W}]", word[0]) and not re.match(r"[\u3400-\u9fff]", word[0]):
            if m.start() > 0 and _WORD_CHAR.match(rest[m.start() - 1]):
                continue
        facts.append((m.start(), Fact("claim", word, "claim:" + word)))
    for m in _LATIN_RE.finditer(rest):
        facts.append((m.start(), Fact("latin", m.group(0), "latin:" + m.group(0))))
    facts.sort(key=lambda x: x[0])
    return [f for _, f in facts]


@dataclass(frozen=True)
class _SourceIndex:
    text: str  # folded, markup stripped
    keys: frozenset[str]  # keys of the number/time/date/url facts of the source


@lru_cache(maxsize=4)
def _index(source_text: str) -> _SourceIndex:
    folded = fold(strip_markup(source_text))
    keys = frozenset(
        f.key for f in extract_facts(source_text) if f.kind in {"time", "date", "number", "phone", "url"}
    )
    return _SourceIndex(folded, keys)


@lru_cache(maxsize=1)
def _bundled_source() -> str:
    return _SOURCE_PATH.read_text(encoding="utf-8")


def _whole_word_in(word: str, text: str) -> bool:
    """``word`` occurs in ``text`` where it starts a word (not preceded by a word character)."""
    start = text.find(word)
    while start != -1:
        if start == 0 or not _WORD_CHAR.match(text[start - 1]):
            return True
        start = text.find(word, start + 1)
    return False


def is_supported(fact: Fact, source_text: str | None = None) -> bool:
    """Whether the source (default: the bundled policy text) states ``fact``."""
    idx = _index(source_text if source_text is not None else _bundled_source())
    if fact.kind in {"time", "date", "number", "phone", "url"}:
        return fact.key in idx.keys
    if fact.kind in {"claim", "latin"}:
        return _whole_word_in(fact.surface, idx.text)
    word, suffix = fact.key.split(":", 1)[1].rsplit("|", 1)
    # The answer's word may start earlier than the name (e.g. 当社総武産業株式会社):
    # accept it when a tail of it, longer than the bare category word, is a whole word of the source.
    if _whole_word_in(word, idx.text):
        return True
    return any(_whole_word_in(word[i:], idx.text) for i in range(1, len(word) - len(suffix)))


def unsupported_facts(text: str, source_text: str | None = None) -> list[str]:
    """The facts of ``text`` that the policy does not contain, as written, without duplicates.

    An empty list means every number, time, date, phone number, name of a
    company, body, document or law, and every claim word (手数料, 無料,
    以内, メール, ...) in ``text`` occurs in the policy.
    """
    out: list[str] = []
    for f in extract_facts(text):
        if not is_supported(f, source_text) and f.surface not in out:
            out.append(f.surface)
    return out
