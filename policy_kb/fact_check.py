"""Check that every claim in a customer-facing text is stated by the privacy policy.

Why: the assistant may only state what the policy says. Wording may be
paraphrased, but claims may not. A text is cut into *claims* of known kinds:

- ``number``/``time``/``date``/``phone`` — every number, in Arabic, full-width
  or kanji digits (〇一二三…十百千万), phone-like runs even with spaces; a kanji
  numeral that reads as no one number (二三十日) is kept as written;
- ``url``/``email`` — web and e-mail addresses, with or without ``http``;
- ``company``, ``body``, ``department``, ``place``, ``address``, ``document``,
  ``law`` — named entities (〜株式会社, 東京電力, 〜部/〜室/〜窓口, 〜市/番地,
  〜証/〜書/実印, 〜法 …); a name with (株) or (有) must be a company the policy
  names, the legal form on the same side (電話 is in the policy, 電話(株) is not);
- ``channel`` — how to reach the company (電話, 郵送, メール, チャット, FAX, Web …);
- ``day``, ``deadline`` — days, periods and deadlines (土曜日, 祝日, 数日, 即日 …);
- ``negation`` — every ない/ません/ず/不要/無料 …: 「手数料はかかりません」 is a claim;
- ``claim`` — procedure and cost words (手数料, 有料, 実費 …), ``latin`` — Latin words;
- ``relation`` — an entity joined to a role (共同利用, 委託, 責任, 管理) or to a
  business (ガス, 電力): 「管理の責任者は総武産業株式会社です」 is two true words
  joined wrongly; and a channel named for filing (「ホームページからお申込みください」)
  must be one the policy names for filing;
- ``opening`` — a day the desk is closed (土日祝日, 12/30～1/4) stated as open.

A claim is supported when its normalised form (NFKC, kanji digits as Arabic,
spacing ignored) occurs in the policy text (``source/privacy_policy.txt``) —
as a whole word for names and channels; for a negation, with the same
head word and topic words in one sentence, and hedged where the policy hedges
(「応じられない場合があります」 does not support 「応じられません」); in the same line
(role, filing) or block (business) for relations — or
when it is covered by the reviewed list in ``policy_kb.non_claims`` (chat
mechanics, greetings, form examples; one reason per entry). Days on which the
desk is closed may not be stated as opening days.

Known limits: it reads surface forms, not meaning. A wrong statement built only
from words the policy uses in the same sentence (「提供いたしません」 about
something else) can pass; review of the texts remains necessary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from .non_claims import EQUIVALENTS, NON_CLAIMS
from .normalize import fold, strip_markup, to_hhmm

__all__ = [
    "Claim",
    "Verdict",
    "Fact",
    "check",
    "problems",
    "extract_claims",
    "extract_facts",
    "unsupported_facts",
    "is_supported",
    "kanji_to_int",
]

_SOURCE_PATH = Path(__file__).resolve().parent / "source" / "privacy_policy.txt"

# --- characters -------------------------------------------------------------------------
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\u3005"
_KATA = "\u30a1-\u30fa\u30fc-\u30ff"
# Characters that continue a "word" for our purposes: kanji, katakana (not the ・
# separator), 々, ー, Latin letters. Hiragana, digits and punctuation end a word.
_W = f"{_KANJI}{_KATA}A-Za-z"
# Kanji that join two words rather than belong to one (開示又は提供, 電話番号等, 及び):
# they end a word.
_GLUE = "又及並等"
_WORD_RE = re.compile(f"(?:(?![{_GLUE}])[{_W}])+")
_HIRA = "\u3041-\u309f"
_KANJI_RE = re.compile(f"[{_KANJI}]")
_KATA_LATIN_RE = re.compile(f"[{_KATA}A-Za-z]")


_W_RE = re.compile(f"[{_W}]")


def _is_word_char(c: str) -> bool:
    """Whether ``c`` continues a name (so 「東京電力パワーグリッド」 does not contain the word 東京電力)."""
    return _W_RE.match(c) is not None and c not in _GLUE


# --- kanji numerals -----------------------------------------------------------------------
_KDIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KPOWERS = {"十": 10, "百": 100, "千": 1000}
_KNUM_RUN_RE = re.compile("[〇零一二三四五六七八九十百千万]+")
# Counters after which a kanji numeral is a number (十四日, 二週間, 千円, 十二月三十日).
_UNITS = (
    "営業日|日間|日|週間|週|か月|ヶ月|カ月|ケ月|箇月|月|年間|年|時間|時|分間|分|秒|円|件|回|歳|"
    "号|条|項|番地|名|人|通|枚|%|割|倍|万|億|千|つ|個|点|社|ページ|桁|階|丁目|文字"
)
_UNIT_AFTER_RE = re.compile(rf"\s*(?:{_UNITS})")
# Words in which a kanji numeral before a counter is not a number.
_KANJI_NUMBER_WORDS = ("一時停止", "一時的", "十分に", "十分な", "一つひとつ", "一人ひとり")


def kanji_to_int(s: str) -> int | None:
    """``十四`` → 14, ``二〇二四`` → 2024, ``三千五百`` → 3500; None for anything else.

    Why: 「十四日以内」 and 「14日以内」 are the same claim and must meet the same check.
    """
    if s and all(c in _KDIGITS for c in s):
        return int("".join(str(_KDIGITS[c]) for c in s))
    total = section = 0
    digit: int | None = None
    for c in s:
        if c in _KDIGITS:
            if digit is not None:
                return None  # 二三十: not a numeral
            digit = _KDIGITS[c]
        elif c in _KPOWERS:
            section += (1 if digit is None else digit) * _KPOWERS[c]
            digit = None
        elif c == "万":
            total += (section + (digit or 0) or 1) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _arabise(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Kanji numerals that are numbers (before a counter, after 第, or runs of digits
    such as 〇四七九) as Arabic digits, and for every output character the span of
    ``text`` it came from, so claims can be reported as written."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _KNUM_RUN_RE.finditer(text):
        run, s, e = m.group(0), m.start(), m.end()
        numeric = (
            (len(run) >= 2 and all(c in _KDIGITS for c in run))
            or _UNIT_AFTER_RE.match(text, e) is not None
            or text[max(0, s - 1):s] == "第"
        )
        if numeric and any(text.startswith(w, s) for w in _KANJI_NUMBER_WORDS):
            numeric = False
        value = kanji_to_int(run) if numeric else None
        if value is None:
            continue
        for i in range(pos, s):
            out.append(text[i])
            spans.append((i, i + 1))
        digits = (
            "".join(str(_KDIGITS[c]) for c in run) if all(c in _KDIGITS for c in run) else str(value)
        )
        out.extend(digits)
        spans.extend([(s, e)] * len(digits))
        pos = e
    for i in range(pos, len(text)):
        out.append(text[i])
        spans.append((i, i + 1))
    return "".join(out), spans


# --- claim patterns ---------------------------------------------------------------------------
_URL_RE = re.compile(
    r"(?:https?://)?(?<![A-Za-z0-9.@-])(?:[A-Za-z0-9-]+\.)+(?:jp|com|net|org|info|biz|io|co|me)\b"
    r"(?:/[A-Za-z0-9._~:/?#\[\]@!$&'*+,;=%-]*)?"
    r"|https?://[A-Za-z0-9._~:/?#\[\]@!$&'*+,;=%-]+"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Digits in groups separated by spaces, hyphens or brackets, 9 digits or more: a phone number.
_SPACED_PHONE_RE = re.compile(r"(?<![\d.:/])\(?\d{2,5}\)?(?:[ \-()]{1,3}\d{1,5}){1,3}(?![\d:/])")
_NUMBER_RE = re.compile(
    r"(?P<time>(?:午前|午後)\s*\d{1,2}\s*時(?:\s*\d{1,2}\s*分|半)?"
    r"|(?<!\d)\d{1,2}\s*時(?!間)(?:\s*\d{1,2}\s*分|半)?"
    r"|(?<![\d:])\d{1,2}:\d{2}(?![\d:]))"
    r"|(?P<date>(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*日|(?<![\d/])\d{1,2}/\d{1,2}(?![\d/]))"
    rf"|(?P<num>(?:第\s*)?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\s*[-/]\s*\d+)*(?:\.\d+)?(?:\s*(?:{_UNITS}))?)"
)
_ADDRESS_RE = re.compile(f"(?<![{_W}])[{_W}]*[都道府県市区町村郡][^\\s、。,()]{{0,12}}?\\d+番地")

# Words that end names. The claim is the word up to its last such ending
# (証明書類 → 証明書); one-character endings need a name before them and must end
# the word (市外局番 names no city), except before the classifiers below.
_NAME_SUFFIXES: dict[str, tuple[str, ...]] = {
    "company": ("会社", "銀行", "信用金庫", "組合"),
    "body": ("機関", "庁", "省", "委員会", "協会", "センター", "大臣", "裁判所", "警察署", "警察",
             "役所", "役場", "事業者", "契約者", "団体"),
    "document": ("運転免許証", "免許証", "パスポート", "旅券", "委任状", "証明書", "被保険者証", "保険証",
                 "カード", "住民票", "謄本", "抄本", "手帳", "申込書面", "申込書", "申請書", "書面", "封筒",
                 "印紙", "切手", "通帳", "原本", "コピー", "印鑑", "証", "書", "状", "票", "印"),
    "law": ("法律", "法令", "条例", "規則", "ガイドライン", "約款", "法"),
    "department": ("窓口", "本部", "支店", "支社", "営業所", "事業所", "デスク", "部", "室", "課"),
    "place": ("北海道", "都", "府", "県", "市", "区", "町", "村", "郡"),
}
_SUFFIX_KIND = {s: k for k, ss in _NAME_SUFFIXES.items() for s in ss}
_SUFFIXES_LONGEST_FIRST = sorted(_SUFFIX_KIND, key=len, reverse=True)
_SUFFIX_RE = re.compile("|".join(map(re.escape, _SUFFIXES_LONGEST_FIRST)))
# What may follow a one-character ending inside the same word (証明書類, 総務部宛, 旭市二, 〜法第33条).
_AFTER_SHORT_SUFFIX = set("類内宛様第〇一二三四五六七八九十")
# Words ending in 法 that are not laws.
_NOT_LAWS = ("方法", "手法", "用法", "寸法", "作法", "文法", "製法", "技法", "療法", "工法", "論法",
             "違法", "合法", "適法", "不法", "説法")
_LEGAL_FORM_RE = re.compile(r"株式会社|有限会社|合同会社")
# ㈱ (NFKC: (株)) before or after a name: the name is a company (東京電力(株)).
_SHORT_LEGAL_FORM_RE = re.compile(f"[{_W}]*\\((?:株|有)\\)[{_W}]*")
_SHORT_LEGAL_FORMS = {"(株)": "株式会社", "(有)": "有限会社"}
# Company names without their legal form: 東京電力, 総武ガス, 総武産業 (a word ending so).
_BRAND_ENDINGS = ("パワーグリッド", "ホールディングス", "エナジー", "電力", "ガス", "産業", "商事", "物産", "電鉄")
_ABBREVIATIONS = ("東電", "関電", "中電", "九電", "北電", "四電", "沖電", "東ガス")
# An answer may put 当社 before a name (当社総武産業株式会社).
_NAME_PREFIXES = ("当社", "弊社")

_CHANNEL_RE = re.compile(
    r"[Ee]-?[Mm]ail|EMAIL|Eメール|メール|電話|郵送|郵便|来社|来店|窓口|チャット|FAX|[Ff]ax|ファクス|ファックス|"
    r"ファクシミリ|ウェブ|Web|WEB|ホームページ|インターネット|オンライン|サイト|アプリ|LINE|マイページ|"
    r"フォーム|SNS|訪問|書留|フリーダイヤル|ナビダイヤル|宅配|持参|電子データ|電磁的記録"
)
_DAY_RE = re.compile(
    r"[月火水木金土日]曜日?|曜日|平日|土日祝日|土日祝|土日|祝祭日|祝日|休日|週末|年末年始|年中無休|"
    r"夜間|早朝|終日|午前中|営業日|営業時間|いつでも|[(][月火水木金土日][)]"
)
_CLOSED_DAYS_RE = re.compile(r"土|日曜|祝|休日|週末|年末年始")
_OPENING_RE = re.compile(r"受け?付け|お受け|承|対応|営業|開いて|ご利用いただけ|お越しいただけ")
_EXCLUDING_RE = re.compile(r"除|休|ません|ない|以外|閉")
_DEADLINE_RE = re.compile(
    r"数(?:営業日|日間|日|週間|か月|ヶ月|カ月|時間|年)(?:中|後|以内|ほど|程度)?|以内|即日|当日中?|翌営業日|翌日|"
    r"すぐに|すぐ|速やかに|直ちに|ただちに|遅滞なく|早急に|至急|後日|近日中?|今週中|今月中|年内|期限"
)
_NEGATION_RE = re.compile(
    rf"ませ[んず]|な(?:い|く|かっ)|(?<=[{_HIRA}])(?<!は)ず(?![かつれっ])"
    rf"|不要|無料|無償|不可|不能|(?<=[{_KANJI}{_KATA}])なし"
)
# After a negation: it only may happen (…ない場合があります, …なくなることがあります).
_HEDGE_RE = re.compile(r"(?:なる)?(?:こと|場合)(?:が|も)(?:あり|ござい|ある)")
_NEGATION_WORDS = ("不要", "無料", "無償", "不可", "不能")
_CLAUSE_END = "。、,.!?！？\n「」『』()［］\\[\\]：:"
_SENTENCE_RE = re.compile(r"[^。!?\n]+")
_CLAIM_WORDS = ("手数料", "有料", "実費", "費用", "送料", "予約", "マイナンバー", "個人番号", "本人限定")
_CLAIM_RE = re.compile("|".join(sorted(map(re.escape, _CLAIM_WORDS), key=len, reverse=True)))
_LATIN_RE = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}(?![A-Za-z])")
_PLACEHOLDER_RE = re.compile(r"\{[A-Za-z_.]+\}")
# Roles an entity plays in the policy (checked per source line) and the businesses it
# belongs to (checked per source block: 4.① gas, 4.② electricity).
_ROLE_RE = re.compile(r"共同|委託|責任|管理")
_BUSINESS_RE = re.compile(r"ガス|電力|電気")
_RELATION_KINDS = {"company", "body"}
# Filing a request (お申込み, お申し出, 受け付け, 承る): a channel named with it must be one the
# policy names for filing, on the same line (窓口, 電話, 郵送 in section 8.1) — ホームページ
# occurs in the policy, but not as a way to file.
_FILING_RE = re.compile(r"申し?込|申し?出|受け?付け|請求|承")


@dataclass(frozen=True)
class Claim:
    """One checkable claim: ``surface`` as written, ``key`` the normalised form compared."""

    kind: str
    surface: str
    key: str
    start: int = 0
    end: int = 0


#: The earlier name; every fact is a claim.
Fact = Claim


@dataclass(frozen=True)
class Verdict:
    """A claim and whether the policy supports it (``reason`` says why not)."""

    claim: Claim
    supported: bool
    reason: str = ""


# --- extraction ----------------------------------------------------------------------------------
@dataclass
class _Text:
    """A text prepared for extraction: ``t`` is searched, ``orig`` is what was written (folded),
    ``masked`` is ``orig`` with reviewed phrases and placeholders blanked (same positions)."""

    orig: str
    masked: str
    t: str
    spans: list[tuple[int, int]]

    def claim(self, kind: str, start: int, end: int, key: str | None = None) -> Claim:
        s, e = self.spans[start][0], self.spans[end - 1][1]
        return Claim(kind, self.orig[s:e], key if key is not None else self.t[start:end], s, e)


@lru_cache(maxsize=1)
def _reviewed_patterns() -> tuple[re.Pattern[str], ...]:
    """The reviewed non-claims as patterns that ignore spacing, longest first."""
    phrases = sorted({re.sub(r"\s+", "", fold(n.phrase)) for n in NON_CLAIMS}, key=len, reverse=True)
    return tuple(re.compile(r"\s*".join(map(re.escape, p))) for p in phrases)


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` with the matches of ``pattern`` as spaces (same length, line breaks kept)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _fold_lines(text: str) -> str:
    """``fold`` line by line: line breaks end sentences and clauses, so they are kept."""
    return "\n".join(line for line in (fold(x) for x in strip_markup(text).splitlines()) if line)


def _prepare(text: str, reviewed: bool) -> _Text:
    folded = _fold_lines(text)
    masked = folded
    if reviewed:
        for p in _reviewed_patterns():
            masked = _blank(masked, p)
    masked = _blank(masked, _PLACEHOLDER_RE)
    t, spans = _arabise(masked)
    return _Text(folded, masked, t, spans)


def _number_claim(tx: _Text, m: re.Match[str]) -> Claim:
    """A number as a comparable key: 9:00 = 午前9時, 12/30 = 12月30日, a phone number as its digits."""
    s = m.group(0)
    if m.group("time"):
        return tx.claim("time", m.start(), m.end(), "time:" + (to_hhmm(s) or s))
    if m.group("date"):
        md = re.findall(r"\d+", s)
        return tx.claim("date", m.start(), m.end(), f"date:{int(md[0])}/{int(md[1])}")
    compact = re.sub(r"\s+|(?<=\d),(?=\d{3})", "", s)
    digits = re.sub(r"\D", "", compact)
    if "-" in compact or len(digits) >= 6:
        return tx.claim("phone", m.start(), m.end(), "tel:" + digits)
    return tx.claim("number", m.start(), m.end(), "num:" + compact)


def _url_key(url: str) -> str:
    """An address without scheme and ``www.``: 「www.occto.or.jp」 is the policy's https://www.occto.or.jp/…"""
    u = re.sub(r"^https?://", "", url.lower()).rstrip("/.")
    return "url:" + re.sub(r"^www\.", "", u)


