"""The intents the assistant understands, grouped as the dialogue uses them, with Japanese names.

The names and meanings are fixed by the intent contract (shared/contract/intents.yml);
``tests/sobu_privacy`` checks this module against it and against the domain and rules, so
an intent added in one place and forgotten in another fails a test. ``INTENT_LABELS`` is
how analysts read them (from the contract's meanings), never the code names.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import FrozenSet, Mapping, Tuple

__all__ = [
    "FAQ_INTENTS",
    "OFFER_REQUEST_INTENTS",
    "REQUEST_INTENTS",
    "DIALOGUE_INTENTS",
    "PROJECT_INTENTS",
    "FALLBACK_INTENT",
    "NONSENSE_INTENT",
    "FORM_INTERRUPTIONS",
    "UNANSWERED_INTENTS",
    "INTENT_LABELS",
    "intent_label",
]

#: Answered from the policy knowledge base (the contract's ``faq`` group), in policy order.
FAQ_INTENTS: Tuple[str, ...] = (
    "faq_basic_policy",
    "faq_collected_info",
    "faq_purpose",
    "faq_outsourcing",
    "faq_third_party",
    "faq_joint_use_gas",
    "faq_joint_use_electricity",
    "faq_security",
    "faq_disclosure",
    "faq_correction",
    "faq_stop_use",
    "faq_how_to_request",
    "faq_identity_verification",
    "faq_agent",
    "faq_fee",
    "faq_corporate",
)
#: Questions whose answer offers to file the request: a right the customer can exercise, and how
#: to make a request (the offer says what the chat does beside the methods of section 8).
OFFER_REQUEST_INTENTS: FrozenSet[str] = frozenset(
    {"faq_disclosure", "faq_correction", "faq_stop_use", "faq_how_to_request"})
#: The assistant acts (the contract's ``request`` group).
REQUEST_INTENTS: Tuple[str, ...] = ("start_request", "check_request_status", "request_human")
#: The contract's ``dialogue`` group.
DIALOGUE_INTENTS: Tuple[str, ...] = (
    "greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge", "out_of_scope",
)
#: What Rasa's FallbackClassifier predicts when no intent is confident enough.
FALLBACK_INTENT = "nlu_fallback"
#: Keyboard mashing, test strings, sounds (nlu/data/nonsense.yml): learned so that such text does
#: not land on a greeting or a yes, and always turned into ``FALLBACK_INTENT`` by the fallback
#: classifier (config.yml ``fallback_intents``), so the dialogue never sees it.
NONSENSE_INTENT = "nonsense"
#: The project's own: an answer to a form question, stopping a form, 「詳しく」, and nonsense.
PROJECT_INTENTS: Tuple[str, ...] = ("inform", "cancel", "ask_more_detail", NONSENSE_INTENT)

#: Intents that interrupt a form instead of answering its question (the domain's slot
#: mappings exclude them, and the rules answer them and resume the form).
FORM_INTERRUPTIONS: Tuple[str, ...] = (
    *FAQ_INTENTS, "check_request_status", "request_human", "bot_challenge", "cancel",
)
#: A message with one of these intents was not answered from the policy.
UNANSWERED_INTENTS: FrozenSet[str] = frozenset({FALLBACK_INTENT, "out_of_scope"})

INTENT_LABELS: Mapping[str, str] = MappingProxyType({
    "faq_basic_policy": "個人情報保護の基本方針",
    "faq_collected_info": "取得する情報と取得の方法",
    "faq_purpose": "利用目的",
    "faq_outsourcing": "業務委託先への提供",
    "faq_third_party": "第三者への開示・提供",
    "faq_joint_use_gas": "共同利用（ガス事業）",
    "faq_joint_use_electricity": "共同利用（電力事業）",
    "faq_security": "漏洩等の防止・安全管理",
    "faq_disclosure": "開示について",
    "faq_correction": "訂正・追加・削除について",
    "faq_stop_use": "利用停止・消去について",
    "faq_how_to_request": "開示等の受付方法・窓口",
    "faq_identity_verification": "本人確認の方法",
    "faq_agent": "代理人によるお申込み",
    "faq_fee": "手数料",
    "faq_corporate": "法人等のお客さまの情報",
    "start_request": "お申込み（開示等）",
    "check_request_status": "お申込みの状況確認",
    "request_human": "担当者との会話の希望",
    "greet": "あいさつ",
    "goodbye": "終わりのあいさつ",
    "thanks": "お礼",
    "affirm": "肯定の返事",
    "deny": "否定の返事",
    "bot_challenge": "自動応答かどうかの確認",
    "out_of_scope": "対象外のご用件",
    "inform": "質問への回答（入力フォーム）",
    "cancel": "取りやめ",
    "ask_more_detail": "詳しい説明の希望",
    NONSENSE_INTENT: "意味をなさない文字列",
    FALLBACK_INTENT: "読み取れなかったメッセージ",
})


def intent_label(name: str) -> str:
    """The Japanese name of an intent; an unknown name is shown as it is."""
    return INTENT_LABELS.get(name, name)
