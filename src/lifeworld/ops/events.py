"""Game events as metrics: rollovers, activities, milestones, burnouts.

The game services call their listeners before the request's transaction commits. So that a
refused request (a rollover, then a 409) does not count a rollover that was rolled back and will
be applied again, counts made during a request wait until its answer is known and are kept only
for answers below 400 (`RequestMetrics` opens and settles the pending list); outside a request
(CLI, background work) they count at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar, Token
from typing import Any

from lifeworld.game.rollover import EventKind, RolloverEvent
from lifeworld.ops import metrics

Count = Callable[[], None]
_pending: ContextVar[list[Count] | None] = ContextVar("lifeworld_ops_pending", default=None)
_installed = False


def open_request() -> Token[list[Count] | None]:
    """Start holding counts for the current request."""
    return _pending.set([])


def settle_request(token: Token[list[Count] | None], *, kept: bool) -> None:
    """Apply the request's held counts if `kept`, then stop holding."""
    held = _pending.get()
    _pending.reset(token)
    if kept and held:
        for count in held:
            count()


def _count(action: Count) -> None:
    held = _pending.get()
    if held is None:
        action()
    else:
        held.append(action)


def on_rollover(user_id: int, days: int, events: list[RolloverEvent]) -> None:
    """A player's missed days were replayed."""
    entered = sum(1 for e in events if e.kind is EventKind.BURNOUT_ENTERED)
    left = sum(1 for e in events if e.kind is EventKind.BURNOUT_LEFT)

    def count() -> None:
        metrics.ROLLOVERS.inc()
        metrics.ROLLOVER_DAYS.inc(days)
        if entered:
            metrics.BURNOUTS.labels("entered").inc(entered)
        if left:
            metrics.BURNOUTS.labels("left").inc(left)

    _count(count)


def on_milestones(awards: Iterable[Any]) -> None:
    """Milestones were awarded (from any source)."""
    names = [str(getattr(a.milestone, "value", a.milestone)) for a in awards]
    if not names:
        return

    def count() -> None:
        for name in names:
            metrics.MILESTONES.labels(name).inc()

    _count(count)


def on_activity(activity: Any, awards: Iterable[Any]) -> None:
    """An activity was logged (by itself or by a training task)."""
    kind = str(getattr(activity, "value", activity))
    _count(lambda: metrics.ACTIVITIES.labels(kind).inc())
    on_milestones(awards)


def install() -> None:
    """Register the listeners once per process."""
    global _installed
    if _installed:
        return
    from lifeworld.activities import service as activities
    from lifeworld.players import context

    context.rollover_listeners.append(on_rollover)
    activities.activity_listeners.append(on_activity)
    activities.milestone_listeners.append(on_milestones)
    _installed = True
