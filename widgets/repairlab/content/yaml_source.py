"""Load YAML and remember the line every key and list entry came from.

PyYAML's ``safe_load`` throws line numbers away and silently keeps the last of two equal
keys, which hides a common authoring slip. We compose the node tree ourselves, so each
value's path (``("items", 3, "options", 1, "feedback")``) maps to its line, duplicate keys
are reported, and syntax errors become ``AuthoringProblem`` with the line and a fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import AuthoringProblem, ContentError

PathKey = tuple[Any, ...]


@dataclass
class YamlDocument:
    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, key: PathKey) -> int | None:
        """The line of ``key``, or of its nearest ancestor that has one (e.g. for a missing field)."""
        for end in range(len(key), -1, -1):
            line = self.lines.get(tuple(key[:end]))
            if line is not None:
                return line
        return None


def _syntax_fix(error: yaml.YAMLError) -> str:
    text = str(error)
    if "found character '\\t'" in text:
        return "YAML does not allow tabs for indentation: indent with spaces."
    if "mapping values are not allowed" in text:
        return ('a value contains ": " — put the whole value in double quotes, '
                'e.g. text: "She said: no".')
    if "could not find expected ':'" in text or "expected <block end>" in text:
        return "check the indentation of this line and the one before: keys of one item line up."
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
        line = mark.line + 1 if mark else None
        problem = error.problem or "the YAML could not be read"
        raise ContentError([AuthoringProblem(
            path, line, f"YAML syntax error: {problem}.", fix=_syntax_fix(error))]) from None
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
