"""Shared pytest fixtures for the IIB test suite.

Deliberately does NOT import ``iib_core`` at module level, so that collection
works while the package is being written (and so fixtures stay usable from any
test sub-directory).

Fixtures
--------
``db_url``       function scope, parametrised with ids ``sqlite`` and
                 ``postgresql``: a SQLAlchemy URL of a fresh, empty database.
``pg_db_url``    function scope: like the ``postgresql`` leg of ``db_url``, for
                 PostgreSQL-only tests.
``pg_server``    session scope: the running PostgreSQL server (see PgServer).
``shared_dir``   session scope: ``Path`` of the project's ``shared/`` folder that
                 lies beside the clone (fails if missing).

Environment variables
---------------------
``CI`` (any value but empty/0/false) or ``IIB_TEST_STRICT=1``
    Missing PostgreSQL (binaries, ``postgres`` user, psycopg, pg_trgm) is a
    test *failure* instead of a skip.
``IIB_TEST_PG_URL``
    Use this existing server instead of starting one, e.g.
    ``postgresql://postgres@localhost:5432/postgres`` (or
    ``postgresql+psycopg://postgres@/postgres?host=/run/postgresql``). The role
    must be allowed to CREATE DATABASE; the URL's database is the maintenance
    database (default ``postgres``).
``IIB_TEST_PG_BIN``
    Directory of ``initdb``/``pg_ctl`` (default ``/usr/lib/postgresql/15/bin``).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TESTS_DIR = REPO_ROOT / "tests"
BENCH_DIR = TESTS_DIR / "bench"

PG_BIN = Path(os.environ.get("IIB_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT = 5432  # only names the unix socket file: TCP is disabled (listen_addresses='')
PG_SUPERUSER = "postgres"


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #
def is_strict() -> bool:
    """True under CI or IIB_TEST_STRICT=1: unavailable backends must fail."""
    ci = os.environ.get("CI", "").strip().lower()
    if ci not in ("", "0", "false", "no"):
        return True
    return os.environ.get("IIB_TEST_STRICT", "").strip() == "1"


def _unavailable(reason: str) -> None:
    """Skip normally; fail (with a clear message) in strict/CI mode."""
    if is_strict():
        pytest.fail(
            f"PostgreSQL test backend unavailable: {reason}\n"
            "(CI / IIB_TEST_STRICT=1 is set, so this is a failure, not a skip; "
            "`.ci/run` installs postgresql-15 with apt when it is missing)",
            pytrace=False,
        )
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def _run(cmd, *, cwd: str, what: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stdout}"
        )
    return proc


@dataclass
class PgServer:
    """A PostgreSQL server usable by tests.

    ``url`` is a SQLAlchemy URL object of the maintenance database.
    ``sockdir``/``port`` are set when the server was started by this conftest.
    """

    url: Any
    sockdir: Optional[str] = None
    port: Optional[int] = None
    external: bool = False
    _connect_kwargs: Dict[str, Any] = field(default_factory=dict)

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of database ``dbname``."""
        if not self.external:
            return (
                f"postgresql+psycopg://{PG_SUPERUSER}@/{dbname}"
                f"?host={self.sockdir}&port={self.port}"
            )
        return self.url.set(drivername="postgresql+psycopg", database=dbname).render_as_string(
            hide_password=False
        )

    def connect(self, dbname: Optional[str] = None):
        """psycopg autocommit connection (maintenance db unless ``dbname``)."""
        import psycopg

        kwargs = dict(self._connect_kwargs)
        if dbname is not None:
            kwargs["dbname"] = dbname
        return psycopg.connect(autocommit=True, **kwargs)

    def create_database(self) -> str:
        name = "t_" + secrets.token_hex(6)
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _psycopg_kwargs(url) -> Dict[str, Any]:
    """libpq keyword arguments from a SQLAlchemy URL (supports ?host=/sockdir)."""
    query = dict(url.query)

    def q(key):
        v = query.get(key)
        if isinstance(v, tuple):
            v = v[0] if v else None
        return v

    kwargs = {
        "host": url.host or q("host"),
        "port": url.port or q("port"),
        "user": url.username,
        "password": url.password,
        "dbname": url.database or "postgres",
    }
    return {k: v for k, v in kwargs.items() if v not in (None, "")}


