"""Self-test of the shared test infrastructure (tests/conftest.py).

Proves that both legs of ``db_url`` really run: SQLite and a real PostgreSQL
server with the pg_trgm extension.
"""

from pathlib import Path

from sqlalchemy import create_engine, inspect, text


def test_db_url_connects(db_url, request):
    backend = request.node.callspec.id  # "sqlite" or "postgresql"
    engine = create_engine(db_url)
    try:
        assert engine.dialect.name == backend
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
            if backend == "postgresql":
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
                sim = conn.execute(text("select similarity('abc', 'abd')")).scalar_one()
                assert isinstance(sim, float)
                assert 0.0 < sim < 1.0
                conn.commit()
    finally:
        engine.dispose()


def test_db_url_is_fresh_and_writable(db_url):
    engine = create_engine(db_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("create table t (id integer primary key, name varchar(20))"))
            conn.execute(text("insert into t (id, name) values (1, 'x')"))
        with engine.connect() as conn:
            assert conn.execute(text("select name from t where id = 1")).scalar_one() == "x"
            if engine.dialect.name == "postgresql":
                assert conn.execute(text("select current_database()")).scalar_one().startswith("t_")
    finally:
        engine.dispose()


def test_pg_db_url(pg_db_url):
    engine = create_engine(pg_db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("show server_encoding")).scalar_one() == "UTF8"
    finally:
        engine.dispose()


def test_shared_dir(shared_dir):
    assert isinstance(shared_dir, Path)
    assert (shared_dir / "docs" / "testing.md").is_file()
