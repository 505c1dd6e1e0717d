"""How SPSS and Stata store choice codes: numbers stay numbers, text codes get numbers or missing letters.

Shared by the SPSS/Stata writer, which stores them, and the codebook, which says what each became.
"""

from __future__ import annotations

from typing import Any

# Stata's extended missing values .a to .z stand for answers such as "prefer not to say".
STATA_MISSING = "abcdefghijklmnopqrstuvwxyz"


def is_number(code: Any) -> bool:
    """A number code (an int that is not a bool)."""
    return isinstance(code, int) and not isinstance(code, bool)


def numeric_codes(codes: list, fmt: str) -> dict:
    """What SPSS ('sav', 'zsav') or Stata ('dta') stores for each choice code, in the codes' order.

    Number codes stay. When every code is text, they become 1..n. When number and text codes mix,
    each text code becomes a missing value: in SPSS a negative number below every number code
    (-1, -2, ... when the numbers are positive), in Stata the letter of an extended missing value
    ('a' is .a). Stata has 26 of them; with more text codes they get SPSS's negative numbers,
    labelled but not missing.
    """
    numbers = [c for c in codes if is_number(c)]
    texts = [c for c in codes if not is_number(c)]
    stored: dict = {c: c for c in numbers}
    if not numbers:
        stored = {c: n for n, c in enumerate(texts, start=1)}
    elif texts and fmt == "dta" and len(texts) <= len(STATA_MISSING):
        stored.update(zip(texts, STATA_MISSING, strict=False))
    elif texts:
        below = min(0, *numbers)
        stored.update({c: below - n for n, c in enumerate(texts, start=1)})
    return {c: stored[c] for c in codes}
