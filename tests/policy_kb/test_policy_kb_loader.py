"""The knowledge-base API that the action server and the other parts code against.

Test files carry a ``policy_kb`` prefix because tests/ has no __init__.py
files: with pytest's default import mode, basenames must be unique across
tests/ (and tests/policy_kb/__init__.py would shadow the real package).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.measure_common import CONTRACT_CANDIDATES, load_contract_intents
from policy_kb import Contact, FaqAnswer, KnowledgeBase, KnowledgeBaseError, Piece, Section, load_knowledge_base

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "policy_kb"
CONTRACT = next((c for c in CONTRACT_CANDIDATES if c.exists()), None)

FAQ_INTENTS = (
    "faq_basic_policy", "faq_collected_info", "faq_purpose", "faq_outsourcing", "faq_third_party",
    "faq_joint_use_gas", "faq_joint_use_electricity", "faq_security", "faq_disclosure", "faq_correction",
    "faq_stop_use", "faq_how_to_request", "faq_identity_verification", "faq_agent", "faq_fee", "faq_corporate",
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the package data, to test how the loader reacts to edits."""
    for name in ("policy.yml", "answers.yml"):
        shutil.copy(PKG / name, tmp_path / name)
    shutil.copytree(PKG / "source", tmp_path / "source")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_load_is_cached(kb: KnowledgeBase) -> None:
    assert load_knowledge_base() is kb
    assert load_knowledge_base(path=PKG / "policy.yml") is kb
    assert load_knowledge_base(path=PKG) is kb


def test_faq_intents_are_the_contracts_sixteen(kb: KnowledgeBase) -> None:
    assert set(kb.faq_intents) == set(FAQ_INTENTS)
    assert len(kb.faq_intents) == 16


def test_faq_intents_match_contract_file(kb: KnowledgeBase) -> None:
    assert CONTRACT is not None, "the contract (shared/contract/intents.yml) must be beside the repo"
    names = [n for n in load_contract_intents(CONTRACT) if n.startswith("faq_")]
    assert len(names) == 16
    assert set(kb.faq_intents) == set(names)


def test_answer_for_returns_faq_answer(kb: KnowledgeBase) -> None:
    a = kb.answer_for("faq_fee", previous_intent=None)
    assert isinstance(a, FaqAnswer)
    assert a.intent == "faq_fee"
    assert "手数料" in a.short
    assert a.sources and all(isinstance(s, str) for s in a.sources)
    assert a.sections == ["8"]
    assert a.citation == "（プライバシーポリシー 8. より）"
    assert a.text_short() == a.short + "\n" + a.citation
    assert a.text_detail() == (a.detail or a.short) + "\n" + a.citation


def test_unknown_intent_raises_key_error(kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError):
        kb.answer_for("faq_weather")
    with pytest.raises(KeyError):
        kb.piece("s99.nothing")
    with pytest.raises(KeyError):
        kb.section("10")


def test_citation_lists_several_sections_in_order(kb: KnowledgeBase) -> None:
    a = kb.answer_for("faq_disclosure")
    assert a.sections == ["5", "8"]
    assert a.citation == "（プライバシーポリシー 5.・8. より）"


def test_text_detail_falls_back_to_short(kb: KnowledgeBase) -> None:
    a = kb.answer_for("faq_corporate")
    assert a.detail is None
    assert a.text_detail() == a.text_short()


def test_context_variant_for_agent_after_disclosure(kb: KnowledgeBase) -> None:
    base = kb.answer_for("faq_agent")
    after = kb.answer_for("faq_agent", previous_intent="faq_disclosure")
    assert after.context == "faq_disclosure" and base.context is None
    assert "開示" in after.short and after.short != base.short
    assert "5" in after.sections
    # a previous intent without a variant, or none, gives the base answer
    assert kb.answer_for("faq_agent", previous_intent="faq_purpose") == base
    assert kb.answer_for("faq_agent", previous_intent="greet") == base
    assert "faq_disclosure" in kb.context_variants("faq_agent")


