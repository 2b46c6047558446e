"""Search as you type in a new process, before the whole records list is read: the first keys are
answered from the rows the head file holds (exactly the rows the whole list gives, the count
still coming), and the whole list's answer then replaces them with the count."""

from __future__ import annotations

import threading

import pytest

from ketatui.storage.tinydb import index, saved_list

from test_records_browser import browsing, many


@pytest.fixture
def whole_list_held(monkeypatch):
    """Reading the whole-list file waits until the test lets it go, as a large store's does."""
    monkeypatch.setattr(index.SummaryCache, "SAVE_FROM", 0)  # a small store keeps the list files too
    go = threading.Event()
    real = saved_list.ListFiles.load_list

    def held(self):
        go.wait(30)
        return real(self)

    monkeypatch.setattr(saved_list.ListFiles, "load_list", held)
    yield go
    go.set()


async def test_the_first_keys_show_the_right_rows_before_the_whole_list_is_read(
        make_app, driver_for, repository, make_intake, whole_list_held) -> None:
    repository.create_many(many(make_intake, 300), user="kiosk")
    expected = repository.page(search="1", limit=50)  # this process read every shard
    for writer in repository._summaries.writes:
        writer.join(10)  # the list files a new process starts from

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        browser = await browsing(d, app)
        assert "of 300" in d.text()
        await d.type("1")
        await d.until(lambda: browser.up_to_date and browser.filters.search == "1", "the early answer")
        assert not whole_list_held.is_set()  # the whole list is still being read
        assert [r.record_id for r in browser.rows] == [r.record_id for r in expected.rows]
        assert "1–50 of" in d.text() and "or more (counting the rest…)" in d.text()
        shown = d.text()
        assert expected.rows[0].full_name in shown

        whole_list_held.set()
        await d.until(lambda: "counting" not in d.text(), "the whole list's answer")
        assert [r.record_id for r in browser.rows] == [r.record_id for r in expected.rows]
        assert f"1–50 of {expected.total}" in d.text() and browser.total == expected.total

        await d.type("1")  # typed on: from the whole list now
        await d.until(lambda: browser.up_to_date and browser.filters.search == "11", "the narrower search")
        narrower = repository.page(search="11", limit=50)
        assert [r.record_id for r in browser.rows] == [r.record_id for r in narrower.rows]
        assert f"of {narrower.total}" in d.text()
