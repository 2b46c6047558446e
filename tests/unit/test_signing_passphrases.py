"""Signing passphrases are kept as salted scrypt hashes and wrong tries lock signing for a while."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ketatui.storage import signing


def test_a_passphrase_is_stored_as_salted_scrypt_with_its_parameters():
    first, second = signing.hash_passphrase("correct horse"), signing.hash_passphrase("correct horse")
    assert first["kdf"] == "scrypt" and (first["n"], first["r"], first["p"]) == (2**15, 8, 1)
    assert first["salt"] != second["salt"] and first["hash"] != second["hash"], "a random salt each time"
    assert "correct horse" not in repr(first)
    assert signing.verify_passphrase("correct horse", first) and signing.verify_passphrase("correct horse", second)
    assert not signing.verify_passphrase("correct horsE", first)
    assert not signing.verify_passphrase("", first)


def test_an_old_hash_verifies_with_the_parameters_stored_with_it(monkeypatch):
    monkeypatch.setattr(signing, "COST", {"n": 2**14, "r": 8, "p": 1})
    old = signing.hash_passphrase("kept from before")
    monkeypatch.setattr(signing, "COST", {"n": 2**15, "r": 8, "p": 1})
    assert old["n"] == 2**14 and signing.verify_passphrase("kept from before", old)


def test_a_new_passphrase_is_long_enough_and_typed_the_same_twice():
    with pytest.raises(signing.PassphraseRefused, match="at least 8 characters"):
        signing.check_new("short", "short")
    with pytest.raises(signing.PassphraseRefused, match="differ"):
        signing.check_new("long enough", "long enougH")
    signing.check_new("long enough", "long enough")


def test_five_wrong_tries_lock_signing_for_a_while_then_counting_starts_again():
    now = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    tries = signing.Attempts()
    for left in (4, 3, 2, 1):
        tries = tries.failed(now)
        assert tries.left == left and not tries.locked(now)
    tries = tries.failed(now)
    assert tries.left == 0 and tries.locked(now) and tries.locked(now + signing.LOCKED_FOR / 2)
    later = now + signing.LOCKED_FOR
    assert not tries.locked(later)
    assert tries.failed(later).left == 4, "after the lock, a wrong try counts from one again"
    assert signing.Attempts.of(tries.as_record()) == tries
