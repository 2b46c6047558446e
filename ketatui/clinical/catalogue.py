"""The medication catalogue and the matcher that turns what a person typed into a medicine.

The catalogue ships as package data (``data/medications.json``). Each medicine lists its generic
name, its brands (plus other official spellings such as the UK "rifampicin" or "paracetamol", so
those are recognised too), a plain drug class, its groups and the ``INT-*`` flag codes it raises.

Matching is deliberately conservative: a wrong guess is worse than no answer, because the caller
keeps an unmatched line and asks the clinician to check it. So typos are only accepted within a
small, length-bound edit distance, and a line that could be two different medicines (a typo that
ties, or two names in one line) returns ``None``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, StringConstraints
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

Group = Literal[
    "antidepressant", "antipsychotic", "mood stabiliser", "anxiolytic",
    "hypnotic", "stimulant", "opioid", "other",
]
#: An ``INT-*`` interaction code, or ``MED-KETAMINE`` (the person already takes ketamine or esketamine).
InteractionCode = Annotated[str, StringConstraints(pattern=r"^(?:INT-[A-Z0-9]+(?:-[A-Z0-9]+)*|MED-KETAMINE)$")]


class Medicine(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(frozen=True)

    generic: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    brands: tuple[str, ...] = ()
    drug_class: str
    groups: tuple[Group, ...]
    interactions: tuple[InteractionCode, ...] = ()
    #: Where the facts behind this entry (its class and its interaction codes) were published.
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8)]

    @property
    def names(self) -> tuple[str, ...]:
        """The generic name first, then every brand, as spelled in the catalogue."""
        return (self.generic, *self.brands)


class MedicationMatch(BaseModel):
    """What one typed line was recognised as, and how sure the match is."""

    model_config = ConfigDict(frozen=True)

    entered: str
    medicine: Medicine
    matched_name: str
    how: Literal["exact", "brand", "typo"]
    distance: int = 0


class LinePart(NamedTuple):
    """One medicine's share of a typed line: its text, where it sits in the line, what it reads as."""

    text: str
    start: int
    end: int
    match: MedicationMatch | None


# --- turning free text into words ---------------------------------------------------------------

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-zμ]+|%")
# Cutting a line keeps every word, in any script, so no written medicine is lost ("Xanax, сертралин").
_ANY_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|%")
_APOSTROPHES = str.maketrans("", "", "'’‘`´")
# Joining words, ignored when comparing names ("Tylenol with Codeine", "naltrexone and bupropion").
_CONNECTORS = frozenset({"with", "and", "plus"})
# Only stripped straight after a number (or another unit): "0.5 mg", "10mcg", "5 ml", "2 x 500 mg".
_UNITS = frozenset({
    "mg", "mcg", "μg", "μ", "ug", "g", "gm", "gram", "grams", "milligram", "milligrams",
    "microgram", "micrograms", "ml", "l", "iu", "unit", "units", "u", "mmol", "%", "kg",
})
# Stripped anywhere outside a catalogue name: how often, when, what form, release suffixes.
_FREQUENCY = frozenset({
    "bid", "tid", "qid", "qd", "qod", "qam", "qpm", "qhs", "hs", "prn", "od", "bd", "tds", "qds",
    "om", "on", "mane", "nocte", "stat", "daily", "nightly", "weekly", "monthly", "once", "twice",
    "thrice", "times", "a", "an", "per", "every", "each", "day", "days", "week", "weeks", "month",
    "hour", "hours", "hourly", "hr", "hrs", "h", "at", "in", "the", "night", "bedtime", "morning",
    "evening", "am", "pm", "as", "needed", "required", "when", "po", "oral", "orally", "by", "mouth",
    "x", "tab", "tabs", "tablet", "tablets", "cap", "caps", "capsule", "capsules", "puff", "puffs",
    "drop", "drops", "patch", "spray", "sprays", "injection", "dose", "doses",
    # routes and forms ("ketamine troches", "IV ketamine", "Spravato nasal spray", "kratom tea")
    "nasal", "lozenge", "lozenges", "troche", "troches", "sublingual", "rdt", "rdts", "iv", "im",
    "intravenous", "intramuscular", "infusion", "infusions", "injections", "compounded", "online",
    "hcl", "hydrochloride", "extract", "tea", "gummy", "gummies",
})
_RELEASE = frozenset({
    "er", "xr", "sr", "cr", "la", "xl", "ir", "odt", "dr", "ec", "mr", "cd", "xt",
    "release", "extended", "modified", "sustained", "delayed", "immediate", "prolonged", "retard",
})
# Everyday words that sit close to a catalogue name ("medicine" ~ "Medikinet", "estrogen" ~
# "Estrogel"): never read as a typo, though they still count inside an exact name ("NP Thyroid").
_NOT_TYPOS = frozenset({
    "medicine", "medicines", "medication", "medications", "meds", "pill", "pills", "prescription",
    "prescribed", "thyroid", "hormone", "hormones", "estrogen", "estrogens", "oestrogen", "oestrogens",
    "implant", "implants", "vitamin", "vitamins", "supplement", "supplements", "steroid", "steroids",
    "insulin", "inhaler", "inhalers", "antibiotic", "antibiotics", "painkiller", "painkillers",
    "sleeping", "generic", "brand", "unknown",
})
# Marks that join two medicines on one line ("Zoloft, Xanax", "lisinopril + amlodipine", "A & B").
_SEPARATOR_MARKS = frozenset(",;+&\n|")
# Words that join two medicines on one line ("sertraline and alprazolam").
_SEPARATOR_WORDS = frozenset({"and", "plus"})
# Words that say when, why or how a medicine is taken: a piece of a line made only of these (and
# of doses) belongs to the medicine before it ("Xanax 0.5 mg, for panic") rather than naming another.
_NOTE_WORDS = frozenset({
    "for", "to", "help", "helps", "with", "my", "if", "or", "only", "usually", "sometimes",
    "occasionally", "then", "also", "take", "takes", "taken", "taking", "sleep", "sleeping",
    "anxiety", "panic", "pain", "depression", "mood", "nerves", "food", "meals", "meal", "breakfast",
    "lunch", "dinner", "supper", "before", "after", "bed", "needed", "necessary", "required", "kg",
})
# The most medicines one catalogue product combines.
_MAX_INGREDIENTS = 4
# A line longer than this (after doses and frequencies go) is a note, not a medication name.
_MAX_WORDS = 24


