"""The class dashboard: what a folder of hand-ins says about the whole class.

One concern a module, in the order the data flows:

* ``loading.py`` -- :func:`load_folder` reads the hand-ins with :mod:`repairlab.collect`, the
  same collector and the same choice of one hand-in per student as the gradebook; a file it
  cannot use is listed in ``ClassData.skipped`` with the reason, never raised.
* ``statistics.py`` -- pure tables (lists of frozen dataclasses): completion per module, the
  items most missed, the defensive markers in rewrites, how rewrites change, each skill's
  mastery, each module's self-rated difficulty and who kept a practice diary. Completion
  (skills mastered where a module names them) and attempted follow the grading rule
  (:mod:`repairlab.grading`) and mastery the practice rule, as in the CSV.
* ``charts.py`` -- matplotlib, imported only when a chart is drawn.
* ``page.py`` -- the HTML: each table as a chart with alt text *and* an accessible table.
* ``widget.py`` -- the notebook's widget (``instructor/dashboard.ipynb``: :func:`show_dashboard`).

Nothing here imports ipywidgets or matplotlib at import time: ``import repairlab`` stays fast
and the statistics are usable (and testable) without Jupyter.
"""

# The entry points: the CLI, the notebook and the hand-in service use these. The tables
# themselves are imported from .statistics by whoever draws or tests them.
from .loading import ClassData, course_arguments, is_folder_or_zip, load_folder
from .page import dashboard_html, table_html
from .statistics import fmt_percent
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
    "SUBMISSIONS_ENV",
    "ClassData",
    "choice_from_env",
    "course_arguments",
    "dashboard_app",
    "dashboard_html",
    "fmt_percent",
    "is_folder_or_zip",
    "load_folder",
    "show_dashboard",
    "table_html",
]
