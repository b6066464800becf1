"""When an ASCII pattern may run without re.IGNORECASE on str.lower()'d text.

Case-insensitive regexes try every position; on lowercased text the same pattern, written
in lowercase and compiled without re.I, jumps to its literal prefix. Both find the same
matches except where re.I equates a character with an ASCII letter that str.lower() does
not turn into that letter: dotless ı and long ſ stay themselves, and İ lowers to "i" plus a
combining dot (U+0307). A lowercased text holding one of these needs the re.I path.
"""
from __future__ import annotations

FOLD_OUTLIERS = ("\u0131", "\u017f", "\u0307")


def lower_is_exact(lowered: str) -> bool:
    """Whether lowercase patterns on this lowercased text match as re.I on the original."""
    return not any(c in lowered for c in FOLD_OUTLIERS)
