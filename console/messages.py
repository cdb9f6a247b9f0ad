"""Every Japanese text the console's Python code produces (API errors, labels, the hand-back
message). Page texts live in templates/; the widget's in bot/web/index.html.

One file so wording is reviewed in one place and never scattered through handlers.
"""
from __future__ import annotations

from typing import Dict

TEXTS: Dict[str, str] = {
    # --- authentication / authorisation ---
    "unauthenticated": "ログインが必要です。セッションが無効か期限切れです。",
    "forbidden": "この操作を行う権限がありません。",
    "csrf_failed": "CSRF トークンが無効です。ページを再読み込みしてからやり直してください。",
    "login_failed": "ユーザー名またはパスワードが正しくありません。",
    "password_change_locked": "現在のパスワードの確認に続けて失敗したため、パスワードの変更を一時的に止めています。{minutes}分ほどたってから、もう一度お試しください。",
    "login_locked": "ログインに続けて失敗したため、このユーザー名でのログインを一時的に止めています。{minutes}分ほどたってから、もう一度お試しください。",
    "login_csrf": "ログインフォームの有効期限が切れました。もう一度お試しください。",
    # --- input validation ---
    "bad_json": "リクエストの本文が正しい JSON ではありません。",
    "body_not_object": "リクエストの本文は JSON オブジェクトにしてください。",
    "body_too_large": "リクエストが大きすぎます。",
    "field_required": "「{field}」を入力してください。",
    "field_type": "「{field}」の形式が正しくありません。",
    "field_too_long": "「{field}」は {max} 文字以内で入力してください。",
    "field_choice": "「{field}」の値が正しくありません。",
    "bad_conversation_id": "会話 ID の形式が正しくありません。",
    "bad_ticket_number": "受付番号の形式が正しくありません。",
    "bad_date": "日付は YYYY-MM-DD の形式で指定してください。",
    "bad_days": "期間（days）は 1〜366 の整数で指定してください。",
    "bad_period": "期間は開始日が終了日以前で、366 日以内になるように指定してください。",
    "not_found": "見つかりません。",
    "conversation_not_found": "この会話の引き継ぎ依頼は見つかりません。",
    "ticket_not_found": "指定された受付番号のチケットは見つかりません。",
    "erasure_not_allowed": "チャットデータの消去は、種類が「削除」「消去」「利用停止」のお申込みからのみ行えます。また、選べるのは同じお客さまのチケットだけです。",
    "disclosure_not_allowed": "開示資料は、種類が「開示」のお申込みからのみ作成できます。",
    "pdf_unavailable": "PDF を作成できませんでした。印刷用の画面からブラウザの印刷機能をお使いください。",
    "erasure_confirm_mismatch": "確認のための受付番号が一致しません。消去は行っていません。",
    # --- handoff workflow ---
    "already_claimed": "この会話は既に {user} さんが対応中です。",
    "already_claimed_anon": "この会話は既に他の担当者が対応中です。",
    "handoff_closed": "この会話の引き継ぎは既に終了しています。",
    "not_claimed_by_you": "この会話を担当していません。先に「対応する」を押してください。",
    "rasa_unavailable": "チャットサーバー（Rasa）に接続できません。しばらくしてからもう一度お試しください。",
    "handback_message": "担当者との会話を終了しました。ここからは引き続きチャットアシスタントがご案内します。ほかにご質問があればどうぞ。",
    # --- tickets ---
    "invalid_transition": "「{from_status}」から「{to_status}」へは変更できません。",
    "reason_required": "「対応不可」にするには理由を入力してください。",
    "invalid_ticket": "チケットの内容が不足しているか正しくありません: {detail}",
    # --- users ---
    "user_exists": "そのユーザー名は既に使われています。",
    "password_too_short": "パスワードは {min} 文字以上にしてください。",
    "bad_username": "ユーザー名は英数字と . _ - の 3〜64 文字にしてください。",
    "password_too_long": "パスワードは {max} 文字以内にしてください。",
    "password_mismatch": "新しいパスワードと確認用のパスワードが一致しません。同じものを 2 回入力してください。",
    "current_password_wrong": "現在のパスワードが正しくありません。",
    "user_not_found": "指定されたユーザーは見つかりません。",
    "cannot_deactivate_self": "ご自分のアカウントは無効にできません（管理者がいなくなり、コンソールを操作できなくなるおそれがあるためです）。必要な場合は別の管理者に依頼してください。",
    "last_active_admin": "有効な管理者がいなくなるため、このアカウントは無効にできません。先に別の管理者を有効にしてください。",
    "reset_own_password": "ご自分のパスワードは「アカウント」ページで、現在のパスワードを入力して変更してください。",
    "label_username": "ユーザー名",
    "label_password": "パスワード",
    "label_password_confirm": "パスワード（確認）",
    "label_current_password": "現在のパスワード",
    "label_new_password": "新しいパスワード",
    "label_new_password_confirm": "新しいパスワード（確認）",
    "label_active": "有効／無効",
    # --- storage ---
    "storage_unavailable": "データベースに接続できません。しばらくしてからもう一度お試しください。",
    "internal_error": "サーバー内部でエラーが発生しました。",
    # --- transcript labels ---
    "ev_pause": "会話を一時停止しました（担当者へ引き継ぎ）",
    "ev_resume": "アシスタントに戻しました",
    "ev_form_start": "入力フォーム開始: {name}",
    "ev_form_end": "入力フォーム終了",
    "ev_slot": "{name} = {value}",
    "ev_ticket": "受付番号 {value} を発行しました",
    "ev_session": "新しいセッション開始",
    "ev_restart": "会話をリセットしました",
}

def t(key: str, **kwargs: object) -> str:
    """The text for ``key`` with ``{placeholders}`` filled in."""
    text = TEXTS[key]
    return text.format(**kwargs) if kwargs else text
