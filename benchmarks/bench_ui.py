"""UI budgets under a real PTY at 80x24 (DESIGN.md, Budgets), measured in one run:

1. Start to first paint of ``ketatui`` against a minimal Textual app started the same way, as a
   ratio of medians (budget: at most 1.3).
2. Keystroke to repaint on the medications screen (the busiest: every key is a catalogue lookup
   and a label update): from writing one key to the end of the frame that shows it, p95
   (budget: at most 16 ms). The PHQ-9 page (every answer re-scores, re-checks the rules and
   saves) is measured too, for information.

Run: ``python benchmarks/bench_ui.py [--runs 10] [--keys 120]``. It prints the figures and
exits 1 if a budget is missed. Nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import argparse
import fcntl
import itertools
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAME_GAP = 0.003  # output arriving within 3 ms of the last bytes belongs to the same frame
START_BUDGET, KEY_BUDGET_MS = 1.3, 16.0

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("minimal app ready")

Minimal().run()
"""


class Terminal:
    """One program on its own 80x24 pseudo-terminal."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
                os.chdir(ROOT)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.output = bytearray()

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return b""
        self.output += chunk
        return chunk

    def wait_for(self, marker: bytes, timeout: float = 30.0) -> float:
        """Seconds from start until ``marker`` has been painted."""
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{marker!r} never appeared; last output {bytes(self.output[-300:])!r}")
            self.read(0.5)
        return time.perf_counter() - self.started

    def quiet(self, for_seconds: float = 0.08) -> None:
        """Drain until nothing has been written for a moment (timers, autosave, toasts)."""
        while self.read(for_seconds):
            pass

    def key_to_frame(self, key: bytes, timeout: float = 2.0) -> float:
        """Milliseconds from writing ``key`` until the frame that answers it has been written: the
        end of the first burst of output after it (Textual writes a frame in one go)."""
        sent = time.perf_counter()
        os.write(self.fd, key)
        if not self.read(timeout):
            raise RuntimeError(f"nothing was drawn after {key!r}")
        last = time.perf_counter()
        while self.read(FRAME_GAP):
            last = time.perf_counter()
        return (last - sent) * 1000

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(KETATUI_DATA_DIR=str(folder / "data"), KETATUI_KEY_FILE=str(folder / "store.key"),
               KETATUI_USER="bench", TERM="xterm-256color")
    for name in ("NO_COLOR", "TEXTUAL", "KETATUI_THEME"):
        env.pop(name, None)
    return env


def seed_draft(env: dict[str, str], step: str, page: str | None = None) -> None:
    """One draft in a fresh store: the base example left at ``step`` (and ``page``)."""
    from ketatui.intake.document import parse_intake
    from ketatui.storage import open_repository

    intake = parse_intake((ROOT / "examples" / "01-treatment-resistant-uncomplicated.json").read_text())
    intake.status, intake.current_step = "draft", step
    if step == "medical_history":
        intake.phq9 = None
        intake.form_state = {"medical_history": {"page": page, "values": {}}}
    if step == "medications":
        intake.form_state = {"medications": {"none_taken": False, "rows": [{"name": "", "dose": "", "how_often": "", "reason": ""}]}}
    repository = open_repository(Path(env["KETATUI_DATA_DIR"]), key_file=Path(env["KETATUI_KEY_FILE"]))
    repository.create(intake.model_dump(mode="json"), user="bench")


APP_ALONE = "from ketatui.screens.clinician_app import run_clinician_app; run_clinician_app()"


def first_paint(runs: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds to first paint of the minimal app, ``python -m ketatui`` and, to show where any
    extra time goes, the clinician App started without the command-line parser."""
    ketatui, minimal, alone = [], [], []
    for _ in range(runs):
        for argv, marker, into in (
            ([sys.executable, "-c", MINIMAL_APP], b"minimal app ready", minimal),
            ([sys.executable, "-m", "ketatui"], b"ketamine treatment intake", ketatui),
            ([sys.executable, "-c", APP_ALONE], b"ketamine treatment intake", alone),
        ):
            with tempfile.TemporaryDirectory() as folder:
                term = Terminal(argv, environment(Path(folder)))
                try:
                    into.append(term.wait_for(marker))
                finally:
                    term.stop()
    return ketatui, minimal, alone


def typing(step: str, page: str | None, marker: bytes, keys: list[tuple[bytes, bool]]) -> list[float]:
    """Open a draft at ``step``, then press each key, timing those marked True."""
    with tempfile.TemporaryDirectory() as folder:
        env = environment(Path(folder))
        seed_draft(env, step, page)
        term = Terminal([sys.executable, "-m", "ketatui"], env)
        try:
            term.wait_for(b"ketamine treatment intake")
            term.wait_for(b"Jordan Ellis", timeout=30)  # the draft is listed once the store is open
            term.quiet(0.3)
            os.write(term.fd, b"1")
            term.wait_for(marker)
            term.quiet(0.5)
            times = []
            for key, timed in keys:
                if timed:
                    times.append(term.key_to_frame(key))
                    term.quiet()
                else:
                    os.write(term.fd, key)
                    term.quiet(0.3)
            return times
        finally:
            term.stop()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="start-ups of each program (default 10)")
    parser.add_argument("--keys", type=int, default=120, help="keystrokes timed on the medications screen (default 120)")
    args = parser.parse_args()

    ketatui, minimal, alone = first_paint(args.runs)
    ratio = statistics.median(ketatui) / statistics.median(minimal)
    print(f"start to first paint, {args.runs} runs each, 80x24 PTY:")
    print(f"  minimal Textual app         median {statistics.median(minimal) * 1000:6.0f} ms")
    print(f"  python -m ketatui           median {statistics.median(ketatui) * 1000:6.0f} ms   ratio {ratio:.2f}  (budget <= {START_BUDGET})")
    print(f"  the App without the CLI     median {statistics.median(alone) * 1000:6.0f} ms   ratio "
          f"{statistics.median(alone) / statistics.median(minimal):.2f}  (the rest is the command-line parser's imports)")

    names = itertools.cycle([b"sertraline", b"Xanax", b"lamotrigine", b"alprazolm", b"St John's wort", b"zolpidem"])
    keys: list[tuple[bytes, bool]] = []
    while sum(timed for _, timed in keys) < args.keys:
        keys += [(bytes([c]), True) for c in next(names)]
        keys.append((b"\x15", False))  # Ctrl+U empties the box between names, untimed
    meds = typing("medications", None, b"Current medications", keys)
    print(f"keystroke to repaint on the medications screen, {len(meds)} keys:")
    print(f"  median {statistics.median(meds):5.1f} ms   p95 {p95(meds):5.1f} ms   max {max(meds):5.1f} ms  (budget p95 <= {KEY_BUDGET_MS:g} ms)")

    # A key answers and moves on to the next question: one pass over the page's ten questions.
    answers = [(str(n % 4).encode(), True) for n in range(10)]
    phq = typing("medical_history", "phq9", b"PHQ-9 depression questionnaire", answers)
    print(f"an answer to repaint on the PHQ-9 page (re-score, rules, autosave), {len(phq)} answers, for information:")
    print(f"  median {statistics.median(phq):5.1f} ms   p95 {p95(phq):5.1f} ms   max {max(phq):5.1f} ms")

    ok = ratio <= START_BUDGET and p95(meds) <= KEY_BUDGET_MS
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
