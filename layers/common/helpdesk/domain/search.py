"""Word search over tickets. Each ticket keeps the set of words of its subject and public
messages (internal notes excluded, or customers could probe them), folded to lowercase ASCII so
"Configuración" matches "configuracion". A search matches tickets that contain every word asked.

A string set can grow in a single UpdateItem (ADD), so indexing a reply costs no extra request."""

from __future__ import annotations

import re
import unicodedata

MIN_WORD = 2
MAX_WORD = 40
MAX_WORDS_PER_TEXT = 1000
MAX_QUERY_WORDS = 8

_WORD = re.compile(r"[a-z0-9]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str, limit: int = MAX_WORDS_PER_TEXT) -> set[str]:
    found: set[str] = set()
    for match in _WORD.finditer(_fold(text)):
        word = match.group()
        if MIN_WORD <= len(word) <= MAX_WORD:
            found.add(word)
            if len(found) >= limit:
                break
    return found


def query_words(query: str) -> list[str]:
    """The words a search asks for, in order, at most MAX_QUERY_WORDS."""
    return sorted(words(query, limit=MAX_QUERY_WORDS))
