"""RulePolicy's debug line shows the last states, formatted as Rasa formats them."""
from __future__ import annotations

import pytest
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy

from bot import policy_log


def states(n: int) -> list:
    return [{"user": {"intent": f"faq_{i}"}, "prev_action": {"action_name": "action_listen"}} for i in range(n)]


def test_the_last_states_as_rasa_formats_them() -> None:
    line = policy_log.format_recent_states(states(200))
    assert line.startswith("200 states, the last 8:")
    assert line.endswith(policy_log._RASA_FORMAT(states(200)[-8:]))
    assert "faq_191" not in line and "faq_192" in line and "faq_199" in line


@pytest.mark.parametrize("n", [0, 1, 8])
def test_a_short_conversation_is_shown_whole(n: int) -> None:
    assert policy_log.format_recent_states(states(n)).endswith(policy_log._RASA_FORMAT(states(n)))


def test_installed_for_rulepolicy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Policy, "format_tracker_states", Policy.__dict__["format_tracker_states"])  # restored after
    policy_log.install()
    assert RulePolicy.format_tracker_states(states(20)).startswith("20 states, the last 8:")
