"""The ``records list`` table: 80 columns by default (what a clinician on an SSH terminal has),
every column with ``--wide``.

At 80 columns the table keeps the record id, name, birth date, status and flags, in the list's
order (urgent first, then most recently updated); the revision, when and by whom it was last
saved are in ``--wide``. A name longer
than the room left is cut with an ellipsis (``--wide`` and ``records show`` give it whole), and
flags that do not fit are counted ("URGENT +2"). Nothing wraps. Widths are terminal cells, so a
name in a wide script lines up too.
"""

from __future__ import annotations

import unicodedata

from ketatui.storage import RecordSummary

#: The width a clinician's terminal is assumed to have.
WIDTH = 80
GAP = "  "
#: The name keeps at least this many cells before flags are counted instead of spelled out.
NAME_AT_LEAST = 18


def _char_cells(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """How many terminal cells ``text`` takes: two for a wide character, none for a combining one."""
    return sum(map(_char_cells, text))


def flag_words(r: RecordSummary) -> list[str]:
    """What the FLAGS column says of a record, most serious first: URGENT (suicide risk), BLOCKED
    (a stop flag: not schedulable), REVIEW (look before the first session), CAUTION (monitor),
    TRAINING (a synthetic patient)."""
    marks = (("URGENT", r.urgent), ("BLOCKED", r.blocked), ("REVIEW", r.review), ("CAUTION", r.caution),
             ("TRAINING", r.training))
    return [word for word, on in marks if on]


def _fitted_flags(words: list[str], room: int) -> str:
    """The flag words within ``room`` cells: as many as fit, then ``+N`` for the rest."""
    whole = " ".join(words)
    if cell_len(whole) <= room:
        return whole
    for keep in range(len(words) - 1, 0, -1):
        shown = " ".join(words[:keep]) + f" +{len(words) - keep}"
        if cell_len(shown) <= room:
            return shown
    return f"+{len(words)}" if words else ""


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, an ellipsis marking a cut."""
    if cell_len(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        used += _char_cells(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _lines(rows: list[tuple[str, ...]]) -> str:
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(GAP.join(cell + " " * (w - cell_len(cell)) for cell, w in zip(row, widths)).rstrip() for row in rows)


def _name(r: RecordSummary) -> str:
    return r.full_name or "(no name yet)"


def wide_table(rows: list[RecordSummary]) -> str:
    """Every column, every name and flag whole, however wide that makes it."""
    head = ("RECORD", "NAME", "BORN", "STATUS", "REV", "UPDATED", "BY", "FLAGS")
    lines = [head] + [(r.record_id[:8], _name(r), r.date_of_birth or "", r.status, str(r.rev),
                       (r.updated_at or "")[:16].replace("T", " "), r.updated_by or "", " ".join(flag_words(r)))
                      for r in rows]
    return _lines(lines)


def table(rows: list[RecordSummary], width: int = WIDTH) -> str:
    """The columns a clinician scans, in ``width`` cells."""
    head = ("RECORD", "NAME", "BORN", "STATUS", "FLAGS")
    fixed = [(r.record_id[:8], r.date_of_birth or "", r.status) for r in rows]
    fixed_width = sum(max(cell_len(h), *(cell_len(f[i]) for f in fixed)) for i, h in enumerate(("RECORD", "BORN", "STATUS")))
    room = width - fixed_width - len(GAP) * (len(head) - 1)  # for the name and the flags together
    names = [_name(r) for r in rows]
    flags = [flag_words(r) for r in rows]
    name_width = max(cell_len("NAME"), *map(cell_len, names))
    flags_width = max(cell_len("FLAGS"), *(cell_len(" ".join(f)) for f in flags))
    if name_width + flags_width > room:
        flags_width = max(cell_len("FLAGS"), min(flags_width, room - min(name_width, NAME_AT_LEAST)))
        name_width = room - flags_width
    lines = [head] + [(f[0], _cut(n, name_width), f[1], f[2], _fitted_flags(w, flags_width))
                      for f, n, w in zip(fixed, names, flags)]
    return _lines(lines)
