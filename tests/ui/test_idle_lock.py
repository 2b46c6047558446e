"""Automatic logoff: after the idle time the clinician App covers every name and answer with the
lock screen; the signing passphrase unlocks it where the clinician was, Ctrl+Q saves the draft
and closes; every lock, unlock, wrong passphrase and close is in the audit log.

The App's own timer does the locking; only the clock it reads is moved forward, so no test waits
ten minutes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ketatui.screens.idle_lock import LockScreen
from ketatui.screens.records_browser import RecordsBrowser

USER = "dr.lee"
PASSPHRASE = "north star 42"
NAME = "Pat Private"


def session_acts(settings) -> list[tuple[str, str]]:
    lines = [json.loads(line) for line in Path(settings.data_dir, "audit.log").read_text().splitlines() if line]
    return [(a["action"], a["user"]) for a in lines if a["record_id"] == "*"]


def words(d) -> str:
    """The screen as one line of words without box edges, so a wrapped sentence reads whole."""
    return " ".join(d.text().translate(str.maketrans("", "", "┃│▊▎")).split())


def clocked(app) -> list[float]:
    """The clock the App's idle timer reads, moved by the test."""
    now = [10_000.0]
    app.idle_clock = lambda: now[0]
    return now


async def typed_a_name(d, app) -> None:
    await d.new_intake()
    await d.type(NAME)
    await d.until(lambda: NAME in d.text(), "the name on screen")


async def idle_for(d, now: list[float], seconds: float) -> None:
    now[0] += seconds
    await d.pilot.pause(1.3)  # the App looks once a second


async def locked_on_the_records(d, app, now: list[float]) -> None:
    await d.until(lambda: isinstance(app.screen, RecordsBrowser) and app.ready, "the records")
    await idle_for(d, now, 601)
    await d.until(lambda: isinstance(app.screen, LockScreen), "the lock")


async def test_idle_time_hides_everything_and_the_passphrase_brings_it_back(make_app, driver_for, repository, settings) -> None:
    repository.set_signing_passphrase(USER, PASSPHRASE)
    app = make_app()
    now = clocked(app)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await typed_a_name(d, app)
        await idle_for(d, now, 599)
        assert not app.locked, "not before the idle time"
        await d.type(" ")  # a key starts the count again
        await idle_for(d, now, 599)
        assert not app.locked
        await idle_for(d, now, 2)
        await d.until(lambda: isinstance(app.screen, LockScreen), "the lock")
        shown = d.text()
        assert "ketatui is locked" in shown
        assert "after 10 minutes without a key" in shown and "Clinician: dr.lee" in shown
        assert NAME not in shown and "Medical history" not in shown, "no health data under the lock"
        await d.until(lambda: any(r.full_name == NAME.strip() for r in repository.drafts()), "the draft saved as it locked")

        for key in ("f10", "f2", "f3", "f4", "ctrl+s", "f9", "ctrl+p", "f1"):
            await d.keys(key)  # nothing else opens while locked
            assert isinstance(app.screen, LockScreen), key
        await d.type("not it at all")
        await d.keys("enter")
        await d.until(lambda: "That is not the signing passphrase of dr.lee" in words(d), "the refusal")
        assert "4 tries left" in words(d)
        assert isinstance(app.screen, LockScreen)

        await d.type(PASSPHRASE)
        await d.keys("enter")
        await d.until(lambda: not app.locked, "the unlock")
        assert NAME in d.text(), "back where the clinician was, the answer still there"
        assert app.step is not None and app.focused is not None
    acts = session_acts(settings)
    assert acts[-3:] == [("lock", USER), ("unlock-refused", USER), ("unlock", USER)]


async def test_ctrl_q_at_the_lock_saves_the_draft_and_closes(make_app, driver_for, repository, settings) -> None:
    repository.set_signing_passphrase(USER, PASSPHRASE)
    app = make_app(clinician_idle_timeout=120)
    now = clocked(app)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await typed_a_name(d, app)
        await d.type(" Jr")  # typed, the field not left: the lock keeps it anyway
        await idle_for(d, now, 121)
        await d.until(lambda: isinstance(app.screen, LockScreen), "the lock")
        assert "after 2 minutes without a key" in d.text()
        await d.keys("ctrl+q")
        await d.until(lambda: app._exit_renderables is not None or not app.is_running or app.return_code is not None, "the close")
    names = [r.full_name for r in repository.drafts()]
    assert names == [f"{NAME} Jr"]
    assert [a for a in session_acts(settings) if a[0] != "passphrase-set"] == [("lock", USER), ("logoff", USER)]


async def test_without_a_signing_passphrase_the_lock_can_only_close(make_app, driver_for, settings) -> None:
    app = make_app()
    now = clocked(app)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await locked_on_the_records(d, app, now)
        assert "This lock can only be closed: there is no signing passphrase to unlock it with" in words(d)
        assert not app.screen.query("#lock-passphrase")


async def test_notifications_wait_for_the_unlock(make_app, driver_for, repository) -> None:
    repository.set_signing_passphrase(USER, PASSPHRASE)
    app = make_app()
    now = clocked(app)
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await locked_on_the_records(d, app, now)
        app.notify(f"Signed by {USER}: {NAME}")
        await pilot.pause(0.2)
        assert NAME not in d.text()
        assert not any(NAME in n.message for n in app._notifications), "held, not shown"
        await d.type(PASSPHRASE)
        await d.keys("enter")
        await d.until(lambda: not app.locked, "the unlock")
        await d.until(lambda: any(NAME in n.message for n in app._notifications), "the held notification told")


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
def test_lock_screen_picture(theme, make_app, repository, snap_compare, fixed_clock, settle) -> None:
    from datetime import datetime as real

    import ketatui.screens.idle_lock as idle_lock

    repository.set_signing_passphrase(USER, PASSPHRASE)

    class At(real):
        @classmethod
        def now(cls, tz=None):
            return real(2027, 1, 11, 14, 12)

    app = make_app(theme=theme)

    async def lock(pilot) -> None:
        for _ in range(300):
            if app.ready:
                break
            await pilot.pause(0.02)
        idle_lock.datetime = At
        try:
            app.idle_clock = lambda: 10**9
            await pilot.pause(1.3)
        finally:
            idle_lock.datetime = real
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=lock)
