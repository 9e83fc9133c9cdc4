"""The rules of the risk-inquiry signal: which words of a reply ask about suicide, self-harm or
harm to others.

These rules find the span a student is shown, and what they find is one of the features the
learned part reads (risk_model.py); ``risk.find_risk_inquiry`` combines the two. On sets written
by people who never saw them the rules alone caught only 0.65-0.86 of the risk questions (see
bench/README.md), so they no longer decide alone. As the rules read it, a sentence asks about
risk when it names a risk (in plain, clinical, indirect or misspelled words) *and* inquires
(a question, a question typed without its "?", or an invitation such as "I'd like to ask you
about ..."). A statement that only lectures ("if you're suicidal, call the crisis line") or
reassures ("you won't hurt anyone") does not ask. Stdlib only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import Span

# Words a trainee may misspell, written out once; a token within one edit (two for long words)
# of one of these, with the same first letter, is read as that word.
_KEYWORDS = (
    "suicide", "suicidal", "suicidality", "kill", "killing", "yourself", "urself", "harming",
    "hurting", "harm", "hurt", "overdose", "overdosing", "cutting", "attempted", "attempt",
    "thoughts", "thinking", "ending", "alive", "dead", "die", "dying", "safe", "safety",
    "self-harm", "selfharm", "violent", "violence", "weapon", "weapons", "wanting", "anybody",
    "someone", "somebody", "anyone",
)
_SPELLINGS = {
    "u": "you", "ya": "you", "ur": "your", "r": "are", "urself": "yourself", "yourslef": "yourself",
    "yoursef": "yourself", "youself": "yourself", "im": "i'm", "dont": "don't", "ive": "i've",
    "wanna": "want to", "gonna": "going to", "thot": "thought", "thots": "thoughts", "abt": "about",
    "killin": "killing", "hurtin": "hurting", "harmin": "harming", "cuttin": "cutting",
    "endin": "ending", "thinkin": "thinking", "havin": "having", "sh": "self-harm", "od": "overdose",
    "2": "to", "bout": "about", "kys": "kill yourself", "hav": "have", "sum1": "someone",
    "some1": "someone", "any1": "anyone", "doin": "doing", "somethin": "something",
    "nothin": "nothing", "anythin": "anything", "wat": "what", "wot": "what", "cuz": "because",
    "wld": "would", "cld": "could", "shld": "should", "n": "and", "youre": "you're", "thougts": "thoughts",
    "takin": "taking", "usin": "using",
}
# Real words within one edit of a keyword, never read as its misspelling ("doing" is not "dying").
_REAL_WORDS = frozenset({"doing", "dread", "alike", "counting", "hurrying", "overrode", "thanking",
                         "waiting", "wasting"})
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z]+)*|\?")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*|\n")

_SELF = r"(?:yourself|themselves|oneself|your body|your own body)"
_OTHERS = (r"(?:him|her|them|someone|somebody|anyone|anybody|others|other people|people|"
           r"your (?:\w+ )?(?:boss|partner|husband|wife|ex|brother|sister|father|dad|mother|mum|mom|"
           r"son|daughter|kids|children|child|neighbour|neighbor|colleague|family|baby|flatmate|"
           r"roommate|manager|stepdad|stepfather|friend|friends|teacher)|"
           r"(?:the|your|that) (?:baby|babies|kids|children|child|boy|girl|man|woman|guy)|"
           r"(?:the|those|these) people)")
_RISK = re.compile(
    "|".join((
        r"\bsuicid\w*",
        r"\bself-harm\w*|\bselfharm\w*|\bself harm\w*|\bself-injur\w*|\bself injur\w*",
        rf"\b(?:kill|killing|killed|hurt|hurting|harm|harming|cut|cutting|burn|burning|injure|injuring|"
        rf"hit|hitting|punish|punishing|poison|poisoning|hang|hanging|starve|starving|damage|damaging) "
        rf"(?:to )?{_SELF}\b",
        r"\boverdos\w*|\btake (?:all )?(?:the |your |those |some )?pills\b",
        r"\b(?:end|ending|ended|take|taking) (?:your|ur|you're) (?:own )?life\b",
        r"\b(?:jump|jumping) (?:off|from|in front)|\b(?:thinking|thought|think) (?:\w+ ){0,2}"
        r"(?:of|about) (?:jumping|hanging|drowning|crashing|overdosing)\b|\b(?:drive|driving) into\b|"
        r"\b(?:step|stepping) in front\b",
        r"\b(?:use|using|used) (?:it|them|that|this|the \w+) on (?:yourself|him|her|them|someone|anyone)\b",
        r"\b(?:pain|harm|injur\w*|damage|marks?) (?:that )?you (?:cause|do|inflict|give)(?: to)? yourself\b",
        r"\b(?:do|did|doing|done) (?:\w+ ){0,2}to yourself\b",
        r"\burges? (?:to )?(?:cut|burn|hurt|harm|die|kill|scratch|hit|use)\b",
        r"\b(?:getting|get|got|preparing|prepare) (?:ready )?to die\b|"
        r"\btired of (?:living|life|being alive)\b",
        r"\bthinking (?:of|about) (?:dying|death|being dead|not being here)\b",
        r"\b(?:end|ending) (?:it|it all|everything|things)\b",
        r"\b(?:not|no longer|never) (?:\w+ ){0,3}(?:be |being |stay |staying )?(?:alive|here anymore|"
        r"around anymore|wak(?:e|ing) up)\b",
        r"\b(?:want|wants|wanting|wanted|wish|wishes|wishing|wished|thoughts? of|thinking of|"
        r"thinking about|thinking to|think about|think of) "
        r"(?:\w+ ){0,2}(?:to )?(?:be )?(?:dead|die|dying|disappear|not exist|not be here|not be alive|"
        r"not wake up|not to wake up|not to be here|not to be alive|not being here|not being alive)\b",
        r"\bbetter off (?:dead|without you|gone)\b",
        r"\b(?:reason|reasons) (?:to|for) (?:live|living|stay alive|staying alive)\b",
        r"\b(?:life|living) (?:is |isn't |is not |isnt |was |wasn't )?(?:not )?worth\b",
        r"\b(?:attempt|attempted)\b.{0,40}\b(?:before|life|yourself|suicid\w*|to die)\b|"
        r"\btried to (?:end|kill|hurt|harm|take|die|overdose)\b|\btried (?:it|that) before\b",
        r"\b(?:are|r|feel|feeling|keep|keeping|be|staying|stay) (?:\w+ )?safe\b|\byour safety\b|"
        r"\bsafe (?:right now|tonight|at the moment|at home|to go home|enough)\b",
        rf"\b(?:kill|killing|hurt|hurting|harm|harming|attack|attacking|hit|hitting|stab|stabbing|shoot|"
        rf"shooting|get back at|getting back at|take revenge on|strangle|beat up|beating up|go after|"
        rf"going after) {_OTHERS}\b",
        r"\b(?:violent|violence|weapon|weapons|gun|guns|knife|knives)\b",
        r"\bact(?:ed|ing)? on (?:it|that|them|those|these|this|the|your|any)\b",
        rf"\b(?:do|doing|did) (?:something|anything) (?:to|against) {_OTHERS}\b",
        r"\b(?:at risk from you|a (?:risk|danger) to "
        r"(?:yourself|others|anyone|someone|other people|him|her|them))\b",
        r"\b(?:plan|plans|planned|means|intent|intention|intend|urges?|impulses?)\b.{0,40}"
        r"\b(?:to die|to do it|suicid\w*|kill\w*|hurt\w*|harm\w*|end\w* it|life|yourself)\b",
        r"\b(?:dark|darkest|scary|frightening) (?:thoughts|places?)\b",
    ))
)
# Idioms that use risk words for something else.
_IDIOM = re.compile(
    r"\b(?:dying to|dying for|kill(?:ing)? (?:some |the )?time|killed it|killing it|killer|"
    r"to die for|killing me|safe to say|safe space|safe bet|play it safe|better safe|"
    r"hurt your feelings|killing yourself (?:with|over|at|for|to get)|work yourself to death|"
    r"(?:hurt|hurting|harm|harming|hit|hitting|abuse|abusing|kill|killing|hurts|hits) you\b|"
    r"(?:hurt|injure|injured) yourself (?:(?:when|while|during) )?(?:running|playing|lifting|at the gym|"
    r"exercising|training|working out|cooking|skiing|climbing|cycling|jogging))"
)
# An inquiry without a question mark: an invitation or a typed question.
_INVITATION = re.compile(
    r"\b(?:(?:i|i'd|i'm|id)\s+(?:want|would like|like|need|have|wanted|am going|going)\s+to\s+"
    r"(?:ask|check|know|hear|understand|talk|come back|gently ask|find out|make sure)|"
    r"(?:can|could|may|might) i (?:ask|check)|let me (?:ask|check)|i(?:'m| am) (?:wondering|curious)|"
    r"i wonder|tell me (?:about|if|whether|more|what|how)|(?:can|could|would) you tell me|"
    r"help me understand|i(?:'d| would) like to hear|are you able to say|say more about)\b"
)
_QUESTION_START = re.compile(
    r"^\W*(?:and |so |but |or |also |ok |okay |now |like |um |uh )?"
    r"(?:are|do|did|have|has|had|is|was|were|would|could|"
    r"will|can|any|anything|how|what|when|where|which|who|why|ever|thoughts?|plans?)\b"
)
_STATEMENT_ABOUT_RULES = re.compile(
    r"^\W*(?:if|when|whenever|in case|should) you\b.*\b(?:call|ring|contact|go to|phone|tell)\b"
)


def _edit_distance_at_most(a: str, b: str, k: int) -> bool:
    if abs(len(a) - len(b)) > k:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > k:
            return False
        prev = cur
    return prev[-1] <= k


@lru_cache(maxsize=4096)
def _canonical(token: str) -> str:
    token = _SPELLINGS.get(token, token)
    if len(token) < 5 or token in _KEYWORDS or token in _REAL_WORDS:
        return token
    allowed = 1 if len(token) < 8 else 2
    for word in _KEYWORDS:
        if word[0] == token[0] and _edit_distance_at_most(token, word, allowed):
            return word
    return token


def _normalised(sentence: str) -> str:
    words = [_canonical(t) for t in _TOKEN.findall(sentence.lower().replace("\u2019", "'"))]
    return " ".join(words).replace("your self", "yourself").replace("self - harm", "self-harm")


def normalised(text: str) -> str:
    """The words of ``text`` as the rules read them (texting and misspelled risk words written out)."""
    return _normalised(text)


def _inquires(norm: str) -> bool:
    if norm.endswith("?") or "?" in norm:
        return True
    if _STATEMENT_ABOUT_RULES.search(norm):
        return False
    return bool(_INVITATION.search(norm) or _QUESTION_START.search(norm))


# After a client has voiced risk, a question may point back at it without naming it again
# ("Do you have a plan?", "How often do those thoughts come?").
_POINTS_BACK = re.compile(
    r"\b(?:(?:those|these|the|that|such|any) (?:thoughts?|feelings?|urges?|ideas?|impulses?)|"
    r"plan|plans|planned|means|do it|did it|acted|act on|how often|how long|how close|"
    r"pills|tablets|rope|gun|knife|medication|stockpil\w*|attempt\w*|"
    r"tried (?:to|it|that|before|anything)|"
    r"cutting|cuts|cut|deep|burning|burns|hurting|harming|injur\w*|do it|doing it|taking them|"
    r"scratch\w*|on your (?:arms|body|legs|wrists)|covering|marks|methods|access|rifle|gun|knife|"
    r"what stopped you|happen again|how likely|making that happen|being gone|"
    r"(?:keeping|keep|saving|save|using|use|have|got|take|taking) (?:them|it)|"
    r"(?:take|taking|took|use|using|swallow\w*) (?:them|those|these|it all)|intend\w*|mean to|"
    r"come close|came close|"
    r"(?:what|how) do you mean|when you say|what you said|said that)\b"
)


# What a client may say that voices risk, in the first person.
_CLIENT_RISK = re.compile(
    r"\b(?:suicid\w*|kill (?:myself|me|him|her|them)|end (?:it|it all|my life|things|everything)|"
    r"(?:hurt|harm|cut|burn|punish) myself|self-harm\w*|better off (?:without me|dead|if i)|"
    r"(?:want|wish|wanting)(?: \w+){0,3} (?:to )?(?:die|dead|disappear|stop|vanish|not exist|not be here|"
    r"not wake up|be gone)|not wak(?:e|ing) up|can't go on|cannot go on|no point (?:in )?(?:living|going on|"
    r"anymore|to any of it)|overdos\w*|(?:hurt|harm|kill|get|make) (?:him|her|them) (?:pay|for)|"
    r"(?:hurt|harm|kill|hit|stab) (?:him|her|them|someone|somebody)|gone for good|not be around|"
    r"won't be around|wouldn't be around|wouldn't be here|won't be here|all to stop|it all stop|"
    r"(?:going to|gonna|will) do it|cutting|burning myself|rope|(?:do|did) (?:something|"
    r"anything) to (?:him|her|them)|what i'll do|what i might do|scared of what i|"
    r"(?:saving|saved|stockpil\w*|hoard\w*|collect\w*|counting|enough) (?:up )?(?:\w+ ){0,3}"
    r"(?:pills|tablets|meds|medication)|"
    r"(?:pills|tablets|meds) (?:\w+ ){0,4}(?:saved|enough|drawer|hidden|stash|at once|in the)|"
    r"how many (?:\w+ ){0,3}(?:pills|tablets)|"
    r"(?:thinking|thought|think) about (?:\w+ ){0,3}(?:pills|tablets)|"
    r"all (?:my|the|of my) (?:pills|tablets)|it would take|"
    r"better (?:off )?without me|if i (?:was|were) gone|(?:when|if) i'm gone|notice if i|"
    r"(?:how|when) i(?:'d| would| will| could| might) do it|methods|ways to die|bridge|gun|rifle|"
    r"knife|weapon|driving into|crash the car|step in front|jump off|scratch\w*|bled|bleed\w*|"
    r"burns|burned myself|long sleeves|(?:came|come) close to|nearly (?:hit|hurt|killed)|"
    r"almost (?:hit|hurt|killed)|lucky i didn't|giving (?:my|away) (?:\w+ )?(?:things|stuff)|"
    r"things away|tired of (?:all of )?it|everything to (?:go quiet|stop|end)|what's the point|"
    r"picked a date|feel pain|don't (?:even )?care|too fast|foot down|rope|blades?|razor|"
    r"tried (?:with|before|to)|researched|looked (?:it )?up|all just (?:\w+ )?goes|"
    r"it all (?:just )?(?:goes|ends)|"
    r"wronged me|count (?:them|the pills)|keep them all|can't keep (?:doing|going)|can't go on|"
    r"(?:it )?all to stop|punch\w*|hit my (?:head|self)|bite|biting|bruis\w*|burned|burnt|"
    r"another year|did the thing|the thing again|relapsed|letters to|goodbye|paracetamol|"
    r"overdose|train tracks|tracks|nothing's going to get better|burden|insurance|"
    r"(?:push|hurt|kill|hit) (?:my|the) (?:mother|father|mum|dad|baby|son|daughter|wife|husband|"
    r"partner|kids?|children|boss|neighbour))\b"
)


# Words of harm that, in a question to a client who has voiced risk, ask about it.
_HARM_WORDS = re.compile(
    r"\b(?:die|dying|dead|death|alive|survive|surviving|gone|kill\w*|hurt\w*|harm\w*|pain|injur\w*|"
    r"cut\w*|burn\w*|bruis\w*|bleed\w*|blood|crash\w*|jump\w*|hang\w*|overdos\w*|purpose|"
    r"planning|planned|plan|date|goodbye|silly|stupid|safe|safety|end|ending|finish|stop|"
    r"urges?|again|since|how many|how much|relapse\w*|worse|look up|looked up|ways|"
    r"go there|been there|go back there)\b"
)


def _about_their_risk(norm: str) -> bool:
    return bool(_POINTS_BACK.search(norm) or _HARM_WORDS.search(norm))


def _has_risk(norm: str) -> bool:
    return bool(_RISK.search(_IDIOM.sub(" ", norm)))


def client_voices_risk(client: str | None, client_at_risk: bool = False) -> bool:
    """Does the client's line voice risk (or does the caller know it does)?"""
    if client_at_risk:
        return True
    client_norm = _normalised(client) if isinstance(client, str) else ""
    return bool(client_norm and (_CLIENT_RISK.search(client_norm) or _has_risk(client_norm)))


