"""Does the course state its research accurately (issue 13, "Accuracy")?

Each test reads the real content files (readings, module manifests, instructor notes, exercise
items, images, docs/coverage.md and README.md), so a misstatement put back into any of them
makes it fail. The facts checked here are those in ../shared/DOMAIN.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CURRICULUM = REPO / "curriculum"
EXERCISES = REPO / "exercises"


def _markdown(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def _reading(number: int) -> str:
    (folder,) = CURRICULUM.glob(f"{number:02d}-*")
    return _markdown(folder / "reading.ipynb")


def _course_texts() -> dict[str, str]:
    """Every file a student or instructor reads, by path relative to the repository."""
    paths = [
        *CURRICULUM.glob("*/*.ipynb"), CURRICULUM / "index.ipynb",
        *CURRICULUM.glob("*/module.yaml"), *CURRICULUM.glob("*/instructor-notes.md"),
        *CURRICULUM.glob("*/images/*.svg"), *EXERCISES.glob("*/*.yaml"),
        REPO / "docs" / "coverage.md", *(REPO / "docs" / "coverage").glob("*.md"),
        REPO / "README.md",
    ]
    texts = {}
    for path in sorted(set(paths)):
        raw = path.read_text(encoding="utf-8")
        texts[str(path.relative_to(REPO))] = _markdown(path) if path.suffix == ".ipynb" else raw
    return texts


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, with YAML folding and line breaks joined up."""
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _sentences(text: str) -> list[str]:
    """Sentences, counting each list item, table row and heading as its own block."""
    blocks = re.split(r"\n\s*\n|\n(?=\s*(?:[-*] |\d+\. |\||#))", text)
    return [s for block in blocks if block.strip()
            for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*(\"'-])", " ".join(block.split()))]