def _name_claim(tx: _Text, start: int, word: str) -> Claim | None:
    """The named entity a word is (or ends in), if any."""
    m = _LEGAL_FORM_RE.search(word)
    if m:
        end = len(word) if m.start() == 0 else m.end()
        return tx.claim("company", start, start + end, f"company:{word[:end]}|legal")
    for ending in _BRAND_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending):
            return tx.claim("company", start, start + len(word), f"company:{word}|brand")
    if word.startswith(_ABBREVIATIONS):
        return tx.claim("company", start, start + len(word), f"company:{word}|brand")
    best: tuple[int, str] | None = None
    for m in _SUFFIX_RE.finditer(word):
        suffix = m.group(0)
        if len(suffix) == 1:
            rest = word[m.end():]
            if m.start() == 0 or any(c not in _AFTER_SHORT_SUFFIX for c in rest):
                continue
        if best is None or m.end() >= best[0]:
            best = (m.end(), suffix)
    if best is None:
        return None
    end, suffix = best
    kind = _SUFFIX_KIND[suffix]
    name = word[:end]
    if kind == "law" and name.endswith(_NOT_LAWS):
        return None
    return tx.claim(kind, start, start + end, f"{kind}:{name}|{suffix}")


def _clause(t: str, pos: int) -> str:
    """The clause of ``t`` that ends at ``pos``: back to the previous punctuation."""
    start = pos
    while start > 0 and t[start - 1] not in _CLAUSE_END:
        start -= 1
    return t[start:pos]