def _words(text: str) -> list[str]:
    """Lower-case words and numbers; punctuation, hyphens and accents only separate."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_APOSTROPHES))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _TOKEN.findall(folded)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Every word of ``text`` with where it sits (start, end), for cutting a line.

    Words are folded as ``_words`` folds them; words in other scripts are kept too (they match
    nothing, so they are never dropped silently).
    """
    folded: list[str] = []
    origin: list[int] = []
    for at, char in enumerate(text):
        for piece in unicodedata.normalize("NFKD", char.lower().translate(_APOSTROPHES)):
            if not unicodedata.combining(piece):
                folded.append(piece)
                origin.append(at)
    joined = "".join(folded)
    return [(m.group(), origin[m.start()], origin[m.end() - 1] + 1) for m in _ANY_TOKEN.finditer(joined)]


def _closing_brackets(text: str, start: int, end: int) -> int:
    """``end`` moved past the brackets that close what ``text[start:end]`` opened ("Xanax (alprazolam)")."""
    while end < len(text) and text[end] in ")]":
        part = text[start:end]
        if part.count("(") + part.count("[") <= part.count(")") + part.count("]"):
            break
        end += 1
    return end


def _is_number(word: str) -> bool:
    return word[0].isdigit()


def _key(words: Iterable[str]) -> str:
    """The comparison key: words run together, joining words dropped ("Toprol-XL" == "toprolxl")."""
    return "".join(w for w in words if w not in _CONNECTORS)


def _typo_bound(length: int) -> int:
    """Largest edit distance accepted for a catalogue name of this length (-1: exact only)."""
    if length < 5:
        return -1
    return 1 if length <= 7 else 2


class _Name(NamedTuple):
    index: int       # position of the medicine in Catalogue.medicines
    name: str        # as spelled in the catalogue
    is_generic: bool


class _Span(NamedTuple):
    distance: int
    start: int
    end: int
    names: tuple[_Name, ...]   # more than one medicine here means the span is ambiguous


# --- the catalogue ---------------------------------------------------------------------------------


