"""Tests of the reply assessor's rules stage: the markers and moves it finds, with their words
and reasons (repairlab.feedback.rules, no kernel, no timing). The public ``assess_reply``, which
weighs these findings with the learned verdict, is tested in test_assessor.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
import yaml

from repairlab.feedback import (
    MARKER_KINDS,
    MARKER_LABELS,
    MAX_CHARS,
    MOVE_LABELS,
    MOVES,
    LexiconError,
    ReplyAssessment,
    assess_by_rules,
    build_lexicon,
)
from repairlab.feedback.lexicon import default_lexicon

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "replies"


def rules(text, context=None) -> ReplyAssessment:
    """The rules' own assessment, before the learned verdict weighs it."""
    return assess_by_rules(text, context).assessment


def _shared_examples() -> Path | None:
    candidates = [
        os.environ.get("REPAIRLAB_SHARED_REPLIES", ""),
        ROOT.parent / "shared" / "replies-dev.yaml",
        "/work/shared/replies-dev.yaml",
    ]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


def _load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["items"]


def _kinds(result: ReplyAssessment) -> set[str]:
    return {m.kind for m in result.markers}


def _spans_point_at_text(result: ReplyAssessment) -> None:
    for found in (*result.markers, *result.evidence):
        span = found.span
        assert 0 <= span.start < span.end <= len(result.text)
        assert result.text[span.start : span.end] == span.text
        assert span.text == span.text.strip()


# --- Markers: every kind, with the tricky cases -------------------------------------------

