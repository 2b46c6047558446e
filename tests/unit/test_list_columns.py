"""The records list kept column by column (``ketatui.storage.tinydb.columns``) and its packed file
(``saved_list.pack_columns``): every filter, search and order gives exactly what a plain
reading of the rules over row tuples gives, rows moved into place equal a fresh sort, and the
packed file gives back the same rows or, damaged or of an older format, nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketatui.storage.tinydb import columns, index
from ketatui.storage.tinydb.columns import Columns
from ketatui.storage.tinydb.saved_list import LIST_FORMAT, pack_columns, unpack_columns

TODAY = "2026-06-01"
NAMES = ["Ana Öberg", "Ben Ellis", "Chloé Dubois", "Dev Patel", "Ellis Ward", "", "Zoë Fa1", "Nul\x00In Name"]
DATES = ["2026-05-20", "2026-06-01", "2026-06-03", "2026-07-15"]
TIMES = ["", "2026-05-01T10:00:00.000000+00:00", "2026-05-02T09:00:00.000000+00:00"]



@st.composite
def rows(draw):
    return index._as_tuple({
        "record_id": str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)),
        "full_name": draw(st.sampled_from(NAMES)),
        "date_of_birth": draw(st.sampled_from([None, "1984-03-14", "1950-12-01", "1984-11-02"])),
        "status": draw(st.sampled_from(["draft", "submitted", "reviewed", "signed"])),
        "rev": draw(st.integers(1, 9)),
        "updated_at": draw(st.sampled_from(TIMES)),
        "updated_by": draw(st.sampled_from([None, "dr.lee", "kiosk"])),
        "created_by": draw(st.sampled_from([None, "kiosk", "dr.lee"])),
        "urgent": draw(st.booleans()), "blocked": draw(st.booleans()), "training": draw(st.booleans()),
        "review": draw(st.booleans()), "caution": draw(st.booleans()),
        "current_step": draw(st.sampled_from([None, "summary", "medications"])),
        "sessions": sorted(draw(st.lists(st.sampled_from(DATES), max_size=3, unique=True))),
        "amends_rev": draw(st.sampled_from([None, 2])),
    })


def ordered(tuples):
    return sorted(tuples, key=index.order_for(TODAY))


unique_rows = st.lists(rows(), max_size=40, unique_by=lambda r: r[index.ID])
SEARCHES = [None, "ell", "EL", "oe", "é", "1", "19", "1984-03", "3/14/1984", "a", "fa1", "zz", "ellis ward", "nul", "b e"]
queries = st.fixed_dictionaries({
    "search": st.sampled_from(SEARCHES),
    "status": st.sampled_from([None, "draft", "signed"]),
    "urgent": st.sampled_from([None, True, False]),
    "due": st.sampled_from([None, *DATES]),
    "training": st.sampled_from([None, True, False]),
    "created_or_updated_by": st.sampled_from([None, "kiosk", "dr.lee"]),
})


NO_FILTERS = {"search": None, "status": None, "urgent": None, "due": None, "training": None, "created_or_updated_by": None}


def plain_match(row, query) -> bool:
    """The rules in words: every given filter, every typed word in the name or at the start of
    the record id or the birth date."""
    if query["status"] is not None and row[index.STATUS] != query["status"]:
        return False
    if query["urgent"] is not None and row[index.URGENT] != query["urgent"]:
        return False
    if query["training"] is not None and row[index.TRAINING] != query["training"]:
        return False
    if query["due"] is not None and query["due"] not in row[index.SESSIONS]:
        return False
    if query["created_or_updated_by"] is not None and query["created_or_updated_by"] not in (row[index.CREATED_BY], row[index.UPDATED_BY]):
        return False
    for word in (query["search"] or "").split():
        word = index.fold(word)
        start = index._date_token(word) or (word if all(c in "0123456789abcdef-" for c in word) else None)
        if not (word in index.fold(row[index.NAME]) or (start is not None and (
                row[index.ID].startswith(start) or (row[index.DOB] or "").startswith(start)))):
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(unique_rows, queries)
def test_filters_and_search_keep_exactly_the_rows_the_rules_keep_in_list_order(tuples, query):
    every = ordered(tuples)
    kept = Columns.of(every)
    expected = [r for r in every if plain_match(r, query)]
    assert kept.rows(kept.select(**query)) == expected
    chars = kept.name_chars()
    assert kept.rows(kept.select(**query, name_chars=chars)) == expected
    assert index.matching(every, **query) == expected  # the row-tuple form says the same


@settings(max_examples=150, deadline=None)
@given(unique_rows, st.sampled_from(SEARCHES[1:]), st.sampled_from(["", "l", " w", "is"]))
def test_typing_on_narrows_what_the_shorter_search_kept(tuples, search, more):
    kept = Columns.of(ordered(tuples))
    shorter = kept.select(search=search)
    assert list(kept.narrow(shorter, search + more)) == list(kept.select(search=search + more))


@settings(max_examples=150, deadline=None)
@given(unique_rows)
def test_rows_come_back_whole_and_the_order_is_the_list_order(tuples):
    kept = Columns.of(tuples)
    assert kept.rows(range(len(kept))) == tuples
    assert kept.sorted(TODAY).rows(range(len(kept))) == ordered(tuples)
    assert kept.counts() == index.count_by_filter(tuples)


@settings(max_examples=200, deadline=None)
@given(unique_rows, st.data(), st.booleans(), st.sampled_from([columns.RESORT_FROM, 20, 0]))
def test_rows_moved_into_place_equal_a_fresh_sort(tuples, data, chars_known, resort_from):
    """Moved one by one, or (``resort_from`` low) the list made again in one pass."""
    kept_setting, columns.RESORT_FROM = columns.RESORT_FROM, resort_from
    try:
        moved_into_place(tuples, data, chars_known)
    finally:
        columns.RESORT_FROM = kept_setting


def moved_into_place(tuples, data, chars_known):
    every = ordered(tuples)
    kept = Columns.of(every)
    if chars_known:  # what a search worked out before the move is kept up to date by it
        kept.name_chars()
        kept.select(search="1")
    removed = data.draw(st.sets(st.integers(0, max(0, len(every) - 1)), max_size=len(every))) if every else set()
    added = data.draw(st.lists(rows(), max_size=8, unique_by=lambda r: r[index.ID]))
    taken = {every[at][index.ID] for at in removed}
    added = [r for r in added if r[index.ID] not in {x[index.ID] for x in every} - taken]
    after = kept.moved(removed, added, TODAY)
    expected = ordered([r for at, r in enumerate(every) if at not in removed] + added)
    assert after.rows(range(len(after))) == expected
    for search in ("19", "1984-1", "é", "fa1"):
        assert after.rows(after.select(search=search, name_chars=after.name_chars())) == [
            r for r in expected if plain_match(r, {**NO_FILTERS, "search": search})]
    if after.chars is not None:  # the characters of the names grow with the rows added
        assert after.chars >= Columns(after.data).name_chars()


def test_the_derived_columns_follow_the_row_fields():
    assert (columns.BORN, columns.SHARD) == (index.CAUTION + 1, index.CAUTION + 2)
    assert columns.SHARED == (index.DOB, index.STATUS, index.REV, index.UPDATED_BY, index.CREATED_BY, index.STEP,
                              index.SESSIONS, index.AMENDS)


def test_many_rows_added_at_once_are_sorted_in_one_go(monkeypatch):
    monkeypatch.setattr(columns, "RESORT_FROM", 2)
    made = [index._as_tuple({"record_id": str(uuid.UUID(int=n, version=4)), "full_name": f"P{n}", "rev": 1,
                             "urgent": n % 3 == 0, "updated_at": TIMES[n % 3]}) for n in range(30)]
    after = Columns.of([]).moved([], made, TODAY)
    assert after.rows(range(len(after))) == ordered(made)


def test_positions_of_a_shard_and_the_first_rows_not_training():
    made = ordered(index._as_tuple({"record_id": f"{shard}{n:06x}-0000-4000-8000-000000000000", "full_name": "X", "rev": 1,
                                    "training": n % 2 == 0}) for shard in ("0a", "0b", "ff") for n in range(3))
    kept = Columns.of(made)
    found = kept.positions_in({"0b", "ff"})
    assert sorted(found) == sorted(r[index.ID] for r in made if r[index.ID][:2] in ("0b", "ff"))
    assert all(kept.row(at)[index.ID] == record_id for record_id, at in found.items())
    assert kept.rows(kept.first(2, hide_training=True)) == [r for r in made if not r[index.TRAINING]][:2]
    assert kept.first(50) == list(range(len(made)))
    kept = kept.moved([next(at for at, r in enumerate(made) if r[index.ID][:2] == "0a")], [], TODAY)  # shard numbers move with their rows
    assert kept.positions_in({"0a"}) == {r[index.ID]: at for at, r in enumerate(kept.rows(range(len(kept)))) if r[index.ID][:2] == "0a"}


@settings(max_examples=120, deadline=None)
@given(unique_rows)
def test_the_packed_file_gives_back_the_same_rows(tuples):
    kept = Columns.of(ordered(tuples))
    day, heads, back = unpack_columns(pack_columns(TODAY, {"0a": "00ff"}, kept))
    assert (day, heads) == (TODAY, {"0a": "00ff"})
    assert back.rows(range(len(back))) == kept.rows(range(len(kept)))
    assert list(back.select(search="1984")) == list(kept.select(search="1984"))  # the birth dates searched alike


def test_a_packed_file_of_another_format_or_cut_short_gives_nothing():
    made = [index._as_tuple({"record_id": str(uuid.UUID(int=n, version=4)), "full_name": f"Ana {n}", "rev": 1,
                             "date_of_birth": "1984-03-14"}) for n in range(20)]
    plain = pack_columns(TODAY, {}, Columns.of(made))
    older = json.dumps({"format": LIST_FORMAT - 1, "day": TODAY, "heads": {}, "columns": {}}).encode()
    with pytest.raises((ValueError, KeyError, TypeError, IndexError)):
        unpack_columns(older)
    size = int.from_bytes(plain[:4], "big")
    assert unpack_columns(plain[:4] + plain[4:4 + size].replace(b'"format":%d' % LIST_FORMAT, b'"format":%d' % (LIST_FORMAT + 1)) + plain[4 + size:]) is None
    with pytest.raises(ValueError):
        unpack_columns(plain[:-30])  # a column runs past the end


def test_a_shared_column_takes_wider_numbers_past_65536_values():
    column = columns.Shared.of(["a", "b", "a"])
    assert column.codes.typecode == "H" and list(column) == ["a", "b", "a"]
    for n in range(70_000):
        column.insert(1, f"v{n}")
    assert column.codes.typecode == "I"
    assert column[0] == "a" and column[1] == "v69999" and column[len(column) - 1] == "a" and column[len(column) - 2] == "b"
    del column[1]
    assert column[1] == "v69998" and len(column) == 70_002
    taken = column.take([0, len(column) - 1])
    assert list(taken) == ["a", "a"] and list(column[:2]) == ["a", "v69998"]
    wide = columns.Shared.of(range(70_000))
    assert wide.codes.typecode == "I" and wide[69_999] == 69_999
