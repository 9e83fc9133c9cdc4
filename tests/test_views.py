"""Views driven from code, with no kernel and no browser: what would the student see?"""

from __future__ import annotations

import dataclasses
from html import escape

from repairlab.notebook import build_view
from repairlab.progress import open_store_safely

HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a>'


def test_choice_wrong_then_right(in_module):
    view = build_view("m01-step-01")
    view.submit("explain")
    assert "Not quite." in view.feedback.value
    assert "leading with it defends you" in view.feedback.value
    assert "Eubanks" not in view.feedback.value  # the explanation waits for a retry
    view.submit("acknowledge")
    assert "Yes, that&#x27;s the one." in view.feedback.value
    assert "Eubanks, Burckell &amp; Goldfried 2018" in view.feedback.value


def _buttons(view) -> list[str]:
    import ipywidgets as widgets

    return [w.description for w in view.children if isinstance(w, widgets.Button)]


def test_explanation_is_offered_only_after_a_first_attempt(in_module):
    view = build_view("m01-schema-01")
    assert _buttons(view) == ["Check answer"]  # before any attempt, no way to the answer
    view.explain()  # even called from code, it gives nothing away yet
    assert "Unrelenting Standards" not in view.feedback.value
    assert "Try an answer first" in view.feedback.value
    view.check()  # nothing chosen: not an attempt, so still no explanation on offer
    assert _buttons(view) == ["Check answer"]

    wrong = next(c.id for c in view.item.choices() if c.id != view.item.answer_id)
    view.submit(wrong)
    assert "Not quite." in view.feedback.value
    assert _buttons(view) == ["Check answer", "Show explanation"]
    view.explain_button.click()
    assert "Why" in view.feedback.value
    assert "Unrelenting Standards" in view.feedback.value


def test_a_restored_answer_brings_the_explanation_back(in_module):
    from repairlab import notebook

    build_view("m01-step-01").submit("explain")
    notebook._progress.cache_clear()  # a new Voilà visit is a new kernel
    reopened = build_view("m01-step-01")
    assert _buttons(reopened) == ["Check answer", "Show explanation"]


def test_ordering_view_offers_every_step_in_each_position(in_module):
    view = build_view("m01-order-01")
    assert len(view.positions) == 4
    offered = {value for _, value in view.positions[0].options if value}
    assert offered == {"apologise", "validate", "explore", "space"}
    assert view.submit(["apologise", "validate", "explore", "space"]).status == "correct"


def test_check_with_nothing_chosen_is_not_an_attempt(in_module):
    view = build_view("m01-marker-01")
    view.check()
    assert "Choose an option first." in view.feedback.value
    assert view.attempts == 0


def test_reflection_text_is_shown_as_text_and_kept(in_module):
    view = build_view("m01-reflect-01")
    view.submit(HOSTILE)
    assert view.text.value == HOSTILE  # nothing the student typed is lost
    assert "<script" not in view.feedback.value
    assert "<img" not in view.feedback.value


def test_a_failing_scorer_shows_a_friendly_notice_not_a_traceback(in_module):
    view = build_view("m01-step-01")

    def broken(item, response):
        raise RuntimeError("boom")

    view.kind = dataclasses.replace(view.kind, score_ref=broken)
    view.submit("explain")
    assert "Something went wrong on our side" in view.feedback.value
    assert "boom" not in view.feedback.value
    assert "Traceback" not in view.feedback.value


def test_unknown_item_is_a_notice_for_the_student(in_module):
    widget = build_view("m01-nope-01")
    assert "could not be loaded" in widget.value
    assert "Traceback" not in widget.value


def test_attempts_are_saved_and_restored_in_a_new_kernel(in_module):
    """Close the tab, reopen the app: is the last answer back, with its feedback?"""
    from repairlab import notebook

    build_view("m01-step-01").submit("acknowledge")
    notebook._progress.cache_clear()  # a new Voilà visit is a new kernel
    reopened = build_view("m01-step-01")
    assert reopened.options.value == "acknowledge"
    assert "Yes, that&#x27;s the one." in reopened.feedback.value
    store = open_store_safely().store
    assert [a.status for a in store.attempts("local-student", item_id="m01-step-01")] == ["correct"]


def _home():
    from repairlab.notebook import _progress, current_course
    from repairlab.views.home import home_view

    _progress.cache_clear()  # each visit to the landing page is a new kernel
    return home_view(current_course(), _progress()).children


