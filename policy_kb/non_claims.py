"""The reviewed list: phrases of customer-facing texts that look like claims but are not
claims about the privacy policy, and the few equivalent wordings the policy check accepts.

Why one place: the fact check (``policy_kb.fact_check``) flags every number, name,
document, channel, day, deadline and negation the policy does not state. Some texts must
say such things without making a policy claim — how this chat works (「このチャットで内容を
事前にお伺いし」), apologies (「申し訳ありません」), examples of what to type (「例：289-2511」).
Each is listed here, as specific as possible, with the reason it was accepted; the check
skips exactly these phrases and nothing else. A test requires every entry to be needed
(the check flags it without the entry) and used by some customer-facing text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NonClaim", "Equivalent", "NON_CLAIMS", "EQUIVALENTS"]


@dataclass(frozen=True)
class NonClaim:
    """A phrase the check skips, and why it is not a claim about the policy."""

    phrase: str
    why: str


@dataclass(frozen=True)
class Equivalent:
    """``text`` in an answer counts as the policy's ``source`` wording."""

    text: str
    source: str
    why: str


# Chat mechanics: how this chat works. Section 8 takes requests at the counter, by phone or
# by post; the chat only takes a request's details in advance (issue 13, item 1). Listed as
# whole phrases, so 「チャットで受け付けます」 is still flagged.
_CHAT = (
    NonClaim("このチャットで内容を事前にお伺いし",
             "the chat takes a request's details in advance; 総務部 then runs the policy's procedure"),
    NonClaim("このチャットで事前にお伺いする", "the same, offered after an answer (utter_offer_request)"),
    NonClaim("チャットで内容を事前にお伺いしています", "the same, on the website (bot/web/index.html)"),
    NonClaim("このチャットでは、お申込みの内容を事前にお伺いしました",
             "the same, after a request was taken (utter_ticket_next_steps*)"),
    NonClaim("このチャットでは、個人情報の取り扱い（プライバシーポリシー）に関するご質問にお答えし",
             "what the chat is for, told when a message is out of scope"),
    NonClaim("チャットアシスタント", "the product's name (「総武ガス チャットアシスタント」); not a way to file"),
    NonClaim("緊急のご用件はこのチャットではお受けできません。すぐに",
             "gas emergencies: the chat does not handle them, call the emergency number (a setting) at once; "
             "not a deadline of the policy"),
    NonClaim("チャットでの入力が難しい場合", "form help after repeated unreadable answers"),
    NonClaim("このチャットでやりとりした内容", "the chat record, kept for the retention period (a setting)"),
    NonClaim("お申込みとしては受け付けていません", "a cancelled form was not stored as a request: chat state"),
    NonClaim("このチャットから状況を確認できます", "the chat's status look-up by 受付番号 and phone number"),
    NonClaim("ひとつのチャットでお受けできるお申込みの数を超えたため、このお申込みはチャットでは受け付けできませんでした",
             "the per-conversation limit on requests (abuse protection); points to 総務部 by phone"),
    NonClaim("しばらくの間チャットでの状況確認を停止しています", "the status look-up is locked after failed tries"),
    NonClaim("チャットでの状況確認が混み合っている", "the status look-up is rate limited"),
    NonClaim("担当者におつなぎできません", "no staff can take over the chat right now (outside hours)"),
    NonClaim("担当者への取り次ぎができませんでした", "the hand-off to staff failed technically"),
    NonClaim("今すぐできることをお選びください", "choose one of the chat's buttons now; no promise about the company"),
    NonClaim("いいえ、今はしません", "a button: the customer declines the offer"),
    NonClaim("いつでもお問い合わせください", "the chat is open at any time; staff hours are stated where staff act"),
    NonClaim("いつでもお尋ねください", "the same (utter_you_are_welcome)"),
)