def test_sections_one_to_nine_with_titles(kb: KnowledgeBase) -> None:
    assert [s.number for s in kb.sections] == [str(n) for n in range(1, 10)]
    assert kb.section(8) is kb.section("8")
    s8 = kb.section("8")
    assert isinstance(s8, Section) and s8.title == "お客様情報の開示等の受付方法・窓口"
    assert all(isinstance(p, Piece) and p.section == "8" for p in s8.pieces)
    assert kb.section(1).title == "お客さま情報の保護についての考え方"
    assert kb.title == "プライバシーポリシー"


@pytest.mark.parametrize(
    "piece_id, section",
    [("s8.contact", "8"), ("s4.table1.items", "4"), ("note.1", "4"), ("note.5", "4"), ("s1.item.4", "1"),
     ("s2.item.7", "2"), ("s3.item.6", "3"), ("s4.table2.scope", "4"), ("s5.body", "5"), ("s9.body", "9"),
     ("s8.hours", "8"), ("s8.fee", "8"), ("s8.identity.agent", "8")],
)
def test_stable_piece_ids(kb: KnowledgeBase, piece_id: str, section: str) -> None:
    p = kb.piece(piece_id)
    assert p.id == piece_id and p.section == section and p.text


def test_numbered_items(kb: KnowledgeBase) -> None:
    assert [kb.piece(f"s1.item.{n}").number for n in range(1, 6)] == [1, 2, 3, 4, 5]
    assert len(kb.piece("s2.purposes").children) == 7
    assert len(kb.piece("s3.exceptions").children) == 6


def test_gas_table_rows(kb: KnowledgeBase) -> None:
    t = kb.piece("s4.table1")
    assert t.kind == "table"
    assert t.children == ("s4.table1.items", "s4.table1.scope", "s4.table1.purpose", "s4.table1.manager")
    assert kb.piece("s4.table1.items").label == "共同して利用するお客さま情報の項目"
    assert tuple(kb.piece("s4.table1.scope").attrs["parties"]) == ("総武供給センター株式会社", "総武産業株式会社")
    assert kb.piece("s4.table1.manager").text == "総武ガス株式会社"


def test_electricity_table_is_clean_structured_lists(kb: KnowledgeBase) -> None:
    t = kb.piece("s4.table2")
    assert len(t.children) == 4
    for row_id in t.children:
        row = kb.piece(row_id)
        assert row.kind == "row" and row.label and row.children
        for entry_id in row.children:
            e = kb.piece(entry_id)
            assert "<" not in e.text and "^{" not in e.text, e.id
    parties = [kb.piece(i) for i in kb.piece("s4.table2.scope").children[1:]]
    assert [p.text for p in parties] == ["小売電気事業者", "一般送配電事業者", "電力広域的運営推進機関", "需要抑制契約者"]
    assert parties[0].notes == ("note.2",)
    assert len(kb.piece("s4.table2.purpose").children) == 5
    assert kb.piece("s4.table2.items.1").label == "基本情報"


def test_notes(kb: KnowledgeBase) -> None:
    for n in range(1, 6):
        note = kb.piece(f"note.{n}")
        assert note.kind == "note" and note.label == f"※{n}"
    assert len(kb.piece("note.3").attrs["companies"]) == 10


def test_contact_structured(kb: KnowledgeBase) -> None:
    c = kb.contact
    assert isinstance(c, Contact)
    assert (c.address, c.department, c.phone) == ("旭市二の5941番地", "総務部", "0479-63-1000")
    assert c.hours == "平日 午前9時〜午後5時"
    assert c.closed_days == "土日祝日及び12/30～1/4"
    assert (c.open_time, c.close_time) == (dt.time(9), dt.time(17))


def test_contact_text(kb: KnowledgeBase) -> None:
    text = kb.contact_text()
    c = kb.contact
    for value in (c.department, c.phone, c.hours, c.closed_days):
        assert value in text
    assert kb.contact_text(with_citation=True).endswith("（プライバシーポリシー 8. より）")


