"""One collector for the gradebook and the dashboard: every folder layout an LMS hands an
instructor, read the same way by both.

The hand-ins are made by the real path: students answer in the demo module's views, in kernels
of their own, and `repairlab export` writes their files. The layouts are then built from those
files the way LMS bulk downloads arrange them.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from gradebook_helpers import assert_they_agree, demo_share, read_both

from repairlab.cli import main as repairlab
from repairlab.collect import collect
from repairlab.content.course import load_course
from repairlab.coursework import module_items, module_titles
from repairlab.dashboard import load_folder
from repairlab.gradebook import merge_submissions
from repairlab.handin import export_submission
from repairlab.progress import open_default_store

REWRITE = "You're right, I kept looking at the clock, and I'm sorry. Can you tell me more?"
WORK = {
    "ana": [("m01-step-01", "explain"), ("m01-step-01", "acknowledge"),
            ("m01-marker-01", "minimal"), ("m01-reflect-01", "It felt <b>hot</b>.")],
    "ben": [("m01-step-01", "explain")],
    "chi": [("m01-order-01", ["apologise", "validate", "explore", "space"]),
            ("m01-rewrite-01", REWRITE)],
    "dee": [],
}


@pytest.fixture
def course_and_files(demo_course, hand_ins):
    """(course root, loaded course, folder of ana.html, ben.html, chi.html, dee.html)."""
    flat = hand_ins(WORK)
    course, _problems = load_course(demo_course)
    return demo_course, course, flat


# --------------------------------------------------------------------------------------------
# Layouts, as LMSs lay out their bulk downloads


def flat_layout(files: Path, out: Path) -> Path:
    shutil.copytree(files, out)
    return out


def lms_subfolders(files: Path, out: Path) -> Path:
    """Moodle-style: one folder per upload, named after the student and the submission."""
    for n, path in enumerate(sorted(files.glob("*.html")), start=1):
        folder = out / f"{path.stem.title()} Student_{1000 + n}_assignsubmission_file_"
        folder.mkdir(parents=True)
        shutil.copy(path, folder / f"repairlab-{path.stem}.html")
    return out


def _zip(source: Path, target: Path, *, junk: bool = True) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())
        if junk:  # what macOS's "Compress" adds: never anyone's hand-in
            archive.writestr("__MACOSX/._ana.html", b"\0\5\26\7")
            archive.writestr(".DS_Store", b"\0\1")
    return target


def zip_in_folder(files: Path, out: Path) -> Path:
    out.mkdir()
    _zip(files, out / "handins.zip")
    return out


def zip_of_subfolders(files: Path, out: Path) -> Path:
    staging = lms_subfolders(files, out.parent / f"{out.name}-staging")
    out.mkdir()
    _zip(staging, out / "bulk-download.zip")
    shutil.rmtree(staging)
    return out


def mixed(files: Path, out: Path) -> Path:
    """Some uploads in sub-folders, some in a zip, and what else lands in a downloads folder."""
    paths = sorted(files.glob("*.html"))
    half = out / "week-3"
    half.mkdir(parents=True)
    for path in paths[:2]:
        shutil.copy(path, half / path.name)
    staging = out.parent / "mixed-staging"
    staging.mkdir()
    for path in paths[2:]:
        (staging / path.stem).mkdir()
        shutil.copy(path, staging / path.stem / path.name)
    _zip(staging, out / "late.zip")
    shutil.rmtree(staging)
    (out / "notes.txt").write_text("Grade by Friday.", encoding="utf-8")
    (out / ".DS_Store").write_bytes(b"\0\1")
    edited = (files / "ben.html").read_text(encoding="utf-8").replace("RepairLab hand-in",
                                                                      "RepairLab hand in")
    (out / "ben-edited.html").write_text(edited, encoding="utf-8")
    return out


LAYOUTS = {"flat": flat_layout, "lms-subfolders": lms_subfolders, "zip-in-folder": zip_in_folder,
           "zip-of-subfolders": zip_of_subfolders, "mixed": mixed}


def _other_version(data_dir: Path, folder: Path) -> Path:
    """A hand-in of the same work for the course's previous version (the real exporter)."""
    from repairlab.progress import ProgressStore

    with ProgressStore(data_dir / "progress.sqlite3") as store:
        export_submission(store, "ana", folder / "ana-last-term.html", course_title="Old",
                          curriculum_version="2020.1", items={})
    return folder / "ana-last-term.html"


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_gradebook_and_the_dashboard_read_every_layout_alike(
        layout, course_and_files, tmp_path, capsys):
    root, course, files = course_and_files
    folder = LAYOUTS[layout](files, tmp_path / layout)
    code, err, rows, data = read_both(folder, root, course, tmp_path, capsys)

    assert data.students == ["ana", "ben", "chi", "dee"]
    assert_they_agree(folder, err, rows, data, course)
    # ana solved the step, the marker and reflected; ben tried the step only.
    assert rows["ana"]["demo attempted"] == demo_share(3, course)
    assert rows["ben"]["demo attempted"] == "0.0"
    assert rows["chi"]["demo attempted"] == demo_share(2, course)
    assert rows["dee"]["demo attempted"] == "0.0"
    if layout == "mixed":
        assert code == 1  # files were left out: the instructor should look
        assert {s.name for s in data.skipped} == {"ben-edited.html", "notes.txt"}
        reasons = {s.name: s.reason for s in data.skipped}
        assert reasons["ben-edited.html"].startswith("was edited by hand after download")
        assert "not a RepairLab hand-in" in reasons["notes.txt"]
        assert {h.name for h in data.chosen.values()} == {
            "week-3/ana.html", "week-3/ben.html", "late.zip/chi/chi.html", "late.zip/dee/dee.html"}
    else:
        assert code == 0
        assert data.skipped == []
    if layout == "zip-of-subfolders":
        assert data.chosen["ana"].name == (
            "bulk-download.zip/Ana Student_1001_assignsubmission_file_/repairlab-ana.html")


