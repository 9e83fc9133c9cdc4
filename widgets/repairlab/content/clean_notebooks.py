"""Strip outputs and execution counts from notebooks, so they are committed clean.

    python -m repairlab.content.clean_notebooks curriculum
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def clean(path: Path) -> bool:
    """Clean one notebook in place; return whether it changed."""
    raw = path.read_text(encoding="utf-8")
    notebook = json.loads(raw)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    new = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    if new != raw:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str]) -> int:
    changed = [p for root in map(Path, argv or ["curriculum"]) for p in sorted(root.rglob("*.ipynb"))
               if ".ipynb_checkpoints" not in p.parts and clean(p)]
    for path in changed:
        print(f"cleaned {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