MARKER_CASES = [
    # blame-labelling
    ("label-personally", "You seem to be taking this very personally.", "blame-labelling", "taking this"),
    ("label-too-sensitive", "Honestly, you're being too sensitive.", "blame-labelling", "too sensitive"),
    ("label-projecting", "I think you're projecting your father onto me.", "blame-labelling", "projecting"),
    (
        "label-resisting",
        "I wonder if you're resisting because change is scary.",
        "blame-labelling",
        "resisting",
    ),
    ("label-leading-question", "Don't you think you overreacted?", "blame-labelling", "overreacted"),
    (
        "label-deflect-family",
        "This says more about your relationship with your sister.",
        "blame-labelling",
        "says more about",
    ),
    ("label-symptom", "That's just your anxiety talking.", "blame-labelling", "your anxiety"),
    (
        "label-always",
        "You always push back whenever I suggest anything.",
        "blame-labelling",
        "You always push",
    ),
    ("label-why-so", "Why are you so upset about something so small?", "blame-labelling", "Why are you so"),
    # justifying
    ("justify-intent-alone", "I was only trying to help.", "justifying", "trying to"),
    ("justify-excuse", "I had an emergency with another client.", "justifying", "I had an emergency"),
    ("justify-correct-record", "That's not what I said.", "justifying", "not what I said"),
    ("justify-never-said", "I never said you were lazy.", "justifying", "I never said"),
    ("justify-refuse-apology", "I'm not going to apologise for being honest.", "justifying", "apologise"),
    ("justify-not-sorry", "I'm not sorry for saying it.", "justifying", "not sorry"),
    ("justify-rank", "I've been doing this for twenty years.", "justifying", "doing this for"),
    ("justify-rhetorical", "How was I supposed to know that?", "justifying", "How was I supposed"),
    ("justify-emphatic-did", "I did reply, actually.", "justifying", "I did reply"),
    (
        "justify-excuse-same-clause",
        "I was late because of the traffic.",
        "justifying",
        "because of the traffic",
    ),
    # minimising
    ("minimise-only", "It was only ten minutes.", "minimising", "only ten"),
    ("minimise-everyone", "Everyone finds the first weeks of homework hard.", "minimising", "Everyone finds"),
    ("minimise-get-used", "You'll get used to it.", "minimising", "get used to it"),
    ("minimise-big-deal", "It's not a big deal.", "minimising", "big deal"),
    ("minimise-happens", "These things happen.", "minimising", "These things happen"),
    ("minimise-joke", "It was just a joke.", "minimising", "just a joke"),
    ("minimise-calm-down", "Calm down, please.", "minimising", "Calm down"),
    # rule-lecturing
    (
        "rule-agreement",
        "The cancellation fee is in the agreement. I can't waive it.",
        "rule-lecturing",
        "in the agreement",
    ),
    ("rule-policy-says", "The policy says 24 hours' notice.", "rule-lecturing", "policy says"),
    ("rule-you-signed", "You signed the contract at intake.", "rule-lecturing", "You signed the"),
    (
        "rule-yes-but",
        "I understand you're frustrated, but rules are rules.",
        "rule-lecturing",
        "rules are rules",
    ),
    (
        "rule-yes-but-policy",
        "I hear it feels unfair, but the policy applies to everyone.",
        "rule-lecturing",
        "policy applies",
    ),
    ("rule-trust-process", "You need to trust the process.", "rule-lecturing", "trust the process"),
    ("rule-not-up-to-you", "It's not up to you to decide the plan.", "rule-lecturing", "not up to you"),
    # non-apology
    ("nonapology-feel-that-way", "I'm sorry you feel that way.", "non-apology", "sorry you feel"),
    ("nonapology-if-offended", "I'm sorry if you were offended.", "non-apology", "sorry if"),
    ("nonapology-came-across", "I'm sorry it came across that way.", "non-apology", "sorry it came across"),
    ("nonapology-if-upset", "I'm sorry if anything I said upset you.", "non-apology", "sorry if"),
    ("nonapology-any-confusion", "Sorry for any confusion.", "non-apology", "Sorry for any confusion"),
    (
        "nonapology-regret-offended",
        "I regret that you were offended.",
        "non-apology",
        "regret that you were offended",
    ),
    ("nonapology-if-then", "If I hurt you, I apologise.", "non-apology", "If I hurt you, I apologise"),
    ("nonapology-youre-upset", "I'm sorry that you're upset.", "non-apology", "sorry that you're upset"),
    ("nonapology-curly", "I’m sorry you feel that way.", "non-apology", "sorry you feel"),
    # undone-apology
    (
        "undone-sorry-but",
        "I'm sorry, but I can't be available every evening.",
        "undone-apology",
        "I'm sorry, but",
    ),
    ("undone-however", "I apologise; however, the dates were in my email.", "undone-apology", "however"),
    ("undone-next-sentence", "I'm sorry. But you did agree to try it.", "undone-apology", "I'm sorry. But"),
    ("undone-that-said", "I'm sorry. That said, you were late too.", "undone-apology", "That said"),
    ("undone-although", "I apologize for the delay, although I did warn you.", "undone-apology", "although"),
    # topic-change
    (
        "topic-put-aside",
        "Let's put that aside and get back to your goals for the week.",
        "topic-change",
        "put that aside",
    ),
    ("topic-anyway", "Anyway, how was your week?", "topic-change", "Anyway"),
    ("topic-move-on", "Let's just move on.", "topic-change", "move on"),
    ("topic-diary", "Did you manage the sleep diary?", "topic-change", "sleep diary"),
    ("topic-another-day", "Let's leave that for another day.", "topic-change", "leave that for another"),
    (
        "topic-after-sympathy",
        "I'm sorry to hear that. Anyway, let's look at the plan.",
        "topic-change",
        "Anyway",
    ),
    # counter-attack (including claimed hurt)
    ("counter-you-too", "You were late yourself twice last month.", "counter-attack", "yourself"),
    (
        "counter-if-you-had",
        "If you did the homework, you wouldn't feel like that.",
        "counter-attack",
        "If you did",
    ),
    ("counter-tone", "I don't appreciate your tone.", "counter-attack", "appreciate your"),
    ("counter-what-more", "What more do you want from me?", "counter-attack", "What more do you want"),
    (
        "hurt-it-hurts-me",
        "Frankly, it hurts me that you'd say I don't listen.",
        "counter-attack",
        "it hurts me",
    ),
    ("hurt-attacked", "I feel quite attacked right now.", "counter-attack", "attacked"),
    (
        "hurt-after-all",
        "After everything I've done for you, this is what I get.",
        "counter-attack",
        "After everything",
    ),
    ("hurt-hurtful", "I find that really hurtful.", "counter-attack", "hurtful"),
    # --- Generalised families (each found on fresh paraphrases; see bench/README.md) ---
    # second-person blame and correcting the record
    ("you-did-agree", "Well, you did agree to the homework last week.", "counter-attack", "you did agree"),
    ("you-said-youd", "You said you'd call if you were running late.", "counter-attack", "You said"),
    ("you-told-me", "You told me you wanted honest feedback.", "counter-attack", "You told me"),
    ("you-never-mentioned", "You never mentioned that the topic was off limits.", "counter-attack", "never"),
    ("you-were-the-one", "You were the one who asked me to push you harder.", "counter-attack", "the one"),
    (
        "as-i-told-you",
        "As I told you at our first meeting, I don't do phone sessions.",
        "justifying",
        "As I told",
    ),
    ("actually-i-sent", "Actually, I sent the reminder on Monday.", "justifying", "Actually, I sent"),
    ("not-what-it-says", "That's not what it says. It says 'traits'.", "justifying", "not what it says"),
    ("not-my-words", "Those weren't my exact words.", "justifying", "my exact words"),
    ("reframe-not", "It was feedback, not criticism.", "justifying", "not criticism"),
    ("if-you-remember", "If you remember, we agreed on this together.", "justifying", "If you remember"),
    ("mentioned-twice", "I mentioned the holiday twice in September.", "justifying", "twice"),
    ("not-mine", "That was the receptionist's mistake, not mine.", "justifying", "not mine"),
    # normalising with others
    ("most-clients", "Honestly, most clients don't mind the fee.", "minimising", "most clients"),
    (
        "other-people-group",
        "Other people in the group didn't have a problem with it.",
        "minimising",
        "Other people",
    ),
    (
        "everybody-forgets",
        "Honestly, everybody forgets a name now and then.",
        "minimising",
        "everybody forgets",
    ),
    ("any-therapist", "Any therapist would have asked that question.", "justifying", "Any therapist would"),
    # credentials and effort
    (
        "in-my-experience",
        "In my experience, this approach works for almost everyone.",
        "justifying",
        "experience",
    ),
    (
        "years-experience",
        "I have fifteen years of experience with trauma.",
        "justifying",
        "years of experience",
    ),
    ("seen-many", "I've seen a lot of cases like yours.", "justifying", "seen a lot of cases"),
    (
        "after-how-hard",
        "That feels a bit unfair after how hard I've worked for you.",
        "counter-attack",
        "after how hard",
    ),
    (
        "bent-over",
        "I've bent over backwards to fit you in this month.",
        "counter-attack",
        "bent over backwards",
    ),
    ("doing-my-best", "Look, I'm doing my best here.", "counter-attack", "doing my best"),
    # self-focused hurt
    ("hard-for-me", "That's quite upsetting for me to hear.", "counter-attack", "upsetting for me"),
    ("feelings-too", "You know, therapists have feelings too.", "counter-attack", "feelings too"),
    ("attacking-me", "It feels like you're attacking me.", "counter-attack", "attacking me"),
    (
        "disappointed-thats",
        "I'm pretty disappointed that's how you see it.",
        "counter-attack",
        "disappointed",
    ),
    # counter-accusation
    (
        "phone-all-the-time",
        "You check your phone in our sessions all the time.",
        "counter-attack",
        "all the time",
    ),
    ("more-than-i", "You've missed more sessions than I have.", "counter-attack", "than I have"),
    ("not-exactly", "Well, you haven't exactly been easy to reach either.", "counter-attack", "exactly"),
    ("your-connection", "Your connection is the problem there.", "counter-attack", "Your connection"),
    ("your-tone", "And you don't think your tone just now was rude?", "counter-attack", "your tone"),
    ("happier-elsewhere", "Perhaps you'd be happier with another therapist.", "counter-attack", "happier"),
    # justifying: intent, circumstances, caseload, systems, duty, neutrality, records
    ("meant-personally", "It wasn't meant personally.", "justifying", "meant personally"),
    ("nothing-personal", "There was nothing personal in it.", "justifying", "nothing personal"),
    ("covering", "I was covering for a colleague, so the day got away from me.", "justifying", "covering"),
    (
        "caseload",
        "I have a lot of clients and I can't keep every detail in my head.",
        "justifying",
        "a lot of clients",
    ),
    ("mind-reader", "I'm not a mind reader.", "justifying", "mind reader"),
    ("system-crashed", "The system crashed, so the reminders didn't go out.", "justifying", "system crashed"),
    ("required-to", "I'm required to record what I observe.", "justifying", "required to"),
    ("my-job-is", "My job is to challenge you sometimes.", "justifying", "My job is to"),
    ("take-sides", "I don't take sides… I'm completely neutral.", "justifying", "take sides"),
    ("clinical-record", "Those notes are a clinical record.", "justifying", "clinical record"),
    ("stand-by", "I hear you, but I stand by the decision.", "justifying", "stand by"),
    # rule-lecturing
    (
        "go-through-reception",
        "Rescheduling requests have to go through reception.",
        "rule-lecturing",
        "go through",
    ),
    ("explained-on-website", "That's explained on the website.", "rule-lecturing", "explained on the"),
    ("end-on-hour", "Sessions end on the hour. That's the arrangement.", "rule-lecturing", "on the hour"),
    (
        "not-part-of-service",
        "Out-of-hours contact isn't part of the service.",
        "rule-lecturing",
        "part of the service",
    ),
    (
        "remind-you",
        "I would remind you that the terms were provided in writing.",
        "rule-lecturing",
        "remind you",
    ),
    # blame-labelling: symptoms and patterns
    (
        "form-of-avoidance",
        "Not doing the homework is a form of avoidance.",
        "blame-labelling",
        "form of avoidance",
    ),
    ("your-perfectionism", "This sounds like your perfectionism again.", "blame-labelling", "perfectionism"),
    (
        "people-with",
        "That's a pattern we see in a lot of people with anxiety.",
        "blame-labelling",
        "people with",
    ),
    (
        "your-own-part",
        "Blaming me is one way of not looking at your own part.",
        "blame-labelling",
        "your own part",
    ),
    ("so-aggressive", "This isn't like you to be so aggressive.", "blame-labelling", "so aggressive"),
    (
        "making-more-of",
        "I think you're making more of this than it needs to be.",
        "blame-labelling",
        "making more",
    ),
    # minimising
    ("tiny-slip", "It was a tiny slip. I wouldn't worry about it.", "minimising", "tiny slip"),
    ("end-of-world", "It's hardly the end of the world.", "minimising", "end of the world"),
    ("dont-take-to-heart", "Don't take it to heart.", "minimising", "take it to heart"),
    ("we-are-fine", "Honestly, I think we're fine.", "minimising", "fine"),
    ("no-reason-to-feel", "There's no reason to feel judged.", "minimising", "no reason to feel"),
    # topic-change
    ("focus-group", "Let's keep the focus on the group as a whole.", "topic-change", "focus on the group"),
    ("spend-time-goals", "I'd rather we spent our time on your goals.", "topic-change", "your goals"),
    ("left-off", "Right. Shall we pick up where we left off last week?", "topic-change", "where we left off"),
    ("now-about", "I hear you. Now, about your sleep…", "topic-change", "about your"),
    (
        "lot-to-cover",
        "Let's keep things moving; there's a lot to cover today.",
        "topic-change",
        "keep things moving",
    ),
    # non-apology
    ("sorry-impression", "I'm sorry you were left with that impression.", "non-apology", "impression"),
    ("sorry-worksheet", "Sorry that the worksheet annoyed you.", "non-apology", "annoyed you"),
    # the residual rule: a statement with nothing that repairs
    ("no-repair", "Nobody in the office passed your message on.", "no-repair", "Nobody in the office"),
]


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [pytest.param(t, k, w, id=i) for i, t, k, w in MARKER_CASES],
)
def test_marker_found_with_its_words(text: str, kind: str, words: str) -> None:
    result = rules(text)
    assert result.defensive
    assert result.moves == frozenset()
    assert result.evidence == ()
    matching = [m for m in result.markers if m.kind == kind]
    assert matching, f"expected {kind}, got {_kinds(result)}"
    assert any(words.lower() in m.span.text.lower() for m in matching), [m.span.text for m in matching]
    assert all(m.reason and "\n" not in m.reason for m in result.markers)
    _spans_point_at_text(result)


def test_every_marker_kind_is_covered_by_a_case() -> None:
    # "reads-defensive" is the learned verdict's, not a rule's (see test_assessor.py).
    assert {k for _, _, k, _ in MARKER_CASES} == set(MARKER_KINDS) - {"reads-defensive"}


# --- Moves: every move, with the tricky cases ---------------------------------------------

