"""Where each page of a module links to, worked out from the course manifest and the modules'
manifests: an instructor who adds, removes or reorders a module changes no link by hand.

* a reading links back to the course and on to its practice page;
* a practice page links back to the course and its reading, and on to the module's cases page
  when it has one, else to the next module's reading;
* a cases page links back to the course, its reading and practice, and on to the next module;
* a practice page and its module's practice mode link to each other, sideways; practice mode
  goes on where the practice page does.

Plain data (label, href, role), turned into HTML by ``notebook.module_nav``; tested without a
kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Page = Literal["reading", "practice", "practice_mode", "cases"]
HOME = "../index.ipynb"


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    role: Literal["home", "back", "aside", "next"]


def page_links(course: Any, module: Any, page: Page) -> list[Link]:
    """The links at the foot of ``page`` of ``module`` (``course.modules`` is in course order)."""
    notebooks = module.manifest.notebooks
    links = [Link("Course home", HOME, "home")]
    if page != "reading":
        links.append(Link("Back to the reading", notebooks.reading, "back"))
    if page == "cases":
        links.append(Link("Back to the practice", notebooks.practice, "back"))
    practice_mode = getattr(notebooks, "practice_mode", None)
    if page == "practice" and practice_mode:
        links.append(Link("Practice mode", practice_mode, "aside"))
    if page == "practice_mode":
        links.append(Link("The practice page", notebooks.practice, "aside"))
    if page == "reading":
        links.append(Link(f"Next: Module {module.number} practice", notebooks.practice, "next"))
    elif page in ("practice", "practice_mode") and notebooks.cases:
        links.append(Link(f"Next: Module {module.number} case simulations", notebooks.cases,
                          "next"))
    else:
        index = [m.folder for m in course.modules].index(module.folder)
        if index + 1 < len(course.modules):
            nxt = course.modules[index + 1]
            links.append(Link(f"Next: Module {nxt.number}, {nxt.title}",
                              f"../{nxt.folder}/{nxt.manifest.notebooks.reading}", "next"))
        else:
            links.append(Link("Next: back to the course home page to hand in your work", HOME,
                              "next"))
    return links


def leaves_module(links: list[Link]) -> bool:
    """Whether the page these links end is the module's last: its "next" link goes to another
    module or the course home, not on to a page of the same module."""
    return any(link.role == "next" and link.href.startswith("../") for link in links)