def rule_inquiry(text: str, client: str | None = None, *,
                 client_at_risk: bool = False) -> Span | None:
    """The sentence of ``text`` that asks about risk, or None.

    ``client`` is the client's line the reply answers: when it voices risk (or the caller knows
    it does: ``client_at_risk``, e.g. a case node whose phase is "at-risk"), a question about
    it asks about risk too: one that points back ("Do you have a plan?", "What's the date?"
    after "I've picked a date") or that uses the words of harm ("Did you go there to jump?").
    A sentence that names a risk followed by a question that asks about it ("...not being
    alive. Has that been true for you?") counts as one inquiry.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    client_risk = client_voices_risk(client, client_at_risk)
    parts = [(m.start(), m.end(), _normalised(m.group(0))) for m in _SENTENCE.finditer(text[:5000])]
    parts = [p for p in parts if p[2]]
    for k, (start, end, norm) in enumerate(parts):
        risk = _has_risk(norm)
        if risk and _inquires(norm):
            return Span.trimmed(text, start, end)
        if client_risk and _inquires(norm) and _about_their_risk(_IDIOM.sub(" ", norm)):
            return Span.trimmed(text, start, end)
        if risk and k + 1 < len(parts) and parts[k + 1][2].endswith("?"):
            return Span.trimmed(text, start, parts[k + 1][1])
    return None



@dataclass(frozen=True)
class Sentence:
    """One sentence of a reply as the rules read it: where it is, its normalised words (texting
    spellings and misspellings of risk words written out), and what the rules see in it."""

    start: int
    end: int
    norm: str
    names_risk: bool
    inquires: bool
    about_their_risk: bool


def read_sentences(text: str) -> list[Sentence]:
    out = []
    for m in _SENTENCE.finditer(text[:5000]):
        norm = _normalised(m.group(0))
        if norm:
            out.append(Sentence(m.start(), m.end(), norm, _has_risk(norm), _inquires(norm),
                                _about_their_risk(_IDIOM.sub(" ", norm))))
    return out