@pytest.mark.parametrize(
    "when, holiday, is_open",
    [
        (dt.datetime(2025, 6, 2, 9, 0), False, True),  # Monday 9:00
        (dt.datetime(2025, 6, 2, 16, 59), False, True),
        (dt.datetime(2025, 6, 2, 17, 0), False, False),
        (dt.datetime(2025, 6, 2, 8, 59), False, False),
        (dt.datetime(2025, 6, 7, 10, 0), False, False),  # Saturday
        (dt.datetime(2025, 6, 8, 10, 0), False, False),  # Sunday
        (dt.datetime(2025, 5, 5, 10, 0), True, False),  # national holiday
        (dt.datetime(2025, 12, 30, 10, 0), False, False),
        (dt.datetime(2026, 1, 2, 10, 0), False, False),
        (dt.datetime(2026, 1, 5, 10, 0), False, True),
        (dt.datetime(2025, 12, 29, 10, 0), False, True),
    ],
)
def test_is_open_at(kb: KnowledgeBase, when: dt.datetime, holiday: bool, is_open: bool) -> None:
    assert kb.contact.is_open_at(when, is_holiday=lambda d: holiday) is is_open


def test_dataclasses_are_frozen(kb: KnowledgeBase) -> None:
    a = kb.answer_for("faq_fee")
    for obj in (a, kb.contact, kb.piece("s8.fee"), kb.section(8)):
        assert dataclasses.is_dataclass(obj)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, dataclasses.fields(obj)[0].name, "x")


def test_source_text_is_the_bundled_policy(kb: KnowledgeBase) -> None:
    assert kb.source_text == (PKG / "source" / "privacy_policy.txt").read_text(encoding="utf-8")


def test_changing_contact_data_changes_the_answers(kb_copy: Path) -> None:
    _edit(kb_copy / "policy.yml", "text: 0479-63-1000}", "text: 0479-00-0000}")
    _edit(kb_copy / "policy.yml", "text: 総務部}", "text: お客さま相談室}")
    kb2 = load_knowledge_base(path=kb_copy)
    a = kb2.answer_for("faq_how_to_request")
    assert "0479-00-0000" in a.short and "お客さま相談室" in a.short
    assert "0479-63-1000" not in a.short
    assert "0479-00-0000" in kb2.contact_text()
    assert kb2.contact.phone == "0479-00-0000"


def _case_id(value: str) -> str:
    """Test ids a command line can pass back (mutmut runs single tests): the file names and the
    expected messages as they are, each YAML snippet as ``edit``."""
    return value if value.isascii() and "\n" not in value else "edit"


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        ("answers.yml", "sources: [s8.fee, s8.1.details]", "sources: [s8.fee, s8.nope]", "unknown source id"),
        ("answers.yml", "当社所定の手数料をお支払いいただきます。\n", "当社所定の手数料をお支払いいただきます（プライバシーポリシー 8. より）。\n",
         "hard-coded section reference"),
        ("answers.yml", "（電話 {contact.phone}）です", "（電話 {contact.fax}）です", "unknown placeholder"),
        ("policy.yml", 'open_time: "09:00"', 'open_time: "08:30"', "disagrees"),
        ("policy.yml", "id: s5.body", "id: s6.body", "duplicate id"),
        ("policy.yml", "notes: [note.5]", "notes: [note.9]", "unknown note"),
        ("answers.yml", "      faq_disclosure:\n        short: >-\n          開示のお申し出に対し",
         "      faq_nothing:\n        short: >-\n          開示のお申し出に対し", "context key"),
    ],
    ids=_case_id,
)
def test_invalid_data_is_rejected(kb_copy: Path, file: str, old: str, new: str, message: str) -> None:
    _edit(kb_copy / file, old, new)
    with pytest.raises(KnowledgeBaseError) as exc:
        load_knowledge_base(path=kb_copy)
    assert message in str(exc.value)


def test_no_rasa_import() -> None:
    code = "import sys, policy_kb; policy_kb.load_knowledge_base(); " \
           "bad = [m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk')]; assert not bad, bad"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# --- parts: a question about one part of an answer gets that part first --------------------

