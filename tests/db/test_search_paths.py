"""Every way `search_text` / `search_images` can find a page gives exactly the page of a
straightforward reference: all rows filtered in Python, sorted by (mtime, id) descending.

The corpus is written through the indexer's insert path (so the FTS5 / pg_trgm index is the
real one). Its ids and times mostly agree, as in a real library (new files get new ids), but
some old rows carry new times (files edited since they were indexed) and some times are
shared, which is what the row-id walk must get right.
"""
import json
import random

import pytest

from iib_core.db import query as query_mod
from iib_core.db.listing import encode_cursor
from iib_core.db.query import search_images, search_text
from support.rows import all_pages, database_with

WORDS = ["cat", "dog", "masterpiece", "blue", "sky", "river", "night", "smile", "hat", "red eyes",
         "flower", "lake", "sword", "castle", "rain", "sunset"]
BASE = 1_700_000_000.0


def _corpus(n=420, seed=5):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        words = rng.sample(WORDS, 4)
        if i % 3:
            words.append("common cat")  # in two rows of three
        if i % 97 == 5:
            words.append("Zebra stripes")  # rare, mixed case
        if i % 61 == 7:
            words.append("Ñandú café")  # non-ASCII
        if i % 83 == 11:
            words.append('100% cotton_shirt "quoted"')  # LIKE wildcards and an FTS5 quote
        if i < 140:
            mtime = BASE + i * 10  # older rows first: ids follow times...
        else:
            mtime = BASE + 140 * 10 + (i - 140) // 4  # ...four rows per second: shared times
        if i % 37 == 3:
            mtime = BASE + 10_000 + i  # ...except edited files: old id, new time
        folder = f"/lib/{'a' if i % 2 else 'b'}/{i // 50:02d}"
        name = f"{i:04d}.{'png' if i % 5 else 'mp4'}"
        params = {"steps": 20 + i % 7, "sampler": "Euler a" if i % 4 else "DPM++ 2M"}
        rows.append({
            "path": f"{folder}/{name}", "folder": folder, "name": name, "size": 1000 + i, "mtime": mtime,
            "ctime": BASE, "width": 512, "height": 768, "media_type": "video" if name.endswith("mp4") else "image",
            "format": "PNG", "generator": "AUTOMATIC1111", "positive": ", ".join(words),
            "negative": "lowres, bad hands" if i % 2 else "", "params": json.dumps(params),
            "params_text": f"Steps: {params['steps']}, Sampler: {params['sampler']}", "raw": "",
            "fingerprint": None, "indexed_at": BASE,
        })
    return rows


@pytest.fixture
def corpus(db_url):
    rows = _corpus()
    with database_with(db_url, rows, 200) as db:
        yield db, rows


def _reference(rows, needle, folder=None, media_type=None):
    """Rows holding `needle` (any case) in the path or the generation text, newest first."""
    low = needle.lower()
    hits = [r for r in rows
            if any(low in r[c].lower() for c in ("path", "positive", "negative", "params_text"))
            and (folder is None or r["folder"] == folder or r["folder"].startswith(folder + "/"))
            and (media_type is None or r["media_type"] == media_type)]
    return sorted(hits, key=lambda r: (r["mtime"], r["id"]), reverse=True)


def _expected_pages(hits, limit):
    out = []
    for start in range(0, max(len(hits), 1), limit):
        chunk = hits[start:start + limit]
        more = len(hits) > start + limit
        out.append(([r["id"] for r in chunk], encode_cursor(chunk[-1]["mtime"], chunk[-1]["id"]) if more else ""))
    return out


NEEDLES = [
    "common cat",  # common: the probe or the first rows of the index fill the page
    "zebra",  # rare, other case than stored
    "ZEBRA STR",
    "qqqzz",  # no match
    "a",  # 1 character: no trigram
    "ca",  # 2 characters
    "Ñandú",  # non-ASCII (stored case)
    "café",
    "100%",  # LIKE wildcard, literal
    "n_s",
    '"quoted"',  # an FTS5 quote
    "red eyes",  # a phrase with a space
    "euler a",  # only in params_text
    "/lib/a/03/",  # only in the path
]

# (probe_rows, rowid_walk, max_examined, max_outside): the default, no probe, the old way,
# and caps small enough that the walk gives up half-way and the usual search takes over.
WAYS = [
    (None, True, None, None),
    (0, True, None, None),
    (3, True, None, None),
    (0, False, None, None),
    (None, False, None, None),
    (0, True, 5, None),
    (0, True, None, 2),
    (0, True, None, 0),
]


@pytest.mark.parametrize("way", WAYS, ids=lambda w: "probe%s-walk%s-exam%s-out%s" % w)
def test_every_way_gives_the_reference_pages(corpus, way, monkeypatch):
    db, rows = corpus
    probe, walk, examined, outside = way
    if examined is not None:
        monkeypatch.setattr(query_mod, "ROWID_WALK_MAX_EXAMINED", examined)
    if outside is not None:
        monkeypatch.setattr(query_mod, "ROWID_WALK_MAX_OUTSIDE", outside)
    for needle in NEEDLES:
        hits = _reference(rows, needle)
        assert needle in ("qqqzz",) or hits, needle  # the corpus holds every needle but one
        for limit in (7, 200):
            got = all_pages(search_text, db, needle, limit, probe_rows=probe, rowid_walk=walk)
            assert got == _expected_pages(hits, limit), (needle, limit)


@pytest.mark.parametrize("walk", [True, False])
def test_folder_and_media_filters_give_the_reference_pages(corpus, walk):
    db, rows = corpus
    for needle in ("common cat", "zebra", "sky", "qqqzz"):
        for folder, media in (("/lib/a", None), (None, "video"), ("/lib/b/01", "image")):
            hits = _reference(rows, needle, folder, media)
            kw = dict(folder_paths=[folder] if folder else (), media_type=media, probe_rows=0, rowid_walk=walk)
            got, cursor = [], ""
            while True:
                page = search_text(db, needle, limit=5, cursor=cursor, **kw)
                got.extend(r["id"] for r in page.rows)
                if not page.next_cursor:
                    break
                cursor = page.next_cursor
            assert got == [r["id"] for r in hits], (needle, folder, media)


def test_free_text_expressions_agree_with_and_without_the_walk(corpus):
    """AND / OR / NOT of words go through the walk too; the usual search is the reference."""
    db, _ = corpus
    for text in ("cat sky", "cat -sky", "zebra OR castle", '"red eyes" -"common cat"', "sky -qqqzz"):
        for limit in (3, 50):
            walked = [(p[0], p[1]) for p in _pages_query(db, text, limit, rowid_walk=True)]
            usual = [(p[0], p[1]) for p in _pages_query(db, text, limit, rowid_walk=False)]
            assert walked == usual, text
            assert sum(len(p[0]) for p in usual) > 0 or text == "qqqzz", text


def _pages_query(db, text, limit, **kw):
    out, cursor = [], ""
    while True:
        page = search_images(db, text, limit=limit, cursor=cursor, probe_rows=0, **kw)
        out.append(([r["id"] for r in page.rows], page.next_cursor))
        if not page.next_cursor:
            return out
        cursor = page.next_cursor
