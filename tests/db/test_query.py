"""The query language against a real index (SQLite and PostgreSQL), built by IndexJob from
real files. The corpus avoids words that appear in pytest's temporary paths."""
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from iib_core.db import images as images_db
from iib_core.db import tags as tags_db
from iib_core.db.query import PROBE_ROWS, query_condition, search_images
from iib_core.errors import BadInput
from iib_core.indexer import IndexJob
from iib_core.search import parse_query
from support.files import a1111_png, plain_png, set_mtime


def local(y, m, d, hh=12, mm=0, ss=0):
    return time.mktime((y, m, d, hh, mm, ss, 0, 0, -1))


def infotext_png(path: Path, prompt: str, line: str, negative: str = "lowres", size=(16, 24)) -> Path:
    """A PNG with an A1111 `parameters` chunk whose last line is `line`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", f"{prompt}\nNegative prompt: {negative}\n{line}")
    Image.new("RGB", size, (10, 20, 30)).save(path, pnginfo=info)
    return path


@pytest.fixture
def lib(db, tmp_path):
    """Six real files, indexed; returns {name: path}."""
    root = tmp_path / "lib"
    files = {
        # Steps 20, Euler a, CFG 7, Seed 11, Size 512x768, Model dreamy_v1; pixels 16x24
        "cat1.png": a1111_png(root / "cats" / "cat1.png", "a fluffy cat on a red sofa", seed=11),
        "cat2.png": infotext_png(
            root / "cats" / "cat2.png", "a black cat, night sky <lora:Add_Detail:0.7>",
            "Steps: 35, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, "
            "Seed: 18446744073709551615, Size: 1024x1536, Model: sd_xl_base_1.0", size=(32, 48)),
        "dog1.png": infotext_png(
            root / "dogs" / "dog1.png", "a dog in the park, artist:foo bar, <lyco:film_grain:0.5>",
            "Steps: 28, Sampler: DPM++ SDE, CFG scale: 4, Seed: 12345, Size: 832x1216, "
            "Model: Pony Diffusion XL", negative="ugly hands", size=(64, 96)),
        "dog2.png": infotext_png(
            root / "dogs" / "dog2.png", "dog and cat together, 100% cotton_shirt",
            "Steps: 50, Sampler: Euler, CFG scale: 7.5, Seed: random, Size: 512x512, Model: dreamy_v2",
            size=(512, 768)),
        "sunset.png": plain_png(root / "misc" / "sunset.png"),
        "photo.jpg": root / "misc" / "photo.jpg",
    }
    Image.new("RGB", (40, 30), (200, 100, 0)).save(files["photo.jpg"], format="JPEG")
    set_mtime(files["cat1.png"], local(2026, 11, 21, 10))
    set_mtime(files["cat2.png"], local(2026, 11, 21, 23, 30))
    set_mtime(files["dog1.png"], local(2026, 11, 1, 0, 0, 0))  # first second of November
    set_mtime(files["dog2.png"], local(2026, 10, 31, 23, 59, 59))  # last second of October
    set_mtime(files["sunset.png"], local(2025, 6, 15))
    set_mtime(files["photo.jpg"], local(2027, 1, 1, 0, 0, 0))
    summary = IndexJob(db, [str(root)], workers=1).run()
    assert summary.progress.written == 6
    return files


def found(db, text, **kw):
    """Names matching `text`, the same whether the probe window holds none, some or all rows."""
    results = {}
    for probe in (0, 1, 3, PROBE_ROWS):
        page = search_images(db, text, probe_rows=probe, **kw)
        results[probe] = [r["name"] for r in page.rows]
    assert len({tuple(v) for v in results.values()}) == 1, results
    return sorted(results[PROBE_ROWS])


ALL = ["cat1.png", "cat2.png", "dog1.png", "dog2.png", "photo.jpg", "sunset.png"]


def test_free_text_terms_phrases_negation_or_and_groups(db, lib):
    assert found(db, "") == ALL
    assert found(db, "FLUFFY") == ["cat1.png"]
    assert found(db, "cat") == ["cat1.png", "cat2.png", "dog2.png"]  # prompt or path
    assert found(db, "cat dog") == ["dog2.png"]  # each term binds its own value
    assert found(db, "cat night sofa") == []
    assert found(db, "cat -dog") == ["cat1.png", "cat2.png"]
    assert found(db, '"red sofa"') == ["cat1.png"]
    assert found(db, '"sofa red"') == []
    assert found(db, 'cat -"red sofa"') == ["cat2.png", "dog2.png"]
    assert found(db, "sofa OR park") == ["cat1.png", "dog1.png"]
    assert found(db, "cat sky OR park") == ["cat2.png"]  # cat AND (sky OR park)
    assert found(db, "(cat sky) OR park") == ["cat2.png", "dog1.png"]
    assert found(db, "cat -(sky OR sofa)") == ["dog2.png"]
    assert found(db, "-cat -dog") == ["photo.jpg", "sunset.png"]
    assert found(db, "sunset OR photo.jpg") == ["photo.jpg", "sunset.png"]  # file names
    assert found(db, "hands") == ["dog1.png"]  # negative prompt
    assert found(db, "dpm++") == ["cat2.png", "dog1.png"]  # parameters


def test_text_combinations_inside_the_full_text_index(db, lib):
    """Shapes that SQLite sends to FTS5 as one MATCH expression (the same answers on PostgreSQL)."""
    assert found(db, "-sofa -sky") == ["dog1.png", "dog2.png", "photo.jpg", "sunset.png"]
    assert found(db, "(cat sky) OR (dog -park)") == ["cat2.png", "dog2.png"]
    assert found(db, "(cat -sky -sofa) OR park") == ["dog1.png", "dog2.png"]
    assert found(db, "-(cat OR dog) -sunset") == ["photo.jpg"]
    assert found(db, "cat (sky OR ky)") == ["cat2.png"]  # a short term mixed in
    assert found(db, "cat model:xl") == ["cat2.png"]  # filter values join the MATCH
    assert found(db, "dog lora:film") == ["dog1.png"]
    assert found(db, "cat sampler:euler") == ["cat1.png", "dog2.png"]
    assert found(db, "cat seed:18446744073709551615") == ["cat2.png"]
    assert found(db, "cat -seed:18446744073709551615") == ["cat1.png", "dog2.png"]
    assert found(db, "cat scheduler:karras") == ["cat2.png"]
    assert found(db, "cat ext:png -ext:jpg") == ["cat1.png", "cat2.png", "dog2.png"]
    assert found(db, "cat (model:xl OR seed:11)") == ["cat1.png", "cat2.png"]


def test_non_ascii_text(db, tmp_path):
    root = tmp_path / "lib"
    infotext_png(root / "fr.png", "Un \u00c9clair au caf\u00e9, \u732b", "Steps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 512x512")
    infotext_png(root / "en.png", "plain coffee", "Steps: 20, Sampler: Euler, CFG scale: 7, Seed: 2, Size: 512x512")
    IndexJob(db, [str(root)], workers=1).run()
    assert found(db, "\u00c9clair") == ["fr.png"]
    assert found(db, "Caf\u00e9") == ["fr.png"]  # differs in ASCII case only
    assert found(db, "\u732b") == ["fr.png"]  # one character: scanned
    assert found(db, "-caf\u00e9") == ["en.png"]
    assert found(db, "caf\u00e9 OR coffee") == ["en.png", "fr.png"]


def test_short_terms_wildcards_and_unknown_fields_are_literal_text(db, lib):
    assert found(db, "ky") == ["cat2.png"]  # below the trigram length: scanned
    assert found(db, "ky -ni") == []
    assert found(db, "100%") == ["dog2.png"]
    assert found(db, "n_s") == ["dog2.png"]
    assert found(db, "artist:foo") == ["dog1.png"]
    assert found(db, 'artist:"foo bar"') == ["dog1.png"]
    assert found(db, "<lyco:film_grain") == ["dog1.png"]


def test_model_sampler_scheduler_filters(db, lib):
    assert found(db, "model:xl") == ["cat2.png", "dog1.png"]
    assert found(db, 'model:"pony diffusion"') == ["dog1.png"]
    assert found(db, "model:DREAMY") == ["cat1.png", "dog2.png"]
    assert found(db, "-model:dreamy") == ["cat2.png", "dog1.png", "photo.jpg", "sunset.png"]
    assert found(db, "model:%") == []  # no wildcards
    assert found(db, "sampler:dpm") == ["cat2.png", "dog1.png"]
    assert found(db, 'sampler:"euler a"') == ["cat1.png"]
    assert found(db, "sampler:euler") == ["cat1.png", "dog2.png"]
    assert found(db, "scheduler:karras") == ["cat2.png"]
    assert found(db, "-scheduler:karras") == ["cat1.png", "dog1.png", "dog2.png", "photo.jpg", "sunset.png"]


def test_lora_filter_uses_lora_and_lyco_names(db, lib):
    assert found(db, "lora:detail") == ["cat2.png"]
    assert found(db, "lora:ADD_DETAIL") == ["cat2.png"]
    assert found(db, "lora:film") == ["dog1.png"]  # a LyCORIS
    assert found(db, "lyco:grain") == ["dog1.png"]
    assert found(db, "lora:_") == ["cat2.png", "dog1.png"]
    assert found(db, "lora:nothing") == []
    assert found(db, "-lora:detail cat") == ["cat1.png", "dog2.png"]


def test_number_filters(db, lib):
    assert found(db, "steps>30") == ["cat2.png", "dog2.png"]
    assert found(db, "steps>=35") == ["cat2.png", "dog2.png"]
    assert found(db, "steps<28") == ["cat1.png"]
    assert found(db, "steps<=28") == ["cat1.png", "dog1.png"]
    assert found(db, "steps:28") == ["dog1.png"]
    assert found(db, "steps:>28 steps:<50") == ["cat2.png"]
    assert found(db, "-steps:20") == ["cat2.png", "dog1.png", "dog2.png", "photo.jpg", "sunset.png"]
    assert found(db, "cfg:7") == ["cat1.png"]
    assert found(db, "cfg:7.0") == ["cat1.png"]
    assert found(db, "cfg:6.5") == ["cat2.png"]
    assert found(db, "cfg>6.9") == ["cat1.png", "dog2.png"]
    assert found(db, "cfg<5") == ["dog1.png"]
    assert found(db, "steps>1000000000000000000000000") == []  # beyond 64 bits: no error
    assert found(db, "steps>-1000000000000000000000000") == ["cat1.png", "cat2.png", "dog1.png", "dog2.png"]


def test_seed_filter_is_exact_even_beyond_64_bits(db, lib):
    assert found(db, "seed:11") == ["cat1.png"]
    assert found(db, "seed:12345") == ["dog1.png"]
    assert found(db, "seed:18446744073709551615") == ["cat2.png"]
    assert found(db, "seed:18446744073709551614") == []
    assert found(db, "seed:18446744073709551616") == []
    assert found(db, "seed>100") == ["cat2.png", "dog1.png"]  # dog2's seed is the text "random"
    assert found(db, "seed<100") == ["cat1.png"]
    assert found(db, "-seed:11 cat") == ["cat2.png", "dog2.png"]


def test_size_filter_matches_generation_or_pixel_size(db, lib):
    assert found(db, "size:512x768") == ["cat1.png", "dog2.png"]  # cat1 generated, dog2 pixels
    assert found(db, "size:1024x1536") == ["cat2.png"]
    assert found(db, "size:32x48") == ["cat2.png"]
    assert found(db, "size:16x24") == ["cat1.png"]
    assert found(db, "size:8x8") == ["sunset.png"]
    assert found(db, "size:40x30") == ["photo.jpg"]
    assert found(db, "size:x1216") == ["dog1.png"]
    assert found(db, "size:512x") == ["cat1.png", "dog2.png"]
    assert found(db, "size:512x1536") == []  # width and height come from the same source
    assert found(db, "-size:512x") == ["cat2.png", "dog1.png", "photo.jpg", "sunset.png"]


def test_date_filter_uses_local_days(db, lib):
    assert found(db, "date:2026-11-21") == ["cat1.png", "cat2.png"]
    assert found(db, "date:2026-11") == ["cat1.png", "cat2.png", "dog1.png"]
    assert found(db, "date:2026-10-31") == ["dog2.png"]
    assert found(db, "date:2026") == ["cat1.png", "cat2.png", "dog1.png", "dog2.png"]
    assert found(db, "date>2026-11-01") == ["cat1.png", "cat2.png", "photo.jpg"]
    assert found(db, "date>=2026-11-01") == ["cat1.png", "cat2.png", "dog1.png", "photo.jpg"]
    assert found(db, "date<2026-11") == ["dog2.png", "sunset.png"]
    assert found(db, "date<=2026-10-31") == ["dog2.png", "sunset.png"]
    assert found(db, "date<=2026-11") == ["cat1.png", "cat2.png", "dog1.png", "dog2.png", "sunset.png"]
    assert found(db, "date>2026") == ["photo.jpg"]
    assert found(db, "date:2026-11 -date:2026-11-21") == ["dog1.png"]
    assert found(db, "date:1000") == [] and found(db, "date>9000") == []


def test_tag_filter_is_whole_name_any_case_and_sees_custom_tags(db, lib):
    with db.write() as conn:
        dog1 = images_db.get_by_path(conn, str(lib["dog1.png"]))["id"]
        tag = tags_db.get_or_create_custom(conn, "Best Set")
        tags_db.add_links(conn, [(dog1, tag)])
    assert found(db, 'tag:"best set"') == ["dog1.png"]
    assert found(db, "tag:best") == []  # whole names only
    assert found(db, 'tag:"NIGHT SKY"') == ["cat2.png"]  # a prompt word
    assert found(db, "tag:dreamy_v1") == ["cat1.png"]  # the Model tag
    assert found(db, "tag:add_detail") == ["cat2.png"]  # the lora tag
    assert found(db, "tag:image") == ALL  # Media Type
    assert found(db, '-tag:"best set" dog') == ["dog2.png"]


def test_ext_and_generator_filters(db, lib):
    assert found(db, "ext:jpg") == ["photo.jpg"]
    assert found(db, "ext:.PNG") == ["cat1.png", "cat2.png", "dog1.png", "dog2.png", "sunset.png"]
    assert found(db, "-ext:png") == ["photo.jpg"]
    assert found(db, "ext:pn") == []  # the whole extension
    assert found(db, "generator:automatic1111") == ["cat1.png", "cat2.png", "dog1.png", "dog2.png"]
    assert found(db, "source:1111") == ["cat1.png", "cat2.png", "dog1.png", "dog2.png"]
    assert found(db, "-generator:automatic") == ["photo.jpg", "sunset.png"]  # no generator at all
    assert found(db, "generator:comfy") == []


def test_filters_combine_with_text_and_each_other(db, lib):
    assert found(db, "cat steps>30 model:xl") == ["cat2.png"]
    assert found(db, "cat OR dog -lora:film") == ["cat1.png", "cat2.png", "dog2.png"]
    assert found(db, "(steps:20 OR cfg<5) -date:2026-11-21") == ["dog1.png"]
    assert found(db, "dog size:512x OR lora:film") == ["dog1.png", "dog2.png"]
    assert found(db, "model:dreamy OR ext:jpg date>=2026-11") == ["cat1.png", "photo.jpg"]


def test_folder_media_type_and_path_only_restrictions(db, lib):
    dogs = str(lib["dog1.png"].parent)
    assert found(db, "cat", folder_paths=[dogs]) == ["dog2.png"]
    assert found(db, "-cat", folder_paths=[dogs]) == ["dog1.png"]
    assert found(db, "cat", media_type="image") == ["cat1.png", "cat2.png", "dog2.png"]
    assert found(db, "cat", media_type="video") == []
    assert found(db, "cat", path_only=True) == ["cat1.png", "cat2.png"]
    assert found(db, "cat steps>30", path_only=True) == ["cat2.png"]


def test_results_are_newest_first_and_a_query_object_is_accepted(db, lib):
    page = search_images(db, parse_query("cat OR dog"))
    assert [r["name"] for r in page.rows] == ["cat2.png", "cat1.png", "dog1.png", "dog2.png"]
    assert page.next_cursor == ""
    row = page.rows[0]
    assert row["path"] == str(lib["cat2.png"]) and row["width"] == 32 and row["height"] == 48
    assert row["generator"] == "AUTOMATIC1111" and row["media_type"] == "image"
    assert query_condition(db, parse_query("")) is None


def test_paging_never_skips_or_repeats(db, tmp_path):
    root = tmp_path / "lib"
    for i in range(25):
        f = a1111_png(root / f"{i:02}.png", f"same second {i}", seed=i)
        set_mtime(f, 1_700_000_000 + (i // 10))  # groups of 10 share one second
    IndexJob(db, [str(root)], workers=1).run()
    for probe in (0, 3, 5, 7, PROBE_ROWS):
        seen, cursor = [], ""
        while True:
            page = search_images(db, 'same -"second 7" seed<100', limit=4, cursor=cursor, probe_rows=probe)
            seen.extend(r["name"] for r in page.rows)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert len(seen) == 24 and len(set(seen)) == 24 and "07.png" not in seen
        mtimes = [os.stat(root / n).st_mtime for n in seen]
        assert mtimes == sorted(mtimes, reverse=True)


def test_bad_query_text_and_cursor(db, lib):
    with pytest.raises(BadInput, match="steps needs a number"):
        search_images(db, "steps>abc")
    with pytest.raises(BadInput, match="too many terms"):
        search_images(db, " ".join(f"w{i}" for i in range(33)))
    with pytest.raises(ValueError):
        search_images(db, "cat", cursor="not-a-cursor")


def test_values_stored_as_text_or_junk_never_raise(db, lib):
    """Other tools and older versions may store numbers as text, or junk: compared when
    numeric, ignored otherwise, never a database error (the PostgreSQL cast is guarded)."""
    now = time.time()
    rows = []
    for name, params in (
        ("text-numbers.png", {"steps": "30", "cfg": " 7.5 ", "seed": "42", "width": 640, "height": 480,
                              "model": 5, "scheduler": 5, "sampler": ["x"]}),
        ("junk.png", {"steps": "many", "cfg": "1.2.3", "seed": {"a": 1}, "width": "wide", "model": None,
                      "scheduler": True}),
        ("nested.png", {"extra": {"steps": "99", "seed": "42"}}),
    ):
        rows.append({
            "path": str(lib["sunset.png"].parent / name), "folder": str(lib["sunset.png"].parent), "name": name,
            "size": 1, "mtime": now, "ctime": now, "width": 1, "height": 1, "media_type": "image",
            "format": "png", "generator": None, "positive": "", "negative": "", "params": json.dumps(params),
            "params_text": "", "raw": "", "fingerprint": None, "indexed_at": now,
        })
    with db.write() as conn:
        images_db.insert_many(conn, rows)
    assert found(db, "steps>29") == ["cat2.png", "dog2.png", "text-numbers.png"]
    assert found(db, "steps:30") == ["text-numbers.png"]
    assert found(db, "cfg:7.5") == ["dog2.png", "text-numbers.png"]
    assert found(db, "seed:42") == ["text-numbers.png"]
    assert found(db, "seed>41 seed<43") == ["text-numbers.png"]
    assert found(db, "size:640x480") == ["text-numbers.png"]
    assert found(db, "scheduler:5") == ["text-numbers.png"]  # model: reads the Model tags
    for q in ("steps>0", "cfg>1", "seed>0", "size:1x", "model:x", "sampler:x", "scheduler:t"):
        found(db, q)  # no error
    assert "junk.png" not in found(db, "steps>0") and "junk.png" in found(db, "-steps>0")
    assert "nested.png" not in found(db, "steps:99")


PIECES = [" ", '"', "(", ")", "-", "OR", "AND", "|", ",", "cat", "dog", "sky", "ca", "%", "_", "\\", "'",
          "é", "猫", "model:", "lora:", "sampler:", "scheduler:", "tag:", "ext:", "source:", "seed:", "steps>",
          "cfg<", "size:", "date>", "xl", "png", "12345", "7", "512x", "2026-11", "*", "NEAR", "^", ":",
          "{", "}", "+", "\x00"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_any_query_text_gives_a_page_or_bad_input(db, lib, text):
    """Odd text never reaches the database as an error (FTS5 syntax, casts, binds), and
    every plan gives the same rows."""
    try:
        names = found(db, text)
    except BadInput:
        return
    assert set(names) <= set(ALL)
