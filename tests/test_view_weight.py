"""How many widget models each exercise costs the browser, and that none is a wrapper box.

A practice page's browser builds every widget model (and a view of each, with a view of its
layout and its style) before the first exercise can be seen: on the 37-item page that work is
most of the gap to a one-button page (bench/README.md, "Serving"). These tests keep the views
lean: an exercise is one box holding its blocks and controls, and every layout and style is
shared with the other exercises of the page.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import pytest

from repairlab.notebook import build_view

REPO = Path(__file__).resolve().parents[1]

# The blocks every exercise has around its controls: the exercise box, the block with the
# heading and the scenario, and the feedback area (a live region, so it exists from the start).
FRAME = 3
# What a student uses, by kind: buttons, and the radio group, drop-downs or text box.
CONTROLS = {
    "m01-schema-01": 2,  # options, "Check answer" ("Show explanation" after an attempt)
    "m01-step-01": 2,
    "m01-marker-01": 2,
    "m01-redflag-01": 2,
    "m01-order-01": 5,  # four positions, "Check order"
    # reply box, "Get feedback", "Show a hint", "Say it aloud first" and its live region
    "m01-rewrite-01": 5,
    "m01-reflect-01": 2,  # text box, "Save reflection"
}


def models_of(widget: widgets.Widget) -> set[int]:
    """The ids of every widget model the browser builds to show ``widget``."""
    seen: dict[int, widgets.Widget] = {}
    stack = [widget]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen[id(current)] = current
        stack.extend(getattr(current, "children", ()))
        stack.extend(part for part in (getattr(current, "layout", None),
                                       getattr(current, "style", None)) if part is not None)
    return set(seen)


def descendants(widget: widgets.Widget) -> list[widgets.Widget]:
    found, stack = [], list(getattr(widget, "children", ()))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(getattr(current, "children", ()))
    return found


@pytest.mark.parametrize("item_id", list(CONTROLS))
def test_an_exercise_costs_its_frame_and_its_controls_and_nothing_else(item_id, in_module):
    first, second = build_view(item_id), build_view(item_id)
    # Layouts and styles are shared: a second exercise on the page adds only its own widgets.
    own = models_of(second) - models_of(first)
    assert len(own) == FRAME + CONTROLS[item_id], [type(w).__name__ for w in descendants(second)]


@pytest.mark.parametrize("item_id", list(CONTROLS))
def test_an_exercise_has_no_wrapper_boxes(item_id, in_module):
    view = build_view(item_id)
    assert not [w for w in descendants(view) if isinstance(w, widgets.Box)]
    buttons = [w for w in view.children if isinstance(w, widgets.Button)]
    assert buttons, "the buttons are the exercise's own children, side by side in its rows"
    # Everything else takes a whole row, so the buttons share one; the order exercise's
    # drop-downs hold a letter each, and share rows too (the steps are written out above them).
    for child in view.children:
        if not isinstance(child, (widgets.Button, widgets.Dropdown)):
            assert child.layout.width == "100%", type(child).__name__
    assert view.layout.flex_flow == "row wrap"


def test_show_explanation_joins_the_buttons_row_after_the_first_attempt(in_module):
    view = build_view("m01-step-01")
    before = models_of(view)
    view.submit("explain")
    buttons = [w for w in view.children if isinstance(w, widgets.Button)]
    assert [b.description for b in buttons] == ["Check answer", "Show explanation"]
    assert view.children.index(buttons[1]) == view.children.index(buttons[0]) + 1
    assert len(models_of(view) - before) == 1  # the button alone: layout and style are shared
    view.submit("acknowledge")
    assert len([w for w in view.children if isinstance(w, widgets.Button)]) == 2


def test_a_case_simulation_is_lean_too():
    """The case view: no box but its turn area, and one prompt block reused turn after turn."""
    from repairlab.content.bank import load_bank
    from repairlab.views.simulation import SimulationView

    bank, _ = load_bank(REPO / "exercises")
    case = bank.get("m05-case-01")
    first, second = SimulationView(case), SimulationView(case)
    boxes = [w for w in descendants(second) if isinstance(w, widgets.Box)]
    assert boxes == [second.turn_area]
    # The box, the intro (with the heading), meter, transcript, turn area and its prompt,
    # "Start the case again", the feedback area, and a button per choice on offer.
    own = models_of(second) - models_of(first)
    assert len(own) == 8 + len(second.choice_buttons)
    prompt = second.prompt
    second.choose(second.choice_buttons[0].choice_id)
    assert second.turn_area.children[0] is prompt
