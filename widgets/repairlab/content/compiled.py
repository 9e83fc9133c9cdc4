"""The compiled course: every valid item, validated once, kept as plain JSON that a student's
kernel reads without pydantic or YAML.

Validating items needs pydantic and the schemas, which cost a kernel more memory than
everything else on a page (bench/README.md). So ``repairlab check`` and ``repairlab serve``
(and Binder's build, which runs ``check``) validate the whole course once and write each
valid item as one small JSON file; a page's kernel then reads the few items it shows into
their kinds' declared item types (``kinds.base.load``: a plain loader, no pydantic), equal to
what validation gives.

The folder is named by a fingerprint of everything that decides the result: each exercise
file's path and contents, and the source of the schemas and kinds (contents, not file times,
so that a copy of the course, such as the static site's, still matches). A kernel
computes the fingerprint from the files as they are now, so an edited file can never be
read stale: with no folder for the current fingerprint, or an id not in it, the page
validates the item itself, as it would without a compiled course (content/page.py).

Where: ``<course>/.repairlab/compiled/`` (hidden, so never served; git-ignored), or the
user's cache folder when the course folder is read-only (a course shared on a hub).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The kinds are imported only when an item is read or written: a page reads its manifests
# from here too, and the landing page and reading pages import no exercise kind.
if TYPE_CHECKING:
    from ..kinds.base import Item
    from .course import Course

log = logging.getLogger("repairlab")

# Bump when the layout of the files below changes (2: items as declared types; 3: each
# manifest's hash beside its data, so a server's page reads the data only while it is current).
FORMAT = 3
INDEX = "index.json"
PAGES = "pages"  # each notebook's items, one file a notebook (for the static site)
_PACKAGE = Path(__file__).resolve().parents[1]


# -- where -------------------------------------------------------------------------------------

def compiled_folders(root: Path) -> list[Path]:
    """Where a course's compiled items may be, in the order they are looked for. On the static
    site, only the course's own folder: the site ships it, and the browser has no cache."""
    from ..static import static_mode

    if static_mode():
        return [root / ".repairlab" / "compiled"]
    from platformdirs import user_cache_dir

    course_key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return [root / ".repairlab" / "compiled",
            Path(user_cache_dir("repairlab", appauthor=False)) / "compiled" / course_key]


def _files_of(folder: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*")
                          if p.suffix in suffixes and not p.name.startswith("."))