def _check_pg_trgm(server: PgServer) -> None:
    with server.connect() as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
        ).fetchone()
    if row is None:
        _unavailable(
            "the pg_trgm extension is not available on the server "
            "(install postgresql-contrib / postgresql-15)"
        )


# --------------------------------------------------------------------------- #
# PostgreSQL server (session)
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A running PostgreSQL server: IIB_TEST_PG_URL, or a private temporary one."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg driver is not installed (pip install 'psycopg[binary]')")
    from sqlalchemy.engine import make_url

    ext = os.environ.get("IIB_TEST_PG_URL", "").strip()
    if ext:
        url = make_url(ext)
        server = PgServer(url=url, external=True, _connect_kwargs=_psycopg_kwargs(url))
        try:
            with server.connect():
                pass
        except Exception as exc:  # pragma: no cover - environment dependent
            _unavailable(f"cannot connect to IIB_TEST_PG_URL={ext!r}: {exc}")
        _check_pg_trgm(server)
        yield server
        return

    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not (initdb.exists() and pg_ctl.exists()):
        _unavailable(
            f"{initdb} not found (apt-get install postgresql-15 postgresql-contrib), "
            "or set IIB_TEST_PG_URL"
        )

    # initdb/postgres refuse to run as root: run them as the `postgres` user.
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root but the `postgres` system user does not exist")
        runas = ["runuser", "-u", "postgres", "--"]
    else:
        pw = None
        runas = []

    # /tmp/iib-pg-XXXX (not pytest's tmp_path: its 0700 root-owned parents are
    # not traversable by the postgres user). Keep it short: unix socket paths
    # are limited to ~107 bytes.
    base = tempfile.mkdtemp(prefix="iib-pg-")
    datadir = os.path.join(base, "data")
    sockdir = os.path.join(base, "sock")
    logfile = os.path.join(base, "server.log")
    os.mkdir(sockdir)
    if pw is not None:
        for p in (base, sockdir):
            os.chown(p, pw.pw_uid, pw.pw_gid)

    started = False
    try:
        _run(
            runas
            + [str(initdb), "-D", datadir, "-U", PG_SUPERUSER, "--auth=trust",
               "-E", "UTF8", "--locale=C.UTF-8", "-N"],
            cwd=base,
            what="initdb",
        )
        opts = (
            f"-k {sockdir} -p {PG_PORT} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        try:
            _run(
                runas + [str(pg_ctl), "-w", "-t", "60", "-D", datadir, "-l", logfile,
                         "-o", opts, "start"],
                cwd=base,
                what="pg_ctl start",
            )
        except RuntimeError as exc:
            log = Path(logfile).read_text(errors="replace") if os.path.exists(logfile) else ""
            raise RuntimeError(f"{exc}\n--- server log ---\n{log}") from None
        started = True

        url = make_url(f"postgresql+psycopg://{PG_SUPERUSER}@/postgres?host={sockdir}&port={PG_PORT}")
        server = PgServer(
            url=url,
            sockdir=sockdir,
            port=PG_PORT,
            _connect_kwargs={"host": sockdir, "port": PG_PORT, "user": PG_SUPERUSER,
                             "dbname": "postgres"},
        )
        _check_pg_trgm(server)
        yield server
    finally:
        if started:
            subprocess.run(
                runas + [str(pg_ctl), "-D", datadir, "-m", "immediate", "stop"],
                cwd=base,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


def _fresh_pg_database(request) -> Iterator[str]:
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_database()
    try:
        yield server.url_for(name)
    finally:
        server.drop_database(name)


# --------------------------------------------------------------------------- #
# database URL fixtures (function)
# --------------------------------------------------------------------------- #
@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    ]
)
def db_url(request, tmp_path) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database; runs each test on both backends.

    sqlite:      ``sqlite:///<tmp_path>/iib.db``
    postgresql:  ``postgresql+psycopg://postgres@/t_<random>?host=<sockdir>&port=5432``
                 (created for the test, dropped WITH (FORCE) afterwards;
                 ``CREATE EXTENSION pg_trgm`` works in it)
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/iib.db"
    else:
        yield from _fresh_pg_database(request)