MOVE_CASES = [
    # apology
    ("apology-plain", "I'm sorry I forgot to call you back.", "apology", "I'm sorry"),
    ("apology-british", "I apologise for cutting you off.", "apology", "I apologise"),
    ("apology-american", "I apologize for cutting you off.", "apology", "I apologize"),
    ("apology-owe", "I owe you an apology. I brushed off what you said.", "apology", "I owe you an apology"),
    ("apology-dash-and", "I'm sorry — and I want to understand what that was like.", "apology", "I'm sorry"),
    ("apology-then-didnt", "I'm really sorry I promised to call and then didn't.", "apology", "sorry"),
    ("apology-but-continues-act", "I'm sorry I said I'd read it but never did.", "apology", "sorry"),
    ("apology-regret", "I cancelled at short notice, and I regret it.", "apology", "regret it"),
    ("apology-shouting", "I APOLOGISE. I LET YOU DOWN.", "apology", "APOLOGISE"),
    # ownership
    ("ownership-talked-over", "I talked over you several times today.", "ownership", "I talked over"),
    ("ownership-on-me", "That's on me.", "ownership", "on me"),
    ("ownership-should-have", "I should have checked in with you first.", "ownership", "I should have"),
    ("ownership-didnt-reply", "I didn't get back to you for a week.", "ownership", "get back"),
    ("ownership-behaviour-uk", "My behaviour last week was dismissive of your concerns.", "ownership", None),
    (
        "ownership-behavior-us",
        "I was dismissive of your concerns, and that was my mistake.",
        "ownership",
        "dismissive",
    ),
    ("ownership-elliptical", "You came on time and I didn't.", "ownership", "I didn't"),
    (
        "ownership-intent-plus-impact",
        "I meant it as support, and I can see now that it came out as pressure.",
        "ownership",
        "came out as",
    ),
    (
        "ownership-d11",
        "I was hoping the reframe would help, and instead it seems I brushed your grief aside. That's on me.",
        "ownership",
        None,
    ),
    ("ownership-curly-lower", "i’m sorry i interrupted you.", "ownership", "i interrupted"),
    # validation
    (
        "validation-understandable",
        "It's completely understandable that you'd be annoyed with me.",
        "validation",
        "understandable",
    ),
    ("validation-welcome", "Your frustration is welcome here.", "validation", "welcome"),
    ("validation-must-have", "That must have felt like I'd forgotten you.", "validation", "must have felt"),
    ("validation-negated-label", "You're not overreacting.", "validation", "not overreacting"),
    (
        "validation-dont-think-too-sensitive",
        "I don't think you're too sensitive at all; your reaction makes sense to me.",
        "validation",
        "makes sense",
    ),
    ("validation-thanks", "Thank you for telling me.", "validation", "Thank you for telling"),
    ("validation-sound", "You sound let down, and I don't blame you.", "validation", None),
    (
        "validation-anyone",
        "Anyone would be annoyed after waiting that long.",
        "validation",
        "Anyone would be annoyed",
    ),
    ("validation-understand-why", "I understand why you're angry.", "validation", "understand why"),
    # exploration
    ("exploration-what", "What was going through your mind when I changed the topic?", "exploration", "What"),
    ("exploration-say-more", "Can you say more about what felt off?", "exploration", "say more"),
    ("exploration-tell-me", "Tell me more about what it's like.", "exploration", "Tell me more"),
    (
        "exploration-like-to-hear",
        "I'd like to hear how that left you feeling.",
        "exploration",
        "like to hear",
    ),
    (
        "exploration-willing",
        "Would you be willing to tell me more about how that felt?",
        "exploration",
        "willing",
    ),
    ("exploration-after-comma", "Daniel, what went through your head just then?", "exploration", "what"),
    # autonomy
    ("autonomy-your-call", "Think it over, and it's your call.", "autonomy", "your call"),
    ("autonomy-dont-have-to", "You don't have to decide now.", "autonomy", "don't have to decide"),
    ("autonomy-when-ready", "Whenever you're ready, I'm here.", "autonomy", "Whenever you're ready"),
    ("autonomy-pace", "We can go at whatever pace feels right to you.", "autonomy", "pace"),
    ("autonomy-stop", "You can always tell me to slow down.", "autonomy", "tell me to slow"),
    ("autonomy-up-to-you", "It's completely up to you whether we keep going.", "autonomy", "up to you"),
    (
        "autonomy-if-youd-prefer",
        "If you'd prefer, we can drop the worksheets.",
        "autonomy",
        "If you'd prefer",
    ),
    # --- Generalised forms ---
    # first-person accounts of your own act (a verb list, or a plain verb with what made it a fault)
    ("own-looked-at-phone", "I looked at my phone while you were crying.", "ownership", "looked at my phone"),
    ("own-started-late", "I started twenty minutes late.", "ownership", "started twenty minutes late"),
    ("own-called-on-you", "I called on you in front of the group.", "ownership", "called on you"),
    ("own-kept-bringing", "I kept bringing it up.", "ownership", "kept bringing"),
    ("own-talked-too-much", "I talked far too much.", "ownership", "talked far too much"),
    (
        "own-without-asking",
        "I shared your worry with the group without asking you first.",
        "ownership",
        "shared",
    ),
    ("own-in-front-of", "I mentioned your diagnosis in front of your partner.", "ownership", "mentioned"),
    ("own-you-x-and-i-y", "You told me about the anniversary, and I forgot.", "ownership", "I forgot"),
    ("own-i-did-forget", "You're right, I did forget.", "ownership", "I did forget"),
    (
        "own-my-decision",
        "It was my decision to move the session, and it cost you.",
        "ownership",
        "my decision",
    ),
    ("own-still-should", "I still should have called you.", "ownership", "should have"),
    ("own-got-badly-wrong", "I got that badly wrong.", "ownership", "got that badly wrong"),
    ("own-as-available", "I haven't been as available as I said I would be.", "ownership", "available"),
    ("own-clumsy-thing", "That was a clumsy thing for me to say.", "ownership", "clumsy thing"),
    (
        "own-confusion-i-caused",
        "The confusion I caused with the dates was mine to fix.",
        "ownership",
        "I caused",
    ),
    # validation
    ("validation-brave", "You were brave to bring this up.", "validation", "brave to bring"),
    ("validation-furious-too", "That would have made me furious too.", "validation", "made me furious"),
    (
        "validation-dont-think-overreacting",
        "I don't think you're overreacting.",
        "validation",
        "overreacting",
    ),
    ("validation-grateful", "It took a lot to tell me that, and I'm grateful you did.", "validation", None),
    (
        "validation-especially-if",
        "That must have stung, especially if it sounded like your father.",
        "validation",
        None,
    ),
    ("validation-hear-me-ask", "It makes sense that it hurt to hear me ask.", "validation", "makes sense"),
    # exploration and autonomy
    (
        "exploration-value-hearing",
        "I'd really value hearing what you needed from me.",
        "exploration",
        "value hearing",
    ),
    ("exploration-tell-again", "Can you tell me again?", "exploration", "tell me again"),
    (
        "autonomy-whatever-works",
        "We can talk now, next week, or never; whatever works for you.",
        "autonomy",
        None,
    ),
    ("autonomy-unless-you-do", "I won't bring it up unless you do.", "autonomy", "unless you do"),
]


@pytest.mark.parametrize(
    ("text", "move", "words"),
    [pytest.param(t, m, w, id=i) for i, t, m, w in MOVE_CASES],
)
def test_move_found_with_its_words(text: str, move: str, words: str | None) -> None:
    result = rules(text)
    assert not result.defensive, [(m.kind, m.span.text) for m in result.markers]
    assert move in result.moves
    ev = [e for e in result.evidence if e.move == move]
    assert len(ev) == 1
    if words:
        assert words.lower() in ev[0].span.text.lower()
    assert move not in dict(result.suggestions)
    _spans_point_at_text(result)


def test_every_move_is_covered_by_a_case() -> None:
    assert {m for _, _, m, _ in MOVE_CASES} == set(MOVES)


# --- What must NOT count ------------------------------------------------------------------