@pytest.mark.parametrize("message, part", [
    # which 一般送配電事業者 (※3): kanji, hiragana as typed on a phone, half-width kana, a space
    ("一般送配電事業者ってどこの会社？", "transmission_operators"),
    ("いっぱんそうはいでんじぎょうしゃって何", "transmission_operators"),
    ("いっぱんそうはいでん事業者ってどこ", "transmission_operators"),
    ("一般 送配電事業者とは", "transmission_operators"),
    ("ﾊﾟﾜｰｸﾞﾘｯﾄﾞにも情報いくの", "transmission_operators"),
    ("東電に私の住所が伝わってますか", "transmission_operators"),
    # 廃止取次 (※5)
    ("廃止取次ってどういう意味", "abolition_agency"),
    ("はいしとりつぎってなに？", "abolition_agency"),
    ("他の電力会社に乗り換えるとき、私の情報は新しい会社と共有されるの？", "abolition_agency"),
    # 小売電気事業者 (※2), 需要抑制契約者 (※4), not all of them (※1)
    ("小売電気事業者の一覧はどこで見れますか", "retailers"),
    ("こうりでんきじぎょうしゃってなに", "retailers"),
    ("需要抑制契約者とはどういう事業者？", "demand_response"),
    ("じゅようよくせいけいやくしゃって誰", "demand_response"),
    ("全ての小売電気事業者と共有してるわけじゃないよね？", "not_all_parties"),
    # what is asked comes before the term it is asked about
    ("電力事業の共同利用の管理責任者は誰ですか", "manager"),
    ("ネガワットの情報は誰が責任持ってるの", "manager"),
    ("でんきのじょうほう、だれがかんりしてるの", "manager"),
    ("電気の共同利用の目的", "purpose"),
    ("電気契約の情報が送配電会社と共同利用されるのはどういう目的ですか", "purpose"),
    ("託送って何", "purpose"),
    ("電気の共同利用項目を教えて", "items"),
    ("送配電事業者にどんな情報が渡るの", "items"),
    ("電流上限値とか力率って何の情報ですか", "items"),
    ("ベースラインって何のこと", "items"),
    ("電気の共同利用の　こうもく　いちらん！！", "items"),
])
def test_electricity_question_about_one_part_gets_that_part(kb: KnowledgeBase, message: str, part: str) -> None:
    a = kb.answer_for("faq_joint_use_electricity", message=message)
    assert a.part == part, (message, a.part)
    assert a.intent == "faq_joint_use_electricity" and a.context is None
    assert kb.part_for("faq_joint_use_electricity", message).answer == a  # type: ignore[union-attr]


@pytest.mark.parametrize("message, part", [
    ("ガスの共同利用の管理責任者はどこ", "manager"),
    ("共同利用する情報の責任は誰が持つの", "manager"),
    ("修理履歴を共有する目的は？", "purpose"),
    ("総武産業に私の情報が渡ってるのはなぜ", "purpose"),
    ("なんで総武産業に情報いくの", "purpose"),
    ("共同利用の項目は何ですか", "items"),
    ("給湯器の故障原因とかも共同で使うんですか", "items"),
    ("施行情報って何ですか", "items"),
])
def test_gas_question_about_one_part_gets_that_part(kb: KnowledgeBase, message: str, part: str) -> None:
    assert kb.answer_for("faq_joint_use_gas", message=message).part == part


@pytest.mark.parametrize("message", [
    "クレジットカードの番号も持ってるの？", "引き落としの口座の情報も登録されていますか", "こうざばんごうもしってるの",
    "お客様番号って私の情報に入ってるんですか", "うちの給湯器の修理履歴も記録されてるの？",
])
def test_a_registered_item_beyond_name_and_address_is_named(kb: KnowledgeBase, message: str) -> None:
    """The items the policy names beyond 氏名・住所・電話番号・Eメールアドレス (section 8's 当社ご登録
    情報, section 4 ①'s equipment and repair history) are answered when one is asked about."""
    a = kb.answer_for("faq_collected_info", message=message)
    assert a.part == "registered", (message, a.part)
    for item in kb.piece("s8.identity.self").attrs["registered_info"]:
        assert item in a.short
    assert "修理履歴" in a.short and a.sections == ["4", "8"]


@pytest.mark.parametrize("message, part, items", [
    ("宣伝に私の情報を使っていますか", "pr", ["s2.item.6"]),
    ("DMとかチラシに使ってる？", "pr", ["s2.item.6"]),
    ("あんけーとのためにつかうの？", "pr", ["s2.item.6"]),
    ("ガス警報器のサービスにも私の情報使ってるの？", "alarms", ["s2.item.4", "s2.item.5"]),
    ("遠隔でガスを遮断するのに使うんですか", "alarms", ["s2.item.4", "s2.item.5"]),
    ("給湯器のリースにも使うの", "equipment", ["s2.item.5"]),
    ("保安点検のために使うんですか", "safety", ["s2.item.3"]),
    ("工事のときに使うのはなぜですか", "works", ["s2.item.2"]),
])
def test_a_question_about_one_purpose_gets_that_purpose(kb: KnowledgeBase, message: str, part: str,
                                                        items: list) -> None:
    a = kb.answer_for("faq_purpose", message=message)
    assert a.part == part, (message, a.part)
    assert [s for s in a.sources if s.startswith("s2.item")] == items and "2" in a.sections


