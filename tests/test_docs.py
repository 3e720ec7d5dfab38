"""The docs in docs/ must match the code: every route of the app is in docs/api.md.

The routes come from the app itself (its OpenAPI schema) and from each route group's router
(which also holds the routes left out of the schema, such as the UI's), so a new route fails
this test until it is documented.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Set, Tuple

import pytest

from iib_core.api import DEFAULT_BASE, app_routes, build_context, create_app, web_routes
from iib_core.api.app import ROUTE_GROUPS
from iib_core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"
# FastAPI's own pages: documented in one row of docs/api.md, served at the root.
FASTAPI_PAGES = {"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    settings = Settings.load(environ={"IIB_DB_PATH": str(tmp / "iib.db"), "IIB_CACHE_DIR": str(tmp / "cache")},
                             env_file=tmp / "no.env")
    context = build_context(settings, enable_shutdown=True)
    yield context
    context.db.dispose()


def _relative(path: str) -> str:
    """A route's path as docs/api.md writes it: relative to the base path, `{x:path}` as `{x}`."""
    path = re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
    if path.startswith(DEFAULT_BASE + "/"):
        return path[len(DEFAULT_BASE):]
    return path


def router_routes(ctx) -> Set[Tuple[str, str]]:
    routers = [app_routes.build_public(ctx), web_routes.build(ctx, serve_root=True)]
    routers += [group.build(ctx) for group in ROUTE_GROUPS]
    out = set()
    for router in routers:
        for route in router.routes:
            for method in route.methods - {"HEAD"}:
                out.add((method, route.path))
    return out


def schema_routes(ctx) -> Set[Tuple[str, str]]:
    app = create_app(ctx)
    out = set()
    for path, operations in app.openapi()["paths"].items():
        assert path.startswith(DEFAULT_BASE + "/"), f"{path} is not under the base path"
        for method in operations:
            out.add((method.upper(), path[len(DEFAULT_BASE):]))
    return out


def documented(method: str, path: str, text: str) -> bool:
    """The doc names the route as `METHOD /path` (with `?query` or a space or backtick after it)."""
    pattern = re.escape(f"{method} {_relative(path)}") + r"(?=[`?\s])"
    return re.search(pattern, text) is not None


def test_every_route_is_in_api_md(ctx):
    text = API_DOC.read_text(encoding="utf-8")
    routes = router_routes(ctx)
    assert len(routes) > 50, "the route walk found too few routes: has the app's structure changed?"
    missing = sorted(f"{m} {p}" for m, p in routes if not documented(m, p, text))
    assert not missing, "routes not documented in docs/api.md: " + ", ".join(missing)


def test_the_schema_has_no_route_the_routers_miss(ctx):
    """The app's OpenAPI schema is the outside view: every route in it is one we walked (and so is
    documented), so a route group mounted some other way cannot slip past the test above."""
    walked = {(m, _relative(p)) for m, p in router_routes(ctx)}
    extra = sorted(f"{m} {p}" for m, p in schema_routes(ctx) - walked)
    assert not extra, "routes in the app but not in any route group: " + ", ".join(extra)
    text = API_DOC.read_text(encoding="utf-8")
    for page in sorted(FASTAPI_PAGES - {"/docs/oauth2-redirect"}):
        assert f"GET {page}`" in text, f"FastAPI page {page} is not in docs/api.md"


def test_documented_routes_exist(ctx):
    """No stale entries: every `METHOD /path` at the start of a table row is a real route."""
    text = API_DOC.read_text(encoding="utf-8")
    real = {(m, _relative(p)) for m, p in router_routes(ctx)}
    real |= {("GET", p) for p in FASTAPI_PAGES}
    rows = re.findall(r"^\| `(GET|POST|DELETE|PUT|PATCH) (/[^`?\s]*)", text, flags=re.M)
    assert rows, "no route rows found in docs/api.md"
    stale = sorted(f"{m} {p}" for m, p in rows if (m, p) not in real)
    assert not stale, "docs/api.md lists routes the app does not have: " + ", ".join(stale)


# -- docs/configuration.md ------------------------------------------------------------------

