"""Schema migrations: one pure function per step from version N to N+1, applied on read.

Stored documents are never rewritten just because the app was updated: a document is migrated
in memory when it is read, and saved in the current version the next time it is saved.

Version 1 (the first stored form) differed from version 2 in these ways:

- the revision counter was ``revision`` (now ``rev``), and a draft's status was ``in_progress``;
- ``current_step`` was the step's number, 1 to 5 (now the step's name);
- the person's name and date of birth were ``demographics.name`` and ``demographics.dob``;
- there were no ``training``, ``amends_rev``, ``route``, ``gad7`` or ``form_state`` keys.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ketatui.intake.schema import SCHEMA_VERSION

Document = dict[str, Any]

_V1_STEPS = {1: "medical_history", 2: "medications", 3: "side_effects", 4: "goals_support", 5: "summary"}


def v1_to_v2(doc: Document) -> Document:
    out = copy.deepcopy(doc)
    out["rev"] = out.pop("revision", out.get("rev", 0))
    if out.get("status") == "in_progress":
        out["status"] = "draft"
    step = out.get("current_step")
    if isinstance(step, int) or (isinstance(step, str) and step.isdigit()):
        out["current_step"] = _V1_STEPS.get(int(step), "medical_history")
    history = out.get("medical_history")
    demo = history.get("demographics") if isinstance(history, dict) else None  # a wrong shape is left for validation to name
    if isinstance(demo, dict):
        if "name" in demo:
            demo["full_name"] = demo.pop("name")
        if "dob" in demo:
            demo["date_of_birth"] = demo.pop("dob")
    out.setdefault("training", False)
    out.setdefault("amends_rev", None)
    out.setdefault("route", "iv_ketamine")
    out.setdefault("gad7", None)
    out.setdefault("form_state", {})
    out["schema_version"] = 2
    return out


#: ``MIGRATIONS[n]`` turns a version-n document into a version n+1 one.
MIGRATIONS: dict[int, Callable[[Document], Document]] = {1: v1_to_v2}


def version_of(doc: Document) -> int:
    version = doc.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"schema_version must be a whole number from 1, not {version!r}")
    return version


def migrate(doc: Document, target: int = SCHEMA_VERSION) -> Document:
    """``doc`` brought up to ``target``; the input is left as it was. Newer documents are refused."""
    version = version_of(doc)
    if version > target:
        raise ValueError(f"schema version {version} is newer than {target}; it cannot be migrated down")
    while version < target:
        doc = MIGRATIONS[version](doc)
        version += 1
    return doc
