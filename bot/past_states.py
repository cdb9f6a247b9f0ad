"""A conversation's past states, worked out once per event instead of once per prediction.

Rasa's policies see a conversation as the list of its "states" (the user's intent, slots, the
previous action, the active loop before each action). ``Domain.states_for_tracker_history``
builds that list from scratch every time a policy asks: it filters the events
(``applied_events``), replays every one of them into a fresh tracker and featurises the
tracker before each action. A turn asks five or six times (RulePolicy twice per prediction,
MemoizationPolicy once, two or three predictions per turn), so the cost of a turn grew with the
conversation: profiled at the 100th turn, three quarters of a prediction's time was this list
(``README.md``, "Where a turn's time goes").

The list for the events seen so far does not change when events are added, except where the
new events take some back (a revert, a restart or new session, a form running again, which
drops the previous user turn from the applied events). :class:`PastStatesCache` therefore keeps,
per conversation, where the last computation ended (the applied events, the replayed tracker, the
states and the loop variables of Rasa's function before each action) and carries on from there:
the new events are filtered by the same rules, the states from the first event they changed on
are worked out again, the rest are kept. Whenever it cannot prove that carrying on gives Rasa's
answer, it works the whole list out again (the same events are no longer there, a new loop name
appears, a user message's featurisation changes after an action, another domain or options):
the answer is always Rasa's, only sometimes cheaper. ``tests/bot/test_past_states.py`` checks
that against Rasa's own function on random conversations, step by step.

Only live conversations use it: the tracker store gives each conversation it loads or creates a
:class:`ConversationTracker` (``bot/tracker_store.py``); copies Rasa makes are plain trackers.
The same carrying on serves Rasa's ``copy()``, which the processor makes before each action it
runs and which replayed every event of the conversation (``ConversationTracker.copy``).
What is kept is a conversation's events and slot values, so the cache is small and forgets
(``bot/recent.py``): at most ``max_conversations`` conversations, none idle longer than
``idle_seconds`` (a conversation erased from the store is also gone from here within that time).
"""
from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import operator
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Text, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State, SubState
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    UserUttered,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

from .recent import RecentlyUsed

# The same event (type and creation time) at the same place: how a conversation loaded again
# from the store is recognised as the one computed before.
Fingerprint = Tuple[type, float]
OptionsKey = Tuple[bool, bool, Optional[str]]


@dataclass
class _Checkpoint:
    """Rasa's loop variables just before the state taken at ``applied_index`` (an action)."""

    applied_index: int
    states_before: int
    last_ml_action: Optional[SubState]
    turn_was_hidden: bool


@dataclass
class _Run:
    """Where the last computation of one conversation's states ended."""

    domain: Domain
    options: OptionsKey
    fingerprints: List[Fingerprint]
    loop_names: Set[Text]
    applied: List[Event]
    replay: DialogueStateTracker
    checkpoints: List[_Checkpoint] = field(default_factory=list)
    states: List[State] = field(default_factory=list)
    last_ml_action: Optional[SubState] = None
    turn_was_hidden: bool = False
    # Actions since the latest user message in the raw events: a featurisation event after one
    # would change a state already taken (see _apply_new_events).
    actions_since_user: int = 0


class _StartAgain(Exception):
    """Carrying on cannot be proved to give Rasa's answer: work the whole list out again."""


def loop_names_in(events: Iterable[Event]) -> Set[Text]:
    """The names of the loops a conversation activates: Rasa's ``applied_events`` filters with them."""
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def apply_event(tracker: DialogueStateTracker, applied: List[Event], loop_names: Set[Text], event: Event) -> None:
    """One step of ``DialogueStateTracker.applied_events``: ``event`` added to (or taking
    events back from) ``applied``, the applied events before it, as Rasa 3.6 does it."""
    if isinstance(event, (Restarted, SessionStarted)):
        del applied[:]
    elif isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (isinstance(event, ActionExecuted) and event.action_name in loop_names
          and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)


def _fingerprint(event: Event) -> Fingerprint:
    return type(event), event.timestamp


def _copy_states(states: Iterable[State]) -> List[State]:
    """Callers edit the states they get (Rasa's featurizer drops the intent or the text of the
    user sub-state), so each gets its own dicts down to the sub-states."""
    return [{name: dict(sub_state) for name, sub_state in state.items()} for state in states]


def _options_key(omit_unset_slots: bool, ignore_rule_only_turns: bool,
                 rule_only_data: Optional[Dict[Text, Any]]) -> OptionsKey:
    rule_only = json.dumps(rule_only_data, sort_keys=True) if ignore_rule_only_turns else None
    return omit_unset_slots, ignore_rule_only_turns, rule_only


