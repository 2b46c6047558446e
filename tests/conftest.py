"""Fixtures over the shared builders in ``tests/builders.py`` (see there for the override forms)."""

from __future__ import annotations

from datetime import date

import pytest

import builders


@pytest.fixture(scope="session")
def today() -> date:
    """The fixed day every date-dependent test is evaluated on (a Monday)."""
    return builders.TODAY


@pytest.fixture(scope="session")
def make_data():
    """``make_data(paths, **sections)``: the raw JSON-ready dict of an intake (files, invalid documents)."""
    return builders.build_data


@pytest.fixture(scope="session")
def make_intake():
    """``make_intake(paths, **sections)``: a validated Intake from the base example with deep overrides."""
    return builders.build_intake


@pytest.fixture(scope="session")
def make_protocol():
    """``make_protocol({"thresholds.bp_severe_systolic": 170})``: the built-in protocol, changed."""
    return builders.build_protocol


@pytest.fixture(scope="session")
def protocol_toml():
    """The built-in protocol as TOML text, with dotted-path changes."""
    return builders.protocol_toml


@pytest.fixture(scope="session")
def example_names() -> list[str]:
    return sorted(p.name for p in builders.EXAMPLES.glob("*.json"))


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the whole test session (see ``tests/pgserver.py``)."""
    import pgserver

    server = pgserver.start_server()
    yield server
    from ketatui.storage.postgres.connection import close_all

    close_all()
    pgserver.stop_server(server)


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A new empty database on the session's server."""
    return postgres_server.new_database()