def test_the_third_party_answer_says_its_key_fact_first(kb: KnowledgeBase) -> None:
    """Section 3's rule (no provision to third parties) opens the answer; the exceptions follow."""
    assert kb.answer_for("faq_third_party").short.startswith("お客さま情報は、定められた場合を除き、第三者へ開示・提供いたしません。")


@pytest.mark.parametrize("message, part, item", [
    ("警察に聞かれたら教えるの？", "law", "s3.item.2"),
    ("裁判所から照会があったら個人情報を出しますか", "law", "s3.item.2"),
    ("けいさつにじょうほうわたすことある？", "law", "s3.item.2"),
    ("事故で命にかかわるときは、同意なしで情報を出すんですか", "life", "s3.item.3"),
    ("災害のときに私の住所を誰かに教えることはありますか", "life", "s3.item.3"),
    ("公衆衛生のために提供することってあるの", "public_health", "s3.item.4"),
    ("市役所に頼まれたら情報を渡しますか", "public_bodies", "s3.item.5"),
    ("税務署から問い合わせが来たら教えちゃうの？", "public_bodies", "s3.item.5"),
])
def test_a_question_about_one_exception_of_section_3_gets_that_exception(
        kb: KnowledgeBase, message: str, part: str, item: str) -> None:
    a = kb.answer_for("faq_third_party", message=message)
    assert a.part == part, (message, a.part)
    assert a.sources == ["s3.intro", item] and a.sections == ["3"]
    assert a.short.startswith(kb.piece(item).text + "は、")  # the exception in the policy's words, first


@pytest.mark.parametrize("message", [
    "手数料はいくらですか", "開示の手数料っておいくら？", "てすうりょうはいくら", "手数料の金額を教えてください",
    "書面で回答をもらうと何円かかりますか", "開示ってどれくらいお金かかるの",
])
def test_how_much_the_fee_is_gets_first_that_the_policy_names_no_amount(kb: KnowledgeBase, message: str) -> None:
    """The policy names no amount (section 8: 当社所定の手数料): asked 「いくら」, the answer says
    so first instead of repeating that a fee is charged."""
    for previous in (None, "faq_disclosure"):
        a = kb.answer_for("faq_fee", previous, message=message)
        assert a.part == "amount", (message, previous)
        assert a.short.startswith("手数料の金額はプライバシーポリシーには記載されていません")
        assert "当社所定の手数料" in a.short and a.sections == ["8"]


@pytest.mark.parametrize("intent, message", [
    ("faq_joint_use_electricity", "電気の契約情報は誰と共同利用されますか"),
    ("faq_joint_use_electricity", "でんきのきょうどうりよう"),
    ("faq_joint_use_electricity", "電力広域的運営推進機関ってなに"),  # the policy does not define it
    ("faq_joint_use_gas", "総武供給センターと個人情報を共同利用してるんですか"),
    ("faq_joint_use_gas", "きょうどうりよう"),
    ("faq_identity_verification", "本人確認書類は何が必要？"),
    ("faq_fee", "一般送配電事業者の管理責任者の手数料は？"),  # no parts: words of others' parts do nothing
    ("faq_third_party", "個人情報を勝手に他の会社に売ったりしませんか"),
    ("faq_collected_info", "どんな個人情報を集めていますか"),
    ("faq_purpose", "個人情報は何に使われますか"),
    ("faq_third_party", "子どもの情報をよその会社に渡すことはある？"),
    ("faq_joint_use_electricity", ""),
])
def test_no_part_applies_gives_the_whole_answer(kb: KnowledgeBase, intent: str, message: str) -> None:
    assert kb.answer_for(intent, message=message) == kb.answer_for(intent)
    assert kb.answer_for(intent, message=message).part is None
    assert kb.part_for(intent, message) is None


