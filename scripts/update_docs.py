"""Regenerate the documentation's parameter table (docs/parameters.md) from
stpexplorer/params.py: the text between the params:start and params:end markers.

    python scripts/update_docs.py
"""

import re
import sys
from pathlib import Path

from stpexplorer.params import markdown_table

PARAMETERS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "parameters.md"
MARKERS = re.compile(r"(<!-- params:start -->\n).*?(<!-- params:end -->)", re.S)


def render(text: str) -> str:
    """``text`` with the table between the markers replaced by the generated one."""
    return MARKERS.sub(lambda m: m.group(1) + markdown_table() + "\n" + m.group(2), text)


if __name__ == "__main__":
    PARAMETERS_PAGE.write_text(render(PARAMETERS_PAGE.read_text()))
    sys.exit(0)
