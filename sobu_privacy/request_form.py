"""The questions of the request intake form, as one table.

The form asks them in this order (agent questions only when an agent files), the summary
lists the answered ones under their label, 「修正する」 offers them as buttons, and a
customer may name one in words (``words``) to correct it. ``ticket_field`` is the field of
the ticket the answer is stored in (None: asked but not stored). The domain's
``request_form`` and its slots are checked against this table by a test.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

__all__ = ["FormField", "REQUEST_FORM_FIELDS", "FIELDS_BY_SLOT", "AGENT_SLOTS", "FORM_SLOTS",
           "field_named_in", "NOT_GIVEN", "AGENT_DOCUMENTS_READY"]

#: Stored when an optional question was skipped; shown as such in the summary.
NOT_GIVEN = "（なし）"
#: The agent_documents answer once the customer says the documents can be prepared.
AGENT_DOCUMENTS_READY = "準備できる"


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


REQUEST_FORM_FIELDS: Tuple[FormField, ...] = (
    FormField("request_type", "お申込みの種類", "request_type", ("種類", "開示", "訂正", "削除", "停止", "消去", "追加")),
    FormField("requester_kind", "お申込みになる方", "requester_kind", ("本人", "代理")),
    FormField("agent_name", "代理人のお名前", "agent_name", ("代理人の名前", "代理人のお名前"), agent_only=True),
    FormField("agent_relationship", "ご本人とのご関係", "agent_relationship", ("関係", "続柄"), agent_only=True),
    FormField("agent_documents", None, None, agent_only=True),
    FormField("customer_name", "お名前", "name", ("名前", "なまえ", "氏名")),
    FormField("customer_name_kana", "フリガナ", "name_kana", ("フリガナ", "ふりがな", "カナ", "かな")),
    FormField("postal_code", "郵便番号", "postal_code", ("郵便", "〒")),
    FormField("address", "ご住所", "address", ("住所", "じゅうしょ")),
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
    """The slot of the first shown field whose words occur in ``text`` (normalised), or None."""
    for field in REQUEST_FORM_FIELDS:
        if field.label and any(word in text for word in field.words):
            return field.slot
    return None
