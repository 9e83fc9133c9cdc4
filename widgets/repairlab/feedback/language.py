"""Is a reply written in English? The check behind the assessor's "does not look like English".

The assessor (rules and learned verdict alike) only reads English, so a reply in another language
gets a notice and no verdict. The check must never fire on English, in any register: a texting
student ("ur right, my bad, I rushed u"), a two-word reply, or one that happens to use none of
the commonest function words is still English and deserves a verdict.

So the check looks for positive evidence of another language rather than for the absence of a
few English words:

- a reply mostly in a non-Latin script is not English;
- otherwise each word votes: the common words of French, Spanish, German, Dutch, Italian and
  Portuguese (and words with their accented letters) vote foreign; English words, including
  texting spellings and contractions ("didn't", "you're"), vote English; a word common in both
  ("in", "is", "was", "me", "die") votes for neither. The reply is foreign when at least
  ``_MIN_FOREIGN_WORDS`` words vote foreign and they outnumber the English votes;
- a longer reply (``_MIN_WORDS_WITHOUT_ENGLISH`` words or more) with no English word at all,
  not even an English ending ("-ly", "-ing", "-ed": "Completely valid frustration, overran
  massively"), is foreign too, whatever language it is in.
"""

from __future__ import annotations

import re

from .features import FUNCTION_WORDS, SPELLINGS, word_list

# Below this share of Latin letters, a reply is in another script (Cyrillic, Arabic, CJK, ...).
_MIN_LATIN_SHARE = 0.5
_MIN_LETTERS_FOR_SCRIPT = 8
# Two foreign words outnumbering the English ones: "Lo siento", "Het spijt me". One alone is a
# name or a borrowed word ("José", "die").
_MIN_FOREIGN_WORDS = 2
# Long enough that English in any register would use at least one word from ``_ENGLISH``.
_MIN_WORDS_WITHOUT_ENGLISH = 8

# Letters and the apostrophes and hyphens inside words: "c'est", "didn't", "non-judgmental"
# are one word each, so an English compound never reads as a French "non".
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
# French and Italian elision ("j'ai", "c'est", "l'heure", "qu'il"), never English but for these.
_ELISION = re.compile(r"^(?:c|d|j|l|m|n|s|t|qu)'[^\W\d_]")
_ENGLISH_ELISIONS = frozenset({"c'mon", "d'you", "m'kay", "s'pose", "t'was", "d'oh"})
_CONTRACTION = re.compile(r"[^\W\d_](?:n't|'s|'re|'ve|'ll|'d|'m)$")
# Endings that mark a word as English when no word of the lists does. (Not a vote: Dutch and
# German have "-ing" and "-ed" words too, so they only save a telegraphic English reply.)
_ENGLISH_ENDING = re.compile(r"[a-z]{2}(?:ly|ing|ed)$")


# Everyday English beyond the function words: what a reply in any register is made of.
_EVERYDAY_ENGLISH = word_list(
    """lol haha hmm huh wow nah nope yup sure fine right wrong good great bad fair point sound
    sounds seem seems guess maybe actually honestly totally time week day days work people try
    keep stop need thank thanks worries worry hope call ready anyway though because again still
    even never always only lot bit kind sort mean hear see look take give come back first next
    last new old same different hard easy stuff someone everyone nobody nothing anything
    everything yesterday tomorrow tonight long little many own other another since until while
    each every both without through around once done sit wait ask asked listen understand happen
    happened matter care sense idea problem fault blame talk talking session sessions feeling
    feelings hurt upset angry late sounds awful glad sad tired help wish things noted book plan
    together figure whenever genuinely honest fair enough alright whatever whoever guess yours
    ours cool nice thing why who them they their he she his her him us our"""
)
_ENGLISH = FUNCTION_WORDS | _EVERYDAY_ENGLISH | frozenset(SPELLINGS) | frozenset(
    w for spelled in SPELLINGS.values() for w in spelled.split()
)

# The commonest words of the languages a student is likeliest to write in instead. Words that
# are also English ("in", "was", "die") are taken out below, so they count for neither side;
# a few more are left out by hand because they are everyday English or names ("son", "hay",
# "bin", "gut", "per", "um", "al").
_FOREIGN = word_list(
    # French
    """je j'ai tu vous il elle nous ils elles le la les un une des du de et est sont suis êtes
    pas ne que qui quoi mais ou où pour avec sans dans sur très bien ça cela ce cette ces c'est
    moi toi mon ma mes ton ta tes votre vos notre nos leur aussi comme peut être avoir fait
    faire tout tous rien oui merci désolé désolée parce quand alors donc encore ici vraiment
    beaucoup pense crois comprends"""
    # Spanish
    """ yo tú usted él ella nosotros ellos el los las lo unos y es son soy estoy está estás eres
    qué pero por para sin muy también mi mis tus su sus se te del al como cómo cuando porque
    aquí eso esto esta este todo sí gracias siento tienes tengo creo entiendo vez mucho"""
    # German
    """ ich du sie er wir ihr der die das den dem ein eine einen einem und oder aber ist sind
    bist nicht kein keine mit für auf zu von bei nach auch sehr noch schon wie wenn dass mir
    dich dir mich mein meine dein deine ihnen tut leid ja nein jetzt habe hast haben wirklich
    verstehe"""
    # Dutch
    """ ik jij hij zij wij het een en maar zijn ben bent niet geen voor op aan van naar ook erg
    nog wel dat dit deze wat waarom wanneer mijn jouw uw mij jou ons onze nu nee spijt echt
    begrijp denk heb hebt heeft kan wil moet gewoon zo te om"""
    # Italian
    """ io lui lei noi voi gli è sono sei non che ci molto anche perché questo questa qui grazie
    dispiace scusa capisco penso della"""
    # Portuguese
    """ eu você ele nós os uma são sou não mas sem muito meu minha seu sua isso isto aqui
    obrigado obrigada desculpa entendo acho"""
) - word_list("son hay bin gut per um al con er heel hoe nada war fast hat kind men")
_FOREIGN_ONLY = _FOREIGN - _ENGLISH
_ENGLISH_ONLY = _ENGLISH - _FOREIGN
# Accented words English has borrowed: they are no sign of another language.
_ENGLISH_LOANS = word_list("café cafés cliché clichés naïve naïvely résumé fiancé fiancée déjà façade")


def looks_foreign(text: str) -> bool:
    """Whether ``text`` is (mostly) not English; see the module's docstring."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= _MIN_LETTERS_FOR_SCRIPT:
        latin = sum(1 for c in letters if c.isascii() or "\u00c0" <= c <= "\u024f")
        if latin / len(letters) < _MIN_LATIN_SHARE:
            return True
    foreign = english = 0
    words = _WORD.findall(text)
    for word in words:
        low = word.lower()
        if low in _ENGLISH_ONLY or _CONTRACTION.search(low) or low in _ENGLISH_ELISIONS:
            english += 1
        elif low in _FOREIGN_ONLY or _ELISION.match(low) or _foreign_letters(word):
            foreign += 1
    if foreign >= _MIN_FOREIGN_WORDS and foreign > english:
        return True
    return (len(words) >= _MIN_WORDS_WITHOUT_ENGLISH and english == 0
            and not any(_ENGLISH_ENDING.search(w.lower()) for w in words))


def _foreign_letters(word: str) -> bool:
    """An accented word that is not a borrowed English one nor, capitalised, a name ("José")."""
    return (not word.isascii() and word[0].islower() and word.lower() not in _ENGLISH_LOANS)
