"""End-to-end: chatting through the real Rasa server, action server and databases.

The REST channel is the one the outside evaluation uses; the socket.io widget is covered
by the browser tests in tests/console.
"""
from __future__ import annotations

import os
import re
import uuid

import pytest
import requests

from tests.servers import BotServers, start_bot

pytestmark = [pytest.mark.servers, pytest.mark.model]


def texts(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


def fill_request(bot: BotServers, sender: str, phone: str = "０９０－１１１１－２２２２") -> str:
    """Answers every question of a disclosure request the way a customer would; returns the summary."""
    first = texts(bot.chat(sender, "個人情報の開示を請求したいです"))
    assert "ご本人さまですか" in first  # the type was taken from the first message
    for answer in ["本人です", "総武 花子", "そうぶ はなこ", "〒２８９－２５１１", "旭市二の0000番地", phone,
                   "なし", "わからない", "登録されている私の情報をすべて見せてください"]:
        reply = texts(bot.chat(sender, answer))
        assert "読み取れませんでした" not in reply and "形式が正しくない" not in reply, (answer, reply)
    summary = texts(bot.chat(sender, "郵送"))
    assert "以下の内容で、お申込みの内容を事前にお伺いします" in summary
    assert "・お申込みの種類: 開示" in summary and "・郵便番号: 289-2511" in summary
    return summary


def file_request(bot: BotServers, sender: str, phone: str = "０９０－１１１１－２２２２") -> str:
    """Files a disclosure request the way a customer would; returns the 受付番号."""
    fill_request(bot, sender, phone)
    done = texts(bot.chat(sender, "/affirm"))
    match = re.search(r"受付番号: (PR-[0-9A-Z]{4}-[0-9A-Z]{4})", done)
    assert match, done
    return match.group(1)


def test_greeting_and_a_policy_answer_with_its_section(running_bot):
    sender = new_sender()
    assert "総武ガス" in texts(running_bot.chat(sender, "こんにちは"))
    answer = texts(running_bot.chat(sender, "開示をお願いするときに手数料ってかかるんですか？"))
    assert "手数料" in answer and "（プライバシーポリシー 8. より）" in answer


def test_follow_up_understood_in_context(running_bot):
    sender = new_sender()
    first = texts(running_bot.chat(sender, "自分の個人情報を開示してもらうことはできますか"))
    assert "（プライバシーポリシー 5." in first
    follow_up = texts(running_bot.chat(sender, "代理人の場合は？"))
    assert "委任状" in follow_up


def test_gas_smell_gets_the_emergency_answer(running_bot):
    reply = texts(running_bot.chat(new_sender(), "さっきから台所がガス臭いんですけど"))
    assert "緊急" in reply and "プライバシーポリシー" not in reply


def test_filing_a_request_and_checking_its_status(running_bot):
    sender = new_sender()
    number = file_request(running_bot, sender)
    other = new_sender()
    asks_phone = texts(running_bot.chat(other, f"受付番号 {number.lower()} の状況を教えて"))
    assert "電話番号" in asks_phone
    status = texts(running_bot.chat(other, "090-1111-2222"))
    assert "本人確認待ち" in status and number in status


def test_wrong_phone_reveals_nothing(running_bot):
    number = file_request(running_bot, new_sender(), phone="080-3333-4444")
    sender = new_sender()
    running_bot.chat(sender, f"{number}の進み具合を知りたいです")
    wrong = texts(running_bot.chat(sender, "080-0000-0000"))
    running_bot.chat(sender, "PR-0000-0000 の状況を教えて")
    unknown = texts(running_bot.chat(sender, "080-3333-4444"))
    assert wrong == unknown and "見つかりませんでした" in wrong and number not in wrong


def test_a_phone_search_across_fresh_conversations_hits_the_lock(running_bot):
    """Misses count per 受付番号 in the database: a new sender id per guess does not reset them."""
    number = file_request(running_bot, new_sender(), phone="070-2222-3333")

    def check(phone: str) -> str:
        sender = new_sender()  # a fresh conversation for every guess
        running_bot.chat(sender, f"受付番号 {number} の状況を教えて")
        return texts(running_bot.chat(sender, phone))

    assert "見つかりませんでした" in check("070-0000-0001")
    assert "見つかりませんでした" in check("070-0000-0002")
    assert "状況確認を停止しています" in check("070-0000-0003")
    right = check("070-2222-3333")  # even the right pair, while the number is locked
    assert "状況確認を停止しています" in right and "本人確認待ち" not in right


def test_policy_question_in_the_middle_of_the_form(running_bot):
    sender = new_sender()
    running_bot.chat(sender, "登録情報の訂正を申し込みます")
    running_bot.chat(sender, "本人です")
    middle = texts(running_bot.chat(sender, "ところで本人確認には何が必要ですか？"))
    assert "（プライバシーポリシー 8. より）" in middle
    assert "お名前" in middle  # the form asks its question again


def test_answers_that_sound_like_policy_questions_are_read_in_the_form_context(running_bot):
    """Names and a relationship with policy words in them (the NLU alone hears questions about
    security, disclosure, outsourcing, agents) are taken as the asked answers; a real question
    in the middle of the form is still answered and the form goes on."""
    sender = new_sender()
    running_bot.chat(sender, "開示を申し込みたいです")
    assert "代理人の方のお名前" in texts(running_bot.chat(sender, "代理人です"))
    answers = [("開示 太郎", "ご関係"), ("成年後見人です", "委任状"), ("はい", "お名前"),
               ("安全 管理子", "フリガナ"), ("あんぜん かんりこ", "郵便番号"), ("289-2511", "ご住所"),
               ("旭市委託町9-8-7", "電話番号")]
    for answer, next_question in answers:
        reply = texts(running_bot.chat(sender, answer))
        assert next_question in reply and "プライバシーポリシー" not in reply, (answer, reply)
    question = texts(running_bot.chat(sender, "委託先で漏洩したらどうなりますか？"))
    assert "（プライバシーポリシー" in question and "電話番号" in question
    slots = running_bot.tracker(sender)["slots"]
    assert (slots["agent_name"], slots["agent_relationship"], slots["customer_name"]) == (
        "開示 太郎", "成年後見人です", "安全 管理子")
    assert (slots["customer_name_kana"], slots["address"]) == ("アンゼン カンリコ", "旭市委託町9-8-7")


def test_a_wish_to_fix_an_answer_at_the_summary_fixes_it(running_bot):
    """「電話番号を直したいです」 at the summary asks for the phone again and keeps every other
    answer (the NLU alone hears a new 訂正 request)."""
    sender = new_sender()
    fill_request(running_bot, sender, "090-1111-2222")
    assert "電話番号を教えてください" in texts(running_bot.chat(sender, "電話番号を直したいです"))
    summary = texts(running_bot.chat(sender, "090-3333-4444"))
    assert "・電話番号: 090-3333-4444" in summary and "・お申込みの種類: 開示" in summary
    assert "・お名前: 総武 花子" in summary and "・ご住所: 旭市二の0000番地" in summary
    assert "ご住所を教えてください" in texts(running_bot.chat(sender, "住所が間違ってました"))
    assert "・ご住所: 旭市二の1111番地" in texts(running_bot.chat(sender, "旭市二の1111番地"))


def test_cancel_stores_nothing(running_bot):
    sender = new_sender()
    running_bot.chat(sender, "利用停止の手続きをお願いしたいです")
    running_bot.chat(sender, "本人です")
    reply = texts(running_bot.chat(sender, "やっぱりやめます"))
    assert "受け付けていません" in reply and "30日間保存した後に削除します" in reply
    slots = running_bot.tracker(sender)["slots"]
    assert slots["customer_name"] is None and slots["requested_slot"] is None


@pytest.mark.parametrize(
    "message",
    ["", "   ", "あ" * 5000, "<script>alert(1)</script>", "'; DROP TABLE tickets; --", "\u0000\u200b", "🙂🙂🙂"],
)
def test_hostile_or_odd_input_gets_a_polite_answer(running_bot, message):
    reply = running_bot.chat(new_sender(), message)
    assert reply and all("text" in m for m in reply)
    assert "<script>" not in texts(reply)


def test_nonsense_is_not_taken_for_a_greeting_and_a_greeting_still_is(running_bot):
    """Words the assistant has never seen land on greet or affirm a little above the global
    threshold; they are 「読み取れませんでした」, and a second one offers a person, while a
    greeting with a typo is still greeted and a yes at the offer still files."""
    sender = new_sender()
    first = texts(running_bot.chat(sender, "ぴよぴよ"))
    assert "読み取れませんでした" in first and "こんにちは" not in first
    second = texts(running_bot.chat(sender, "にゃーん"))
    assert "担当者におつなぎしましょうか" in second and "こんにちは" not in second
    assert "総武ガス" in texts(running_bot.chat(new_sender(), "こんいちは"))
    offer = new_sender()
    assert "進みますか" in texts(running_bot.chat(offer, "申し込みの方法を教えてください"))
    assert "どのお申込みですか" in texts(running_bot.chat(offer, "おk"))


def test_a_question_about_filing_in_the_chat_is_answered_not_filed(running_bot):
    """「チャットで申し込んだら正式な受付になりますか」 asks about the procedure: section 8's
    methods and its notice, then the offer saying what the chat does; no form starts."""
    sender = new_sender()
    reply = texts(running_bot.chat(sender, "チャットで開示を申し込んだら、それで正式な受付になりますか"))
    assert "この受付方法によらない開示等の求めには応じられない場合がございます" in reply
    assert "（プライバシーポリシー 8. より）" in reply
    assert "事前にお伺いすることもできます" in reply and "総務部からご連絡してご案内します" in reply
    assert "ご本人さまですか" not in reply and "どのお申込みですか" not in reply
    assert running_bot.tracker(sender)["active_loop"] in ({}, None) or not running_bot.tracker(sender)["active_loop"].get("name")


def test_malformed_requests_are_refused_cleanly(running_bot):
    status = requests.post(f"{running_bot.rasa_url}/model/parse", json={"text": "x"}, timeout=10).status_code
    assert status == 401  # the HTTP API needs the token
    assert requests.get(f"{running_bot.rasa_url}/conversations/x/tracker", timeout=10).status_code == 401


def test_details_given_out_of_the_blue_count_as_not_understood(running_bot):
    """A phone number or an address nobody asked for: rephrase with suggestions, then a person."""
    sender = new_sender()
    first = running_bot.chat(sender, "090-1234-5678")
    assert "言葉を変えて" in texts(first) and any(m.get("buttons") for m in first)
    second = texts(running_bot.chat(sender, "〒289-2511 旭市イ2345"))
    assert "担当者におつなぎしましょうか" in second


def test_a_typed_yes_accepts_the_offer_of_a_person(running_bot):
    sender = new_sender()
    running_bot.chat(sender, "090-1234-5678")
    assert "担当者におつなぎしましょうか" in texts(running_bot.chat(sender, "〒289-2511 旭市イ2345"))
    assert "担当者におつなぎします" in texts(running_bot.chat(sender, "はい"))
    assert running_bot.tracker(sender)["paused"] is True
    other = new_sender()
    running_bot.chat(other, "090-1234-5678")
    running_bot.chat(other, "〒289-2511 旭市イ2345")
    assert "ほかにご質問があれば" in texts(running_bot.chat(other, "いいえ"))
    assert running_bot.tracker(other)["paused"] is False


def test_an_odd_reply_at_the_summary_keeps_the_request_in_hand(running_bot):
    """No rule fits an address typed at 「よろしいですか？」: not understood, but the summary stands."""
    sender = new_sender()
    fill_request(running_bot, sender, "090-5555-6666")
    odd = texts(running_bot.chat(sender, "〒289-2511 旭市イ2345"))
    assert "言葉を変えて" in odd
    done = texts(running_bot.chat(sender, "はい"))
    assert "受付番号: PR-" in done


def test_a_question_at_the_summary_is_answered_and_the_summary_stands(running_bot):
    """At 「よろしいですか？」 a customer asks whether the chat is the official filing, asks
    about the fee, says thanks, then says yes: each question gets its answer, the summary comes back after
    it, and the yes files the request with the details given (before: the answer ended with the
    offer to file, and the yes started a new, empty request)."""
    sender = new_sender()
    fill_request(running_bot, sender, "090-7777-8888")
    answer = texts(running_bot.chat(sender, "チャットで申し込んだら、それで正式な受付になりますか"))
    assert "プライバシーポリシー 8." in answer and "進みますか" not in answer
    assert "以下の内容で" in answer and "・電話番号: 090-7777-8888" in answer
    fee = texts(running_bot.chat(sender, "手数料はかかりますか"))
    assert "手数料" in fee and "・電話番号: 090-7777-8888" in fee
    thanks = texts(running_bot.chat(sender, "ありがとうございます"))  # files nothing: the summary stands
    assert "受付番号" not in thanks and "・電話番号: 090-7777-8888" in thanks
    done = texts(running_bot.chat(sender, "はい"))
    assert "受付番号: PR-" in done
    number = re.search(r"受付番号: (PR-[0-9A-Z]{4}-[0-9A-Z]{4})", done).group(1)
    other = new_sender()
    running_bot.chat(other, f"受付番号 {number} の状況を教えて")
    assert number in texts(running_bot.chat(other, "090-7777-8888"))  # filed with the phone given


def test_the_fix_button_typed_in_words_asks_which_answer(running_bot):
    """「修正する」 typed at the summary (as the button reads) asks which answer to fix; before,
    it was answered as a question about 訂正."""
    sender = new_sender()
    fill_request(running_bot, sender, "090-2222-9999")
    which = texts(running_bot.chat(sender, "修正する"))
    assert "どの項目を修正しますか" in which and "プライバシーポリシー" not in which
    running_bot.chat(sender, "電話番号")
    summary = texts(running_bot.chat(sender, "090-2222-0000"))
    assert "・電話番号: 090-2222-0000" in summary and "・お名前: 総武 花子" in summary


def test_api_token_is_on_no_command_line(running_bot):
    """`ps` shows every local user the command lines; the token must not be in them."""
    from pathlib import Path

    rasa = running_bot.processes[0]
    assert running_bot.parse("こんにちは")["intent"]["name"] == "greet"  # the token works
    group = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    seen = 0
    for proc in group:
        try:
            if os.getpgid(int(proc.name)) != rasa.pid:
                continue
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        seen += 1
        assert running_bot.token not in cmdline, cmdline
    assert seen >= 1


def test_handoff_pauses_and_resume_hands_back(running_bot):
    sender = new_sender()
    messages = running_bot.chat(sender, "担当者の方と直接話したいです")
    reply = texts(messages)
    assert "担当者におつなぎします" in reply
    assert all("custom" not in m for m in messages)  # the widget's marker is for socket.io only
    assert running_bot.tracker(sender)["paused"] is True
    assert running_bot.chat(sender, "まだですか？") == []  # recorded, the assistant stays quiet
    requests.post(
        f"{running_bot.rasa_url}/conversations/{sender}/tracker/events",
        # What the console's hand-back appends: resume, then listen for the customer.
        params={"token": running_bot.token},
        json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}], timeout=10,
    ).raise_for_status()
    assert "手数料" in texts(running_bot.chat(sender, "開示の手数料はいくらですか"))


