"""The class dashboard: what a folder of hand-ins says about the whole class.

One concern a module, in the order the data flows:

* ``loading.py`` -- :func:`load_folder` reads the hand-ins with :mod:`repairlab.collect`, the
  same collector and the same choice of one hand-in per student as the gradebook; a file it
  cannot use is listed in ``ClassData.skipped`` with the reason, never raised.
* ``statistics.py`` -- pure tables (lists of frozen dataclasses): completion per module, the
  items most missed, the defensive markers in rewrites, how rewrites change, each skill's
  mastery and each module's self-rated difficulty. Completion follows the grading rule
  (:mod:`repairlab.grading`) and mastery the practice rule, as in the CSV.
* ``charts.py`` -- matplotlib, imported only when a chart is drawn.
* ``page.py`` -- the HTML: each table as a chart with alt text *and* an accessible table.
* ``widget.py`` -- the notebook's widget (``instructor/dashboard.ipynb``: :func:`show_dashboard`).

Nothing here imports ipywidgets or matplotlib at import time: ``import repairlab`` stays fast
and the statistics are usable (and testable) without Jupyter.
"""

from repairlab.collect import Skipped
from repairlab.grading import SOLVED

from .loading import ClassData, course_arguments, is_folder_or_zip, load_folder
from .page import dashboard_html, table_html
from .statistics import (
    ItemMiss,
    MarkerUse,
    ModuleCompletion,
    ModuleDifficulty,
    RewriteChange,
    SkillMastery,
    completion_by_module,
    difficulty_by_module,
    fmt_percent,
    marker_use,
    missed_items,
    rewrite_by_module,
    rewrite_overall,
    rewrite_progress,
    skill_mastery,
)
from .widget import (
    COURSE_ENV,
    NEWEST_ENV,
    RENAMES_ENV,
    SUBMISSIONS_ENV,
    choice_from_env,
    dashboard_app,
    show_dashboard,
)

__all__ = [
    "COURSE_ENV",
    "NEWEST_ENV",
    "RENAMES_ENV",
    "SOLVED",
    "SUBMISSIONS_ENV",
    "ClassData",
    "ItemMiss",
    "MarkerUse",
    "ModuleCompletion",
    "ModuleDifficulty",
    "RewriteChange",
    "SkillMastery",
    "Skipped",
    "choice_from_env",
    "completion_by_module",
    "course_arguments",
    "dashboard_app",
    "dashboard_html",
    "difficulty_by_module",
    "fmt_percent",
    "is_folder_or_zip",
    "load_folder",
    "marker_use",
    "missed_items",
    "rewrite_by_module",
    "rewrite_overall",
    "rewrite_progress",
    "show_dashboard",
    "skill_mastery",
    "table_html",
]
