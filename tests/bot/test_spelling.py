"""One spelling per word, as the policy spells it: お申込み / 申込み (the policy never writes
お申し込み); the verb stays 申し込む. Customers read these texts next to the policy's."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
POLICY = (ROOT / "policy_kb" / "source" / "privacy_policy.txt").read_text(encoding="utf-8")


def customer_texts() -> list[tuple[str, str]]:
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    texts = [(name, v.get("text") or "") for name, variants in domain["responses"].items() for v in variants]
    texts += [(f"{name} button", b.get("title") or "") for name, variants in domain["responses"].items()
              for v in variants for b in v.get("buttons") or []]
    texts.append(("answers.yml", (ROOT / "policy_kb" / "answers.yml").read_text(encoding="utf-8")))
    texts.append(("index.html", (ROOT / "bot" / "web" / "index.html").read_text(encoding="utf-8")))
    from sobu_privacy.intents import INTENT_LABELS
    from sobu_privacy.request_form import REQUEST_FORM_FIELDS

    texts += [(f"intent label {k}", v) for k, v in INTENT_LABELS.items()]
    texts += [(f"form field {f.slot}", str(f)) for f in REQUEST_FORM_FIELDS]
    return texts


def test_the_policy_writes_moushikomi_this_way():
    assert "お申込み" in POLICY and "お申し込み" not in POLICY


@pytest.mark.parametrize("where,text", customer_texts())
def test_the_noun_is_spelt_as_in_the_policy(where, text):
    assert "お申し込み" not in text, where
    assert not re.search(r"(?<!お)申し込み(?=[をのはがにでもと」])", text), where
