"""Rasa's prediction graph run in an order worked out once, instead of dask scheduling it anew.

Rasa runs its model graph for every parse and every prediction of a turn (three or four times a
turn) through ``DaskGraphRunner``: each run builds the minimal schema for its targets again (a
recursion that visits shared dependencies once per path), a dask graph, and dask's task order,
then executes the nodes one after the other in the calling thread (``dask.get`` is the
synchronous scheduler). Profiled at 16 clients that scheduling was about 9 % of the Rasa server
(14 % on the scale path). The nodes, their inputs and the results are the same here: every node
the targets need runs once, after the nodes it needs, with their ``(name, output)`` pairs as
arguments, inputs given to ``run`` standing in for nodes of the same name as in dask's graph;
only the order is computed once per set of targets and inputs. Rasa's nodes pass their results
along and do not depend on what runs beside them, so any order that respects the dependencies
gives the same answers (``tests/bot/test_graph_runner.py`` compares both runners on the
project's model).

``install()`` is called by scripts/rasa_server.py, the project's Rasa entry point, so that the
models the Rasa server loads use it (training keeps Rasa's runner); nothing under .venv is edited.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

__all__ = ["OrderedGraphRunner", "install"]

logger = logging.getLogger(__name__)

_OrderKey = Tuple[Tuple[Text, ...], FrozenSet[Text]]


class OrderedGraphRunner(DaskGraphRunner):
    """``DaskGraphRunner`` whose ``run`` executes the same nodes in a cached dependency order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orders: Dict[_OrderKey, List[Text]] = {}

    def run(self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        """Rasa's ``DaskGraphRunner.run``: the targets' ``{node name: output}``."""
        run_targets = targets if targets else self._graph_schema.target_names
        inputs = inputs or {}
        order = self._order(tuple(run_targets), frozenset(inputs))
        values: Dict[Text, Any] = {}
        for input_name, input_value in inputs.items():
            if isinstance(input_value, str) and (input_value in order or input_value in inputs):
                raise GraphRunError(
                    f"Input value '{input_value}' clashes with a node name. Make sure that none of the input "
                    f"names passed to the `run` method are the same as node names in the graph schema."
                )
            values[input_name] = (input_name, input_value)
        logger.debug("graph_runner.run targets=%s", run_targets)  # not the inputs: they hold customer text
        try:
            for node_name in order:
                needs = self._graph_schema.nodes[node_name].needs.values()
                values[node_name] = self._instantiated_nodes[node_name](*(values[need] for need in needs))
            return dict(values[target] for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    def _order(self, targets: Tuple[Text, ...], input_names: FrozenSet[Text]) -> List[Text]:
        """The nodes the targets need, each after the nodes it needs (depth first, needs in the
        schema's order); an input's name is a value, not a node to run."""
        key = (targets, input_names)
        order = self._orders.get(key)
        if order is not None:
            return order
        nodes = self._graph_schema.nodes
        order, placed, on_path = [], set(), set()

        def place(name: Text) -> None:
            if name in placed or name in input_names:
                return
            if name not in nodes:
                raise GraphRunError(f"The graph has no node or input '{name}' (needed to run {list(targets)}).")
            if name in on_path:
                raise GraphRunError(f"The graph has a cycle through '{name}'.")
            on_path.add(name)
            for need in nodes[name].needs.values():
                place(need)
            on_path.discard(name)
            placed.add(name)
            order.append(name)

        for target in targets:
            place(target)
        self._orders[key] = order
        return order


def install() -> None:
    """Models the Rasa server loads in this process run with ``OrderedGraphRunner``."""
    import rasa.core.processor

    rasa.core.processor.DaskGraphRunner = OrderedGraphRunner  # type: ignore[misc]