NOT_A_MOVE = [
    ("not-sorry-is-no-apology", "I'm not sorry.", "apology"),
    ("sorry-to-hear-is-sympathy", "I'm sorry to hear you had a rough week.", "apology"),
    ("hedged-sorry-if", "I'm sorry if my email seemed cold.", "apology"),
    ("sorry-you-feel", "I'm sorry you feel that way.", "apology"),
    ("sorry-but-undone", "I'm sorry, but you were late too.", "apology"),
    ("leading-question-not-exploration", "Don't you think you overreacted?", "exploration"),
    ("closed-question-not-exploration", "Did my comment upset you?", "exploration"),
    ("rhetorical-not-exploration", "What did you expect me to do?", "exploration"),
    ("topic-change-question-not-exploration", "Anyway, how did the breathing go?", "exploration"),
    (
        "first-person-in-question-not-ownership",
        "What was going through your mind when I changed the topic?",
        "ownership",
    ),
    ("conditional-not-ownership", "I'm sorry if I hurt you.", "ownership"),
    ("denial-not-ownership", "I didn't do anything wrong.", "ownership"),
    ("not-up-to-you-not-autonomy", "It's not up to you.", "autonomy"),
    ("label-dressed-as-validation", "You're touchy about culture, which is understandable.", "validation"),
    ("yes-but-validation", "I hear that it feels unfair, but rules are rules.", "validation"),
    ("closed-check-is-right", "I'm sorry I snapped. Is that right?", "exploration"),
    ("closed-check-tag", "I'm sorry I snapped. Is that right, that it scared you?", "exploration"),
    ("what-i-missed-not-ownership", "I'd really like to understand what I missed.", "ownership"),
    ("what-i-got-wrong-not-ownership", "Tell me what I got wrong.", "ownership"),
    (
        "landed-as-is-ownership-not-validation",
        "I can see it landed as mockery, and that's on me.",
        "validation",
    ),
]


@pytest.mark.parametrize(("text", "move"), [pytest.param(t, m, id=i) for i, t, m in NOT_A_MOVE])
def test_not_counted_as_move(text: str, move: str) -> None:
    assert move not in rules(text).moves


NOT_DEFENSIVE = [
    # Negation: a denied label is not labelling.
    (
        "negated-label-with-validation",
        "I'm not saying you're overreacting. It makes sense that you're upset.",
    ),
    ("dont-think-overreacting", "I don't think you're overreacting."),
    ("never-call-dramatic", "I'd never call you dramatic; what you felt makes sense."),
    # Intent explained with the impact owned (d11): not defensive.
    ("intent-plus-ownership", "I was only trying to help, and I can see I pushed too hard. That's on me."),
    ("intent-plus-apology", "I didn't mean to upset you, and I'm sorry that I did."),
    (
        "excuse-plus-apology-no-but",
        "I'm sorry I was late. My last session ran over, and that's not fair on you.",
    ),
    # A rule stated next to an acknowledged feeling is not lecturing.
    (
        "rule-with-validation",
        "It makes sense that the fee feels unfair. The policy says 24 hours, "
        "and I'd like to hear what would help.",
    ),
    ("rule-then-but-validation", "The policy says 24 hours, but I can hear how unfair that feels right now."),
    # Questions and plain statements.
    ("closed-question", "Are you angry with me?"),
    ("plain-ack", "Okay."),
    ("before-we-move-on", "Before we move on, I want to say I'm sorry."),
    ("dont-want-to-move-on", "I don't want to move on too quickly from this."),
    ("you-too-validation", "It's okay to be angry with me too."),
    # False positives fixed with the generalised families.
    ("fp-hurt-to-hear-me", "It makes sense that it hurt to hear me ask."),
    ("fp-stung-to-hear-me", "It's understandable that it stung to hear me say that."),
    ("fp-especially-if", "That must have stung, especially if it sounded like your father."),
    ("fp-as-if-you", "I spoke about your drinking as if you weren't trying. I regret that."),
    ("fp-what-you-told-me", "I forgot what you told me about your dad's illness. I'm sorry."),
    ("fp-when-you-wanted", "I pushed the breathing exercise on you when you wanted to talk."),
    ("fp-and-you-missed", "I kept you past the hour and you missed your bus. I apologise."),
    ("fp-you-x-and-i-y", "You agreed to try the exercise, and I pushed it further than we'd discussed."),
    (
        "fp-you-said-it-felt",
        "You said it felt like I didn't believe you. I can see how my questions gave that impression.",
    ),
    ("fp-more-than-you-asked", "I've been giving you more advice than you asked for. That's on me."),
    ("fp-reported-label", "I said you were overreacting, and that was unfair of me."),
    ("fp-most-people-would", "Most people would feel hurt by that, and so would I."),
    ("fp-would-upset-most", "Being spoken over like that would upset most people."),
    (
        "fp-others-said-same",
        "Other clients have said the same thing, which tells me it's real. Thank you for raising it.",
    ),
    ("fp-confusion-i-caused", "Please accept my apologies for the confusion I caused with the dates."),
    ("fp-acted-like-nothing", "I kept you waiting and then acted like it was nothing."),
    ("fp-as-i-said-i-would", "I haven't been as available as I said I would be."),
    (
        "fp-not-my-call",
        "I said your goals were unrealistic, and that wasn't my call to make. It's your life.",
    ),
    ("fp-about-you-not-me", "I'm sorry. This is about what you went through, not me."),
    # The residual rule leaves alone what stays with the client.
    ("holding-sit-with", "Okay. Let me sit with that for a second."),
    ("holding-get-it-right", "I want to get this right with you."),
    (
        "model-rewrite",
        # The model rewrite in docs/authoring.md.
        "You're right, I started late again, and I'm sorry. It makes sense that it feels as if "
        "your time doesn't matter to me. What was it like to sit and wait?",
    ),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in NOT_DEFENSIVE])
def test_not_defensive(text: str) -> None:
    result = rules(text)
    assert not result.defensive, [(m.kind, m.span.text) for m in result.markers]


# --- Scope rules of the generalised families ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "defensive"),
    [
        pytest.param("You did tell me about it, and I forgot anyway.", False, id="you-then-admission"),
        pytest.param("You did say you wanted to be challenged.", True, id="you-alone"),
        pytest.param("That makes sense, but you did agree to the plan.", True, id="move-before-but"),
        pytest.param(
            "I'm sorry. You did say you wanted to be challenged.", True, id="apology-other-sentence"
        ),
        pytest.param("I'm sorry. I was only trying to help.", False, id="intent-with-apology"),
    ],
)
def test_second_person_clause_needs_an_admission_in_its_own_sentence(text: str, defensive: bool) -> None:
    # "You X" is blame unless the same sentence goes on to own something ("..., and I forgot").
    # An apology elsewhere excuses an intent (d11), not a correction of the client's record.
    assert rules(text).defensive is defensive


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I forgot what you told me about it.", id="what-you"),
        pytest.param("I pushed on when you wanted to stop.", id="when-you"),
        pytest.param("I kept you late and you missed your train.", id="and-you"),
        pytest.param("I gave you advice you didn't ask for.", id="relative-clause"),
    ],
)
def test_second_person_blame_only_when_you_opens_the_clause(text: str) -> None:
    result = rules(text)
    assert "counter-attack" not in _kinds(result), [(m.kind, m.span.text) for m in result.markers]


def test_a_plain_account_of_your_act_does_not_excuse_an_excuse() -> None:
    # A description of what you did counts as ownership, but only an admission or an apology
    # makes an explanation of intent harmless (weak moves cannot cancel soft markers).
    described = rules("I checked my phone during the session. I was only trying to keep us on time.")
    assert "justifying" in _kinds(described)
    admitted = rules(
        "I checked my phone during the session, and that was wrong of me. "
        "I was only trying to keep us on time."
    )
    assert not admitted.defensive
    assert "ownership" in admitted.moves
    alone = rules("I checked my phone during the session.")
    assert not alone.defensive
    assert alone.moves == {"ownership"}


@pytest.mark.parametrize(
    ("text", "defensive"),
    [
        pytest.param("Nobody in the office passed your message on.", True, id="statement-nothing-found"),
        pytest.param("Did I say something wrong?", False, id="closed-question"),
        pytest.param("Have I got that right?", False, id="closed-check"),
        pytest.param("Okay.", False, id="short-ack"),
        pytest.param("I see. Go on.", False, id="holding-go-on"),
        pytest.param("I'm listening.", False, id="holding-listening"),
        pytest.param("I don't want to move on too quickly from this.", False, id="holding-stay"),
    ],
)
def test_residual_no_repair_rule(text: str, defensive: bool) -> None:
    result = rules(text)
    assert result.defensive is defensive, [(m.kind, m.span.text) for m in result.markers]
    if defensive:
        assert _kinds(result) == {"no-repair"}
        assert result.markers[0].reason
        _spans_point_at_text(result)


