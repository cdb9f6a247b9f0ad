"""bot.past_states: the carried-on past states are always Rasa's own
(``Domain.states_for_tracker_history``), and carrying on is what happens in a plain conversation.

The main check plays random conversations on the project's domain, a few events at a time, as
the processor adds them, and compares at every step (on the live tracker and on the same
conversation loaded again from its stored JSON): turns with intents and entities, the
featurisation event, slots, the three forms running, rejected and interrupted, rules' hidden
turns, follow-up actions, reverts of actions and of user messages, restarts, new sessions.
"""
from __future__ import annotations

import operator
import random
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)

from bot.past_states import ConversationTracker, PastStatesCache
from bot.tracker_store import deserialise_events

ROOT = Path(__file__).resolve().parents[2]
RULE_ONLY = {"slots": ["requested_slot", "fallback_count"], "active_loops": ["status_check_form"]}
OPTIONS = [
    dict(omit_unset_slots=False, ignore_rule_only_turns=False, rule_only_data=None),  # RulePolicy
    dict(omit_unset_slots=False, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY),  # MemoizationPolicy
    dict(omit_unset_slots=True, ignore_rule_only_turns=False, rule_only_data=None),
]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain.yml"))


class Clock:
    """Event timestamps that differ, as real ones do."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


def user(clock: Clock, intent: str, entities: Optional[List[Dict[str, Any]]] = None) -> UserUttered:
    return UserUttered("テキスト", {"name": intent, "confidence": 0.9}, entities or [], timestamp=clock())


def listen(clock: Clock) -> ActionExecuted:
    return ActionExecuted(ACTION_LISTEN_NAME, timestamp=clock())


def random_chunk(rng: random.Random, domain: Domain, clock: Clock) -> List[Event]:
    """A few events such as the processor adds between two predictions (now and then odd ones)."""
    form = rng.choice(domain.form_names)
    kind = rng.choices(
        ["turn", "answer", "form_step", "form_start", "form_end", "action", "slot", "reject", "interrupt",
         "followup", "action_reverted", "user_reverted", "restart", "session", "odd_featurisation", "hidden"],
        weights=[20, 6, 10, 3, 3, 8, 6, 2, 2, 2, 2, 2, 1, 1, 1, 3])[0]
    entity = [{"entity": rng.choice(domain.entities), "value": "x"}] if rng.random() < 0.3 else []
    if kind == "turn":
        return [listen(clock), user(clock, rng.choice(domain.intents), entity),
                DefinePrevUserUtteredFeaturization(rng.random() < 0.1, timestamp=clock())]
    if kind == "answer":
        return [ActionExecuted(rng.choice(domain.action_names_or_texts), timestamp=clock()),
                BotUttered("お答え", timestamp=clock())]
    if kind == "form_step":
        return [ActionExecuted(form, timestamp=clock()),
                SlotSet(REQUESTED_SLOT, rng.choice(["phone", "address", None]), timestamp=clock())]
    if kind == "form_start":
        return [ActionExecuted(form, timestamp=clock()), ActiveLoop(form, timestamp=clock())]
    if kind == "form_end":
        return [ActionExecuted(form, timestamp=clock()), ActiveLoop(None, timestamp=clock()),
                SlotSet(REQUESTED_SLOT, None, timestamp=clock())]
    if kind == "action":
        return [ActionExecuted(rng.choice(domain.action_names_or_texts), timestamp=clock())]
    if kind == "slot":
        slot = rng.choice(domain.slots)
        value = rng.random() * 3 if slot.type_name == "float" else rng.choice(["値", None])
        return [SlotSet(slot.name, value, timestamp=clock())]
    if kind == "reject":
        return [ActionExecutionRejected(form, timestamp=clock())]
    if kind == "interrupt":
        return [LoopInterrupted(True, timestamp=clock())]
    if kind == "followup":
        return [FollowupAction(rng.choice(domain.action_names_or_texts), timestamp=clock())]
    if kind == "action_reverted":
        return [ActionReverted(timestamp=clock())]
    if kind == "user_reverted":
        return [UserUtteranceReverted(timestamp=clock())]
    if kind == "restart":
        return [Restarted(timestamp=clock())]
    if kind == "session":
        return [ActionExecuted("action_session_start", timestamp=clock()), SessionStarted(timestamp=clock())]
    if kind == "hidden":
        return [ActionExecuted(rng.choice(domain.action_names_or_texts), hide_rule_turn=True, timestamp=clock())]
    # A featurisation event after an action was taken on the user message.
    return [ActionExecuted(ACTION_LISTEN_NAME, timestamp=clock()),
            DefinePrevUserUtteredFeaturization(rng.random() < 0.5, timestamp=clock())]


def live(domain: Domain, cache: PastStatesCache, sender: str) -> ConversationTracker:
    """A conversation's tracker as the tracker store gives it: with the shared cache."""
    tracker = ConversationTracker(sender, domain.slots)
    tracker.states_cache = cache
    return tracker


