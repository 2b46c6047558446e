"""Scorecards kept in the training data folder, a trainee's past results, and the trainer's view.

Each finished run is one JSON file, ``scorecards/<trainee>/<finished>-<scenario>.json``, written
whole or not at all. A file that cannot be read is reported by name and skipped, never deleted.
The trainer's view (``summary``) counts, for each expected flag, how often it was missed and by whom,
as a table and a bar chart drawn in characters (so it reads the same in any colours or none).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ketatui.exchange.files import write_export
from ketatui.training.scorecard import Scorecard, markdown
from ketatui.training.store import private_folder

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(name: str) -> str:
    """A trainee's name as a folder name (letters, digits, dot, dash, underscore)."""
    return _UNSAFE.sub("-", name).strip("-.") or "trainee"


class Results:
    """The scorecards folder of the training data folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.unreadable: list[str] = []

    def save(self, card: Scorecard) -> Path:
        where = private_folder(self.folder / slug(card.trainee))
        stamp = card.finished_at.strftime("%Y%m%dT%H%M%S")
        return write_export(where / f"{stamp}-{card.scenario_id}.json", card.model_dump_json(indent=2) + "\n")

    def all(self, trainee: str | None = None) -> list[Scorecard]:
        """Every scorecard kept (or one trainee's), oldest first."""
        self.unreadable = []
        if not self.folder.is_dir():
            return []
        folders = [self.folder / slug(trainee)] if trainee else sorted(p for p in self.folder.iterdir() if p.is_dir())
        cards = []
        for folder in folders:
            for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                try:
                    cards.append(Scorecard.model_validate_json(path.read_text(encoding="utf-8")))
                except (OSError, ValidationError, UnicodeDecodeError) as exc:
                    self.unreadable.append(f"{path}: cannot be read ({type(exc).__name__}); it was left as it is")
        return sorted(cards, key=lambda c: c.finished_at)


def export(card: Scorecard, folder: Path) -> tuple[Path, Path]:
    """The scorecard as Markdown and as JSON in ``folder``; the two paths written."""
    private_folder(folder)
    stem = f"scorecard-{slug(card.trainee)}-{card.scenario_id}-{card.finished_at.strftime('%Y%m%dT%H%M%S')}"
    return (write_export(folder / f"{stem}.md", markdown(card)),
            write_export(folder / f"{stem}.json", card.model_dump_json(indent=2) + "\n"))


@dataclass
class FlagMisses:
    """One flag across every run that expected it: how often it was missed, and by whom."""

    code: str
    title: str
    expected: int = 0
    missed: int = 0
    by: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.missed / self.expected if self.expected else 0.0


@dataclass
class TraineeRow:
    """One trainee across their runs."""

    trainee: str
    runs: int = 0
    perfect: int = 0
    flags_missed: int = 0
    scenarios: set[str] = field(default_factory=set)


@dataclass
class Summary:
    trainees: list[TraineeRow]
    flags: list[FlagMisses]

    def table(self) -> list[tuple[str, ...]]:
        """Who missed which flag: one row per flag, the trainees who missed it with how often."""
        rows = [("FLAG", "EXPECTED", "MISSED", "MISSED BY")]
        for f in self.flags:
            who = ", ".join(f"{name} ({count})" for name, count in sorted(f.by.items())) or "-"
            rows.append((f.code, str(f.expected), str(f.missed), who))
        return rows

    def chart(self, width: int = 30) -> list[str]:
        """A bar per flag: the share of runs that missed it (``#`` missed, ``.`` caught)."""
        lines = []
        for f in self.flags:
            filled = round(width * f.rate)
            lines.append(f"{f.code:<20} {'#' * filled}{'.' * (width - filled)} {f.missed}/{f.expected} missed")
        return lines


def summary(cards: list[Scorecard]) -> Summary:
    """Across trainees and scenarios: each trainee's runs, and each flag's misses, most missed first."""
    trainees: dict[str, TraineeRow] = {}
    flags: dict[str, FlagMisses] = {}
    for card in cards:
        row = trainees.setdefault(card.trainee, TraineeRow(card.trainee))
        row.runs += 1
        row.perfect += card.perfect
        row.flags_missed += len(card.missed)
        row.scenarios.add(card.scenario_id)
        for result, missed in [(f, False) for f in card.caught] + [(f, True) for f in card.missed]:
            entry = flags.setdefault(result.code, FlagMisses(result.code, result.title))
            entry.expected += 1
            if missed:
                entry.missed += 1
                entry.by[card.trainee] = entry.by.get(card.trainee, 0) + 1
    ordered = sorted(flags.values(), key=lambda f: (-f.rate, -f.missed, f.code))
    return Summary(sorted(trainees.values(), key=lambda t: t.trainee), ordered)


def trainee_lines(cards: list[Scorecard]) -> list[tuple[str, ...]]:
    """A trainee's past scorecards as table rows, newest first."""
    rows = [("FINISHED", "SCENARIO", "TIME", "RESULT", "MISSED")]
    for card in reversed(cards):
        result = "perfect" if card.perfect else f"{len(card.misses())} to go over"
        rows.append((card.finished_at.astimezone().strftime("%Y-%m-%d %H:%M"), card.scenario_id, card.time_taken, result,
                     " ".join(f.code for f in card.missed) or "-"))
    return rows


def by_trainee(cards: list[Scorecard]) -> dict[str, list[Scorecard]]:
    grouped: dict[str, list[Scorecard]] = defaultdict(list)
    for card in cards:
        grouped[card.trainee].append(card)
    return dict(grouped)
