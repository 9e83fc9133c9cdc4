"""Two hand-ins with one student id: a resubmission, or two students' work?

Each laptop is a real progress file (with its own store id) worked on through the demo
module's views, and every hand-in is written by `repairlab export`. The gradebook and the
dashboard must say the same thing about each folder (gradebook_helpers.assert_they_agree).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gradebook_helpers import assert_they_agree, demo_share, read_both

from repairlab.collect import RenameError
from repairlab.content.course import load_course
from repairlab.dashboard import dashboard_html, load_folder
from repairlab.gradebook import merge_submissions

STEP_WRONG, STEP_RIGHT = ("m01-step-01", "explain"), ("m01-step-01", "acknowledge")
REFLECT = ("m01-reflect-01", "It was <b>hard</b> to stay with it.")


@pytest.fixture
def course(demo_course):
    loaded, _problems = load_course(demo_course)
    return demo_course, loaded


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "downloads"


@pytest.fixture
def two_alexes(laptop, folder):
    """Two students who both call themselves "alex", each on their own laptop, and ben."""
    first, second = laptop("a"), laptop("b")
    first.work([STEP_RIGHT], student="alex")
    assert first.hand_in(folder / "laptop-a" / "alex.html", student="alex") == 0
    second.work([STEP_WRONG, REFLECT], student="alex")
    assert second.hand_in(folder / "laptop-b" / "alex.html", student="alex") == 0
    ben = laptop("ben")
    ben.work([STEP_RIGHT, REFLECT], student="ben")
    assert ben.hand_in(folder / "ben.html", student="ben") == 0
    return folder


def test_handing_in_again_from_one_laptop_counts_the_newest(laptop, folder, course, tmp_path,
                                                            capsys):
    root, loaded = course
    ana = laptop("ana")
    ana.work([STEP_WRONG], student="ana")
    assert ana.hand_in(folder / "week-1" / "ana.html", student="ana") == 0
    ana.work([STEP_RIGHT, REFLECT], student="ana")  # the next week, a new kernel
    assert ana.hand_in(folder / "week-2" / "ana.html", student="ana") == 0

    code, err, rows, data = read_both(folder, root, loaded, tmp_path, capsys)
    assert code == 0
    assert_they_agree(folder, err, rows, data, loaded)
    assert rows["ana"]["demo attempted"] == demo_share(2, loaded)  # the week-2 hand-in counts
    assert data.chosen["ana"].name == "week-2/ana.html"
    [note] = data.notes
    assert note.startswith("ana handed in again: week-2/ana.html (downloaded ")
    assert "replaces the earlier week-1/ana.html (downloaded " in note
    assert note.endswith("from the same progress file.")


def test_one_id_from_two_laptops_is_an_error_naming_both_files(two_alexes, course, tmp_path,
                                                               capsys):
    root, loaded = course
    grades = tmp_path / "grades.csv"
    grades.write_text("last week's grades\n", encoding="utf-8")
    code, err, rows, data = read_both(two_alexes, root, loaded, tmp_path, capsys)
    assert code == 1
    assert rows == {}
    assert_they_agree(two_alexes, err, rows, data, loaded)
    [conflict] = data.conflicts
    assert conflict.startswith("Two hand-ins name the same student, 'alex', but come from "
                               "different progress files")
    assert "laptop-a/alex.html (downloaded " in conflict
    assert "laptop-b/alex.html (downloaded " in conflict
    assert "--rename FILE=ID" in conflict
    assert "not counted as editing it" in conflict
    assert "--newest" in conflict
    assert f"error: {two_alexes}/laptop-a/alex.html" not in err  # the message, not a file error
    assert "error: nothing written: 1 student id above came from more than one" in err
    # The dashboard shows the rest of the class and says, at the top, who is missing and why.
    assert data.students == ["ben"]
    page = dashboard_html(data, charts=False)
    assert page.index("1 student id not shown") < page.index("Completion per module")
    assert "laptop-b/alex.html" in page


def test_a_csv_is_never_written_over_a_conflict(two_alexes, course):
    _root, loaded = course
    from repairlab.coursework import module_items, module_titles
    from repairlab.gradebook import write_csv

    result = merge_submissions([two_alexes], curriculum_version=loaded.version,
                               modules=module_titles(loaded), module_items=module_items(loaded))
    assert [row["student"] for row in result.rows] == ["ben"]
    with pytest.raises(ValueError, match="not written"):
        write_csv(result, two_alexes / "grades.csv")
    assert not (two_alexes / "grades.csv").exists()


def test_newest_counts_the_newest_and_lists_each_replaced_file(two_alexes, course, tmp_path,
                                                               capsys):
    root, loaded = course
    code, err, rows, data = read_both(two_alexes, root, loaded, tmp_path, capsys, newest=True)
    assert code == 0
    assert_they_agree(two_alexes, err, rows, data, loaded, newest=True)
    assert sorted(rows) == ["alex", "ben"]
    assert rows["alex"]["demo attempted"] == demo_share(1, loaded)  # laptop b's: handed in last
    [note] = data.notes
    assert note.startswith("alex: laptop-b/alex.html (downloaded ")
    assert "counts, the newest, as --newest asks; it replaces laptop-a/alex.html (downloaded " \
        in note
    assert note.endswith("which came from a different progress file.")
    assert f"note: alex: {two_alexes}/laptop-b/alex.html (downloaded " in err


def test_a_wrong_name_is_fixed_with_rename_not_by_editing_the_file(two_alexes, course, tmp_path,
                                                                   capsys):
    root, loaded = course
    before = (two_alexes / "laptop-b" / "alex.html").read_bytes()
    renames = {"laptop-b/alex.html": "blake"}
    code, err, rows, data = read_both(two_alexes, root, loaded, tmp_path, capsys, renames=renames)
    assert code == 0
    assert_they_agree(two_alexes, err, rows, data, loaded, renames=renames)
    assert sorted(rows) == ["alex", "ben", "blake"]
    assert (rows["alex"]["demo attempted"], rows["blake"]["demo attempted"]) == (demo_share(1, loaded),) * 2
    assert data.chosen["blake"].name == "laptop-b/alex.html"
    assert data.notes == ["laptop-b/alex.html names the student 'alex'; it is counted as "
                          "'blake', as --rename asks (the file itself is not changed)."]
    assert (two_alexes / "laptop-b" / "alex.html").read_bytes() == before


@pytest.mark.parametrize(("rename", "says"), [
    ("nowhere.html=x1", "no hand-in that could be read is called that"),
    ("alex.html=x1", "2 hand-ins are called that ("),
    ("laptop-b/alex.html=local-student", "the id cannot be used"),
    ("laptop-b/alex.html", "write it as FILE=ID"),
])
def test_a_rename_that_cannot_be_done_writes_nothing(two_alexes, course, tmp_path, capsys,
                                                     rename, says):
    from repairlab.cli import main as repairlab

    root, _loaded = course
    grades = tmp_path / "grades.csv"
    assert repairlab(["gradebook", str(two_alexes), "-o", str(grades), "--course", str(root),
                      "--quiet", "--rename", rename]) == 1
    err = capsys.readouterr().err
    assert says in err
    if rename.startswith("alex.html"):
        assert f"{two_alexes}/laptop-a/alex.html and {two_alexes}/laptop-b/alex.html" in err
    assert not grades.exists()
    if "=x1" in rename:
        with pytest.raises(RenameError, match="--rename"):
            load_folder(two_alexes, renames=dict([rename.split("=")]))


V1 = Path(__file__).parent / "data" / "handins-v1"


def test_old_hand_ins_without_store_ids_from_two_folders_are_not_merged(tmp_path):
    """Made by RepairLab before issue 14: two laptops, nobody set a name, both
    local-student. Each old file counts as its own progress file."""
    folder = tmp_path / "downloads"
    shutil.copytree(V1, folder)
    data = load_folder(folder)
    [conflict] = data.conflicts
    assert "'local-student'" in conflict
    assert "laptop-a/local-student.html (downloaded " in conflict
    assert "laptop-b/local-student.html (downloaded " in conflict
    assert ", progress file " not in conflict  # old files carry no id to show
    assert data.students == []

    fixed = load_folder(folder, renames={"laptop-a/local-student.html": "s100",
                                         "laptop-b/local-student.html": "s200"})
    assert fixed.conflicts == []
    assert fixed.students == ["s100", "s200"]
    items = list(fixed.items)
    merged = merge_submissions([folder], curriculum_version=fixed.curriculum_version,
                               modules=fixed.modules, module_items={"demo": items},
                               renames={"laptop-a/local-student.html": "s100",
                                        "laptop-b/local-student.html": "s200"})
    assert [row["student"] for row in merged.rows] == ["s100", "s200"]
    assert merged.conflicts == []


def test_two_laptops_where_nobody_set_a_name_never_merge_silently(laptop, folder, course,
                                                                 tmp_path, capsys):
    """The issue's case: `repairlab serve` on two laptops, nobody gives a name. The landing
    page and `repairlab export` ask for one before any hand-in; once given, two different
    names are two rows, and one name typed on both laptops is refused, naming both files."""
    root, loaded = course
    sam, kim = laptop("sam"), laptop("kim")
    sam.work([STEP_RIGHT, REFLECT])
    kim.work([STEP_WRONG])
    assert sam.download(folder) is None  # the landing page asks for a name first
    assert kim.hand_in(folder / "kim.html") == 1
    assert "no name for the hand-in yet" in capsys.readouterr().err
    assert list(folder.iterdir()) == []

    sam.give_name("Sam Lee")
    kim.give_name("Kim Tran")
    files = [sam.download(folder), kim.download(folder)]
    assert [f.relative_to(folder).parent.as_posix() for f in files] == ["sam", "kim"]
    assert files[0].name.startswith("repairlab-Sam-Lee-")
    code, err, rows, data = read_both(folder, root, loaded, tmp_path, capsys)
    assert code == 0
    assert sorted(rows) == ["Kim Tran", "Sam Lee"]
    assert_they_agree(folder, err, rows, data, loaded)

    kim.give_name("Sam Lee")  # the same name typed on another laptop
    kim.work([STEP_RIGHT])
    again = kim.download(tmp_path / "round-2")
    shutil.move(again, folder / "kim" / "again.html")
    code, err, rows, data = read_both(folder, root, loaded, tmp_path, capsys)
    assert code == 1
    assert rows == {}
    [conflict] = data.conflicts
    assert "'Sam Lee'" in conflict
    assert f"sam/{files[0].name} (downloaded " in conflict
    assert "kim/again.html (downloaded " in conflict
    assert_they_agree(folder, err, rows, data, loaded)


def test_export_keeps_a_name_given_with_name(laptop, folder, capsys):
    sam = laptop("sam")
    sam.work([STEP_RIGHT])
    assert sam.hand_in(folder / "sam.html", "--name", "  Sam   Lee ") == 0
    assert "(1 attempts by Sam Lee)" in capsys.readouterr().out
    assert sam.hand_in(folder / "sam-2.html") == 0  # kept: asked once
    from repairlab.handin import read_submission

    first, second = (read_submission(folder / n) for n in ("sam.html", "sam-2.html"))
    assert first["student"] == second["student"] == "Sam Lee"
    assert first["store_id"] == second["store_id"]
    assert sam.hand_in(folder / "x.html", "--name", "local-student") == 1
    assert "--name: Use your own name" in capsys.readouterr().err
    assert sam.hand_in(folder / "x.html", "--name", "Sam", student="lab-3") == 1
    assert "--name is for a laptop; here the id comes from $REPAIRLAB_STUDENT" in \
        capsys.readouterr().err