# Apologies and system messages about this conversation: no statement about the policy.
_SYSTEM = (
    NonClaim("申し訳ありません", "an apology, said before what went wrong"),
    NonClaim("読み取れませんでした", "the assistant could not read the customer's message"),
    NonClaim("うまくお答えできず", "the assistant could not answer (fallback)"),
    NonClaim("お答えできませんでした", "the assistant could not answer (fallback, overload)"),
    NonClaim("保存できませんでした", "a storage error; the customer is asked to retry"),
    NonClaim("一致するお申込みが見つかりませんでした", "a status look-up without a match"),
    NonClaim("お申込みにはお応えできませんでした", "the status 対応不可 of one ticket; staff give the reason"),
    NonClaim("対応不可", "the workflow status label of a refused ticket (sobu_privacy.workflow)"),
)

# The request form: the customer's own data and examples of what to type.
_FORM = (
    NonClaim("郵便番号", "the postal code the form asks for: a data field, not the post as a channel"),
    NonClaim("携帯電話の番号", "the customer may give a mobile number: input format"),
    NonClaim("7桁の数字", "the format of a Japanese postal code"),
    NonClaim("例：289-2511", "an example postal code showing the format, not a number of the policy"),
    NonClaim("例：289-2511 または 2892511", "the same example with and without the hyphen"),
    NonClaim("例：0479-00-0000、090-0000-0000", "example phone numbers with zeros, never dialled"),
    NonClaim("例：PR-XXXX-XXXX", "the format of a 受付番号 (ticket number)"),
    NonClaim("例：平日の午前中", "an example answer to 「ご都合のよい時間帯」 of a call-back"),
    NonClaim("ご都合のよい曜日や時間帯", "asks when the customer is free, not when the company is open"),
    NonClaim("メールアドレスの形式が正しくないようです", "the typed e-mail address is malformed"),
    NonClaim("不要な場合は「なし」とお送りください", "the e-mail question is optional"),
    NonClaim("わからない", "the customer's answer that they do not know their お客様番号"),
    NonClaim("電磁的記録",
             "a delivery option for a disclosure answer (APPI 第33条 lets the person ask for an electronic "
             "record); within the policy's 「書面の交付その他の方法により回答」, not a way to file"),
    NonClaim("電磁的記録（電子データ）", "the same option on the form's button, explained in plain words"),
)

# Outside the policy, stated without any number, name or hours.
_OTHER = (
    NonClaim("当社の各窓口へお問い合わせください", "redirects gas/electricity business (料金・修理…) out of this chat"),
    NonClaim("火を使わず、換気扇や電気のスイッチには触れずに", "gas safety instructions"),
    NonClaim("手数料の金額はプライバシーポリシーには記載されていません",
             "about the policy text itself: section 8.2 names 「当社所定の手数料」 and no amount (a test checks it)"),
)

# The demo website around the widget (bot/web/index.html).
_SITE = (
    NonClaim("デモサイト", "the page title marks the site as a demo"),
    NonClaim("デモ用サイトです。実在のお手続きはできません", "the demo banner: nothing on this site is real"),
    NonClaim("右下のチャットからお気軽にどうぞ", "points to the widget for questions"),
    NonClaim("チャットでご質問いただけます", "the widget answers questions about the policy"),
    NonClaim("チャットで問い合わせる", "the label of the widget's launcher button"),
    NonClaim("チャットを終了", "the widget's end button and its confirmation"),
    NonClaim("チャットを閉じる", "the label of the widget's close button"),
    NonClaim("チャットのメッセージ", "the message log's label (screen readers)"),
    NonClaim("新しいチャットとして始まります", "after ending, the next chat starts afresh"),
    NonClaim("チャットサーバーに接続できません", "the widget cannot reach the chat server"),
    NonClaim("表示できない形式のメッセージ", "a message the widget cannot display"),
    NonClaim("これ以上のメッセージはお預かりできません", "the widget's offline queue is full"),
    NonClaim("Enter キーで送信、Escape キーで閉じます", "keyboard help of the widget"),
)

NON_CLAIMS: tuple[NonClaim, ...] = _CHAT + _SYSTEM + _FORM + _OTHER + _SITE

EQUIVALENTS: tuple[Equivalent, ...] = (
    Equivalent("受付窓口", "受付の窓口", "section 8's 《受付の窓口》 written as one word"),
    Equivalent("メールアドレス", "Eメールアドレス", "section 1's Eメールアドレス without the E: a data item, not a channel"),
)
