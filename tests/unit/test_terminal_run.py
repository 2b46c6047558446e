"""Running on a terminal: the collector is held off only until the first frame, whatever happens,
and never left off; an App under test is never affected."""

from __future__ import annotations

import gc

import pytest

from ketatui.screens.terminal_run import collection_held, resume_collection, settled


@pytest.fixture(autouse=True)
def thawed():
    yield
    gc.unfreeze()  # the test process keeps collecting what it made before
    gc.enable()


def test_collection_is_held_until_the_first_frame_then_runs() -> None:
    assert gc.isenabled()
    with collection_held():
        assert not gc.isenabled(), "held while the App's modules load"
        resume_collection()  # what the App does when its first frame is out
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0, "what the start-up made is frozen: the collections that follow skip it"
    assert gc.isenabled()


def test_collection_resumes_when_the_app_never_starts() -> None:
    with pytest.raises(ImportError), collection_held():
        raise ImportError("an App that could not be loaded")
    assert gc.isenabled(), "a failed start never leaves the collector off"


def test_an_app_not_on_a_terminal_freezes_nothing() -> None:
    gc.unfreeze()
    settled()  # an App under test finishing its warm-up
    assert gc.get_freeze_count() == 0