def test_a_part_is_cited_like_an_answer_and_its_detail_is_the_whole_answers(kb: KnowledgeBase) -> None:
    whole = kb.answer_for("faq_joint_use_electricity")
    part = kb.answer_for("faq_joint_use_electricity", message="一般送配電事業者ってどこの会社？")
    assert part.short.startswith("一般送配電事業者とは、北海道電力株式会社")
    assert len(kb.piece("note.3").attrs["companies"]) == 10
    assert all(c in part.short for c in kb.piece("note.3").attrs["companies"])
    assert part.sources == ["s4.table2.scope.2", "note.3"]
    assert part.sections == ["4"] and part.citation == "（プライバシーポリシー 4. より）"
    assert part.text_short() == part.short + "\n（プライバシーポリシー 4. より）"
    # 「詳しく」 after a part shows the whole answer, cited as the whole answer
    assert part.detail == whole.detail and part.text_detail() == whole.text_detail()
    assert part.short not in whole.short  # the list was only in the detail before


def test_the_first_applicable_part_is_chosen(kb: KnowledgeBase) -> None:
    # names a term (一般送配電事業者, ※3) and asks what is shared (項目): the earlier part wins
    names = [p.name for p in kb.parts("faq_joint_use_electricity")]
    assert names.index("items") < names.index("transmission_operators")
    assert kb.answer_for("faq_joint_use_electricity", message="一般送配電事業者の項目").part == "items"
    assert names[:3] == ["manager", "purpose", "items"]


def test_context_still_works_with_a_message(kb: KnowledgeBase) -> None:
    after = kb.answer_for("faq_agent", previous_intent="faq_disclosure")
    assert kb.answer_for("faq_agent", previous_intent="faq_disclosure", message="代理人の場合は？") == after
    variant = kb.answer_for("faq_identity_verification", "faq_disclosure", message="本人確認は？")
    assert variant.context == "faq_disclosure" and variant.part is None
    # a part asked about now wins over the context of the previous question
    part = kb.answer_for("faq_identity_verification", "faq_disclosure", message="代理人の場合の本人確認は？")
    assert part.part == "agent" and "委任状" in part.short and part.context is None
    assert kb.answer_for("faq_identity_verification", message="いにんじょうがいるの？").part == "agent"


def test_parts_are_listed_with_their_answers(kb: KnowledgeBase) -> None:
    listed = list(kb.iter_answers())
    for intent in kb.faq_intents:
        for p in kb.parts(intent):
            assert p.answer in listed and p.answer.part == p.name and p.answer.intent == intent
            assert p.answer.text_detail() == kb.answer_for(intent).text_detail()  # 「詳しく」 = the whole
            assert p.when and all(w == w.strip() for w in p.when)
    assert [p.name for p in kb.parts("faq_fee")] == ["amount"]
    assert kb.parts("faq_corporate") == ()
    with pytest.raises(KeyError):
        kb.parts("faq_weather")
    p = kb.parts("faq_joint_use_gas")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"  # type: ignore[misc]


_PART = '''    sources: [s4.table2.intro, s4.table2, note.1, note.2, note.3, note.4, note.5]
    parts:
'''


@pytest.mark.parametrize(
    "new, message",
    [
        (_PART + "      bad:\n        when: [謎]\n        short: 謎です。\n        sources: [note.9]\n",
         "unknown source id 'note.9'"),
        (_PART + "      bad:\n        when: []\n        short: 謎です。\n        sources: [note.3]\n",
         "needs a non-empty list of words"),
        (_PART + "      bad:\n        short: 謎です。\n        sources: [note.3]\n", "needs a non-empty list of words"),
        (_PART + "      bad:\n        when: ['  ']\n        short: 謎です。\n        sources: [note.3]\n",
         "empty or not text"),
        (_PART + "      bad:\n        when: [謎]\n        short: 謎です。\n        sources: []\n",
         "needs a non-empty list of sources"),
        (_PART + "      bad:\n        when: [謎]\n        short: 謎です。\n        detail: 詳しくは謎です。\n"
                 "        sources: [note.3]\n", "unknown key 'detail'"),
        (_PART + "      Bad-Name:\n        when: [謎]\n        short: 謎です。\n        sources: [note.3]\n",
         "part names are lower_case_words"),
        (_PART + "      bad:\n        when: [謎]\n        short: 謎です（プライバシーポリシー 4. より）。\n"
                 "        sources: [note.3]\n", "hard-coded section reference"),
    ],
    ids=_case_id,
)
def test_invalid_parts_are_rejected(kb_copy: Path, new: str, message: str) -> None:
    _edit(kb_copy / "answers.yml", _PART, new)
    with pytest.raises(KnowledgeBaseError) as exc:
        load_knowledge_base(path=kb_copy)
    assert message in str(exc.value)


