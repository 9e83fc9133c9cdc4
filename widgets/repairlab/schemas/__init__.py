"""Item schemas: what an author may write for each exercise kind (pydantic models).

Only authoring needs these: ``repairlab check``, the CLI, the full course load, and a page
whose course has not been compiled yet (content/compiled.py). Each model takes its behaviour
(``prompt``, ``choices()``, ...) from a plain class in ``repairlab.kinds``, so that a
student's kernel can use the compiled items without importing pydantic.
"""
