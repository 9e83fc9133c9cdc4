"""What every kind shares: the ``Feedback`` a scorer returns, and items as plain records.

Nothing here (or anywhere in ``repairlab.kinds``) imports pydantic: a student's kernel scores
and shows items read back from the compiled course as ``Record`` objects. The authoring
schemas in ``repairlab.schemas`` inherit the same behaviour classes, so a freshly validated
item and a compiled one answer to the same attributes and methods.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any, Literal, Protocol, TypeVar, get_args, get_type_hints

from repairlab.grading import is_solved
from repairlab.vocab import STATUSES

T = TypeVar("T")

# "unsure": the reply assessor could not tell, so the page gives no verdict (see feedback/).
Status = Literal[STATUSES]  # type: ignore[valid-type]


@dataclass(frozen=True)
class Note:
    """One line of feedback. ``quote`` holds the student's own words, always shown as text."""

    tone: Literal["good", "warn", "info"]
    text: str
    quote: str | None = None

    @classmethod
    def from_dict(cls, data: Any) -> Note | None:
        """A stored note (``asdict``), or None when it holds no text to show."""
        if not isinstance(data, Mapping):
            return None
        text, quote = _text_or(data.get("text"), ""), _text_or(data.get("quote"), None)
        if not text and not quote:
            return None
        tone = data.get("tone")
        return cls(tone if tone in _TONES else "info", text, quote)


@dataclass(frozen=True)
class Facts:
    """What a scorer found beyond what it says: kept with the attempt (as ``feedback["extra"]``
    in the progress store and the hand-in) for the class statistics, never shown to anyone.
    A kind with facts to keep declares them once, as a frozen subclass (e.g. ``ReplyFacts``)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Feedback:
    """What a scorer says about one response: plain data, rendered by the kind's renderer
    (``views/render.py``) on the live page and in the hand-in alike.

    The progress store keeps it as ``to_dict()``; ``from_dict`` reads that back, from any
    version of RepairLab, so a hand-in shows what the student was shown. ``extra`` holds the
    kind's ``Facts`` for the class statistics (the dashboard reads a rewrite's moves and
    markers from the stored dict), never shown.
    """

    status: Status
    headline: str
    notes: tuple[Note, ...] = ()
    next_step: str | None = None
    reveal: str | None = None  # explanation or model answer, once the student has earned it
    reveal_title: str = "Explanation"
    score: float | None = None  # 0..1 where a score is meaningful
    extra: Facts | None = None
    # What the attempt keeps beside its response, restored with it (a case's debrief reflection).
    kept: dict[str, Any] | None = None

    @property
    def solved(self) -> bool:
        return is_solved(self.status)

    def to_dict(self) -> dict[str, Any]:
        stored = asdict(self)  # the facts too, as a plain dict
        stored["extra"] = stored["extra"] or {}  # the stored shape since the first release
        del stored["kept"]  # stored once, as the attempt's own ``extra`` (notebook._recorder)
        return stored

    @classmethod
    def from_dict(cls, data: Any) -> Feedback:
        """The feedback a stored attempt records (``to_dict()``), read leniently: a missing or
        mistyped field takes its default, an unknown one is left out, so an old or damaged
        record still shows what it can instead of failing the page. The facts are not read
        back: the statistics read them from the stored dict, and nothing shows them."""
        if not isinstance(data, Mapping):
            data = {}
        status = data.get("status")
        notes = tuple(note for note in map(Note.from_dict, _list(data.get("notes")))
                      if note is not None)
        score = data.get("score")
        return cls(
            status=status if status in _STATUSES else "empty",
            headline=_text_or(data.get("headline"), ""),
            notes=notes,
            next_step=_text_or(data.get("next_step"), None),
            reveal=_text_or(data.get("reveal"), None),
            reveal_title=_text_or(data.get("reveal_title"), "Explanation"),
            score=(float(score) if isinstance(score, (int, float)) and not isinstance(score, bool)
                   else None),
        )


_STATUSES = frozenset(get_args(Status))
_TONES = frozenset(get_args(get_type_hints(Note)["tone"]))


def _text_or(value: Any, default: Any) -> Any:
    return value if isinstance(value, str) and value else default


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def shown_order(item: Any, values: Iterable[T], *where: str) -> list[T]:
    """``values`` of ``item`` (its options, its steps, or with ``where`` a case node's id the
    choices at that node) in the order a student is shown them.

    The one place that order is decided: the views show it, the case engine offers it, and
    ``repairlab check``'s answer cues measure where the keys land in it (content/cues.py).
    Authors tend to write the right answer first, so every list a student picks from is
    shuffled, in an order named by the item's id (and ``where``): never by the run, the
    machine or the hash seed, so a reload (or a replayed case) shows the same order again. A
    kind whose order is its content (a transcript's turns) sets ``keeps_authored_order``.
    """
    shown = list(values)
    if not getattr(item, "keeps_authored_order", False):
        random.Random("/".join((item.id, *where))).shuffle(shown)
    return shown


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
