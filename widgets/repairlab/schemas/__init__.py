"""Item schemas: what an author may write for each exercise kind (pydantic models), each
field described, unknown keys rejected, every mistake located for a "file:line" message.

Only authoring needs these: ``repairlab check``, the CLI, the full course load, and a page
whose course has not been compiled yet (content/compiled.py). A schema validates an author's
item into its kind's declared item type (``repairlab.kinds``, a frozen dataclass, through
``validate``), so a student's kernel can use the compiled items without importing pydantic.
"""

from .base import validate

__all__ = ["validate"]
