"""One student's work in the demo module, done through the real views (``worked_hand_in`` in
conftest.py): what the hand-in tests and the hand-in's browser test read back."""

from __future__ import annotations

# What "ann" does in the demo module, in order: a wrong answer then the right one, an order
# partly right, a rewrite with Windows line ends, a reflection that tries to be markup, a wrong
# turn then the moment, and the case played to an ending. The red-flag item is left untried.
# Responses are what the views send (option, step and turn ids); the hand-in must show them in
# the words the student read.
STUDENT_TEXT = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
REWRITE = ("You're right, I kept looking at the clock, and I'm sorry.\r\n"
           "What was that like <u>for you</u>?")
CASE_REPLY = ("You're right, I'm sorry I kept looking at the clock. What was that like for you? "
              "<s>Tell me.</s>")
WORK = [
    ("m01-schema-01", "Mistrust/Abuse"),
    ("m01-schema-01", "Unrelenting Standards/Hypercriticalness"),
    ("m01-step-01", "explain"),
    ("m01-order-01", ["validate", "apologise", "explore", "space"]),
    ("m01-marker-01", "minimal"),
    ("m01-rewrite-01", REWRITE),
    ("m01-reflect-01", STUDENT_TEXT),
    ("m01-moment-01", "t1"),
    ("m01-moment-01", "t3"),
]


def play_case(view, reply: str = CASE_REPLY) -> None:
    """Play a case view to an ending as a student would: the first choice offered each
    time, and ``reply`` where the case asks for words."""
    while not view.play.ended:
        if view.play.expects_reply:
            view.submit(reply)
        else:
            view.choose(view.play.options[0].id)
