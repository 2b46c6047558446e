"""Progress over the course: the PHQ-9 chart, the GAD-7 and blood pressure trends, and the table.

The chart is drawn with **textual-plotext** (Textualize's widget over Plotext): a maintained
library that draws axes, ticks and lines in text cells, so the chart reads over SSH, in 16
colours and with ``NO_COLOR``. Textual's ``Sparkline`` fits the small GAD-7 and blood pressure
trends, where the numbers beside it carry the values. Every series and threshold is told apart
by its marker and its label, never by colour: ■ baseline, ● a session, ○ a session not dosed,
◆ a follow-up visit, ``---`` the response line (the protocol's fall, 50 % by default), ``···`` the remission line.

The widgets only draw what the course engine worked out (``ProgressPoint`` rows) and the
plan's own thresholds (``Baseline.response_at_or_below``, ``remission_below``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static
from textual_plotext import PlotextPlot

from ketatui.course.response import change_words

if TYPE_CHECKING:
    from ketatui.course.engine import ProgressPoint

MARKERS = {"baseline": "■", "session": "●", "not dosed": "○", "follow_up": "◆"}
RESPONSE_MARK, REMISSION_MARK = "-", "·"
PHQ9_MAX = 27
RESPONSE_WORDS = {"too_early": "too early", "none": "no response", "partial": "partial", "response": "response",
                  "remission": "remission", "relapse": "relapse"}


def _marker(point: ProgressPoint) -> str:
    if point.kind == "session" and point.status != "given":
        return MARKERS["not dosed"]
    return MARKERS[point.kind]


def axis_label(point: ProgressPoint, short: bool) -> str:
    """The day under a point ("03 Mar", or "3/3" when many points share the axis)."""
    if point.kind == "baseline":
        return "start"
    if point.date is None:
        return "?"
    return f"{point.date.day}/{point.date.month}" if short else point.date.strftime("%d %b")


def legend(response_at_or_below: int, remission_below: int, response_percent: int) -> str:
    return (f"{MARKERS['baseline']} baseline  {MARKERS['session']} session  {MARKERS['not dosed']} not dosed  "
            f"{MARKERS['follow_up']} visit\n{RESPONSE_MARK * 3} response: {response_percent} % fall (≤ {response_at_or_below})  "
            f"{REMISSION_MARK * 3} remission (< {remission_below})")


class PhqChart(PlotextPlot):
    """PHQ-9 over time, one point per baseline, session and visit with a score, dates on the axis."""

    DEFAULT_CSS = "PhqChart { height: 12; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points: list[ProgressPoint] = []
        self.response_at_or_below = 0
        self.remission_below = 0

    def show(self, points: Sequence[ProgressPoint], response_at_or_below: int, remission_below: int) -> None:
        self.points = [p for p in points if p.phq9 is not None]
        self.response_at_or_below, self.remission_below = response_at_or_below, remission_below
        self.refresh()

    def render(self):
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        points = self.points
        last = max(len(points) - 1, 1)
        plt.plot([0, last], [self.response_at_or_below] * 2, marker=RESPONSE_MARK)
        plt.plot([0, last], [self.remission_below - 0.5] * 2, marker=REMISSION_MARK)
        if points:
            plt.plot(list(range(len(points))), [p.phq9 for p in points], marker="braille")
            for marker in MARKERS.values():
                at = [i for i, p in enumerate(points) if _marker(p) == marker]
                if at:
                    plt.scatter(at, [points[i].phq9 for i in at], marker=marker)
            width = max(self.size.width - 4, 1)
            short = len(points) * 7 > width
            step = 1 if len(points) * (5 if short else 7) <= width else 2
            ticks = list(range(0, len(points), step))
            plt.xticks(ticks, [axis_label(points[i], short) for i in ticks])
        plt.xlim(-0.3, last + 0.3)
        plt.ylim(0, PHQ9_MAX)
        plt.yticks([0, 5, 10, 15, 20, 25])
        plt.theme("clear")  # plain text cells: the app's own colours, readable in any palette
        return super().render()


class Trend(Horizontal):
    """One small trend: its name, a sparkline and the readings in words (the numbers carry the meaning)."""

    DEFAULT_CSS = """
    Trend { height: 1; }
    Trend > .trend-name { width: 18; }
    Trend > Sparkline { width: 16; }
    Trend > .trend-values { width: 1fr; padding-left: 1; }
    """

    def __init__(self, name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trend_name = name

    def compose(self) -> ComposeResult:
        yield Static(self.trend_name, classes="trend-name")
        yield Sparkline([])
        yield Static("", classes="trend-values")

    def show(self, values: Sequence[float], words: Sequence[str]) -> None:
        self.query_one(Sparkline).data = list(values)
        shown = " → ".join(words[-4:])
        self.query_one(".trend-values", Static).update(("… " if len(words) > 4 else "") + shown if words else "not recorded yet")


def _systolic(bp: str | None) -> int | None:
    return int(bp.split("/")[0]) if bp else None


class ProgressView(Vertical):
    """The chart with its legend, then the GAD-7 and blood pressure trends."""

    DEFAULT_CSS = """
    ProgressView { height: auto; }
    ProgressView > .legend { height: 2; }
    """

    def compose(self) -> ComposeResult:
        yield PhqChart(id="phq-chart")
        yield Static("", classes="legend", markup=False)
        yield Trend("GAD-7 (anxiety)", id="gad7-trend")
        yield Trend("BP before dosing", id="bp-trend")

    def show(self, points: Sequence[ProgressPoint], response_at_or_below: int, remission_below: int, response_percent: int) -> None:
        self.query_one(PhqChart).show(points, response_at_or_below, remission_below)
        self.query_one(".legend", Static).update(legend(response_at_or_below, remission_below, response_percent))
        gad = [p.gad7 for p in points if p.gad7 is not None]
        self.query_one("#gad7-trend", Trend).show(gad, [str(g) for g in gad])
        bps = [p.bp for p in points if p.bp]
        self.query_one("#bp-trend", Trend).show([_systolic(b) or 0 for b in bps], bps)


class ProgressTable(DataTable):
    """Every score in a table: the same rows as the chart, with the change and the response in words."""

    #: "Session" holds the session's number, so the table fits 80 columns with a held or missed one.
    COLUMNS = ("Date", "Session", "PHQ-9", "Change", "Response", "GAD-7", "BP")

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = False
        self.add_columns(*self.COLUMNS)

    def show(self, points: Sequence[ProgressPoint]) -> None:
        self.clear()
        for p in points:
            record = "baseline" if p.kind == "baseline" else (f"{p.number}" if p.kind == "session" else "visit")
            if p.kind == "session" and p.status != "given":
                record += f" ({p.status})"
            self.add_row(
                p.date.strftime("%d %b %Y") if p.date else "intake", record,
                "" if p.phq9 is None else str(p.phq9), change_words(p.change_percent) if p.kind != "baseline" else "",
                RESPONSE_WORDS.get(p.response or "", ""), "" if p.gad7 is None else str(p.gad7), p.bp or "",
            )


