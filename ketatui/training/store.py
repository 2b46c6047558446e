"""The training store: synthetic records, scorecards and exports in the training data folder, kept
apart from the real store so that training can never touch a real record.

The folder comes from the ``training_data_dir`` setting and holds ``store/`` (an embedded store with
its own key, ``training.key``, whatever backend and key the clinic uses), ``scorecards/`` and
``exports/``. ``training_settings`` refuses a folder that is, holds or sits inside the real store.

May import: the settings and the standard library.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ketatui.settings import Settings

STORE, KEY, SCORECARDS, EXPORTS = "store", "training.key", "scorecards", "exports"


class TrainingStoreRefused(Exception):
    """The training data folder would share files with the real store; says which setting to change."""


def _overlap(a: Path, b: Path) -> bool:
    a, b = a.resolve(), b.resolve()
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_apart(settings: Settings) -> None:
    """Refuse a training folder that is, holds or sits inside the real store or its key."""
    training, real = settings.training_data_dir, settings.data_dir
    if _overlap(training, real):
        raise TrainingStoreRefused(
            f"the training data folder ({training}) overlaps the real store ({real}); training records must never "
            "share a folder with real ones. Set training_data_dir (KETATUI_TRAINING_DATA_DIR) to a folder of its own.")
    if _overlap(training, settings.key_file.parent) and settings.key_file.resolve().is_relative_to(training.resolve()):
        raise TrainingStoreRefused(f"the real store's key file ({settings.key_file}) is inside the training data folder "
                                   f"({training}); move one of them")


def training_settings(settings: Settings) -> Settings:
    """The settings of the training store: its own folder, key and embedded backend, never the real one's."""
    check_apart(settings)
    folder = settings.training_data_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return settings.model_copy(update={
        "data_dir": folder / STORE, "key_file": folder / KEY, "passphrase": None,
        "backend": "tinydb", "database_url": None, "export_dir": folder / EXPORTS,
    })


def scorecards_dir(settings: Settings) -> Path:
    return settings.training_data_dir / SCORECARDS


def exports_dir(settings: Settings) -> Path:
    return settings.training_data_dir / EXPORTS


def private_folder(path: Path) -> Path:
    """A folder readable by this account only (scorecards name trainees), made if missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":
        path.chmod(0o700)
    return path