class Catalogue:
    """Medicines, indexed for exact, brand and typo-tolerant lookup and for suggestions."""

    def __init__(self, medicines: Iterable[Medicine]) -> None:
        self.medicines: tuple[Medicine, ...] = tuple(medicines)
        self._exact: dict[str, _Name] = {}
        for index, medicine in enumerate(self.medicines):
            for name in medicine.names:
                key = _key(_words(name))
                if not key:
                    raise ValueError(f"medicine name {name!r} has no letters or digits")
                other = self._exact.get(key)
                if other is not None and other.index != index:
                    raise ValueError(
                        f"{name!r} ({medicine.generic}) and {other.name!r} "
                        f"({self.medicines[other.index].generic}) are the same name"
                    )
                if other is None:
                    self._exact[key] = _Name(index, name, name == medicine.generic)
        self._max_width = max((len(_words(n)) for m in self.medicines for n in m.names), default=1) + 2
        self._max_key = max((len(k) for k in self._exact), default=0)
        # Suggestion order within a class: shorter names first, then alphabetical.
        self._ordered = sorted(self._exact.items(), key=lambda kv: (len(kv[1].name), kv[1].name.lower()))
        self._keys = [key for key, _ in self._ordered]
        self._by_length: dict[int, list[str]] = {}
        for key in self._exact:
            if _typo_bound(len(key)) >= 0:
                for length in range(len(key) - 2, len(key) + 3):
                    self._by_length.setdefault(length, []).append(key)
        self._prefixes: dict[int, list[str]] = {}
        self._lines: dict[str, tuple[LinePart, ...]] = {}
        # Part of a longer name is not a typo of it: "Robitussin" is not "Robitussin DM".
        self._parts: dict[str, frozenset[str]] = {}
        for key, hit in self._exact.items():
            words = [w for w in _words(hit.name) if w not in _CONNECTORS]
            self._parts[key] = frozenset(
                _key(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
            ) - {key}

    @classmethod
    def default(cls) -> Catalogue:
        """The catalogue shipped with the package, loaded once."""
        return _default_catalogue()

    # --- lookups ---

    def find(self, name: str) -> Medicine | None:
        """Exact generic or brand lookup; case, spaces and hyphens do not matter."""
        hit = self._exact.get(_key(_words(name)))
        return None if hit is None else self.medicines[hit.index]

    def with_interaction(self, code: str) -> list[Medicine]:
        """Every medicine that raises this ``INT-*`` code, in catalogue order."""
        return [m for m in self.medicines if code in m.interactions]

    def match(self, text: str) -> MedicationMatch | None:
        """The one medicine this line names, or ``None`` when unknown or not clear-cut.

        Exact names (longest first, so "Xanax XR" beats "Xanax" and "Tylenol with Codeine" beats
        "Tylenol") win over typos. A line that names two different medicines, or whose best typo
        is equally close to two medicines, is not guessed at.
        """
        words = self._core_words(text)
        if not words or len(words) > _MAX_WORDS:
            return None
        spans = sorted(self._spans(words), key=lambda s: (s.distance, s.start - s.end, s.start))
        taken = [False] * len(words)
        chosen: list[_Span] = []
        for span in spans:
            if any(taken[span.start:span.end]):
                continue
            taken[span.start:span.end] = [True] * (span.end - span.start)
            chosen.append(span)
        if len({name.index for span in chosen for name in span.names}) != 1:
            return None
        best = chosen[0]
        name = best.names[0]
        how = "typo" if best.distance else ("exact" if name.is_generic else "brand")
        return MedicationMatch(
            entered=text,
            medicine=self.medicines[name.index],
            matched_name=name.name,
            how=how,
            distance=best.distance,
        )

    def read_line(self, text: str) -> tuple[LinePart, ...]:
        """Each medicine a typed line names, in order, with what each part was read as.

        People write several medicines on one line ("sertraline and alprazolam", "Zoloft, Xanax",
        "zoloft 50mg + xanax 0.5 mg prn"). The line is cut at commas, semicolons, "+", "&",
        "and" and "plus", and between two catalogue names written side by side ("zoloft xanax").
        Pieces that together spell one catalogue product stay whole ("olanzapine and fluoxetine",
        "Tylenol with Codeine"), and a piece holding only a dose or a note ("0.5 mg prn",
        "for panic") stays with the medicine before it. A line that is one medicine gives one part,
        read exactly as :meth:`match` reads it; an empty line gives none.
        """
        found = self._lines.get(text)
        if found is None:
            if len(self._lines) >= 512:  # a screen reads the same line again and again while it is typed
                self._lines.clear()
            found = self._lines[text] = self._read_line(text)
        return found

    def _read_line(self, text: str) -> tuple[LinePart, ...]:
        """``read_line`` without its cache."""
        tokens = _tokens(text)
        if not tokens:
            return ()
        pieces = self._join_names(text, tokens, self._cut(text, tokens))
        parts: list[tuple[int, int]] = []
        for first, last in pieces:
            if parts and self._is_note(text[tokens[first][1]:tokens[last][2]]):
                parts[-1] = (parts[-1][0], last)
                continue
            if parts and self._is_note(text[tokens[parts[-1][0]][1]:tokens[parts[-1][1]][2]]):
                first = parts.pop()[0]  # a leading dose or note belongs to what follows it
            parts.extend(self._cut_between_names(tokens, first, last))
        if len(parts) == 1:
            start = len(text) - len(text.lstrip())
            end = len(text.rstrip())
            return (LinePart(text[start:end], start, end, self.match(text)),)
        found = []
        for first, last in parts:
            start, end = tokens[first][1], _closing_brackets(text, tokens[first][1], tokens[last][2])
            found.append(LinePart(text[start:end], start, end, self.match(text[start:end])))
        return tuple(found)

    def suggest(self, text: str, limit: int = 8) -> list[str]:
        """Names to offer while typing: prefix matches, then substring matches, then close typos."""
        if limit <= 0:
            return []
        found = self._suggest(_key(_words(text)), limit)
        if not found:
            # "xanax 0.5" has no prefix match; its name part does.
            found = self._suggest(_key(self._core_words(text)), limit)
        return found

    # --- internals ---

    def _core_words(self, text: str) -> list[str]:
        """The words of the name part: doses, frequencies and non-brand release suffixes removed."""
        words = _words(text)
        protected = [False] * len(words)
        for start, end in self._exact_runs(words):
            protected[start:end] = [True] * (end - start)
        kept: list[str] = []
        after_number = False
        for word, keep in zip(words, protected, strict=True):
            if keep:
                kept.append(word)
                after_number = False
            elif _is_number(word):
                after_number = True
            elif after_number and word in _UNITS:
                continue
            else:
                after_number = False
                if word not in _FREQUENCY and word not in _RELEASE:
                    kept.append(word)
        while kept and kept[-1] in _CONNECTORS:
            kept.pop()
        while kept and kept[0] in _CONNECTORS:
            kept.pop(0)
        return kept

    def _cut(self, text: str, tokens: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
        """Runs of tokens (first, last) between the separators of a line."""
        pieces: list[tuple[int, int]] = []
        first: int | None = None
        for index, (word, start, _) in enumerate(tokens):
            if word in _SEPARATOR_WORDS:
                if first is not None:
                    pieces.append((first, index - 1))
                first = None
                continue
            gap = text[tokens[index - 1][2]:start] if index else ""
            # "lisinopril/HCTZ" is two medicines; "10/325" and "6/25 mg" are one dose.
            slash = "/" in gap and not (_is_number(word) or _is_number(tokens[index - 1][0]))
            if first is not None and (slash or _SEPARATOR_MARKS.intersection(gap)):
                pieces.append((first, index - 1))
                first = None
            if first is None:
                first = index
        if first is not None:
            pieces.append((first, len(tokens) - 1))
        return pieces

    def _join_names(self, text: str, tokens: list[tuple[str, int, int]], pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Pieces that together spell one catalogue name, joined again, longest first."""
        def span(first: int, last: int) -> str:
            return text[tokens[first][1]:tokens[last][2]]

        named = [bool(self._core_words(span(*piece))) and not self._is_note(span(*piece)) for piece in pieces]
        joined: list[tuple[int, int]] = []
        at = 0
        while at < len(pieces):
            # A combination product has at most four ingredients ("elvitegravir and cobicistat and ...").
            for until in range(min(len(pieces) - 1, at + _MAX_INGREDIENTS - 1), at, -1):
                if all(named[at:until + 1]) and _key(self._core_words(span(pieces[at][0], pieces[until][1]))) in self._exact:
                    joined.append((pieces[at][0], pieces[until][1]))
                    at = until + 1
                    break
            else:
                joined.append(pieces[at])
                at += 1
        return joined

    def _is_note(self, span: str) -> bool:
        """True when a piece names nothing: only doses, frequencies and words about taking it."""
        if any(not _TOKEN.fullmatch(word) for word, _, _ in _tokens(span)):
            return False  # a word the catalogue cannot spell may be a medicine: keep it apart
        return all(word in _NOTE_WORDS for word in self._core_words(span))

    def _cut_between_names(self, tokens: list[tuple[str, int, int]], first: int, last: int) -> list[tuple[int, int]]:
        """One piece, cut before each catalogue name when it holds names of different medicines."""
        words = [word for word, _, _ in tokens[first:last + 1]]
        runs = sorted(self._exact_runs(words))
        if len({self._exact[_key(words[s:e])].index for s, e in runs}) < 2:
            return [(first, last)]
        starts = [first] + [first + s for s, _ in runs[1:]]
        ends = [s - 1 for s in starts[1:]] + [last]
        return list(zip(starts, ends, strict=True))

    def _exact_runs(self, words: list[str]) -> list[tuple[int, int]]:
        """Spans of ``words`` that spell a catalogue name, longest first, not overlapping."""
        runs: list[tuple[int, int]] = []
        taken = [False] * len(words)
        for width in range(min(self._max_width, len(words)), 0, -1):
            for start in range(len(words) - width + 1):
                end = start + width
                if any(taken[start:end]) or words[start] in _CONNECTORS or words[end - 1] in _CONNECTORS:
                    continue
                if _key(words[start:end]) in self._exact:
                    taken[start:end] = [True] * width
                    runs.append((start, end))
        return runs

    def _spans(self, words: list[str]) -> Iterable[_Span]:
        """Every run of words that names a medicine exactly or within the typo bound."""
        for start in range(len(words)):
            if words[start] in _CONNECTORS:
                continue
            for end in range(start + 1, min(len(words), start + self._max_width) + 1):
                if words[end - 1] in _CONNECTORS:
                    continue
                key = _key(words[start:end])
                hit = self._exact.get(key)
                if hit is not None:
                    yield _Span(0, start, end, (hit,))
                    continue
                if _NOT_TYPOS.intersection(words[start:end]):
                    continue
                typo = self._typo(key)
                if typo is not None:
                    yield _Span(typo[0], start, end, typo[1])

    def _typo(self, key: str) -> tuple[int, tuple[_Name, ...]] | None:
        """The closest names within their length bound; one name per medicine at that distance."""
        if len(key) < 4 or len(key) > self._max_key + 2:
            return None
        candidates = self._by_length.get(len(key), [])
        hits = process.extract(key, candidates, scorer=Levenshtein.distance, score_cutoff=2, limit=None)
        hits = [
            (dist, name) for name, dist, _ in hits
            if dist <= _typo_bound(len(name)) and key not in self._parts.get(name, ())
        ]
        if not hits:
            return None
        best = min(dist for dist, _ in hits)
        by_medicine: dict[int, _Name] = {}
        for dist, name in sorted(hits, key=lambda h: (h[0], len(h[1]), h[1])):
            found = self._exact[name]
            if dist == best:
                by_medicine.setdefault(found.index, found)
        return best, tuple(by_medicine.values())

    def _suggest(self, query: str, limit: int) -> list[str]:
        if not query:
            return []
        prefix: list[str] = []
        inside: list[tuple[int, int, str]] = []
        for order, (key, hit) in enumerate(self._ordered):
            if key.startswith(query):
                prefix.append(hit.name)
            else:
                at = key.find(query)
                if at > 0:
                    inside.append((at, order, hit.name))
        names = prefix + [name for _, _, name in sorted(inside)]
        if len(names) < limit:
            names += [n for n in self._close(query) if n not in names]
        return names[:limit]

    def _close(self, query: str) -> list[str]:
        """Names whose start (or whole) is within the typo bound of what has been typed so far."""
        bound = _typo_bound(len(query))
        if bound < 0:
            return []
        prefixes = self._prefixes.get(len(query))
        if prefixes is None:
            prefixes = self._prefixes[len(query)] = [k[: len(query)] for k in self._keys]
        best: dict[int, int] = {}
        for candidates in (prefixes, self._keys):
            for _, dist, order in process.extract(
                query, candidates, scorer=Levenshtein.distance, score_cutoff=bound, limit=None
            ):
                best[order] = min(dist, best.get(order, dist))
        return [self._ordered[order][1].name for order, _ in sorted(best.items(), key=lambda kv: (kv[1], kv[0]))]


@cache
def _default_catalogue() -> Catalogue:
    raw = files("ketatui").joinpath("data/medications.json").read_text(encoding="utf-8")
    return Catalogue(Medicine.model_validate(entry) for entry in json.loads(raw))


def core_name(text: str) -> str:
    """The name part of a free-text medication line, lower case.

    "Xanax 0.5mg bid" -> "xanax"; "alprazolam ER 1 mg twice daily" -> "alprazolam";
    "Adderall XR 20 mg" -> "adderall xr" (a release suffix stays when it is part of a brand).
    """
    return " ".join(Catalogue.default()._core_words(text))
