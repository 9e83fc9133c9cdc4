"""The vocabulary is defined once (vocab.py): the schemas accept exactly its names, and every
table keyed by a status or a level covers exactly its names, so a new one cannot be added in
one place and forgotten in another."""

from __future__ import annotations

from typing import get_args

import pytest

from repairlab import grading, practice, vocab
from repairlab.kinds.base import Status
from repairlab.kinds.simulation import UNFOLDING
from repairlab.kinds.simulation.debrief import ENDING_STATUS
from repairlab.schemas.base import ItemBase, Turn
from repairlab.schemas.pick_repair_step import ClassifyMarker
from repairlab.schemas.simulation import Simulation


def _names(model, field: str) -> tuple[str, ...]:
    return get_args(model.model_fields[field].annotation)


@pytest.mark.parametrize(("model", "field", "names"), [
    (ItemBase, "difficulty", vocab.DIFFICULTIES),
    (Turn, "speaker", vocab.SPEAKERS),
    (ClassifyMarker, "rupture_type", vocab.RUPTURE_TYPES),
    (Simulation, "rupture_type", vocab.RUPTURE_TYPES),
])
def test_the_schemas_accept_the_vocabulary_and_nothing_else(model, field, names):
    assert _names(model, field) == names


def test_statuses_are_one_list():
    assert get_args(Status) == vocab.STATUSES
    # The grading and practice rules and the debrief speak of statuses from that list only.
    for rule in (grading.SOLVED, grading.NOT_COMPLETING, practice.NOT_JUDGED,
                 set(ENDING_STATUS.values())):
        assert set(rule) <= set(vocab.STATUSES)


def test_every_status_has_its_colour_on_the_page():
    from repairlab.views.html import _STATUS_CLASS

    assert set(_STATUS_CLASS) == set(vocab.STATUSES)


def test_levels_are_the_difficulties():
    from repairlab.views.practice_mode import LEVEL_WORDS

    assert practice.LEVELS == vocab.DIFFICULTIES
    assert list(LEVEL_WORDS) == list(vocab.DIFFICULTIES)


def test_the_case_unfolds_for_every_rupture_type():
    assert set(UNFOLDING) == set(vocab.RUPTURE_TYPES)