def test_residual_rule_stays_out_of_foreign_text_and_can_be_turned_off() -> None:
    assert not rules("Je pense que vous exagérez vraiment beaucoup ici.").defensive
    data = yaml.safe_load(
        (ROOT / "widgets" / "repairlab" / "feedback" / "lexicon.yaml").read_text(encoding="utf-8")
    )
    assert build_lexicon(data).residual is not None
    del data["residual"]
    assert build_lexicon(data).residual is None


def test_authoring_guide_model_rewrite_has_its_moves() -> None:
    # docs/authoring.md: a model rewrite must be non-defensive with at least two moves.
    result = rules(
        "You're right, I started late again, and I'm sorry. It makes sense that it feels as if "
        "your time doesn't matter to me. What was it like to sit and wait?"
    )
    assert not result.defensive
    assert result.moves >= {"apology", "ownership", "validation", "exploration"}


# --- Round 3 families: move recall on unseen phrasing (see bench/README.md) ----------------

ROUND3_MOVES = [
    # ownership: habits and the present perfect of your own act
    ("own-keep-interrupting", "I keep interrupting you.", "ownership", "keep interrupting"),
    ("own-keep-any-verb", "I keep calling your wife your friend.", "ownership", "keep calling"),
    ("own-have-been-cutting", "I have been cutting you off all session.", "ownership", "been cutting"),
    ("own-ive-been-treating", "I've been treating our sessions like a checklist.", "ownership", "treating"),
    ("own-ive-let-you-down", "I've let you down this month.", "ownership", "let you down"),
    ("own-ive-stopped-hearing", "I've stopped hearing you properly.", "ownership", "stopped hearing"),
    ("own-ive-not-british", "I've not kept my word about the letter.", "ownership", "not kept"),
    ("own-ive-been-slow", "I've been slow to reply to your messages.", "ownership", "been slow"),
    ("own-was-lecturing", "I was lecturing you instead of listening.", "ownership", "lecturing"),
    # ownership: acts that are faults in themselves
    ("own-sprang", "I sprang the diagnosis on you without any preparation.", "ownership", "sprang"),
    ("own-broke-trust", "I broke your trust.", "ownership", "broke your trust"),
    ("own-made-it-about-me", "I made that session about me.", "ownership", "made that session about me"),
    ("own-head-in-notes", "I had my head in my notes.", "ownership", "had my head in"),
    ("own-went-straight", "I went straight to the homework.", "ownership", "went straight"),
    ("own-messed-that-up", "I messed that up.", "ownership", "messed that up"),
    ("own-real-mess", "I made a real mess of that.", "ownership", "mess of"),
    ("own-hands-up", "I hold my hands up to that.", "ownership", "hold my hands up"),
    ("own-misheard", "I misheard you.", "ownership", "misheard"),
    (
        "own-rather-than-you",
        "I directed my questions to the interpreter rather than to you.",
        "ownership",
        None,
    ),
    ("own-too-quick", "I was too quick to give advice.", "ownership", "too quick to"),
    ("own-preoccupied", "I was preoccupied all session.", "ownership", "preoccupied"),
    ("own-mind-elsewhere", "My mind was elsewhere.", "ownership", "mind was elsewhere"),
    ("own-agenda-first", "I put my own agenda first.", "ownership", "agenda first"),
    ("own-prioritised", "I prioritised the paperwork over you.", "ownership", "prioritised"),
    ("own-should-ve", "I should've checked with you first.", "ownership", "should've"),
    ("own-wish-id", "I wish I'd asked you sooner.", "ownership", "wish I'd asked"),
    ("own-may-have-come-across", "I may have come across as dismissive.", "ownership", "come across"),
    ("own-aware-i", "I'm aware I talked a lot today.", "ownership", "aware I talked"),
    ("own-notice-ive-been", "I notice I've been doing most of the talking.", "ownership", "notice I've been"),
    # ownership: things you failed to do; your share
    ("own-didnt-follow-through", "I didn't follow through on the letter.", "ownership", "follow through"),
    ("own-never-checked", "I never checked whether the room was accessible.", "ownership", "never checked"),
    ("own-didnt-stand-up", "I didn't stand up for you when he said that.", "ownership", "stand up for you"),
    ("own-didnt-handle-well", "I didn't handle that well.", "ownership", "handle that well"),
    ("own-attention", "I didn't give you my full attention.", "ownership", "my full attention"),
    (
        "own-my-part",
        "My part in this was not telling you the plan had changed.",
        "ownership",
        "My part in this",
    ),
    ("own-fault-mine", "The fault is mine, not yours.", "ownership", "fault is mine"),
    ("own-to-blame", "I'm to blame for the mix-up.", "ownership", "to blame"),
    ("own-out-of-order", "I was out of order.", "ownership", "out of order"),
    ("own-looked-like-i", "I can see how it looked like I was siding with Tom.", "ownership", None),
    # validation: reasons and rights, any verb
    ("val-every-reason-walk", "You had every reason to walk out.", "validation", "every reason to"),
    ("val-got-every-right", "You've got every right to be upset.", "validation", "every right"),
    ("val-right-to-call-out", "You were right to call that out.", "validation", "right to call"),
    ("val-understandably", "You're understandably upset.", "validation", "understandably"),
    ("val-fair-enough", "Fair enough. I'd be annoyed too.", "validation", None),
    # validation: no surprise; what would affect anyone
    ("val-no-surprise", "It's no surprise you didn't want to come back.", "validation", "no surprise"),
    ("val-not-surprising", "It's not surprising you're wary of me.", "validation", "not surprising"),
    ("val-not-surprised", "I'm not surprised you're angry.", "validation", "not surprised"),
    ("val-shake-anyone", "Hearing that out of nowhere would shake anyone.", "validation", "shake anyone"),
    ("val-knocked-sideways", "That would have knocked anyone sideways.", "validation", "knocked anyone"),
    (
        "val-anyone-struggle",
        "Anybody would struggle to trust someone who'd done that.",
        "validation",
        "struggle",
    ),
    ("val-find-really-hard", "Most people would find that really hard to hear.", "validation", "hard"),
    ("val-anyone-put-out", "Anyone would be put out by a charge like that.", "validation", "put out"),
    ("val-id-feel-cut-off", "I'd feel cut off too.", "validation", "cut off"),
    ("val-id-be-too", "You're annoyed, and I'd be too.", "validation", "I'd be too"),
    ("val-feel-that-way", "Anyone would feel that way.", "validation", "that way"),
    ("val-hated-that", "I'd have hated that.", "validation", "hated that"),
    # validation: reflecting the feeling back
    ("val-you-felt", "You felt sidelined, and that matters.", "validation", "You felt sidelined"),
    ("val-like-a-number", "So you felt like just a number.", "validation", "like just a number"),
    ("val-thats-frustrating", "That's super frustrating.", "validation", "frustrating"),
    ("val-a-lot-to-carry", "That's such a lot to carry.", "validation", "a lot to carry"),
    (
        "val-gerund",
        "Being laughed at while you're talking about something painful is awful.",
        "validation",
        None,
    ),
    ("val-sounds-awful", "What you're describing sounds awful.", "validation", "sounds awful"),
    ("val-imagine", "I imagine that was really painful.", "validation", "imagine that was"),
    ("val-it-hurts-to", "It hurts to be forgotten.", "validation", "hurts to be"),
    ("val-fair-reaction", "That's a fair reaction.", "validation", "fair reaction"),
    ("val-you-have-a-point", "You have a point.", "validation", "a point"),
    ("val-make-sense", "Your feelings make sense.", "validation", "make sense"),
    ("val-only-imagine", "I can only imagine.", "validation", "only imagine"),
    (
        "val-understand-completely",
        "I understand completely why you'd feel judged.",
        "validation",
        "completely why",
    ),
    ("val-get-it", "I totally get it.", "validation", "get it"),
    # validation: welcoming the telling
    ("val-thanks-trusting", "Thanks for trusting me enough to say it.", "validation", "Thanks for trusting"),
    ("val-glad-corrected", "I'm glad you corrected me.", "validation", "glad you corrected"),
    ("val-means-a-lot", "It means a lot that you came back to tell me.", "validation", "means a lot"),
    # autonomy
    ("aut-leave-it-with-you", "I'll leave it with you to decide.", "autonomy", "leave it with you"),
    ("aut-choice-yours", "The choice is yours.", "autonomy", "choice is yours"),
    ("aut-driving-seat", "You're in the driving seat here.", "autonomy", "driving seat"),
    ("aut-say-the-word", "Say the word and we'll slow down.", "autonomy", "Say the word"),
    ("aut-when-you-say-so", "We'll only do the next step when you say so.", "autonomy", "when you say so"),
    (
        "aut-whenever-want-to",
        "Whenever you want to pick this up, we can.",
        "autonomy",
        "Whenever you want to",
    ),
    ("aut-if-and-when", "We can revisit it if and when you want.", "autonomy", "when you want"),
    ("aut-fine-to-say-no", "It's absolutely fine to say no to the referral.", "autonomy", "fine to say no"),
    ("aut-now-or-later", "We can talk about it now or leave it for another day.", "autonomy", "now or"),
    ("aut-leave-it-there", "We can leave it there for today.", "autonomy", "leave it there"),
    ("aut-up-for", "Would you both be up for taking turns?", "autonomy", "up for"),
    ("aut-is-it-okay-if-we", "Is it okay if we start again?", "autonomy", "okay if we"),
    ("aut-wont-push", "I won't push you on this.", "autonomy", "won't push"),
    ("aut-let-me-know-if", "Let me know if you'd rather stop.", "autonomy", "Let me know if"),
    ("aut-how-youd-like", "Tell me how you'd like us to work from here.", "autonomy", "how you'd like us"),
    ("aut-no-need-to-decide", "No need to decide now.", "autonomy", "No need to decide"),
    ("aut-feel-free", "Feel free to stop me.", "autonomy", "Feel free to stop"),
    ("aut-allowed-disagree", "You're allowed to disagree with me.", "autonomy", "allowed to disagree"),
    ("aut-your-speed", "I'm happy to go at your speed.", "autonomy", "your speed"),
    ("aut-pace-works", "We'll go at a pace that works for you.", "autonomy", "pace"),
    ("aut-know-yourself", "You know yourself best.", "autonomy", "know yourself best"),
    ("aut-whatever-feels-right", "Do whatever feels right.", "autonomy", "whatever feels right"),
    ("aut-slow-right-down", "We can slow right down.", "autonomy", "slow right down"),
    # added after probes-5's first run
    (
        "own-that-was-wrong",
        "I wrote to your GP without telling you. That was wrong, full stop.",
        "ownership",
        None,
    ),
    ("own-bias-showing", "That was my bias showing.", "ownership", "my bias"),
    ("own-came-from-assumption", "My question came from an assumption about you.", "ownership", "assumption"),
    ("own-left-phone-on", "I left my phone on and let it distract me.", "ownership", "left my phone on"),
    ("own-got-muddled", "I got your story muddled with someone else's.", "ownership", "muddled"),
    ("own-deserved-didnt-get", "You deserved my full attention and didn't get it.", "ownership", None),
    ("own-did-talk-over", "I think I did talk over you.", "ownership", "did talk over"),
    (
        "own-ive-not-been-giving",
        "I've not been giving you enough room to speak.",
        "ownership",
        "not been giving",
    ),
    ("own-hadnt-discussed", "I hadn't discussed it with you first.", "ownership", "discussed it with you"),
    ("own-broke-confidentiality", "I broke confidentiality with your school.", "ownership", "broke"),
    ("val-werent-imagining", "You weren't imagining it.", "validation", "weren't imagining"),
    ("val-who-wouldnt", "Who wouldn't be upset by that?", "validation", "Who wouldn't"),
    (
        "val-nobody-likes",
        "Nobody likes being talked about as if they're not there.",
        "validation",
        "Nobody likes",
    ),
    ("val-understand-it-feeling", "I can understand it feeling that way.", "validation", "feeling that way"),
    ("val-human-reaction", "It's a very human reaction.", "validation", "human reaction"),
    (
        "val-reasonable-thing",
        "That's a reasonable thing to be upset about.",
        "validation",
        "reasonable thing",
    ),
    ("val-hardly-surprising", "Hardly surprising you're annoyed.", "validation", "Hardly surprising"),
    ("aut-final-say", "You get the final say on it.", "autonomy", "final say"),
    ("aut-your-say-final", "Your say on this is final.", "autonomy", "is final"),
    (
        "aut-without-agreement",
        "Nothing happens without your agreement.",
        "autonomy",
        "without your agreement",
    ),
    (
        "aut-decide-together",
        "We'll decide together whether a referral is right.",
        "autonomy",
        "decide together",
    ),
    (
        "aut-one-who-decides",
        "You're the one who gets to decide what's next.",
        "autonomy",
        "the one who gets to",
    ),
    ("aut-dont-need-to-rush", "We don't need to rush any of this.", "autonomy", "rush"),
    ("aut-nothing-decided", "Nothing has to be decided today.", "autonomy", "Nothing has to be decided"),
    ("aut-follow-your-lead", "I'm happy to follow your lead on this.", "autonomy", "follow your lead"),
    ("aut-what-suits-you", "Let me know what suits you, and we'll do that.", "autonomy", "what suits you"),
    ("aut-filler-like", "You can, like, stop me if I do it again.", "autonomy", "stop"),
]