def test_a_word_an_earlier_part_catches_is_rejected(kb_copy: Path) -> None:
    # 「管理責任者」 always contains 「責任」 of the manager part, which comes first: the later
    # part could never be chosen for it.
    anchor = "        sources: [s4.table2.manager]\n"
    _edit(kb_copy / "answers.yml", anchor,
          anchor + "      late:\n        when: [管理責任者]\n        short: 謎です。\n        sources: [note.3]\n")
    with pytest.raises(KnowledgeBaseError) as exc:
        load_knowledge_base(path=kb_copy)
    assert "'管理責任者' is already caught by '責任' of part 'manager'" in str(exc.value)


def test_parts_of_a_context_variant_are_rejected(kb_copy: Path) -> None:
    _edit(kb_copy / "answers.yml", "        sources: [s5.body, s8.identity, s8.identity.self, s8.identity.agent]\n",
          "        sources: [s5.body, s8.identity, s8.identity.self, s8.identity.agent]\n"
          "        parts:\n          x:\n            when: [謎]\n            short: 謎です。\n"
          "            sources: [note.3]\n")
    with pytest.raises(KnowledgeBaseError) as exc:
        load_knowledge_base(path=kb_copy)
    assert "parts belong to the answer, not to a context variant" in str(exc.value)


def test_a_valid_new_part_loads(kb_copy: Path) -> None:
    _edit(kb_copy / "answers.yml", _PART, _PART + "      occto:\n        when: [ＯＣＣＴＯ, 広域機関]\n"
          "        short: 電力広域的運営推進機関とも共同利用することがあります。\n        sources: [s4.table2.scope.3]\n")
    kb2 = load_knowledge_base(path=kb_copy)
    assert kb2.parts("faq_joint_use_electricity")[0].name == "occto"
    assert kb2.parts("faq_joint_use_electricity")[0].when == ("occto", "広域機関")  # in match form
    assert kb2.answer_for("faq_joint_use_electricity", message="OCCTOに情報提供してる？").part == "occto"


def test_a_part_of_an_answer_without_detail_offers_the_whole_answer(kb_copy: Path) -> None:
    _edit(kb_copy / "answers.yml", "    detail: null\n    sources: [s9.body]\n",
          "    detail: null\n    sources: [s9.body]\n    parts:\n      law:\n        when: [法令]\n"
          "        short: 関係法令に準拠して取り扱います。\n        sources: [s9.body]\n")
    kb2 = load_knowledge_base(path=kb_copy)
    whole, part = kb2.answer_for("faq_corporate"), kb2.answer_for("faq_corporate", message="法令は？")
    assert part.part == "law" and whole.detail is None
    assert part.detail == whole.short and part.text_detail() == whole.text_detail()


@pytest.mark.parametrize("message", ["チャットで開示を申し込んだら、それで正式な受付になりますか",
                                     "メールで訂正をお願いしてもいいですか", "ねっとでもうしこめる？"],
                         ids=["chat", "mail", "net_hiragana"])
def test_a_method_the_policy_does_not_name_gets_its_notice_first(kb: KnowledgeBase, message: str) -> None:
    """Section 8 names 窓口・電話・郵送 and says other methods may not be accepted: asked about the
    chat or e-mail, that notice comes first (the offer after it says what the chat does)."""
    answer = kb.answer_for("faq_how_to_request", message=message)
    assert answer.part == "other_methods"
    assert "この受付方法によらない開示等の求めには応じられない場合がございます" in answer.short
    assert kb.piece("s8.notice").text.startswith("なお、この受付方法によらない開示等の求めには")
    assert kb.answer_for("faq_how_to_request", message="申し込みの方法を教えて").part is None
