"""The fact check works on claims (issue 13, item 2).

Each ``test_blind_spot_*`` is one hole a reviewer found in the earlier, word-list based
check: a small invented text that states something the policy does not say must be
flagged. The ``test_still_accepts_*`` tests keep the check from flagging what the policy
does say, written a little differently.
"""
from __future__ import annotations

import re

import pytest

from policy_kb import load_knowledge_base
from policy_kb.fact_check import check, extract_claims, kanji_to_int, problems
from policy_kb.non_claims import EQUIVALENTS, NON_CLAIMS


def flagged(text: str) -> list[str]:
    return problems(check(text))


# --- blind spots: each must be flagged ------------------------------------------------

@pytest.mark.parametrize("text", ["手数料はかかりません。", "手数料は不要です。", "書面での回答も手数料なしで承ります。"])
def test_blind_spot_fee_in_words(text: str) -> None:
    # The policy: a fee is charged for an answer given in writing; it never says there is none.
    assert flagged(text)


@pytest.mark.parametrize("text", ["実印をお持ちください。", "身分証をご提示ください。", "身分証明書で確認します。"])
def test_blind_spot_documents_without_known_suffix(text: str) -> None:
    assert flagged(text)


@pytest.mark.parametrize("text", ["東京電力と共同利用することがあります。", "東電にも提供します。"])
def test_blind_spot_company_without_kabushiki_kaisha(text: str) -> None:
    assert flagged(text)


@pytest.mark.parametrize("text", ["お客さま相談室までご連絡ください。", "お客様センターで受け付けます。"])
def test_blind_spot_wrong_department(text: str) -> None:
    assert flagged(text)


@pytest.mark.parametrize("text", ["窓口は銚子市二の5941番地です。", "窓口は旭市三の5941番地です。"])
def test_blind_spot_wrong_city_or_address(text: str) -> None:
    assert flagged(text)


@pytest.mark.parametrize("text", ["Eメールでもお申し込みいただけます。", "開示のご請求はチャットで受け付けています。"])
def test_blind_spot_invented_channel(text: str) -> None:
    # Section 8 names the counter, the phone and the post; Eメール occurs only in 「Eメールアドレス」.
    assert flagged(text)


@pytest.mark.parametrize("text", ["詳しくは www.sobu-gas.co.jp/privacy をご覧ください。",
                                  "privacy@sobu-gas.co.jp までお送りください。"])
def test_blind_spot_address_without_http(text: str) -> None:
    assert flagged(text)


@pytest.mark.parametrize("text", ["〇一二〇－〇〇〇－〇〇〇までお電話ください。", "〇四七九―六三―一〇〇一までお電話ください。"])
def test_blind_spot_phone_in_kanji_digits(text: str) -> None:
    assert flagged(text)


@pytest.mark.parametrize("text", ["数日中にご連絡します。", "即日回答いたします。", "すぐに回答をお送りします。"])
def test_blind_spot_vague_deadline(text: str) -> None:
    # The policy only says 「合理的な期間」.
    assert flagged(text)


@pytest.mark.parametrize("text", ["土曜日も受け付けます。", "土日も受け付けます。", "祝日も窓口で対応しています。",
                                  "12月30日も受け付けます。"])
def test_blind_spot_opening_days(text: str) -> None:
    # 受付時間は平日のみ（土日祝日及び12/30～1/4を除く）.
    assert flagged(text)


@pytest.mark.parametrize("text", [
    "管理の責任者は総武産業株式会社です。",                       # true company, wrong role (総武ガス株式会社)
    "東北電力株式会社とガスのお客さま情報を共同利用しています。",  # named in the policy, but not for joint use
    "総武産業株式会社に業務の一部を委託しています。",              # joint user, not an outsourcing partner
])
def test_blind_spot_true_item_joined_to_the_wrong_company(text: str) -> None:
    assert flagged(text)


@pytest.mark.parametrize("text", ["電話(株)からご案内します。", "書類は郵送(株)がお届けします。"])
def test_blind_spot_made_up_company_with_short_legal_form(text: str) -> None:
    # 電話 and 郵送 are words of the policy, but no company of that name is.
    assert flagged(text)


@pytest.mark.parametrize("text", ["二三十日以内にご回答します。", "回答まで十二三日かかります。"])
def test_blind_spot_kanji_numeral_that_reads_as_no_one_number(text: str) -> None:
    # 「二三十日」 (twenty or thirty days) is a number the policy does not state.
    assert any("number" in p for p in flagged(text))


# --- what the policy does say is still accepted -----------------------------------------

