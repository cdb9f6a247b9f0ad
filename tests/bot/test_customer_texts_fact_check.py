"""Texts the customer reads that are not in domain.yml or answers.yml: built in code, or the
widget's page. Each carries only claims the policy makes, or reviewed non-claims
(policy_kb/non_claims.py); and every reviewed entry is used by some customer-facing text.
"""
from __future__ import annotations

import ast
import json
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from policy_kb import load_knowledge_base
from policy_kb.fact_check import check, problems
from policy_kb.non_claims import EQUIVALENTS, NON_CLAIMS
from policy_kb.normalize import fold
from sobu_privacy.request_form import AGENT_DOCUMENTS_READY, NOT_GIVEN, REQUEST_FORM_FIELDS
from sobu_privacy.requests import DeliveryMethod, RequesterKind, RequestType
from sobu_privacy.workflow import TicketStatus

ROOT = Path(__file__).resolve().parents[2]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")

# --- texts built in code ------------------------------------------------------------------
# Modules of actions/ whose Japanese literals are never sent: words recognised in what the
# customer types (「なし」「わからない」「本人」…).
NOT_SENT = {"parsing.py": "words matched in the customer's input, never sent"}


def japanese_literals(path: Path) -> list[str]:
    """Every Japanese string literal of a module except docstrings; f-string parts as {x}."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            skip.add(id(body[0].value))  # docstring
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        else:
            continue
        if JAPANESE.search(text):
            out.append(text)
    return out


ACTION_LITERALS = [
    (f"actions/{p.name}", text)
    for p in sorted((ROOT / "actions").glob("*.py"))
    if p.name not in NOT_SENT
    for text in japanese_literals(p)
]

# Labels shown in the request summary ({summary}), on 「修正する」 buttons, in the status
# report ({request_type_label}, {status}). Handoff reasons (sobu_privacy.handoff) are shown
# to staff only.
LABELS = (
    [("form field", f.label) for f in REQUEST_FORM_FIELDS if f.label]
    + [("form value", NOT_GIVEN), ("form value", AGENT_DOCUMENTS_READY)]
    + [(type(m).__name__, m.label) for enum in (RequestType, RequesterKind, DeliveryMethod) for m in enum]
    + [("TicketStatus", s.label) for s in TicketStatus]
)
CODE_TEXTS = ACTION_LITERALS + LABELS


def test_code_texts_are_found():
    where = {w for w, _ in ACTION_LITERALS}
    assert {"actions/fallback.py", "actions/opening_hours.py", "actions/request_form.py"} <= where
    assert len(LABELS) >= 25


@pytest.mark.parametrize("where, text", CODE_TEXTS, ids=[f"{w}:{i}" for i, (w, _) in enumerate(CODE_TEXTS)])
def test_code_texts_only_carry_claims_from_the_policy(where, text):
    assert problems(check(text)) == []


@pytest.mark.parametrize("moment", [
    datetime(2024, 11, 29, 18, 0),   # Friday evening → Monday
    datetime(2024, 11, 30, 10, 0),   # Saturday
    datetime(2024, 12, 29, 20, 0),   # before the year-end closing → 1/6 (Monday)
    datetime(2025, 1, 3, 9, 0),      # inside it
    datetime(2024, 11, 25, 7, 30),   # Monday, before opening
])
def test_next_opening_told_to_the_customer(moment):
    # {next_open} of utter_handoff_closed: a computed date, then the policy's opening time.
    from actions import opening_hours

    text = opening_hours.describe_opening(opening_hours.next_opening(moment))
    m = re.fullmatch(r"(\d{1,2})月(\d{1,2})日（([月火水木金])）(.+)", text)
    assert m, text  # a weekday: the desk is closed on 土日
    assert (int(m.group(1)), int(m.group(2))) not in {(12, 30), (12, 31), (1, 1), (1, 2), (1, 3), (1, 4)}
    assert problems(check(m.group(4))) == []


def test_emergency_text_as_sent():
    # {emergency_contact} is built in actions/fallback.py, with or without the configured number.
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    template = domain["responses"]["utter_emergency"][0]["text"]
    for contact in ("当社の緊急連絡先", "当社の緊急連絡先（{phone}）"):
        assert problems(check(template.replace("{emergency_contact}", contact))) == []


# --- the widget's page ------------------------------------------------------------------------
class _VisibleText(HTMLParser):
    """Text nodes, labels read out to screen readers, and the widget's JSON text block."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._json = False
        self._script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._script = tag == "script"
        self._json = self._script and a.get("type") == "application/json"
        for key in ("aria-label", "placeholder", "title", "alt"):
            if a.get(key):
                self.texts.append(a[key])

    def handle_endtag(self, tag):
        self._script = self._json = False

    def handle_data(self, data):
        if self._json:
            self.texts.extend(v for v in json.loads(data).values() if v)
        elif not self._script and data.strip():
            self.texts.append(data.strip())


def site_texts() -> list[str]:
    parser = _VisibleText()
    parser.feed((ROOT / "bot" / "web" / "index.html").read_text(encoding="utf-8"))
    return [t for t in parser.texts if JAPANESE.search(t) or re.search(r"[A-Za-z]{2}", t)]


SITE = site_texts()
@pytest.mark.parametrize("text", SITE)
def test_site_texts_only_carry_claims_from_the_policy(text):
    assert problems(check(text)) == []


def test_site_texts_are_found():
    assert any("チャットを終了" in t for t in SITE) and any("事前にお伺い" in t for t in SITE)
    assert len(SITE) >= 25


def test_widget_script_shows_no_texts_of_its_own():
    # All texts live in index.html (checked above); widget.js may only mention them in comments.
    js = (ROOT / "bot" / "web" / "widget.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", js, flags=re.S)
    assert not JAPANESE.search(code)


# --- the reviewed list is used -------------------------------------------------------------------
def all_customer_texts() -> list[str]:
    kb = load_knowledge_base()
    texts = [t for a in kb.iter_answers() for t in (a.text_short(), a.text_detail())]
    texts += [b.text_with_citation() for b in kb.blocks.values()]
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    for variants in domain["responses"].values():
        for v in variants:
            texts.append(v.get("text", ""))
            texts += [b["title"] for b in v.get("buttons", [])]
    return texts + [t for _, t in CODE_TEXTS] + SITE


def test_every_reviewed_entry_is_used_by_a_customer_text():
    everything = re.sub(r"\s+", "", fold("\n".join(all_customer_texts())))
    unused = [e.phrase for e in NON_CLAIMS if re.sub(r"\s+", "", fold(e.phrase)) not in everything]
    unused += [e.text for e in EQUIVALENTS if fold(e.text) not in everything]
    assert unused == []
