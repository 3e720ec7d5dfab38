"""`query.search_text` (what the API runs for `syntax: "substr"`) gives exactly the pages of
the direct substring search kept as the test oracle (`support/substring_oracle.py`), over a
generated library and needles cut from its own text, on SQLite and PostgreSQL.

The query machinery reaches a page in several ways (newest-rows probe, FTS5 row-id walk,
one plain statement); each is compared, page by page through the cursor, with the oracle's
single statement. Needles are random substrings of the stored text in random case, plus
the awkward ones: LIKE wildcards, quotes, backslashes, non-ASCII, one and two characters
(below the trigram length).
"""
import json
import random

import pytest

from iib_core.db.query import search_text
from support.rows import all_pages, database_with
from support.substring_oracle import search_substring

BASE = 1_700_000_000.0
WORDS = ["cat", "dog", "Blue sky", "river", "night", "smile", "red eyes", "lake", "castle", "rain",
         "100%", "under_score", '"quoted"', "back\\slash", "Ñandú", "café", "ß", "sunset", "x"]
WAYS = {
    "default": {},
    "no probe": {"probe_rows": 0},
    "tiny probe": {"probe_rows": 1},
    "no row-id walk": {"rowid_walk": False, "probe_rows": 3},
}


def _rows(n=240, seed=13):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        folder = f"/gen/{rng.choice(['a', 'b', 'a/b'])}/{i % 7}"
        name = f"{i:04d}_{rng.choice(WORDS).replace(' ', '-')}.{'mp4' if i % 9 == 0 else 'png'}"
        mtime = BASE + rng.randrange(0, 200)  # many shared times, ids and times disagree
        positive = ", ".join(rng.sample(WORDS, rng.randrange(1, 6)))
        rows.append({
            "path": f"{folder}/{name}", "folder": folder, "name": name, "size": i, "mtime": mtime,
            "ctime": BASE, "width": 64, "height": 64, "media_type": "video" if name.endswith("mp4") else "image",
            "format": "PNG", "generator": "AUTOMATIC1111", "positive": positive,
            "negative": rng.choice(["", "lowres", "bad hands, blurry"]),
            "params": json.dumps({"steps": i % 30}), "params_text": f"Steps: {i % 30}, Seed: {rng.randrange(10**6)}",
            "raw": "", "fingerprint": None, "indexed_at": BASE,
        })
    return rows


def _needles(rows, count=26, seed=29):
    rng = random.Random(seed)
    out = ["", "%", "_", "\\", '"', "ß", "é", "10", "a/b/", "zzzz-absent"]
    while len(out) < count:
        text = rng.choice(rows)[rng.choice(["path", "positive", "negative", "params_text"])]
        if not text:
            continue
        start = rng.randrange(len(text))
        needle = text[start:start + rng.randrange(1, 9)]
        out.append("".join(c.upper() if rng.random() < 0.5 else c.lower() for c in needle))
    return out


@pytest.fixture
def generated(db_url):
    rows = _rows()
    with database_with(db_url, rows, 100) as db:
        yield db, rows


@pytest.mark.parametrize("options", [
    {},
    {"path_only": True},
    {"media_type": "video"},
    {"folder_paths": ["/gen/a"]},
    {"folder_paths": ["/gen/b", "/gen/a/b/3"], "media_type": "image"},
], ids=["all", "path only", "videos", "folder", "folders and images"])
def test_search_text_pages_equal_the_oracle(generated, options):
    db, rows = generated
    checked = 0
    for needle in _needles(rows):
        for limit in (25, 500):
            expected = all_pages(search_substring, db, needle, limit, **options)
            for way, kw in WAYS.items():
                got = all_pages(search_text, db, needle, limit, **options, **kw)
                assert got == expected, (needle, limit, way)
            checked += sum(len(ids) for ids, _ in expected)
    assert checked > 500  # the needles found rows: the comparison was not between empty pages
