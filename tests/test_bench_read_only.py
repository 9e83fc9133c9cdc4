"""`bench/assess_replies.py --read-only` never opens a blind set that has not been read, so a
developer can measure latency and memory without spending the set's one reading."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bench(tmp_path, monkeypatch):
    script = ROOT / "bench" / "assess_replies.py"
    spec = importlib.util.spec_from_file_location("assess_replies_bench", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "sets.yaml").write_text(
        "sets:\n"
        "  - file: replies-read.yaml\n    kind: replies\n    read: yes, once\n"
        "  - file: replies-unread.yaml\n    kind: replies\n",
        encoding="utf-8",
    )
    (tmp_path / "replies-read.yaml").write_text(
        "items:\n"
        "  - context: You were late again.\n    rupture: confrontation\n"
        "    text: I'm sorry I was late. That must have been frustrating.\n"
        "    defensive: false\n    moves: [apology, validation]\n",
        encoding="utf-8",
    )
    opened = []
    real_load = module.load

    def load(path):
        opened.append(path.name)
        return real_load(path)

    monkeypatch.setattr(module, "BLIND", tmp_path)
    monkeypatch.setattr(module, "load", load)
    monkeypatch.setattr(module, "memory_added_mb", lambda: 0.0)
    return module, opened


def test_read_only_skips_the_unread_set_and_gates_nothing(bench, capsys):
    module, opened = bench
    assert module.main(["--read-only"]) == 0
    assert opened == ["replies-read.yaml"]
    assert "nothing gated" in capsys.readouterr().out


def test_without_the_flag_the_unread_set_is_the_gate(bench):
    module, opened = bench
    # The unread set's file does not exist here: reaching for it is what the flag prevents.
    with pytest.raises(SystemExit, match=r"replies-unread\.yaml could not be read"):
        module.main([])
    assert opened == ["replies-read.yaml", "replies-unread.yaml"]
