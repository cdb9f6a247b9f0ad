"""scripts/profile_summary.py on hand-made py-spy stacks."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from profile_summary import OTHER, hot_functions, read_raw, render, stage_of, stages  # noqa: E402

SITE = "/x/.venv/lib/python3.10/site-packages"
RAW = f"""\
handle ({SITE}/sanic/app.py:10);parse ({SITE}/rasa/core/processor.py:5);process (/work/main/nlu/components/ginza_nlp.py:40);tokenize ({SITE}/sudachipy/x.py:3) 30
handle ({SITE}/sanic/app.py:10);get_tracker ({SITE}/rasa/core/processor.py:7);retrieve ({SITE}/rasa/core/tracker_store.py:264);from_dict ({SITE}/rasa/shared/core/trackers.py:9);execute ({SITE}/sqlalchemy/engine.py:1) 50
handle ({SITE}/sanic/app.py:10);save ({SITE}/rasa/core/tracker_store.py:246);execute ({SITE}/sqlalchemy/engine.py:1) 10
handle ({SITE}/sanic/app.py:10);dumps ({SITE}/ujson.py:1) 10
not a stack line
"""


def test_each_sample_goes_to_the_outermost_stage_on_its_stack():
    stacks = read_raw(RAW.splitlines())
    assert len(stacks) == 4  # the malformed line is skipped
    assert [stage_of(frames) for frames, _ in stacks] == [
        "NLU: GiNZA (spaCy, Sudachi)", "tracker store: load", "tracker store: save", OTHER]


def test_shares_and_hot_functions_add_up():
    stacks = read_raw(RAW.splitlines())
    shares = {s.stage: s.share for s in stages(stacks)}
    assert shares == {"tracker store: load": 0.5, "NLU: GiNZA (spaCy, Sudachi)": 0.3,
                      "tracker store: save": 0.1, OTHER: 0.1}
    hot = hot_functions(stacks, top=2)
    assert [(h.function, h.where, h.samples) for h in hot] == [
        ("execute", "sqlalchemy/engine.py:1", 60), ("tokenize", "sudachipy/x.py:3", 30)]
    table = render("rasa", stacks)
    assert "### rasa: 100 samples" in table and "| tracker store: load | 50.0% |" in table
