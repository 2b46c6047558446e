"""Search without names on the server: a blind index of keyed hashes.

For each intake the client stores keyed hashes (HMAC-SHA256 with a key only clients hold,
truncated to 64 bits) of

* every prefix of 2 to 24 letters of each word of the name, case and accents folded
  ("Zoë Ellison" gives "zo", "zoe", "el", "ell", … "ellison"), and
* every prefix of 4 to 10 characters of the ISO birth date ("1984", "1984-0", … "1984-03-14").

A search word is hashed the same way and looked up, so the server matches hashes it cannot
read. What this gives up against the embedded store: a word matches the start of a name word
("ellis" finds "Ellison", "llis" finds nothing), and a search word of one letter narrows
nothing (a one-letter hash would sort every name by its initial for anyone holding the table).
A record id is not health data and is matched by its first characters in clear.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ketatui.storage.postgres.keys import StoreKeys

MIN_PREFIX = 2
MAX_PREFIX = 24
_WORDS = re.compile(r"\w+")
_HEX = frozenset("0123456789abcdef-")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name or of what was typed."""
    text = text.casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def name_words(name: str) -> list[str]:
    return _WORDS.findall(fold(name))


def record_terms(keys: StoreKeys, full_name: str | None, date_of_birth: str | None) -> set[int]:
    """Every hash stored for one intake."""
    terms = set()
    for word in name_words(full_name or ""):
        for end in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1):
            terms.add(keys.blind("name", word[:end]))
    born = str(date_of_birth or "")[:10]
    for end in range(4, len(born) + 1):
        terms.add(keys.blind("born", born[:end]))
    return terms


def date_prefix(token: str) -> str | None:
    """An ISO date or date prefix from what was typed (``1980``, ``1980-04``, ``4/2/1980``)."""
    if "/" in token:
        parts = token.split("/")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[2]), int(parts[0]), int(parts[1])).isoformat()
            except ValueError:
                return None
        return None
    if len(token) >= 4 and token[:4].isdigit() and all(c.isdigit() or c == "-" for c in token):
        return token[:10]
    return None


@dataclass(frozen=True)
class Wanted:
    """What one typed word may match: any of these hashes, or the start of a record id."""

    terms: tuple[int, ...]
    id_prefix: str | None


def search_words(keys: StoreKeys, search: str) -> list[Wanted]:
    """One ``Wanted`` per typed word that can narrow the list (every one must match)."""
    wanted = []
    for token in (fold(t) for t in search.split()):
        born = date_prefix(token)
        words = [w[:MAX_PREFIX] for w in name_words(token) if len(w) >= MIN_PREFIX]
        id_prefix = token if _HEX.issuperset(token) and len(token) >= MIN_PREFIX else None
        if born is not None:
            wanted.append(Wanted((keys.blind("born", born), *(keys.blind("name", w) for w in words)), id_prefix))
        elif len(words) == 1:
            wanted.append(Wanted((keys.blind("name", words[0]),), id_prefix))
        elif words:  # "o'brien": each part must start a word of the name
            wanted.extend(Wanted((keys.blind("name", w),), None) for w in words)
        elif id_prefix is not None:
            wanted.append(Wanted((), id_prefix))
    return wanted
