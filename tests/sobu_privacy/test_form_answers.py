"""sobu_privacy.request_form.reads_as, with the request form's shapes as FormContextPolicy reads
them: an answer shaped like the asked field, with no question in it, is that answer; a question
is not (it keeps the NLU's reading)."""
from __future__ import annotations

import pytest

from bot.form_context_policy import ANSWER_SHAPES, REQUEST_FORM
from sobu_privacy.request_form import REQUEST_FORM_FIELDS, AnswerShape, reads_as


def reads_as_answer(slot: str, text: str) -> bool:
    """What FormContextPolicy decides for ``text`` sent while the request form asks for ``slot``."""
    shapes = ANSWER_SHAPES[REQUEST_FORM]
    return slot in shapes and reads_as(shapes[slot], text)

ANSWERS = [  # (slot, text): answers whose words sound like a policy question
    ("customer_name", "漏洩確認 花子"),
    ("customer_name", "漏洩確認花子です"),
    ("customer_name", "安全 管理子と申します"),
    ("customer_name", "さとう はるか"),  # a name may end in か
    ("agent_name", "開示 太郎"),
    ("customer_name_kana", "ろうえいかくにん はなこ"),
    ("customer_name_kana", "サトウ カナ"),
    ("customer_name_kana", "さとう かな"),
    ("address", "旭市漏洩町9-8-7"),
    ("address", "〒289-2511 千葉県旭市二の5941番地"),
    ("agent_relationship", "成年後見人です"),
    ("agent_relationship", "母"),
    ("agent_relationship", "委任を受けた代理人"),
    ("customer_name", "長" * 14 + " " + "長" * 15),  # exactly the longest name (30 characters)
    ("customer_name", "総武 花子 マリア"),  # three parts at most: a middle name
    ("customer_name_kana", "サトウ カナです"),  # the self-introduction is not part of the reading
]

QUESTIONS = [  # (slot, text): questions asked in the middle of the form
    ("customer_name", "個人情報の漏洩について"),
    ("customer_name", "漏洩したらどうなりますか"),
    ("customer_name", "セキュリティ対策を教えて"),
    ("customer_name", "名前は何に使うの?"),
    ("customer_name", "安全管理は大丈夫？"),
    ("customer_name_kana", "かいじってなに"),
    ("customer_name_kana", "てすうりょうはいくら"),
    ("address", "住所は誰に提供されますか"),
    ("address", "漏洩対策は？"),
    ("address", "第三者提供はしてるのか"),
    ("agent_relationship", "代理人は誰でもなれますか"),
    ("agent_relationship", "家族でもいいのか"),
    ("agent_relationship", "委任状って"),
    # keyword questions, wishes and commands (a review of the first version stored these)
    ("customer_name", "身分証"),
    ("customer_name", "手数料"),
    ("customer_name", "第三者提供"),
    ("customer_name", "個人情報の利用目的"),
    ("customer_name_kana", "てすうりょう"),
    ("agent_relationship", "委任状は必要"),
    ("agent_relationship", "代理人は何をすればいい"),
    ("agent_relationship", "開示請求したい"),
    ("agent_relationship", "/faq_agent"),
    ("customer_name", "利用停止の申し込みは途中でやめます"),
    ("customer_name", "やっぱり中止"),
    ("agent_relationship", '/inform{"agent_relationship": "母"}'),  # a button payload, not typed words
]

NOT_SHAPED = [  # (slot, text): no question, but not what the field asks for
    ("customer_name", "0479-63-1000"),
    ("customer_name", "漏洩、流出、紛失、改ざん、その他の事故の防止"),
    ("customer_name", "個人 情報 の 安全 管理"),  # more parts than a name has
    ("customer_name", "x"),
    ("customer_name", "長" * 31),
    ("customer_name_kana", "漏洩花子"),
    ("customer_name_kana", "ろう えい かく にん"),
    ("address", "個人情報の安全管理"),
    ("address", "旭市"),  # shorter than any address
    ("agent_relationship", "関" * 31),
    ("agent_relationship", ""),
    ("agent_relationship", "ちょっと"),  # no relationship named
    ("customer_name", "総武花子"),  # one word, not introduced: the NLU's reading decides
]


