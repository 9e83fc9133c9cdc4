"""Turn pydantic's validation errors into messages an instructor can act on.

Pydantic tells us *where* (a location tuple) and *what* (an error type); we add the YAML line,
the field's own description, a "did you mean" for typos, and the fix.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from .errors import AuthoringProblem
from .yaml_source import PathKey, YamlDocument

_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping", type(None): "nothing"}


def field_path(loc: tuple[Any, ...]) -> str:
    """``("options", 2, "feedback")`` -> ``options#3.feedback`` (entries counted from 1)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"#{part + 1}"
        else:
            out += ("." if out else "") + str(part)
    return out


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {(info.alias or name): info for name, info in model.model_fields.items()}


def _resolve(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[type[BaseModel], FieldInfo | None]:
    """The model that owns the last named field of ``loc``, and that field."""
    owner, info = model, None
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None:
            return owner, None
        fields = _fields(current)
        if part not in fields:
            return current, None
        owner, info = current, fields[part]
        current = _inner_model(info.annotation)
    return owner, info


def _describe(info: FieldInfo | None) -> str:
    if info is None or not info.description:
        return ""
    example = f" For example: {info.examples[0]!r}." if info.examples else ""
    return f" ({info.description}{example})"


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def problems_from_validation(
    error: ValidationError, model: type[BaseModel], document: YamlDocument,
    base: PathKey, item_id: str = "",
) -> list[AuthoringProblem]:
    problems = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        # Literal-vs-union errors repeat a location under a synthetic tag; drop the tag.
        loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith(("literal[", "function-"))))
        message, fix = _explain(detail, model, loc)
        problems.append(AuthoringProblem(
            document.path, document.line_of((*base, *loc)), message, fix=fix,
            field=field_path(loc), item_id=item_id))
    return problems


def _explain(detail: dict[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str]:
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    owner, info = _resolve(model, loc)
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")

    if kind == "missing":
        return ("required field is missing.",
                f"add a line `{name}: ...` to this entry{_describe(info)}.")
    if kind == "extra_forbidden":
        allowed = sorted(_fields(owner))
        close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
        if close:
            return (f"unknown field `{name}`.", f"did you mean `{close[0]}`? Rename it.")
        return (f"unknown field `{name}`.",
                f"remove it, or use one of the fields this entry allows: {', '.join(allowed)}.")
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = difflib.get_close_matches(str(value), expected, n=3, cutoff=0.4)
        if len(expected) > 8:
            hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            return (f"{value!r} is not allowed here.",
                    f"{hint} Use one of the names listed in docs/authoring.md, spelt exactly."
                    .strip())
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return (f"{value!r} is not allowed here.",
                f"use one of: {', '.join(expected)}.{hint}")
    if kind in ("string_type", "str_type") and isinstance(value, bool):
        return ("expected text, found true/false: YAML reads a bare yes, no, on, off, true or "
                "false as a truth value.", 'put the text in quotes, e.g. feedback: "Yes."')
    if kind in ("string_type", "str_type"):
        return (f"expected text, found {_type_name(value)}.",
                "write the value as text; quote it if it starts with a special character "
                "(\"...\").")
    if kind == "string_too_short":
        return ("is empty.", f"write the text{_describe(info)}.")
    if kind == "string_pattern_mismatch":
        return (f"{value!r} is not a valid id.",
                "use lower-case letters, digits and hyphens only, e.g. m01-schema-03.")
    if kind == "list_type":
        return (f"expected a list, found {_type_name(value)}.",
                "write each entry on its own line, starting with '- '.")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return (f"expected a mapping of fields (key: value lines), found {_type_name(value)}.",
                f"write this entry as `key: value` lines{_describe(info)}.")
    if kind == "too_short":
        return (f"has {ctx.get('actual_length')} entries; at least {ctx.get('min_length')} "
                "are needed.", f"add entries{_describe(info)}.")
    if kind == "too_long":
        return (f"has {ctx.get('actual_length')} entries; at most {ctx.get('max_length')} "
                "are allowed.", "remove entries, or split the item in two.")
    if kind in ("int_type", "int_parsing"):
        return (f"expected a whole number, found {value!r}.", "write a number, e.g. 45.")
    text = detail.get("msg", "is not valid")
    text, _, fix = text.partition(" Fix: ")
    text = text.removeprefix("Value error, ")
    return (text[:1].lower() + text[1:] + ("" if text.endswith(".") else "."),
            fix or f"see docs/authoring.md{_describe(info)}.")
