"""The answers were checked against this policy text; a change names the answers to review."""
from __future__ import annotations

from policy_kb import load_knowledge_base
from policy_kb.build import DEFAULT_SOURCE_PATH
from policy_kb.versioning import PolicyVersion, affected_answers, changed_sections, checked_version, current_version


def test_the_bundled_policy_is_the_one_the_answers_were_checked_against():
    kb = load_knowledge_base()
    checked, current = checked_version(), current_version(kb)
    assert checked is not None, "run `.venv/bin/python -m policy_kb.versioning --accept` after reviewing"
    sections = changed_sections(checked, current)
    assert not sections, (
        f"the policy text changed in sections {sections}; review these answers against it, then run "
        f"`.venv/bin/python -m policy_kb.versioning --accept`: {affected_answers(kb, sections)}"
    )
    assert checked.source_sha256 == current.source_sha256


def test_a_change_in_one_section_names_the_answers_citing_it():
    kb = load_knowledge_base()
    source = DEFAULT_SOURCE_PATH.read_text(encoding="utf-8")
    before = PolicyVersion.of(source, kb)
    changed = PolicyVersion.of(source.replace("当社所定の手数料をお支払いいただきます", "手数料は無料です"), kb)
    assert changed.source_sha256 != before.source_sha256
    assert changed_sections(before, changed) == ["8"]
    answers = affected_answers(kb, ["8"])
    assert "faq_fee" in answers and "faq_purpose" not in answers
    assert PolicyVersion.from_json(before.to_json()) == before