def _content_runs(text: str) -> list[str]:
    """The kanji/katakana/Latin words of a clause: what a negation is about."""
    return _WORD_RE.findall(text)


def _hedged(t: str, m: re.Match[str]) -> bool:
    """Whether a negation is hedged: 「応じられない場合があります」 is not 「応じられません」."""
    return _HEDGE_RE.match(t, m.end()) is not None


def _negation_key(t: str, m: re.Match[str]) -> tuple[str, tuple[str, ...]]:
    """(head, topic): the last content word before a negation, and all content words of its clause."""
    marker = m.group(0)
    clause = _clause(t, m.start())
    if marker in _NEGATION_WORDS:
        return marker, tuple(_content_runs(clause)) + (marker,)
    runs = _content_runs(clause)
    if runs:
        return runs[-1], tuple(runs)
    hira = re.sub(f"[^{_HIRA}]", "", clause)
    return hira[-4:], ()


def extract_claims(text: str, *, reviewed: bool = True) -> list[Claim]:
    """All claims of ``text`` in order of appearance (duplicates kept).

    With ``reviewed`` (the default), phrases of the reviewed non-claim list are
    skipped; ``{placeholders}`` are always skipped (what fills them is checked
    where it is made).
    """
    return _extract(_prepare(text, reviewed))


