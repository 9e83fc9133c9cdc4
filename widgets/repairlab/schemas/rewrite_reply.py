"""Rewrite the defensive reply: the item and the repair moves a good rewrite contains."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..kinds.rewrite_reply import Move
from .base import ItemBase, NonEmptyText
from .choice import require_unique


class RewriteReply(ItemBase):
    type: Literal["rewrite-reply"]
    context: str | None = Field(default=None, description="The setting, in a sentence (optional).")
    client_says: NonEmptyText = Field(description="The client's statement voicing the rupture.")
    defensive_reply: NonEmptyText = Field(description="The defensive reply the student rewrites.")
    why_defensive: NonEmptyText = Field(description="What makes that reply defensive.")
    must_include: list[Move] = Field(min_length=1, max_length=5,
                                     description="Repair moves a good rewrite contains.")
    model_rewrite: NonEmptyText = Field(description="A model answer, shown after a first attempt.")
    hint: str | None = Field(default=None, description="A nudge shown on request (optional).")
    move_examples: dict[Move, NonEmptyText] = Field(
        default_factory=dict,
        description="Optional: for a move, the words that would make it for this client, shown "
                    "when a reply lacks it. Without one, the sentence of the model rewrite that "
                    "makes the move is shown.")

    @field_validator("must_include")
    @classmethod
    def _unique_moves(cls, moves: list[str]) -> list[str]:
        require_unique(moves, "entries of must_include")
        return moves
