"""UI budgets under a real PTY at 80x24 (DESIGN.md, Budgets): every action a clinician repeats all
day, measured in one run, each as p50 / p95 / max over at least 40 samples.

What is measured, and how "repainted" is decided:

- **first paint**: from starting the process to the first output holding the home screen's
  title, for ``python -m ketatui`` and for a minimal Textual App started the same way,
  interleaved run by run so both see the same load, each with its bytecode compiled (as
  installed; see ``compiled``). Budget: the ratio of the medians <= 1.3.
  (The clinician App started without the command-line parser is shown too, to say where extra
  time goes.)
- **a keystroke** on the medications screen, and **an answer** on the PHQ-9 page: from writing
  the key to the last byte of the first burst of output after it. A burst ends when nothing more
  arrives for ``FRAME_GAP`` (3 ms); Textual writes a frame in one go, so that burst is the frame
  that shows the key. Budget: p95 <= 16 ms. A keystroke into a bare Textual text box is measured
  the same way, with no budget: the machine's own pace in this run, to tell a slow App from a
  busy machine.
- **Next page (F3)** and **previous page (F2)** on the medical history pages, and **opening Go to
  (F4)**: from writing the key to the last byte of the burst that holds the new page's title
  (or the dialog's title), i.e. until that text has been written and then nothing more for 3 ms.
  Budget: p95 <= 100 ms.

After every timed key the terminal is left to go quiet (no output for 200 ms: autosave, toasts),
so one sample never overlaps the next. A key after which nothing at all is drawn within 2 s is
not a sample: it is counted and shown as "no repaint" (it should stay 0). p95 is the nearest-rank
percentile (the smallest sample with at least 95 % of the samples at or below it): always one of
the samples, never above the max.

Run: ``python benchmarks/bench_ui.py [--runs 40] [--samples 40] [--json] [--baseline FILE.json]``. It
prints a table with the budget and pass / over for each line (``--json``: the same as JSON), the
machine's load before and after, and exits 1 if a budget is missed; ``--baseline`` adds each
line's p50 and p95 as a ratio of an earlier run's (its ``--json`` output), so a change is judged
against figures taken the same way. Nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import argparse
import fcntl
import itertools
import json
import math
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
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAME_GAP = 0.003  # output arriving within 3 ms of the last bytes belongs to the same frame
QUIET = 0.2  # between samples: nothing written for 200 ms (a save finishing late must not count)
START_BUDGET, KEY_BUDGET_MS, PAGE_BUDGET_MS = 1.3, 16.0, 100.0
START_MARKER = "ketatui · ".encode()  # the home screen's title: "ketatui · records"
F2, F3, F4, ESCAPE = b"\x1bOQ", b"\x1bOR", b"\x1bOS", b"\x1b"

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("minimal app ready")

Minimal().run()
"""
APP_ALONE = "from ketatui.screens.clinician_app import run_clinician_app; run_clinician_app()"
# The machine's own pace, measured in the same run: a key typed into a bare Textual text box.
MINIMAL_INPUT_APP = """
from textual.app import App
from textual.widgets import Input

class Minimal(App):
    def compose(self):
        yield Input(placeholder="minimal input ready")

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

    def wait_for(self, marker: bytes, timeout: float = 30.0, since: int = 0) -> float:
        """Seconds from start until ``marker`` has been written (after byte ``since``)."""
        deadline = time.monotonic() + timeout
        while marker not in self.output[since:]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{marker!r} never appeared; last output {bytes(self.output[-300:])!r}")
            self.read(0.5)
        return time.perf_counter() - self.started

    def quiet(self, for_seconds: float = QUIET) -> None:
        """Drain until nothing has been written for a moment (timers, autosave, toasts)."""
        while self.read(for_seconds):
            pass

    def press(self, key: bytes) -> None:
        """An untimed key, then wait for the screen to settle."""
        os.write(self.fd, key)
        self.quiet(0.3)

    def key_to_frame(self, key: bytes, marker: bytes | None = None, timeout: float = 2.0) -> float | None:
        """Milliseconds from writing ``key`` to the end of the burst that answers it: the first burst,
        or, with ``marker``, the burst in which ``marker`` has been written. None: nothing was."""
        since = len(self.output)
        sent = time.perf_counter()
        os.write(self.fd, key)
        deadline = sent + timeout
        while True:
            if not self.read(max(deadline - time.perf_counter(), 0)):
                return None
            if marker is None or marker in self.output[since:]:
                break
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


def compiled() -> None:
    """The App's own modules compiled to bytecode, as an installed App has them (pip compiles at
    install, and Python writes the cache on the first run). Under a shell that sets
    PYTHONDONTWRITEBYTECODE every start would otherwise compile ketatui from source, while
    Textual's bytecode is ready: the first-paint ratio would measure the compiler, not the App."""
    import compileall

    for folder in ("ketatui", "screens", "styles"):
        compileall.compile_dir(ROOT / folder, quiet=1)


def environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(KETATUI_DATA_DIR=str(folder / "data"), KETATUI_KEY_FILE=str(folder / "store.key"),
               KETATUI_USER="bench", XDG_CONFIG_HOME=str(folder / "config"), TERM="xterm-256color")
    for name in ("NO_COLOR", "TEXTUAL", "KETATUI_CONFIG", "KETATUI_THEME", "KETATUI_PASSPHRASE", "KETATUI_PROTOCOL", "KETATUI_KEYMAP"):
        env.pop(name, None)
    return env


def seed_draft(env: dict[str, str], step: str, page: str | None = None, *, blank_phq9: bool = False) -> None:
    """One draft in a fresh store: the base example left at ``step`` (and ``page``)."""
    from ketatui.intake.document import parse_intake
    from ketatui.storage import open_repository

    intake = parse_intake((ROOT / "examples" / "01-treatment-resistant-uncomplicated.json").read_text())
    intake.status, intake.current_step = "draft", step
    if step == "medical_history":
        if blank_phq9:
            intake.phq9 = None
        intake.form_state = {"medical_history": {"page": page, "values": {}}}
    if step == "medications":
        intake.form_state = {"medications": {"none_taken": False, "rows": [{"name": "", "dose": "", "how_often": "", "reason": ""}]}}
    repository = open_repository(Path(env["KETATUI_DATA_DIR"]), key_file=Path(env["KETATUI_KEY_FILE"]))
    repository.create(intake.model_dump(mode="json"), user="bench")


def opened_draft(folder: Path, step: str, page: str | None, marker: bytes, *, blank_phq9: bool = False) -> Terminal:
    """``ketatui`` on a fresh store with one draft, opened (Enter on the highlighted record) at
    ``step`` and settled."""
    env = environment(folder)
    seed_draft(env, step, page, blank_phq9=blank_phq9)
    term = Terminal([sys.executable, "-m", "ketatui"], env)
    try:
        term.wait_for(START_MARKER)
        term.wait_for(b"Jordan Ellis", timeout=30)  # the draft is listed once the store is open
        term.quiet(0.3)
        os.write(term.fd, b"\r")
        term.wait_for(marker)
        term.quiet(0.5)
    except BaseException:
        term.stop()
        raise
    return term


# --- the actions ---

