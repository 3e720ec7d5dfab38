"""Property-based fuzzing of the OpenAPI schema over real HTTP: no input gives a 5xx."""
import pytest

# The fuzzing runs in the main test environment; the A1111-pins venv only re-runs the route tests.
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import status_code_conformance

from iib_core.api import build_context, create_app
from iib_core.config import Settings
from support.files import a1111_png, plain_png
from support.server import LiveServer

# Routes that would act on the machine running the tests, or that wait by design.
EXCLUDED = ("/open_folder", "/open_with_default_app", "/shutdown", "/gen_info_completed")


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    library = tmp / "library"
    a1111_png(library / "a" / "1.png", "a fuzzy cat")
    a1111_png(library / "b" / "2.png", "a fuzzy dog")
    plain_png(library / "c" / "3.png")
    env = {"IIB_DB_PATH": str(tmp / "fuzz.db"), "IIB_CACHE_DIR": str(tmp / "cache"), "IIB_ACCESS_CONTROL": "enable"}
    ctx = build_context(Settings.load(environ=env, env_file=tmp / "none"), extra_paths=[str(library)])
    ctx.jobs.start()
    ctx.jobs.wait()
    with LiveServer(create_app(ctx)) as server:
        yield server


@pytest.fixture
def api_schema(fuzz_server):
    schema = schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")
    return schema.exclude(path=list(EXCLUDED))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_gives_a_server_error(case, fuzz_server):
    response = case.call(base_url=fuzz_server.url, timeout=30)
    assert response.status_code < 500, (case.method, case.path, case.body, case.query, response.text[:500])
    # The schema is honest: every status a route answers is declared (with its {"detail"} shape).
    case.validate_response(response, checks=[status_code_conformance])
