"""The product's vocabulary: one definition of each word, agreeing with the contract, the
domain, the rules and the knowledge base."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from scripts.measure_common import CONTRACT_CANDIDATES, load_contract_intents
from sobu_privacy import intents, request_form
from sobu_privacy.clock import JST
from sobu_privacy.requests import DeliveryMethod, RequesterKind, RequestType, UnknownValue
from sobu_privacy.roles import ADMIN_ROLES, ANALYTICS_ROLES, STAFF_ROLES, Role
from sobu_privacy.settings import SettingError, Settings
from sobu_privacy.workflow import ALLOWED_TRANSITIONS, TicketStatus, allowed_next, is_overdue

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
RULES = yaml.safe_load((ROOT / "bot" / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
POLICY_TEXT = (ROOT / "policy_kb" / "source" / "privacy_policy.txt").read_text(encoding="utf-8")
CONTRACT = next((c for c in CONTRACT_CANDIDATES if c.exists()), None)


def test_the_vocabulary_loads_no_server_or_database_library():
    code = (
        "import sys, pkgutil, importlib, sobu_privacy\n"
        "for m in pkgutil.iter_modules(sobu_privacy.__path__): importlib.import_module('sobu_privacy.' + m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk', 'sanic', 'sqlalchemy', 'spacy')]\n"
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# --------------------------------------------------------------------------- intents


def test_intent_groups_are_the_contract():
    assert CONTRACT is not None, "shared/contract/intents.yml not found beside the repository"
    names = load_contract_intents(CONTRACT)
    assert set(intents.FAQ_INTENTS) == {n for n in names if n.startswith("faq_")}
    assert set(intents.REQUEST_INTENTS) | set(intents.DIALOGUE_INTENTS) == {
        n for n in names if not n.startswith("faq_")
    }


def test_the_domain_declares_exactly_the_vocabulary_intents():
    expected = {*intents.FAQ_INTENTS, *intents.REQUEST_INTENTS, *intents.DIALOGUE_INTENTS, *intents.PROJECT_INTENTS}
    assert set(DOMAIN["intents"]) == expected


def test_every_intent_has_a_japanese_label():
    for name in [*DOMAIN["intents"], intents.FALLBACK_INTENT]:
        label = intents.intent_label(name)
        assert label != name and not label.isascii(), name


def _or_intents(rule):
    step = rule["steps"][0]
    return {alt["intent"] for alt in step["or"]} if "or" in step else {step.get("intent")}


def test_the_rules_answer_every_faq_intent_in_and_outside_forms():
    by_name = {rule["rule"]: rule for rule in RULES}
    offered = set(intents.OFFER_REQUEST_INTENTS)
    assert _or_intents(by_name["answer a policy question"]) == set(intents.FAQ_INTENTS) - offered
    assert _or_intents(by_name["answer about a right or how to file, with the offer to file it"]) == offered
    assert _or_intents(by_name["policy question during the request form"]) == set(intents.FAQ_INTENTS)
    assert _or_intents(by_name["policy question during the status check"]) == set(intents.FAQ_INTENTS)


def test_form_answers_exclude_exactly_the_form_interruptions():
    for slot_name, slot in DOMAIN["slots"].items():
        for mapping in slot.get("mappings", []):
            if mapping.get("type") == "from_text" and slot_name != "request_details":
                assert set(mapping["not_intent"]) == set(intents.FORM_INTERRUPTIONS), slot_name


def test_the_knowledge_base_answers_every_faq_intent():
    from policy_kb import load_knowledge_base

    assert set(load_knowledge_base().faq_intents) == set(intents.FAQ_INTENTS)


# --------------------------------------------------------------------------- request form


def test_the_domain_form_asks_the_table_in_order():
    assert DOMAIN["forms"]["request_form"]["required_slots"] == list(request_form.FORM_SLOTS)
    for field in request_form.REQUEST_FORM_FIELDS:
        assert field.slot in DOMAIN["slots"], field.slot
        assert f"utter_ask_{field.slot}" in DOMAIN["responses"], field.slot


def test_form_fields_name_real_ticket_fields():
    from dataclasses import fields

    from storage.tickets import TicketDraft

    draft_fields = {f.name for f in fields(TicketDraft)}
    stored = [f.ticket_field for f in request_form.REQUEST_FORM_FIELDS if f.ticket_field]
    assert set(stored) <= draft_fields and len(stored) == len(set(stored))
    assert request_form.AGENT_SLOTS == ("agent_name", "agent_relationship", "agent_documents")


def test_a_field_is_named_in_words():
    assert request_form.field_named_in("電話番号を直したい") == "phone"
    assert request_form.field_named_in("住所が違います") == "address"
    assert request_form.field_named_in("なんとなく") is None
    assert request_form.field_named_in("代理人の名前を変えたい") == "agent_name"  # the longest word named wins
    assert request_form.field_named_in("代理人です") == "requester_kind"


# --------------------------------------------------------------------------- requests, workflow, roles


@pytest.mark.parametrize("enum", [RequestType, RequesterKind, DeliveryMethod])
def test_members_parse_from_value_and_label(enum):
    for member in enum:
        assert enum.parse(member.value) is member and enum.parse(member.label) is member
        assert enum.parse(f" {member.label} ") is member
    with pytest.raises(UnknownValue):
        enum.parse("なにか")


def test_labels_are_spelled_as_the_policy_spells_them():
    for member in RequestType:
        assert member.label in POLICY_TEXT, member
    for status in TicketStatus:
        assert status.label  # the workflow's own words (design notes), not policy words


def test_requests_that_end_the_use_of_data():
    assert {t for t in RequestType if t.ends_use_of_data} == {
        RequestType.DELETION, RequestType.STOP_USE, RequestType.ERASURE}


def test_workflow_moves_and_their_order():
    assert allowed_next(TicketStatus.PENDING_VERIFICATION) == [
        TicketStatus.ACCEPTED, TicketStatus.WITHDRAWN, TicketStatus.REFUSED]
    for status in TicketStatus:
        assert (not ALLOWED_TRANSITIONS[status]) == status.is_final


def test_overdue_only_after_the_due_day_and_only_while_open():
    due = date(2026, 12, 3)
    assert not is_overdue(TicketStatus.IN_PROGRESS, due, date(2026, 12, 3))  # due today
    assert is_overdue(TicketStatus.IN_PROGRESS, due, date(2026, 12, 4))
    assert not is_overdue(TicketStatus.ANSWERED, due, date(2027, 1, 1))


def test_role_sets():
    assert STAFF_ROLES == {Role.STAFF, Role.ADMIN}
    assert ANALYTICS_ROLES == {Role.ANALYST, Role.ADMIN}
    assert ADMIN_ROLES == {Role.ADMIN}
    assert "staff" in STAFF_ROLES  # the stored string value is the member
    assert [role.label for role in Role] == ["担当者", "分析担当", "管理者"]


# --------------------------------------------------------------------------- settings


def test_settings_defaults_and_environment():
    assert Settings.from_env({}) == Settings()
    settings = Settings.from_env({
        "TICKET_DUE_DAYS": "7", "CONSOLE_SESSION_MINUTES": "20", "STATUS_CHECK_MAX_FAILURES": "5",
        "EMERGENCY_PHONE": " 0479-00-0000 ", "ASSISTANT_NOW": "2026-11-25T10:00:00",
        "CONSOLE_LOGIN_LOCK_MINUTES": "0.5",
    })
    assert (settings.ticket_due_days, settings.staff_session_minutes, settings.status_check_max_failures) == (7, 20, 5)
    assert settings.emergency_phone == "0479-00-0000" and settings.login_lock_minutes == 0.5
    assert settings.now() == datetime(2026, 11, 25, 10, tzinfo=JST)


@pytest.mark.parametrize("name, value", [("TICKET_DUE_DAYS", "two"), ("TICKET_DUE_DAYS", "0"),
                                         ("CONSOLE_LOGIN_LOCK_MINUTES", "-1"), ("ASSISTANT_NOW", "yesterday")])
def test_bad_settings_are_refused_with_their_name(name, value):
    with pytest.raises(SettingError, match=name):
        Settings.from_env({name: value})


# --------------------------------------------------------------------------- pseudonyms


def test_pseudonyms_are_keyed_stable_and_per_purpose():
    from sobu_privacy.pseudonyms import ANALYTICS, LOG, log_ref, pseudonym

    key = b"k" * 32
    assert pseudonym("conv-1", purpose=LOG, key=key) == pseudonym("conv-1", purpose=LOG, key=key)
    assert pseudonym("conv-1", purpose=LOG, key=key) != pseudonym("conv-2", purpose=LOG, key=key)
    assert pseudonym("conv-1", purpose=LOG, key=key) != pseudonym("conv-1", purpose=ANALYTICS, key=key)
    assert pseudonym("conv-1", purpose=LOG, key=key) != pseudonym("conv-1", purpose=LOG, key=b"x" * 32)
    ref = log_ref("3f2a9c1e-aaaa-bbbb")
    assert ref.startswith("c-") and len(ref) == 14 and "3f2a9c1e" not in ref
    assert log_ref(None) == "c-none"
    assert pseudonym("\ud800", purpose=LOG, key=key)  # a lone surrogate in an id does not crash logging


def test_the_pseudonym_key_comes_from_the_environment():
    assert Settings.from_env({"PSEUDONYM_KEY": "a" * 32}).pseudonym_key == b"a" * 32
    assert Settings.from_env({}).pseudonym_key != Settings.from_env({}).pseudonym_key  # random when unset
    with pytest.raises(SettingError, match="PSEUDONYM_KEY"):
        Settings.from_env({"PSEUDONYM_KEY": "short"})


def test_the_summary_actions_are_the_domains():
    assert set(request_form.SUMMARY_ACTIONS) <= set(DOMAIN["actions"])
