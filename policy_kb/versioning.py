"""Which version of the policy the answers were checked against, and what a change touches.

The bundled policy text (``source/privacy_policy.txt``) is the ground truth of every answer.
``source/checked.json`` records its SHA-256 and one hash per numbered section at the time the
answers were last reviewed against it. When the text changes, ``changed_sections`` names the
sections whose text differs and ``affected_answers`` the answers that cite them, so
``make test`` fails with the list a reviewer must read again. After the review:

    .venv/bin/python -m policy_kb.versioning --accept
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from .build import DEFAULT_SOURCE_PATH, load_knowledge_base
from .knowledge_base import KnowledgeBase

CHECKED_PATH = DEFAULT_SOURCE_PATH.parent / "checked.json"
#: Text before the first numbered section (the preamble) is recorded under this key.
PREAMBLE = "preamble"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def section_texts(source: str, kb: KnowledgeBase) -> Dict[str, str]:
    """The source split at the KB's section headings (``8. お客様情報の開示等…``)."""
    headings = {f"{section.number}. {section.title}".strip(): section.number for section in kb.sections}
    parts: Dict[str, List[str]] = {PREAMBLE: []}
    current = PREAMBLE
    for line in source.splitlines():
        if line.strip() in headings:
            current = headings[line.strip()]
            parts.setdefault(current, [])
        parts[current].append(line)
    return {key: "\n".join(lines) for key, lines in parts.items()}


@dataclass(frozen=True)
class PolicyVersion:
    source_sha256: str
    sections: Mapping[str, str]

    @classmethod
    def of(cls, source: str, kb: KnowledgeBase) -> "PolicyVersion":
        return cls(_digest(source), {k: _digest(v) for k, v in section_texts(source, kb).items()})

    def to_json(self) -> str:
        return json.dumps({"source_sha256": self.source_sha256, "sections": dict(self.sections)},
                          ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "PolicyVersion":
        data = json.loads(text)
        return cls(data["source_sha256"], data["sections"])


def changed_sections(checked: PolicyVersion, current: PolicyVersion) -> List[str]:
    keys = set(checked.sections) | set(current.sections)
    return sorted(k for k in keys if checked.sections.get(k) != current.sections.get(k))


def affected_answers(kb: KnowledgeBase, sections: List[str]) -> List[str]:
    """The answers (intent, intent/context, or intent#part) citing any of these sections."""
    touched = set(sections)
    return sorted(
        answer.intent + (f"/{answer.context}" if answer.context else "") + (f"#{answer.part}" if answer.part else "")
        for answer in kb.iter_answers()
        if touched & set(answer.sections) or PREAMBLE in touched and not answer.sections
    )


def current_version(kb: Optional[KnowledgeBase] = None, source_path: Path = DEFAULT_SOURCE_PATH) -> PolicyVersion:
    kb = kb or load_knowledge_base()
    return PolicyVersion.of(source_path.read_text(encoding="utf-8"), kb)


def checked_version(path: Path = CHECKED_PATH) -> Optional[PolicyVersion]:
    return PolicyVersion.from_json(path.read_text(encoding="utf-8")) if path.exists() else None


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    kb = load_knowledge_base()
    current = current_version(kb)
    if args == ["--accept"]:
        CHECKED_PATH.write_text(current.to_json(), encoding="utf-8")
        print(f"recorded {current.source_sha256[:12]} as the policy the answers were checked against")
        return 0
    checked = checked_version()
    if checked is None or checked.source_sha256 != current.source_sha256:
        sections = changed_sections(checked, current) if checked else sorted(current.sections)
        print(f"the policy changed in sections {', '.join(sections)}; review: {', '.join(affected_answers(kb, sections))}")
        return 1
    print("the bundled policy is the one the answers were checked against")
    return 0


if __name__ == "__main__":
    sys.exit(main())
