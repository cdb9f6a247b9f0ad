"""Coverage of the policy by the answers (issue 13, item 3): every piece is reached by some
question, and the report really tells a reached piece from an unreached one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from policy_kb import load_knowledge_base
from policy_kb.coverage import SENT_BLOCKS, CoverageReport, Reach, coverage, main

REPO = Path(__file__).resolve().parents[2]


# --- the real knowledge base -----------------------------------------------------------

@pytest.fixture(scope="module")
def report() -> CoverageReport:
    return coverage(load_knowledge_base())


def test_no_piece_of_the_policy_is_uncovered(report: CoverageReport) -> None:
    assert [p.piece_id for p in report.uncovered] == []


def test_every_piece_of_every_section_is_in_the_report(report: CoverageReport) -> None:
    kb = load_knowledge_base()
    assert [p.piece_id for p in report.pieces] == [p.id for s in kb.sections for p in s.pieces]
    assert [s.number for s in report.sections] == [s.number for s in kb.sections]
    assert set(report.not_counted) == {"doc.title", "doc.subtitle"}


@pytest.mark.parametrize("piece_id, answer", [
    ("note.1", "faq_joint_use_electricity"), ("note.2", "faq_joint_use_electricity"),
    ("note.3", "faq_joint_use_electricity"), ("note.4", "faq_joint_use_electricity"),
    ("note.5", "faq_joint_use_electricity"), ("s1.closing", "faq_basic_policy"),
    ("s8.1", "faq_how_to_request"), ("s8.2", "faq_fee@faq_disclosure"), ("s8.2", "faq_disclosure"),
    ("s8.identity", "faq_identity_verification"),
])
def test_notes_and_headings_are_cited(report: CoverageReport, piece_id: str, answer: str) -> None:
    p = report.piece(piece_id)
    assert p.reached_by is Reach.CITED and answer in p.answers


def test_cells_of_a_cited_table_are_reached_through_it(report: CoverageReport) -> None:
    cell = report.piece("s4.table2.scope.3")
    assert cell.reached_by is Reach.ENCLOSED and cell.answers == ("faq_joint_use_electricity",)
    assert report.piece("s1.items").reached_by is Reach.PARTS  # each of the five items is cited


@pytest.mark.parametrize("piece_id, part", [
    ("note.3", "faq_joint_use_electricity#transmission_operators"),
    ("note.5", "faq_joint_use_electricity#abolition_agency"),
    ("s4.table2.manager.1", "faq_joint_use_electricity#manager"),  # inside the row the part cites
    ("s4.table1.items", "faq_joint_use_gas#items"),
    ("s8.identity.agent", "faq_identity_verification#agent"),
])
def test_parts_reach_what_they_cite(report: CoverageReport, piece_id: str, part: str) -> None:
    assert part in report.piece(piece_id).answers


def test_the_contact_block_counts_as_sent(report: CoverageReport) -> None:
    assert "block:contact_and_hours" in report.piece("s8.hours").answers


def test_every_block_is_known_to_be_sent_or_not() -> None:
    # A new block must be added to SENT_BLOCKS only once some code sends it.
    assert set(load_knowledge_base().blocks) <= set(SENT_BLOCKS)
    actions = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "actions").glob("*.py"))
    assert "contact_text(" in actions and ".blocks" not in actions


def test_make_kb_report_command_passes() -> None:
    done = subprocess.run([sys.executable, "-m", "policy_kb.coverage"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert re.search(r"^\d+ pieces, 0 uncovered$", done.stdout.strip().splitlines()[-1])


# --- a tiny knowledge base with gaps ----------------------------------------------------

POLICY = """\
version: 1
source: source/privacy_policy.txt
document:
  title: {id: doc.title, text: ポリシー}
  subtitle: {id: doc.subtitle, text: 取扱い}
sections:
  - number: "1"
    title: 考え方
    pieces:
      - {id: s1.intro, text: はじめの段落}
      - id: s1.items
        kind: list
        items:
          - {id: s1.item.1, number: 1, text: 一つ目}
          - {id: s1.item.2, number: 2, text: 二つ目}
      - id: s1.table
        kind: table
        rows:
          - {id: s1.table.a, label: 項目, text: 氏名, notes: [note.1]}
          - {id: s1.table.b, label: 目的, text: 保安}
      - id: s1.notes
        kind: list
        items:
          - {id: note.1, kind: note, label: ※1, text: 注記}
      - {id: s1.variant_only, text: 文脈の段落}
      - {id: s1.block_only, text: 送られないブロックの段落}
      - {id: s1.part_only, text: 部分だけが引く段落}
      - id: s1.all_parts
        kind: list
        items:
          - {id: s1.all_parts.1, number: 1, text: 甲}
          - {id: s1.all_parts.2, number: 2, text: 乙}
  - number: "8"
    title: 窓口
    pieces:
      - id: s8.contact
        kind: contact
        fields:
          address: {id: s8.contact.address, label: 住所, text: 旭市}
          department: {id: s8.contact.department, label: 部署名, text: 総務部}
          phone: {id: s8.contact.phone, label: 電話, text: 0479-63-1000}
      - id: s8.hours
        kind: hours
        text: 受付時間
        days: 平日
        open: 午前9時
        close: 午後5時
        open_time: "09:00"
        close_time: "17:00"
      - id: s8.hours.closed
        kind: hours_closed
        text: 休み
        closed_days: 土日
        closed_weekdays: [6, 7]
        closed_on_national_holidays: true
        closed_period: {from: "12-30", to: "01-04"}
