"""Shared builders for every test: intakes from the examples with deep overrides, and protocols.

The base intake is ``examples/01-treatment-resistant-uncomplicated.json``: complete, and on the
fixed ``TODAY`` it raises no flag. Overrides come two ways, which can be mixed:

    build_data(route="esketamine", medical_history={"vitals": {"systolic_bp": 184}})
    build_data({"medical_history.vitals.systolic_bp": 184, "phq9.answers.8": 3})

Nested dicts merge into the example; a dotted path sets one value (list items by index); ``DELETE``
removes a key. ``tests/conftest.py`` offers these as fixtures (``make_intake``, ``make_data``,
``make_protocol``); modules that need them at import time (parametrize tables, hypothesis
strategies) import this module directly.
"""

from __future__ import annotations

import copy
import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from ketatui.intake.document import Intake, parse_intake
from ketatui.clinical.protocol import Protocol, _default_text, parse_protocol

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BASE_EXAMPLE = "01-treatment-resistant-uncomplicated.json"

#: A fixed "today" (a Monday) so ages, lead days and dates never depend on the day the suite runs.
TODAY = date(2026, 3, 2)

DELETE = object()


def example_data(name: str = BASE_EXAMPLE) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in: dicts merge key by key, anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is DELETE:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``data[a][b][3]...`` from ``"a.b.3"``, creating dicts on the way (list items must exist)."""
    *parents, last = dotted.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DELETE:
        node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)


def build_data(paths: dict[str, Any] | None = None, *, example: str = BASE_EXAMPLE, **sections: Any) -> dict[str, Any]:
    """The example as a JSON-ready dict with ``sections`` merged in and dotted ``paths`` set."""
    data = deep_merge(example_data(example), sections)
    for dotted, value in (paths or {}).items():
        set_path(data, dotted, value)
    return data


def build_intake(paths: dict[str, Any] | None = None, *, example: str = BASE_EXAMPLE, **sections: Any) -> Intake:
    return parse_intake(build_data(paths, example=example, **sections))


def phq9_answers(total: int, item9: int = 0) -> list[int]:
    """Nine PHQ-9 answers adding up to ``total`` with question 9 answered ``item9``."""
    rest = total - item9
    assert 0 <= item9 <= 3 and 0 <= rest <= 24, (total, item9)
    return [min(3, max(0, rest - 3 * i)) for i in range(8)] + [item9]


def protocol_data(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The built-in protocol as a dict, with dotted-path changes such as
    ``{"thresholds.bp_severe_systolic": 170}``."""
    data = tomllib.loads(_default_text())
    for dotted, value in (changes or {}).items():
        set_path(data, dotted, value)
    return data


def protocol_toml(changes: dict[str, Any] | None = None) -> str:
    return tomli_w.dumps(protocol_data(changes))


def build_protocol(changes: dict[str, Any] | None = None) -> Protocol:
    return parse_protocol(protocol_toml(changes), "test protocol")
