"""Word search over tickets. Each ticket keeps the set of words of its subject and public
messages (internal notes excluded, or customers could probe them), folded to lowercase ASCII so
"Configuración" matches "configuracion". A search matches tickets in which every word asked
begins a word of the ticket ("contra" finds "contraseña").

A string set can grow in a single UpdateItem (ADD), so a reply's words cost no extra request; the
word index (store.search_index) is built from that set by the stream, one item per prefix of up
to INDEXED_PREFIX letters."""

from __future__ import annotations

import re
import unicodedata

MIN_WORD = 2
MAX_WORD = 40
MAX_WORDS_PER_TEXT = 1000
MAX_QUERY_WORDS = 8
# The index keeps every prefix of 2..INDEXED_PREFIX letters of each word; a longer query word is
# looked up by its first INDEXED_PREFIX letters and checked against the ticket's words.
INDEXED_PREFIX = 8

_WORD = re.compile(r"[a-z0-9]+")

# Words too common to suggest a past ticket by (Spanish and English), folded.
STOP_WORDS = frozenset(
    {
        "que",
        "los",
        "las",
        "una",
        "uno",
        "unos",
        "unas",
        "con",
        "por",
        "para",
        "del",
        "como",
        "pero",
        "mas",
        "muy",
        "sin",
        "sobre",
        "este",
        "esta",
        "estos",
        "estas",
        "eso",
        "esto",
        "hay",
        "hola",
        "gracias",
        "buenos",
        "buenas",
        "dias",
        "tengo",
        "tiene",
        "puedo",
        "desde",
        "cuando",
        "donde",
        "the",
        "and",
        "for",
        "not",
        "you",
        "your",
        "with",
        "from",
        "this",
        "that",
        "have",
        "has",
        "can",
        "cannot",
        "hello",
        "thanks",
        "please",
    }
)


def fold(text: str) -> str:
    """Lowercase without accents: "Contraseña" -> "contrasena"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str, limit: int = MAX_WORDS_PER_TEXT) -> set[str]:
    found: set[str] = set()
    for match in _WORD.finditer(fold(text)):
        word = match.group()
        if MIN_WORD <= len(word) <= MAX_WORD:
            found.add(word)
            if len(found) >= limit:
                break
    return found


def query_words(query: str) -> list[str]:
    """The words a search asks for, in order, at most MAX_QUERY_WORDS."""
    return sorted(words(query, limit=MAX_QUERY_WORDS))


def prefixes(found: set[str] | frozenset[str]) -> set[str]:
    """The index keys of a set of words: each word's prefixes of MIN_WORD..INDEXED_PREFIX letters."""
    return {word[:n] for word in found for n in range(MIN_WORD, min(len(word), INDEXED_PREFIX) + 1)}


def index_key(query_word: str) -> str:
    """The prefix under which the index keeps the tickets a query word may match."""
    return query_word[:INDEXED_PREFIX]


def matches(asked: list[str] | tuple[str, ...], ticket_words: set[str] | frozenset[str]) -> bool:
    """Every word asked begins one of the ticket's words."""
    return all(any(word.startswith(a) for word in ticket_words) for a in asked)
