"""The hand-in file's format: building a submission, writing it, reading and verifying one.

The hand-in file is a student's work as one file to upload to the course's LMS.

The file is a single self-contained HTML page. People read (and print) it; the instructor's
gradebook reads the same work from a JSON copy embedded in the page::

    <script type="application/json" id="repairlab-submission">{...}</script>

A submission is a dict::

    {"format": "repairlab-submission", "schema_version": 2,
     "student", "store_id", "course", "curriculum_version", "created_at",
     "items":    {item_id: {"module", "module_title", "kind", "title"}, ...},
     "attempts": [every attempt, oldest first, as Attempt.to_dict()],
     "summary":  {module_slug: {"title", "completed", "total", "score",
                                "completion", "skills", "skills_mastered"}, ...},
     "diary":    {module_slug: {"practised", "hard", "next", "saved_at"}, ...},  (optional)
     "checksum": "sha256:..."}

``student`` is the student id (also in each attempt); ``store_id`` is the random id of the
progress file the work came from (see :class:`repairlab.progress.ProgressStore`), so the
gradebook can tell a resubmission from two students with one name. ``diary`` is the practice
diary (``repairlab.diary``), present only when the student wrote one: an optional key, so the
format number stays 2 and older readers, which ignore keys they do not know, still read the
file (the checksum covers it like everything else). ``items`` carries the
titles the page shows; ``summary.score`` is a percentage or ``None`` (see
:mod:`repairlab.grading` for the rule). ``summary.completion`` is the module's completion as
the gradebook counts it (``grading.completion_fraction``: skills mastered where the module
names skills, a percentage), with ``skills`` and ``skills_mastered`` counting them (0 for a
module without skills); ``completed`` of ``total`` stays the item rule (the gradebook's
"attempted"). Those three keys are optional too: older files show the item rule. Version 1
files (before ``store_id``) are still read.

What the checksums are, and are not
-----------------------------------
``checksum`` is the SHA-256 of the canonical JSON (sorted keys, no whitespace, UTF-8) of the
submission without the ``checksum`` field. The page also carries a SHA-256 of its readable part.
Together they catch a file changed after download: a well-meant edit, a truncated upload, a
text editor "fixing" something. They are **not** a signature: anyone who reads this module can
recompute them, so they do not prove who made a file or that it was not forged. Treat a hand-in
like any other coursework upload.

Student text is always escaped (the readable part is drawn by :mod:`repairlab.handin.page`):
nothing a student types is ever rendered as HTML, and the page forbids scripts
(Content-Security-Policy) in case of a future mistake.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from repairlab import __version__, diary, timestamps
from repairlab.atomic import write_text_atomic
from repairlab.grading import completion_fraction, outcome
from repairlab.practice import skill_statuses

from .page import CSS, ItemLookup, e, readable_page

FORMAT = "repairlab-submission"
SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1: no store_id
SCRIPT_ID = "repairlab-submission"
PAGE_CHECKSUM_META = "repairlab-page-checksum"
_PAGE_START = "<!-- repairlab:page-start -->"
_PAGE_END = "<!-- repairlab:page-end -->"

_REQUIRED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "student": str,
    "course": str,
    "curriculum_version": str,
    "created_at": str,
    "items": dict,
    "attempts": list,
    "summary": dict,
}
_ATTEMPT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "student": str,
    "item_id": str,
    "module": str,
    "kind": str,
    "status": str,
    "created_at": str,
    "curriculum_version": str,
    "feedback": dict,
}

_FRESH_COPY = "Ask the student to download a fresh hand-in from the course page and send it unchanged."


class SubmissionError(ValueError):
    """A file that cannot be used as a hand-in; the message names the file and the fix."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


# --------------------------------------------------------------------------------------------
# Building