def plain(tracker: ConversationTracker, domain: Domain) -> DialogueStateTracker:
    """Rasa's own tracker with the same event objects: nothing of this module answers for it."""
    copy = DialogueStateTracker(tracker.sender_id, domain.slots)
    for event in tracker.events:
        copy.update(event)
    return copy


def rasa_states(domain: Domain, tracker: ConversationTracker, **options: Any) -> list:
    return domain.states_for_tracker_history(plain(tracker, domain), **options)


def reloaded(tracker: ConversationTracker, domain: Domain, cache: PastStatesCache) -> ConversationTracker:
    """The same conversation as the tracker store gives it next turn: new objects, same events."""
    copy = ConversationTracker.from_events(tracker.sender_id, deserialise_events(
        [event.as_dict() for event in tracker.events]), domain.slots)
    copy.states_cache = cache
    return copy


def random_conversation(domain: Domain, seed: int, steps: int = 120
                        ) -> Iterator[Tuple[int, ConversationTracker, random.Random, Clock]]:
    """A live conversation after each of ``steps`` random chunks of events, reloaded from its
    JSON now and then as the tracker store does."""
    rng, clock, cache = random.Random(seed), Clock(), PastStatesCache()
    tracker = live(domain, cache, f"c{seed}")
    for step in range(steps):
        for event in random_chunk(rng, domain, clock):
            tracker.update(event)
        if rng.random() < 0.15:
            tracker = reloaded(tracker, domain, cache)
        yield step, tracker, rng, clock


@pytest.mark.parametrize("seed", range(12))
def test_random_conversations_get_rasas_states_at_every_step(domain: Domain, seed: int) -> None:
    for step, tracker, _rng, _clock in random_conversation(domain, seed):
        applied = tracker.applied_events()
        expected_applied = DialogueStateTracker.applied_events(plain(tracker, domain))
        assert len(applied) == len(expected_applied) and all(map(operator.is_, applied, expected_applied))
        for options in OPTIONS:
            expected = rasa_states(domain, tracker, **options)
            assert tracker.past_states(domain, **options) == expected, (seed, step, options)


def plain_turn(clock: Clock, intent: str = "faq_security", entities: Optional[List[Dict[str, Any]]] = None
               ) -> List[Event]:
    return [listen(clock), user(clock, intent, entities), DefinePrevUserUtteredFeaturization(False, timestamp=clock()),
            ActionExecuted("action_answer_faq", timestamp=clock()), BotUttered("お答え", timestamp=clock())]


