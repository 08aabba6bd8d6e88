"""Regenerate the README's parameter table from stpexplorer/params.py.

    python scripts/update_readme.py
"""

import re
import sys
from pathlib import Path

from stpexplorer.params import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"
MARKERS = re.compile(r"(<!-- params:start -->\n).*?(<!-- params:end -->)", re.S)


def render(text: str) -> str:
    return MARKERS.sub(lambda m: m.group(1) + markdown_table() + "\n" + m.group(2), text)


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
    sys.exit(0)