def first_paint(runs: int) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds to first paint of the minimal App, ``python -m ketatui`` and the App alone."""
    ketatui, minimal, alone = [], [], []
    for _ in range(runs):
        for argv, marker, into in (
            ([sys.executable, "-c", MINIMAL_APP], b"minimal app ready", minimal),
            ([sys.executable, "-m", "ketatui"], START_MARKER, ketatui),
            ([sys.executable, "-c", APP_ALONE], START_MARKER, alone),
        ):
            with tempfile.TemporaryDirectory() as folder:
                term = Terminal(argv, environment(Path(folder)))
                try:
                    into.append(term.wait_for(marker) * 1000)
                finally:
                    term.stop()
    return ketatui, minimal, alone


def minimal_keys(samples: int) -> list[float | None]:
    """Typing into a bare Textual text box: what a keystroke costs on this machine right now, so a
    reader can tell a slow App from a busy machine."""
    times: list[float | None] = []
    with tempfile.TemporaryDirectory() as folder:
        term = Terminal([sys.executable, "-c", MINIMAL_INPUT_APP], environment(Path(folder)))
        try:
            term.wait_for(b"minimal input ready")
            term.quiet(0.5)
            while taken(times) < samples:
                for char in b"sertraline":
                    times.append(term.key_to_frame(bytes([char])))
                    term.quiet()
                term.press(b"\x15")
        finally:
            term.stop()
    return times


def taken(values: list[float | None]) -> int:
    return sum(value is not None for value in values)


def medication_keys(samples: int) -> list[float | None]:
    """Typing medicine names into the first row (Ctrl+U empties the box between names, untimed)."""
    names = itertools.cycle([b"sertraline", b"Xanax", b"lamotrigine", b"alprazolm", b"St John's wort", b"zolpidem"])
    times: list[float | None] = []
    with tempfile.TemporaryDirectory() as folder:
        term = opened_draft(Path(folder), "medications", None, b"Current medications")
        try:
            while taken(times) < samples:
                for char in next(names):
                    times.append(term.key_to_frame(bytes([char])))
                    term.quiet()
                term.press(b"\x15")
        finally:
            term.stop()
    return times


def phq9_answers(samples: int) -> list[float | None]:
    """Answering the PHQ-9 page top to bottom (each answer moves on to the next question), again and
    again; between passes F2 then F3 puts the focus back on question 1. Question 9 is always
    answered 0, so no crisis dialog interrupts."""
    times: list[float | None] = []
    with tempfile.TemporaryDirectory() as folder:
        term = opened_draft(Path(folder), "medical_history", "phq9", b"PHQ-9 depression questionnaire", blank_phq9=True)
        try:
            for round_ in itertools.count():
                for question in range(10):
                    answer = 0 if question == 8 else (question + round_) % 4
                    times.append(term.key_to_frame(str(answer).encode()))
                    term.quiet()
                if taken(times) >= samples:
                    return times
                term.press(F2)
                term.press(F3)
        finally:
            term.stop()
    return times


def page_changes(samples: int) -> tuple[list[float | None], list[float | None]]:
    """F3 through the ten medical history pages of a completed draft, then F2 back, until each has
    ``samples`` (never past the last page, so the step itself never changes)."""
    from ketatui.screens.medical_history import PAGES

    titles = [page.title.encode() for page in PAGES]
    forward: list[float | None] = []
    back: list[float | None] = []
    with tempfile.TemporaryDirectory() as folder:
        term = opened_draft(Path(folder), "medical_history", PAGES[0].id, titles[0])
        try:
            while taken(forward) < samples or taken(back) < samples:
                for index in range(1, len(titles)):
                    forward.append(term.key_to_frame(F3, titles[index], timeout=5.0))
                    term.quiet()
                for index in range(len(titles) - 2, -1, -1):
                    back.append(term.key_to_frame(F2, titles[index], timeout=5.0))
                    term.quiet()
        finally:
            term.stop()
    return forward, back


def go_to_dialog(samples: int) -> list[float | None]:
    """Opening Go to (F4) on the medications step; Escape closes it, untimed."""
    times: list[float | None] = []
    with tempfile.TemporaryDirectory() as folder:
        term = opened_draft(Path(folder), "medications", None, b"Current medications")
        try:
            while taken(times) < samples:
                times.append(term.key_to_frame(F4, b"Go to step", timeout=5.0))
                term.quiet()
                term.press(ESCAPE)
        finally:
            term.stop()
    return times


# --- figures ---

def nearest_rank(values: list[float], percent: float) -> float:
    """The nearest-rank percentile: one of the samples, never above the largest."""
    ordered = sorted(values)
    return ordered[max(math.ceil(percent / 100 * len(ordered)), 1) - 1]


@dataclass
class Line:
    action: str
    samples: int
    p50: float
    p95: float
    max: float
    unit: str
    budget: str
    passed: bool | None  # None: for information, no budget of its own
    no_repaint: int = 0  # keys after which nothing was drawn: not samples


def timed(action: str, drawn: list[float | None], budget_ms: float | None) -> Line:
    values = [value for value in drawn if value is not None]
    p95 = nearest_rank(values, 95)
    return Line(action, len(values), statistics.median(values), p95, max(values), "ms",
                f"p95 <= {budget_ms:g} ms" if budget_ms is not None else "-",
                None if budget_ms is None else p95 <= budget_ms, len(drawn) - len(values))


def startup_lines(ketatui: list[float], minimal: list[float], alone: list[float]) -> list[Line]:
    ratio = statistics.median(ketatui) / statistics.median(minimal)
    alone_ratio = statistics.median(alone) / statistics.median(minimal)
    return [
        timed("first paint: minimal Textual App", minimal, None),
        timed("first paint: python -m ketatui", ketatui, None),
        timed("first paint: the App without the CLI", alone, None),
        Line("first paint ratio, ketatui / minimal", len(ketatui), ratio, ratio, ratio, "x",
             f"<= {START_BUDGET:g}x", ratio <= START_BUDGET),
        Line("first paint ratio, App alone / minimal", len(alone), alone_ratio, alone_ratio, alone_ratio, "x", "-", None),
    ]


def table(lines: list[Line], baseline: dict[str, dict] | None = None) -> str:
    """The figures, one line an action; with ``baseline`` (lines of an earlier run by action), each
    line's p50 and p95 as a ratio of that run's."""
    compare = f"  {'p50/base':>8} {'p95/base':>8}" if baseline else ""
    rows = [f"{'action':<38} {'n':>4} {'none':>4} {'p50':>8} {'p95':>8} {'max':>8}  {'budget':<15} result{compare}"]
    for line in lines:
        if line.unit == "x":
            figures = f"{line.p50:>7.2f}x {'':>8} {'':>8}"
        else:
            figures = f"{line.p50:>8.1f} {line.p95:>8.1f} {line.max:>8.1f}"
        result = "-" if line.passed is None else ("pass" if line.passed else "OVER")
        ratios = ""
        if baseline and (before := baseline.get(line.action)) and before["p50"] and before["p95"]:
            ratios = f"  {line.p50 / before['p50']:>7.2f}x {line.p95 / before['p95']:>7.2f}x"
        rows.append(f"{line.action:<38} {line.samples:>4} {line.no_repaint:>4} {figures}  {line.budget:<15} {result:<6}{ratios}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="start-ups of each program (default 40)")
    parser.add_argument("--samples", type=int, default=40, help="at least this many samples of every other action (default 40)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--baseline", type=Path, metavar="FILE.json",
                        help="an earlier run's --json output: each line also shows its p50 and p95 as a ratio of that run's")
    args = parser.parse_args()
    if args.runs < 1 or args.samples < 1:
        parser.error("--runs and --samples must be at least 1")
    baseline = None
    if args.baseline is not None:
        try:
            baseline = {line["action"]: line for line in json.loads(args.baseline.read_text(encoding="utf-8"))["lines"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            parser.error(f"--baseline {args.baseline}: not the --json output of this benchmark ({exc})")

    compiled()
    load_before = os.getloadavg()
    lines = startup_lines(*first_paint(args.runs))
    lines.append(timed("keystroke, minimal Textual App", minimal_keys(args.samples), None))
    lines.append(timed("keystroke, medications screen", medication_keys(args.samples), KEY_BUDGET_MS))
    lines.append(timed("answer, PHQ-9 page", phq9_answers(args.samples), KEY_BUDGET_MS))
    forward, back = page_changes(args.samples)
    lines.append(timed("next page (F3), medical history", forward, PAGE_BUDGET_MS))
    lines.append(timed("previous page (F2), medical history", back, PAGE_BUDGET_MS))
    lines.append(timed("open Go to (F4)", go_to_dialog(args.samples), PAGE_BUDGET_MS))
    load_after = os.getloadavg()
    ok = all(line.passed is not False for line in lines)

    if args.json:
        print(json.dumps({"terminal": "80x24 PTY", "cpus": os.cpu_count(), "load_before": load_before,
                          "load_after": load_after, "within_budget": ok, "lines": [asdict(line) for line in lines]}, indent=2))
    else:
        print(f"80x24 PTY, {os.cpu_count()} CPUs, load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
        print(table(lines, baseline))
        print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