def test_tickets_and_conversations_survive_a_restart(tmp_path):
    bot = start_bot(tmp_path / "bot")
    try:
        sender = new_sender()
        number = file_request(bot, sender, phone="070-5555-6666")
        events_before = len(bot.tracker(sender)["events"])
    finally:
        bot.stop()
    bot.processes.clear()
    bot.start()
    try:
        assert len(bot.tracker(sender)["events"]) >= events_before
        checker = new_sender()
        bot.chat(checker, f"受付番号{number}の状況は？")
        assert "本人確認待ち" in texts(bot.chat(checker, "07055556666"))
    finally:
        bot.stop()


REQUEST_TYPES = [("開示", "disclosure"), ("訂正", "correction"), ("追加", "addition"),
                 ("削除", "deletion"), ("利用停止", "stop_use"), ("消去", "erasure")]


@pytest.mark.parametrize("label, code", REQUEST_TYPES, ids=[c for _, c in REQUEST_TYPES])
def test_each_request_type_by_an_agent_with_a_correction_at_the_summary(running_bot, label, code):
    sender = new_sender()
    asks_type = texts(running_bot.chat(sender, "申し込みの手続きをしたいです"))
    assert "どのお申込みですか" in asks_type
    assert "ご本人さまですか" in texts(running_bot.chat(sender, f'/inform{{"choice": "{label}"}}'))
    assert "代理人の方のお名前" in texts(running_bot.chat(sender, "代理人です"))
    answers = [("総武 一郎", "ご関係"), ("長男です", "委任状"), ("はい", "お名前"),
               ("総武 花子", "フリガナ"), ("総武花子", "カタカナで"),  # invalid kana: re-asked
               ("ソウブ ハナコ", "郵便番号"), ("289-2511", "ご住所"), ("旭市二の0000番地", "電話番号"),
               ("0479-00-0000", "メールアドレス"), ("hanako@example.jp", "お客様番号"),
               ("12345678", "具体的に"), ("登録されている電話番号が古いので直してほしいです", "受け取り方法")]
    for answer, next_question in answers:
        reply = texts(running_bot.chat(sender, answer))
        assert next_question in reply, (answer, reply)
    summary = texts(running_bot.chat(sender, '/inform{"choice": "窓口"}'))  # the 窓口 button
    assert f"・お申込みの種類: {label}" in summary and "・代理人のお名前: 総武 一郎" in summary
    # Correct the phone number at the summary, then confirm.
    assert "どの項目を修正しますか" in texts(running_bot.chat(sender, "/deny"))
    assert "電話番号" in texts(running_bot.chat(sender, '/inform{"field": "phone"}'))
    corrected = texts(running_bot.chat(sender, "０９０－７７７７－８８８８"))
    assert "・電話番号: 090-7777-8888" in corrected
    done = texts(running_bot.chat(sender, "/affirm"))
    number = re.search(r"受付番号: (PR-[0-9A-Z]{4}-[0-9A-Z]{4})", done).group(1)
    checker = new_sender()
    running_bot.chat(checker, f"受付番号{number}の状況を確認したい")
    status = texts(running_bot.chat(checker, "09077778888"))
    assert "本人確認待ち" in status and f"（{label}）" in status


