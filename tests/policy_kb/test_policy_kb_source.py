"""policy.yml against the policy text: the data must be the whole policy and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policy_kb import KnowledgeBase, load_knowledge_base
from policy_kb.source_audit import source_fragments, source_problems
from policy_kb.normalize import squash

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "policy_kb"
BUNDLED = PKG / "source" / "privacy_policy.txt"
# shared/ stands beside the repository (as on CI), or inside it (make mutate's copy links it)
SEED = next((d / "seeds" / "000_598e4b91479fbf47.txt" for d in (REPO.parent / "shared", REPO / "shared")
             if (d / "seeds").exists()), REPO.parent / "shared" / "seeds" / "000_598e4b91479fbf47.txt")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def test_bundled_copy_is_byte_identical_to_seed() -> None:
    assert SEED.exists(), f"the policy as published must be beside the repo: {SEED}"
    assert BUNDLED.read_bytes() == SEED.read_bytes()


def test_data_and_source_agree(kb: KnowledgeBase) -> None:
    assert source_problems(kb) == []


def test_every_text_piece_occurs_in_source(kb: KnowledgeBase) -> None:
    src = squash(kb.source_text)
    missing = [(where, t) for where, t in kb.verbatim_texts() if squash(t) not in src]
    assert missing == []
    # the check must see all leaf pieces, not only some
    ids = {where.split(".text")[0] for where, _ in kb.verbatim_texts() if where.endswith(".text")}
    leaves = {p.id for p in kb.pieces.values() if not p.children}
    assert leaves <= ids


def test_every_source_paragraph_is_covered(kb: KnowledgeBase) -> None:
    frags = source_fragments(kb.source_text)
    # headings, paragraphs, items, table cells and bullets, notes, contact lines
    assert len(frags) >= 80
    assert not [p for p in source_problems(kb) if p.startswith("source not covered")]


def test_section_titles_match_source_headings(kb: KnowledgeBase) -> None:
    lines = [line.strip() for line in kb.source_text.splitlines()]
    positions = [lines.index(f"{s.number}. {s.title}") for s in kb.sections]
    assert positions == sorted(positions)  # the headings, in document order


def test_no_markup_left_in_data(kb: KnowledgeBase) -> None:
    for where, text in kb.verbatim_texts():
        assert "<" not in text and ">" not in text and "^{" not in text, where


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    for name in ("policy.yml", "answers.yml"):
        shutil.copy(PKG / name, tmp_path / name)
    shutil.copytree(PKG / "source", tmp_path / "source")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_notices_a_missing_paragraph(kb_copy: Path) -> None:
    _edit(kb_copy / "policy.yml",
          "      - id: s1.closing\n        kind: paragraph\n"
          "        text: 具体的には、以下の内容に従ってお客さま情報の取り扱いをいたします。\n",
          "")
    _edit(kb_copy / "answers.yml", ", s1.closing]", "]")  # every piece is cited by some answer
    problems = source_problems(load_knowledge_base(path=kb_copy))
    assert len(problems) == 1 and "具体的には" in problems[0]


def test_check_notices_a_changed_text(kb_copy: Path) -> None:
    _edit(kb_copy / "policy.yml", "text: 0479-63-1000}", "text: 0479-63-1001}")
    problems = source_problems(load_knowledge_base(path=kb_copy))
    assert any(p.startswith("not in source: s8.contact.phone") for p in problems)
    assert any(p.startswith("source not covered") and "0479-63-1000" in p for p in problems)


def test_check_notices_a_missing_table_bullet(kb_copy: Path) -> None:
    _edit(kb_copy / "policy.yml", "              - {id: s4.table2.scope.3, marker: ・, text: 電力広域的運営推進機関}\n", "")
    problems = source_problems(load_knowledge_base(path=kb_copy))
    assert problems and all("電力広域的運営推進機関" in p for p in problems)
