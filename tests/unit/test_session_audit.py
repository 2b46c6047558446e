"""The store's part in the idle lock: checking a clinician's signing passphrase without signing
(wrong tries count toward the same lock as signing, and are audited), and the audit lines of the
clinician's session (lock, unlock, logoff)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ketatui.storage import InvalidRequest, NoSigningPassphrase, SigningLocked, WrongPassphrase, open_repository, signing


@pytest.fixture
def repo(tmp_path: Path):
    return open_repository(tmp_path / "data", key_file=tmp_path / "store.key")


def session_lines(tmp_path: Path) -> list[tuple[str, str, str | None]]:
    lines = [json.loads(line) for line in (tmp_path / "data" / "audit.log").read_text().splitlines() if line]
    return [(a["action"], a["user"], a.get("target")) for a in lines if a["record_id"] == "*"]


def test_the_right_passphrase_passes_and_a_wrong_one_is_counted_and_audited(repo, tmp_path: Path) -> None:
    with pytest.raises(NoSigningPassphrase):
        repo.check_signing_passphrase("dr.lee", "anything at all")
    repo.set_signing_passphrase("dr.lee", "north star 42")
    repo.check_signing_passphrase("dr.lee", "north star 42")
    with pytest.raises(WrongPassphrase) as wrong:
        repo.check_signing_passphrase("dr.lee", "south star 42")
    assert wrong.value.left == signing.MAX_TRIES - 1
    for _ in range(signing.MAX_TRIES - 1):
        with pytest.raises(WrongPassphrase):
            repo.check_signing_passphrase("dr.lee", "south star 42")
    with pytest.raises(SigningLocked):
        repo.check_signing_passphrase("dr.lee", "north star 42")  # locked: even the right one waits
    refused = [line for line in session_lines(tmp_path) if line[0] == "unlock-refused"]
    assert refused[:signing.MAX_TRIES] == [("unlock-refused", "dr.lee", "wrong passphrase")] * signing.MAX_TRIES
    assert refused[-1] == ("unlock-refused", "dr.lee", "signing locked")


def test_session_events_are_audit_lines_under_the_clinicians_name(repo, tmp_path: Path) -> None:
    for action in ("lock", "unlock", "lock", "logoff"):
        repo.log_access("dr.okafor", action)
    assert session_lines(tmp_path) == [("lock", "dr.okafor", None), ("unlock", "dr.okafor", None),
                                       ("lock", "dr.okafor", None), ("logoff", "dr.okafor", None)]
    with pytest.raises(InvalidRequest, match="not a session event"):
        repo.log_access("dr.okafor", "delete")
    assert repo.verify_audit().ok