CONFIG_DOC = ROOT / "docs" / "configuration.md"
# Where the code may read configuration: the package, the entry points, the webui glue.
CODE_FILES = [*sorted((ROOT / "iib_core").rglob("*.py")), ROOT / "app.py", ROOT / "install.py",
              *sorted((ROOT / "scripts").glob("*.py"))]
# IIB_-names in the code that are not settings: the auth cookie's name.
NOT_SETTINGS = {"IIB_S"}


def _config_text() -> str:
    return CONFIG_DOC.read_text(encoding="utf-8")


def _in_doc(name: str, text: str) -> bool:
    return re.search(r"`" + re.escape(name) + r"[` ]", text) is not None


class _Recording(dict):
    """An empty environment that notes every name looked up in it."""

    def __init__(self) -> None:
        super().__init__()
        self.names: Set[str] = set()

    def get(self, key, default=None):
        self.names.add(key)
        return default

    def __contains__(self, key) -> bool:
        self.names.add(key)
        return False

    def __getitem__(self, key):
        self.names.add(key)
        raise KeyError(key)


def test_settings_are_documented():
    """Every variable `Settings.load` reads and every `Settings` field is in configuration.md."""
    from dataclasses import fields

    from iib_core.config import Settings, _parse_environment

    env = _Recording()
    _parse_environment(env)
    assert len(env.names) > 20, "recorded too few names: has config.py changed how it reads the environment?"
    text = _config_text()
    missing = sorted(n for n in env.names if not _in_doc(n, text))
    assert not missing, "environment variables read by iib_core/config.py but not in docs/configuration.md: " + \
        ", ".join(missing)
    undocumented = sorted(f.name for f in fields(Settings) if not _in_doc(f.name, text))
    assert not undocumented, "Settings fields not in docs/configuration.md: " + ", ".join(undocumented)


def test_every_environment_name_in_the_code_is_documented():
    """Names read outside config.py too: every `IIB_...` name and every `environ.get("X")` /
    `getenv("X")` / `environ["X"]` in the code."""
    names: Set[str] = set()
    for path in CODE_FILES:
        source = path.read_text(encoding="utf-8")
        names.update(re.findall(r"\b(IIB_[A-Z][A-Z0-9_]*)\b", source))
        names.update(re.findall(r"""(?:environ\.get|getenv)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""", source))
        names.update(re.findall(r"""environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""", source))
    names -= NOT_SETTINGS
    assert "IIB_SECRET_KEY" in names and "IIB_LOCAL_AI_DEVICE" in names, "the scan found too little"
    text = _config_text()
    missing = sorted(n for n in names if not _in_doc(n, text))
    assert not missing, "environment variables in the code but not in docs/configuration.md: " + ", ".join(missing)


def test_every_flag_is_documented():
    from iib_core.cli import build_parser

    text = _config_text()
    flags = [opt for action in build_parser()._actions for opt in action.option_strings]
    assert "--extra_paths" in flags and "--update_image_index" in flags
    missing = sorted(f for f in flags if not _in_doc(f, text))
    assert not missing, "flags of app.py not in docs/configuration.md: " + ", ".join(missing)


# -- docs/architecture.md -------------------------------------------------------------------

ARCH_DOC = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "iib_core"


