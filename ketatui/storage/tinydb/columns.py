"""The whole records list in memory, column by column, in list order.

At 100k intakes the list kept as one 18-field tuple per row took about 140 MB, more than the
whole process may use. Here each field is one column of its values in list order, about 40 MB
in all: the ids, names, folded names and times are lists of the rows' own strings; a value that
repeats (a status, a user, a birth date, a schedule, a revision) is kept once, with a 2-byte
number a row (``Shared``); the flags and the shard number are one byte a row. A filter or a
search is a few C-level passes over whole columns that give the positions of the rows kept, in
list order, so no bytecode runs per row; row tuples (``index``'s layout) are made only for the
rows a page shows.

A change moves only the rows that differ, in place: whoever reads the list holds the lock that
guards it (``SummaryCache.held``), so a search in another thread never sees it half-changed.
Positions belong to one version of the list (``version`` tells them apart).
"""

from __future__ import annotations

import bisect
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress, repeat
from operator import contains, eq, itemgetter, not_, or_
from typing import Any

from ketatui.storage.tinydb import index

#: The array type code of a row position (4 bytes).
POSITION = "I"
#: Above this many rows added at once, the list is sorted anew rather than each row moved into place.
RESORT_FROM = 1000

#: Two columns made from others, after the row tuple's fields in ``Columns.data``: each birth
#: date or "" for none (what a search's date test reads), and the number of each record's shard
#: (the first two hex digits of its id, one byte a row: a changed shard's rows are found at once).
#: (Numbers, not ``index.CAUTION + 1``: ``index`` imports this module before it is complete.)
BORN, SHARD = 18, 19


def _born(dob: Any) -> str:
    return dob or ""


