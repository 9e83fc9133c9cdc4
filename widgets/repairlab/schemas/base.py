"""What every item schema shares: strictness, common field types, the base item, and
``validate``, which turns an author's item into its kind's declared type."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..kinds.base import Item, load
from ..registry import KINDS
from ..vocab import DIFFICULTIES, SPEAKERS


class Strict(BaseModel):
    """Authoring models reject unknown keys, so a typo ("fedback") is an error, not a silent loss."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


NonEmptyText = Annotated[str, StringConstraints(min_length=1)]
ItemId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64),
    Field(description="Stable id, unique in the course: lower-case letters, digits and hyphens, "
                      "e.g. m03-schema-07. Progress is stored under it: never reuse one.",
          examples=["m01-schema-01"]),
]
SkillId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64),
    Field(description="A skill's id, as its module's manifest names it under `skills:`: "
                      "lower-case letters, digits and hyphens, e.g. owning-your-part.",
          examples=["owning-your-part"]),
]
Difficulty = Annotated[
    Literal[DIFFICULTIES],  # type: ignore[valid-type]
    Field(description="Deliberate-practice difficulty: beginner, intermediate or advanced."),
]


class ItemBase(Strict):
    id: ItemId
    type: str = Field(description="The exercise kind; selects the fields below.")
    difficulty: Difficulty
    skill: SkillId | None = Field(
        default=None,
        description="The one skill this item trains: the id of a skill in its module's "
                    "`skills:` list. Leave it out only where that list names a default for "
                    "the item's kind (`default_for`).")
    title: NonEmptyText = Field(description="A short heading for the item.",
                                examples=["The unanswered email"])
    tags: list[NonEmptyText] = Field(
        default_factory=list,
        description="Free keywords, e.g. the rupture cause (late-start, fee-policy).")


class Turn(Strict):
    speaker: Literal[SPEAKERS] = Field(  # type: ignore[valid-type]
        description="Who speaks: client, therapist or narrator (a stage direction).")
    says: NonEmptyText = Field(description="What they say, as plain text.")


def validate(data: Any) -> Item:
    """An author's item (YAML data, with its ``type``) validated by its kind's schema, as the
    kind's declared item type (e.g. ``kinds.choice`` ``PickRepairStep``): the same type, and
    equal values, as the compiled course gives a page's kernel. Raises pydantic's
    ``ValidationError`` (content/validation.py words it for the author), or ``KeyError`` for a
    type no kind has.

    Each schema and its item type declare the same fields (tests/test_item_types.py); the
    schema adds what only authoring needs: descriptions, defaults, and checks."""
    kind = KINDS[data["type"]]
    return load(kind.item_type, kind.schema.model_validate(data).model_dump())