def _extract(tx: _Text) -> list[Claim]:
    claims: list[Claim] = []
    t = tx.t
    for m in _EMAIL_RE.finditer(t):
        claims.append(tx.claim("email", m.start(), m.end(), "email:" + m.group(0).lower()))
    t = _blank(t, _EMAIL_RE)
    for m in _URL_RE.finditer(t):
        claims.append(tx.claim("url", m.start(), m.end(), _url_key(m.group(0))))
    t = _blank(t, _URL_RE)
    for m in _ADDRESS_RE.finditer(t):
        claims.append(tx.claim("address", m.start(), m.end(), "address:" + re.sub(r"\s+", "", m.group(0))))
    for m in _SPACED_PHONE_RE.finditer(t):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) >= 9 and re.search(r"\s|\(", m.group(0)):
            claims.append(tx.claim("phone", m.start(), m.end(), "tel:" + digits))
            t = t[: m.start()] + " " * (m.end() - m.start()) + t[m.end():]
    for m in _NUMBER_RE.finditer(t):
        claims.append(_number_claim(tx, m))
    entity_spans: list[tuple[int, int]] = []
    for m in _KNUM_RUN_RE.finditer(t):
        # A kanji numeral before a counter that reads as no one number (二三十日: twenty or thirty
        # days) is left as kanji by _arabise; it is still a number the policy must state.
        unit = _UNIT_AFTER_RE.match(t, m.end())
        if unit and kanji_to_int(m.group(0)) is None:
            claims.append(tx.claim("number", m.start(), unit.end(), "num:" + m.group(0) + unit.group(0).strip()))
    for m in _SHORT_LEGAL_FORM_RE.finditer(t):
        if re.sub(r"\((?:株|有)\)", "", m.group(0)):
            claims.append(tx.claim("company", m.start(), m.end(), f"company:{m.group(0)}|short"))
            entity_spans.append((m.start(), m.end()))
    for m in _WORD_RE.finditer(t):
        if any(a <= m.start() and m.end() <= b for a, b in entity_spans):
            continue  # the name of 東京電力(株), already claimed with its legal form
        c = _name_claim(tx, m.start(), m.group(0))
        if c is not None:
            claims.append(c)
            entity_spans.append((m.start(), m.start() + len(c.key.split(":", 1)[1].rsplit("|", 1)[0])))
    for m in _CHANNEL_RE.finditer(t):
        s, e = m.start(), m.end()
        # 携帯電話, Eメール: the word it ends, in its own script (しばらくの間チャット is チャット)
        same_script = _KANJI_RE if _KANJI_RE.match(t[s]) else _KATA_LATIN_RE
        while s > 0 and _is_word_char(t[s - 1]) and same_script.match(t[s - 1]):
            s -= 1
        while e < len(t) and _is_word_char(t[e]):
            e += 1
        if (s, e) in entity_spans or any(a <= s and e <= b for a, b in entity_spans):
            continue
        claims.append(tx.claim("channel", s, e, "channel:" + t[s:e]))
        entity_spans.append((s, e))
    for m in _DAY_RE.finditer(t):
        claims.append(tx.claim("day", m.start(), m.end(), "day:" + m.group(0)))
    for m in _DEADLINE_RE.finditer(t):
        claims.append(tx.claim("deadline", m.start(), m.end(), "deadline:" + m.group(0)))
    for m in _NEGATION_RE.finditer(t):
        head, topic = _negation_key(t, m)
        start = m.start()
        if m.group(0) not in _NEGATION_WORDS:  # a verb: the claim is its clause (手数料はかかりません)
            start -= len(_clause(t, m.start()))
            while start < m.start() and t[start] == " ":
                start += 1
        hedge = "|may" if _hedged(t, m) else ""
        claims.append(tx.claim("negation", start, m.end(), f"neg:{head}|{'/'.join(topic)}{hedge}"))
    for m in _CLAIM_RE.finditer(t):
        if not any(a <= m.start() and m.end() <= b for a, b in entity_spans):
            claims.append(tx.claim("claim", m.start(), m.end(), "claim:" + m.group(0)))
    taken = [(c.start, c.end) for c in claims]
    for m in _LATIN_RE.finditer(t):
        c = tx.claim("latin", m.start(), m.end(), "latin:" + m.group(0))
        if not any(a <= c.start and c.end <= b for a, b in taken):
            claims.append(c)
    claims.sort(key=lambda c: (c.start, c.end))
    return claims