def _canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def compute_checksum(submission: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the canonical JSON of everything except ``checksum``."""
    body = {key: value for key, value in submission.items() if key != "checksum"}
    return "sha256:" + hashlib.sha256(_canonical(body)).hexdigest()


def build_submission(
    store: Any,
    student: str,
    *,
    course_title: str,
    curriculum_version: str,
    items: Mapping[str, Mapping[str, Any]],
    created_at: str | None = None,
    attempts_of: str | None = None,
    module_skills: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything ``student`` did, as a checksummed submission dict.

    ``store`` is a ProgressStore (or anything with ``attempts(student)``; its ``store_id``, if
    it has one, goes into the file). ``items`` maps every item id of the course, in course
    order, to {"module", "module_title", "kind", "title"}; it fixes the module order and the
    totals of the summary. ``attempts_of`` is whose attempts in the store these are, when that
    is not ``student`` (a laptop's store records them as ``local-student``, and the hand-in
    carries the name the student gave: see :func:`repairlab.progress.identify`).
    """
    attempts = []
    # 0-10 difficulty ratings go in as an optional "rating" key on the attempt they rate:
    # readers of format 2 ignore keys they do not know, so the format number stays.
    ratings = store.ratings(attempts_of or student) if hasattr(store, "ratings") else {}
    for attempt in store.attempts(attempts_of or student):
        record = attempt.to_dict() if hasattr(attempt, "to_dict") else dict(attempt)
        record["student"] = student  # one id throughout the file
        rating = ratings.get((record.get("item_id"), record.get("created_at")))
        if rating is not None:
            record["rating"] = rating
        attempts.append(record)
    store_id = getattr(store, "store_id", None)
    item_meta = {str(item_id): dict(meta) for item_id, meta in items.items()}

    module_items: dict[str, list[str]] = {}
    module_titles: dict[str, str] = {}
    for item_id, meta in item_meta.items():
        slug = str(meta.get("module", ""))
        module_items.setdefault(slug, []).append(item_id)
        module_titles.setdefault(slug, str(meta.get("module_title") or slug))

    summary: dict[str, dict[str, Any]] = {}
    for slug, ids in module_items.items():
        got = outcome(attempts, ids)
        statuses = skill_statuses((module_skills or {}).get(slug), attempts)
        fraction = completion_fraction(got, statuses)
        summary[slug] = {
            "title": module_titles[slug],
            "completed": got.completed,
            "total": got.total,
            "score": got.score_percent,
            "completion": None if fraction is None else round(100 * fraction, 1),
            "skills": len(statuses),
            "skills_mastered": sum(status == "mastered" for status in statuses),
        }

    submission: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "student": student,
        "store_id": store_id if isinstance(store_id, str) else None,
        "course": course_title,
        "curriculum_version": curriculum_version,
        "created_at": created_at or timestamps.utc_now(),
        "items": item_meta,
        "attempts": attempts,
        "summary": summary,
    }
    # The practice diary, when there is one: an optional key (see the module docstring).
    kept = store.diary(attempts_of or student) if hasattr(store, "diary") else {}
    entries = {slug: dict(entry) for slug, entry in kept.items() if not diary.is_empty(entry)}
    if entries:
        submission["diary"] = entries
    submission["checksum"] = compute_checksum(submission)
    return submission


# --------------------------------------------------------------------------------------------
# The page: the readable part (handin/page.py) between its markers, checksummed, then the data


def _no_items(item_id: str) -> None:
    return None


def _page_checksum(page: str) -> str:
    return "sha256:" + hashlib.sha256(page.encode("utf-8")).hexdigest()


