"""The readable part of a hand-in: the student's work as they saw it on the course's pages.

Each attempt is drawn by its kind's renderer (``registry`` -> ``views/render.py``), the same
one the live page uses: the chosen option's text, the steps in the order given, a case's
conversation line by line, a rewrite with its feedback, a reflection as written. Items not
attempted are one short list of titles per module. The page is one column that wraps at any
width (a phone at 375 px never scrolls sideways) and prints one module per page.

Everything from the submission is escaped here or in the renderers: nothing a student typed,
nor anything in a file, becomes markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from repairlab import __version__, timestamps
from repairlab.diary import read_entries
from repairlab.grading import completion_words, turn_ratings_of
from repairlab.kinds.base import Feedback
from repairlab.registry import KINDS, ExerciseKind
from repairlab.views import render
from repairlab.views.render import Renderer

ItemLookup = Callable[[str], Any]  # item id -> the course's item, or None

CSS = """
:root { color-scheme: light; }
*, *::before, *::after { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1a1a1a; background: #fff; max-width: 52rem; margin: 0 auto; padding: 1.5rem;
  overflow-wrap: break-word; }
/* What a student typed (or named themselves) may hold a word longer than a phone is wide. */
.rl-own-words, .rl-turn, .rl-quote, dl.meta dd { overflow-wrap: anywhere; }
h1, h2, h3, h4 { line-height: 1.25; color: #111; }
h1 { font-size: 1.8rem; margin-bottom: .25rem; }
h2 { font-size: 1.4rem; margin-top: 2rem; }
h3 { font-size: 1.15rem; margin: 0 0 .25rem; }
h4 { font-size: 1rem; margin: 0 0 .25rem; }
.course { font-size: 1.15rem; margin-top: 0; }
dl.meta { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
.notice { background: #fff8e1; border: 1px solid #8a6d00; padding: .6rem .8rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #767676; padding: .35rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #eceff1; }
section.module { border-top: 3px solid #1f4e79; margin-top: 2.5rem; }
article.item { border: 1px solid #bdbdbd; border-radius: 4px; padding: .8rem 1rem; margin: 1rem 0; }
.kind { color: #424242; margin: 0 0 .5rem; }
ol.attempts { padding-left: 0; list-style: none; }
li.attempt { border-left: 4px solid #767676; padding: .1rem 0 .1rem .8rem; margin: .9rem 0; }
.rl-answer-label { font-weight: 600; margin: .5rem 0 .15rem; }
.rl-answer { background: #f3f3f3; padding: .4rem .6rem; margin: 0; }
ol.rl-answer { padding-left: 2.2rem; }
.rl-own-words { background: #f3f3f3; margin: 0; padding: .4rem .6rem; border-left: 3px solid #767676; }
.rl-own-words p { margin: 0; }
.rl-transcript, .rl-exchange { display: flex; flex-direction: column; gap: .4rem; margin: .3rem 0; }
.rl-turn { margin: 0; padding: .4rem .7rem; border-left: 4px solid #bdbdbd; background: #f5f7fa; }
.rl-turn.rl-client { border-left-color: #0a58b0; }
.rl-turn.rl-therapist { border-left-color: #9a6700; }
.rl-turn.rl-narrator { border-left: none; background: none; color: #424242; }
.rl-feedback { padding: .5rem .8rem; border-left: 5px solid #525a63; background: #eef2f7; }
.rl-feedback.rl-good { background: #e9f6ee; border-left-color: #1a7f37; }
.rl-feedback.rl-partial { background: #fff6dc; border-left-color: #9a6700; }
.rl-feedback.rl-try { background: #fdeeec; border-left-color: #b42318; }
.rl-feedback p { margin: .3rem 0; }
.rl-notes { list-style: none; margin: .4rem 0; padding: 0; }
.rl-note { position: relative; padding-left: 1.4rem; margin: .3rem 0; }
.rl-note::before { position: absolute; left: .2rem; font-weight: 700; }
.rl-note-good::before { content: "✓"; color: #1a7f37; }
.rl-note-warn::before { content: "!"; color: #b42318; left: .4rem; }
.rl-note-info::before { content: "•"; color: #525a63; left: .3rem; }
.rl-quote { font-style: italic; }
.rl-quote::before { content: "“"; }
.rl-quote::after { content: "”"; }
.rl-diary { border: 1px solid #bdbdbd; border-left: 4px solid #1f4e79; padding: .6rem 1rem;
  margin: 1rem 0; }
.rl-reveal { margin-top: .5rem; padding-top: .4rem; border-top: 1px solid #bdbdbd; }
.rl-visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.status-correct, .status-good, .status-submitted { color: #1b5e20; }
.status-incorrect, .status-needs-work { color: #b71c1c; }
.status-partial { color: #6d4300; }
.rl-none, .none { font-style: italic; color: #424242; }
/* Titles only, in as many columns as fit: a course's untried items are a glance, not pages. */
ul.not-attempted { margin: .3rem 0 1rem; padding-left: 1.4rem; color: #333; columns: 15rem;
  column-gap: 2.5rem; }
ul.not-attempted li { break-inside: avoid; }
footer { margin-top: 2.5rem; color: #424242; font-size: .9rem; }
@media (max-width: 30rem) {
  body { padding: .75rem; }
  article.item { padding: .6rem; }
  /* Four summary columns fit a 375 px phone only with the padding this narrow. */
  th, td { padding: .3rem .25rem; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  section.module { break-before: page; page-break-before: always; border-top: none; }
  article.item, li.attempt, table { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .notice { border-color: #000; background: none; }
}
"""


def e(value: Any) -> str:
    """Escaped text for the page and its attributes."""
    # A raw CR would not survive the CRLF clean-up in read_submission and would break the page
    # checksum; as a character reference it renders the same.
    return html.escape(str(value), quote=True).replace("\r", "&#13;")


def short_store_id(store_id: Any) -> str:
    """The first 8 characters of a progress file's id: enough to tell files apart by eye."""
    return str(store_id)[:8]


def _when(stamp: Any) -> str:
    return e(timestamps.format_for_people(stamp))


def _percent(value: Any) -> str:
    return "—" if value is None else f"{e(value)}%"


def _count(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _names_skills(row: Mapping[str, Any]) -> bool:
    return _count(row, "skills") > 0


def _completion(row: Mapping[str, Any]) -> str:
    """A module's completion in the landing page's words, from the summary the file stored
    (a file from before skills has no skill counts: its exercises done)."""
    return e(completion_words(_count(row, "completed"), _count(row, "total"),
                              _count(row, "skills"), _count(row, "skills_mastered")))


def _kind(kind: Any) -> ExerciseKind | None:
    return KINDS.get(str(kind))


def _kind_label(kind: Any) -> str:
    found = _kind(kind)
    return found.label if found else str(kind).replace("-", " ").capitalize()


def _renderer(kind: Any) -> Renderer:
    found = _kind(kind)
    return found.renderer if found else render.UNKNOWN


def _item(item_of: ItemLookup, item_id: str, kind: Any) -> Any:
    """The course's item, if it is still the kind the attempt was made at."""
    try:
        item = item_of(item_id)
    except Exception:  # a lookup that fails shows the answer as recorded, not a broken page
        return None
    return item if item is not None and getattr(item, "type", None) == kind else None


def _attempt(number: int, attempt: Mapping[str, Any], item: Any) -> str:
    status = str(attempt.get("status", ""))
    score = attempt.get("score")
    score_html = ("" if not isinstance(score, (int, float)) or isinstance(score, bool)
                  else f" · score {e(round(100 * float(score), 1))}%")
    rating = attempt.get("rating")
    # How hard the student said it felt (0-10, optional; absent in older hand-ins).
    rating_html = (f" · felt {e(rating)} of 10 hard"
                   if isinstance(rating, int) and not isinstance(rating, bool) else "")
    turns = turn_ratings_of(attempt)  # a case's free-text turns, each rated on its own
    if turns:
        rating_html += (f" · your written replies felt {e(', '.join(map(str, turns)))} "
                        "of 10 hard")
    heading = (f"<h4>Attempt {number} · {_when(attempt.get('created_at', ''))} · "
               f'<span class="status-{e(status)}">{e(status.replace("-", " ").capitalize())}'
               f"</span>{score_html}{rating_html}</h4>")
    kind = attempt.get("kind")
    body = _renderer(kind).attempt(item, attempt.get("response"),
                                   Feedback.from_dict(attempt.get("feedback")),
                                   kept=attempt.get("extra"))
    return f'<li class="attempt">{heading}{body}</li>'


def _item_html(item_id: str, title: Any, kind: Any, attempts: list[Mapping[str, Any]],
               item_of: ItemLookup) -> str:
    item = _item(item_of, item_id, kind)
    rendered = "".join(_attempt(n, a, item) for n, a in enumerate(attempts, start=1))
    return (f'<article class="item" id="item-{e(item_id)}"><h3>{e(title or item_id)}</h3>'
            f'<p class="kind">{e(_kind_label(kind))} · {e(item_id)}</p>'
            f'<ol class="attempts">{rendered}</ol></article>')


def _diary_html(slug: str, entry: Mapping[str, str]) -> str:
    body = render.diary_html(entry)
    if not body:
        return ""
    saved = f" (saved {_when(entry['saved_at'])})" if entry.get("saved_at") else ""
    return (f'<section class="rl-diary" aria-labelledby="diary-{e(slug)}">'
            f'<h3 id="diary-{e(slug)}">Practice diary{saved}</h3>{body}</section>')


def readable_page(sub: Mapping[str, Any], item_of: ItemLookup) -> str:
    """The part of the hand-in a person reads (everything but the embedded data)."""
    items: dict[str, Mapping[str, Any]] = dict(sub.get("items") or {})
    summary: dict[str, Mapping[str, Any]] = dict(sub.get("summary") or {})
    diary = read_entries(sub.get("diary"))  # absent in older hand-ins
    by_item: dict[str, list[Mapping[str, Any]]] = {}
    for attempt in sub.get("attempts") or []:
        by_item.setdefault(str(attempt.get("item_id")), []).append(attempt)

    out = [
        "<header>",
        "<h1>RepairLab hand-in</h1>",
        f'<p class="course">{e(sub.get("course", ""))}</p>',
        '<dl class="meta">',
        f"<dt>Student</dt><dd>{e(sub.get('student', ''))}</dd>",
        *([f"<dt>Progress file</dt><dd>{e(short_store_id(sub['store_id']))}</dd>"]
          if sub.get("store_id") else []),
        f"<dt>Curriculum version</dt><dd>{e(sub.get('curriculum_version', ''))}</dd>",
        f"<dt>Downloaded</dt><dd>{_when(sub.get('created_at', ''))}</dd>",
        f"<dt>Attempts</dt><dd>{len(sub.get('attempts') or [])}</dd>",
        "</dl>",
        '<p class="notice">This page is a hand-in file. It holds the work twice: as this page, '
        "and as data for the instructor's gradebook. Hand it in exactly as downloaded: a file "
        "changed after download is rejected.</p>",
        "</header>",
        "<main>",
        "<h2>Summary</h2>",
        '<table><thead><tr><th scope="col">Module</th><th scope="col">Completion</th>'
        '<th scope="col">Items attempted</th><th scope="col">Score</th></tr></thead><tbody>',
    ]
    for slug, row in summary.items():
        out.append(
            f'<tr><th scope="row">{e(row.get("title") or slug)}</th>'
            f"<td>{_completion(row)}</td>"
            f"<td>{e(row.get('completed', 0))} of {e(row.get('total', 0))}</td>"
            f"<td>{_percent(row.get('score'))}</td></tr>"
        )
    out.append("</tbody></table>")

    modules: dict[str, list[str]] = {}
    for item_id, meta in items.items():
        modules.setdefault(str(meta.get("module", "")), []).append(item_id)
    for slug, ids in modules.items():
        row = summary.get(slug, {})
        out.append(f'<section class="module" id="module-{e(slug)}">')
        out.append(f"<h2>{e(row.get('title') or slug)}</h2>")
        if row:
            # As the landing page says it: the exercises attempted beside completion only
            # where completion counts skills (else the two would say the same thing).
            attempted = (f" · attempted {e(row.get('completed', 0))} of "
                         f"{e(row.get('total', 0))} exercises" if _names_skills(row) else "")
            out.append(f"<p>Completion: {_completion(row)}{attempted} · "
                       f"score {_percent(row.get('score'))}</p>")
        if slug in diary:
            out.append(_diary_html(slug, diary[slug]))
        for item_id in ids:
            if item_id in by_item:
                meta = items[item_id]
                out.append(_item_html(item_id, meta.get("title"), meta.get("kind"),
                                      by_item[item_id], item_of))
        untried = [item_id for item_id in ids if item_id not in by_item]
        if untried:
            # Titles only: a module's untried items are one glance, not a page each.
            titles = "".join(f"<li>{e(items[i].get('title') or i)}</li>" for i in untried)
            out.append(f'<h3 id="untried-{e(slug)}">Not attempted ({len(untried)})</h3>'
                       f'<ul class="not-attempted" aria-labelledby="untried-{e(slug)}">'
                       f"{titles}</ul>")
        out.append("</section>")

    # Work on items the course no longer lists is still the student's work: show it.
    others = [item_id for item_id in by_item if item_id not in items]
    if others:
        out.append('<section class="module" id="module-other">')
        out.append("<h2>Other work</h2>")
        out.append("<p>Items that are not in the current list of this course's items.</p>")
        for item_id in others:
            first = by_item[item_id][0]
            out.append(_item_html(item_id, item_id, first.get("kind"), by_item[item_id],
                                  item_of))
        out.append("</section>")

    # A diary of a module the course no longer lists is still the student's: show it.
    for slug in [slug for slug in diary if slug not in modules]:
        out.append(f'<section class="module" id="module-diary-{e(slug)}"><h2>{e(slug)}</h2>'
                   f"{_diary_html(slug, diary[slug])}</section>")

    out.append("</main>")
    out.append(f"<footer><p>Made by RepairLab {e(__version__)}. Checksum "
               f"{e(sub.get('checksum', ''))}.</p></footer>")
    return "\n".join(out)