def extract_facts(text: str) -> list[Claim]:
    """The earlier name of ``extract_claims``."""
    return extract_claims(text)


# --- the source ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _SourceIndex:
    text: str  # folded, markup stripped, kanji numerals as digits
    squashed: str  # the same without whitespace
    keys: frozenset[str]  # keys of the number/time/date/phone/url claims of the source
    negations: tuple[tuple[str, str, bool], ...]  # (head, squashed sentence, hedged) of every negation
    lines: tuple[str, ...]  # squashed lines (a table row of section 4 is one line)
    blocks: tuple[str, ...]  # squashed blocks (a section, or ① / ② of section 4)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=4)
def _index(source_text: str) -> _SourceIndex:
    raw_lines = [fold(strip_markup(line)) for line in source_text.splitlines()]
    lines = [_arabise(line)[0] for line in raw_lines if line]
    text = " ".join(lines)
    keys = frozenset(
        c.key
        for c in extract_claims(source_text, reviewed=False)
        if c.kind in {"time", "date", "number", "phone", "url", "email"}
    )
    negations: list[tuple[str, str, bool]] = []
    for line in lines:
        for sentence in _SENTENCE_RE.findall(line):
            for m in _NEGATION_RE.finditer(sentence):
                negations.append((_negation_key(sentence, m)[0], _squash(sentence), _hedged(sentence, m)))
    # Blocks: a new one at each section heading (「4. お客様情報の共同利用」) and at ① / ②
    # (gas and electricity joint use), read before NFKC turns ② into 2.
    blocks: list[list[str]] = [[]]
    for raw in source_text.splitlines():
        line = _arabise(fold(strip_markup(raw)))[0]
        if not line:
            continue
        heading = re.match(r"\d+\.\s", line) and "。" not in line and len(line) < 30
        if heading or raw.lstrip().startswith(("①", "②", "③", "④")):
            blocks.append([])
        blocks[-1].append(line)
    return _SourceIndex(
        text=text,
        squashed=_squash(text),
        keys=keys,
        negations=tuple(negations),
        lines=tuple(_squash(line) for line in lines),
        blocks=tuple(_squash(" ".join(b)) for b in blocks if b),
    )


