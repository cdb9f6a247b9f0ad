"""The domain's own texts: polite, and never stating a claim the policy does not make."""
import re
from pathlib import Path

import pytest
import yaml

from policy_kb.fact_check import check, problems
from scripts.measure_common import CONTRACT_CANDIDATES, load_contract_intents

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
CONTRACT = next((c for c in CONTRACT_CANDIDATES if c.exists()), None)
CONTRACT_INTENTS = set(load_contract_intents(CONTRACT)) if CONTRACT else set()


def response_texts():
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            yield name, variant["text"]


def checked_texts():
    """Every text of every response variant, questions and re-prompts included, and every
    button title: all of them reach the customer."""
    for name, variants in DOMAIN["responses"].items():
        for i, variant in enumerate(variants):
            where = f"{name}[{i}]" if len(variants) > 1 else name
            if variant.get("text"):
                yield where, variant["text"]
            for button in variant.get("buttons", []):
                yield f"{where}.button.{button['title']}", button["title"]


CHECKED = list(checked_texts())


# ASCII ids: pytest re-escapes non-ASCII ids when one process collects twice (make mutate).
@pytest.mark.parametrize("name, text", CHECKED,
                         ids=[n if n.isascii() else f"{n.encode('ascii', 'ignore').decode()}#{i}"
                              for i, (n, _) in enumerate(CHECKED)])
def test_texts_only_carry_claims_from_the_policy(name, text):
    # {placeholders} are skipped; what fills them is checked where it is made
    # (policy_kb answers, tests/bot/test_customer_texts_fact_check.py).
    assert problems(check(text)) == []


def test_questions_and_buttons_are_checked_too():
    names = {n for n, _ in CHECKED}
    assert "utter_ask_postal_code" in names and "utter_invalid_phone" in names
    assert any(n.startswith("utter_ask_delivery_method[0].button.") for n in names)
    assert len([n for n in names if ".button." in n]) >= 30


WORDED = [(n, t) for n, t in response_texts() if not re.fullmatch(r"\{[a-z_]+\}", t)]


@pytest.mark.parametrize("name, text", WORDED, ids=[n for n, _ in WORDED])
def test_texts_are_polite(name, text):
    sentences = [s for s in text.replace("？", "。").split("。") if s.strip()]
    assert any(marker in text for marker in ("です", "ます", "ください", "ません", "でした")), text
    assert sentences


def test_every_contract_intent_is_in_the_domain():
    assert CONTRACT_INTENTS, "contract not found beside the repository"
    assert CONTRACT_INTENTS <= set(DOMAIN["intents"])