@pytest.mark.parametrize("slot, text", ANSWERS, ids=[f"answer{i}" for i in range(len(ANSWERS))])
def test_an_answer_shaped_like_the_field_is_read_as_its_answer(slot, text):
    assert reads_as_answer(slot, text)


@pytest.mark.parametrize("slot, text", QUESTIONS, ids=[f"question{i}" for i in range(len(QUESTIONS))])
def test_a_question_keeps_the_nlu_reading(slot, text):
    assert not reads_as_answer(slot, text)


@pytest.mark.parametrize("slot, text", NOT_SHAPED, ids=[f"shape{i}" for i in range(len(NOT_SHAPED))])
def test_a_message_not_shaped_like_the_answer_keeps_the_nlu_reading(slot, text):
    assert not reads_as_answer(slot, text)


@pytest.mark.parametrize("slot", ["request_type", "requester_kind", "request_details", "delivery_method",
                                  "phone", "no_such_slot"])
def test_fields_without_a_shape_are_never_overridden(slot):
    """Choices have buttons and the NLU's own words; the details take any text already (their
    slot mapping lets policy words through); unknown slots are not the form's."""
    assert not reads_as_answer(slot, "漏洩確認 花子")


def test_the_shaped_fields_are_the_free_text_ones():
    shaped = {f.slot: f.answer_shape for f in REQUEST_FORM_FIELDS if f.answer_shape}
    assert shaped == {
        "agent_name": AnswerShape.NAME, "agent_relationship": AnswerShape.RELATIONSHIP,
        "customer_name": AnswerShape.NAME, "customer_name_kana": AnswerShape.KANA,
        "address": AnswerShape.ADDRESS,
    }


def test_full_width_and_polite_endings_are_read_like_the_validation_reads_them():
    assert reads_as_answer("customer_name", "漏洩　花子です。")
    assert not reads_as_answer("customer_name", "漏洩　花子？")


FIXES = [  # (text, field): a wish to fix an answer, named in words
    ("電話番号を直したいです", "phone"),
    ("電話番号を訂正したい", "phone"),  # 訂正 is also a request type's word
    ("住所が間違ってました", "address"),
    ("名前の漢字が違います", "customer_name"),
    ("フリガナがちがう", "customer_name_kana"),
    ("郵便番号まちがえた", "postal_code"),
    ("メールを変えたい", "email"),
    ("お申込みの種類を変更したい", "request_type"),
    ("内容を修正します", "request_details"),
    ("代理人の名前を直して", "agent_name"),
    ("本人の住所が違います", "address"),  # who files is not fixed by naming it (as on the buttons)
    ("ご本人の電話が違う", "phone"),
    ("〒が違います", "postal_code"),  # a one-character word
]


@pytest.mark.parametrize("text, field", FIXES, ids=[f"fix{i}" for i in range(len(FIXES))])
def test_a_wish_to_fix_names_its_field(text, field):
    from sobu_privacy.request_form import field_to_fix

    assert field_to_fix(text) == field


@pytest.mark.parametrize("text", ["はい", "電話番号", "訂正したい", "直したいところはありません", "", "間違いない？",
                                  "電話番号は間違いないです", "住所も違いありません", "直接窓口で受け取ります"])
def test_no_field_or_no_wish_to_fix_is_none(text):
    from sobu_privacy.request_form import field_to_fix

    assert field_to_fix(text) is None


@pytest.mark.parametrize("text", ["修正する", "修正したい", "直したいです", "ちょっと違います", "訂正をお願いします",
                                  "間違いがあります", "まちがえました", "変更したいところがあります",
                                  "訂正" + "あ" * 28])  # exactly the longest message read this way
def test_a_wish_to_fix_without_a_field_is_seen(text):
    from sobu_privacy.request_form import wants_a_fix

    assert wants_a_fix(text)


@pytest.mark.parametrize("text", ["はい", "", "間違いないです", "直したいところはありません", "修正は不要です",
                                  "訂正の手数料は？", "修正ってどうやるの", "訂正とは何ですか", "間違ってない",
                                  "/deny", "この内容で大丈夫です", "訂正" + "あ" * 40, "違う?",
                                  '/inform{"choice": "訂正"}'])
def test_no_wish_to_fix_or_a_question_is_not_a_fix(text):
    from sobu_privacy.request_form import wants_a_fix

    assert not wants_a_fix(text)