def _script_json(submission: Mapping[str, Any]) -> str:
    # "<", ">" and "&" occur only inside JSON strings, where \u escapes mean the same thing.
    # Escaping every "<" means no "</script>", "<!--" or "<script" can end or confuse the
    # script element, whatever the student typed.
    text = json.dumps(submission, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_submission_html(submission: Mapping[str, Any], *, item_of: ItemLookup | None = None
                           ) -> str:
    """The hand-in as one self-contained, printable HTML page with the JSON embedded.

    ``item_of(item_id)`` gives the course's item (or None), so that answers read as the
    student read them: option text, steps, a case's lines. Without it, or for an item the
    course no longer has, an answer is shown as recorded."""
    # A raw CR in what a student typed would not survive the CRLF clean-up in read_submission
    # and would break the page checksum; as a character reference it renders the same.
    page = readable_page(submission, item_of or _no_items).replace("\r", "&#13;")
    title = f"RepairLab hand-in: {submission.get('student', '')} — {submission.get('course', '')}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            f'<meta name="generator" content="RepairLab {e(__version__)}">',
            f'<meta name="{PAGE_CHECKSUM_META}" content="{_page_checksum(page)}">',
            f"<title>{e(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            _PAGE_START,
            page,
            _PAGE_END,
            f'<script type="application/json" id="{SCRIPT_ID}">',
            _script_json(submission),
            "</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


# --------------------------------------------------------------------------------------------
# Reading


class _HandinParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: list[str] | None = None
        self.page_checksum: str | None = None
        self._in_script = False
        self.scripts_found = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("name") == PAGE_CHECKSUM_META:
            self.page_checksum = found.get("content")
        if tag == "script" and found.get("id") == SCRIPT_ID:
            self.scripts_found += 1
            self._in_script = True
            self.data = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and self.data is not None:
            self.data.append(data)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(
            f"{name} is not a RepairLab hand-in: it is not a text file. {_FRESH_COPY}",
            source=name,
        ) from None


def _read_source(source: str | os.PathLike[str], name: str | None) -> tuple[str, str]:
    """(name for messages, text). A str that looks like JSON or HTML is the text itself."""
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n")[:1] in ("{", "<"):
        return name or "The submitted text", source
    path = Path(source)
    name = name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SubmissionError(
            f"{name} could not be read ({exc.strerror or exc}). Check the file name and that "
            "the download finished.",
            source=name,
        ) from None
    return name, _decode(raw, name)


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        detail = f" ({exc.msg}, line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise SubmissionError(
            f"{name} is not a RepairLab hand-in: its data is not valid JSON{detail}. {_FRESH_COPY}",
            source=name,
        ) from None


def _validate(data: Any, name: str) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SubmissionError(
            f"{name} is not a RepairLab hand-in (it is not marked as format {FORMAT!r}). {_FRESH_COPY}",
            source=name,
        )
    version = data.get("schema_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            fix = "Upgrade RepairLab (pip install -U repairlab) and try again."
        else:
            fix = _FRESH_COPY
        raise SubmissionError(
            f"{name} uses hand-in format version {version!r}, which RepairLab {__version__} "
            f"cannot read (it reads versions {READABLE_VERSIONS[0]} to {SCHEMA_VERSION}). {fix}",
            source=name,
        )
    checksum = data.get("checksum")
    try:
        expected = compute_checksum(data)
    except ValueError:
        expected = None
    if not isinstance(checksum, str) or checksum != expected:
        raise SubmissionError(
            f"{name} was edited by hand after download: its checksum does not match its "
            f"contents. {_FRESH_COPY}",
            source=name,
        )
    # The checksum matched, so a problem here means a file built wrongly, not an edit.
    for key, kind in _REQUIRED_FIELDS.items():
        if not isinstance(data.get(key), kind):
            raise SubmissionError(
                f"{name} is damaged: field {key!r} is missing or has the wrong type. {_FRESH_COPY}",
                source=name,
            )
    if not data["student"].strip():
        raise SubmissionError(f"{name} is damaged: it names no student. {_FRESH_COPY}", source=name)
    if not isinstance(data.get("store_id"), (str, type(None))):
        raise SubmissionError(
            f"{name} is damaged: field 'store_id' has the wrong type. {_FRESH_COPY}", source=name
        )
    if "diary" in data and (not isinstance(data["diary"], dict) or any(
            not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values())
            for entry in data["diary"].values())):
        raise SubmissionError(
            f"{name} is damaged: field 'diary' has the wrong type. {_FRESH_COPY}", source=name)
    for n, attempt in enumerate(data["attempts"], start=1):
        bad = not isinstance(attempt, dict) or any(
            not isinstance(attempt.get(key), kind) for key, kind in _ATTEMPT_FIELDS.items()
        )
        if bad:
            raise SubmissionError(f"{name} is damaged: attempt {n} is incomplete. {_FRESH_COPY}", source=name)
    return data


def _from_html(text: str, name: str) -> tuple[Any, str]:
    parser = _HandinParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # html.parser rarely raises, but a hand-in reader must not crash
        parser.data = None
    if parser.data is None:
        raise SubmissionError(
            f"{name} is not a RepairLab hand-in: it is a web page without hand-in data. {_FRESH_COPY}",
            source=name,
        )
    if parser.scripts_found != 1:
        raise SubmissionError(
            f"{name} was edited by hand after download: it holds more than one copy of the "
            f"hand-in data. {_FRESH_COPY}",
            source=name,
        )
    start = text.find(_PAGE_START)
    end = text.find(_PAGE_END, start + 1)
    if parser.page_checksum is None or start < 0 or end < 0:
        page_ok = False
    else:
        page = text[start + len(_PAGE_START) + 1 : end - 1]  # the newlines around the page
        page_ok = _page_checksum(page) == parser.page_checksum
    return _parse_json("".join(parser.data), name), "ok" if page_ok else "edited"


def read_submission(source: str | os.PathLike[str], *, name: str | None = None) -> dict[str, Any]:
    """Read a hand-in: a path to the .html or .json file, or the file's text itself.

    Raises :class:`SubmissionError` naming the file (or ``name``, if given) if it is not a
    RepairLab hand-in, has a format version this RepairLab cannot read, or was changed after
    download.
    """
    name, text = _read_source(source, name)
    return _parse_submission(text, name)


def read_submission_bytes(data: bytes, name: str) -> dict[str, Any]:
    """Read a hand-in from the bytes of its file (a member of a zip file, say); as
    :func:`read_submission`, with ``name`` in the messages."""
    return _parse_submission(_decode(data, name), name)


def _parse_submission(text: str, name: str) -> dict[str, Any]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n")  # editors and mail add these harmlessly
    head = text.lstrip()[:1]
    if head == "{":
        return _validate(_parse_json(text, name), name)
    if head == "<":
        data, page = _from_html(text, name)
        submission = _validate(data, name)
        if page != "ok":
            raise SubmissionError(
                f"{name} was edited by hand after download: the readable page no longer matches "
                f"the work recorded in the file. {_FRESH_COPY}",
                source=name,
            )
        return submission
    raise SubmissionError(
        f"{name} is not a RepairLab hand-in: it is neither the .html nor the .json file that "
        f"RepairLab makes. {_FRESH_COPY}",
        source=name,
    )


# --------------------------------------------------------------------------------------------
# Writing


def export_submission(
    store: Any,
    student: str,
    path: str | os.PathLike[str],
    *,
    course_title: str,
    curriculum_version: str,
    items: Mapping[str, Mapping[str, Any]],
    created_at: str | None = None,
    attempts_of: str | None = None,
    item_of: ItemLookup | None = None,
    module_skills: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the student's hand-in to ``path`` (.html or .json) and return the submission.

    The arguments are :func:`build_submission`'s, and ``item_of`` is
    :func:`render_submission_html`'s."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", ".json"):
        raise ValueError(f"A hand-in file name must end in .html or .json, got {target.name!r}")
    submission = build_submission(
        store,
        student,
        course_title=course_title,
        curriculum_version=curriculum_version,
        items=items,
        created_at=created_at,
        attempts_of=attempts_of,
        module_skills=module_skills,
    )
    if suffix == ".json":
        text = json.dumps(submission, ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_submission_html(submission, item_of=item_of)
    write_text_atomic(target, text)  # a failure never leaves half a hand-in
    return submission


def handin_filename(student: str, day: str, suffix: str = ".html") -> str:
    """``repairlab-<student>-<day>.html``: the student id as far as a file name can carry it
    (letters and digits of any script and ``_``; anything else becomes one ``-``)."""
    safe = "".join(ch if ch.isalnum() or ch == "_" else "-" for ch in student)
    safe = "-".join(part for part in safe.split("-") if part)[:60].strip("-") or "student"
    return f"repairlab-{safe}-{day}{suffix}"
