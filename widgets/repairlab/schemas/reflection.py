"""Reflection: a free-text prompt, kept with the student's work."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import ItemBase, NonEmptyText


class Reflection(ItemBase):
    type: Literal["reflection"]
    prompt: NonEmptyText = Field(description="The reflection question.")
