"""Properties of the records list rows (``ketatui.storage.tinydb.index`` and ``saved_list``):
the head file answers a page exactly as the whole list would or not at all, rows survive the
column file unchanged, and the C-level search finds what a plain reading of the rule finds."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from ketatui.storage.tinydb import index
from ketatui.storage.tinydb.saved_list import decode_rows, encode_rows

TODAY = "2026-06-01"
NAMES = ["Ana Öberg", "Ben Ellis", "Chloé Dubois", "Dev Patel", "Ellis Ward", "", "Zoë Fa1"]
DATES = ["2026-05-20", "2026-06-01", "2026-06-03", "2026-07-15"]


@st.composite
def rows(draw):
    row = {
        "record_id": str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)),
        "full_name": draw(st.sampled_from(NAMES)),
        "date_of_birth": draw(st.sampled_from([None, "1984-03-14", "1950-12-01"])),
        "status": draw(st.sampled_from(["draft", "submitted", "reviewed", "signed"])),
        "rev": draw(st.integers(1, 9)),
        "updated_at": draw(st.sampled_from([None, "2026-05-01T10:00:00.000000+00:00", "2026-05-02T09:00:00.000000+00:00"])),
        "updated_by": draw(st.sampled_from([None, "dr.lee", "kiosk"])),
        "created_by": draw(st.sampled_from([None, "kiosk"])),
        "urgent": draw(st.booleans()), "blocked": draw(st.booleans()), "training": draw(st.booleans()),
        "current_step": draw(st.sampled_from([None, "summary", "medications"])),
        "sessions": sorted(draw(st.lists(st.sampled_from(DATES), max_size=3, unique=True))),
        "amends_rev": draw(st.sampled_from([None, 2])),
    }
    return index._as_tuple(row)


def ordered(tuples):
    return sorted(tuples, key=index.order_for(TODAY))


filters = st.fixed_dictionaries({
    "status": st.sampled_from([None, "draft", "signed"]), "urgent": st.sampled_from([None, True, False]),
    "training": st.sampled_from([None, True, False]), "offset": st.integers(0, 6), "limit": st.integers(0, 6),
})


@settings(max_examples=150, deadline=None)
@given(st.lists(rows(), max_size=40, unique_by=lambda r: r[index.ID]), filters, st.integers(1, 12))
def test_the_head_answers_a_page_as_the_whole_list_would_or_not_at_all(tuples, wanted, head_rows):
    every = ordered(tuples)
    index.Head.ROWS, kept = head_rows, index.Head.ROWS
    try:
        head = index.Head.of(TODAY, {}, every)
        answer = head.page(**wanted)
    finally:
        index.Head.ROWS = kept
    chosen = index.matching(every, status=wanted["status"], urgent=wanted["urgent"], training=wanted["training"])
    if answer is not None:
        assert answer == (chosen[wanted["offset"]:wanted["offset"] + wanted["limit"]], len(chosen))
    elif len(every) < head_rows:
        raise AssertionError("a head holding every row always answers")


@settings(max_examples=100, deadline=None)
@given(st.lists(rows(), max_size=30))
def test_rows_come_back_from_the_column_file_unchanged(tuples):
    assert decode_rows(encode_rows(tuples)) == tuples


@settings(max_examples=200, deadline=None)
@given(st.lists(rows(), max_size=30), st.sampled_from(["ell", "EL", "oe", "é", "1", "19", "1984-03", "3/14/1984", "a", "fa1", "zz", "ellis ward"]))
def test_the_search_finds_what_the_rule_says(tuples, search):
    def plain(row, word):
        start = index._date_token(word) or (word if all(c in "0123456789abcdef-" for c in word) else None)
        return word in row[index.NAME_KEY] or (start is not None and (
            row[index.ID].startswith(start) or (row[index.DOB] or "").startswith(start)))

    words = [index.fold(w) for w in search.split()]
    expected = [r for r in tuples if all(plain(r, w) for w in words)]
    chars = frozenset("".join(r[index.NAME_KEY] for r in tuples))
    assert index.narrow(tuples, search) == expected
    assert index.narrow(tuples, search, chars) == expected