def _section(text: str, heading_word: str) -> str:
    """The body of the first `## ` section whose heading contains heading_word."""
    match = re.search(rf"^## [^\n]*{heading_word}[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S | re.I)
    assert match, f"no '## ...{heading_word}...' section"
    return match.group(1)


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return _course_texts()


def _offending(texts: dict[str, str], bad, unit=_paragraphs) -> list[str]:
    return [f"{path}: {chunk[:160]}" for path, text in texts.items()
            for chunk in unit(text) if bad(chunk)]


# -------------------------------------------------- the training meta-analysis (r = .11)

READING_NOT_ENOUGH = re.compile(
    r"reading (alone )?(is|are) not enough|not enough to read|reading and recognising are not"
    r"|not (through|by) reading|stops at reading|do not only read|only read about"
    r"|the reason this module insists|the rationale for the practice|effect on trainees",
    re.I)


def test_no_text_reads_the_training_meta_analysis_as_reading_is_not_enough(texts):
    """r = .11 measured patient outcome after experiential training: not 'reading fails'."""
    found = _offending(texts, lambda p: ".11" in p and READING_NOT_ENOUGH.search(p))
    found += _offending(texts, lambda p: READING_NOT_ENOUGH.search(p) and "meta-analy" in p)
    assert not found, "the training meta-analysis misread:\n" + "\n".join(found)


def test_no_text_calls_it_the_one_meta_analysis_of_training(texts):
    found = _offending(texts, lambda p: re.search(r"\b(the|only) one meta-analys", p, re.I))
    assert not found, "Safran, Muran & Eubanks-Carter (2011) is a second one:\n" + "\n".join(found)


def test_every_mention_of_the_training_effect_says_it_was_patient_outcome(texts):
    found = _offending(texts, lambda p: re.search(r"r = \.11\b", p) and "patient" not in p.lower())
    assert not found, "say what r = .11 measured (patient outcome):\n" + "\n".join(found)


def test_module_1_gives_both_training_meta_analyses():
    evidence = _section(_reading(1), "evidence")
    for fact in ("r = .11", "d = .22", "patients", "Safran, Muran & Eubanks-Carter, 2011", "r = .65"):
        assert fact in evidence, fact
    assert "comparison group" in evidence
    assert "Safran, J. D., Muran, J. C., & Eubanks-Carter, C. (2011)" in _reading(1)


# -------------------------------------------------- therapist schemas (Haarhoff; Phin; Leahy)

def _item(item_id: str) -> str:
    """The YAML text of one exercise item (from its `- id:` line to the next item)."""
    for path in EXERCISES.glob("*/*.yaml"):
        match = re.search(rf"^  - id: {item_id}\n(.*?)(?=^  - id: |\Z)", path.read_text(encoding="utf-8"),
                          re.M | re.S)
        if match:
            return " ".join(match.group(1).split())
    raise AssertionError(f"no item {item_id}")


def test_m03_schema_01_does_not_crown_one_schema_as_most_found_in_therapists():
    text = _item("m03-schema-01")
    assert not re.search(r"the schema most (often )?(found|common)", text, re.I), text
    assert "rejection" not in text.lower()
    assert "Haarhoff 2006" in text
    assert "Phin 2013" in text


def test_rejection_sensitivity_is_never_given_to_trainees(texts):
    """Haarhoff's trainees: demanding standards, special/superior person, self-sacrifice."""
    found = _offending(texts, lambda s: re.search(r"rejection.sensitiv", s, re.I)
                       and re.search(r"trainee|Haarhoff", s, re.I), unit=_sentences)
    assert not found, "rejection sensitivity comes from Phin's practising therapists:\n" + "\n".join(found)


def test_every_claim_about_the_schemas_therapists_most_often_hold_names_its_study(texts):
    """Which schemas are most common differs by study (Haarhoff's trainees, Phin's therapists)."""
    found = _offending(texts, lambda s: re.search(r"most (?:often )?(?:found|common) (?:in|among)"
                                                  r" (?:\w+ )?(?:therapists|trainees)", s, re.I)
                       and not re.search(r"Haarhoff|Phin", s), unit=_sentences)
    assert not found, "say which study found it:\n" + "\n".join(found)


def test_module_3_names_each_studys_top_schemas():
    schemas = _section(_reading(3), "Therapist schemas")
    haarhoff = next(s for s in _sentences(schemas) if "Haarhoff" in s)
    for name in ("demanding standards", "special/superior person", "self-sacrifice"):
        assert name in haarhoff, name
    phin = next(s for s in _sentences(schemas) if "Phin" in s)
    for name in ("self-sacrifice", "demanding standards", "rejection sensitivity"):
        assert name in phin, name


def test_rejection_sensitivity_maps_to_avoiding_conflict_not_abandonment(texts):
    (row,) = [line for line in _reading(3).splitlines() if line.startswith("| Rejection sensitivity")]
    assert "Subjugation" in row or "Approval-Seeking" in row, row
    assert "Abandonment" not in row, row
    assert "Defectiveness" not in row, row
    found = _offending(texts, lambda s: re.search(r"rejection.sensitiv[^.]*\bmaps? here", s, re.I),
                       unit=_sentences)
    assert not found, "\n".join(found)


# -------------------------------------------------- the 3RS codes only what a rater observes

OWN_FEELINGS = re.compile(
    r"own (strong |repeated )?(reaction|feeling)s?|therapist's (own )?(feelings|reactions?)", re.I)
NOT_A_MARKER = re.compile(r"not (a|one of the) (3RS )?markers?|outside rater|3RS codes only", re.I)


def test_no_text_makes_the_therapists_feelings_a_3rs_marker(texts):
    found = _offending(texts, lambda s: "3RS" in s and OWN_FEELINGS.search(s) and not NOT_A_MARKER.search(s),
                       unit=_sentences)
    assert not found, "the therapist's feelings are Safran & Muran's (2000) advice:\n" + "\n".join(found)


@pytest.mark.parametrize(("number", "heading"), [(2, "Your own reaction"), (3, "Countertransference")])
def test_the_feelings_signal_is_credited_to_safran_and_muran_2000(number, heading):
    section = _section(_reading(number), heading)
    assert "Safran and Muran (2000)" in section
    assert NOT_A_MARKER.search(section), f"module {number}: say it is not a 3RS marker"


# -------------------------------------------------- separate resolution paths: 2000, not 1996

PATHS = re.compile(r"withdrawal|confrontation|self-assertion|vulnerab|hurt|each type|path", re.I)


def test_no_text_credits_the_1996_paper_with_separate_paths(texts):
    """The 1996 task analysis gives one stage model; the two paths are in the 2000 book."""
    found = _offending(texts, lambda s: "1996" in s and PATHS.search(s), unit=_sentences)
    assert not found, "cite Safran & Muran (2000) for the two paths:\n" + "\n".join(found)


@pytest.mark.parametrize("item_id", ["m02-step-03", "m02-step-04", "m05-order-06", "m05-order-07",
                                     "m05-step-02", "m05-step-15", "m05-step-16", "m05-step-17"])
def test_items_on_the_resolution_paths_cite_the_2000_book(item_id):
    text = _item(item_id)
    assert "1996" not in text
    assert re.search(r"Safran (&|and) Muran,? \(?2000", text), item_id


@pytest.mark.parametrize(("number", "heading"), [(2, "How resolution"), (5, "How resolution")])
def test_readings_cite_the_2000_book_for_the_resolution_paths(number, heading):
    section = _section(_reading(number), heading)
    assert "(2000)" in section
    assert "Safran, J. D., & Muran, J. C. (2000)" in _reading(number)


# -------------------------------------------------- where the five repair moves come from

CREDITS_CODES = re.compile(r"\b(moves?|categor\w+)\W+(\w+\W+){0,3}(come|drawn|taken) from (the |two )?"
                           r"(MITI|EPITOME|coding systems?)", re.I)


def test_no_text_credits_miti_or_epitome_with_the_repair_moves(texts):
    found = _offending(texts, lambda s: CREDITS_CODES.search(s), unit=_sentences)
    found += _offending(texts, lambda s: re.search(r"MITI|EPITOME", s)
                        and re.search(r"apolog|ownership", s, re.I)
                        and not re.search(r"\b(no|not|neither|nor)\b", s, re.I), unit=_sentences)
    assert not found, "MITI and EPITOME have no apology or ownership:\n" + "\n".join(found)


def test_module_4_says_where_apology_and_ownership_come_from():
    anatomy = _section(_reading(4), "Anatomy")
    assert "*When Your Patient Becomes Cross with You*" in anatomy  # the four repair steps
    assert re.search(r"acknowledg\w+ your own contribution", anatomy)  # a 3RS exploratory strategy
    assert "Eubanks, Muran & Safran 2015" in anatomy
    assert re.search(r"Neither code scores apology or ownership", anatomy)


# -------------------------------------------------- claims with no source are attributed or softened

def test_no_text_says_as_fact_why_clients_drop_out_or_what_most_do(texts):
    unsourced = re.compile(r"many clients who stop early do so|the most common (?:response|rationali)"
                           r"|one of the most common ruptures"
                           r"|silence or quiet dropout is the most common"
                           # DOMAIN.md says withdrawal moves away, not how often clients speak up
                           r"|rarely (?:raise|bring|complain|announce)|most ruptures are not announced"
                           # how often a rupture hides another, or an explanation helps: no source
                           r"|rarely about the \w+ alone|rarely help before"
                           r"|often test whether an apology|usually lands as|most are repairable"
                           r"|ignored often turns",
                           re.I)
    found = _offending(texts, lambda s: unsourced.search(s), unit=_sentences)
    assert not found, "attribute these to a source or soften them:\n" + "\n".join(found)
    dropout = next(s for s in _paragraphs(_section(_reading(1), "evidence")) if "19.7%" in s)
    assert "Hairston (n.d.)" in dropout


# -------------------------------------------------- pointers go where the content is

def test_no_reading_sends_threats_or_abuse_to_module_7():
    """Module 7 is about red flags in the therapist's conduct; module 3 covers a client's abuse."""
    for number in range(1, 7):
        found = [s for s in _sentences(_reading(number))
                 if re.search(r"threat|\babuse\b", s, re.I) and "Module 7" in s]
        assert not found, f"module {number}: {found}"


# -------------------------------------------------- metacommunication, the core skill of AFT

def test_module_5_teaches_metacommunication_with_an_example_and_its_source():
    reading = _reading(5)
    section = _section(reading, "Metacommunication")
    for needed in ("Alliance-Focused Training", "core skill", "shared inquiry",
                   "Eubanks-Carter, Muran & Safran, 2015", "Fictional"):
        assert needed in section, needed
    assert len(re.findall(r"^> \*\*[^*]+:\*\*", section, re.M)) >= 3, "a short example dialogue"
    assert re.search(r"differs from interpret", section), "how it differs from interpreting"
    assert "Eubanks-Carter, C., Muran, J. C., & Safran, J. D. (2015). Alliance-focused training" in reading
    assert "metacommunication" in (CURRICULUM / "05-the-repair-sequence" / "module.yaml").read_text()


# -------------------------------------------------- docs/coverage.md agrees with the readings

def test_coverage_names_only_reading_sections_that_exist_and_the_new_one():
    headings = {n: set(re.findall(r"^## (.+)$", _reading(n), re.M)) for n in range(1, 8)}
    coverage = (REPO / "docs" / "coverage.md").read_text(encoding="utf-8")
    named = [(int(m.group(1)), section)
             for m in re.finditer(r"\bM(\d) ((?:\*[^*]+\*(?: \([^)]*\))?(?:, )?)+)", coverage)
             for section in re.findall(r"\*([^*]+)\*", m.group(2))]
    assert len(named) > 100
    missing = [f"M{n} *{section}*" for n, section in named if section not in headings[n]]
    assert not missing, "docs/coverage.md names sections no reading has:\n" + "\n".join(missing)
    assert (5, "Metacommunication: talking about what is happening between you") in named
    assert "Metacommunication" in (REPO / "docs" / "coverage" / "05-the-repair-sequence.md").read_text()


def _ids_named(text: str) -> set[str]:
    """Item ids a coverage table names, with runs ("m03-schema-01 to m03-schema-28") spelt out."""
    named = set(re.findall(r"\bm0\d-[a-z]+-\d+\b", text))
    for run in re.finditer(r"\b(m0\d-[a-z]+-)(\d+) to \1(\d+)\b", text):
        named |= {f"{run.group(1)}{k:02d}" for k in range(int(run.group(2)), int(run.group(3)) + 1)}
    return named


def test_coverage_maps_every_item_and_case_of_the_course_and_no_other():
    """docs/coverage.md is up to date: every item and every case of the course is mapped (to a
    seed row or a DOMAIN.md row), and every id it names exists."""
    from repairlab.content.bank import load_bank

    bank, problems = load_bank(EXERCISES)
    assert not problems
    ids = {item.id for item in bank}
    coverage = (REPO / "docs" / "coverage.md").read_text(encoding="utf-8")
    named = _ids_named(coverage)
    assert sorted(ids - named) == [], "items docs/coverage.md does not map"
    assert sorted(named - ids) == [], "ids docs/coverage.md names that no item has"
    cases = sorted(i.id for i in bank if i.type == "simulation")
    assert len(cases) >= 6
    section = _section(coverage, "Case simulations")
    assert all(case in section for case in cases)
    assert "not mapped yet" not in coverage
