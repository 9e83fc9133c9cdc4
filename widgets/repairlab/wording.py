"""Counts in words, said once for every page: "1 student", "2 students", never "1 students"
or "file(s)". Imports nothing of ours, so the dashboard, the CLI and the scorers can all use it."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and the noun in the number it needs: ``counted(1, "student")`` is
    "1 student"; a noun whose plural is not noun + "s" gives it (``"student id"`` works as is,
    ``counted(2, "reply", "replies")``)."""
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"