@pytest.mark.parametrize(
    ("text", "move", "words"),
    [pytest.param(t, m, w, id=i) for i, t, m, w in ROUND3_MOVES],
)
def test_round3_family_finds_the_move(text: str, move: str, words: str | None) -> None:
    result = rules(text)
    assert not result.defensive, [(m.kind, m.span.text) for m in result.markers]
    assert move in result.moves, sorted(result.moves)
    if words:
        spans = [e.span.text.lower() for e in result.evidence if e.move == move]
        assert any(words.lower() in s for s in spans), spans
    _spans_point_at_text(result)


# The look-alikes each family must leave alone: (id, text, the move it must NOT find, and
# whether the reply must read as defensive).
ROUND3_GUARDS = [
    ("dont-have-to-dramatic", "You don't have to be so dramatic about a few minutes.", "autonomy", True),
    ("anyone-would-know", "Anyone would know that sessions start on the hour.", "validation", True),
    ("anyone-happen", "That would happen to anyone.", "validation", True),
    ("anyone-same-mistake", "Anyone would have made the same mistake.", "validation", True),
    ("anyone-lose-patience", "Anyone would lose patience with you.", "validation", True),
    ("anyone-would-think", "Anyone would think you'd never been late yourself.", "validation", True),
    ("same-if-i", "I'd feel the same if I'd heard this story four times.", "validation", True),
    ("too-if-i", "I'd be annoyed too if I'd forgotten to check my emails.", "validation", True),
    ("same-if-i-were-paid", "I'd feel the same if I were paid that little.", "validation", True),
    (
        "you-said-you-felt",
        "You said you felt invisible in the group, and I think I let that happen.",
        "validation",
        False,
    ),
    (
        "made-you-feel",
        "I'm sorry. I can see I've made you feel like a problem to be solved.",
        "validation",
        False,
    ),
    ("frustrating-when-clients", "It's frustrating when clients don't do the homework.", "validation", True),
    ("frustrating-for-me", "It's really frustrating for me too.", "validation", True),
    ("thanks-feedback", "Thanks for your feedback. Noted.", "validation", True),
    ("keep-telling", "I keep telling you, the fee is in the agreement.", "ownership", True),
    ("keep-seeing", "I keep seeing you cancel at the last minute.", "ownership", True),
    ("part-was-small", "My part in this was small; the system failed you.", "ownership", True),
    ("one-who-stayed-late", "I was the one who stayed late to fit you in.", "ownership", True),
    ("never-looked-at-phone", "I never looked at my phone once.", "ownership", True),
    ("because-protocol", "I went straight to your GP because that's protocol.", "ownership", True),
    ("yours-to-fix", "It's yours to fix, not mine.", "autonomy", True),
    ("when-you-decide-to", "When you decide to take this seriously, let me know.", "autonomy", True),
    ("when-calmed-down", "I'll leave it with you. Let me know when you've calmed down.", "autonomy", True),
    ("seem-to-know-best", "Whatever you want. You seem to know best.", "autonomy", True),
    ("not-the-one-paying", "Take all the time you need. I'm not the one paying for it.", "autonomy", True),
    ("some-of-us", "Take your time. Some of us have other clients.", "autonomy", True),
    (
        "wont-get-better",
        "It's up to you, but if you skip the homework you won't get better.",
        "autonomy",
        True,
    ),
    (
        "id-point-out",
        "Your call. Though I'd point out you were the one who asked for homework.",
        "autonomy",
        True,
    ),
    ("dont-blame-me", "It's your choice, but don't blame me if it gets worse.", "autonomy", True),
    ("that-unhappy", "You're free to leave if you're that unhappy.", "autonomy", True),
    (
        "not-going-to-change-fee",
        "You have every right to be annoyed, but I'm not going to change the fee.",
        "validation",
        True,
    ),
    ("laughing-with-you", "I was laughing with you, not at you.", "ownership", True),
    ("you-always-are", "Of course you're annoyed, you always are when we do exposure.", "validation", True),
    ("can-we-get-on", "I get it, I get it. Can we get on now?", "validation", True),
    # added after probes-5's first run
    ("reasonable-question-mine", "It was a perfectly reasonable question.", "validation", True),
    (
        "figure-out-together",
        "I'd like us to figure out together what would help. What comes to mind?",
        "autonomy",
        False,
    ),
    ("caseload", "I dropped the ball, sure, but I have forty clients.", "ownership", True),
    ("how-i-talk", "Sorry, that's just how I talk.", "apology", True),
    ("group-label", "Teenagers always think adults don't listen.", "validation", True),
    ("your-money", "Take all the time you like, it's your money.", "autonomy", True),
    ("always-upset", "Of course you're upset, you're always upset.", "validation", True),
    ("leaflet-in-march", "I gave you the leaflet on endings in March.", "ownership", True),
    ("who-wouldnt-not-a-question", "Who wouldn't be upset by that?", "exploration", False),
    ("allowed-to-say-no", "You're allowed to say no to me.", "validation", False),
    ("fine-to-not-want", "It's fine to not want to talk about it yet.", "validation", False),
    ("too-sensitive-not-validation", "You're too sensitive.", "validation", True),
]