@lru_cache(maxsize=1)
def _bundled_source() -> str:
    return _SOURCE_PATH.read_text(encoding="utf-8")


def _occurs(word: str, text: str, *, whole: bool = False, then: Sequence[str] = ()) -> bool:
    """``word`` occurs in ``text`` starting a word; with ``whole`` also ending one (or
    followed by one of ``then``, e.g. a legal form after a short company name)."""
    start = text.find(word)
    while start != -1:
        if start == 0 or not _is_word_char(text[start - 1]):
            end = start + len(word)
            if not whole or end == len(text) or not _is_word_char(text[end]) or text.startswith(tuple(then), end):
                return True
        start = text.find(word, start + 1)
    return False


def _witness(claim: Claim, idx: _SourceIndex) -> str | None:
    """The form in which the source states a named claim, or None."""
    body = claim.key.split(":", 1)[1]
    word, _, how = body.rpartition("|") if "|" in body else (body, "", "")
    candidates = [word] + [word[len(p):] for p in _NAME_PREFIXES if word.startswith(p) and len(word) > len(p) + 1]
    for w in candidates:
        if claim.kind == "company" and how == "short":
            # 〜(株) says the name is a company's: the policy must name that company, the legal
            # form on the same side (電話 is a word of the policy, 電話株式会社 is not). With the
            # form first the name must end there too (株式会社総武ガス is not 株式会社総武ガスパワー);
            # with the form last it already does (総武株式会社 in 総武株式会社総務部).
            form_first = w.startswith(tuple(_SHORT_LEGAL_FORMS))
            for short, long in _SHORT_LEGAL_FORMS.items():
                w = w.replace(short, long)
            if _occurs(w, idx.text, whole=form_first):
                return w
        elif claim.kind == "company" and how == "brand":
            if _occurs(w, idx.text, whole=True, then=("株式会社",)):
                return w
        elif claim.kind == "channel":
            if _occurs(w, idx.text, whole=True):
                return w
        elif _occurs(w, idx.text):
            return w
    return None


