"""De-identification of what customers type, before analysts see it.

Why: the analytics page exists to show *what* customers ask that the assistant cannot
answer (trends, gaps in the knowledge base), never *who* asked. A question is stored for
analysts only after every piece of personal data in it has been replaced by a typed
placeholder (［氏名］, ［電話番号］ …): the kind stays readable, the value and even its
length are gone, and questions that differ only in their personal data group together.

``Deidentifier.mask(text, known_values)`` returns ``sobu_privacy.text.normalize_text(text)``
(NFKC, so full-width digits and letters become ASCII; whitespace runs, including newlines,
become one space; zero-width and other invisible format characters are dropped) with each
personal-data span replaced by its placeholder. Adjacent placeholders of the same kind
(only spaces, hyphens or ・ between them) collapse into one. Masking an already masked
text changes nothing (the consumer re-masks stored texts when a conversation later gives
a value), so placeholders are protected from every detector.

What is masked (kind → placeholder, see ``PLACEHOLDERS``):

- ``known_values`` (what the same conversation gave for its name, kana, address, phone,
  e-mail, customer number …): each wherever it appears, in any width, with or without
  spaces, hiragana⇔katakana, phone digits with any separators, and a name's family/given
  parts of two or more characters when the name holds a space. The kind is guessed from
  the value (``@`` → e-mail, a valid phone number → phone, ASCII code → customer number,
  block numbers or a prefecture → address, otherwise name); a customer number that looks
  like a phone number (10 digits from 0) is masked as ［電話番号］, still masked.
- name: GiNZA (``ja_ginza``) entities labelled ``Person``; names before an honorific
  (様 さま さん 殿 氏; お客様, 皆さん, たくさん, 担当者様 … are not names); names after
  名前は/氏名は/契約者は/名義は/申込者は/私は/私、 … when followed by です/と申します/…
  (not in a question: 「氏名は必須ですか」 stays); 「〜と申します」「〜といいます」.
- address: GiNZA ``Postal_Address`` entities; a prefecture and/or 市区町村郡 followed by a
  town name and block numbers (digits, or kanji numerals before 丁目・番地・番・号, or three or
  more kanji numerals; joined by 丁目・番地・番・号・の・-), with a building and room number;
  any 「…号室」; what follows 住所は/所在地は when it holds a number. A prefecture or city on
  its own (「旭市に住んでいます」「千葉県千葉市」) is *not* masked.
- phone: digit groups with -, space, ., ・, brackets or +81 that form a Japanese phone
  number (or any 10-11 digits starting with 0); a run of space-separated groups is split
  into phone numbers / postal codes where it holds several; kanji digits
  (〇九〇の一二三四の五六七八); katakana/hiragana digit words (ゼロキューゼロ…, six words or
  more); GiNZA ``Phone_Number``. Invisible characters (zero-width, bidi marks, soft hyphen,
  keycap emoji marks) are dropped first and every Unicode decimal digit becomes ASCII, so
  they cannot split a number.
- email: addresses, also with （at）/アットマーク/" at " and ドット/" dot " spelled out, and
  any ``x@y`` run (やまだ＠れい．じぇいぴー); GiNZA ``Email``.
- ticket_number: 受付番号 in any width, case and separator (PR-AB12-CD34, pr ab12 cd34,
  PRAB12CD34), loose PR-codes with a digit or hyphen (mistyped ones), and any code after
  受付番号/受付No.
- customer_number: the value after お客様番号/お客さま番号/顧客番号/契約番号/お客様ID/会員番号 …
  (digits, kanji numerals or letters). Without a value after it nothing is masked.
- birth_date: era dates (昭和50年5月5日, 平成元年一月一日, S50.5.5), western dates with a year
  (1975/05/05, 1975年5月5日, 一九七五年五月五日), year-only 「…年生まれ」, and month-day
  dates after 生年月日/誕生日 or before 生まれ. **Every full date with a year is masked as
  ［生年月日］**, whatever it is (the text cannot tell a birth date from a contract date);
  an era year on its own (「令和5年」) is left to the number rule.
- postal_code: 〒 followed by seven digits, NNN-NNNN, seven digits after 郵便番号.
- number: whatever run of two or more digits is left, letter-digit codes (AB12CD → one
  placeholder), and runs of three or more kanji numerals (一二三). A single digit stays,
  so 「第3条」 stays readable.

Known limits (what is *not* caught, or over-masked):

- Names without any cue: a bare name GiNZA does not recognise (rare surnames, hiragana or
  romaji names like "taro yamada", 「さとうです」 at the start of a message without 私は),
  a name split by a line break or other characters, and names in the rules-only mode
  (``nlp=None``) unless an honorific or introducer is present.
- Addresses without block numbers (「旭市三川に住んでいます」), addresses whose numbers are
  spelled in words (いちにさんよん番地), and town names that are not preceded by a
  prefecture or 市区町村郡 (only their numbers are masked, unless after 住所は).
- Digit words: katakana/hiragana digit sequences shorter than six words, and mixtures
  such as 「〇九〇の1234」 (each part is masked as a number, so no digits leak).
- E-mail addresses with the local part in Japanese and no ``@`` (「やまだアットれい」).
- Letters-only customer numbers and codes without a label (「ABCDEF」), dates without a
  year and without a birth cue (「5月5日」 becomes 「5月5日」, 「12月25日」 becomes
  ［番号］月［番号］日).
- Over-masking: the rules prefer leaking nothing to keeping words, so a kanji run before
  様/さん (「昨日田中様」 → ［氏名］), words after 私は…です (「私は会社員です」 is kept,
  but unusual nouns are not), ordinary multi-digit numbers (「2024年」, 「10時」), kanji
  numeral words (「七五三」) and English like "print 3d" may be masked.
- GiNZA is statistical: it may miss a name or tag an ordinary word as ``Person``; very
  long messages are fed to it in chunks of 1,000 characters, so a name cut by a chunk
  border relies on the rules. If GiNZA itself fails on a text, the rules still apply.
  Cost: about 30 ms a message and 3 s per 10,000 characters on two cores (the rules alone:
  about 1 ms, under 1 s for any 10,000 characters); calls share one lock.
- If masking itself fails unexpectedly, ``mask`` returns the rules-only result, and if that
  fails too, an empty string: never the original text.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from types import MappingProxyType
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Pattern, Sequence, Tuple

from sobu_privacy.identifiers import TICKET_NUMBER_RE, find_ticket_numbers, normalize_phone
from sobu_privacy.text import normalize_text

__all__ = ["PLACEHOLDERS", "Deidentifier", "load_deidentifier"]

logger = logging.getLogger(__name__)

#: kind -> placeholder text.
PLACEHOLDERS: Mapping[str, str] = MappingProxyType({
    "name": "［氏名］",
    "address": "［住所］",
    "phone": "［電話番号］",
    "email": "［メールアドレス］",
    "ticket_number": "［受付番号］",
    "customer_number": "［お客様番号］",
    "birth_date": "［生年月日］",
    "postal_code": "［郵便番号］",
    "number": "［番号］",
})

#: When spans of different kinds overlap, they become one span of the first kind here.
_PRIORITY: Tuple[str, ...] = (
    "email", "ticket_number", "customer_number", "phone", "birth_date", "postal_code", "address", "name", "number",
)
_RANK: Dict[str, int] = {kind: i for i, kind in enumerate(_PRIORITY)}

#: GiNZA (ja_ginza, ENE labels) entity label -> kind. Other labels (City, Province, Date,
#: ID_Number, Company …) are not personal on their own, or are caught by the rules.
_NER_LABELS: Mapping[str, str] = MappingProxyType({
    "Person": "name",
    "Postal_Address": "address",
    "Phone_Number": "phone",
    "Email": "email",
})

Span = Tuple[int, int, str]

# --------------------------------------------------------------------------- characters

_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ"
_HIRA = "\u3041-\u3096"
_KATA = "\u30a1-\u30fa\u30fc"
_KDIGITS = "〇零一二三四五六七八九"
_KNUM = _KDIGITS + "十百千"
_KDIGIT_VALUE = {ch: str(i) for i, ch in enumerate("〇一二三四五六七八九")}
_KDIGIT_VALUE["零"] = "0"

# Placeholders are swapped for private-use characters while detecting, so that re-masking
# a masked text keeps them (NFKC turns ［ into [), and no detector reads into them.
_SENTINEL_BASE = 0xE000
_SENTINELS: Dict[str, str] = {kind: chr(_SENTINEL_BASE + i) for i, kind in enumerate(_PRIORITY)}
_SENTINEL_KIND: Dict[str, str] = {v: k for k, v in _SENTINELS.items()}
_PLACEHOLDER_IN_TEXT = re.compile(
    "|".join(re.escape(unicodedata.normalize("NFKC", p)) for p in PLACEHOLDERS.values())
)
_NFKC_PLACEHOLDER_KIND = {unicodedata.normalize("NFKC", p): k for k, p in PLACEHOLDERS.items()}

# Characters dropped before anything else: format characters (zero-width, bidi marks, soft
# hyphen), lone surrogates, private use, variation selectors and the keycap mark.
_DROPPED_CATEGORIES = frozenset({"Cf", "Cs", "Co"})
_DROPPED_CHARS = frozenset("\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\u20e3")


def _prepare(text: Any) -> str:
    """The text every detector reads: invisible characters dropped, every decimal digit
    ASCII, then ``normalize_text``; placeholders already in it become sentinels."""
    if text is None:
        return ""
    raw = text if isinstance(text, str) else str(text)
    chars: List[str] = []
    for ch in raw:
        if ch in _DROPPED_CHARS:
            continue
        category = unicodedata.category(ch)
        if category in _DROPPED_CATEGORIES:
            continue
        if category == "Nd" and not ("0" <= ch <= "9"):
            ch = str(unicodedata.decimal(ch, 0))  # Arabic-Indic, Devanagari … digits
        chars.append(ch)
    result = normalize_text("".join(chars))
    return _PLACEHOLDER_IN_TEXT.sub(lambda m: _SENTINELS[_NFKC_PLACEHOLDER_KIND[m.group(0)]], result)


# --------------------------------------------------------------------------- e-mail

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,8}")
_AT = r"(?:\s{0,3}(?:\(at\)|\[at\]|<at>|\{at\}|\(アット\)|アットマーク|あっとまーく|アット|あっと|@)\s{0,3}|\s{1,3}at\s{1,3})"
_DOT = r"(?:\s{0,3}(?:\(dot\)|\[dot\]|<dot>|\{dot\}|\(ドット\)|ドット|どっと|\.)\s{0,3}|\s{1,3}dot\s{1,3})"
_SPOKEN_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}" + _AT + r"[A-Za-z0-9\-]{1,63}(?:" + _DOT + r"[A-Za-z0-9\-]{1,63}){1,8}",
    re.IGNORECASE,
)
# Anything glued to an @ (やまだ@れい.じぇいぴー): over-masks rather than leaks.
_LOOSE_EMAIL_RE = re.compile(r"[^\s@、。,!?「」『』()\[\]<>" + "\ue000-\ue00f" + r"]{1,64}@[^\s@、。,!?「」『』()\[\]<>" + "\ue000-\ue00f" + r"]{1,128}")

_LABEL_WORD_END = re.compile(r"[A-Za-z\u30a1-\u30ff\u3400-\u9fff]")


def _email_label_end(local: str) -> int:
    """Where a label glued before a loose e-mail address ends (「メールは」「予備は」「mail:」), 0 if none.

    Why: the particle after a label (は, が, を) is also a syllable of a kana address
    (ながい@…, はやし@…, さがわ@…); cut there, part of the address stayed visible. A particle
    ends a label only after a kanji, katakana or Latin word; after hiragana, punctuation or
    nothing, it is taken as part of the address (over-masking 「わたしは」 rather than leaking).
    A colon always ends a label.
    """
    for i in range(len(local) - 2, 0, -1):
        if local[i] == ":" or (local[i] in "はがを" and _LABEL_WORD_END.match(local[i - 1])):
            return i + 1
    return 0


_LOOSE_EMAIL_TAIL = re.compile(r"(?:です|でした|になります|だよ|まで|に|へ|を|は|が|で)$")

# --------------------------------------------------------------------------- 受付番号

_LOOSE_TICKET_RE = re.compile(
    r"(?<![0-9A-Za-z])PR[\s\-]?[0-9A-Za-z]{2,6}(?:[\s\-]?[0-9A-Za-z]{2,6})?(?![0-9A-Za-z])", re.IGNORECASE
)
_TICKET_CONTEXT_RE = re.compile(
    r"(?:受付|うけつけ|ウケツケ)(?:番号|ばんごう|バンゴウ|ナンバー|No\.?|NO\.?|no\.?|#)\s?(?:は|が|を|:|=|#)?\s?[、,「『(]?\s?"
    r"([0-9A-Za-z](?:[0-9A-Za-z]|[\s\-.](?=[0-9A-Za-z])){0,24})"
)

# --------------------------------------------------------------------------- お客様番号

_CUSTOMER_NUMBER_RE = re.compile(
    r"(?:お客様|お客さま|おきゃくさま|オキャクサマ|お客|顧客|こきゃく|ご?契約|会員|需要家)"
    r"(?:番号|ばんごう|バンゴウ|No\.?|NO\.?|no\.?|ナンバー|ID|id|コード|#)\s?(?:は|が|:|=|#)?\s?[、,「『(]?\s?"
    r"([0-9A-Za-z" + _KNUM + r"](?:[0-9A-Za-z" + _KNUM + r"]|[\s\-.](?=[0-9A-Za-z" + _KNUM + r"])){0,24})"
)

#: Counters after a short number: it counts something (十二桁, 3回), it is not an identifier.
_COUNTER = re.compile(r"\s?(?:桁|けた|文字|もじ|個|回|度|つ|枚|件|種類|通|人|名)")

# --------------------------------------------------------------------------- birth dates

_ERA = r"(?:明治|大正|昭和|平成|令和)"
_KN = "[〇一二三四五六七八九十]{1,3}"
_YEAR_NUM = rf"(?:元|\d{{1,2}}|{_KN})"
_MD_NUM = rf"(?:\d{{1,2}}|{_KN})"
_BIRTH_DATE_RES: Tuple[Pattern[str], ...] = (
    # 昭和50年5月5日, 平成元年一月一日, 昭和五十年五月 (生まれ)
    re.compile(rf"{_ERA}\s?{_YEAR_NUM}\s?年\s?{_MD_NUM}\s?月(?:\s?{_MD_NUM}\s?日)?(?:\s?生まれ|生)?"),
    # 昭和50年生まれ
    re.compile(rf"{_ERA}\s?{_YEAR_NUM}\s?年\s?(?:生まれ|生|うまれ)"),
    # S50.5.5, H1/1/1
    re.compile(r"(?<![A-Za-z0-9])[MTSHRmtshr]\.?\s?\d{1,2}[./\-]\d{1,2}[./\-]\d{1,2}(?!\d)"),
    # 1975/05/05, 1975年5月5日, 1975-5-5, 50年5月5日 (a full date with a year)
    re.compile(r"(?<!\d)(?:\d{4}|\d{2})\s?[年/.\-]\s?\d{1,2}\s?[月/.\-]\s?\d{1,2}(?:\s?日)?(?!\d)"),
    # 一九七五年五月五日
    re.compile(rf"[{_KDIGITS}]{{2,4}}年{_MD_NUM}月{_MD_NUM}日"),
    # 1975年生まれ
    re.compile(r"(?<!\d)\d{2,4}\s?年\s?(?:生まれ|生|うまれ)"),
    # 5月5日生まれ
    re.compile(rf"{_MD_NUM}\s?月\s?{_MD_NUM}\s?日\s?(?:生まれ|うまれ)"),
    # 生年月日は5月5日 / 誕生日:5/5
    re.compile(
        rf"(?:生年月日|誕生日|たんじょうび|生まれ)\s?(?:は|:|が)?\s?"
        rf"(?P<v>{_MD_NUM}\s?月\s?{_MD_NUM}\s?日?|\d{{1,2}}/\d{{1,2}})"
    ),
)

# --------------------------------------------------------------------------- postal codes

_POSTAL_RES: Tuple[Pattern[str], ...] = (
    re.compile(r"〒\s?\d{3}\s?-?\s?\d{4}(?!\d)"),
    re.compile(r"(?<![\d\-])\d{3}-\d{4}(?![\d\-])"),
    re.compile(r"(?:郵便番号|ゆうびんばんごう)\s?(?:は|:)?\s?(?P<v>\d{3}\s?-?\s?\d{4})(?!\d)"),
)

# --------------------------------------------------------------------------- phones and digits

# A run of digit groups: single separators (space, hyphen, dot, ・) or brackets between.
_DIGIT_RUN_RE = re.compile(r"(?<![0-9A-Za-z])[+(]?\d(?:\d|[()]|[\s\-.・](?=[\d(])){0,40}")
_KANJI_DIGIT_RUN_RE = re.compile(rf"[{_KDIGITS}](?:[のー\-\s、・]?[{_KDIGITS}]){{2,20}}")
_KANA_DIGIT_WORDS: Dict[str, str] = {
    "ゼロ": "0", "レイ": "0", "マル": "0", "イチ": "1", "ニー": "2", "ニ": "2", "サン": "3", "ヨン": "4",
    "シー": "4", "ゴー": "5", "ゴ": "5", "ロク": "6", "ナナ": "7", "シチ": "7", "ハチ": "8",
    "キュウ": "9", "キュー": "9", "キュ": "9",
}
for _word, _digit in list(_KANA_DIGIT_WORDS.items()):
    _KANA_DIGIT_WORDS["".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in _word)] = _digit
_KANA_DIGIT_WORD = "(?:" + "|".join(sorted(map(re.escape, _KANA_DIGIT_WORDS), key=len, reverse=True)) + ")"
_KANA_DIGIT_RUN_RE = re.compile(rf"{_KANA_DIGIT_WORD}(?:[のノー\-\s、・]?{_KANA_DIGIT_WORD}){{5,20}}")
_KANA_DIGIT_WORD_RE = re.compile(_KANA_DIGIT_WORD)
_NUMBER_RES: Tuple[Pattern[str], ...] = (
    re.compile(r"\d{2,}"),
    # letter-digit codes: AB12CD34, X-1234-Y
    re.compile(r"(?<![0-9A-Za-z\-])(?=[A-Za-z\-]{0,80}\d)(?=[0-9\-]{0,80}[A-Za-z])[0-9A-Za-z](?:[0-9A-Za-z]|-(?=[0-9A-Za-z])){3,}(?![0-9A-Za-z])"),
    re.compile(rf"[{_KNUM}]{{3,}}"),
)

# --------------------------------------------------------------------------- addresses

_PREF = r"(?:北海道|東京都|京都府|大阪府|[" + _KANJI + r"]{2,3}県)"
# The body excludes the markers, so a municipality ends at its first marker (匝瑳市|八日市|場):
# no backtracking over where it ends, which kept 「市市市…」 linear.
_MUNI = r"(?:(?:(?![市区町村郡])[" + _KANJI + _HIRA + _KATA + r"]){0,6}[市区町村郡])"
_TOWN = r"[" + _KANJI + _KATA + r"のノケヶ]{0,14}"
_ANUM = r"(?:\d{1,5}|[" + _KNUM + r"]{1,6})"
_UNIT = r"(?:丁目|番地の?|番の?|号|の|ノ|-|‐)"
_BLOCK_END = r"(?:\s?(?:丁目|番地|番|号))?"
# A block starts with digits, or with kanji numerals followed by 丁目/番地/番/号 (一丁目, 五百番地),
# or with three or more kanji numerals: 「千葉県千葉市」 holds no block number.
_BLOCK = (
    rf"(?:\d{{1,5}}|[{_KNUM}]{{1,6}}(?=\s?(?:丁目|番地|番|号))|[{_KNUM}]{{3,6}})"
    rf"(?:\s?{_UNIT}\s?{_ANUM}){{0,4}}{_BLOCK_END}"
)
_ROOM = r"(?:\s?[" + _KANJI + _KATA + r"A-Za-z・のノ]{0,20}\s?\d{1,5}\s?号室|\s?\d{1,5}\s?号室)"
_ADDRESS_RES: Tuple[Pattern[str], ...] = (
    re.compile(rf"(?:{_PREF}\s?)?(?:{_MUNI}\s?){{1,3}}{_TOWN}\s?[\-‐]?\s?{_BLOCK}{_ROOM}?"),
    re.compile(rf"{_PREF}\s?{_TOWN}\s?[\-‐]?\s?{_BLOCK}{_ROOM}?"),
    re.compile(r"\d{1,5}\s?号室"),
)
# What follows 住所は, up to です/。/the end, when it holds a number.
_ADDRESS_CONTEXT_RE = re.compile(
    r"(?:ご?住所|じゅうしょ|所在地|住まい|すまい)\s?(?:は|:|が)\s?"
    r"([^。!?\n" + "\ue000-\ue00f" + r"]{2,60}?)(?=\s?(?:です|になります|でございます|に住|在住|へ|まで|。|!|\?|$))"
)
_HAS_NUMBER_RE = re.compile(rf"\d|[{_KNUM}]")

# --------------------------------------------------------------------------- names

_HONORIFIC = r"(?:様(?!式|々|子|相|態)|さま(?!ざま)|サマ|さん(?!かく|かし|かす|かさ|かせ|ぷ)|サン|殿(?!堂|下)|氏(?!名|族|神))"
# Name candidates immediately before an honorific or an introduction verb.
_NAME_BEFORE = (
    r"(?P<name>[" + _KANJI + _KATA + r"]{1,8}(?:\s[" + _KANJI + _KATA + r"]{1,8})?[" + _HIRA + r"]{0,6}"
    r"|[" + _HIRA + r"]{2,10})"
)
_HONORIFIC_NAME_RE = re.compile(_NAME_BEFORE + r"(?=\s?" + _HONORIFIC + ")")
_INTRO_VERB_NAME_RE = re.compile(
    _NAME_BEFORE + r"(?=\s?(?:と|っと|って)\s?(?:申し|もうし|申す|もうす|いい|言い|いう|言う|ゆう|呼ば)"
    r"(?:ます|ています|てます|ております|まーす|します|す)?(?!か))"
)
_NAME_VALUE = (
    r"(?P<name>[" + _KANJI + _KATA + r"]{1,8}(?:\s[" + _KANJI + _KATA + r"]{1,8})?(?:[" + _HIRA + r"]{2,6})?"
    r"|[" + _HIRA + r"]{2,8})"
)
_NAME_END = (
    r"(?=\s?(?:です(?!か)|でございます|と申します|ともうします|といいます|と言います|になります(?!か)"
    r"|になってます|になっています|だよ|だけど|だ[、。\s]|だ$|ですが|です[、。!\s]|で[、,]|の者))"
)
_NAME_INTRO_RE = re.compile(
    r"(?:お?名前|おなまえ|なまえ|ナマエ|氏名|しめい|契約者(?:名|の名前)?|契約者様?のお?名前|名義(?:人)?|申込者|申請者|"
    r"登録名|私|わたし|わたくし|ワタシ|僕|ぼく|俺|おれ|自分)"
    r"\s?(?:は|:|が|、|,|\s)\s?(?:[" + _KANJI + r"]{1,3}の)?" + _NAME_VALUE + _NAME_END
)
# 名前は山田。 / 氏名:山田太郎 (no です): only kanji/katakana, ended by punctuation or the end.
_NAME_LABEL_RE = re.compile(
    r"(?:お?名前|おなまえ|なまえ|氏名|契約者名?|名義人?|申込者|申請者)\s?(?:は|:)\s?"
    r"(?P<name>[" + _KANJI + _KATA + r"]{1,8}(?:\s[" + _KANJI + _KATA + r"]{1,8})?)(?=\s?(?:[。、,!]|$))"
)

# Words that precede 様/さん or follow 私は … です without being names.
_NAME_STOPWORDS = frozenset("""
皆 客 奥 神 王 仏 同 模 仕 多 異 有 子 殿 大 小 中 上 下 姫 母 父 兄 姉 弟 妹 娘 孫 嫁 夫 妻 親 隣 私 自分 僕 俺 誰 何 別
貴社 御社 弊社 会社 業者 担当 担当者 本人 家族 契約者 利用者 申請者 申込者 代理人 相手 先方 各位 皆々 先生 学生 医者
息子 旦那 祖父 祖母 叔父 叔母 伯父 伯母 近所 大家 管理人 主人 女王 閻魔 患者 乗客 顧客 総武ガス ガス 総務部 旭市
個人 法人 会員 警察 役所 市役所 必須 必要 不要 任意 変更 同じ 旧姓 漢字 カタカナ 空欄 未記入 家内 身内 両親 友人 知人
他人 第三者 会社員 公務員 主婦 無職 高齢者 心配 不安 初めて 大丈夫 結構 了解 以上 日本人 外国人 窓口 本社 支店 お客
ユーザー オペレーター スタッフ サービス メール サポート チャット ボット ロボット ＡＩ AI 人間 担当の方 方 様 さん
開示 訂正 削除 利用停止 請求 退会 解約 年金 高齢 未成年 成年 後見人 相続人 故人 亡父 亡母 同居人 世帯主 名義人 契約 本名
しんぱい ふあん だいじょうぶ ほんにん けいやくしゃ はじめて むしょく がくせい しゅふ かいしゃいん こうれいしゃ だいりにん
かぞく おっと つま むすこ むすめ ちち はは おや そうです そう ちがう ひみつ ないしょ おなじ だれ なに
""".split())
_NAME_STOP_ENDINGS = ("者", "屋", "社", "員", "長", "会", "庁", "署", "局", "店", "課", "部", "係", "所", "様", "殿", "方", "達", "側", "宛")
_HIRA_NAME_STOP_SUFFIXES = (
    "たく", "みな", "おかあ", "おとう", "おじい", "おばあ", "おにい", "おねえ", "おじ", "おば", "おく", "おこ", "きゃく",
    "つかれ", "くろう", "せわ", "たがい", "かみ", "だんな", "しゅじん", "かぞく", "まわり", "いしゃ", "ほとけ", "ひめ",
    "じょう", "おう", "ほんにん", "たんとう", "たんとうしゃ", "ありがと", "ごめん", "なん", "だれ", "どなた", "どちら",
    "それ", "これ", "あれ", "おひ", "おくさ", "みなみな", "ぼっ", "ちゃ", "よろしく", "おねがい",
)
# Function words that show a hiragana run after 私は is a phrase, not a name (「私はそれでいいです」).
_HIRA_PHRASE_PARTS = re.compile("ます|ない|たい|しい|れる|する|から|けど|って|ので|のが|のは|ため|だけ|でき|ください|んで|ちゃう|てる|でい|がい|^まだ$|^もう$|^だめ$|^いい$")
_HIRA_LEADING = re.compile(
    r"^(?:こんにちは|こんばんは|はじめまして|おせわになります|えっと|えーと|あの|わたくしは|わたしは|ぼくは|おれは|なまえは|"
    r"けいやくしゃは|わたくし|わたし|ぼく)+"
)
_HIRA_ONLY = re.compile(f"[{_HIRA}]+")
_KANJI_KATA_CHAR = re.compile(f"[{_KANJI}{_KATA}]")


def _is_stop_name(candidate: str, phrase_check: bool = False) -> bool:
    compact = candidate.replace(" ", "")
    if not compact or compact in _NAME_STOPWORDS:
        return True
    if compact.endswith(_NAME_STOP_ENDINGS) and len(compact) >= 2 and compact not in ("様", "殿"):
        return True
    if any(len(word) >= 2 and compact.endswith(word) for word in _NAME_STOPWORDS):
        return True
    if _HIRA_ONLY.fullmatch(compact):
        if compact.endswith(_HIRA_NAME_STOP_SUFFIXES):
            return True
        if phrase_check and _HIRA_PHRASE_PARTS.search(compact):
            return True
    return False


def _trim_name(text: str, start: int, end: int, phrase_check: bool = False) -> Optional[Tuple[int, int]]:
    """Trims greetings and 私は from a hiragana candidate; None if nothing name-like is left."""
    candidate = text[start:end]
    if _HIRA_ONLY.fullmatch(candidate):
        lead = _HIRA_LEADING.match(candidate)
        if lead:
            start += lead.end()
            candidate = text[start:end]
        if len(candidate) < 2:
            return None
    if _is_stop_name(candidate, phrase_check):
        return None
    # お客様, ご主人様: a honorific prefix before the candidate makes it a common noun.
    if start > 0 and text[start - 1] in "おご御" and _KANJI_KATA_CHAR.match(candidate):
        return None
    return start, end


# --------------------------------------------------------------------------- known values

_PREF_PREFIX = re.compile(_PREF)
_MUNI_PREFIX = re.compile(r"[" + _KANJI + _HIRA + _KATA + r"]{1,7}?[市区町村郡]")
_ASCII_CODE = re.compile(r"[A-Za-z0-9\-_.]+")
_ADDRESS_MARK = re.compile(rf"\d|[{_KNUM}](?:丁目|番地|番|号)|丁目|番地|号室")


def other_kana(text: str) -> str:
    """``text`` with hiragana and katakana swapped (やまだ ↔ ヤマダ); other characters unchanged."""
    return "".join(_swap_kana(ch) for ch in text)


def _swap_kana(ch: str) -> str:
    if "\u3041" <= ch <= "\u3096":
        return chr(ord(ch) + 0x60)
    if "\u30a1" <= ch <= "\u30f6":
        return chr(ord(ch) - 0x60)
    return ch


def _chars_pattern(value: str, separators: str = r"\s?") -> str:
    """A pattern for ``value`` (no spaces) with optional separators between characters and
    either kana script for each kana character."""
    parts = []
    for ch in value:
        other = _swap_kana(ch)
        parts.append(f"[{re.escape(ch)}{re.escape(other)}]" if other != ch else re.escape(ch))
    return separators.join(parts)


def _known_kind(value: str) -> str:
    compact = re.sub(r"\s", "", value)
    if "@" in compact:
        return "email"
    if TICKET_NUMBER_RE.fullmatch(compact):
        return "ticket_number"
    if normalize_phone(value):
        return "phone"
    if _ASCII_CODE.fullmatch(compact):
        return "customer_number"
    if _ADDRESS_MARK.search(compact) or _PREF_PREFIX.match(compact):
        return "address"
    if " " not in value and len(compact) >= 3 and compact[-1] in "市区町村郡":
        return "address"
    return "name"


def _known_patterns(values: Iterable[str]) -> List[Tuple[Pattern[str], str]]:
    patterns: List[Tuple[Pattern[str], str]] = []
    for raw in values:
        if raw is None:
            continue
        value = _prepare(raw)
        value = "".join(ch for ch in value if ch not in _SENTINEL_KIND)[:300]
        compact = re.sub(r"\s", "", value)
        if len(compact) < 2:
            continue
        kind = _known_kind(value)
        alternatives: List[str] = []
        if kind == "phone":
            digits = normalize_phone(value) or re.sub(r"\D", "", value)
            alternatives.append(r"[\s\-.・()]{0,2}".join(digits))
            if digits.startswith("0"):  # +81 90 1234 5678
                alternatives.append(r"\+\s?81[\s\-.]{0,2}(?:\(0\))?[\s\-.]{0,2}" + r"[\s\-.・()]{0,2}".join(digits[1:]))
        elif kind in ("customer_number", "ticket_number", "email"):
            alternatives.append(r"[\s\-]{0,2}".join(re.escape(ch) for ch in compact))
            if kind == "email":
                local = compact.split("@", 1)[0]
                if len(local) >= 4:
                    alternatives.append(r"(?<![A-Za-z0-9._%+\-])" + re.escape(local) + r"(?![A-Za-z0-9_%+\-])")
        elif kind == "address":
            alternatives.append(_chars_pattern(compact))
            rest = compact
            for prefix in (_PREF_PREFIX, _MUNI_PREFIX, _MUNI_PREFIX):
                match = prefix.match(rest)
                if not match:
                    break
                rest = rest[match.end():]
                if len(rest) >= 4:
                    alternatives.append(_chars_pattern(rest))
        else:  # name (also kana)
            alternatives.append(_chars_pattern(compact))
            for part in value.split():
                if len(part) >= 2:
                    alternatives.append(_chars_pattern(part))
        alternatives.sort(key=len, reverse=True)
        try:
            patterns.append((re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE), kind))
        except re.error:  # pragma: no cover - every part is escaped
            logger.warning("a known value could not be turned into a pattern")
    return patterns


# --------------------------------------------------------------------------- detection


def _value_span(match: "re.Match[str]") -> Tuple[int, int]:
    """The span of group ``v`` if the pattern has one (the label before it stays), else the match."""
    if "v" in match.re.groupindex:
        return match.start("v"), match.end("v")
    return match.start(), match.end()


def _digit_kind(run: str) -> Optional[str]:
    digits = re.sub(r"\D", "", run)
    if len(digits) < 2:
        return None
    if normalize_phone(run) or (digits.startswith("0") and 10 <= len(digits) <= 11) or (
        run.lstrip("(").startswith("+") and 9 <= len(digits) <= 13
    ):
        return "phone"
    if re.fullmatch(r"\d{3}-\d{4}", run):
        return "postal_code"
    return "number"


def _digit_run_spans(text: str, start: int, end: int) -> Iterator[Span]:
    """A run of digit groups: one span if it is one phone number or postal code as a whole,
    else split at its spaces, the longest phone number / postal code first from the left
    (「090-1234-5678 080-1111-2222」 is two phone numbers, 「+81 90 1234 5678」 one)."""
    run = text[start:end]
    kind = _digit_kind(run)
    if kind != "number" or " " not in run:
        if kind:
            yield start, end, kind
        return
    pieces = [(start + p.start(), start + p.end()) for p in re.finditer(r"\S+", run)][:40]
    counts = [sum(ch.isdigit() for ch in text[s:e]) for s, e in pieces]
    found: List[Span] = []
    i = 0
    while i < len(pieces):
        best: Optional[Tuple[int, str]] = None
        total = 0
        for j in range(i, len(pieces)):
            total += counts[j]
            if total > 13:  # longer than any phone number
                break
            if total >= 7:
                piece_kind = _digit_kind(text[pieces[i][0]:pieces[j][1]])
                if piece_kind in ("phone", "postal_code"):
                    best = (j, piece_kind)
        if best:
            found.append((pieces[i][0], pieces[best[0]][1], best[1]))
            i = best[0]
        i += 1
    if not found:
        yield start, end, "number"
        return
    yield from found
    # The other pieces are numbers, even single digits: they belong to a longer run.
    for piece_start, piece_end in pieces:
        if not any(s <= piece_start < e for s, e, _kind in found):
            yield piece_start, piece_end, "number"


def _rule_spans(text: str) -> Iterator[Span]:
    """Every span the rules find in prepared ``text`` (spans may overlap)."""
    strict: List[Tuple[int, int]] = []
    for regex in (_EMAIL_RE, _SPOKEN_EMAIL_RE):
        for m in regex.finditer(text):
            strict.append((m.start(), m.end()))
            yield m.start(), m.end(), "email"
    for m in _LOOSE_EMAIL_RE.finditer(text):
        at = m.start() + m.group(0).index("@")
        if any(s <= at < e for s, e in strict):
            continue
        start, end = m.start(), m.end()
        start += _email_label_end(text[start:at])  # 「メールはやまだ@…」: the label stays
        tail = _LOOSE_EMAIL_TAIL.search(text, at + 1, end)
        if tail and tail.start() > at + 1:
            end = tail.start()  # 「…じぇいぴーです」: です stays
        yield start, end, "email"

    for start, end, _value in find_ticket_numbers(text):
        yield start, end, "ticket_number"
    for m in _LOOSE_TICKET_RE.finditer(text):
        raw = m.group(0)
        if any(ch.isdigit() for ch in raw) or "-" in raw:
            yield m.start(), m.end(), "ticket_number"
    for m in _TICKET_CONTEXT_RE.finditer(text):
        yield m.start(1), m.end(1), "ticket_number"

    for m in _CUSTOMER_NUMBER_RE.finditer(text):
        value = m.group(1).rstrip()
        if not value:
            continue
        if not re.search(r"[0-9A-Za-z]", value) and len(value) < 2:
            continue  # 「お客様番号は一度…」: one kanji numeral is a word, not a number
        if len(value) <= 3 and not re.search(r"[A-Za-z]", value) and _COUNTER.match(text, m.start(1) + len(value)):
            continue  # 「お客様番号は十二桁ですか」: a count, not the number
        yield m.start(1), m.start(1) + len(value), "customer_number"

    for regex in _BIRTH_DATE_RES:
        for m in regex.finditer(text):
            yield _value_span(m) + ("birth_date",)

    for regex in _POSTAL_RES:
        for m in regex.finditer(text):
            yield _value_span(m) + ("postal_code",)

    for m in _DIGIT_RUN_RE.finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in " -.・(":
            end -= 1
        yield from _digit_run_spans(text, start, end)
    for m in _KANJI_DIGIT_RUN_RE.finditer(text):
        digits = "".join(_KDIGIT_VALUE.get(ch, "") for ch in m.group(0))
        if digits.startswith("0") and 10 <= len(digits) <= 11:
            yield m.start(), m.end(), "phone"
        elif len(digits) >= 3:
            yield m.start(), m.end(), "number"
    for m in _KANA_DIGIT_RUN_RE.finditer(text):
        digits = "".join(_KANA_DIGIT_WORDS[w] for w in _KANA_DIGIT_WORD_RE.findall(m.group(0)))
        kind = "phone" if digits.startswith("0") and 10 <= len(digits) <= 11 else "number"
        yield m.start(), m.end(), kind

    for regex in _ADDRESS_RES:
        for m in regex.finditer(text):
            yield m.start(), m.end(), "address"
    for m in _ADDRESS_CONTEXT_RE.finditer(text):
        if _HAS_NUMBER_RE.search(m.group(1)):
            yield m.start(1), m.end(1), "address"

    for regex in (_HONORIFIC_NAME_RE, _INTRO_VERB_NAME_RE, _NAME_INTRO_RE, _NAME_LABEL_RE):
        for m in regex.finditer(text):
            trimmed = _trim_name(text, m.start("name"), m.end("name"), phrase_check=regex is _NAME_INTRO_RE)
            if trimmed:
                yield trimmed[0], trimmed[1], "name"

    for regex in _NUMBER_RES:
        for m in regex.finditer(text):
            yield m.start(), m.end(), "number"


_NER_CHUNK = 1000
_CHUNK_BREAK = re.compile(r"[。!?\s、,]")


def _chunks(text: str, size: int = _NER_CHUNK) -> Iterator[Tuple[int, str]]:
    """``text`` in pieces of at most ``size`` characters, cut after punctuation if possible."""
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            window = text[start:end]
            cuts = [m.end() for m in _CHUNK_BREAK.finditer(window, size // 2)]
            if cuts:
                end = start + cuts[-1]
        yield start, text[start:end]
        start = end


def _merge(length: int, spans: Iterable[Span]) -> List[Span]:
    """Disjoint spans covering every character of ``spans``: each character takes the
    highest-priority kind among the spans over it (a postal code inside an address found
    by GiNZA stays a postal code, the rest stays an address)."""
    ranks: List[int] = [len(_PRIORITY)] * length
    for start, end, kind in spans:
        rank = _RANK[kind]
        for i in range(max(start, 0), min(end, length)):
            if rank < ranks[i]:
                ranks[i] = rank
    merged: List[Span] = []
    i = 0
    while i < length:
        rank = ranks[i]
        if rank == len(_PRIORITY):
            i += 1
            continue
        j = i + 1
        while j < length and ranks[j] == rank:
            j += 1
        merged.append((i, j, _PRIORITY[rank]))
        i = j
    return merged


def _around_placeholders(text: str, spans: Iterable[Span]) -> Iterator[Span]:
    """Spans with the placeholders already in the text cut out of them (re-masking keeps them)."""
    for start, end, kind in spans:
        piece_start = start
        for i in range(start, end):
            if text[i] in _SENTINEL_KIND:
                if i > piece_start:
                    yield piece_start, i, kind
                piece_start = i + 1
        if end > piece_start:
            yield piece_start, end, kind


_SENTINEL_CLASS = "[" + "".join(_SENTINELS.values()) + "]"
_COLLAPSE_RE = re.compile(f"({_SENTINEL_CLASS})(?:[\\s\\-・]*\\1)+")


def _render(text: str, spans: Sequence[Span]) -> str:
    out: List[str] = []
    position = 0
    for start, end, kind in spans:
        out.append(text[position:start])
        out.append(_SENTINELS[kind])
        position = end
    out.append(text[position:])
    result = _COLLAPSE_RE.sub(r"\1", "".join(out))
    return "".join(PLACEHOLDERS[_SENTINEL_KIND[ch]] if ch in _SENTINEL_KIND else ch for ch in result)


class Deidentifier:
    """Masks personal data in one message. Thread-safe after construction."""

    def __init__(self, nlp: Optional[Callable[[str], Any]] = None) -> None:
        """``nlp``: a loaded spaCy Language (ja_ginza) for named entities; None = rules only."""
        self._nlp = nlp
        # spaCy/SudachiPy objects are not documented as thread-safe: one call at a time.
        self._nlp_lock = threading.Lock()

    def mask(self, text: str, known_values: Iterable[str] = ()) -> str:
        """``text`` normalised, with every personal-data span replaced by its placeholder.

        ``known_values``: what the same conversation gave for name, kana, address, phone,
        e-mail, customer number; each is masked wherever it appears. Never raises.
        """
        try:
            values = [v for v in (known_values or ()) if isinstance(v, str)]
        except Exception:  # a broken iterable: mask with the rules alone
            values = []
        try:
            return self._mask(text, values, use_nlp=True)
        except Exception:
            logger.exception("masking failed; retrying with the rules only")
        try:
            return self._mask(text, values, use_nlp=False)
        except Exception:
            logger.exception("masking failed; dropping the text")
            return ""

    def _mask(self, text: Any, known_values: Sequence[str], use_nlp: bool) -> str:
        prepared = _prepare(text)
        if not prepared:
            return ""
        spans: List[Span] = []
        for pattern, kind in _known_patterns(known_values):
            spans.extend((m.start(), m.end(), kind) for m in pattern.finditer(prepared) if m.end() > m.start())
        spans.extend(_rule_spans(prepared))
        if use_nlp and self._nlp is not None:
            spans.extend(self._entity_spans(prepared))
        return _render(prepared, _merge(len(prepared), _around_placeholders(prepared, spans)))

    def _entity_spans(self, text: str) -> List[Span]:
        spans: List[Span] = []
        for offset, chunk in _chunks(text):
            try:
                with self._nlp_lock:
                    doc = self._nlp(chunk)  # type: ignore[misc]
                ents = list(doc.ents)
            except Exception:
                logger.warning("GiNZA failed on a chunk of %d characters; rules only there", len(chunk))
                continue
            for ent in ents:
                kind = _NER_LABELS.get(ent.label_)
                if kind is None:
                    continue
                if kind == "name" and _is_stop_name(ent.text.strip()):
                    continue
                spans.append((offset + ent.start_char, offset + ent.end_char, kind))
        return spans


@functools.lru_cache(maxsize=1)
def load_deidentifier() -> Deidentifier:
    """The process's Deidentifier with GiNZA (``ja_ginza``, loaded once, a few seconds).

    If GiNZA cannot be loaded, a warning is logged and the rules alone are used.
    """
    try:
        import spacy

        nlp = spacy.load("ja_ginza")
    except Exception:
        logger.warning("ja_ginza could not be loaded; personal data is masked by the rules only", exc_info=True)
        return Deidentifier(None)
    return Deidentifier(nlp)