def fingerprint(root: Path) -> str:
    """Changes whenever an exercise file, a schema or a kind changes: a hash of their contents,
    never of file times, which a copy (a static site's build, a browser's drive, a checkout)
    does not keep."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    sources = [(root / "exercises", _files_of(root / "exercises", (".yaml", ".yml"))),
               (_PACKAGE, _files_of(_PACKAGE / "schemas", (".py",))),
               (_PACKAGE, _files_of(_PACKAGE / "kinds", (".py",))),
               # The schemas' and kinds' Literal names (levels, statuses, rupture types).
               (_PACKAGE, iter([_PACKAGE / "vocab.py"]))]
    for base, files in sources:
        for path in files:
            try:
                content = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
            digest.update(f"{path.relative_to(base).as_posix()}\0{content}\n".encode())
    return digest.hexdigest()[:24]


# -- writing -----------------------------------------------------------------------------------

@dataclass
class Compiled:
    course: Course | None
    problems: list
    folder: Path | None  # None: not written (nothing to write, or no writable place)


def compile_course(root: Path) -> Compiled:
    """Load and validate the whole course (as ``repairlab check`` does) and write its valid
    items. Never raises for content or for an unwritable folder: the pages then validate
    items themselves."""
    from .course import load_course

    before = fingerprint(root)
    course, problems = load_course(root)
    if course is None:
        return Compiled(None, problems, None)
    if fingerprint(root) != before:  # edited while we read it: this result may be mixed
        return Compiled(course, problems, None)
    folder = None
    for base in compiled_folders(root):
        try:
            folder = _write(base, before, course, root)
            break
        except OSError as error:
            log.info("could not write the compiled course in %s: %s", base, error)
    return Compiled(course, problems, folder)


def _write(base: Path, print_: str, course: Course, root: Path) -> Path:
    from ..atomic import write_text_atomic
    from ..kinds.base import to_data

    target = base / print_
    index = _index(print_, course, root)
    if (target / INDEX).is_file():  # already compiled from these very exercise files
        try:
            stored = json.loads((target / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
        if stored.get("manifest_sha256") != index["manifest_sha256"]:
            # A manifest edited since: the items stand, the index gets the manifests as they are.
            write_text_atomic(target / INDEX, json.dumps(index))
        return target
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=base))
    try:
        texts = {}
        for item in course.bank:
            texts[item.id] = json.dumps(to_data(item), ensure_ascii=False, separators=(",", ":"))
            (staging / f"{item.id}.json").write_text(texts[item.id], encoding="utf-8")
        # Each notebook's items in one file too, for the static site, where every file a
        # page's kernel reads is a round trip through the page and a download: a practice
        # page read its 22 items one by one, ~0.1 s each under load (bench/README.md).
        pages: dict[str, dict[str, str]] = {}
        for item_id, (_, notebook) in course.shown_in.items():
            if item_id in texts:
                pages.setdefault(_page_file(notebook.relative_to(root)), {})[item_id] = \
                    texts[item_id]
        (staging / PAGES).mkdir()
        for name, items in pages.items():
            (staging / PAGES / name).write_text(json.dumps(items, ensure_ascii=False),
                                                encoding="utf-8")
        # The index is written last: a folder with an index is complete.
        (staging / INDEX).write_text(json.dumps(index), encoding="utf-8")
        try:
            os.rename(staging, target)  # atomic; fails if another process got there first
        except OSError:
            if not (target / INDEX).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for old in base.iterdir():  # compiled from files that have changed since: never read again
        if old != target and not old.name.startswith(".writing-"):
            shutil.rmtree(old, ignore_errors=True)
    return target


def _index(print_: str, course: Course, root: Path) -> dict[str, Any]:
    """The index: each item's source, and the manifests as plain data, for the static site,
    which has no YAML parser, and for a server's pages, which then import none (each with its
    file's hash, so never read stale). And which notebook shows each item (module folder,
    notebook), which the site's pages read instead of opening every notebook of the course in
    the browser's drive."""
    sources = {}
    for item in course.bank:
        source = course.bank.sources[item.id]
        sources[item.id] = {"path": source.path.relative_to(root).as_posix(),
                            "line": source.line, "folder": source.exercise_folder}
    manifests, hashes = _manifests(root)
    shown = {item_id: [module.folder, notebook.relative_to(root).as_posix()]
             for item_id, (module, notebook) in course.shown_in.items()}
    return {"format": FORMAT, "fingerprint": print_, "sources": sources,
            "manifests": manifests, "manifest_sha256": hashes, "shown": shown}


def _page_file(notebook: Path) -> str:
    """The PAGES file of a notebook, by its path in the course: one flat name."""
    return notebook.with_suffix(".json").as_posix().replace("/", "--")