def _derived(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``row`` with the values of the derived columns after its fields."""
    return (*row, _born(row[index.DOB]), int(row[index.ID][:2], 16))


class Shared:
    """A column whose values repeat (a status, a user, a birth date, a schedule): each distinct
    value once in ``values``, and for each row a 2-byte number into it (4 bytes past 65,536
    values). A list of references would take 8 bytes a row."""

    __slots__ = ("codes", "values", "numbers")

    def __init__(self, values: list[Any], codes: array[int]):
        self.values = values
        self.codes = codes
        self.numbers = {value: number for number, value in enumerate(values)}

    @classmethod
    def of(cls, items: Iterable[Any]) -> Shared:
        numbers: dict[Any, int] = {}
        codes = [numbers.setdefault(value, len(numbers)) for value in items]
        return cls(list(numbers), array("H" if len(numbers) <= 0xFFFF else "I", codes))

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[Any]:
        return map(self.values.__getitem__, self.codes)

    def __getitem__(self, at: Any) -> Any:
        if isinstance(at, slice):
            return Shared(self.values[:], self.codes[at])
        return self.values[self.codes[at]]

    def __delitem__(self, at: int) -> None:
        del self.codes[at]

    def _number(self, value: Any) -> int:
        number = self.numbers.get(value)
        if number is None:
            number = self.numbers[value] = len(self.values)
            self.values.append(value)
            if number > 0xFFFF and self.codes.typecode == "H":
                self.codes = array("I", self.codes)
        return number

    def insert(self, at: int, value: Any) -> None:
        number = self._number(value)
        self.codes.insert(at, number)

    def extend(self, items: Iterable[Any]) -> None:
        numbers = [self._number(value) for value in items]
        self.codes.extend(numbers)

    def take(self, positions: Iterable[int]) -> Shared:
        """The values at ``positions``, in that order."""
        return Shared(self.values[:], array(self.codes.typecode, map(self.codes.__getitem__, positions)))

    def of_chosen(self, chosen: Sequence[int] | None) -> Iterable[Any]:
        """The values of the rows at ``chosen`` (of every row if None), one C-level pass."""
        return iter(self) if chosen is None else map(self.values.__getitem__, map(self.codes.__getitem__, chosen))

    def numbers_of(self, test: Callable[[Any], bool]) -> set[int]:
        """The numbers of the values that pass ``test`` (a few thousand values at most)."""
        return {number for number, value in enumerate(self.values) if test(value)}

    def codes_of(self, chosen: Sequence[int] | None) -> Iterable[int]:
        return self.codes if chosen is None else map(self.codes.__getitem__, chosen)


#: The columns kept as ``Shared``, values that repeat from row to row: DOB, STATUS, REV,
#: UPDATED_BY, CREATED_BY, STEP, SESSIONS, AMENDS (numbers, as BORN and SHARD are).
SHARED = (3, 4, 5, 7, 8, 12, 13, 15)


class Columns:
    """Every row of the records list, in list order; see the module's docstring."""

    __slots__ = ("data", "born", "version", "chars")

    def __init__(self, data: list[Any], chars: frozenset[str] | None = None):
        self.data = data  # data[at]: the column of the row tuple's field ``at`` (None for ID_DOB), then BORN and SHARD
        self.born = data[BORN]
        self.version = 0  # set by whoever hands this list out
        self.chars = chars  # ``name_chars()`` when known already (read with the list)

    # --- making one ---

    @classmethod
    def of(cls, rows: Iterable[tuple[Any, ...]]) -> Columns:
        """The columns of ``rows`` (row tuples, already in list order)."""
        rows = rows if isinstance(rows, list) else list(rows)
        # The flags are kept one byte a row (0 or 1) and given back as booleans; ID_DOB is made
        # from ID and DOB when a row is.
        flags = (index.URGENT, index.BLOCKED, index.TRAINING, index.REVIEW, index.CAUTION)
        data: list[Any] = [None] * (SHARD + 1)
        for at in range(BORN):
            if at != index.ID_DOB:
                values = map(itemgetter(at), rows)
                data[at] = bytearray(values) if at in flags else Shared.of(values) if at in SHARED else list(values)
        data[BORN] = Shared.of(map(_born, data[index.DOB]))
        data[SHARD] = bytearray(int(record_id[:2], 16) for record_id in data[index.ID])
        return cls(data)

    @classmethod
    def empty(cls) -> Columns:
        return cls.of([])

    def copy(self) -> Columns:
        return Columns([None if column is None else column[:] for column in self.data], self.chars)

    # --- reading rows ---

    def __len__(self) -> int:
        return len(self.data[index.ID])

    def row(self, at: int) -> tuple[Any, ...]:
        """Row ``at`` as the tuple ``index`` describes (equal to the one read from its shard)."""
        d = self.data
        record_id, dob = d[index.ID][at], d[index.DOB][at]
        return (record_id, d[index.NAME][at], d[index.NAME_KEY][at], dob, d[index.STATUS][at], d[index.REV][at],
                d[index.UPDATED_AT][at], d[index.UPDATED_BY][at], d[index.CREATED_BY][at], d[index.URGENT][at] == 1,
                d[index.BLOCKED][at] == 1, d[index.TRAINING][at] == 1, d[index.STEP][at], d[index.SESSIONS][at],
                index.id_dob(record_id, dob), d[index.AMENDS][at], d[index.REVIEW][at] == 1, d[index.CAUTION][at] == 1)

    def rows(self, positions: Iterable[int]) -> list[tuple[Any, ...]]:
        return list(map(self.row, positions))

    def column(self, at: int) -> Sequence[Any]:
        return self.data[at]

    def counts(self) -> Counter[tuple[str, bool, bool]]:
        """How many rows there are of each (status, urgent, training): ``index.count_by_filter``."""
        d = self.data
        return Counter(zip(d[index.STATUS], map(bool, d[index.URGENT]), map(bool, d[index.TRAINING])))

    def name_chars(self) -> frozenset[str]:
        """Every character of every folded name (see ``narrow``)."""
        if self.chars is None:
            self.chars = frozenset("".join(self.data[index.NAME_KEY]))
        return self.chars

    def first(self, count: int, *, hide_training: bool = False) -> list[int]:
        """The positions of the first ``count`` rows (of those not training records, if asked)."""
        if not hide_training:
            return list(range(min(count, len(self))))
        kept: list[int] = []
        training = self.data[index.TRAINING]
        start = 0
        while len(kept) < count:
            at = training.find(0, start)
            if at < 0:
                break
            kept.append(at)
            start = at + 1
        return kept

    # --- filters and search: positions of the rows kept, in list order ---

    def _kept(self, chosen: Sequence[int] | None, tests: Iterable[Any]) -> array[int]:
        """The positions whose test passed, as 4-byte numbers: a search result kept for the next
        key costs 4 bytes a row, not a Python int each."""
        return array(POSITION, compress(range(len(self)) if chosen is None else chosen, tests))

    def _values(self, chosen: Sequence[int] | None, column: Any) -> Iterable[Any]:
        if isinstance(column, Shared):
            return column.of_chosen(chosen)
        return column if chosen is None else map(column.__getitem__, chosen)

    def select(self, *, within: Sequence[int] | None = None, search: str | None = None, status: str | None = None,
               urgent: bool | None = None, due: str | None = None, training: bool | None = None,
               created_or_updated_by: str | None = None, name_chars: frozenset[str] | None = None) -> Sequence[int]:
        """The positions (of ``within``, or of every row) that every given filter keeps, in list
        order; as ``index.matching``, which says the same of row tuples."""
        chosen = within
        d = self.data
        for at, wanted in ((index.URGENT, urgent), (index.TRAINING, training)):
            if wanted is not None:
                flags = self._values(chosen, d[at])
                chosen = self._kept(chosen, flags if wanted else map(not_, flags))
        if status is not None:
            chosen = self._kept(chosen, map(eq, self._values(chosen, d[index.STATUS]), repeat(status)))
        if due is not None:
            chosen = self._kept(chosen, map(contains, self._values(chosen, d[index.SESSIONS]), repeat(due)))
        if created_or_updated_by is not None:
            user = repeat(created_or_updated_by)
            chosen = self._kept(chosen, map(or_, map(eq, self._values(chosen, d[index.CREATED_BY]), user),
                                            map(eq, self._values(chosen, d[index.UPDATED_BY]), user)))
        if search:
            return self.narrow(chosen, search, name_chars)
        return range(len(self)) if chosen is None else chosen

    def narrow(self, chosen: Sequence[int] | None, search: str, name_chars: frozenset[str] | None = None) -> Sequence[int]:
        """The positions (of ``chosen``, or of every row) matching every word of ``search``: as
        ``index.narrow``, one pass of C-level ``map``s a word, over only the tests it can pass."""
        for token in (index.fold(t) for t in search.split()):
            name = name_chars is None or name_chars.issuperset(token)
            start = index.search_start(token)
            # A few thousand birth dates are shared by every row: those that start so are found
            # once, and each row is a set lookup (none: no test at all).
            born = set() if start is None else self.born.numbers_of(lambda value: value.startswith(start))
            if not name and start is None:
                return array(POSITION)
            if chosen is None and start is None:  # the name alone: one pass straight to positions
                chosen = self._kept(None, map(contains, self.data[index.NAME_KEY], repeat(token)))
            elif chosen is None:
                chosen = self._kept(None, self._whole(token if name else None, start, born))
            else:
                chosen = self._kept(chosen, self._among(chosen, token if name else None, start, born))
        return range(len(self)) if chosen is None else chosen

    def _among(self, chosen: Sequence[int], token: str | None, start: str | None, born: set[int]) -> Iterable[Any]:
        """Whether each row of ``chosen`` has ``token`` in its name, or its id or birth date starts with ``start``."""
        d = self.data
        tests = []
        if token is not None:
            tests.append(map(contains, map(d[index.NAME_KEY].__getitem__, chosen), repeat(token)))
        if start is not None:
            tests.append(map(str.startswith, map(d[index.ID].__getitem__, chosen), repeat(start)))
        if born:
            tests.append(map(born.__contains__, self.born.codes_of(chosen)))
        passed = tests[0]
        for more in tests[1:]:
            passed = map(or_, passed, more)
        return passed

    def _whole(self, token: str | None, start: str | None, born: set[int]) -> bytes:
        """``_among`` for every row, as one byte a row: each test makes its bytes in one C-level
        pass (the id's by its shard number, translated through a table of the 256), and the
        tests are joined as big integers."""
        d, count = self.data, len(self)
        passed = 0
        if token is not None:
            passed |= int.from_bytes(bytes(map(contains, d[index.NAME_KEY], repeat(token))), "little")
        if start is not None:
            table = bytes(format(number, "02x").startswith(start[:2]) for number in range(256))
            ids = bytearray(d[SHARD].translate(table))
            if len(start) > 2:  # the rows of those shards, a few hundred: their ids tested one by one
                names = d[index.ID]
                for at in compress(range(count), ids):
                    if not names[at].startswith(start):
                        ids[at] = 0
            passed |= int.from_bytes(ids, "little")
        if born:
            passed |= int.from_bytes(bytes(map(born.__contains__, self.born.codes)), "little")
        return passed.to_bytes(count, "little")

    # --- order ---

    def key(self, today: str) -> Any:
        """The list order (``index.order_for``) of the row at a position."""
        d = self.data
        ids, urgent, updated = d[index.ID], d[index.URGENT], d[index.UPDATED_AT]
        sessions = d[index.SESSIONS]  # its numbers may be made wider while rows are inserted: looked up each time
        reverse, none = index.REVERSED, index.NO_SESSION

        def order(at: int) -> tuple[bool, str, str, str]:
            ahead = sessions.values[sessions.codes[at]]
            if ahead:
                i = bisect.bisect_left(ahead, today)
                ahead = ahead[i] if i < len(ahead) else none
            return (urgent[at] != 1, ahead or none, updated[at].translate(reverse), ids[at])

        return order

    def sorted(self, today: str) -> Columns:
        """A new list of the same rows in list order for ``today``."""
        return self._taken(sorted(range(len(self)), key=self.key(today)))

    def _taken(self, positions: list[int]) -> Columns:
        """A new list of the rows at ``positions``, in that order."""
        def taken(column: Any) -> Any:
            if column is None:
                return None
            if isinstance(column, Shared):
                return column.take(positions)
            return (bytearray if isinstance(column, bytearray) else list)(map(column.__getitem__, positions))

        return Columns(list(map(taken, self.data)), self.chars)

    # --- changes ---

    def positions_in(self, shards: Iterable[str]) -> dict[str, int]:
        """Each record id of those ``shards`` with its position (a byte search a row found)."""
        ids, numbers = self.data[index.ID], self.data[SHARD]
        found = {}
        for shard in shards:
            number = int(shard, 16)
            at = numbers.find(number)
            while at >= 0:
                found[ids[at]] = at
                at = numbers.find(number, at + 1)
        return found

    def moved(self, removed: Iterable[int], added: list[tuple[Any, ...]], today: str) -> Columns:
        """This list without the rows at ``removed`` and with the rows ``added``, in list order for
        ``today`` (the rows kept are in it already). Changed in place (whoever reads it holds the
        lock that guards it), each added row moved to its place by bisection; when many rows
        come or go at once, a new list made in one pass instead."""
        gone = set(removed)
        new = self
        if len(gone) > RESORT_FROM // 10:
            keep = bytearray(b"\x01") * len(self)
            for at in gone:
                keep[at] = 0
            new = self._taken(list(compress(range(len(self)), keep)))
        else:
            for at in sorted(gone, reverse=True):
                for column in self.data:
                    if column is not None:
                        del column[at]
        if new.chars is not None and added:
            new.chars = new.chars.union("".join(row[index.NAME_KEY] for row in added))
        if len(added) > max(RESORT_FROM, len(new) // 8):
            new._append(added)
            return new.sorted(today)
        order, key = index.order_for(today), new.key(today)
        for row in added:
            new._insert(bisect.bisect_left(range(len(new)), order(row), key=key), row)
        return new

    def _append(self, rows: list[tuple[Any, ...]]) -> None:
        rows = list(map(_derived, rows))
        for at, column in enumerate(self.data):
            if column is not None:
                column.extend(map(itemgetter(at), rows))

    def _insert(self, position: int, row: tuple[Any, ...]) -> None:
        for column, value in zip(self.data, _derived(row)):
            if column is not None:
                column.insert(position, value)
