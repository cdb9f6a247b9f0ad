"""The questions of the request intake form, as one table.

The form asks them in this order (agent questions only when an agent files), the summary
lists the answered ones under their label, 「修正する」 offers them as buttons, and a
customer may name one in words (``words``) to correct it. ``ticket_field`` is the field of
the ticket the answer is stored in (None: asked but not stored). The domain's
``request_form`` and its slots are checked against this table by a test.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Dict, Optional, Tuple

from sobu_privacy.text import normalize_text

__all__ = ["FormField", "AnswerShape", "REQUEST_FORM_FIELDS", "FIELDS_BY_SLOT", "AGENT_SLOTS", "FORM_SLOTS",
           "field_named_in", "field_to_fix", "wants_a_fix", "reads_as", "SUMMARY_ACTIONS", "NOT_GIVEN", "AGENT_DOCUMENTS_READY"]

#: Stored when an optional question was skipped; shown as such in the summary.
NOT_GIVEN = "（なし）"
#: The agent_documents answer once the customer says the documents can be prepared.
AGENT_DOCUMENTS_READY = "準備できる"


class AnswerShape(Enum):
    """What an answer to a free-text question looks like, so that an answer is read as one even
    when its words sound like a policy question (a name such as 「漏洩 花子」, a relationship
    such as 「成年後見人です」): see ``reads_as``."""

    NAME = "name"  # a person's name: family and given name, or 「…です」
    KANA = "kana"  # its reading in kana, the same way
    ADDRESS = "address"  # a place: digits or 都道府県市区町村…
    RELATIONSHIP = "relationship"  # an agent's relationship to the customer: 母, 成年後見人, 弁護士…


@dataclass(frozen=True)
class FormField:
    slot: str
    #: Shown in the summary and on the 「修正する」 buttons; None: not shown there.
    label: Optional[str]
    #: The ticket (storage.TicketDraft) field the answer goes to; None: not stored.
    ticket_field: Optional[str]
    #: What a customer may type to name the field when correcting it.
    words: Tuple[str, ...] = ()
    #: Asked only when an agent (代理人) files the request.
    agent_only: bool = False
    #: May be skipped (「なし」「わからない」), stored as NOT_GIVEN.
    optional: bool = False
    #: What an answer looks like when the NLU hears a policy question in it (None: the NLU's
    #: reading wins, e.g. for a choice between buttons, or the details, which take any text).
    answer_shape: Optional[AnswerShape] = None


REQUEST_FORM_FIELDS: Tuple[FormField, ...] = (
    FormField("request_type", "お申込みの種類", "request_type", ("種類", "開示", "訂正", "削除", "停止", "消去", "追加")),
    FormField("requester_kind", "お申込みになる方", "requester_kind", ("本人", "代理")),
    FormField("agent_name", "代理人のお名前", "agent_name", ("代理人の名前", "代理人のお名前"), agent_only=True,
              answer_shape=AnswerShape.NAME),
    FormField("agent_relationship", "ご本人とのご関係", "agent_relationship", ("関係", "続柄"), agent_only=True,
              answer_shape=AnswerShape.RELATIONSHIP),
    FormField("agent_documents", None, None, agent_only=True),
    FormField("customer_name", "お名前", "name", ("名前", "なまえ", "氏名"), answer_shape=AnswerShape.NAME),
    FormField("customer_name_kana", "フリガナ", "name_kana", ("フリガナ", "ふりがな", "カナ", "かな"),
              answer_shape=AnswerShape.KANA),
    FormField("postal_code", "郵便番号", "postal_code", ("郵便", "〒")),
    FormField("address", "ご住所", "address", ("住所", "じゅうしょ"), answer_shape=AnswerShape.ADDRESS),
    FormField("phone", "電話番号", "phone", ("電話", "でんわ", "携帯")),
    FormField("email", "メールアドレス", "email", ("メール", "めーる", "mail"), optional=True),
    FormField("customer_number", "お客様番号", "customer_number", ("お客様番号", "客番号"), optional=True),
    FormField("request_details", "お申込みの内容", "details", ("内容", "ないよう", "詳細")),
    FormField("delivery_method", "回答の受け取り方法", "delivery_method", ("受け取り", "受取", "郵送", "窓口", "電子")),
)

FIELDS_BY_SLOT: Dict[str, FormField] = {f.slot: f for f in REQUEST_FORM_FIELDS}
#: The bot's turns after which the customer confirms the answers or names one to fix: the
#: summary (actions.request_form.ActionShowRequestSummary) and the question which answer to fix
#: (ActionAskCorrectionField). Read by the Rasa server's form-context policy and the fallback.
SUMMARY_ACTIONS: Tuple[str, ...] = ("action_show_request_summary", "action_ask_correction_field")
FORM_SLOTS: Tuple[str, ...] = tuple(f.slot for f in REQUEST_FORM_FIELDS)
AGENT_SLOTS: Tuple[str, ...] = tuple(f.slot for f in REQUEST_FORM_FIELDS if f.agent_only)


def field_named_in(text: str, exclude: Tuple[str, ...] = ()) -> Optional[str]:
    """The slot of the shown field named in ``text`` (normalised), or None; fields in ``exclude``
    are not candidates. The longest word named wins (「代理人の名前」 is the agent's name, not
    「代理」), then the earlier field."""
    best: Optional[str] = None
    best_length = 0
    for field in REQUEST_FORM_FIELDS:
        if not field.label or field.slot in exclude:
            continue
        length = max((len(word) for word in field.words if word in text), default=0)
        if length > best_length:
            best, best_length = field.slot, length
    return best


# Words of a wish to fix an answer (「直したい」「間違っています」「訂正して」), after normalize_text.
# 訂正 is also a request type's word, so they are removed before the field is looked up.
_FIX_WORDS = ("訂正", "修正", "変更", "直し", "直す", "直せ", "なおし", "なおす", "間違", "まちが", "違", "ちがい",
              "ちがう", "ちがっ", "誤", "変え", "かえたい")
# 「間違いないです」「違いありません」 say the answer is right.
_NOT_WRONG = re.compile(r"(間違|まちが|違|ちが)い(な|ありません|ございません)")
#: Fields that cannot be fixed by naming them (as on the 「修正する」 buttons): who files decides
#: which questions were asked; 「本人の住所が違います」 means the address.
_NOT_FIXED_BY_NAME = ("requester_kind",)


def field_to_fix(text: str) -> Optional[str]:
    """The shown field a customer asks to fix in words (「電話番号を直したいです」, 「住所が間違って
    ました」), or None when no wish to fix or no field is named.

    Why: at the summary the NLU hears 「…を直したい」 as a new 訂正 request; read against the
    summary it is a correction of that answer.
    """
    value = _NOT_WRONG.sub(" ", normalize_text(text or ""))
    if not any(word in value for word in _FIX_WORDS):
        return None
    for word in _FIX_WORDS:
        value = value.replace(word, " ")
    return field_named_in(value, exclude=_NOT_FIXED_BY_NAME)


# A message at the summary that asks about something rather than to fix it: 「訂正の手数料は？」
# 「修正ってどうやるの」 (these are answered, and the summary shown again).
_ASKS_ABOUT = ("手数料", "とは", "ってなに", "何", "どこ", "どう", "なぜ", "なんで", "いくら", "いつ", "期間", "教えて")
# 「直すところはありません」「修正は不要です」「間違ってない」: nothing to fix.
_NOTHING_TO_FIX = re.compile(r"ありません|ない|不要|いらない|結構|大丈夫")
#: Longer than this, a message at the summary is read by the NLU alone (it says more than 「直したい」).
_FIX_WISH_MAX_LENGTH = 30


def wants_a_fix(text: str) -> bool:
    """True when ``text``, at the summary, asks to fix the answers without naming one
    (「修正する」 typed as the button reads, 「直したいです」, 「ちょっと違います」).

    Why: the NLU hears 「修正する」 as a question about 訂正 (faq_correction); read against the
    summary it is the 「修正する」 button in words, so the question which answer to fix is asked.
    A question (「訂正の手数料は？」) is not a wish to fix, nor 「間違いないです」.
    """
    value = _NOT_WRONG.sub(" ", normalize_text(text or ""))
    if len(value) > _FIX_WISH_MAX_LENGTH or _QUESTION_MARK.search(value) or value.startswith("/"):
        return False
    if any(word in value for word in _ASKS_ABOUT) or _NOTHING_TO_FIX.search(value):
        return False
    return any(word in value for word in _FIX_WORDS)


# What makes a message a question, a wish or a command rather than an answer, in any field: a
# question mark, asking words, a wish to stop, a button payload (after normalize_text); and for
# answers other than names, a question ending (a name may well end in か or かな: はるか, かな).
_QUESTION_MARK = re.compile(r"[?]")
_QUESTION_WORDS = ("ですか", "ますか", "でしょうか", "について", "とは", "ってなに", "何", "教えて", "おしえて",
                   "知りたい", "しりたい", "ください", "下さい", "どこ", "どうやって", "どうすれば", "なぜ", "なんで",
                   "いくら", "大丈夫か", "必要", "したい", "やめ", "止め", "中止", "キャンセル", "取り消", "取消")
_QUESTION_ENDING = re.compile(r"(か|って|かな|かしら)[。.!]*$")
_SELF_INTRODUCTION = re.compile(r"(です|といいます|と申します)[。.!]*$")
_NAME_PUNCTUATION = re.compile(r"[\d@/\\<>{}、。,.!:;()「」]")
_KANA = re.compile(r"^[ぁ-ゖァ-ヺー・ ]+$")
_PLACE = re.compile(r"[都道府県市区町村郡丁目番地号]|\d")
#: Who may file for a customer (section 8: 代理人) as customers name them.
RELATIONSHIP_WORDS = ("母", "父", "親", "子", "息子", "娘", "妻", "夫", "配偶者", "家族", "兄", "弟", "姉", "妹",
                      "祖父", "祖母", "孫", "叔", "伯", "甥", "姪", "嫁", "婿", "義", "親族", "親戚", "長男", "長女",
                      "次男", "次女", "後見", "保佐", "補助人", "代理人", "弁護士", "司法書士", "行政書士", "友人",
                      "知人", "同居", "はは", "ちち", "おや", "つま", "おっと", "むすこ", "むすめ", "こうけん")
# A name or reading is family and given name (a middle name at most), as customers type them.
_NAME_PARTS = (2, 3)
_LENGTHS = {AnswerShape.NAME: (2, 30), AnswerShape.KANA: (2, 40), AnswerShape.ADDRESS: (4, 200),
            AnswerShape.RELATIONSHIP: (1, 30)}


def _is_question(text: str, shape: AnswerShape) -> bool:
    if text.startswith("/") or _QUESTION_MARK.search(text) or any(word in text for word in _QUESTION_WORDS):
        return True
    return shape not in (AnswerShape.NAME, AnswerShape.KANA) and bool(_QUESTION_ENDING.search(text))


def _has_shape(shape: AnswerShape, text: str, introduced: bool) -> bool:
    """``introduced``: the customer ended with 「…です」「…と申します」, which makes one word a name."""
    shortest, longest = _LENGTHS[shape]
    if not shortest <= len(text) <= longest:
        return False
    parts = len(text.split())
    named = introduced and parts <= _NAME_PARTS[1] or _NAME_PARTS[0] <= parts <= _NAME_PARTS[1]
    if shape is AnswerShape.NAME:
        return named and not _NAME_PUNCTUATION.search(text)
    if shape is AnswerShape.KANA:
        return named and bool(_KANA.match(text))
    if shape is AnswerShape.ADDRESS:
        return bool(_PLACE.search(text))
    return any(word in text for word in RELATIONSHIP_WORDS)


def reads_as(shape: AnswerShape, text: str) -> bool:
    """True when ``text`` is an answer of ``shape``, sent to a form that asked for one.

    Why: the NLU reads each message alone, so a name or a relationship with a policy word in
    it (「漏洩 花子」, 「成年後見人です」) comes back as a policy question, the question is answered
    and the form asks again. Read in the form's context first: a message shaped like the
    asked answer (a name of two parts or introduced with 「です」, an address with a place or
    number, a relationship word), with no question, wish or command in it, is that answer. A
    keyword question (「手数料」), a question (「？」, 「…ですか」) or 「やめます」 keeps the NLU's reading.
    """
    typed = normalize_text(text or "")
    value = _SELF_INTRODUCTION.sub("", typed).strip()
    introduced = value != typed
    return not _is_question(value, shape) and _has_shape(shape, value, introduced)
