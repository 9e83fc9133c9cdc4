"""The case's scorer: the debrief of a recorded path, replayed against the case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..base import Feedback
from .engine import Playthrough, ReplayError

if TYPE_CHECKING:
    from .item import Simulation


def score(item: Simulation, response: Any) -> Feedback:
    """The debrief of a recorded path (a list of turns), replayed against the case."""
    if not response:
        return Feedback("empty", "Play the case to one of its endings first.")
    try:
        play = Playthrough.replay(item, response)
    except ReplayError:
        return Feedback("empty", "This saved playthrough no longer fits the case (it has been "
                        "edited since). Play it again from the start.")
    if not play.ended:
        return Feedback("empty", "The case is not finished yet: play on to an ending.")
    return play.debrief().to_feedback()
