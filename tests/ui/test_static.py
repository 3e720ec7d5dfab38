"""The UI's files and how they are served (no browser needed): index.html with the base
path, fe-static files and their types, no key needed, no way out of the web folder; the
string tables are complete in all four languages; the source never renders HTML strings."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi import FastAPI

from iib_core.api import build_context, mount_iib
from iib_core.config import Settings
from support.server import LiveServer
from ui.pages import serve

WEB = Path(__file__).resolve().parents[2] / "iib_core" / "web"
LANGS = ("en", "zh-hans", "zh-hant", "de")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("static") / "pics"
    root.mkdir()
    with serve(tmp_path_factory.mktemp("server"), [root], env={"IIB_SECRET_KEY": "k"}, index=False) as s:
        yield s


def test_index_html_names_the_base_and_needs_no_key(served):
    with served.client() as c:
        page = c.get(served.base)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "__IIB_BASE__" not in page.text and f"var served = '{served.base}'" in page.text
        root = c.get("/")  # the standalone app serves the UI at / as well
        assert root.status_code == 200 and root.text == page.text
        assert c.get(served.base + "/global_setting").status_code == 401  # the API does need it


def test_static_files_types_and_missing_files(served):
    with served.client() as c:
        js = c.get(served.base + "/fe-static/js/main.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        mjs = c.get(served.base + "/fe-static/vendor/preact/preact.mjs")
        assert mjs.status_code == 200 and mjs.headers["content-type"].startswith("text/javascript")
        css = c.get(served.base + "/fe-static/css/app.css")
        assert css.headers["content-type"].startswith("text/css")
        strings = c.get(served.base + "/fe-static/i18n/de.json")
        assert strings.json()["tab.settings"] == "Einstellungen"
        assert c.get(served.base + "/fe-static/js/nope.js").status_code == 404
        assert c.get(served.base + "/fe-static/js/nope.js").json() == {"detail": "Not Found"}
        for sneaky in ("/fe-static/../api/app.py", "/fe-static/%2e%2e/api/app.py", "/fe-static/..%2f..%2fconfig.py",
                       "/fe-static//etc/passwd"):
            r = c.get(served.base + sneaky)
            assert r.status_code == 404, sneaky
            assert "def " not in r.text


def test_a_host_mount_serves_the_ui_at_its_base_only(tmp_path):
    settings = Settings.load(environ={"IIB_DB_URL": f"sqlite:///{tmp_path}/iib.db", "IIB_CACHE_DIR": str(tmp_path / "c")},
                             env_file=tmp_path / "no.env")
    ctx = build_context(settings, base="/elsewhere")
    host = FastAPI()
    mount_iib(host, ctx)
    with LiveServer(host) as server, server.client() as c:
        page = c.get("/elsewhere")
        assert page.status_code == 200 and "var served = '/elsewhere'" in page.text
        assert c.get("/").status_code == 404  # the host's own root is left alone
        assert c.get("/elsewhere/fe-static/js/main.js").status_code == 200
    ctx.db.dispose()


def _used_keys():
    keys = set()
    for path in (WEB / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        keys.update(re.findall(r"\bt\('([a-zA-Z0-9_.]+)'", text))
        keys.update(re.findall(r"'((?:action|ai|app|batch|compare|dialog|filter|folder|index|preview|results|search|secret|settings|sort|start|tab|tags|toast|trash|tree)"
                               r"\.[a-zA-Z0-9_.]+)'", text))
        for prefix, group in re.findall(r"t\('(shortcut|webui)\.' \+ ([a-zA-Z]+)", text):
            keys.add(prefix + ".")
    return keys


def _table(lang):
    """One language's strings: the main file and every feature part, with no key defined twice."""
    merged = json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    for part in sorted(p for p in (WEB / "i18n").iterdir() if p.is_dir()):
        table = json.loads((part / f"{lang}.json").read_text(encoding="utf-8"))
        assert not set(table) & set(merged), f"{part.name}/{lang}.json redefines {set(table) & set(merged)}"
        merged.update(table)
    return merged


def test_the_i18n_parts_on_disk_are_the_ones_the_ui_loads():
    source = (WEB / "js" / "i18n.js").read_text(encoding="utf-8")
    parts = re.search(r"PARTS = \[([^\]]*)\]", source).group(1)
    listed = set(re.findall(r"'([a-z]+)'", parts))
    assert listed == {p.name for p in (WEB / "i18n").iterdir() if p.is_dir()}


def test_every_string_is_translated_in_all_four_languages():
    tables = {lang: _table(lang) for lang in LANGS}
    en = tables["en"]
    for lang, table in tables.items():
        assert set(table) == set(en), f"{lang}: missing {set(en) - set(table)}, extra {set(table) - set(en)}"
        assert all(isinstance(v, str) and v.strip() for v in table.values()), lang
        for key, value in table.items():  # the same placeholders in every language
            assert set(re.findall(r"\{(\w+)\}", value)) == set(re.findall(r"\{(\w+)\}", en[key])), (lang, key)
    used = _used_keys()
    for key in used:
        if key.endswith("."):
            assert any(k.startswith(key) for k in en), key
        else:
            assert key in en, f"{key} is used but not in en.json"
    for lang in ("zh-hans", "zh-hant", "de"):
        same = [k for k in en if tables[lang][k] == en[k]]
        assert len(same) < len(en) * 0.12, f"{lang} looks untranslated: {same}"
    assert sum(tables["zh-hans"][k] != tables["zh-hant"][k] for k in en) > len(en) * 0.4


def test_the_source_never_renders_html_strings():
    for path in (WEB / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        for banned in ("dangerouslySetInnerHTML", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                       "eval(", "new Function"):
            assert banned not in text, f"{path.name} uses {banned}"
    html = (WEB / "index.html").read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html  # no CDN


def test_vendor_files_are_present_with_their_licences():
    for pkg in ("preact", "htm", "signals", "virtual-core"):
        assert (WEB / "vendor" / pkg / "LICENSE").is_file()
    imports = set()
    for path in (WEB / "js").rglob("*.js"):
        imports.update(re.findall(r"from '([^'.][^']*)'", path.read_text(encoding="utf-8")))
    assert imports <= {"preact", "preact/hooks", "htm", "@preact/signals", "@tanstack/virtual-core"}, imports
