"""The kiosk's core: the idle clock, the one-answer suicide-screen check, the staff PIN and its
lockout, and the narrow store that reaches only the kiosk's own intakes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketatui.intake.document import Intake
from ketatui.kiosk.idle import IdleClock
from ketatui.kiosk.identity import from_kiosk, kiosk_state, kiosk_user
from ketatui.kiosk.screening import positive_answer, positive_values
from ketatui.kiosk.staff_pin import LOCKED_FOR, MAX_TRIES, PinRefused, StaffPin, check_new_pin, hash_pin, stored_form
from ketatui.kiosk.store import KioskStore, NotThisKiosksRecord
from ketatui.storage import open_repository
from ketatui.storage.repository import Repository


@given(timeout=st.floats(1, 1000), warning=st.floats(1, 100), idle=st.floats(0, 5000))
def test_the_clock_warns_only_after_the_timeout_and_expires_only_after_the_warning(timeout, warning, idle) -> None:
    clock = IdleClock(timeout, warning, last_input=0.0)
    state = clock.state(idle)
    assert state == ("active" if idle < timeout else "warning" if idle < timeout + warning else "expired")
    if state == "warning":
        assert 1 <= clock.seconds_left(idle) <= int(warning) + 1
    clock.touch(idle)
    assert clock.state(idle) == "active" and clock.idle_for(idle) == 0


def test_the_countdown_falls_a_second_at_a_time() -> None:
    clock = IdleClock(60, 30, last_input=0.0)
    assert [clock.seconds_left(t) for t in (60, 60.5, 61, 89.5, 90)] == [30, 30, 29, 1, 0]


@pytest.mark.parametrize(("path", "value", "positive"), [
    ("phq9.answers[8]", 0, False), ("phq9.answers[8]", 1, True), ("phq9.answers[8]", 3, True),
    ("phq9.answers[7]", 3, False), ("phq9.answers[8]", None, False), ("phq9.answers[8]", True, False),
    ("asq.wished_dead", True, True), ("asq.wished_dead", False, False), ("asq.ever_tried", True, True),
    ("asq.thoughts_right_now", True, True), ("asq.ever_tried_details", "yes", False),
])
def test_one_answer_is_a_positive_screen_as_the_rules_say(path, value, positive) -> None:
    assert positive_answer(path, value) is positive
    assert positive_values({"x": 1, path: value}) is positive


def test_a_new_pin_is_digits_only_six_or_more_and_the_same_twice() -> None:
    for pin, again in (("12345", "12345"), ("12ab56", "12ab56"), ("123456", "123457")):
        with pytest.raises(PinRefused):
            check_new_pin(pin, again)
    check_new_pin("123456", "123456")


def test_the_pin_is_kept_only_as_a_salted_hash(tmp_path: Path) -> None:
    a, b = hash_pin("246810"), hash_pin("246810")
    assert a != b and "246810" not in a
    assert stored_form(a)["n"] >= 2**14
    with pytest.raises(ValueError, match="--hash-pin"):
        stored_form("246810")


def test_five_wrong_pins_lock_it_and_the_lock_outlives_a_restart(tmp_path: Path) -> None:
    hashed, tries = hash_pin("246810"), tmp_path / "kiosk" / "pin-tries.json"
    start = datetime(2027, 1, 11, 9, 0, tzinfo=timezone.utc)
    pin = StaffPin(hashed, tries)
    verdicts = [pin.check("000000", start) for _ in range(MAX_TRIES)]
    assert [v.left for v in verdicts[:-1]] == [4, 3, 2, 1] and verdicts[-1].locked_until == start + LOCKED_FOR
    restarted = StaffPin(hashed, tries)
    assert not restarted.check("246810", start + timedelta(minutes=1)).ok, "locked, even with the right PIN"
    assert restarted.check("246810", start + LOCKED_FOR + timedelta(seconds=1)).ok
    assert "246810" not in tries.read_text()


def test_a_right_pin_clears_the_wrong_tries(tmp_path: Path) -> None:
    pin = StaffPin(hash_pin("246810"), tmp_path / "tries.json")
    pin.check("000000")
    assert pin.check("246810").ok
    assert pin.check("000000").left == MAX_TRIES - 1


@pytest.fixture
def store(tmp_path: Path):
    return open_repository(tmp_path / "data", key_file=tmp_path / "store.key")


def test_the_kiosk_store_cannot_list_search_or_open_any_record(store) -> None:
    other = Intake().model_dump(mode="json")
    store.create(other, user="dr.lee")
    kiosk = KioskStore(store)
    assert not isinstance(kiosk, Repository)
    for reach in ("list", "page", "get", "drafts", "revisions", "course_records", "amendments", "search", "__dict__"):
        assert not hasattr(kiosk, reach), f"the kiosk's store has {reach}"
    assert all(not isinstance(getattr(kiosk, name), Repository) for name in KioskStore.__slots__)
    with pytest.raises(AttributeError):
        kiosk.repository = store  # no room to keep the full store
    with pytest.raises(NotThisKiosksRecord):
        kiosk.save(dict(other, rev=1), user="kiosk:x", expected_rev=1)
    with pytest.raises(NotThisKiosksRecord):
        kiosk.submit(other["record_id"], user="kiosk:x", expected_rev=1)
    with pytest.raises(NotThisKiosksRecord):
        kiosk.discard(other["record_id"], user="kiosk:x", expected_rev=1)
    assert store.get(other["record_id"], user="dr.lee")["rev"] == 1, "the other record is untouched"


def test_the_kiosk_store_keeps_and_sends_its_own_intake(store) -> None:
    kiosk = KioskStore(store)
    doc = Intake().model_dump(mode="json")
    stored = kiosk.create(doc, user="kiosk:waiting-room")
    again = kiosk.save(dict(doc, route="esketamine"), user="kiosk:waiting-room", expected_rev=stored["rev"])
    kiosk.submit(doc["record_id"], user="kiosk:waiting-room", expected_rev=again["rev"])
    [row] = store.list()
    assert (row.status, row.updated_by, kiosk_state(row.status, row.updated_by)) == ("submitted", "kiosk:waiting-room", "submitted from kiosk")


def test_a_kiosk_is_told_apart_by_the_name_it_saves_under() -> None:
    assert kiosk_user("waiting-room") == "kiosk:waiting-room" == kiosk_user("kiosk:waiting-room")
    assert from_kiosk("kiosk:waiting-room") and not from_kiosk("dr.lee") and not from_kiosk(None)
    assert kiosk_state("draft", "kiosk:a") == "left at kiosk (unfinished)"
    assert kiosk_state("draft", "dr.lee") is None and kiosk_state("signed", "kiosk:a") is None
