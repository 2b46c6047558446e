"""An export is health data: it is written whole or not at all, and only this account may read it."""

from __future__ import annotations

import stat

from ketatui.exchange.files import write_export


def test_an_export_is_private_and_replaces_the_file_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = write_export(tmp_path / "plan.md", "# Plan\n")
    assert target == tmp_path / "plan.md" and target.read_text() == "# Plan\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert write_export(target.relative_to(tmp_path), "# Plan, revised\n") == target
    assert target.read_text() == "# Plan, revised\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]  # no temp file left behind