def _unit_of(path: Path) -> str:
    """`iib_core/db/images.py` -> "db"; `iib_core/cli.py` -> "cli"."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else parts[0][: -len(".py")]


@functools.cache
def real_imports() -> dict:
    """{unit: {imported unit: [files]}} over every module of iib_core (lazy imports included)."""
    import ast

    units = {_unit_of(p) for p in PACKAGE.rglob("*.py")} - {"__init__"}
    edges: dict = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source_unit = _unit_of(path)
        package = list(path.relative_to(PACKAGE).parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)]
                parts = base + (node.module.split(".") if node.module else [])
                targets = [parts[0]] if parts else [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "iib_core":
                parts = node.module.split(".")[1:]
                targets = [parts[0]] if parts else [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name.split(".")[1] for a in node.names if a.name.startswith("iib_core.")]
            for target in targets:
                target = target if target in units else "__init__"  # e.g. `from .. import __version__`
                if target != source_unit:
                    edges.setdefault(source_unit, {}).setdefault(target, []).append(
                        str(path.relative_to(ROOT)))
    return edges


def documented_imports() -> dict:
    text = ARCH_DOC.read_text(encoding="utf-8")
    section = text.split("## Who may import whom", 1)[1].split("\n## ", 1)[0]
    table = {}
    for package, allowed in re.findall(r"^\| `(\w+)` \| (.*?) \|$", section, flags=re.M):
        table[package] = set(re.findall(r"`(\w+)`", allowed))
    return table


def test_import_table_in_architecture_md_is_true():
    table = documented_imports()
    assert len(table) > 10, "the import table in docs/architecture.md was not found"
    units = {_unit_of(p) for p in PACKAGE.rglob("*.py")} - {"__init__"}
    missing_rows = sorted(units - set(table))
    assert not missing_rows, "packages with no row in the import table of docs/architecture.md: " + \
        ", ".join(missing_rows)
    breaches = []
    for source, targets in sorted(real_imports().items()):
        for target, files in sorted(targets.items()):
            if target not in table.get(source, set()):
                breaches.append(f"{source} imports {target} ({', '.join(sorted(set(files)))})")
    assert not breaches, "imports the table in docs/architecture.md does not allow:\n" + "\n".join(breaches)


def test_pure_packages_stay_pure():
    """metadata and search import nothing of ours but errors (the table says so; this says why it matters)."""
    edges = real_imports()
    assert set(edges.get("metadata", {})) <= set(), edges.get("metadata")
    assert set(edges.get("search", {})) <= {"errors"}, edges.get("search")


# -- comments point to docs/ ------------------------------------------------------------------

# Citations of documents that are not in the repository, and of feature or issue numbers that
# mean nothing to a reader of a clone. Comments point to docs/*.md instead.
OUTSIDE_CITATIONS = re.compile(
    r"api-contract|webui-contract|metadata-formats|testing\.md|features\.md|(?<!docs/)architecture\.md"
    r"|§|(?<![\w'\"])[BF]\d{1,2}(?![\w'\"])|\bissue\s*#?\d+|\bseeds?/\d+|shared/docs",
    re.IGNORECASE)


def _python_comments(source: str):
    """(line, text) of every comment, docstring and bare string statement."""
    import ast
    import io
    import tokenize

    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
                and isinstance(node.value.value, str):
            yield node.lineno, node.value.value


def _js_comments(source: str):
    for m in re.finditer(r"//[^\n]*|/\*.*?\*/", source, flags=re.S):
        if m.group().startswith("//") and source[max(0, m.start() - 1)] == ":":
            continue  # a URL such as https://..., not a comment
        yield source.count("\n", 0, m.start()) + 1, m.group()


def _hash_comments(source: str):
    for number, line in enumerate(source.splitlines(), 1):
        if "#" in line:
            yield number, line[line.index("#"):]


def _commented_files():
    web_vendor = ROOT / "iib_core" / "web" / "vendor"
    for folder in ("iib_core", "tests", "scripts", "javascript"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and web_vendor not in path.parents and path.suffix in (".py", ".js", ".mjs", ".css"):
                yield path
    for name in ("app.py", "install.py", ".ci/run", "pytest.ini", "style.css"):
        if (ROOT / name).is_file():
            yield ROOT / name
    yield from sorted(ROOT.glob("requirements*.txt"))


def test_comments_cite_only_docs_in_the_repository():
    found = []
    for path in _commented_files():
        if path == Path(__file__).resolve():
            continue  # the patterns above
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".py" or path.name == "app.py":
            comments = _python_comments(source)
        elif path.suffix in (".js", ".mjs", ".css"):
            comments = _js_comments(source)
        else:
            comments = _hash_comments(source)
        for line, text in comments:
            for m in OUTSIDE_CITATIONS.finditer(text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {m.group()!r}")
    assert not found, ("comments that cite documents outside the repository or feature/issue numbers "
                       "(point to docs/*.md instead):\n" + "\n".join(found))
