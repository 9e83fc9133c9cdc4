"""An item is one declared type (kinds/): the schema validates into it, the compiled course
loads into it, and the schema and the type cannot drift apart."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import pytest
from pydantic import BaseModel

from repairlab.content.course import load_course
from repairlab.kinds.base import load, to_data
from repairlab.registry import KINDS
from repairlab.schemas import validate


def shape(hint: Any) -> Any:
    """What a field holds, as far as an item's structure goes: its nested fields by name, a
    sequence or mapping of something, optional or not; every plain value is "value". Read
    the same way from a pydantic model and from a dataclass."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return shape(args[0])
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return {name: shape(info.annotation) for name, info in hint.model_fields.items()}
    if dataclasses.is_dataclass(hint):
        hints = get_type_hints(hint)
        return {f.name: shape(hints[f.name]) for f in dataclasses.fields(hint)}
    if origin in (list, tuple):
        return ("sequence of", shape(args[0]))
    if origin is dict:
        return ("mapping to", shape(args[1]))
    if origin in (Union, UnionType) and NoneType in args:
        inner = [a for a in args if a is not NoneType]
        return ("optional", shape(inner[0]) if len(inner) == 1 else "value")
    return "value"


def differences(schema: Any, declared: Any, where: str = "") -> list[str]:
    """Where two shapes differ, each as a readable path."""
    if isinstance(schema, dict) and isinstance(declared, dict):
        found = [f"{where}.{name}: only in the schema" for name in schema if name not in declared]
        found += [f"{where}.{name}: only in the item type" for name in declared
                  if name not in schema]
        for name in schema.keys() & declared.keys():
            found += differences(schema[name], declared[name], f"{where}.{name}")
        return found
    if isinstance(schema, tuple) and isinstance(declared, tuple) and schema[0] == declared[0]:
        return differences(schema[1], declared[1], f"{where}[{schema[0]}]")
    return [] if schema == declared else [f"{where}: {schema!r} in the schema, "
                                          f"{declared!r} in the item type"]


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_each_kinds_schema_and_item_type_declare_the_same_fields_and_nesting(kind):
    assert differences(shape(kind.schema), shape(kind.item_type)) == []


def test_a_field_missing_from_a_nested_type_is_found():
    """The comparison above can fail: a case whose routes lack one field is caught, by path."""
    from repairlab.kinds.simulation import item

    @dataclasses.dataclass(frozen=True)
    class Reply:
        prompt: str | None
        routes: tuple[str, ...]  # not the declared Route

    fields = shape(item.Simulation)
    fields["nodes"][1]["reply"] = ("optional", shape(Reply))
    assert differences(shape(KINDS["simulation"].schema), fields) == [
        ".nodes[sequence of].reply[optional].routes[sequence of]: "
        f"{shape(item.Route)!r} in the schema, 'value' in the item type"]


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_every_item_type_is_frozen_slotted_and_declared_in_the_kinds(kind):
    for part in _declared_parts(kind.item_type):
        assert part.__module__.startswith("repairlab.kinds."), part
        assert part.__dataclass_params__.frozen, part
        assert "__slots__" in vars(part), part  # no per-item __dict__ in a student's kernel


def _declared_parts(cls: type, seen: set | None = None) -> set[type]:
    seen = set() if seen is None else seen
    seen.add(cls)

    def walk(hint: Any) -> None:
        if dataclasses.is_dataclass(hint) and hint not in seen:
            _declared_parts(hint, seen)
        for arg in get_args(hint):
            walk(arg)

    for hint in get_type_hints(cls).values():
        walk(hint)
    return seen


def test_the_template_validates_into_the_declared_types_and_reads_back_equal(demo_course):
    course, problems = load_course(demo_course)
    assert not problems
    assert {item.type for item in course.bank} == set(KINDS)
    for item in course.bank:
        assert type(item) is KINDS[item.type].item_type, item.id
        back = load(type(item), json.loads(json.dumps(to_data(item))))
        assert back == item, item.id


def test_validate_fills_in_the_schemas_defaults_and_gives_tuples():
    item = validate({"id": "t-step", "type": "pick-repair-step", "difficulty": "beginner",
                     "title": "T", "answer": "a", "explanation": "e",
                     "options": [{"id": "a", "text": "A", "feedback": "f"},
                                 {"id": "b", "text": "B", "feedback": "g"}]})
    assert type(item).__name__ == "PickRepairStep"
    assert (item.initiated_by, item.context, item.exchange, item.tags) == (
        "client", None, (), ())
    assert item.options[1].text == "B"
    assert hash(item) == hash(validate(to_data(item)))  # plain, frozen values all the way


def test_the_kinds_import_no_pydantic():
    code = ("import sys\n"
            "from repairlab.registry import KINDS\n"
            "for kind in KINDS.values():\n"
            "    kind.item_type, kind.score\n"
            "print(sorted(m for m in sys.modules if m.startswith(('pydantic', "
            "'repairlab.schemas'))))")
    out = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True,
                         check=True).stdout
    assert out.strip() == "[]"