def test_landing_page_asks_a_name_before_the_first_hand_in(in_module, monkeypatch):
    monkeypatch.delenv("REPAIRLAB_STUDENT", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    build_view("m01-step-01").submit("acknowledge")
    build_view("m01-reflect-01").submit("I noticed <b>heat</b>.")
    page, name, panel = _home()
    assert "Module 1: Demo module" in page.value
    assert "Attempted: 2 of 9 exercises done" in page.value
    assert name.box.description == "Name or student number"  # a labelled box, and a button
    assert name.save_button.description == "Save my name"
    assert "repairlab-feedback" in name.status._dom_classes  # a live region

    assert panel.prepare() is None  # no name yet: no file
    assert "Give your name or student number in the box above" in panel.link.value

    name.save("   ")
    assert "Type your name or student number first." in name.status.value
    name.save("local-student")
    assert "your own name" in name.status.value
    name.save("<b>Ana</b>  López")
    assert "Saved. Your hand-in files will carry <strong>&lt;b&gt;Ana&lt;/b&gt; López</strong>" \
        in name.status.value
    assert "<b>Ana" not in name.status.value + name.intro.value
    assert name.save_button.description == "Change my name"
    report = panel.prepare()
    assert "I noticed &lt;b&gt;heat&lt;/b&gt;." in report
    assert "<dt>Student</dt><dd>&lt;b&gt;Ana&lt;/b&gt; López</dd>" in report
    assert 'download="repairlab-b-Ana-b-López-' in panel.link.value
    assert "base64," in panel.link.value

    _page, name, panel = _home()  # a new visit: the name was kept with the progress
    assert name.box.value == "<b>Ana</b> López"
    assert name.save_button.description == "Change my name"
    name.save("s1234567")  # and can be changed
    panel.prepare()
    assert 'download="repairlab-s1234567-' in panel.link.value


def test_a_hub_sign_in_name_is_used_and_not_asked(in_module, monkeypatch):
    monkeypatch.delenv("REPAIRLAB_STUDENT", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "ana<3")
    build_view("m01-step-01").submit("acknowledge")
    _page, name, panel = _home()
    assert name.box is None
    assert "your sign-in name, <strong>ana&lt;3</strong>" in name.intro.value
    report = panel.prepare()
    assert 'download="repairlab-ana-3-' in panel.link.value
    assert "<dt>Student</dt><dd>ana&lt;3</dd>" in report


def test_without_saving_no_name_is_kept(in_module, monkeypatch, tmp_path):
    monkeypatch.delenv("REPAIRLAB_STUDENT", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    broken = tmp_path / "broken"
    (broken / "progress.sqlite3").mkdir(parents=True)
    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(broken))
    _page, name, panel = _home()
    name.save("Ana")
    assert "cannot be kept because saving is off" in name.status.value
    assert panel.prepare() is None


def test_saving_off_is_said_on_the_page_and_practice_goes_on(in_module, monkeypatch, tmp_path):
    from repairlab import notebook

    data = tmp_path / "broken"
    data.mkdir()
    (data / "progress.sqlite3").mkdir()  # a folder where the database file should be
    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(data))
    notebook._progress.cache_clear()
    view = build_view("m01-step-01")
    assert "Saving is off" in view.status.value
    view.submit("acknowledge")  # feedback still works
    assert "Yes, that&#x27;s the one." in view.feedback.value


def test_choice_options_are_shuffled_the_same_way_on_every_visit():
    from repairlab.schemas import validate
    from repairlab.views.choice import ChoiceView

    authored = ["a", "b", "c", "d", "e", "f"]
    item = validate({
        "id": "t-shuffle", "type": "pick-repair-step", "difficulty": "beginner", "title": "T",
        "options": [{"id": o, "text": o.upper(), "feedback": "f"} for o in authored],
        "answer": "a", "explanation": "e"})
    shown = [v for _, v in ChoiceView(item).options.options]
    assert shown != authored  # the right answer is not left where the author put it
    assert sorted(shown) == authored
    assert [v for _, v in ChoiceView(item).options.options] == shown  # stable across visits


def test_a_rewrite_says_what_it_asks_for_before_the_first_attempt(in_module):
    view = build_view("m01-rewrite-01")
    stem = view.children[0].value
    assert "This moment asks for" in stem
    assert "owning your part" in stem or "an apology" in stem or "validating" in stem
    assert view.feedback.value == ""  # nothing else is said before the student tries


def test_a_rewrite_the_assessor_is_unsure_about_gets_no_verdict(in_module, monkeypatch):
    from repairlab.feedback import verdict

    model = verdict.load_model()
    unsure = verdict.VerdictModel(model.outputs, model.biases, model.scales, model.weights, 0.0, 1.0)
    monkeypatch.setattr("repairlab.feedback.assessor.default_model", lambda: unsure)
    view = build_view("m01-rewrite-01")
    view.submit("I'm sorry about that, but there were reasons.")
    assert "not sure" in view.feedback.value
    assert "Well done" not in view.feedback.value
    assert "This still reads as defensive" not in view.feedback.value
    assert "One way to say it" in view.feedback.value  # the model reply, to compare with


def test_the_order_exercise_shows_every_step_in_full_under_a_letter(in_module):
    """A drop-down cuts a sentence at its width: the steps are written out whole, and the
    drop-downs offer their letters."""
    from repairlab.notebook import current_course

    item = current_course().item("m01-order-01")
    view = build_view("m01-order-01")
    listing = view.children[0].value
    for step in item.steps:
        assert escape(step.text) in listing, step.text  # whole, however long
    letters = [label for label, value in view.positions[0].options if value]
    assert letters == ["A", "B", "C", "D"][:len(item.steps)]
    for letter in letters:
        assert f'<strong class="rl-letter">{letter}</strong>' in listing
    # Choosing by letter orders the steps those letters stand for.
    by_letter = {label: value for label, value in view.positions[0].options if value}
    order = [by_letter[view.letters[s]] for s in item.correct_order]
    assert view.submit(order).status == "correct"