def _manifests(root: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """course.yaml and every module.yaml as data, and the hash of each file's contents, by
    their path in the course."""
    from .layout import COURSE_FILE, MODULE_FILE
    from .yaml_source import load_yaml

    found, hashes = {}, {}
    for path in [root / COURSE_FILE, *sorted((root / "curriculum").glob(f"*/{MODULE_FILE}"))]:
        relative = path.relative_to(root).as_posix()
        hashes[relative] = _sha256(path)
        found[relative] = load_yaml(path, fast=True).data
    return found, hashes


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompiledItem:
    item: Item
    path: Path
    line: int | None
    folder: str


@cache
def _site_course(root: Path) -> CompiledCourse | None:
    return CompiledCourse._open_site(root)  # once per kernel: the site never changes


class CompiledCourse:
    """A course's compiled items, if they match the files as they are now."""

    def __init__(self, root: Path, folder: Path, sources: dict[str, dict[str, Any]],
                 manifests: dict[str, Any] | None = None,
                 shown: dict[str, list[str]] | None = None,
                 manifest_sha256: dict[str, str] | None = None):
        self.root = root
        self.folder = folder
        self.sources = sources
        self.manifests = manifests or {}
        self.manifest_sha256 = manifest_sha256 or {}
        self.shown = shown  # item id -> [module folder, notebook path], when compiled with it
        self._pages: dict[str, dict[str, str]] = {}  # PAGES file -> {item id: item's text}

    @classmethod
    def open(cls, root: Path) -> CompiledCourse | None:
        from ..static import static_mode

        if static_mode():
            return _site_course(root)
        print_ = fingerprint(root)
        for base in compiled_folders(root):
            try:
                index = json.loads((base / print_ / INDEX).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if index.get("format") == FORMAT and index.get("fingerprint") == print_:
                return cls(root, base / print_, index["sources"], index.get("manifests"),
                           manifest_sha256=index.get("manifest_sha256"))
        return None

    @classmethod
    def _open_site(cls, root: Path) -> CompiledCourse | None:
        """The static site's compiled course: the one folder `repairlab build-site` compiled
        from the very files it copied, which nothing can change afterwards. So the exercise
        files are not read again to compute the fingerprint (the site does not ship them)."""
        for base in compiled_folders(root):
            try:
                folders = sorted(p for p in base.iterdir() if not p.name.startswith("."))
            except OSError:
                continue
            for folder in folders:
                try:
                    index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if index.get("format") == FORMAT and index.get("fingerprint") == folder.name:
                    return cls(root, folder, index["sources"], index.get("manifests"),
                               index.get("shown"))
        return None

    def manifest(self, path: Path) -> Any | None:
        """A course or module manifest's data as compiled, if its file is still what was
        compiled (the same contents; on the static site always, as nothing changes there);
        None otherwise, and the caller parses the file."""
        from ..static import static_mode

        relative = path.relative_to(self.root).as_posix()
        if relative not in self.manifests:
            return None
        if not static_mode():
            try:
                if _sha256(path) != self.manifest_sha256.get(relative):
                    return None  # edited since it was compiled
            except OSError:
                return None
        return self.manifests[relative]

    def facts(self, item_id: str, names: tuple[str, ...]) -> dict[str, Any] | None:
        """Some top-level values of a compiled item, read as plain JSON: no record built, so
        no kind imported (the landing page's skills need only type, skill and difficulty).
        None when the item is not in the compiled course or cannot be read."""
        if item_id not in self.sources:
            return None
        try:
            data = json.loads((self.folder / f"{item_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return {name: data.get(name) for name in names} if isinstance(data, dict) else None

    def item(self, item_id: str) -> CompiledItem | None:
        """The compiled item, or None if it is not in the course as compiled (or unreadable)."""
        source = self.sources.get(item_id)
        if source is None:
            return None
        try:
            text = self._page_text(item_id)
            if text is None:
                text = (self.folder / f"{item_id}.json").read_text(encoding="utf-8")
            data = json.loads(text)
            from ..kinds.base import load
            from ..registry import KINDS

            item = load(KINDS[data["type"]].item_type, data)
        except (OSError, ValueError, TypeError, KeyError) as error:
            log.warning("compiled item %s unreadable (%s); validating it instead", item_id,
                        repr(error))
            return None
        return CompiledItem(item, self.root / source["path"], source["line"], source["folder"])

    def _page_text(self, item_id: str) -> str | None:
        """On the static site, the item's text from its notebook's file of items, read once
        for all the items that notebook shows; None elsewhere, or if there is none."""
        from ..static import static_mode

        if not static_mode() or not self.shown or item_id not in self.shown:
            return None
        name = _page_file(Path(self.shown[item_id][1]))
        if name not in self._pages:
            try:
                self._pages[name] = json.loads(
                    (self.folder / PAGES / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._pages[name] = {}  # read the item's own file instead
        return self._pages[name].get(item_id)

