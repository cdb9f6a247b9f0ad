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
           "field_named_in", "field_to_fix", "reads_as_answer", "NOT_GIVEN", "AGENT_DOCUMENTS_READY"]

#: Stored when an optional question was skipped; shown as such in the summary.
NOT_GIVEN = "（なし）"
#: The agent_documents answer once the customer says the documents can be prepared.
AGENT_DOCUMENTS_READY = "準備できる"


class AnswerShape(Enum):
    """What an answer to a free-text question looks like, so that an answer is read as one even
    when its words sound like a policy question (a name such as 「漏洩 花子」, a relationship
    such as 「成年後見人です」): see ``reads_as_answer``."""

    NAME = "name"  # a person's name: letters of some script, no digits
    KANA = "kana"  # a reading in kana
    ADDRESS = "address"  # a place: digits or 都道府県市区町村…
    SHORT_TEXT = "short_text"  # a few words (a relationship to the customer)


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
              answer_shape=AnswerShape.SHORT_TEXT),
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
FORM_SLOTS: Tuple[str, ...] = tuple(f.slot for f in REQUEST_FORM_FIELDS)
AGENT_SLOTS: Tuple[str, ...] = tuple(f.slot for f in REQUEST_FORM_FIELDS if f.agent_only)


def field_named_in(text: str) -> Optional[str]:
    """The slot of the shown field named in ``text`` (normalised), or None. The longest word
    named wins (「代理人の名前」 is the agent's name, not 「代理」), then the earlier field."""
    best: Optional[str] = None
    best_length = 0
    for field in REQUEST_FORM_FIELDS:
        if not field.label:
            continue
        length = max((len(word) for word in field.words if word in text), default=0)
        if length > best_length:
            best, best_length = field.slot, length
    return best


# Words of a wish to fix an answer (「直したい」「間違っています」「訂正して」), after normalize_text.
# 訂正 is also a request type's word, so they are removed before the field is looked up.
_FIX_WORDS = ("訂正", "修正", "変更", "直", "なおし", "なおす", "間違", "まちが", "違", "ちがい", "ちがう", "ちがっ",
              "誤", "変え", "かえたい")


def field_to_fix(text: str) -> Optional[str]:
    """The shown field a customer asks to fix in words (「電話番号を直したいです」, 「住所が間違って
    ました」), or None when no wish to fix or no field is named.

    Why: at the summary the NLU hears 「…を直したい」 as a new 訂正 request; read against the
    summary it is a correction of that answer.
    """
    value = normalize_text(text or "")
    if not any(word in value for word in _FIX_WORDS):
        return None
    for word in _FIX_WORDS:
        value = value.replace(word, " ")
    return field_named_in(value)


# What makes a message a question or a wish rather than an answer, in any field: a question
# mark or asking words (after normalize_text); and for answers other than names, a question
# ending (a name may well end in か or かな: はるか, さとう かな).
_QUESTION_MARK = re.compile(r"[?]")
_QUESTION_WORDS = ("ですか", "ますか", "でしょうか", "について", "とは", "ってなに", "って何", "教えて", "おしえて",
                   "知りたい", "しりたい", "ください", "下さい", "どこ", "どうやって", "どうすれば", "なぜ", "なんで",
                   "いくら", "大丈夫か")
_QUESTION_ENDING = re.compile(r"(か|って|かな|かしら)[。.!]*$")
_NAME_PUNCTUATION = re.compile(r"[\d@/\\<>{}、。,.!:;()「」]")
_KANA = re.compile(r"^[ぁ-ゖァ-ヺー・ ]+$")
_PLACE = re.compile(r"[都道府県市区町村郡丁目番地号]|\d")
# A name or reading is at most family and given name (and a middle name), as customers type them.
_MAX_NAME_PARTS = 3
_LENGTHS = {AnswerShape.NAME: (2, 30), AnswerShape.KANA: (2, 40), AnswerShape.ADDRESS: (4, 200),
            AnswerShape.SHORT_TEXT: (1, 30)}


def _is_question(text: str, shape: AnswerShape) -> bool:
    if _QUESTION_MARK.search(text) or any(word in text for word in _QUESTION_WORDS):
        return True
    return shape not in (AnswerShape.NAME, AnswerShape.KANA) and bool(_QUESTION_ENDING.search(text))


def _has_shape(shape: AnswerShape, text: str) -> bool:
    shortest, longest = _LENGTHS[shape]
    if not shortest <= len(text) <= longest:
        return False
    if shape is AnswerShape.NAME:
        return not _NAME_PUNCTUATION.search(text) and len(text.split()) <= _MAX_NAME_PARTS
    if shape is AnswerShape.KANA:
        return bool(_KANA.match(text)) and len(text.split()) <= _MAX_NAME_PARTS
    if shape is AnswerShape.ADDRESS:
        return bool(_PLACE.search(text))
    return True  # SHORT_TEXT: any few words


def reads_as_answer(slot: str, text: str) -> bool:
    """True when ``text``, sent while the form asks for ``slot``, is an answer to that question.

    Why: the NLU reads each message alone, so a name or a relationship with a policy word in
    it (「漏洩 花子」, 「成年後見人です」) comes back as a policy question, the question is answered
    and the form asks again. Read in the form's context first: a message shaped like the
    asked answer, with no question in it, is that answer (its validation still checks it). A
    question (「？」, 「…ですか」, 「…について」) keeps the NLU's reading and is answered.
    """
    field = FIELDS_BY_SLOT.get(slot)
    if field is None or field.answer_shape is None:
        return False
    value = normalize_text(text or "")
    value = re.sub(r"(です|といいます|と申します)[。.!]*$", "", value).strip()
    return not _is_question(value, field.answer_shape) and _has_shape(field.answer_shape, value)