@pytest.mark.parametrize("text", [
    "窓口は旭市二の5941番地の総務部です。",
    "電話番号は〇四七九－六三－一〇〇〇です。",                 # the real number in kanji digits
    "詳しくは www.occto.or.jp/privacy/negawatt-jigyousya.html をご覧ください。",
    "お客さま情報を第三者へ開示・提供することはありません。",
    "必ずしも全ての事業者と共同利用するものではありません。",
    "この受付方法によらない求めには応じられない場合があります。",
    "受付時間は平日の午前9時から午後5時までです（土日祝日及び十二月三十日から一月四日を除く）。",
    "総武供給センター株式会社、総武産業株式会社とガスのお客さま情報を共同利用しています。",
    "管理の責任者は総武ガス株式会社です。",
    "口座振替先の金融機関や情報処理会社に業務の一部を委託することがあります。",
    "運転免許証や印鑑証明書等の証明書類で確認します。委任状に押印された印鑑の印鑑証明書も確認します。",
    "お電話または郵送でお申し込みいただくか、窓口に直接お越しください。",
])
def test_still_accepts_what_the_policy_says(text: str) -> None:
    assert flagged(text) == []


def test_problems_name_the_claim_and_its_kind() -> None:
    [problem] = flagged("手数料はかかりません。")
    assert "手数料" in problem and "negation" in problem


def test_a_reviewed_non_claim_is_not_a_loophole() -> None:
    # 「このチャットで内容を事前にお伺いし」 is reviewed; the same word used to claim filing is not.
    assert flagged("開示などのお申込みは、このチャットで内容を事前にお伺いし、総務部からご案内します。") == []
    assert flagged("開示などのお申込みは、このチャットで受け付けます。")


# --- how the claims are read --------------------------------------------------------------

@pytest.mark.parametrize("kanji, value", [("十四", 14), ("二〇二四", 2024), ("三千五百", 3500), ("十二", 12),
                                          ("千", 1000), ("一万二千", 12000), ("二三十", None)])
def test_kanji_numerals(kanji: str, value: int | None) -> None:
    assert kanji_to_int(kanji) == value


def test_every_kind_of_claim_is_extracted() -> None:
    text = ("総武ガス株式会社（東京電力）の総務部（旭市二の5941番地、電話 〇四七九－六三－一〇〇〇、"
            "www.occto.or.jp、info@example.jp）は、平日の午前九時から、十二月三十日を除き、三日以内に、"
            "メールでも、運転免許証を確認して、個人情報保護法に基づき、手数料はかかりません。ABC")
    kinds = {c.kind for c in extract_claims(text)}
    assert kinds >= {"company", "department", "place", "address", "phone", "url", "email", "day", "time",
                     "date", "number", "deadline", "channel", "document", "law", "negation", "claim", "latin"}


def test_kanji_number_words_are_not_numbers() -> None:
    # 一時停止 (temporarily), 一部, 一般, 第三者 (the policy's own word), 二の5941番地 (the address)
    assert problems(check("受け付けを一時停止しています。業務の一部を一般送配電事業者や第三者へ。旭市二の5941番地。")) == []


def test_a_hedged_negation_is_not_made_absolute() -> None:
    # 「応じられない場合があります」 (may refuse) is not 「応じられません」 (refuses).
    assert problems(check("利用停止のお申し出には応じられない場合があります。")) == []
    assert problems(check("利用停止のお申し出には応じられません。"))


def test_a_channel_the_policy_names_but_not_for_filing() -> None:
    # ホームページ occurs in the policy (資源エネルギー庁のホームページ), but not as a way to file.
    assert problems(check("資源エネルギー庁のホームページをご参照ください。")) == []
    assert problems(check("ホームページからお申し込みください。"))
    assert problems(check("お電話でもお申し込みいただけます。")) == []
    # an equivalent (メールアドレス ≈ Eメールアドレス) names a data item, not a way to file
    assert problems(check("メールアドレスをお預かりしています。")) == []
    assert problems(check("メールアドレスあてにお申し込みください。"))


def test_business_is_checked_per_block_of_section_4() -> None:
    # ① gas: 総武供給センター・総武産業; ② electricity: 一般送配電事業者 …
    assert problems(check("電力事業では、一般送配電事業者とお客さま情報を共同利用することがあります。")) == []
    assert problems(check("一般送配電事業者とガスのお客さま情報を共同利用します。"))
    assert problems(check("総武産業株式会社と電力のお客さま情報を共同利用します。"))


def test_the_reviewed_fee_statement_stays_true() -> None:
    # NON_CLAIMS accepts 「手数料の金額はプライバシーポリシーには記載されていません」: true only while
    # the policy names no amount.
    source = load_knowledge_base().source_text
    assert not re.search(r"[\d〇一二三四五六七八九十百千万]\s*円", source) and "所定の手数料" in source


# --- the reviewed list ----------------------------------------------------------------

def test_every_reviewed_entry_says_why() -> None:
    for entry in (*NON_CLAIMS, *EQUIVALENTS):
        assert len(entry.why) >= 15, entry


def test_every_reviewed_non_claim_is_needed() -> None:
    # An entry that hides nothing the check would flag is dead weight (or hides a typo).
    for entry in NON_CLAIMS:
        assert problems(check(entry.phrase, reviewed=False)), entry.phrase


def test_reviewed_list_is_short_and_unique() -> None:
    phrases = [e.phrase for e in NON_CLAIMS]
    assert len(phrases) == len(set(phrases))
    assert len(NON_CLAIMS) + len(EQUIVALENTS) <= 60