def counting(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """Counts the states Rasa's featuriser is asked for."""
    calls = [0]
    original = domain.get_active_state

    def get_active_state(tracker, omit_unset_slots=False):
        calls[0] += 1
        return original(tracker, omit_unset_slots=omit_unset_slots)

    monkeypatch.setattr(domain, "get_active_state", get_active_state)
    return calls


def test_a_long_conversation_costs_only_its_new_events(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    clock, cache = Clock(), PastStatesCache()
    tracker = live(domain, cache, "long")
    for _ in range(100):
        for event in plain_turn(clock):
            tracker.update(event)
        tracker.past_states(domain)
        tracker = reloaded(tracker, domain, cache)  # every turn loads the conversation again
    calls = counting(domain, monkeypatch)
    for event in plain_turn(clock):
        tracker.update(event)
    assert tracker.past_states(domain) == rasa_states(domain, tracker)
    assert calls[0] > 200  # Rasa's own function above: every state again
    calls[0] = 0
    for event in plain_turn(clock):
        tracker.update(event)
    tracker.past_states(domain)
    assert calls[0] <= 3  # the new turn's two actions and the final state


def test_a_form_turn_takes_again_only_what_the_form_took_back(domain: Domain,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    clock, cache = Clock(), PastStatesCache()
    tracker = live(domain, cache, "form")
    for _ in range(40):
        for event in plain_turn(clock):
            tracker.update(event)
    for event in [listen(clock), user(clock, "start_request"), DefinePrevUserUtteredFeaturization(False),
                  ActionExecuted("request_form", timestamp=clock()), ActiveLoop("request_form", timestamp=clock())]:
        tracker.update(event)
    tracker.past_states(domain)
    calls = counting(domain, monkeypatch)
    for slot in ["customer_name", "phone"]:
        for event in [SlotSet(REQUESTED_SLOT, slot, timestamp=clock()), listen(clock), user(clock, "inform"),
                      DefinePrevUserUtteredFeaturization(False, timestamp=clock()),
                      ActionExecuted("request_form", timestamp=clock())]:
            tracker.update(event)
        calls[0] = 0
        states = tracker.past_states(domain)
        assert 0 < calls[0] <= 2 * 3  # Rasa's function takes every state again: more than 80
        assert states == rasa_states(domain, tracker)


def test_what_changes_the_answer_starts_again(domain: Domain) -> None:
    """Another domain, other options, events that are not the ones seen: never a stale list."""
    clock, cache = Clock(), PastStatesCache()
    tracker = live(domain, cache, "x")
    for event in plain_turn(clock) + plain_turn(clock, "greet"):
        tracker.update(event)
    tracker.past_states(domain)
    other = live(domain, cache, "x")  # same sender, another conversation
    for event in plain_turn(clock, "thanks") + plain_turn(clock, "goodbye") + plain_turn(
            clock, "start_request", [{"entity": "request_type", "value": "開示"}]):
        other.update(event)  # more events than the first: only their fingerprints tell them apart
    assert other.past_states(domain) == rasa_states(domain, other)
    # A new model whose domain featurises no entity: the states differ.
    no_entities = Domain.from_dict({**domain.as_dict(), "intents": [
        {intent: {"use_entities": []}} for intent in domain.intents]})
    assert rasa_states(no_entities, other) != rasa_states(domain, other)
    assert other.past_states(no_entities) == rasa_states(no_entities, other)
    assert other.past_states(domain, omit_unset_slots=True) == rasa_states(domain, other, omit_unset_slots=True)


def test_returned_states_are_the_callers_to_edit(domain: Domain) -> None:
    clock, cache = Clock(), PastStatesCache()
    tracker = live(domain, cache, "edit")
    for event in plain_turn(clock) + plain_turn(clock):
        tracker.update(event)
    first = tracker.past_states(domain)
    for state in first:
        for sub_state in state.values():
            sub_state.clear()
        state.clear()
    assert tracker.past_states(domain) == rasa_states(domain, tracker)


def test_the_cache_forgets_idle_and_erased_conversations(domain: Domain) -> None:
    now = [0.0]
    cache = PastStatesCache(idle_seconds=60, clock=lambda: now[0])
    clock = Clock()
    trackers = []
    for name in ["a", "b"]:
        tracker = live(domain, cache, name)
        for event in plain_turn(clock):
            tracker.update(event)
        tracker.past_states(domain)
        tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data=RULE_ONLY)
        trackers.append(tracker)
        now[0] += 30
    assert len(cache) == 2  # two conversations (two policies' options each)
    now[0] = 61  # "a" was last used at 0, "b" at 30
    assert len(cache) == 1
    cache.forget("b")
    assert len(cache) == 0


def test_without_a_cache_it_is_rasas_tracker(domain: Domain) -> None:
    clock = Clock()
    tracker = ConversationTracker("plain", domain.slots)
    for event in plain_turn(clock):
        tracker.update(event)
    assert tracker.past_states(domain) == rasa_states(domain, tracker)


def test_applied_events_are_worked_out_again_when_the_events_are_not_the_ones_filtered(domain: Domain) -> None:
    """Rasa only appends to a tracker's events; if anything ever takes one away or puts another
    in its place, the applied events are filtered from the start again."""
    clock = Clock()
    tracker = ConversationTracker("edited", domain.slots)
    for event in plain_turn(clock) + plain_turn(clock, "greet"):
        tracker.update(event)
    tracker.applied_events()
    tracker.events.pop()  # same number of events, another last one
    tracker.events.append(ActionExecuted("utter_greet", timestamp=clock()))
    assert tracker.applied_events() == DialogueStateTracker.applied_events(plain(tracker, domain))
    for _ in range(3):
        tracker.events.pop()  # fewer events than filtered
    assert tracker.applied_events() == DialogueStateTracker.applied_events(plain(tracker, domain))


def test_the_limit_counts_conversations_not_policies(domain: Domain) -> None:
    cache, clock = PastStatesCache(max_conversations=2), Clock()
    for name in ["a", "b", "c"]:
        tracker = live(domain, cache, name)
        for event in plain_turn(clock):
            tracker.update(event)
        for options in OPTIONS:
            tracker.past_states(domain, **options)
    assert len(cache) == 2


# --------------------------------------------------------------------------- copy()

def assert_same_tracker(ours: DialogueStateTracker, rasas: DialogueStateTracker) -> None:
    """Every attribute of Rasa's copy, the slots' own attributes included."""
    assert type(ours) is type(rasas) is DialogueStateTracker
    assert len(ours.events) == len(rasas.events) and all(map(operator.is_, ours.events, rasas.events))
    assert ours.events.maxlen == rasas.events.maxlen
    assert sorted(vars(ours)) == sorted(vars(rasas))
    for name in vars(rasas):
        if name not in ("events", "slots"):
            assert getattr(ours, name) == getattr(rasas, name), name
    assert list(ours.slots) == list(rasas.slots)
    for name, slot in rasas.slots.items():
        assert type(ours.slots[name]) is type(slot) and vars(ours.slots[name]) == vars(slot), name
    assert ours.current_state(EventVerbosity.ALL) == rasas.current_state(EventVerbosity.ALL)


@pytest.mark.parametrize("seed", range(6))
def test_copies_are_rasas_copies_at_every_step(domain: Domain, seed: int) -> None:
    for step, tracker, rng, clock in random_conversation(domain, 1000 + seed):
        ours, rasas = tracker.copy(), DialogueStateTracker.copy(tracker)
        assert_same_tracker(ours, rasas)
        # The processor adds the prediction's events to its copy and runs the action on it:
        # nothing of that may reach the tracker or the next copy.
        for event in random_chunk(rng, domain, clock):
            ours.update(event)
        for name, slot in ours.slots.items():
            slot.value = f"changed {step}"
        if ours.active_loop:
            ours.active_loop.is_interrupted = not ours.active_loop.is_interrupted
    assert_same_tracker(tracker.copy(), DialogueStateTracker.copy(tracker))


def test_a_copy_replays_only_the_new_events(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    clock, tracker = Clock(), live(domain, PastStatesCache(), "copies")
    for _ in range(100):
        for event in plain_turn(clock):
            tracker.update(event)
        tracker.copy()
    replayed = [0]
    update = DialogueStateTracker.update

    def counting_update(self, event, domain=None):
        replayed[0] += 1
        return update(self, event, domain)

    new_turn = plain_turn(clock)
    for event in new_turn:
        tracker.update(event)
    monkeypatch.setattr(DialogueStateTracker, "update", counting_update)
    ours = tracker.copy()
    assert replayed[0] == len(new_turn)  # only the new turn's events
    replayed[0] = 0
    assert_same_tracker(ours, DialogueStateTracker.copy(tracker))
    assert replayed[0] == len(tracker.events) > 300  # Rasa's: every event again
    ours.update_with_events(plain_turn(clock), domain)  # as the processor does with its copy
    replayed[0] = 0
    tracker.copy()
    assert replayed[0] == 0


def test_a_copy_is_rasas_where_the_events_are_not_the_ones_replayed(domain: Domain) -> None:
    clock, tracker = Clock(), live(domain, PastStatesCache(), "odd")
    for event in plain_turn(clock) + plain_turn(clock):
        tracker.update(event)
    tracker.copy()
    tracker.events = tracker._create_events(list(tracker.events)[:-2])  # fewer events than replayed
    assert_same_tracker(tracker.copy(), DialogueStateTracker.copy(tracker))
    odd = plain_turn(clock)
    odd[1].timestamp = float("nan")  # Rasa stops replaying at an event not before the target time
    for event in odd + plain_turn(clock):
        tracker.update(event)
    ours = tracker.copy()
    assert_same_tracker(ours, DialogueStateTracker.copy(tracker))
    assert len(ours.events) < len(tracker.events)


def test_a_change_to_the_empty_latest_message_of_a_copy_stays_in_that_copy(domain: Domain) -> None:
    """Before the first message of a session the latest message is Rasa's empty placeholder, which
    some events change in place; Rasa's copy makes its own, and so must ours (found in review)."""
    clock, tracker = Clock(), live(domain, PastStatesCache(), "placeholder")
    for event in [ActionExecuted("action_session_start", timestamp=clock()), SessionStarted(timestamp=clock()),
                  ActionExecuted(ACTION_LISTEN_NAME, timestamp=clock())]:
        tracker.update(event)
    changed = tracker.copy()
    changed.update_with_events([DefinePrevUserUtteredFeaturization(True, timestamp=clock()),
                                EntitiesAdded([{"entity": "e", "value": "v"}], timestamp=clock())], domain)
    assert_same_tracker(tracker.copy(), DialogueStateTracker.copy(tracker))
    assert tracker.copy().latest_message.entities == [] and tracker.latest_message.entities == []
