"""Timestamps, read and written in one place: ISO 8601, compared and stored in UTC.

Attempts, hand-ins and the gradebook all carry ISO 8601 text. Reading it here means one rule
everywhere: a trailing ``Z`` is UTC (Python 3.10's ``fromisoformat`` does not read it), and a
time without a zone is taken as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

__all__ = ["EARLIEST", "format_for_people", "newest_first_key", "normalise", "parse", "utc_now"]

# What an unreadable timestamp sorts as: before every real one.
EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def parse(value: Any) -> datetime:
    """An aware UTC datetime; ``ValueError`` if ``value`` is not an ISO 8601 timestamp."""
    if not isinstance(value, str):
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def normalise(value: str) -> str:
    """One fixed UTC form (microseconds, ``+00:00``), so that text order is time order."""
    return parse(value).isoformat(timespec="microseconds")


def utc_now(timespec: str = "microseconds") -> str:
    return datetime.now(timezone.utc).isoformat(timespec=timespec)


def newest_first_key(value: Any) -> datetime:
    """For sorting: the moment, or :data:`EARLIEST` for a missing or unreadable stamp."""
    try:
        return parse(value)
    except ValueError:
        return EARLIEST


def format_for_people(value: Any) -> str:
    """``2025-03-01 09:00 UTC``; text that is not a timestamp comes back as it is."""
    try:
        return parse(value).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return str(value)