def _equivalent(claim: Claim) -> str | None:
    """The source form a reviewed equivalent gives for the claim's surface, if any."""
    for e in EQUIVALENTS:
        if fold(claim.surface) == fold(e.text):
            return e.source
    return None


def _stated_as(claim: Claim, idx: _SourceIndex) -> str | None:
    """How the source states a named claim: its reviewed equivalent or its own form; None if not."""
    equivalent = _equivalent(claim)
    if equivalent is not None and _occurs(fold(equivalent), idx.text):
        return fold(equivalent)
    return _witness(claim, idx)


def _supported(claim: Claim, idx: _SourceIndex) -> tuple[bool, str]:
    """Whether the source supports one claim on its own, and the reason if not."""
    kind = claim.kind
    if kind in {"time", "date", "number", "phone", "email"}:
        return claim.key in idx.keys, "not in the policy"
    if kind == "url":
        ok = any(k == claim.key or k.startswith(claim.key + "/") for k in idx.keys if k.startswith("url:"))
        return ok, "not in the policy"
    if kind == "address":
        return claim.key.split(":", 1)[1] in idx.squashed, "not the policy's address"
    if kind in {"day", "deadline"}:
        word = claim.key.split(":", 1)[1]
        return word in idx.squashed, "the policy names no such day or period"
    if kind == "negation":
        head, _, rest = claim.key.split(":", 1)[1].partition("|")
        topic, _, hedge = rest.partition("|")
        words = [w for w in topic.split("/") if w]
        # A hedged source negation supports only a hedged one; a plain one supports both.
        ok = any(h == head and all(w in s for w in words) and (not may or hedge == "may")
                 for h, s, may in idx.negations)
        return ok, "the policy states no such negation"
    if kind in {"claim", "latin"}:
        return _occurs(claim.surface, idx.text), "not in the policy"
    return _witness(claim, idx) is not None, "not in the policy"


def _relations(claims: list[Claim], tx: _Text, idx: _SourceIndex) -> list[Verdict]:
    """Entities joined to a role or a business in the same sentence, checked together."""
    out: list[Verdict] = []
    for sm in _SENTENCE_RE.finditer(tx.masked):
        s, e = sm.start(), sm.end()
        entities = [c for c in claims if c.kind in _RELATION_KINDS and s <= c.start < e]
        if not entities:
            continue
        taken = [(c.start, c.end) for c in claims if c.kind in _RELATION_KINDS | {"channel"}]
        words = []
        for rx, where in ((_ROLE_RE, idx.lines), (_BUSINESS_RE, idx.blocks)):
            for m in rx.finditer(tx.masked, s, e):
                if not any(a <= m.start() < b for a, b in taken):
                    words.append((m.group(0), where))
        for c in entities:
            w = _stated_as(c, idx)
            if w is None:
                continue  # already reported as unsupported
            for word, where in words:
                ok = any(w in unit and word in unit for unit in where)
                rel = Claim("relation", f"{c.surface}＋{word}", f"rel:{w}+{word}", c.start, c.end)
                out.append(Verdict(rel, ok, "not stated together in the policy"))
    return out