def test_a_zip_file_is_read_as_the_folder_it_holds(course_and_files, tmp_path):
    _root, course, files = course_and_files
    archive = _zip(lms_subfolders(files, tmp_path / "bulk"), tmp_path / "bulk.zip")
    data = load_folder(archive)
    assert data.students == ["ana", "ben", "chi", "dee"]
    assert data.chosen["ben"].name.startswith("bulk.zip/Ben Student_1002_")
    merged = merge_submissions([archive], curriculum_version=course.version,
                               modules=module_titles(course), module_items=module_items(course))
    assert [row["student"] for row in merged.rows] == data.students


def test_other_versions_are_left_out_with_the_same_words_by_both(
        course_and_files, tmp_path, capsys, monkeypatch):
    root, course, files = course_and_files
    folder = flat_layout(files, tmp_path / "with-old")
    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(tmp_path / "old-laptop"))
    with open_default_store():
        pass
    _other_version(tmp_path / "old-laptop", folder)
    code, err, rows, data = read_both(folder, root, course, tmp_path, capsys)
    assert code == 1
    assert_they_agree(folder, err, rows, data, course)
    [skipped] = data.skipped
    assert skipped.name == "ana-last-term.html"
    assert skipped.reason.startswith("was made for curriculum version '2020.1', but these "
                                     f"hand-ins are read for version {course.version!r}")
    assert "Merge it separately" in skipped.reason


def test_broken_zip_files_and_zips_in_zips_are_listed_not_raised(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "truncated.zip").write_bytes(b"PK\3\4 not really")
    inner = _zip(folder, tmp_path / "inner.zip", junk=False)
    with zipfile.ZipFile(folder / "outer.zip", "w") as outer:
        outer.write(inner, "inner.zip")
        outer.writestr("readme.txt", "hello")
    found = collect([folder], relative_to=folder)
    assert found.handins == []
    reasons = {s.name: s.reason for s in found.skipped}
    assert set(reasons) == {"truncated.zip", "outer.zip/inner.zip", "outer.zip/readme.txt"}
    assert reasons["truncated.zip"].startswith("is a zip file that could not be opened")
    assert reasons["outer.zip/inner.zip"].startswith("is a zip file inside a zip file")
    assert "not a RepairLab hand-in" in reasons["outer.zip/readme.txt"]


def test_the_gradebook_never_reads_its_own_csv(course_and_files, tmp_path, capsys):
    root, _course, files = course_and_files
    folder = flat_layout(files, tmp_path / "downloads")
    for _ in range(2):  # the second run finds the first run's CSV in the folder
        assert repairlab(["gradebook", str(folder), "-o", str(folder / "grades.csv"),
                          "--course", str(root), "--quiet"]) == 0
    assert "skipped" not in capsys.readouterr().err
