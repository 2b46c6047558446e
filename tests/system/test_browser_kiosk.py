"""The patient kiosk in a browser: ``ketatui serve --kiosk`` (textual-serve) driven by a real
headless Chromium (Debian's ``chromium``, through Playwright). It loads the page, reads the
welcome, answers the first questions, and keeps a screenshot as a test artefact
(``tests/system/artefacts/browser-kiosk.png``). Also: ``serve`` without ``--kiosk`` serves
nothing, and one tab is one kiosk session.

Run: ``.venv/bin/pytest -q tests/system/test_browser_kiosk.py``
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyte
import pytest
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.system, pytest.mark.slow,
              pytest.mark.skipif(sys.platform != "linux", reason="Debian's chromium")]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `apt-get install -y chromium` (.ci/run does it)")
    from ketatui.kiosk.staff_pin import hash_pin

    folder = tmp_path_factory.mktemp("kiosk-web")
    config = folder / "settings.toml"
    config.write_text(f'data_dir = "{folder / "data"}"\nkey_file = "{folder / "store.key"}"\n'
                      f'kiosk_staff_pin = "{hash_pin("246810")}"\n')
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    server = subprocess.Popen([sys.executable, "-m", "ketatui", "serve", "--kiosk", "--port", str(port), "--config", str(config)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "ketatui serve did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


class Screen:
    """What the browser's terminal shows: xterm.js draws on a canvas, so the text is read from the
    same bytes the page receives on its websocket, through a VT emulator of the page's size."""

    def __init__(self, page) -> None:
        self.screen: pyte.Screen | None = None
        self.page = page
        page.on("websocket", self._opened)

    def _opened(self, socket_) -> None:
        query = parse_qs(urlparse(socket_.url).query)
        self.screen = pyte.Screen(int(query["width"][0]), int(query["height"][0]))
        stream = pyte.ByteStream(self.screen)
        socket_.on("framereceived", lambda frame: stream.feed(frame) if isinstance(frame, bytes) else None)

    def text(self) -> str:
        return "\n".join(self.screen.display) if self.screen else ""


def wait_text(screen: Screen, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = " ".join(screen.text().split())
        if text in shown:
            return shown
        screen.page.wait_for_timeout(200)  # Playwright delivers the frames while it waits
    raise AssertionError(f"{text!r} never showed in the browser; it shows: {shown[:1500]}")


def test_a_browser_answers_the_first_questions(served: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 700})
            screen = Screen(page)
            page.goto(served)
            wait_text(screen, "Press Enter to begin.")
            page.mouse.click(500, 650)  # the terminal takes the keys once it has focus, as on a tablet
            page.keyboard.press("Enter")
            for _ in range(12):  # the pages about the treatment, then the first questions
                if "Your health" in screen.text():
                    break
                page.keyboard.press("F3")
                page.wait_for_timeout(800)
            shown = wait_text(screen, "Your health")
            page.keyboard.type("Robin Tablet")
            page.keyboard.press("Tab")
            page.keyboard.type("1991-07-04")
            shown = wait_text(screen, "1991-07-04")
            assert "Robin Tablet" in shown
            page.screenshot(path=str(ARTEFACTS / "browser-kiosk.png"))
            page.close()  # the tab closed: its kiosk process ends, as an idle reset would
            again = browser.new_page(viewport={"width": 1024, "height": 700})
            fresh = Screen(again)
            again.goto(served)
            shown = wait_text(fresh, "Press Enter to begin.")
            assert "Robin Tablet" not in shown, "a new tab is a new kiosk session, not the last person's"
        finally:
            browser.close()


def test_serve_without_kiosk_serves_nothing() -> None:
    done = subprocess.run([sys.executable, "-m", "ketatui", "serve", "--port", "8765"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "only the patient kiosk is served" in done.stderr
