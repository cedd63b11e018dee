"""Every store test runs on SQLite (a temporary file) and on a real PostgreSQL (a database of its own).

PostgreSQL: TPICODE_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres) is the
server; each test creates `tpicode_test_<random>` and drops it after. Unreachable: skipped with a message,
unless TPICODE_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ADMIN_URL = os.environ.get("TPICODE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("TPICODE_REQUIRE_POSTGRES", "") not in ("", "0")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

_pg_reason: list[str | None] = []  # probed once per run


def _pg_unreachable() -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    if not _pg_reason:
        try:
            import psycopg

            with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
                conn.execute("SELECT 1")
            _pg_reason.append(None)
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _pg_reason.append(f"{type(exc).__name__}: {first}")
    return _pg_reason[0]


def _sqlalchemy_url(dbname: str) -> str:
    """The admin URL pointed at another database, in SQLAlchemy's psycopg 3 form."""
    base = ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+psycopg://{base}/{dbname}"


@pytest.fixture(autouse=True)
def _no_real_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No store test may ever touch the user's real data directory."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("TPICODE_DATABASE_URL", "sqlite:///" + str(tmp_path / "default-guard.sqlite3"))
    monkeypatch.setenv("TPICODE_ACTOR", "pytest")


@pytest.fixture(params=["sqlite", "postgres"])
def make_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty databases of the parametrized engine; all dropped after the test."""
    engine: str = request.param
    created: list[str] = []
    if engine == "postgres":
        reason = _pg_unreachable()
        if reason is not None:
            msg = f"PostgreSQL not reachable at {ADMIN_URL.split('@')[-1]} ({reason})"
            if REQUIRE_PG:
                pytest.fail(f"{msg}; TPICODE_REQUIRE_POSTGRES=1 makes the PostgreSQL store tests mandatory")
            pytest.skip(f"{msg}: store tests on PostgreSQL skipped (set TPICODE_REQUIRE_POSTGRES=1 to fail)")

    def make() -> str:
        if engine == "sqlite":
            return "sqlite:///" + str(tmp_path / f"store-{len(created)}-{uuid.uuid4().hex[:6]}.sqlite3")
        import psycopg

        name = f"tpicode_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _sqlalchemy_url(name)

    yield make
    if created:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(make_db: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> str:
    """One fresh database, also made the default through TPICODE_DATABASE_URL."""
    url = make_db()
    monkeypatch.setenv("TPICODE_DATABASE_URL", url)
    return url
