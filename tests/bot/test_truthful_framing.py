"""What the chat says about itself is what the policy allows (issue 13, item 1).

Section 8 takes 開示等 requests at the counter, by phone or by post and may refuse another
method; so the chat takes a request *in advance* and 総務部 completes it. These texts must
never present the chat as the place where a request is formally accepted, nor claim what the
policy does not say.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
SITE = (ROOT / "bot" / "web" / "index.html").read_text(encoding="utf-8")


def text_of(name: str) -> str:
    return "\n".join(v.get("text", "") for v in DOMAIN["responses"][name])


@pytest.mark.parametrize("name", ["utter_greet", "utter_how_can_help", "utter_offer_request",
                                  "utter_ticket_next_steps", "utter_ticket_next_steps_agent"])
def test_filing_in_the_chat_is_described_as_taken_in_advance(name):
    text = text_of(name)
    assert "事前" in text and "総務部" in text
    assert "お申込みを承ります" not in text and "お申し込みを承ります" not in text and "受け付けることもできます" not in text


@pytest.mark.parametrize("name", ["utter_ticket_next_steps", "utter_ticket_next_steps_agent"])
def test_next_steps_say_what_section_8_says(name):
    text = text_of(name)
    assert "当社所定の申込書面" in text and "当社所定の手数料" in text and "書面の交付その他の方法" in text


def test_agents_are_checked_as_the_policy_says_not_by_a_licence():
    agent = text_of("utter_ticket_next_steps_agent")
    assert "委任状" in agent and "印鑑証明書" in agent and "ご本人への電話" in agent
    assert "運転免許証" not in agent and "コールバック" not in agent


@pytest.mark.parametrize(
    "claim",
    ["検針票", "家族", "成年後見人", "受付時間内に総務部からお電話", "都市ガス", "千葉県", "料金プラン", "ご請求を承ります"],
)
def test_claims_the_policy_does_not_make_are_gone(claim):
    everything = "\n".join(v.get("text", "") for variants in DOMAIN["responses"].values() for v in variants)
    assert claim not in everything and claim not in SITE