@pytest.mark.parametrize(
    ("text", "move", "defensive"),
    [pytest.param(t, m, d, id=i) for i, t, m, d in ROUND3_GUARDS],
)
def test_round3_family_leaves_look_alikes_alone(text: str, move: str, defensive: bool) -> None:
    result = rules(text)
    assert move not in result.moves
    assert result.defensive is defensive, [(m.kind, m.span.text) for m in result.markers]


@pytest.mark.parametrize(
    ("text", "defensive"),
    [
        pytest.param(
            "I was the one who moved the session, and I didn't tell you.", False, id="didnt-tell-you"
        ),
        pytest.param("I never told you that.", True, id="never-told-you-that"),
        pytest.param("I never told you to do the exposure alone.", True, id="never-told-you-to"),
        pytest.param(
            "I kept talking while you were frozen, so you missed the key part. I'm sorry.",
            False,
            id="so-you-missed",
        ),
        pytest.param("So you said you'd call.", True, id="so-at-sentence-start-still-blames"),
        pytest.param(
            "Calling you by your sister's name, of all people. It was careless of me.",
            False,
            id="of-all-people",
        ),
    ],
)
def test_round3_scope_fixes(text: str, defensive: bool) -> None:
    # An omission you admit is not a correction of the record; a second-person clause that tells
    # what your own act did ("..., so you missed it") is not blame; "of all people" is an idiom.
    result = rules(text)
    assert result.defensive is defensive, [(m.kind, m.span.text) for m in result.markers]


@pytest.mark.parametrize(
    ("text", "defensive"),
    [
        pytest.param(
            "I can see why you think that, but the exercise is evidence-based.", True, id="but-argues"
        ),
        pytest.param(
            "That makes sense. However, I did explain all of this at the start.", True, id="however-next"
        ),
        pytest.param("I hear you, but I think you're missing the point.", True, id="but-unknown-words"),
        pytest.param("That's fair, but I should have warned you.", False, id="but-then-ownership"),
        pytest.param(
            "I understand why you're angry, but I'd like to hear more.", False, id="but-then-exploration"
        ),
        pytest.param("It sounds awful. But I'm glad you told me.", False, id="but-then-validation"),
        pytest.param(
            "That's completely understandable, but I hope we can work through it.", False, id="but-holding"
        ),
        pytest.param("That's fair, though.", False, id="trailing-though"),
        pytest.param("It makes sense, though I wish I'd asked sooner.", False, id="though-then-wish"),
    ],
)
def test_a_validation_taken_back_by_but_is_justifying(text: str, defensive: bool) -> None:
    # "Yes, but ...": what follows the contrast is the real answer unless it repairs too.
    result = rules(text)
    assert result.defensive is defensive, [(m.kind, m.span.text) for m in result.markers]
    if defensive:
        assert "justifying" in _kinds(result)
        _spans_point_at_text(result)
    else:
        assert "validation" in result.moves


def test_the_validation_undo_rule_can_be_turned_off() -> None:
    data = yaml.safe_load(
        (ROOT / "widgets" / "repairlab" / "feedback" / "lexicon.yaml").read_text(encoding="utf-8")
    )
    assert build_lexicon(data).validation_undone_next is not None
    del data["scope"]["validation_undone_next"]
    assert build_lexicon(data).validation_undone_next is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "I'm sorry. I talked about your diagnosis as if it defined you. We can talk about it now "
            "or leave it for another day, entirely your call.",
            id="leave-it-offered-as-a-choice",
        ),
        pytest.param(
            "I went straight to the homework and didn't really ask how your week was. Sorry.",
            id="week-question-you-failed-to-ask",
        ),
        pytest.param("I'm not going to change the subject; this matters.", id="staying-with-it"),
    ],
)
def test_round3_topic_change_false_positives(text: str) -> None:
    result = rules(text)
    assert not result.defensive, [(m.kind, m.span.text) for m in result.markers]


def test_negated_label_alone_corrects_the_record() -> None:
    # Decision (documented in dev.yaml and lexicon.yaml): "I'm not saying you're too sensitive"
    # is not labelling, since the label is denied. Said with nothing else it still only corrects
    # the client's reading of you, so it counts as justifying; beside validation it is fine.
    alone = rules("I'm not saying you're too sensitive.")
    assert _kinds(alone) == {"justifying"}
    with_validation = rules("I'm not saying you're too sensitive — your reaction makes sense.")
    assert not with_validation.defensive
    assert with_validation.moves == {"validation"}
    # The "but" clause after a denied label is judged on its own words.
    but = rules("I'm not saying you're too sensitive, but you do seem to react strongly to feedback.")
    assert "blame-labelling" in _kinds(but)


def test_intent_without_ownership_is_defensive_and_with_it_is_not() -> None:
    assert rules("I meant it as encouragement.").defensive
    owned = rules(
        "I meant it as encouragement, and I can see now it came across as pressure. I'm sorry."
    )
    assert not owned.defensive
    assert owned.moves == {"apology", "ownership"}


def test_sorry_but_versus_sorry_and() -> None:
    assert "undone-apology" in _kinds(rules("I'm sorry, but I'd like to understand."))
    ok = rules("I'm sorry — and I'd like to understand what it was like for you.")
    assert not ok.defensive
    assert ok.moves == {"apology", "exploration"}


def test_british_and_american_spellings_agree() -> None:
    uk = rules("I apologise for my behaviour; I generalised about your culture.")
    us = rules("I apologize for my behavior; I generalized about your culture.")
    assert uk.moves == us.moves == {"apology", "ownership"}


def test_curly_and_straight_apostrophes_and_case_agree() -> None:
    texts = [
        "I'm sorry. It's okay to be annoyed with me.",
        "I’m sorry. It’s okay to be annoyed with me.",
        "I'M SORRY. IT'S OKAY TO BE ANNOYED WITH ME.",
    ]
    results = [rules(t) for t in texts]
    assert all(r.moves == {"apology", "validation"} for r in results)
    for r in results:
        _spans_point_at_text(r)


def test_a_defensive_reply_gets_no_moves_and_all_suggestions() -> None:
    result = rules("I'm sorry I was late, but it was only five minutes.")
    assert result.defensive
    assert result.moves == frozenset()
    assert [m for m, _ in result.suggestions] == list(MOVES)


def test_suggestions_cover_exactly_the_missing_moves() -> None:
    result = rules("I talked over you several times today. I'm sorry about that.")
    assert result.moves == {"apology", "ownership"}
    assert [m for m, _ in result.suggestions] == ["validation", "exploration", "autonomy"]
    assert all(text.strip() for _, text in result.suggestions)


# --- Result type --------------------------------------------------------------------------


