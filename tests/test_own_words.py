"""Is every reading, vignette and feedback text in our own words?"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from repairlab.content.own_words import RUN_LENGTH, shared_runs, words

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("REPAIRLAB_SEEDS", REPO.parent / "shared" / "seeds"))
CONTENT = [REPO / "curriculum", REPO / "exercises", REPO / "widgets" / "repairlab" / "templates"]


@pytest.fixture(scope="module")
def seeds() -> list[Path]:
    found = sorted(SEEDS.glob("*.txt"))
    if not found:
        if os.environ.get("REPAIRLAB_REQUIRE_SEEDS") == "1":
            pytest.fail(f"no seed articles in {SEEDS}; CI needs ../shared/seeds beside the repo")
        pytest.skip(f"no seed articles in {SEEDS} (set REPAIRLAB_SEEDS to check our own words)")
    return found


def test_no_content_shares_a_run_of_ten_words_with_a_seed(seeds):
    runs = shared_runs(CONTENT, seeds)
    report = "\n".join(f"{r.path.relative_to(REPO)} ~ {r.seed.name}: {r.words!r}" for r in runs)
    assert not runs, f"rewrite these in our own words:\n{report}"


def test_the_checker_catches_a_copied_sentence_with_changed_punctuation(seeds, tmp_path):
    seed_words = words(seeds[0].read_text(encoding="utf-8"))
    copied = " ".join(seed_words[40 : 40 + RUN_LENGTH]).upper().replace(" ", ",  ", 2)
    (tmp_path / "reading.md").write_text(f"Our intro. {copied} Our ending.", encoding="utf-8")
    assert len(shared_runs([tmp_path], seeds)) == 1


def test_nine_shared_words_are_allowed(seeds, tmp_path):
    seed_words = words(seeds[0].read_text(encoding="utf-8"))
    (tmp_path / "reading.md").write_text(" ".join(seed_words[40 : 40 + RUN_LENGTH - 1]))
    assert shared_runs([tmp_path], seeds) == []