def _filing_channels(claims: list[Claim], tx: _Text, idx: _SourceIndex) -> list[Verdict]:
    """Channels named in a sentence about filing: the policy must name them for filing."""
    out: list[Verdict] = []
    for sm in _SENTENCE_RE.finditer(tx.masked):
        s, e = sm.start(), sm.end()
        taken = [(c.start, c.end) for c in claims if s <= c.start < e]
        filing = [m for m in _FILING_RE.finditer(tx.masked, s, e) if not any(a <= m.start() < b for a, b in taken)]
        if not filing:
            continue
        for c in claims:
            if c.kind != "channel" or not s <= c.start < e:
                continue
            w = _stated_as(c, idx)
            if w is None:
                continue  # already reported as unsupported
            ok = any(w in line and _FILING_RE.search(line) for line in idx.lines)
            rel = Claim("relation", f"{c.surface}＋{filing[0].group(0)}", f"file:{w}", c.start, c.end)
            out.append(Verdict(rel, ok, "the policy names no such way to file a request"))
    return out


def _opening_days(claims: list[Claim], tx: _Text) -> list[Verdict]:
    """Closed days (土日祝日, 12/30–1/4) stated as days the desk takes requests."""
    out: list[Verdict] = []
    closed_dates = {"12/30", "12/31", "1/1", "1/2", "1/3", "1/4"}
    for sm in _SENTENCE_RE.finditer(tx.masked):
        s, e = sm.start(), sm.end()
        sentence = sm.group(0)
        if not _OPENING_RE.search(sentence) or _EXCLUDING_RE.search(sentence):
            continue
        for c in claims:
            if not s <= c.start < e:
                continue
            closed = (c.kind == "day" and _CLOSED_DAYS_RE.search(c.surface)) or (
                c.kind == "date" and c.key.split(":", 1)[1] in closed_dates
            )
            if closed:
                out.append(Verdict(Claim("opening", c.surface, "open:" + c.key, c.start, c.end), False,
                                   "the desk is closed then (土日祝日及び12/30～1/4を除く)"))
    return out


def check(text: str, source_text: str | None = None, *, reviewed: bool = True) -> list[Verdict]:
    """Every claim of ``text`` with whether the policy (default: the bundled text) supports it.

    ``reviewed=False`` ignores the reviewed non-claim list (to see what an entry hides).
    """
    idx = _index(source_text if source_text is not None else _bundled_source())
    tx = _prepare(text, reviewed)
    claims = _extract(tx)
    verdicts: list[Verdict] = []
    for c in claims:
        equivalent = _equivalent(c)
        if equivalent is not None and _occurs(fold(equivalent), idx.text):
            verdicts.append(Verdict(c, True))
            continue
        ok, reason = _supported(c, idx)
        verdicts.append(Verdict(c, ok, "" if ok else reason))
    verdicts += _relations(claims, tx, idx)
    verdicts += _filing_channels(claims, tx, idx)
    verdicts += _opening_days(claims, tx)
    return verdicts


def problems(verdicts: Iterable[Verdict]) -> list[str]:
    """The unsupported claims, readable (``negation「手数料はかかりません」: …``), without duplicates."""
    out: list[str] = []
    for v in verdicts:
        if not v.supported:
            p = f"{v.claim.kind}「{v.claim.surface}」: {v.reason}"
            if p not in out:
                out.append(p)
    return out


def is_supported(fact: Claim, source_text: str | None = None) -> bool:
    """Whether the source states one claim (relations and opening days need the whole text: use ``check``)."""
    idx = _index(source_text if source_text is not None else _bundled_source())
    return _supported(fact, idx)[0]


def unsupported_facts(text: str, source_text: str | None = None) -> list[str]:
    """The claims of ``text`` the policy does not support, as written, without duplicates.

    An empty list means every number, name, document, channel, day, deadline and
    negation in ``text`` is stated by the policy or is a reviewed non-claim.
    """
    out: list[str] = []
    for v in check(text, source_text):
        if not v.supported and v.claim.surface not in out:
            out.append(v.claim.surface)
    return out
