"""Tests of the reply assessor a student meets: ``assess_reply`` (rules + learned verdict +
checks on the whole reply), its feedback on a rewrite item, and the risk-inquiry signal.
No kernel, no timing. The rules stage alone is tested in test_reply_rules.py."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from repairlab.atomic import write_bytes_atomic
from repairlab.feedback import MOVES, assess_reply, find_risk_inquiry
from repairlab.feedback.risk_model import RiskModelError, load_risk_model
from repairlab.feedback.risk_rules import rule_inquiry
from repairlab.feedback.rules import FOREIGN_NOTICE
from repairlab.feedback.verdict import VerdictModelError, load_model, release_pages
from repairlab.kinds.rewrite_reply import score
from repairlab.schemas import validate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "replies"
BLIND = ROOT / "bench" / "blind"
FORGOT = "You forgot what I told you about my brother. Again."
WEDDING = "Anyway. My sister's wedding is next month, did I tell you?"


# A rewrite item as the page gives it to the scorer: the declared type, validated.
BROTHER = validate({
    "id": "t-brother", "type": "rewrite-reply", "difficulty": "beginner", "title": "Brother",
    "client_says": FORGOT, "defensive_reply": "I see a lot of clients.",
    "why_defensive": "It explains instead of owning.",
    "must_include": ["apology", "ownership", "exploration"],
    "model_rewrite": ("You're right, I forgot what you told me about your brother, and I'm "
                      "sorry. What was it like to hear me get it wrong again?")})


# --- Issue 12: errors that let defensive replies through ---------------------------------


@pytest.mark.parametrize(
    ("client", "text"),
    [
        pytest.param(FORGOT, "Why do you think you get so upset about small things like this?",
                     id="blaming-question"),
        pytest.param(FORGOT, "What is it about me forgetting that makes you over-react like this?",
                     id="pathologising-question"),
        pytest.param(WEDDING, "Oh nice, how are the wedding plans going?", id="follows-topic-change"),
        pytest.param(FORGOT, "I always take careful notes, so I'm not sure how that happened.",
                     id="first-person-defence"),
        pytest.param(FORGOT, "I hear you, but I see a lot of clients.", id="acknowledge-but"),
        pytest.param(FORGOT, "Well, I'm so sorry I'm not perfect.", id="sarcasm"),
    ],
)
def test_defensive_look_alikes_are_named_and_earn_no_moves(client: str, text: str) -> None:
    result = assess_reply(text, client=client)
    assert result.defensive is True, result.p_defensive
    assert result.moves == frozenset()
    assert result.markers, "a verdict points at the student's words"
    for marker in result.markers:
        assert text[marker.span.start:marker.span.end] == marker.span.text


def test_following_the_new_topic_is_named_as_a_topic_change() -> None:
    result = assess_reply("Oh nice, how are the wedding plans going?", client=WEDDING)
    assert [m.kind for m in result.markers] == ["topic-change"]
    assert "exploration" not in result.moves


BOOKED = "You never listen. I said no mornings and you booked me at 9 again."


@pytest.mark.parametrize("text", [
    "Oh sure, because I obviously never listen to anything you say.",
    "Oh, of course, because I am late every single week, yes? Very terrible therapist.",
    "Fine. Oh yes, because I'm clearly the worst therapist you've ever had.",
    "Yeah right, cos I always get everything wrong.",
])
def test_sarcastic_agreement_is_named_and_earns_no_moves(text: str) -> None:
    # Its words admit the charge, so read word by word it looks like ownership.
    result = assess_reply(text, client=BOOKED)
    assert result.defensive is True
    assert result.moves == frozenset()
    assert result.markers[0].kind == "counter-attack"
    assert "mock" in result.markers[0].reason


@pytest.mark.parametrize("text", [
    "Oh right, because I moved the time without asking you. I'm sorry, that was my doing.",
    "Of course, because I booked it without checking. That's on me.",
    "You're right, because I never asked what mornings are like for you. I'm sorry.",
])
def test_a_genuine_admission_after_because_keeps_its_credit(text: str) -> None:
    result = assess_reply(text, client=BOOKED)
    assert result.defensive is False
    assert "ownership" in result.moves


def test_naming_the_shift_is_not_following_it() -> None:
    result = assess_reply("I noticed we moved off your dad quite quickly. We can come back to it, or "
                          "not: your call.", client=WEDDING)
    assert result.defensive is False
    assert "autonomy" in result.moves


def test_a_one_word_reply_gets_a_plain_note_not_praise() -> None:
    feedback = score(BROTHER, "ok")
    assert "too short" in " ".join(n.text for n in feedback.notes)
    assert feedback.status == "needs-work"
    assert "good start" not in feedback.headline.lower()
    assert "well done" not in feedback.headline.lower()


def test_a_salad_of_stock_phrases_is_named_not_praised() -> None:
    text = "I hear you. Your feelings are valid. Thank you for sharing. I validate you."
    result = assess_reply(text, client=FORGOT)
    assert [c.kind for c in result.concerns] == ["checklist"]
    assert result.defensive is not False
    feedback = score(BROTHER, text)
    assert feedback.status != "good"
    assert "well done" not in feedback.headline.lower()
    assert "checklist" in " ".join(n.text for n in feedback.notes)


# --- Issue 12: errors that punished genuine repairs --------------------------------------


@pytest.mark.parametrize(
    ("client", "text", "moves"),
    [
        pytest.param(FORGOT, "Ugh, that's on me. I totally dropped the ball there.", {"ownership"},
                     id="idiom"),
        pytest.param(FORGOT, "You're right, I did forget, and it's fair you're annoyed.",
                     {"ownership", "validation"}, id="agrees-with-complaint"),
        pytest.param(FORGOT, "You told me about him twice, and I still got it wrong. I'm sorry.",
                     {"apology", "ownership"}, id="me-versus-you-ownership"),
        pytest.param("...", "We can just sit quietly for a bit. There's no rush.", {"autonomy"},
                     id="accepts-silence"),
        pytest.param(FORGOT, "If you'd like, we could start with what I got wrong.", {"autonomy"},
                     id="conditional-offer"),
        pytest.param(FORGOT, "I'd really like to hear what that was like for you.", {"exploration"},
                     id="statement-exploration"),
        pytest.param(FORGOT, "ur right, i forgot about ur brother again. im sorry", {"apology", "ownership"},
                     id="texting-voice"),
    ],
)
def test_genuine_repairs_in_the_students_own_words_are_recognised(client, text, moves) -> None:
    result = assess_reply(text, client=client)
    assert result.defensive is False, result.p_defensive
    assert moves <= result.moves, sorted(result.moves)
    for evidence in result.evidence:
        assert text[evidence.span.start:evidence.span.end] == evidence.span.text


# --- Context, "not sure", and advice from the item ---------------------------------------


def test_the_call_without_context_keeps_working() -> None:
    result = assess_reply("I'm sorry I cut you off. What were you about to say?")
    assert result.defensive is False
    assert {"apology", "exploration"} <= result.moves
    assert assess_reply("I'm sorry.", context=FORGOT).text == "I'm sorry."  # the older keyword


def test_the_verdict_is_true_false_or_none_with_its_probability() -> None:
    model = load_model()
    assert model.verdict(model.not_sure_high) is True
    assert model.verdict(model.not_sure_low) is False
    if model.not_sure_high - model.not_sure_low > 0.011:
        assert model.verdict((model.not_sure_low + model.not_sure_high) / 2) is None
    result = assess_reply("I'm sorry I cut you off.", client=FORGOT)
    assert 0.0 <= result.p_defensive <= 1.0
    assert json.loads(json.dumps(result.to_dict()))["p_defensive"] == result.p_defensive


def test_a_not_sure_verdict_shows_what_was_found_and_asks_to_compare(monkeypatch) -> None:
    # Force the band to cover every reply, as a reply with conflicting evidence would fall in it.
    from repairlab.feedback import verdict

    model = load_model()
    wide = verdict.VerdictModel(model.outputs, model.biases, model.scales, model.weights, 0.0, 1.0)
    monkeypatch.setattr(verdict, "default_model", lambda: wide)
    monkeypatch.setattr("repairlab.feedback.assessor.default_model", lambda: wide)
    text = "I'm sorry I forgot, but I do have a lot of clients."
    result = assess_reply(text, item=BROTHER)
    assert result.defensive is None
    assert result.moves == frozenset()
    feedback = score(BROTHER, text)
    assert feedback.status == "unsure"
    assert "not sure" in feedback.headline
    assert "compare" in feedback.next_step.lower()
    assert feedback.reveal == BROTHER.model_rewrite
    assert feedback.notes, "what the assessor did find is shown"
    assert not any(n.tone == "good" for n in feedback.notes), "no praise without a verdict"


def test_advice_quotes_this_items_own_model_reply() -> None:
    feedback = score(BROTHER, "I'm sorry about that.")
    assert feedback.next_step
    assert "What was it like to hear me get it wrong again?" in feedback.next_step \
        or "I forgot what you told me about your brother" in feedback.next_step
    assert "kept you waiting" not in feedback.next_step


def test_an_authors_example_beats_the_model_rewrite_sentence() -> None:
    item = dataclasses.replace(BROTHER, move_examples={"exploration": "How did that land for you?"})
    feedback = score(item, "I'm sorry, I forgot about your brother.")
    assert "How did that land for you?" in feedback.next_step


def test_the_lexicons_general_advice_names_no_scenario() -> None:
    from repairlab.feedback.lexicon import default_lexicon

    for move, advice in default_lexicon().suggestions.items():
        quoted = re.findall(r'["“]([^"”]*)["”]', advice)
        assert all(len(q.split()) <= 3 for q in quoted), (move, advice)  # no example sentence


def test_each_rewrite_item_says_what_it_asks_for() -> None:
    assert BROTHER.asks_for() == ("an apology for the impact, owning your part in the first person and "
                               "an open invitation to say more")


# --- Risk questions always count as asking ----------------------------------------------


def _risk_items(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["items"]


@pytest.mark.parametrize("item", _risk_items(ROOT / "tests" / "data" / "risk" / "dev.yaml"),
                         ids=lambda i: i["text"][:40])
def test_risk_inquiry_signal_on_the_development_phrasings(item: dict) -> None:
    found = find_risk_inquiry(item["text"], item.get("client"))
    assert (found is not None) is item["asks_about_risk"]
    if found is not None:
        assert item["text"][found.start:found.end] == found.text


# Written for these tests after the model was trained, in no training file: questions in words
# the rules never learnt, and near misses that sit close to them.
FRESH_RISK_QUESTIONS = [
    ("My husband says I'm useless. Maybe he's right and I should just go.",
     "When you say you should just go, is that going as in leaving him, or going as in not "
     "living anymore?"),
    ("I've been stockpiling my sleeping tablets.", "How many have you put aside so far?"),
    ("I don't see the point of waking up.",
     "Has it got to the point where you've thought about taking your own life?"),
    ("Work is hell and I'm so angry at my boss I could do something stupid.",
     "Something stupid like hurting him? I need to ask."),
    ("I can't do this anymore.", "i need 2 ask, r u having thoughts of ending things?"),
    ("I can't do this anymore.", "Can't do this anymore... do you mean you want to die?"),
    ("I burned my arm with a lighter last night.", "Have you been hurting yourself in other ways too?"),
    ("My ex is with someone new and I keep driving past their house.",
     "Have you had thoughts of harming either of them?"),
    (None, "Some people in your situation think about killing themselves. Have you?"),
    ("The pills are in the kitchen drawer.", "Are you thinking about taking them?"),
    ("Everything is grey.", "Has it gotten so dark that you think about suicide?"),
    ("My son won't stop screaming and I feel like I'm going to snap.",
     "Have you ever been worried you might hurt him?"),
]
RISK_NEAR_MISSES = [
    ("I feel like a ghost.", "That sounds incredibly lonely. I'm really glad you're here telling me."),
    ("Nobody would notice if I disappeared.", "I would notice. You matter to me and to this work."),
    ("I just want it all to stop.", "You're safe here with me, and we'll get through this together."),
    ("I just want it all to stop.",
     "I have to let you know that if I think you're at risk, I may need to share that with your GP."),
    ("Everyone would be better off without me.", "We'll do a risk assessment at the end of the session."),
    (None, "Suicide is something we take very seriously here."),
    (None, "If things ever get really bad, the crisis line is open all night."),
    ("I could kill my brother sometimes.",
     "Siblings can really get under our skin. What did he do this time?"),
    ("My son won't stop screaming.", "How old is he now? Has he always been like this?"),
    ("I've been so tired since the baby came.", "Are you getting any sleep at all at night?"),
    (None, "Are you planning to go to your sister's wedding?"),
    (None, "Have you thought about doing something nice for yourself this week?"),
]


@pytest.mark.parametrize(("client", "text"), FRESH_RISK_QUESTIONS, ids=lambda v: (v or "")[:30])
def test_a_risk_question_in_words_no_rule_was_written_for_counts(client, text) -> None:
    found = find_risk_inquiry(text, client)
    assert found is not None
    assert text[found.start:found.end] == found.text
    assert "?" in found.text  # the words quoted to the student are the question itself


@pytest.mark.parametrize(("client", "text"), RISK_NEAR_MISSES, ids=lambda v: (v or "")[:30])
def test_empathy_reassurance_procedure_and_other_questions_do_not_count(client, text) -> None:
    assert find_risk_inquiry(text, client) is None


def test_a_question_the_rules_cannot_quote_is_quoted_by_the_model() -> None:
    # No rule reads "going as in not living anymore"; the model finds the reply asks, and the
    # student is shown the question, not the warmth before it.
    client = "My husband says I'm useless. Maybe he's right and I should just go."
    question = ("When you say you should just go, is that going as in leaving him, or going as in "
                "not living anymore?")
    text = "It's been such a hard month, and I'm glad you came. " + question
    assert rule_inquiry(text, client) is None
    found = find_risk_inquiry(text, client)
    assert found is not None
    assert found.text == question


def test_the_client_line_decides_whether_a_point_back_question_asks() -> None:
    question = "How many have you put aside so far?"
    assert find_risk_inquiry(question, "I've been stockpiling my sleeping tablets.")
    assert find_risk_inquiry(question, "I've been saving up for a holiday.") is None
    assert find_risk_inquiry(question, "I've been collecting vinyl records.") is None


def test_the_risk_model_refuses_files_that_do_not_match(tmp_path) -> None:
    folder = ROOT / "widgets" / "repairlab" / "feedback"
    manifest = json.loads((folder / "risk.json").read_text(encoding="utf-8"))
    (tmp_path / "risk.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "risk.weights").write_bytes((folder / "risk.weights").read_bytes()[:-2] + b"\x00\x01")
    with pytest.raises(RiskModelError):
        load_risk_model(tmp_path)
    assert load_risk_model(folder).threshold == manifest["threshold"]


def _trained_risk_sets() -> list[str]:
    # A read set the shipped model has not been retrained on yet keeps its blind figure and
    # is not held to this; the manifest says which sets the model learnt from.
    manifest = json.loads((ROOT / "widgets" / "repairlab" / "feedback" / "risk.json").read_text())
    sets = yaml.safe_load((BLIND / "sets.yaml").read_text(encoding="utf-8"))["sets"]
    return [s["file"] for s in sets if s.get("kind") == "risk" and s.get("read")
            and f"bench/blind/{s['file']}" in manifest["trained_on"]["files"]]


@pytest.mark.parametrize("name", _trained_risk_sets())
def test_risk_inquiry_on_the_read_blind_sets_stays_right(name: str) -> None:
    # A blind set read once for its report is development data after, and once the model is
    # trained on it: no regressions on it (how it does on sets it has not seen: bench/README.md).
    items = _risk_items(BLIND / name)
    wrong = [i["id"] for i in items
             if (find_risk_inquiry(i["text"], i.get("client")) is not None) is not i["asks_about_risk"]]
    assert wrong == []


def test_the_assessment_carries_the_risk_question() -> None:
    result = assess_reply("That sounds so heavy. Are you having thoughts of ending your life?",
                          client="Everyone would be better off without me.")
    assert result.asks_about_risk is not None
    assert "ending your life" in result.asks_about_risk.text
    assert assess_reply("That sounds so heavy.").asks_about_risk is None


# --- The shipped model --------------------------------------------------------------------


def test_the_shipped_model_matches_its_manifest(tmp_path: Path) -> None:
    folder = ROOT / "widgets" / "repairlab" / "feedback"
    model = load_model(folder)
    assert model.outputs == ("defensive", *MOVES)
    assert 0.0 < model.not_sure_low <= 0.5 <= model.not_sure_high < 1.0
    (tmp_path / "verdict.json").write_text((folder / "verdict.json").read_text())
    (tmp_path / "verdict.weights").write_bytes((folder / "verdict.weights").read_bytes()[:-2] + b"\0\1")
    with pytest.raises(VerdictModelError, match="does not match"):
        load_model(tmp_path)


def test_the_mapped_weights_are_the_files_and_retraining_never_changes_them_under_a_kernel(
        tmp_path: Path) -> None:
    """A kernel maps the weights (one copy in the OS's file cache for all kernels): they must be
    the file's values, stay so once the warm-up gives their pages back, and not change (or
    vanish) when the training tools write new ones beside a running kernel."""
    folder = ROOT / "widgets" / "repairlab" / "feedback"
    for name in ("verdict.json", "verdict.weights"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    payload = (folder / "verdict.weights").read_bytes()
    from_file = [int.from_bytes(payload[i:i + 2], "little", signed=True)
                 for i in range(0, len(payload), 2)]
    model = load_model(tmp_path)
    buckets = range(0, len(from_file) // len(model.outputs), 97)
    margins = model.margins(buckets)
    assert list(model.weights) == from_file
    release_pages(model.weights)
    write_bytes_atomic(tmp_path / "verdict.weights", bytes(len(payload)))  # retrained: all zero
    assert list(model.weights) == from_file
    assert model.margins(buckets) == margins


def test_no_unread_blind_set_was_trained_on() -> None:
    manifest = json.loads((ROOT / "widgets" / "repairlab" / "feedback" / "verdict.json").read_text())
    sets = yaml.safe_load((BLIND / "sets.yaml").read_text(encoding="utf-8"))["sets"]
    unread = {f"bench/blind/{s['file']}" for s in sets if not s.get("read")}
    assert unread.isdisjoint(manifest["trained_on"]["files"])


def test_training_and_blind_statements_do_not_overlap() -> None:
    def statements(path: Path) -> set[str]:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
        lines = (str(i.get("context") or i.get("client") or "") for i in items)
        return {" ".join(line.lower().split()) for line in lines} - {""}

    train = set().union(*(statements(p) for p in [*DATA.glob("*.yaml"), *(DATA / "train").glob("*.yaml")]))
    for path in BLIND.glob("*.yaml"):
        if path.name != "sets.yaml":
            assert not statements(path) & train, path.name


def test_importing_repairlab_loads_neither_lexicon_nor_model() -> None:
    code = ("import sys, repairlab; from repairlab.feedback import verdict; "
            "assert verdict.default_model.cache_info().currsize == 0; "
            "from repairlab.feedback import assess_reply; assess_reply('hi'); "
            "assert verdict.default_model.cache_info().currsize == 1; "
            "assert 'sklearn' not in sys.modules and 'numpy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})


# --- Labelled sets and the curriculum ----------------------------------------------------


TRAIN_FILES = sorted([*DATA.glob("*.yaml"), *(DATA / "train").glob("*.yaml")])


@pytest.mark.parametrize("path", TRAIN_FILES, ids=lambda p: p.name)
def test_labelled_sets_are_well_formed(path: Path) -> None:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    for item in items:
        assert set(item) <= {"id", "text", "defensive", "moves", "context", "note", "rupture", "voice"}
        assert isinstance(item["defensive"], bool)
        assert set(item["moves"]) <= set(MOVES)
        if item["defensive"]:
            assert item["moves"] == [], f"{item['id']}: a defensive reply gets no moves"
        if path.parent.name == "train":
            assert item["rupture"] in ("withdrawal", "confrontation")


def test_shared_examples_all_classified_right() -> None:
    path = Path(os.environ.get("REPAIRLAB_SHARED_REPLIES", ROOT.parent / "shared" / "replies-dev.yaml"))
    if not path.is_file():
        pytest.skip("shared/replies-dev.yaml not found beside the repository")
    wrong = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
        r = assess_reply(item["text"])
        if r.defensive is not item["defensive"] or r.moves != set(item["moves"]):
            wrong.append((item["id"], r.defensive, sorted(r.moves)))
    assert wrong == []


def test_curriculum_rewrites_keep_their_moves() -> None:
    # Every rewrite-reply item: the model rewrite repairs with its must_include moves, and the
    # defensive reply reads as defensive (never "not sure").
    problems = []
    for path in sorted((ROOT / "exercises").glob("*/*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("items") or []:
            if item.get("type") != "rewrite-reply":
                continue
            model = assess_reply(item["model_rewrite"], client=item.get("client_says"))
            missing = set(item.get("must_include") or []) - model.moves
            if model.defensive is not False or missing:
                problems.append(f"{item['id']} model: defensive={model.defensive} missing={sorted(missing)}")
            if assess_reply(item["defensive_reply"], client=item.get("client_says")).defensive is not True:
                problems.append(f"{item['id']} defensive reply not flagged")
    assert problems == []


@pytest.mark.parametrize(
    ("text", "client"),
    [
        pytest.param("Je pense que vous exagérez vraiment beaucoup ici.", None, id="not-english"),
        pytest.param("You were late again. It's like my time doesn't matter.",
                     "You were late again. It's like my time doesn't matter.", id="copied-client-line"),
    ],
)
def test_what_the_model_cannot_read_gets_a_notice_and_no_verdict(text, client) -> None:
    result = assess_reply(text, client=client)
    assert result.notice
    assert result.defensive is None
    assert result.moves == frozenset()


# English in any register: texting, two words, telegraphic, British idiom. The second to the fifth
# were written by training-set helpers (tests/data/replies/train/); those and the sixth and ninth
# used to get the "does not look like English" notice and no verdict.
ENGLISH_IN_ANY_REGISTER = [
    "ur right, my bad, I rushed u",
    "yeah being stuck here w no date sounds awful",
    "totally ur call. hope ur ok",
    "ok no worries, just lmk when u wanna book again",
    "whats made them feel useless? genuinely asking",
    "Fair point, totally hear ya, rough week huh",
    "soz, rushed ya there. go on?",
    "Apologies, scheduling mixup, entirely mine",
    "Completely valid frustration; apologies, overran massively, unacceptable scheduling.",
    "Proper cock-up on my part, mate",
    "José, I'm sorry. That was careless of me.",
    "My bad.",
]
NOT_ENGLISH = [
    "Je suis désolé, c'est ma faute.",  # French
    "Lo siento, tienes razón.",  # Spanish
    "Tienes razón, llegué tarde otra vez y lo siento mucho.",
    "Es tut mir leid, ich war zu spät.",  # German
    "Het spijt me, ik was te laat.",  # Dutch, with "me", "was" and "te" shared with English
    "Je hebt gelijk, dat was niet eerlijk van mij.",
    "Dat had ik niet moeten zeggen.",
    "Mi dispiace, hai ragione.",  # Italian
    "Desculpa, você tem razão, eu não ouvi.",  # Portuguese
    "Przepraszam, masz rację, nie słuchałem cię wcale dzisiaj naprawdę.",  # Polish: no list
    "Извините, я был неправ.",  # another script
]


@pytest.mark.parametrize("text", ENGLISH_IN_ANY_REGISTER)
def test_english_in_any_register_is_read_as_english(text) -> None:
    result = assess_reply(text, client="You cut me off again before I could finish.")
    assert FOREIGN_NOTICE not in (result.notice or "")


@pytest.mark.parametrize("text", NOT_ENGLISH)
def test_a_reply_in_another_language_gets_the_notice_and_no_verdict(text) -> None:
    result = assess_reply(text, client="You cut me off again before I could finish.")
    assert FOREIGN_NOTICE in (result.notice or "")
    assert result.defensive is None
    assert result.moves == frozenset()


def test_a_texting_apology_gets_a_verdict_and_its_moves() -> None:
    result = assess_reply("ur right, my bad, I rushed u", client="You rushed me through that again.")
    assert result.defensive is False
    assert "ownership" in result.moves


def test_where_the_client_is_known_to_be_at_risk_a_question_about_it_counts() -> None:
    # A case node with phase "at-risk" passes client_at_risk: the author knows the line voices
    # risk even when its words are new to the signal ("I've made up my mind").
    client = "I've made up my mind. It's all sorted."
    assert find_risk_inquiry("What's the date you picked?", client) is None
    found = find_risk_inquiry("What's the date you picked?", client, client_at_risk=True)
    assert found is not None
    assert found.text == "What's the date you picked?"
    assert find_risk_inquiry("What are you planning to do?", client, client_at_risk=True)
    assert find_risk_inquiry("How was the drive in today?", client, client_at_risk=True) is None
    assert find_risk_inquiry("That sounds so final.", client, client_at_risk=True) is None
