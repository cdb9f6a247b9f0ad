"""scripts/mutate.py's verdict on tiny hand-made mutmut results (no mutmut run)."""
from __future__ import annotations

import json

import pytest

from scripts.mutate import judge, load_reviewed, read_scores, render, score_module


def test_exit_codes_sort_into_killed_survived_untested_unchecked():
    score = score_module("m.py", {"m.x_f__mutmut_1": 1, "m.x_f__mutmut_2": 0, "m.x_f__mutmut_3": 33,
                                  "m.x_f__mutmut_4": None, "m.x_f__mutmut_5": 36, "m.x_f__mutmut_6": 3})
    assert score.killed == 3  # a failing test, a pytest error and a timeout all stop the bug
    assert score.survived == ("m.x_f__mutmut_2",)
    assert score.untested == ("m.x_f__mutmut_3",)
    assert score.unchecked == 1
    assert score.total == 6
    assert score.kill_rate == pytest.approx(0.5)


def test_a_module_below_target_and_an_unreviewed_survivor_fail_the_run():
    good = score_module("a.py", {f"a.x_f__mutmut_{i}": 1 for i in range(9)} | {"a.x_f__mutmut_9": 0})
    weak = score_module("b.py", {"b.x_g__mutmut_1": 1, "b.x_g__mutmut_2": 0})
    verdict = judge([good, weak], {"a.x_f__mutmut_9": "equivalent: same output"})
    assert verdict.below_target == ("b.py",)
    assert verdict.unreviewed == ("b.x_g__mutmut_2",)
    assert not verdict.ok
    assert judge([good], {"a.x_f__mutmut_9": "equivalent"}).ok
    assert not judge([good], {}).ok  # 90 % exactly, but its survivor has no reason


def test_an_untested_mutant_counts_against_the_module_and_stale_entries_are_named():
    score = score_module("c.py", {"c.x_h__mutmut_1": 5, "c.x_h__mutmut_2": 1})
    verdict = judge([score], {"c.x_gone__mutmut_7": "was equivalent"})
    assert verdict.below_target == ("c.py",)
    assert verdict.unreviewed == ("c.x_h__mutmut_1",)
    assert verdict.stale == ("c.x_gone__mutmut_7",)
    text = render([score], verdict, {})
    assert "| `c.py` | 2 | 1 | 50.0% | 1 (0) |" in text
    assert "c.x_h__mutmut_1 (no test reaches it): NOT REVIEWED" in text
    assert "BELOW TARGET" in text


def test_results_are_read_from_mutmuts_meta_files(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py.meta").write_text(json.dumps({"exit_code_by_key": {"pkg.mod.x_f__mutmut_1": 0}}))
    scores = read_scores(tmp_path, ["pkg/mod.py", "pkg/never_run.py"])
    assert scores[0].survived == ("pkg.mod.x_f__mutmut_1",)
    assert scores[1].total == 0


def test_every_reviewed_survivor_needs_a_reason(tmp_path):
    path = tmp_path / "survivors.yml"
    path.write_text("- mutant: m.x_f__mutmut_1\n  reason: ''\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no reason"):
        load_reviewed(path)
    path.write_text("- mutant: m.x_f__mutmut_1\n  reason: equivalent\n", encoding="utf-8")
    assert load_reviewed(path) == {"m.x_f__mutmut_1": "equivalent"}


def test_a_module_path_becomes_the_glob_of_its_mutant_names():
    from scripts.mutate import mutant_glob

    assert mutant_glob("policy_kb/fact_check.py") == "policy_kb.fact_check.*"
    assert mutant_glob("storage/tickets.py") == "storage.tickets.*"
