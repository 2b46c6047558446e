"""The README is the first thing a new user meets: what it shows must be what the program does.

Links stay inside the repository (a user of the project has no design folder beside it), the
example of a refused intake prints exactly what the README says, and CI runs the README's own
test command.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from builders import ROOT

pytestmark = pytest.mark.system

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_stays_inside_the_repository_and_resolves(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert "../shared" not in text, f"{doc.name} points outside the repository"
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # a web address
        resolved = (doc.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc.name}: {target} leaves the repository"
        assert resolved.exists(), f"{doc.name}: {target} does not exist"


def test_the_refused_intake_example_prints_what_the_readme_shows() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ \.venv/bin/ketatui (plan [^\n]+)\n(.*?)```", text, re.S)
    assert block, "the README shows a refused intake with the command that refuses it"
    done = subprocess.run([sys.executable, "-m", "ketatui", *block.group(1).split()], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == block.group(2).strip()


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"Run the tests.*?```sh\n([^\n]+)\n```", readme, re.S).group(1)
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
