"""The trained model on sentences it must get right, through the real `/model/parse`.

A small set written for this test (not taken from training or held-out data): if one of
these fails, a customer-visible behaviour broke.
"""
import pytest

pytestmark = [pytest.mark.servers, pytest.mark.model]

MUST_PASS = [
    ("お宅の会社は個人情報をどうやって管理しているんですか", {"faq_basic_policy", "faq_security"}),
    ("私の情報を勝手に他の会社に渡したりしてませんよね？", {"faq_third_party"}),
    ("登録されている自分の情報を見せてもらいたいのですが、できますか", {"faq_disclosure"}),
    ("開示の手数料はいくらかかりますか", {"faq_fee"}),
    ("本人確認には何を持っていけばいいですか", {"faq_identity_verification"}),
    ("受付の時間と電話番号を教えてください", {"faq_how_to_request"}),
    ("個人情報の開示を請求したいです", {"start_request"}),
    ("担当者と直接話がしたいです", {"request_human"}),
    ("こんにちは", {"greet"}),
    ("ありがとうございました、助かりました", {"thanks"}),
    ("今月のガス代が高すぎるんだけど", {"out_of_scope", "nlu_fallback"}),
]


@pytest.mark.parametrize("text, expected", MUST_PASS, ids=[t for t, _ in MUST_PASS])
def test_intent(running_bot, text, expected):
    assert running_bot.parse(text)["intent"]["name"] in expected


@pytest.mark.parametrize("text", ["もふもふ", "ぐぬぬ", "へのへのもへじ", "ﾜﾛﾀ"])
def test_nonsense_is_not_understood_and_never_shows_its_own_intent(running_bot, text):
    """Nonsense has an intent of its own in training (nlu/data/nonsense.yml; these strings are
    not in it), which the fallback classifier always turns into nlu_fallback; never a greeting
    or a yes (before, 「もふもふ」 was greet at 0.3)."""
    assert running_bot.parse(text)["intent"]["name"] in {"nlu_fallback", "out_of_scope"}


@pytest.mark.parametrize("text", ["え", "えっ？", "ええー"])
def test_a_bare_interjection_is_not_a_yes(running_bot, text):
    """At 「お申込みに進みますか？」 a yes starts the request form: a surprised 「え」 must not
    (it was affirm at 0.32 once the dialogue bar came down to 0.3)."""
    assert running_bot.parse(text)["intent"]["name"] not in {"affirm", "greet", "deny"}


@pytest.mark.parametrize("text, expected", [
    ("おk", "affirm"), ("うん", "affirm"), ("いえ", "deny"), ("ありがと", "thanks"), ("さよなら", "goodbye"),
    ("こんちわ", "greet")])
def test_short_dialogue_answers_are_understood(running_bot, text, expected):
    assert running_bot.parse(text)["intent"]["name"] == expected


def test_full_width_input_is_normalised_and_entities_extracted(running_bot):
    result = running_bot.parse("受付番号ＰＲ－７Ｋ３Ｍ－９ＸＱ２の状況を教えて。電話は０９０－１２３４－５６７８です")
    entities = {(e["entity"], e["value"]) for e in result["entities"]}
    assert ("ticket_number", "PR-7K3M-9XQ2") in entities
    assert ("phone_number", "09012345678") in entities
    assert result["intent"]["name"] == "check_request_status"


def test_request_type_and_postal_code_entities(running_bot):
    result = running_bot.parse("〒２８９－２５１１に住んでいます。登録情報の利用停止をお願いします")
    entities = {(e["entity"], e["value"]) for e in result["entities"]}
    assert ("request_type", "stop_use") in entities
    assert ("postal_code", "289-2511") in entities


def test_gas_emergency_is_out_of_scope_with_the_emergency_flag(running_bot):
    result = running_bot.parse("ガス臭いです！どうしたらいいですか")
    assert result["intent"]["name"] == "out_of_scope"
    assert any(e["entity"] == "emergency" for e in result["entities"])
