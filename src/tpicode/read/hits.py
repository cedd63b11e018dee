"""Runs each cue pattern once over the whole note and answers "which matches fall in this clause".

One pass per pattern instead of one search per clause and pattern: the per-note cost no longer grows
with the number of clauses times the number of cue lists.
"""

from __future__ import annotations

import re
from bisect import bisect_left


class Hits:
    __slots__ = ("ends", "spans", "starts")

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
        self.starts = [s for s, _ in self.spans]
        self.ends = [e for _, e in self.spans]

    def within(self, a: int, b: int) -> list[tuple[int, int]]:
        i = bisect_left(self.starts, a)
        j = bisect_left(self.starts, b, i)
        return [sp for sp in self.spans[i:j] if sp[1] <= b]

    def first(self, a: int, b: int) -> tuple[int, int] | None:
        i = bisect_left(self.starts, a)
        n = len(self.spans)
        while i < n and self.starts[i] < b:
            if self.ends[i] <= b:
                return self.spans[i]
            i += 1
        return None

    def any(self, a: int, b: int) -> bool:
        return self.first(a, b) is not None
