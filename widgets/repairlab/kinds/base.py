"""What every kind shares: the ``Feedback`` a scorer returns, and items as plain records.

Nothing here (or anywhere in ``repairlab.kinds``) imports pydantic: a student's kernel scores
and shows items read back from the compiled course as ``Record`` objects. The authoring
schemas in ``repairlab.schemas`` inherit the same behaviour classes, so a freshly validated
item and a compiled one answer to the same attributes and methods.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any, Literal, Protocol, TypeVar

from repairlab.grading import is_solved

T = TypeVar("T")

# "unsure": the reply assessor could not tell, so the page gives no verdict (see feedback/).
Status = Literal["correct", "incorrect", "partial", "good", "needs-work", "unsure", "submitted",
                 "empty"]


@dataclass(frozen=True)
class Note:
    """One line of feedback. ``quote`` holds the student's own words, always shown as text."""

    tone: Literal["good", "warn", "info"]
    text: str
    quote: str | None = None


@dataclass(frozen=True)
class Feedback:
    """What a scorer says about one response: plain data, rendered by the views."""

    status: Status
    headline: str
    notes: tuple[Note, ...] = ()
    next_step: str | None = None
    reveal: str | None = None  # explanation or model answer, once the student has earned it
    reveal_title: str = "Explanation"
    score: float | None = None  # 0..1 where a score is meaningful
    extra: dict[str, Any] = field(default_factory=dict)
    # What the attempt keeps beside its response, restored with it (a case's debrief reflection).
    kept: dict[str, Any] | None = None

    @property
    def solved(self) -> bool:
        return is_solved(self.status)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def stable_shuffle(values: Iterable[T], *key: str) -> list[T]:
    """``values`` in a fixed pseudo-random order named by ``key`` (an item id, then e.g. a node).

    Authors tend to write the right answer first, so every list a student picks from is shown
    shuffled; the order depends only on the key, never on the run, the machine or the hash
    seed, so a page reload (or a replayed case) shows the student the same order again.
    """
    shuffled = list(values)
    random.Random("/".join(key)).shuffle(shuffled)
    return shuffled


class Item(Protocol):
    """Any item, validated (a schema model) or compiled (a ``Record``): the common fields."""

    id: str
    type: str
    difficulty: str
    title: str
    tags: list[str]


class Record:
    """A validated item, or a part of one, as read-only plain data.

    Built from the compiled course (content/compiled.py) with the behaviour class the item's
    schema named, e.g. ``ChoiceItemBehaviour`` for its ``prompt`` and ``choices()``.
    """

    def __init__(self, fields: dict[str, Any]):
        object.__setattr__(self, "__dict__", fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only (it is validated content)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only (it is validated content)")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable lists inside, like the models

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"


@cache
def record_class(behaviour: type | None) -> type[Record]:
    """The record class for a schema's behaviour class (``Record`` itself when it has none)."""
    if behaviour is None:
        return Record
    return type(behaviour.__name__, (behaviour, Record), {})
