"""Text rules shared by the API, the mail parser and the mail composer."""

from __future__ import annotations

import re
from typing import Literal

# C0 and C1 control characters. Those str.split() counts as white space become single spaces anyway.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str, *, controls: Literal["space", "drop", "keep"] = "space") -> str:
    """`text` on one line: runs of white space (newlines, tabs) become one space, ends trimmed.
    Other control characters become a space ("space"), are removed ("drop", for text a sender
    wrote) or are left for the caller to refuse ("keep", the API's validation)."""
    collapsed = " ".join(text.split())
    if controls == "keep":
        return collapsed
    return " ".join(CONTROL.sub(" " if controls == "space" else "", collapsed).split())