class PastStatesCache:
    """Per-conversation carry-on computation of ``Domain.states_for_tracker_history``."""

    def __init__(self, max_conversations: int = 256, idle_seconds: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        # Per conversation, one run for each set of options the policies ask with.
        self._conversations: RecentlyUsed[Text, Dict[OptionsKey, _Run]] = RecentlyUsed(
            max_conversations, idle_seconds, clock)

    def __len__(self) -> int:
        """The number of conversations kept."""
        return len(self._conversations)

    def forget(self, sender_id: Text) -> None:
        """Drops everything kept about one conversation."""
        self._conversations.forget(sender_id)

    def past_states(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool = False,
                    ignore_rule_only_turns: bool = False,
                    rule_only_data: Optional[Dict[Text, Any]] = None) -> List[State]:
        """What ``domain.states_for_tracker_history(tracker, ...)`` returns, as fresh dicts."""
        options = _options_key(omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        events = list(tracker.events)
        fingerprints = [_fingerprint(event) for event in events]
        runs = self._conversations.get(tracker.sender_id) or {}
        run = runs.pop(options, None)  # put back below once consistent again
        try:
            if run is None or not self._can_carry_on(run, domain, fingerprints):
                raise _StartAgain
            self._apply_new_events(run, events[len(run.fingerprints):], tracker, domain, rule_only_data)
        except _StartAgain:
            run = self._start(tracker, domain, options, events)
            self._apply_new_events(run, events, tracker, domain, rule_only_data, fresh=True)
        run.fingerprints = fingerprints
        runs[options] = run
        self._conversations.put(tracker.sender_id, runs)
        final = self._state(run, run.replay, domain, omit_unset_slots, ignore_rule_only_turns,
                            rule_only_data, run.states, run.last_ml_action, run.turn_was_hidden,
                            hide_rule_turn=False, keep=False)
        return _copy_states(run.states + final)

    @staticmethod
    def _can_carry_on(run: _Run, domain: Domain, fingerprints: List[Fingerprint]) -> bool:
        """The same domain (a new model may featurise otherwise) and the events seen, still first."""
        seen = len(run.fingerprints)
        return run.domain is domain and len(fingerprints) >= seen and fingerprints[:seen] == run.fingerprints

    @staticmethod
    def _start(tracker: DialogueStateTracker, domain: Domain, options: OptionsKey, events: List[Event]) -> _Run:
        return _Run(domain=domain, options=options, fingerprints=[], loop_names=loop_names_in(events), applied=[],
                    replay=tracker.init_copy())

    # -- Rasa's applied_events, carried on ----------------------------------------------------

    def _apply_new_events(self, run: _Run, new_events: List[Event], tracker: DialogueStateTracker,
                          domain: Domain, rule_only_data: Optional[Dict[Text, Any]], fresh: bool = False) -> None:
        """Filters ``new_events`` into ``run.applied`` as ``DialogueStateTracker.applied_events``
        does, then takes the states again from the first applied event that changed."""
        applied = run.applied
        before = list(applied)
        for event in new_events:
            if isinstance(event, ActiveLoop) and event.name and event.name not in run.loop_names:
                # Rasa filters every event knowing every loop name of the conversation: an
                # earlier run of this action may have been filtered differently.
                raise _StartAgain
            if isinstance(event, UserUttered):
                run.actions_since_user = 0
            elif isinstance(event, ActionExecuted):
                run.actions_since_user += 1
            elif isinstance(event, DefinePrevUserUtteredFeaturization) and run.actions_since_user and not fresh:
                # It edits the latest user message after an action was taken on it, and Rasa
                # featurises that message as edited at every point: recompute it all.
                raise _StartAgain

            apply_event(tracker, applied, run.loop_names, event)

        unchanged = 0
        for old, new in zip(before, applied):
            if old is not new:
                break
            unchanged += 1
        self._take_states_from(run, unchanged, len(before), domain, rule_only_data)

    # -- Rasa's states_for_tracker_history, carried on ----------------------------------------

    def _take_states_from(self, run: _Run, unchanged: int, replayed: int, domain: Domain,
                          rule_only_data: Optional[Dict[Text, Any]]) -> None:
        """Keeps the states taken before ``applied[unchanged]`` and takes the rest."""
        omit_unset_slots, ignore_rule_only_turns, _ = run.options
        # The last state kept is the one taken before the last action at an index below
        # `unchanged`: an action at `unchanged` itself may be a new one (or gone).
        while run.checkpoints and run.checkpoints[-1].applied_index >= unchanged:
            checkpoint = run.checkpoints.pop()
            del run.states[checkpoint.states_before:]
            run.last_ml_action = checkpoint.last_ml_action
            run.turn_was_hidden = checkpoint.turn_was_hidden
        if unchanged < replayed:
            # Events the replayed tracker has seen were taken back: replay the kept ones again.
            run.replay = run.replay.init_copy()
            for event in run.applied[:unchanged]:
                run.replay.update(event)
        for index in range(unchanged, len(run.applied)):
            event = run.applied[index]
            if isinstance(event, ActionExecuted):
                run.checkpoints.append(_Checkpoint(index, len(run.states), run.last_ml_action, run.turn_was_hidden))
                self._state(run, run.replay, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data,
                            run.states, run.last_ml_action, run.turn_was_hidden,
                            hide_rule_turn=event.hide_rule_turn, keep=True)
            run.replay.update(event)

    @staticmethod
    def _state(run: _Run, tr: DialogueStateTracker, domain: Domain, omit_unset_slots: bool,
               ignore_rule_only_turns: bool, rule_only_data: Optional[Dict[Text, Any]], states: List[State],
               last_ml_action: Optional[SubState], turn_was_hidden: bool, hide_rule_turn: bool,
               keep: bool) -> List[State]:
        """The body of Rasa's loop for one prior tracker ``tr``: appends its state to ``states``
        (unless the turn is hidden) and, with ``keep``, stores the loop variables in ``run``.
        Returns the states it appended."""
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
                turn_was_hidden = hide_rule_turn
        appended: List[State] = []
        if not (ignore_rule_only_turns and turn_was_hidden):
            state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
            if ignore_rule_only_turns:
                domain._remove_rule_only_features(state, rule_only_data)
                if states:
                    domain._substitute_rule_only_user_input(state, states[-1])
                if last_ml_action:
                    state[PREVIOUS_ACTION] = last_ml_action
            appended.append(domain._clean_state(state))
            if keep:
                states.append(appended[0])
        if keep:
            run.last_ml_action = last_ml_action
            run.turn_was_hidden = turn_was_hidden
        return appended


def copy_of_state(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A ``DialogueStateTracker`` in the same state as ``tracker``, as Rasa's own ``copy`` of it
    would be, that can be changed without changing ``tracker``: its own event list, slots and
    active loop (which events change in place); the rest are values that events replace, not
    change, and Rasa's copy shares them with the events too (the latest message, its slot values)."""
    clone = DialogueStateTracker.__new__(DialogueStateTracker)
    clone.__dict__.update(tracker.__dict__)
    clone.events = tracker._create_events(list(tracker.events))
    clone.slots = type(tracker.slots)()
    clone.slots.update({name: copy.copy(slot) for name, slot in tracker.slots.items()})
    clone.active_loop = dataclasses.replace(tracker.active_loop) if tracker.active_loop else tracker.active_loop
    clone.latest_action = dict(tracker.latest_action) if tracker.latest_action is not None else None
    # The latest message is an event (shared, as in Rasa's copy) or, before any message since
    # the start, a restart or a new session, the empty placeholder Rasa's copy makes afresh:
    # events such as EntitiesAdded change it in place, so the clone gets its own.
    latest = tracker.latest_message
    if latest is not None and not any(event is latest for event in reversed(tracker.events)):
        clone.latest_message = copy.deepcopy(latest)
    return clone


class ConversationTracker(DialogueStateTracker):
    """A live conversation's tracker: its past states come from a :class:`PastStatesCache`, and
    its applied events are carried on from the last call (Rasa's processor asks for them twice a
    turn to check the session, each time filtering the whole conversation again)."""

    states_cache: Optional[PastStatesCache] = None
    built_for: Optional[Domain] = None  # the model whose slots it was built with (the tracker store sets it)
    stored_when_read: Optional[Any] = None  # the stored session it was read as (tracker store)
    _applied: Optional[List[Event]] = None
    _applied_loop_names: Set[Text] = set()
    _applied_through: int = 0  # events filtered into _applied; the last of them:
    _applied_last: Optional[Event] = None

    def applied_events(self) -> List[Event]:
        """Rasa's ``applied_events``; events are only ever appended to a tracker, so the events
        filtered last time are still the first ones (checked: their number and the last one)."""
        events, through = self.events, self._applied_through
        carry_on = (self._applied is not None and len(events) >= through
                    and (through == 0 or events[through - 1] is self._applied_last))
        new_events = list(itertools.islice(events, through, None)) if carry_on else []
        if not carry_on or not loop_names_in(new_events) <= self._applied_loop_names:
            self._applied, self._applied_loop_names = [], loop_names_in(events)
            new_events = list(events)
        for event in new_events:
            apply_event(self, self._applied, self._applied_loop_names, event)
        self._applied_through = len(events)
        self._applied_last = events[-1] if events else None
        return list(self._applied)

    _copy_base: Optional[DialogueStateTracker] = None  # Rasa's copy of it, carried on (copy())

    def copy(self) -> DialogueStateTracker:
        """Rasa's ``copy``: a new tracker with every event replayed (``travel_back_in_time(inf)``).

        Rasa's processor copies the tracker before each action it runs, replaying the whole
        conversation each time (about 2 ms per copy at 600 events, three copies a turn). Here
        the replay is kept (``_copy_base``, built by exactly Rasa's steps) and only the new
        events are replayed into it; the caller gets a copy of its state, which it may change.
        The events replayed last time must still be this tracker's first events, the same
        objects, else the replay starts again.
        """
        base = self._copy_base
        if base is None or len(base.events) > len(self.events) or not all(
                map(operator.is_, base.events, self.events)):
            base = self.init_copy()
        for event in itertools.islice(self.events, len(base.events), None):
            if not event.timestamp <= float("inf"):
                break  # Rasa stops replaying at the first event not before the target time
            base.update(event)
        self._copy_base = base
        return copy_of_state(base)

    def past_states(self, domain: Domain, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                    rule_only_data: Optional[Dict[Text, Any]] = None) -> List[State]:
        if self.states_cache is None:
            return super().past_states(domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        return self.states_cache.past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
