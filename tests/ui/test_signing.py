"""Signing from the records browser: the first signature sets the passphrase (typed twice), wrong
tries are counted on screen and in the audit log until signing locks; an amendment's view shows
its reason and what changed. Pictures of the sign dialog and the amendment view at 80x24."""

from __future__ import annotations

import pytest

from ketatui.screens.amend_dialog import ChangesDialog
from ketatui.screens.records_browser import RecordsBrowser
from ketatui.screens.sign_dialog import SignDialog
from ketatui.storage import signing

from test_records_browser import THEMES, USER, acts, intake_doc, text_of, wait_for, words

SIX = ["2099-01-05", "2099-01-08", "2099-01-12", "2099-01-15", "2099-01-19", "2099-01-22"]


def reviewed(repository, make_intake, name: str = "Harriet Okafor") -> dict:
    stored = repository.create(intake_doc(make_intake, name, dates=SIX), user="kiosk")
    repository.submit(stored["record_id"], user=USER, expected_rev=1)
    return repository.review(stored["record_id"], user=USER, expected_rev=2)


def amended(repository, make_intake) -> dict:
    """A signed plan amended with a reason, its weight and escort changed since."""
    doc = reviewed(repository, make_intake)
    rid = doc["record_id"]
    repository.sign(rid, user=USER, expected_rev=3)
    draft = repository.amend(rid, user=USER, reason="Weight re-measured; new escort")
    draft["medical_history"]["demographics"]["weight_kg"] = 91.5
    draft["goals_support"]["escort"]["name"] = "Tomas Okafor"
    return repository.save(draft, user=USER, expected_rev=draft["rev"])


async def signing_open(d, app) -> SignDialog:
    await d.until(lambda: isinstance(app.screen, RecordsBrowser) and app.ready and app.screen.rows, "the records")
    await d.keys("f3")
    return await d.until(lambda: isinstance(app.screen, SignDialog) and app.screen, "the sign dialog")


async def test_the_first_signature_sets_the_passphrase_typed_twice(make_app, driver_for, repository, settings, make_intake) -> None:
    rid = reviewed(repository, make_intake)["record_id"]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        dialog = await signing_open(d, app)
        assert "First signature: set a signing passphrase for dr.lee, typed twice (8+ characters)." in words(d)
        await d.type("short")
        await d.keys("enter")
        await d.type("short")
        await d.keys("enter")
        assert "! Signing passphrase: use at least 8 characters (it has 5)." in words(d)
        await d.type("north star 42")
        await d.keys("enter")
        await d.type("north star 24")
        await d.keys("enter")
        assert "! Signing passphrase: the two entries differ; type the same passphrase twice." in words(d)
        assert not repository.has_signing_passphrase(USER)
        await d.type("north star 42")
        await d.keys("enter")
        await d.type("north star 42")
        await d.keys("enter")
        await d.until(lambda: app.screen is not dialog, "the signature")
        await d.until(lambda: app.screen.rows and app.screen.rows[0].status == "signed", "the list to say signed")
    assert repository.has_signing_passphrase(USER)
    assert repository.get(rid, user="test")["signed_by"] == USER
    assert [a for a in acts(settings, rid) if a[1] == USER][-2:] == [("view", USER, 3), ("sign", USER, 4)]
    assert acts(settings, "*") == [("passphrase-set", USER, 0)]


async def test_wrong_tries_are_counted_until_signing_locks(make_app, driver_for, repository, settings, make_intake) -> None:
    rid = reviewed(repository, make_intake)["record_id"]
    repository.set_signing_passphrase(USER, "north star 42")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        dialog = await signing_open(d, app)
        for left in (4, 3, 2, 1):
            await d.type(f"guess {left}")
            await d.keys("enter")
            await d.until(lambda: f"{left} tr" in words(d) and not dialog.busy, f"{left} tries left")
        assert "! Wrong passphrase: 1 try left. Nothing was signed." in words(d)
        await d.type("guess 0")
        await d.keys("enter")
        await d.until(lambda: "locked" in words(d), "the lock")
        assert f"Wrong passphrase. Signing is locked for {USER} until" in words(d)
        await d.type("north star 42")
        await d.keys("enter")
        await d.until(lambda: "too many wrong passphrases" in words(d), "the right one refused while locked")
        await d.keys("escape")
        await d.until(lambda: isinstance(app.screen, RecordsBrowser), "the browser")
        assert "Not signed." in words(d)
    assert repository.get(rid, user="test")["status"] == "reviewed"
    assert [a for a, _, _ in acts(settings, rid)].count("sign-refused") == signing.MAX_TRIES + 1


@pytest.mark.parametrize("theme", THEMES)
def test_sign_dialog(snap_compare, settle, make_app, repository, make_intake, theme) -> None:
    reviewed(repository, make_intake)
    repository.set_signing_passphrase(USER, "north star 42")

    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await wait_for(pilot, lambda: pilot.app.ready and "of 1" in text_of(pilot))
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignDialog))
        await pilot.press(*"not it at all", "enter")
        await wait_for(pilot, lambda: "4 tries left" in text_of(pilot))
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=run)


@pytest.mark.parametrize("theme", THEMES)
def test_amendment_view(snap_compare, settle, make_app, repository, make_intake, theme) -> None:
    amended(repository, make_intake)

    async def run(pilot) -> None:
        pilot.app.animation_level = "none"
        await wait_for(pilot, lambda: pilot.app.ready and "of 1" in text_of(pilot))
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChangesDialog))
        await settle(pilot)

    assert snap_compare(make_app(theme=theme), terminal_size=(80, 24), run_before=run)


async def test_the_amendment_view_says_why_and_what_changed(make_app, driver_for, repository, make_intake) -> None:
    amended(repository, make_intake)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: isinstance(app.screen, RecordsBrowser) and app.ready and app.screen.rows, "the records")
        await d.keys("f4")
        await d.until(lambda: isinstance(app.screen, ChangesDialog), "the amendment view")
        text = words(d)
        assert "Amendment of Harriet Okafor: revision 4 (signed) → 6" in text
        assert "Reason: Weight re-measured; new escort" in text
        assert "Medical history › About the person › Weight (kg):" in text and "→ 91.5" in text
        assert "Goals and support › " in text and "→ Tomas Okafor" in text