@pytest.fixture
def db(db_url):
    """An open `iib_core` Database on `db_url` (both backends), disposed after the test."""
    from iib_core.db import open_database  # not at module level: see the module docstring

    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def pg_db_url(request) -> Iterator[str]:
    """Like the ``postgresql`` leg of ``db_url``, for PostgreSQL-only tests
    (such tests are auto-marked ``postgresql``)."""
    yield from _fresh_pg_database(request)


# --------------------------------------------------------------------------- #
# fixture corpus and shared reference material  (owned by the fixtures work, #12)
# --------------------------------------------------------------------------- #
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory) -> Path:
    """The project's own fixture corpus (tests/fixtures/make_fixtures.py), written once per
    session into a temporary folder; ``fixtures.json`` in it lists every file and what a
    reader must find in it."""
    from fixtures.make_fixtures import build

    root = tmp_path_factory.mktemp("fixture-corpus")
    build(root)
    return root


def shared_missing_reason() -> str:
    return (f"../shared (real files made by other tools) not found at {SHARED_DIR}; "
            "the shared_corpus tests need it beside the clone")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared/`` folder beside the clone (``../shared``), for the ``shared_corpus`` set
    only. Missing: skip with the reason, or fail under CI / IIB_TEST_STRICT=1."""
    if not SHARED_DIR.is_dir():
        if is_strict():
            pytest.fail(shared_missing_reason() + " (CI / IIB_TEST_STRICT=1: a failure, not a skip)",
                        pytrace=False)
        pytest.skip(shared_missing_reason())
    return SHARED_DIR


def _mark_shared_corpus(item) -> None:
    """Tests that use ``shared_dir`` are the ``shared_corpus`` set (select: -m shared_corpus)."""
    if "shared_dir" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.shared_corpus)


# --------------------------------------------------------------------------- # end fixtures block


# --------------------------------------------------------------------------- #
# hooks
# --------------------------------------------------------------------------- #
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/bench as `bench` (deselected by default) and
    tests using ``pg_db_url`` as `postgresql`."""
    for item in items:
        _mark_shared_corpus(item)
        if "pg_db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)
        path = getattr(item, "path", None)
        if path is None:
            continue
        try:
            Path(path).resolve().relative_to(BENCH_DIR)
        except ValueError:
            continue
        item.add_marker(pytest.mark.bench)


def _register_hypothesis_profiles() -> None:
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:
        return
    # CI gates landing: no wall-clock deadlines (2 slow cores), reproducible examples.
    settings.register_profile(
        "ci",
        deadline=None,
        derandomize=True,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile("dev", deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if is_strict() else "dev"))


_register_hypothesis_profiles()


# --------------------------------------------------------------------------- #
# parallel runs (pytest-xdist; pytest.ini's addopts has `-n auto --dist loadgroup`)
# --------------------------------------------------------------------------- #
# Each xdist worker is its own pytest session: it starts its own PostgreSQL
# server (private socket folder from mkdtemp), its own Chromium and its own
# uvicorn servers on free ports, so nothing is shared between workers.
#
# Tests that use a module-scoped fixture (a server, a corpus or an index built
# once for a file) are kept together on one worker: spread over several, each
# worker would build that fixture again. The other tests are handed out one by
# one. The grouping is done here, from the fixtures a test uses, so a new test
# file gets it without a marker.
_SHARED_SCOPES = ("module", "class", "package")


def _uses_shared_fixture(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(d.scope in _SHARED_SCOPES for defs in info.name2fixturedefs.values() for d in defs)


def pytest_itemcollected(item):
    """Under xdist's loadgroup: one group per file for tests with module-scoped fixtures."""
    if not item.config.pluginmanager.hasplugin("xdist"):
        return
    if item.get_closest_marker("xdist_group") is None and _uses_shared_fixture(item):
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: PYTEST_XDIST_AUTO_NUM_WORKERS if set, else one worker per CPU, at most 4.

    Not more workers than CPUs: every worker drives its own Chromium, uvicorn
    threads and PostgreSQL server, and the browser and fuzz tests have wall-clock
    limits (8 s waits, pytest-timeout's 300 s). Measured on 2 CPUs shared with
    other jobs: 2 workers pass, 4 workers made two of them time out. More than 4
    buys little: the longest file (tests/indexer/test_pipeline.py) stays on one.
    """
    env = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "").strip()
    if env.isdigit():
        return int(env)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))
