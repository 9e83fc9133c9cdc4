"""What a student or instructor reads says it properly: no doubled headline, no lone question
word quoted as evidence, no "1 students", no ungrammatical praise."""

from __future__ import annotations

from pathlib import Path

import pytest

from repairlab.content.check import check_course
from repairlab.feedback import assess_reply
from repairlab.kinds.rewrite_reply import MOVE_DONE
from repairlab.registry import score
from repairlab.views.html import feedback_html
from repairlab.wording import counted

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def course():
    report = check_course(REPO)
    assert report.ok
    return report.course


def test_no_choice_feedback_says_its_headline_twice(course):
    """An option's feedback often opens "Not quite.", which the page already says above it."""
    checked = 0
    for item in course.bank:
        if not hasattr(item, "choices"):
            continue
        for choice in item.choices():
            feedback = score(item, choice.id)
            for note in feedback.notes:
                opening = note.text.casefold()[:len(feedback.headline)]
                assert opening.rstrip(".") != feedback.headline.casefold().rstrip("."), (
                    item.id, choice.id, note.text)
            checked += 1
    assert checked > 100  # the whole course's options, not an empty loop


def test_a_feedback_opening_with_not_quite_keeps_the_rest_of_its_sentence(course):
    item = next(i for i in course.bank if hasattr(i, "choices")
                and any(c.feedback.startswith("Not quite.") for c in i.choices()))
    choice = next(c for c in item.choices() if c.feedback.startswith("Not quite."))
    page = feedback_html(score(item, choice.id))
    assert page.count("Not quite") == 1
    rest = choice.feedback[len("Not quite."):].strip()
    assert rest[:1].upper() + rest[1:30] in page.replace("&quot;", '"').replace("&#x27;", "'")


@pytest.mark.parametrize("reply", [
    "I'm sorry I was late today. What was that like for you?",
    "What happened for you when I said that?",
    "I hear you. What would help?",
])
def test_an_open_question_is_quoted_whole_not_as_a_bare_what(reply):
    result = assess_reply(reply)
    quoted = [e.span.text for e in result.evidence]
    assert quoted, "the reply invites the client to say more; the feedback should quote it"
    for text in quoted:
        assert len(text.split()) >= 3, quoted
        assert reply[reply.index(text):].startswith(text)  # still the student's own words


def test_praise_for_each_move_reads_as_a_sentence():
    for move, sentence in MOVE_DONE.items():
        assert sentence.startswith("You "), move
        assert sentence.endswith("."), move
        assert "You made owning" not in sentence


@pytest.mark.parametrize(("count", "noun", "expected"), [
    (0, "student", "0 students"), (1, "student", "1 student"), (2, "student", "2 students"),
    (1, "file", "1 file"), (3, "student id", "3 student ids"),
    (1, "reply", "1 reply"), (2, "reply", "2 replies"),
])
def test_counts_agree_with_their_noun(count, noun, expected):
    plural = "replies" if noun == "reply" else None
    assert counted(count, noun, plural) == expected


def test_the_dashboard_says_1_student_not_1_students(hand_ins):
    from repairlab.dashboard import dashboard_html, load_folder

    folder = hand_ins({"ana": [("m01-step-01", "acknowledge")]})
    page = dashboard_html(load_folder(folder), charts=False)
    assert "1 student" in page
    assert "1 students" not in page