def test_repeated_invalid_answers_offer_a_person(running_bot):
    sender = new_sender()
    running_bot.chat(sender, "個人情報の削除をお願いしたいです")
    running_bot.chat(sender, "本人です")
    running_bot.chat(sender, "総武 花子")
    replies = [texts(running_bot.chat(sender, "わかりません")) for _ in range(3)]
    assert "カタカナ" in replies[0]
    assert "担当者がお手伝いします" in replies[2] and "0479-63-1000" in replies[2]


def test_outside_hours_a_call_back_request_is_queued_for_staff(running_bot):
    """Saturday: nobody takes over; the customer leaves a call-back request instead."""
    from storage import Database, HandoffQueue

    with running_bot.actions_with(ASSISTANT_NOW="2026-11-28T20:00:00+09:00") as bot:
        sender = new_sender()
        closed = texts(bot.chat(sender, "人と話したいんですけど"))
        assert "受付時間外" in closed and "11月30日（月）午前9時" in closed
        assert bot.tracker(sender)["paused"] is False
        assert "お名前" in texts(bot.chat(sender, "/affirm"))  # the 折り返しの電話 button
        # a name with policy words in it (heard alone as a question about security) is the name
        assert "お電話番号" in texts(bot.chat(sender, "安全 管理子"))
        assert "時間帯" in texts(bot.chat(sender, "０４７９－００－００００"))
        assert "折り返しのご依頼を承りました" in texts(bot.chat(sender, "平日の午前中"))
        queued = [h for h in HandoffQueue(Database(bot.env["DATABASE_URL"])).waiting() if h.conversation_id == sender]
        assert [h.kind for h in queued] == ["callback"]
        assert queued[0].summary.callback.time == "平日の午前中"
        assert queued[0].summary.callback.phone == "0479000000"
        assert queued[0].summary.callback.name == "安全 管理子"


def test_number_and_phone_in_one_message(running_bot):
    number = file_request(running_bot, new_sender(), phone="080-1212-3434")
    reply = texts(running_bot.chat(new_sender(), f"受付番号{number}、電話番号08012123434です。状況を教えてください"))
    assert "本人確認待ち" in reply
