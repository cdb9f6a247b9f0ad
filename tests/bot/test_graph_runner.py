"""bot.graph_runner: the project's model gives the same parses and predictions with the ordered
runner as with Rasa's DaskGraphRunner (the same nodes, called in a dependency order kept per
target set), and the runner keeps Rasa's errors."""
from __future__ import annotations

import asyncio
import random
from typing import Any, Dict

import pytest
from rasa.core.agent import load_agent
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.core.channels.channel import UserMessage

from bot.graph_runner import OrderedGraphRunner
from tests.bot.test_past_states import random_conversation
from tests.servers import MODEL
from tests.nlu.test_ginza_nlp import examples

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def agent():
    if not MODEL.exists():
        pytest.skip("no trained model (make train)")
    return asyncio.run(load_agent(model_path=str(MODEL)))


def runners(agent):
    """Rasa's runner of the loaded model and an ordered one over the very same nodes."""
    dask_runner = agent.processor.graph_runner
    assert type(dask_runner) is DaskGraphRunner
    ordered = OrderedGraphRunner.__new__(OrderedGraphRunner)
    ordered.__dict__.update(dask_runner.__dict__)
    ordered._orders = {}
    return dask_runner, ordered


def parsed(runner, agent, text: str) -> Dict[str, Any]:
    """As Rasa's processor parses a message (``_parse_message_with_graph``)."""
    metadata = agent.processor.model_metadata
    tracker = DialogueStateTracker("parse", agent.domain.slots)
    [message] = runner.run(inputs={"__message__": [UserMessage(text)], "__tracker__": tracker},
                           targets=[metadata.nlu_target])[metadata.nlu_target]
    return message.as_dict(only_output_properties=True)


def test_the_same_parse_for_every_kind_of_message(agent):
    rasas, ours = runners(agent)
    texts = examples(every=10) + ["", "ガスが臭い", "受付番号PR-7K3M-9XQ2の状況", "こんにちは" * 200]
    for text in texts:
        assert parsed(ours, agent, text) == parsed(rasas, agent, text), text
    [order] = ours._orders.values()  # worked out once for the parse's target and inputs
    assert len(order) == len(set(order))  # each node runs once


def test_several_targets_each_get_their_output(agent):
    rasas, ours = runners(agent)
    metadata = agent.processor.model_metadata
    inputs = {"__message__": [UserMessage("開示の手数料はいくらですか")],
              "__tracker__": DialogueStateTracker("parse", agent.domain.slots)}
    targets = [metadata.nlu_target, "domain_provider"]
    ours_out = ours.run(inputs=inputs, targets=targets)
    inputs["__message__"] = [UserMessage("開示の手数料はいくらですか")]
    rasas_out = rasas.run(inputs=inputs, targets=targets)
    assert sorted(ours_out) == sorted(rasas_out) == sorted(targets)
    assert ours_out["domain_provider"].as_dict() == rasas_out["domain_provider"].as_dict()


def prediction(runner, agent, tracker: DialogueStateTracker):
    target = agent.processor.model_metadata.core_target
    result = runner.run(inputs={"__tracker__": tracker}, targets=[target])[target]
    return (result.probabilities, result.policy_name, result.events, result.optional_events,
            result.is_end_to_end_prediction, result.is_no_user_prediction, result.action_metadata)


@pytest.mark.parametrize("seed", range(3))
def test_the_same_prediction_at_every_step_of_random_conversations(agent, seed):
    rasas, ours = runners(agent)
    domain = agent.domain
    for step, tracker, _rng, _clock in random_conversation(domain, 500 + seed, steps=40):
        plain = DialogueStateTracker.from_events(tracker.sender_id, list(tracker.events), domain.slots)
        assert prediction(ours, agent, plain) == prediction(rasas, agent, plain), (seed, step)
    for order in ours._orders.values():
        assert len(order) == len(set(order))  # a node several policies need still runs once


def test_rasas_errors_are_kept(agent):
    _rasas, ours = runners(agent)
    metadata = agent.processor.model_metadata
    with pytest.raises(GraphRunError, match="clashes"):
        ours.run(inputs={"__message__": metadata.nlu_target}, targets=[metadata.nlu_target])
    with pytest.raises(GraphRunError, match="no node or input"):
        ours.run(inputs={}, targets=["no_such_node"])


def test_installed_for_the_models_the_server_loads(monkeypatch):
    import rasa.core.processor

    from bot import graph_runner

    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)  # restored after
    graph_runner.install()
    assert rasa.core.processor.DaskGraphRunner is OrderedGraphRunner