"""

ANSWERS = """\
blocks:
  contact_and_hours:
    text: 窓口は{contact.department}です。
    sources: [s8.contact, s8.hours, s8.hours.closed]
  not_sent:
    text: どこからも送られません。
    sources: [s1.block_only]
answers:
  faq_a:
    short: はじめです。
    detail: null
    sources: [s1.intro, s1.item.1, s1.table, s1.all_parts.1, s1.all_parts.2]
    context:
      faq_b:
        short: 文脈です。
        sources: [s1.variant_only]
    parts:
      focus:
        when: [部分]
        short: 部分です。
        sources: [s1.part_only]
  faq_b:
    short: 項目です。
    detail: null
    sources: [s1.table.a]
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "policy.yml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "answers.yml").write_text(ANSWERS, encoding="utf-8")
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "privacy_policy.txt").write_text("ポリシー\n", encoding="utf-8")
    return tmp_path


def test_tiny_kb_reports_exactly_its_gaps(tiny: Path) -> None:
    r = coverage(load_knowledge_base(tiny))
    got = {p.piece_id: (p.reached_by, p.answers) for p in r.pieces}
    assert got == {
        "s1.intro": (Reach.CITED, ("faq_a",)),
        "s1.items": (Reach.NONE, ()),  # only one of its two items is reached
        "s1.item.1": (Reach.CITED, ("faq_a",)),
        "s1.item.2": (Reach.NONE, ()),
        "s1.table": (Reach.CITED, ("faq_a",)),
        "s1.table.a": (Reach.CITED, ("faq_a", "faq_b")),
        "s1.table.b": (Reach.ENCLOSED, ("faq_a",)),
        "s1.notes": (Reach.NONE, ()),
        "note.1": (Reach.NONE, ()),  # marked on a cited row, but no answer cites the note
        "s1.variant_only": (Reach.CITED, ("faq_a@faq_b",)),
        "s1.block_only": (Reach.NONE, ()),  # cited only by a block no code sends
        "s1.part_only": (Reach.CITED, ("faq_a#focus",)),  # sent when a question names the part
        "s1.all_parts": (Reach.PARTS, ("faq_a",)),
        "s1.all_parts.1": (Reach.CITED, ("faq_a",)),
        "s1.all_parts.2": (Reach.CITED, ("faq_a",)),
        "s8.contact": (Reach.CITED, ("block:contact_and_hours",)),
        "s8.contact.address": (Reach.ENCLOSED, ("block:contact_and_hours",)),
        "s8.contact.department": (Reach.ENCLOSED, ("block:contact_and_hours",)),
        "s8.contact.phone": (Reach.ENCLOSED, ("block:contact_and_hours",)),
        "s8.hours": (Reach.CITED, ("block:contact_and_hours",)),
        "s8.hours.closed": (Reach.CITED, ("block:contact_and_hours",)),
    }
    assert [p.piece_id for p in r.uncovered] == ["s1.items", "s1.item.2", "s1.notes", "note.1", "s1.block_only"]
    assert [len(s.uncovered) for s in r.sections] == [5, 0]
    assert r.not_counted == ("doc.title", "doc.subtitle")


def test_main_fails_on_the_tiny_kb(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tiny)]) == 1
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "21 pieces, 5 uncovered"
    line = next(line for line in out.splitlines() if line.startswith("s1.item.2 "))
    assert "UNCOVERED" in line
    assert "uncovered: s1.items, s1.item.2, s1.notes, note.1, s1.block_only" in out
    line = next(line for line in out.splitlines() if line.startswith("s1.part_only "))
    assert "cited" in line and line.endswith("faq_a#focus")


def test_main_passes_once_the_gaps_are_cited(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tiny / "answers.yml"
    answers.write_text(ANSWERS.replace("sources: [s1.table.a]", "sources: [s1.table.a, s1.items, note.1, s1.block_only]"),
                       encoding="utf-8")
    assert main([str(tiny)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "21 pieces, 0 uncovered"
