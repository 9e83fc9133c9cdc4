"""The course as the progress, hand-in and gradebook code need it: items and modules in order.

Those modules are pure library code that takes plain mappings; this is the one place that
derives the mappings from a loaded ``Course``, so the CLI, the landing page and the dashboard
agree on totals and order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a page of the static site has no pydantic: it passes a CoursePage
    from .content.course import Course


def item_index(course: Course) -> dict[str, dict[str, Any]]:
    """item id -> {module, module_title, kind, title}, in course order (module, then page)."""
    index: dict[str, dict[str, Any]] = {}
    for module in course.modules:
        for item_id in course.items_of(module):
            item = course.bank.get(item_id)
            index[item_id] = {"module": module.slug, "module_title": module.title,
                              "kind": item.type, "title": item.title}
    return index


def module_items(course: Course) -> dict[str, list[str]]:
    """module slug -> the ids its notebooks show, in page order."""
    return {module.slug: course.items_of(module) for module in course.modules}


def item_facts(course):
    """An item's id, type, skill and difficulty, from the compiled course as plain JSON when
    there is one (building the items would import every exercise kind into the landing page's
    kernel: bench/landing_skills.py), else the item itself."""
    from types import SimpleNamespace

    compiled = getattr(course, "compiled", None)

    def facts(item_id: str):
        found = compiled.facts(item_id, ("type", "skill", "difficulty")) if compiled else None
        if found is None or not found["type"] or not found["difficulty"]:
            return course.item(item_id)
        return SimpleNamespace(id=item_id, **found)

    return facts


def module_skills(course: Course, item_of: Any = None) -> dict[str, Any]:
    """module slug -> (skills, items) as the practice rule reads them, for modules with skills
    (``item_of`` as :func:`repairlab.practice.module_plan`'s)."""
    from .practice import module_plan

    plans = {module.slug: module_plan(course, module, item_of) for module in course.modules}
    return {slug: plan for slug, plan in plans.items() if plan[0]}


def module_titles(course: Course) -> list[tuple[str, str]]:
    return [(module.slug, module.title) for module in course.modules]


def submission_for(course: Course, store: Any, student: str, *,
                   attempts_of: str | None = None) -> dict[str, Any]:
    """``student``'s hand-in (their attempts in ``store`` are ``attempts_of``'s, if given)."""
    from .handin import build_submission

    return build_submission(store, student, course_title=course.manifest.title,
                            curriculum_version=course.version, items=item_index(course),
                            attempts_of=attempts_of,
                            module_skills=module_skills(course, item_facts(course)))
