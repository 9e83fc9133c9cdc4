"""RepairLab: practise noticing, surviving and repairing ruptures in the therapeutic alliance.

Importing the package is cheap on purpose: notebooks and the CLI pull in ipywidgets,
pydantic and the content loader only when they use them (see ``__getattr__``).
"""

from __future__ import annotations

__version__ = "0.1.0"

# Public names resolved lazily: ``from repairlab import show`` imports the widget layer,
# ``import repairlab`` alone does not.
_LAZY = {
    "show": "repairlab.notebook",
    "module_nav": "repairlab.notebook",
    "course_home": "repairlab.notebook",
    "practice_mode": "repairlab.notebook",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'repairlab' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
