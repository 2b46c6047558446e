"""The audit log: one line per action, no health data, and any edit, removal or insertion detected."""

from __future__ import annotations

import json

import pytest

from ketatui.storage import open_repository

from stores import store_settings

NAME = "Ines Vasquez-Moreau"


@pytest.fixture
def repo(tmp_path, make_data):
    repo = open_repository(store_settings(tmp_path / "store", tmp_path / "store.key"))
    data = make_data({"medical_history.demographics.full_name": NAME})
    data.pop("record_id")
    doc = repo.create(data, user="kiosk")
    rid = doc["record_id"]
    repo.get(rid, user="dr.lee")
    repo.save(dict(doc, current_step="medications"), user="dr.lee", expected_rev=1)
    repo.sign(rid, user="dr.lee", expected_rev=2)
    repo.log_export(rid, 3, user="dr.lee", target="markdown file")
    repo.amend(rid, user="dr.kim", reason="Dose recalculated")
    draft = repo.create(dict(data, status="draft"), user="kiosk")
    repo.delete(draft["record_id"], user="dr.kim", expected_rev=1)
    return repo


def lines(repo) -> list[dict]:
    return [json.loads(line) for line in repo.layout.audit.read_text().splitlines()]


def test_one_line_per_action_with_who_what_when_and_revision(repo):
    logged = [(line["action"], line["user"], line["rev"]) for line in lines(repo)]
    assert logged == [("create", "kiosk", 1), ("view", "dr.lee", 1), ("update", "dr.lee", 2), ("sign", "dr.lee", 3),
                      ("export", "dr.lee", 3), ("amend", "dr.kim", 4), ("create", "kiosk", 1), ("delete", "dr.kim", 1)]
    assert [line["seq"] for line in lines(repo)] == list(range(1, 9))
    assert all(line["ts"].endswith("+00:00") for line in lines(repo))
    assert repo.audit.verify().ok


def test_no_health_data_in_the_audit_log(repo):
    text = repo.layout.audit.read_text()
    for needle in (NAME, "Vasquez", "1984-03-14", "sertraline", "phq9", "medical_history"):
        assert needle not in text
    assert {key for line in lines(repo) for key in line} <= {"seq", "ts", "user", "action", "record_id", "rev", "prev", "mac", "target"}


def rewrite(repo, change) -> None:
    all_lines = repo.layout.audit.read_text().splitlines(keepends=True)
    repo.layout.audit.write_text("".join(change(all_lines)))


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (lambda ls: ls[:3] + [ls[3].replace('"user":"dr.lee"', '"user":"dr.who"')] + ls[4:], "line 4 (entry 4) was changed"),
        (lambda ls: ls[:3] + [ls[3].replace('"rev":3', '"rev":2')] + ls[4:], "line 4 (entry 4) was changed"),
        (lambda ls: ls[:2] + ls[3:], "line 3 (entry 4) does not follow entry 2"),
        (lambda ls: ls[:2] + [ls[1]] + ls[2:], "line 3 (entry 2) does not follow entry 2"),
        (lambda ls: [ls[1], ls[0]] + ls[2:], "line 1 (entry 2) does not follow entry 0"),
    ],
    ids=["edited user", "edited revision", "removed line", "inserted copy", "reordered"],
)
def test_tampering_is_detected(repo, tamper, expected):
    rewrite(repo, tamper)
    result = repo.audit.verify()
    assert not result.ok
    assert any(expected in problem for problem in result.problems), result.problems


def test_a_line_cannot_be_forged_without_the_key(repo):
    def forge(ls):
        line = json.loads(ls[3])
        line["user"] = "dr.who"
        return ls[:3] + [json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n"] + ls[4:]

    rewrite(repo, forge)
    assert "line 4 (entry 4) was changed" in repo.audit.verify().problems[0]


def test_an_interrupted_line_is_reported_and_the_chain_goes_on(repo):
    with open(repo.layout.audit, "ab") as f:
        f.write(b'{"action":"view","mac":"12ab')  # a process killed in the middle of a write
    rid = repo.list()[0].record_id
    repo.get(rid, user="dr.lee")
    result = repo.audit.verify()
    assert result.ok and result.entries == 9 and result.interrupted == [9]
    last = json.loads(repo.layout.audit.read_text().splitlines()[-1])
    assert (last["action"], last["seq"]) == ("view", 9)


def test_verify_with_another_key_fails(repo, tmp_path):
    from ketatui.storage.tinydb.audit import AuditLog

    assert not AuditLog(repo.layout.audit, b"k" * 32).verify().ok
