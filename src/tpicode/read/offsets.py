"""Rewrites a text with replacements of other lengths and maps offsets in the result back to the original.

Used where the reader works on a cleaner text than the note (spelling corrected, dictation undone)
but every span it reports must still point at the note's own words.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

Edit = tuple[int, int, str]  # replace text[start:end] with the string
BackMap = Callable[[int, int], tuple[int, int, bool]]


def rewrite(text: str, edits: list[Edit]) -> tuple[str, BackMap]:
    """`text` with the (sorted, non-overlapping) edits applied, and the map from new spans to old ones.

    The map returns (start, end, touched): touched is True when the span meets a replaced stretch.
    """
    parts: list[str] = []
    spans: list[tuple[int, int, int, int]] = []  # (new_start, new_end, old_start, old_end)
    prev = 0
    new_pos = 0
    for s, e, w in edits:
        parts.append(text[prev:s])
        new_pos += s - prev
        spans.append((new_pos, new_pos + len(w), s, e))
        parts.append(w)
        new_pos += len(w)
        prev = e
    parts.append(text[prev:])
    new_starts = [sp[0] for sp in spans]

    def conv(p: int, is_end: bool) -> tuple[int, bool]:
        i = bisect.bisect_right(new_starts, p - 1 if is_end else p) - 1
        if i < 0:
            return p, False
        _ns, ne, os_, oe = spans[i]
        if p < ne or (is_end and p == ne):
            return (oe if is_end else os_), True
        return p + (oe - ne), False

    def back(start: int, end: int) -> tuple[int, int, bool]:
        s_old, f1 = conv(start, False)
        e_old, f2 = conv(end, True)
        return s_old, e_old, f1 or f2

    return "".join(parts), back


def clean(edits: list[Edit]) -> list[Edit]:
    """Sorted, with later edits that overlap an earlier one dropped."""
    out: list[Edit] = []
    last = -1
    for e in sorted(edits):
        if e[0] >= last:
            out.append(e)
            last = e[1]
    return out
