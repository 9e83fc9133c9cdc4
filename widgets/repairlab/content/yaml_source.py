"""Load YAML and remember the line every key and list entry came from.

PyYAML's ``safe_load`` throws line numbers away and silently keeps the last of two equal
keys, which hides a common authoring slip. We compose the node tree ourselves, so each
value's path (``("items", 3, "options", 1, "feedback")``) maps to its line, duplicate keys
are reported, and syntax errors become ``AuthoringProblem`` with the line and a fix.

``load_entries`` reads a file whose content is one list of entries (an exercise file's
`items:`): a YAML mistake inside one entry makes that entry unreadable, not the whole file,
so one slip is reported once and the other items still work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from .errors import AuthoringProblem, ContentError

PathKey = tuple[Any, ...]


@dataclass
class BrokenEntry:
    """An entry of a file's top-level list that could not be read as YAML (see
    ``load_entries``): the rest of the file was read without it."""

    index: int  # its place in the list, from 0
    line: int  # the line its `- ` is on
    item_id: str  # its `id:` as written, or "" if none could be found
    problems: list[AuthoringProblem]


@dataclass
class YamlDocument:
    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    # Entries of the top-level list that could not be read (``load_entries`` only); their
    # place in ``data`` holds None.
    broken: dict[int, BrokenEntry] = field(default_factory=dict)

    def line_of(self, key: PathKey) -> int | None:
        """The line of ``key``, or of its nearest ancestor that has one (e.g. for a missing field)."""
        for end in range(len(key), -1, -1):
            line = self.lines.get(tuple(key[:end]))
            if line is not None:
                return line
        return None


# A line that starts with a key (`key:`), possibly as the first key of a list entry (`- key:`).
_KEY_LINE = re.compile(r"^(?P<indent> *)(?:- +)?(?P<key>[A-Za-z_][\w-]*) *:(?: |$)")
# A field name as this course writes them: lower-case words joined by `_`.
_FIELD_KEY = re.compile(r" *(?:- +)?[a-z][a-z0-9_]* *")


def _key_at(line: str) -> tuple[str, int] | None:
    """(key, its column) if ``line`` starts with a key."""
    match = _KEY_LINE.match(line)
    return (match.group("key"), match.start("key")) if match else None


def _key_above(lines: list[str], index: int, below_column: int | None = None):
    """(line number, key, column) of the nearest key line above ``index`` (with a column less
    than ``below_column`` when given), skipping blank lines, comments and continued text."""
    for number in range(index - 1, -1, -1):
        line = lines[number]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = _key_at(line)
        if found and (below_column is None or found[1] < below_column):
            return number + 1, found[0], found[1]
    return None


def _unclosed_quote_above(lines: list[str], index: int) -> tuple[int, str] | None:
    """(line number, key) of the nearest line above ``index`` whose value opens a double quote
    that the line does not close."""
    for number in range(index - 1, -1, -1):
        match = _KEY_LINE.match(lines[number])
        if not match:
            continue
        value = lines[number][match.end():].strip()
        if value.startswith('"') and len(re.findall(r'(?<!\\)"', value)) % 2 == 1:
            return number + 1, match.group("key")
        return None
    return None


def _indentation_fix(lines: list[str], index: int, column: int, *, swallowed: bool) -> str:
    """Name the key on line ``index`` (0-based) and the key above it that it should line up
    with. ``swallowed``: YAML read the key as more of the value above (it is indented more)."""
    found = _key_at(lines[index]) if 0 <= index < len(lines) else None
    if found is None or found[1] != column:
        return ""
    key, at = found
    above = _key_above(lines, index, at if swallowed else None)
    if above is None or above[2] == at:
        return ""
    number, other, other_at = above
    more = at > other_at
    return (f"line {index + 1}: `{key}:` is indented {'more' if more else 'less'} than "
            f"`{other}:` on line {number} ({at} spaces instead of {other_at})"
            + (f", so YAML reads it as part of the value of `{other}`" if swallowed else "")
            + f". Keys of one entry line up: indent `{key}:` with {other_at} spaces, like "
            f"`{other}:`.")


def _syntax_fix(error: yaml.YAMLError, lines: list[str] | None = None) -> str:
    text = str(error)
    lines = lines or []
    mark = getattr(error, "problem_mark", None)
    context = getattr(error, "context", None) or ""
    if "found character '\\t'" in text:
        return "YAML does not allow tabs for indentation: indent with spaces."
    if "mapping values are not allowed" in text:
        line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
        if mark is not None and _FIELD_KEY.fullmatch(line[:mark.column]):
            # The line starts with `key:` and YAML took it for more of the value above: the
            # key is indented more than its siblings.
            start = _key_at(line)
            fix = start and _indentation_fix(lines, mark.line, start[1], swallowed=True)
            if fix:
                return fix
            return ("this key is indented more than the keys above it, so YAML reads it as "
                    "part of the value above: line it up with the other keys of its entry.")
        return ('a value contains ": " — put the whole value in double quotes, '
                'e.g. text: "She said: no".')
    if "expected <block end>" in text and mark is not None:
        fix = _indentation_fix(lines, mark.line, mark.column, swallowed=False)
        if fix:
            return fix
        if "found '<scalar>'" in text:
            opened = _unclosed_quote_above(lines, mark.line)
            if opened:
                number, key = opened
                return (f"the double quote that starts the value of `{key}:` on line {number} "
                        "is not closed on that line, so the text runs on to the next quote: "
                        "add the closing quote.")
            return ("a quoted value ends before the end of this line: a quote opened on a line "
                    "above may have no closing quote, or the text itself holds a double quote "
                    "(then put the whole value in single quotes).")
    if "could not find expected ':'" in text or "expected <block end>" in text:
        return "check the indentation of this line and the one before: keys of one item line up."
    if "while scanning a quoted scalar" in context:
        return "a quote opened on this line is never closed: add the closing quote."
    if "found unexpected end of stream" in text or "found undefined alias" in text:
        return "a quote or bracket was opened and not closed."
    return "fix the YAML syntax at this line (indentation, quotes, or a missing ':')."


# libyaml, where PyYAML was built with it: several times faster, and less garbage.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def load_yaml(path: Path, text: str | None = None, *, fast: bool = False) -> YamlDocument:
    """Parse ``path``; raise ``ContentError`` with line-numbered problems on any YAML mistake.

    ``fast`` parses with libyaml when available (students' kernels). Its error messages differ
    from PyYAML's, so a file it cannot read is parsed again the ordinary way: the problems
    reported are the same either way.
    """
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ContentError([AuthoringProblem(
                path, None, "the file is not UTF-8 text.",
                fix="save it as UTF-8 in your editor.")]) from None
    if fast and _FAST_LOADER is not None:
        loader = _FAST_LOADER(text)
        try:
            node = loader.get_single_node()
            data = None if node is None else loader.construct_document(node)
        except yaml.YAMLError:
            pass  # report it with PyYAML's messages, below
        else:
            return _document(path, node, data)
        finally:
            loader.dispose()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(path, None)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if "while scanning a quoted scalar" in (error.context or "") and error.context_mark:
            mark = error.context_mark  # where the quote was opened, not the end of the file
        line = mark.line + 1 if mark else None
        problem = error.problem or "the YAML could not be read"
        lines = _LINE_BREAK.split(text)
        if "found '<scalar>'" in problem and mark is not None:
            # A quote left open on a line above ended on this one: report where it opened.
            line = (_unclosed_quote_above(lines, mark.line) or (line,))[0]
        raise ContentError([AuthoringProblem(
            path, line, f"YAML syntax error: {problem}.",
            fix=_syntax_fix(error, lines))]) from None
    except yaml.YAMLError as error:
        raise ContentError([AuthoringProblem(
            path, None, f"YAML error: {error}.", fix=_syntax_fix(error))]) from None
    finally:
        loader.dispose()

    return _document(path, node, data)


def _document(path: Path, node: yaml.Node | None, data: Any) -> YamlDocument:
    document = YamlDocument(path, data)
    if node is None:
        return document
    problems: list[AuthoringProblem] = []
    _walk(node, (), document.lines, problems, path)
    if problems:
        raise ContentError(problems)
    return document


def _walk(node: yaml.Node, key: PathKey, lines: dict[PathKey, int],
          problems: list[AuthoringProblem], path: Path) -> None:
    lines.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            name = key_node.value
            line = key_node.start_mark.line + 1
            if name in seen:
                problems.append(AuthoringProblem(
                    path, line, f"the key `{name}` appears twice in one mapping "
                    f"(first on line {seen[name]}); YAML would silently keep only the last.",
                    fix=f"remove or rename one of the two `{name}:` lines."))
                continue
            seen[name] = line
            lines[(*key, name)] = line
            _walk(value_node, (*key, name), lines, problems, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            lines[(*key, index)] = child.start_mark.line + 1
            _walk(child, (*key, index), lines, problems, path)


# -- a list of entries, each read on its own when the whole cannot be read -------------------

# PyYAML's line breaks, so that line numbers agree with its marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_ENTRY_START = re.compile(r"^( *)-(?: |$)")


def load_entries(path: Path, key: str = "items", *, fast: bool = False) -> YamlDocument:
    """Parse a file whose content is a mapping with one list, ``key``, of entries.

    As ``load_yaml``, except for a YAML mistake inside one entry of the list: then each entry
    is read on its own, and the document holds every entry that could be read (at its own
    index and lines), with the others in ``document.broken``, each with its problems. Raises
    ``ContentError`` only for a mistake outside the entries, or a file that is not text.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = None  # load_yaml reports it
    try:
        return load_yaml(path, text, fast=fast)
    except ContentError:
        if text is None:
            raise
        document = _read_entries_apart(path, text, key)
        if document is None:
            raise
        return document


def _blank_except(lines: list[str], keep: list[range]) -> str:
    """The text with every line outside ``keep`` left empty, so lines keep their numbers."""
    kept = [""] * len(lines)
    for span in keep:
        for number in span:
            kept[number] = lines[number]
    return "\n".join(kept)


def _entry_spans(lines: list[str], key: str) -> tuple[int, list[range], int] | None:
    """(the line of `key:`, each entry's lines, the line after the list), or None when the
    file is not plainly a `key:` list of `- ` entries."""
    head = next((n for n, line in enumerate(lines)
                 if re.match(rf"{re.escape(key)} *:(?: *#.*)? *$", line)), None)
    if head is None:
        return None
    starts: list[int] = []
    indent: int | None = None
    end = len(lines)
    for number in range(head + 1, len(lines)):
        line = lines[number]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        dash = _ENTRY_START.match(line)
        if indent is None:
            if not dash:
                return None
            indent = len(dash.group(1))
            starts.append(number)
        elif dash and len(dash.group(1)) == indent:
            starts.append(number)
        elif _KEY_LINE.match(line) and not line.startswith((" ", "-")):
            end = number  # a top-level key: the list has ended
            break
    if not starts:
        return None
    bounds = [*starts, end]
    spans = []
    for first, after in pairwise(bounds):
        while after - 1 > first and not lines[after - 1].strip():
            after -= 1
        spans.append(range(first, after))
    return head, spans, end


def _read_entries_apart(path: Path, text: str, key: str) -> YamlDocument | None:
    lines = _LINE_BREAK.split(text)
    found = _entry_spans(lines, key)
    if found is None:
        return None
    head, spans, end = found
    frame = [range(0, spans[0].start), range(end, len(lines))]
    try:
        document = load_yaml(path, _blank_except(lines, frame))
    except ContentError:
        return None  # the mistake is outside the entries: the whole file is unreadable
    if not isinstance(document.data, dict) or document.data.get(key) is not None:
        return None
    entries: list[Any] = []
    for index, span in enumerate(spans):
        try:
            part = load_yaml(path, _blank_except(lines, [range(head, head + 1), span]))
        except ContentError as error:
            item_id = _entry_id(lines, span)
            document.broken[index] = BrokenEntry(
                index, span.start + 1, item_id,
                [_in_entry(problem, lines, span, item_id) for problem in error.problems])
            entries.append(None)
            continue
        values = (part.data or {}).get(key) or [None]
        entries.append(values[0])
        for where, line in part.lines.items():
            if len(where) > 1 and where[0] == key and where[1] == 0:
                document.lines[(key, index, *where[2:])] = line
    if not document.broken:
        return None  # each entry reads on its own, but not together: report the whole file
    document.data[key] = entries
    document.lines[(key,)] = head + 1
    return document


def _entry_id(lines: list[str], span: range) -> str:
    """The entry's `id:` as written, found in its text (the entry could not be parsed)."""
    first = _KEY_LINE.match(lines[span.start])
    column = first.start("key") if first else None
    for number in span:
        match = _KEY_LINE.match(lines[number])
        if match is None or (column is not None and match.start("key") != column):
            continue
        if column is None:
            column = match.start("key")
        if match.group("key") == "id":
            value = lines[number][match.end():].split(" #")[0].strip().strip("'\"")
            return value if re.fullmatch(r"[\w-]+", value) else ""
    return ""


def _in_entry(problem: AuthoringProblem, lines: list[str], span: range,
              item_id: str) -> AuthoringProblem:
    """The problem, said of the entry: its id, and the field on the problem's line."""
    from dataclasses import replace

    field_name = problem.field
    if not field_name and problem.line and (problem.line - 1) in span:
        field_name = _field_at(lines, problem.line - 1, span.start)
    return replace(problem, item_id=problem.item_id or item_id, field=field_name)


def _field_at(lines: list[str], number: int, entry: int) -> str:
    """The field path (as ``validation.field_path`` writes it) of the key on line ``number``
    of an entry starting on line ``entry``, from the indentation of the lines above."""
    match = _KEY_LINE.match(lines[number])
    if match is None:
        return ""
    parts = [match.group("key")]
    column = match.start("key")
    if _ENTRY_START.match(lines[number]) and number != entry:
        column = len(_ENTRY_START.match(lines[number]).group(1))
        parts.insert(0, f"#{_position(lines, number, column, entry)}")
    for above in range(number - 1, entry - 1, -1):
        line = lines[above]
        if not line.strip() or line.lstrip().startswith("#") or above == entry:
            continue
        dash = _ENTRY_START.match(line)
        found = _KEY_LINE.match(line)
        if found is not None and not dash and line[found.end():].split("#")[0].strip():
            continue  # `key: value` holds its value on the line: it is no key's parent
        if dash and len(dash.group(1)) < column:
            column = len(dash.group(1))
            parts.insert(0, f"#{_position(lines, above, column, entry)}")
            if found is not None and found.start("key") < column:
                column = found.start("key")
        elif found is not None and not dash and found.start("key") < column:
            column = found.start("key")
            parts.insert(0, found.group("key"))
        elif found is not None and not dash and found.start("key") == column and \
                parts[0].startswith("#"):
            column = found.start("key") - 1  # a list written at its key's own column
            parts.insert(0, found.group("key"))
    out = ""
    for part in parts:
        out += part if part.startswith("#") else ("." if out else "") + part
    return out


def _position(lines: list[str], number: int, column: int, entry: int) -> int:
    """Which entry (from 1) of its list the `- ` on line ``number`` starts."""
    count = 1
    for above in range(number - 1, entry, -1):
        line = lines[above]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent < column:
            break
        dash = _ENTRY_START.match(line)
        if dash and len(dash.group(1)) == column:
            count += 1
    return count
