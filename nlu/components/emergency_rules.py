"""Gas-emergency detection rules (no Rasa import; terms in ``emergency_terms.yml``).

``detect_emergency(text)`` returns an ``EmergencyMatch`` (the matched span in ``text``)
or None.  ``text`` should be normalised (``normalize_text``); spaces are ignored when
matching, so "ガス 臭い" counts as "ガス臭い".  The rule::

    emergency = any(report) or (any(mention) and not any(service_topic))
"""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Union

import yaml

__all__ = ["EmergencyMatch", "EmergencyRules", "DEFAULT_TERMS_FILE", "detect_emergency"]

DEFAULT_TERMS_FILE = Path(__file__).with_name("emergency_terms.yml")
_SECTIONS = ("report", "mention", "service_topic")


@dataclasses.dataclass(frozen=True)
class EmergencyMatch:
    start: int  # offsets in the text given to ``detect``
    end: int
    kind: str  # "report" or "mention"
    pattern: str


class EmergencyRules:
    def __init__(self, terms: Dict[str, List[str]]) -> None:
        unknown = set(terms) - set(_SECTIONS)
        if unknown:
            raise ValueError(f"unknown sections in emergency terms: {sorted(unknown)}")
        self.patterns: Dict[str, List[Pattern[str]]] = {
            section: [re.compile(p, re.IGNORECASE) for p in (terms.get(section) or [])]
            for section in _SECTIONS
        }
        if not self.patterns["report"]:
            raise ValueError("emergency terms need at least one 'report' pattern")

    @classmethod
    def from_file(cls, path: Union[str, Path] = DEFAULT_TERMS_FILE) -> "EmergencyRules":
        with open(path, encoding="utf-8") as f:
            return cls(yaml.safe_load(f) or {})

    def detect(self, text: Optional[str]) -> Optional[EmergencyMatch]:
        if not text:
            return None
        # match on the text without spaces, remembering where each character came from
        positions = [i for i, ch in enumerate(text) if not ch.isspace()]
        compact = "".join(text[i] for i in positions)
        if not compact:
            return None

        def first(section: str) -> Optional[EmergencyMatch]:
            for regex in self.patterns[section]:
                m = regex.search(compact)
                if m and m.end() > m.start():
                    return EmergencyMatch(
                        positions[m.start()], positions[m.end() - 1] + 1, section, regex.pattern
                    )
            return None

        report = first("report")
        if report:
            return report
        mention = first("mention")
        if mention and not first("service_topic"):
            return mention
        return None


@lru_cache(maxsize=8)
def _rules_for(path: str) -> EmergencyRules:
    return EmergencyRules.from_file(path)


def detect_emergency(
    text: Optional[str], terms_file: Union[str, Path] = DEFAULT_TERMS_FILE
) -> Optional[EmergencyMatch]:
    """The emergency found in ``text`` (normalised), or None."""
    return _rules_for(str(terms_file)).detect(text)
