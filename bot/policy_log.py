"""RulePolicy's debug line about the conversation shows its last states, not all of them.

Before each rule look-up Rasa's RulePolicy formats every state of the conversation into one
string for a debug line (``Policy.format_tracker_states``), whether or not debug lines are
written: at the 100th turn about 0.15 ms per look-up and four to six look-ups a turn, a cost
that grows with the conversation (issue 12). Rules look at a conversation's last few states, so
the line now shows those (``STATES_SHOWN``) and how many there are. What the policies predict
does not change: nothing else reads this string. Customer text in it is scrubbed like in every
other log line (``sobu_privacy/logsafe.py``).

``install()`` is called by scripts/rasa_server.py, the project's Rasa entry point; nothing under
.venv is edited.
"""
from __future__ import annotations

from typing import Dict, List, Text

from rasa.core.policies.policy import Policy

__all__ = ["STATES_SHOWN", "format_recent_states", "install"]

#: The states shown: more than the longest rule of bot/data/rules.yml looks back at.
STATES_SHOWN = 8
_RASA_FORMAT = Policy.format_tracker_states


def format_recent_states(states: List[Dict]) -> Text:
    """Rasa's formatting of the last ``STATES_SHOWN`` states, after how many there are."""
    shown = states[-STATES_SHOWN:]
    return f"{len(states)} states, the last {len(shown)}:{_RASA_FORMAT(shown)}"


def install() -> None:
    """Use ``format_recent_states`` for RulePolicy's debug line in this process."""
    Policy.format_tracker_states = staticmethod(format_recent_states)  # type: ignore[method-assign]
