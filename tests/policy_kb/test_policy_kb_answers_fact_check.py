"""Every text the assistant can send from answers.yml states only what the policy says."""

from __future__ import annotations

import re

import pytest

from pathlib import Path

from policy_kb import KnowledgeBase, load_knowledge_base, unsupported_facts
from policy_kb.coverage import answer_label
from policy_kb.fact_check import extract_facts

KB = load_knowledge_base()
PKG = Path(__file__).resolve().parents[2] / "policy_kb"


def _all_texts(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(label, text) for every short, detail, context variant, part and block, as sent (with
    citation). ``iter_answers`` yields everything ``answer_for`` can return, parts included."""
    out: list[tuple[str, str]] = []
    for a in kb.iter_answers():
        label = answer_label(a)  # intent, intent@previous, intent#part
        out.append((label + ".short", a.text_short()))
        out.append((label + ".detail", a.text_detail()))
    for name, block in kb.blocks.items():
        out.append((f"block.{name}", block.text_with_citation()))
    return out


ALL_TEXTS = _all_texts(KB)
ANSWERS = list(KB.iter_answers())


def _id(a) -> str:
    return answer_label(a)


@pytest.mark.parametrize("label, text", ALL_TEXTS, ids=[label for label, _ in ALL_TEXTS])
def test_no_unsupported_facts(label: str, text: str) -> None:
    assert unsupported_facts(text) == []


def test_all_kinds_of_text_are_checked() -> None:
    labels = {label for label, _ in ALL_TEXTS}
    assert "block.contact_and_hours.short" not in labels and "block.contact_and_hours" in labels
    assert "faq_agent@faq_disclosure.short" in labels
    assert len([a for a in ANSWERS if a.context is None and a.part is None]) == 16
    # every part of every answer is checked, as sent
    parts = [p for intent in KB.faq_intents for p in KB.parts(intent)]
    assert len(parts) >= 10
    for p in parts:
        assert f"{p.answer.intent}#{p.name}.short" in labels
        assert (f"{p.answer.intent}#{p.name}.short", p.answer.text_short()) in ALL_TEXTS


_TINY_ANSWERS = """\
blocks:
  contact_and_hours:
    text: 窓口は{contact.department}（電話 {contact.phone}）です。
    sources: [s8.contact, s8.hours, s8.hours.closed]
answers:
  faq_joint_use_electricity:
    short: 電力事業では、一般送配電事業者等との間でお客さま情報を共同利用することがあります。
    detail: 電力事業では、一般送配電事業者等との間でお客さま情報を共同利用することがあります。
    sources: [s4.table2.intro, s4.table2]
    parts:
      transmission_operators:
        when: [送配電]
        short: 一般送配電事業者とは、全国の10社をいいます。
        sources: [note.3]
"""


def test_an_unsupported_claim_in_a_part_fails_the_check(tmp_path: Path) -> None:
    # A tiny answers.yml whose only part makes up a number (the policy names the companies, it
    # never counts them): the texts this module checks include it, and the check flags it.
    (tmp_path / "policy.yml").write_text((PKG / "policy.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "answers.yml").write_text(_TINY_ANSWERS, encoding="utf-8")
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "privacy_policy.txt").write_text(KB.source_text, encoding="utf-8")
    kb = load_knowledge_base(tmp_path)
    flagged = {label: unsupported_facts(text) for label, text in _all_texts(kb) if unsupported_facts(text)}
    assert flagged == {"faq_joint_use_electricity#transmission_operators.short": ["10社"]}
    # the same part is also what the bot sends for such a question
    assert kb.answer_for("faq_joint_use_electricity", message="送配電って？").part == "transmission_operators"


@pytest.mark.parametrize("a", ANSWERS, ids=_id)
def test_short_answer_fits_a_phone_chat(a) -> None:
    sentences = [s for s in re.split(r"(?<=[。！？])", a.short) if s.strip()]
    assert 1 <= len(sentences) <= 3, a.short
    assert len(a.short) <= 125, (len(a.short), a.short)  # target is about 120
    assert a.short.endswith("。")
    assert "\n" not in a.short


@pytest.mark.parametrize("a", ANSWERS, ids=_id)
def test_polite_style(a) -> None:
    for text in filter(None, (a.short, a.detail)):
        sentences = [s.strip() for s in re.split(r"[。\n]", text) if s.strip()]
        finals = [s for s in sentences if not s.startswith("・") and "：" not in s]
        assert finals, text
        for s in finals:
            s = re.sub(r"（[^（）]*）$", "", s)  # a closing parenthetical such as （…を除く）
            # ends in a polite form (…ます, …です, …ません, …ください, …ございます …)
            assert re.search(r"(ます|です|ません|ください|ございます)[）)]?$", s), s


@pytest.mark.parametrize("a", ANSWERS, ids=_id)
def test_sources_and_citation(a) -> None:
    assert a.sources
    for sid in a.sources:
        KB.piece(sid)  # exists
    assert a.sections == sorted({KB.piece(s).section for s in a.sources}, key=int)
    assert a.citation == "（プライバシーポリシー " + "・".join(f"{n}." for n in a.sections) + " より）"
    for text in filter(None, (a.short, a.detail)):
        assert "プライバシーポリシー " not in text and not re.search(r"\d\.\s*より", text)
        assert "{" not in text and "}" not in text  # every placeholder rendered


@pytest.mark.parametrize("intent, section", [
    ("faq_basic_policy", "1"), ("faq_purpose", "2"), ("faq_outsourcing", "2"), ("faq_third_party", "3"),
    ("faq_joint_use_gas", "4"), ("faq_joint_use_electricity", "4"), ("faq_security", "1"),
    ("faq_disclosure", "5"), ("faq_correction", "6"), ("faq_stop_use", "7"), ("faq_how_to_request", "8"),
    ("faq_identity_verification", "8"), ("faq_agent", "8"), ("faq_fee", "8"), ("faq_corporate", "9"),
    ("faq_collected_info", "2"),
])
def test_answer_cites_the_contract_section(intent: str, section: str) -> None:
    assert section in KB.answer_for(intent).sections


def test_how_to_request_renders_the_contact_data() -> None:
    c = KB.contact
    for a in [KB.answer_for("faq_how_to_request")] + [
        KB.answer_for("faq_how_to_request", p) for p in KB.context_variants("faq_how_to_request")
    ]:
        for value in (c.address, c.department, c.phone, c.hours, c.closed_days):
            assert value in a.short, (value, a.short)
            assert value in (a.detail or a.short)
    raw = KB.answers_path.read_text(encoding="utf-8")
    # contact data is never copied into answers.yml, only referenced
    for value in (c.address, c.phone, "午前9時", "12/30"):
        assert value not in raw


@pytest.mark.parametrize("intent", ["faq_disclosure", "faq_correction", "faq_stop_use"])
def test_reasonable_period_is_not_turned_into_days(intent: str) -> None:
    a = KB.answer_for(intent)
    assert "合理的な期間" in a.short
    for text in (a.short, a.detail or ""):
        assert not re.search(r"[0-9０-９一二三四五六七八九十]+\s*(日|週間|か月|ヶ月|営業日)", text)


def test_context_variants_name_their_context() -> None:
    words = {"faq_disclosure": "開示", "faq_correction": "訂正", "faq_stop_use": "利用停止"}
    for intent in KB.faq_intents:
        for prev in KB.context_variants(intent):
            assert words[prev] in KB.answer_for(intent, prev).short


def test_fee_answer_does_not_invent_an_amount() -> None:
    a = KB.answer_for("faq_fee")
    assert "所定の手数料" in a.short
    assert not re.search(r"\d+\s*円|無料|無償", a.text_detail())


# --- the checker itself ------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("お電話はフリーダイヤル0120-000-000までどうぞ。", "0120-000-000"),
    ("開示請求には14日以内に回答いたします。", "14日"),
    ("開示請求には14日以内に回答いたします。", "以内"),
    ("マイナンバーカードでも本人確認ができます。", "マイナンバーカード"),
    ("住民票の写しをお持ちください。", "住民票"),
    ("保険証でも大丈夫です。", "保険証"),
    ("受付時間は午前9時から午後6時までです。", "午後6時"),
    ("受付時間は9:00〜18:00です。", "18:00"),
    ("12月28日から1月4日までお休みです。", "12月28日"),
    ("手数料は無料です。", "無料"),
    ("手数料は1件1000円です。", "1000円"),
    ("個人情報保護委員会に相談できます。", "個人情報保護委員会"),
    ("個人情報保護法第33条に基づき回答します。", "個人情報保護法"),
    ("個人情報保護法第33条に基づき回答します。", "第33条"),
    ("東京電力株式会社と共同利用します。", "東京電力株式会社"),
    ("総武ガスサービス株式会社に委託します。", "総武ガスサービス株式会社"),
    ("ガス小売事業者と共有します。", "ガス小売事業者"),
    ("メールでもお申し込みいただけます。", "メール"),
    ("FAXでも受け付けます。", "FAX"),
    ("二週間ほどで回答します。", "二週間"),
    ("3営業日以内にご連絡します。", "3営業日"),
    ("詳しくは https://example.com/privacy をご覧ください。", "https://example.com/privacy"),
    ("窓口は旭市二の5942番地です。", "5942番地"),
])
def test_checker_flags_invented_facts(text: str, expected: str) -> None:
    assert expected in unsupported_facts(text)


def test_checker_flags_invented_fact_inside_a_real_answer() -> None:
    a = KB.answer_for("faq_how_to_request")
    assert unsupported_facts(a.short) == []
    assert unsupported_facts(a.short.replace(KB.contact.phone, "0479-63-1001")) == ["0479-63-1001"]
    assert unsupported_facts(a.short + "お急ぎの方は0120-000-000へ。") == ["0120-000-000"]


@pytest.mark.parametrize("text", [
    "受付時間は9:00〜17:00です。",
    "受付時間は午前９時～午後５時です。",  # full-width digits, full-width tilde
    "受付時間は9時から17時までです。",
    "12月30日から1月4日まではお休みです。",
    "電話番号は０４７９－６３－１０００です。",
    "電話番号は0479631000です。",
    "窓口は旭市二の5941番地の総務部です。",
    "当社総武産業株式会社と共同利用します。",
    "一般送配電事業者とは、北海道電力株式会社などをいいます。",
    "健康保険の被保険者証や運転免許証、パスポートで確認します。",
    "委任状と印鑑証明書が必要です。",
    "電気事業法に規定される小売電気事業者です。",
    "Eメールアドレス等をお預かりしています。",
    "書面の交付により回答した場合は、当社所定の手数料をお支払いいただきます。",
    "受付方法によらない求めには応じられない場合があります。",
    "（プライバシーポリシー 5.・8. より）",
])
def test_checker_accepts_what_the_policy_says(text: str) -> None:
    assert unsupported_facts(text) == []


def test_checker_sees_the_facts_it_should() -> None:
    kinds = {f.kind for f in extract_facts(
        "総務部（電話 0479-63-1000）平日 午前9時〜午後5時、12/30～1/4、総武産業株式会社、"
        "電力広域的運営推進機関、資源エネルギー庁、運転免許証、電気事業法、手数料、第2条")}
    assert kinds >= {"phone", "time", "date", "company", "body", "document", "law", "claim", "number"}


def test_source_has_no_unsupported_facts() -> None:
    assert unsupported_facts(KB.source_text) == []


def test_custom_source_text() -> None:
    assert unsupported_facts("電話 0120-000-000", source_text="電話 0120-000-000") == []
    assert unsupported_facts("電話 0479-63-1000", source_text="電話 0120-000-000") == ["0479-63-1000"]
