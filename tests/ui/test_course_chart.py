"""The progress chart, trends and table on their own, with a few points made here: every kind of
point and both threshold lines are told apart by their marks and words, with colour or without."""

from __future__ import annotations

from datetime import date

import pytest
from textual.app import App, ComposeResult

from ketatui.course.engine import ProgressPoint
from ketatui.screens.widgets.progress_chart import ProgressTable, ProgressView


def point(kind: str, day: date | None, phq9: int | None, *, number: int | None = None, status: str = "given", change: float | None = None,
          gad7: int | None = None, bp: str | None = None, response: str | None = None) -> ProgressPoint:
    return ProgressPoint(kind=kind, number=number, date=day, status=status, phq9=phq9, change_percent=change, response=response, gad7=gad7, bp=bp)


POINTS = [
    point("baseline", date(2026, 3, 2), 20, status="intake", change=0.0, gad7=12, bp="128/82"),
    point("session", date(2026, 3, 9), 16, number=1, change=20.0, response="none", bp="130/80"),
    point("session", date(2026, 3, 12), 14, number=2, status="held", change=30.0, response="partial", bp="172/96"),
    point("session", date(2026, 3, 16), None, number=2, status="missed"),
    point("session", date(2026, 3, 19), 9, number=2, change=55.0, response="response", bp="126/78"),
    point("follow_up", date(2026, 3, 26), 4, status="visit", change=80.0, response="remission", gad7=5, bp="124/80"),
]


class ChartApp(App):
    def compose(self) -> ComposeResult:
        yield ProgressView()
        yield ProgressTable()

    def on_mount(self) -> None:
        self.query_one(ProgressView).show(POINTS, response_at_or_below=10, remission_below=5, response_percent=50)
        self.query_one(ProgressTable).show(POINTS)


def screen_text(app: App) -> str:
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("no_color", [False, True])
async def test_every_point_and_line_has_its_own_mark_and_words(monkeypatch, no_color) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = ChartApp()
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
    chart = text.split("■ baseline")[0]
    assert app.no_color is no_color
    assert chart.count("■") == 1 and chart.count("●") == 2 and chart.count("○") == 1 and chart.count("◆") == 1  # the missed session has no score
    assert "-----" in chart and "·····" in chart  # the response line and the remission line
    for day in ("start", "09 Mar", "12 Mar", "19 Mar", "26 Mar"):
        assert day in chart
    assert "16 Mar" not in chart
    assert "--- response: 50 % fall (≤ 10)  ··· remission (< 5)" in text
    assert "GAD-7 (anxiety)" in text and "12 → 5" in text
    assert "BP before dosing" in text and "… 130/80 → 172/96 → 126/78 → 124/80" in text
    rows = [line.split() for line in text.splitlines() if line.strip().startswith(("02 Mar", "12 Mar", "16 Mar", "26 Mar"))]
    assert rows[1][3:] == ["2", "(held)", "14", "30", "%", "fall", "partial", "172/96"]
    assert rows[2][3:] == ["2", "(missed)"]
    assert rows[3][3:] == ["visit", "4", "80", "%", "fall", "remission", "5", "124/80"]
