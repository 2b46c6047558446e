"""Settings for throwaway stores in the storage tests: given in full, so nothing is read from the
environment or a settings file, and opened through ``open_repository`` as the CLI opens them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ketatui.settings import Settings


def store_settings(data_dir: Path, key_file: Path, **extra: Any) -> Settings:
    return Settings(data_dir=data_dir, key_file=key_file, user="kiosk", **extra)


def person(make_data, name="Jordan Ellis", dob="1984-03-14", **top):
    """An intake document for ``name`` with no record id yet, as a new intake is created."""
    data = make_data({"medical_history.demographics.full_name": name, "medical_history.demographics.date_of_birth": dob})
    data.pop("record_id")
    data.update(top)
    return data