def test_result_is_frozen_and_json_safe() -> None:
    result = rules("I'm sorry, but you're overreacting. What was that like?")
    with pytest.raises(FrozenInstanceError):
        result.defensive = False  # type: ignore[misc]
    data = json.loads(json.dumps(result.to_dict()))
    assert data["defensive"] is True
    assert {m["kind"] for m in data["markers"]} >= {"undone-apology", "blame-labelling"}
    for m in data["markers"]:
        assert result.text[m["span"]["start"] : m["span"]["end"]] == m["span"]["text"]
        assert m["label"] == MARKER_LABELS[m["kind"]]
    assert [s["move"] for s in data["suggestions"]] == list(MOVES)


def test_labels_cover_every_kind() -> None:
    assert set(MOVE_LABELS) == set(MOVES)
    assert set(MARKER_LABELS) == set(MARKER_KINDS)


def test_context_is_accepted_and_a_copied_client_line_gets_a_notice() -> None:
    client = "You were late again. It's like my time doesn't matter."
    assert rules("I'm sorry I was late.", context=client).notice is None
    assert rules(client, context=client).notice


# --- Robustness ---------------------------------------------------------------------------

ODD_INPUTS = [
    ("empty", "", True),
    ("whitespace", " \n\t  ", True),
    ("huge-100k", "I'm sorry I was late. " * 4600, True),
    ("emoji", "😡 I'm sorry 🙏 I was late.", False),
    ("chinese", "对不起，我迟到了。你的感受很重要。", True),
    ("script-tag", "<script>alert(1)</script>", False),
    ("html-with-words", "<b>I'm sorry</b> I was late.", False),
    ("nul-and-controls", "I'm sorry\x00\x07 I was late.", False),
    ("long-no-punctuation", "you were if you i was sorry that " * 300, True),
    ("long-blank-run", "I'm sorry." + " " * 100_000 + "I was late.", True),
    ("only-punctuation", "?!?!...,,,;;", False),
    ("french", "Je suis vraiment désolé, j'aurais dû vous rappeler plus tôt.", True),
]


@pytest.mark.parametrize(("text", "want_notice"), [pytest.param(t, n, id=i) for i, t, n in ODD_INPUTS])
def test_odd_input_gets_a_result(text: str, want_notice: bool) -> None:
    result = rules(text)
    assert isinstance(result, ReplyAssessment)
    assert result.text == text
    assert (result.notice is not None) == want_notice, result.notice
    _spans_point_at_text(result)
    json.dumps(result.to_dict())


def test_an_internal_error_becomes_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    from repairlab.feedback import rules as rules_module

    def boom(*_args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(rules_module, "_find_hits", boom)
    result = rules("I'm sorry.")
    assert result.notice
    assert "our fault" in result.notice
    assert not result.defensive


def test_emoji_keeps_offsets_right() -> None:
    result = rules("😡😡 I'm sorry 🙏 I was late.")
    assert result.moves == {"apology", "ownership"}
    _spans_point_at_text(result)


def test_leading_padding_does_not_hide_the_reply() -> None:
    text = " " * 100_000 + "I'm sorry I was late."
    result = rules(text)
    assert result.moves == {"apology", "ownership"}
    assert result.evidence[0].span.start >= 100_000
    _spans_point_at_text(result)


def test_huge_input_is_cut_with_a_notice() -> None:
    result = rules("You're overreacting. " + "x " * MAX_CHARS)
    assert result.defensive
    assert f"{MAX_CHARS:,}" in (result.notice or "")


def test_non_text_input_gets_a_notice_not_an_exception() -> None:
    result = rules(None)  # type: ignore[arg-type]
    assert result.notice
    assert not result.defensive


# --- The lexicon --------------------------------------------------------------------------


def test_every_lexicon_example_is_found_by_its_pattern() -> None:
    lex = default_lexicon()
    with_examples = [p for p in lex.patterns if p.example]
    assert len(with_examples) >= 40
    for p in with_examples:
        norm = p.example.translate(str.maketrans({"\u2019": "'"}))
        assert p.regex.search(norm), f"{p.where_in_file}: example {p.example!r} not matched"


def _minimal_lexicon() -> dict:
    return {
        "moves": {m: {"suggestion": "x", "patterns": []} for m in MOVES},
        "markers": {},
        "negation": {"words": ["not"], "exempt": "zzz", "leading_question": "zzz"},
        "scope": {
            "contrast_in_sentence": "but",
            "contrast_next_sentence": "but",
            "continuation": "then",
            "clause_break": ",",
            "clause_openers": "\\s*",
        },
    }


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        pytest.param({"re": "sorry.*", "why": "x"}, "unbounded", id="unbounded-dot-star"),
        pytest.param({"re": "(?:a+)+", "why": "x"}, "unbounded", id="nested-quantifier"),
        pytest.param({"re": "sorry", "why": "x", "colour": 1}, "unknown key", id="unknown-key"),
        pytest.param({"re": "sorry"}, "`why` is required", id="missing-why"),
        pytest.param({"re": "sorry(", "why": "x"}, "not a valid regex", id="bad-regex"),
        pytest.param({"re": "{nope} sorry", "why": "x"}, "unknown fragment", id="unknown-fragment"),
        pytest.param({"re": "{nope2} sorry", "why": "x"}, "unknown fragment", id="unknown-fragment-digit"),
        pytest.param(
            {"re": "sorry", "why": "x", "soft_within": "sentence"}, "needs `soft`", id="soft-within-alone"
        ),
        pytest.param({"re": "sorry", "why": "x", "not_after": ""}, "not_after", id="empty-not-after"),
        pytest.param({"re": "sorry[a-z]+", "why": "x"}, "unbounded", id="unbounded-class"),
        pytest.param({"re": "i (?:am|'m) sorry", "why": "x"}, "apostrophe", id="space-before-apostrophe"),
        pytest.param(
            {"re": "sorry(?! (?:if||but))", "why": "x"}, "empty alternative", id="empty-alternative"
        ),
    ],
)
def test_lexicon_errors_name_the_entry(patch: dict, message: str) -> None:
    data = _minimal_lexicon()
    data["moves"]["apology"]["patterns"] = [patch]
    with pytest.raises(LexiconError, match=message) as err:
        build_lexicon(data)
    assert "moves.apology.patterns[0]" in str(err.value)


def test_lexicon_rejects_weak_markers_and_bad_soft_scope() -> None:
    data = _minimal_lexicon()
    data["markers"]["justifying"] = {"patterns": [{"re": "because", "why": "x", "weak": True}]}
    with pytest.raises(LexiconError, match="`weak` applies to moves only"):
        build_lexicon(data)
    data["markers"]["justifying"] = {
        "patterns": [{"re": "because", "why": "x", "soft": ["apology"], "soft_within": "clause"}]
    }
    with pytest.raises(LexiconError, match="soft_within"):
        build_lexicon(data)


def test_lexicon_residual_section_is_checked() -> None:
    data = _minimal_lexicon()
    data["residual"] = {"why": "", "holding": "zzz"}
    with pytest.raises(LexiconError, match=r"residual\.why"):
        build_lexicon(data)
    data["residual"] = {"why": "x", "min_words": 0, "holding": "zzz"}
    with pytest.raises(LexiconError, match=r"residual\.min_words"):
        build_lexicon(data)


def test_matcher_and_regex_agree_on_case_and_boundaries() -> None:
    # The assessor runs each pattern case-sensitively on lower-cased text and checks the word
    # boundary itself; `Pattern.regex` is the same rule as one case-insensitive regex.
    lex = default_lexicon()
    pat = next(p for p in lex.patterns if p.example == "I'm sorry. I got that wrong.")
    assert pat.regex.search("I'M SORRY")
    assert not pat.regex.search("xI'm sorry")
    assert rules("I'M SORRY. I GOT THAT WRONG.").moves == {"apology", "ownership"}
    assert "apology" not in rules("Mr Sorry-Fortune arrived.").moves


def test_lexicon_rejects_unknown_kinds() -> None:
    data = _minimal_lexicon()
    data["markers"]["sarcasm"] = {"patterns": []}
    with pytest.raises(LexiconError, match="unknown marker"):
        build_lexicon(data)


def test_import_repairlab_does_not_load_the_assessor() -> None:
    code = (
        "import sys, repairlab; "
        "assert 'repairlab.feedback' not in sys.modules; "
        "import repairlab.feedback as f; "
        "from repairlab.feedback.lexicon import default_lexicon; "
        "assert default_lexicon.cache_info().currsize == 0; "
        "f.assess_reply('hi'); "
        "assert default_lexicon.cache_info().currsize == 1"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


