"""The domain's own texts: polite, and never stating a fact the policy does not contain."""
import re
from pathlib import Path

import pytest
import yaml

from policy_kb.fact_check import unsupported_facts
from scripts.measure_common import CONTRACT_CANDIDATES, load_contract_intents

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
CONTRACT = next((c for c in CONTRACT_CANDIDATES if c.exists()), None)
CONTRACT_INTENTS = set(load_contract_intents(CONTRACT)) if CONTRACT else set()


def response_texts():
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            yield name, variant["text"]


# Questions and re-prompts carry format examples (例：289-2511), not statements about the policy.
STATEMENTS = [(n, t) for n, t in response_texts() if not n.startswith(("utter_ask_", "utter_invalid_"))]


@pytest.mark.parametrize("name, text", STATEMENTS, ids=[n for n, _ in STATEMENTS])
def test_statements_only_carry_facts_from_the_policy(name, text):
    without_placeholders = re.sub(r"\{[a-z_]+\}", "", text)
    assert unsupported_facts(without_placeholders) == []


WORDED = [(n, t) for n, t in response_texts() if not re.fullmatch(r"\{[a-z_]+\}", t)]


@pytest.mark.parametrize("name, text", WORDED, ids=[n for n, _ in WORDED])
def test_texts_are_polite(name, text):
    sentences = [s for s in text.replace("？", "。").split("。") if s.strip()]
    assert any(marker in text for marker in ("です", "ます", "ください", "ません", "でした")), text
    assert sentences


def test_every_contract_intent_is_in_the_domain():
    assert CONTRACT_INTENTS, "contract not found beside the repository"
    assert CONTRACT_INTENTS <= set(DOMAIN["intents"])
