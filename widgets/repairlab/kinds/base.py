"""What every kind shares: the ``Feedback`` a scorer returns, the fields every ``Item``
declares, and ``load``, which reads an item's plain data into its declared type.

Nothing here (or anywhere in ``repairlab.kinds``) imports pydantic: a student's kernel scores
and shows items read back from the compiled course. Each kind declares its item once, as a
frozen dataclass with its behaviour as methods; the authoring schemas in
``repairlab.schemas`` validate an author's YAML into that same type, so a freshly validated
item and a compiled one are equal and do the same.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from dataclasses import fields as dataclass_fields
from functools import cache, partial
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from repairlab.grading import is_solved
from repairlab.vocab import DIFFICULTIES, SPEAKERS, STATUSES

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """What every item declares, whatever its kind: each kind's item type (e.g.
    ``kinds.pick_repair_step.PickRepairStep``) adds its own fields and behaviour.

    An item is plain, frozen data: ``repairlab.schemas`` validates an author's YAML into it
    (``schemas.validate``), and a page's kernel reads the compiled course into it with
    ``load`` (no pydantic), so the two are equal (``==``). Lists are tuples; slots keep a
    page's items small in a student's kernel (bench/README.md). Defaults live in the schema,
    the one place an author's omissions are filled in, so nothing here has one.
    """

    id: str
    type: str
    difficulty: Literal[DIFFICULTIES]  # type: ignore[valid-type]
    skill: str | None
    title: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Turn:
    """One line of an exchange: who speaks (client, therapist or narrator) and what they say."""

    speaker: Literal[SPEAKERS]  # type: ignore[valid-type]
    says: str


D = TypeVar("D")


def load(cls: type[D], data: Any) -> D:
    """``data`` (an item, or a part of one, as JSON-like values: what ``to_data`` wrote, or what
    a schema validated) as the declared type ``cls``, nested parts as their own declared types
    and lists as tuples. Every declared field must be there and nothing else: anything that
    does not fit raises ``ValueError``, so a damaged compiled file is validated again instead
    of being read half-right."""
    fields = _fields_of(cls)
    if not isinstance(data, Mapping):
        raise ValueError(f"{cls.__name__}: expected a mapping of fields, got "
                         f"{type(data).__name__}")
    if data.keys() != fields.keys():
        odd = sorted(set(data) ^ set(fields))
        raise ValueError(f"{cls.__name__}: fields {', '.join(map(str, odd))} do not fit")
    return cls(**{name: read(data[name]) for name, read in fields.items()})


def to_data(item: Any) -> dict[str, Any]:
    """An item as JSON-ready values, for the compiled course; ``load`` reads it back."""
    return asdict(item)


@cache
def _fields_of(cls: type) -> dict[str, Callable[[Any], Any]]:
    """How to read each field of a declared type, found once per type from its annotations."""
    hints = get_type_hints(cls)
    return {f.name: _reader(hints[f.name]) for f in dataclass_fields(cls)}


def _reader(hint: Any) -> Callable[[Any], Any]:
    origin, args = get_origin(hint), get_args(hint)
    if is_dataclass(hint):
        return partial(load, hint)
    if origin in (tuple, list):
        return partial(_sequence, _reader(args[0]))
    if origin is dict:
        return partial(_mapping, _reader(args[1]))
    if origin in (Union, UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1 and (read := _reader(inner[0])) is not _as_is:
            return partial(_optional, read)
    return _as_is


def _as_is(value: Any) -> Any:
    return value


def _sequence(read: Callable[[Any], Any], value: Any) -> tuple[Any, ...]:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return tuple(read(v) for v in value)


def _mapping(read: Callable[[Any], Any], value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a mapping, got {type(value).__name__}")
    return {k: read(v) for k, v in value.items()}


def _optional(read: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else read(value)
