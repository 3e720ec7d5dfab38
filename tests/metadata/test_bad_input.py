"""Bad input never raises or hangs; real damage gives exactly one warning naming the file."""
from __future__ import annotations

import builtins
import json
import logging
import os
import struct
import time
import zlib

import pytest

from iib_core.metadata import inspect_file, read_generation_info

from .helpers import (A1111_TEXT, jpeg_bytes, png_bytes, png_chunk, text_chunk, tiff,
                      user_comment_unicode, webp_bytes, write)


def _one_warning(caplog, name: str) -> str:
    records = [r for r in caplog.records if r.name == "iib.metadata"]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].levelno == logging.WARNING
    message = records[0].getMessage()
    assert name in message
    return message


@pytest.fixture
def caplog(caplog):
    caplog.set_level(logging.WARNING, logger="iib.metadata")
    return caplog


def test_missing_file_and_broken_symlink(tmp_path, caplog):
    link = tmp_path / "dangling.png"
    link.symlink_to(tmp_path / "nowhere.png")
    assert read_generation_info(link) is None
    _one_warning(caplog, str(link))
    caplog.clear()
    assert inspect_file(tmp_path / "missing.png") is None
    _one_warning(caplog, "missing.png")


def test_permission_denied(tmp_path, caplog, monkeypatch):
    p = write(tmp_path / "locked.png", png_bytes(before=[text_chunk("parameters", A1111_TEXT)]))
    p.chmod(0)
    try:
        if os.access(p, os.R_OK):      # running as root: make open() refuse like the kernel would
            real_open = builtins.open

            def guarded(file, *args, **kwargs):
                if os.fspath(file) == os.fspath(p):
                    raise PermissionError(13, "Permission denied", os.fspath(file))
                return real_open(file, *args, **kwargs)
            monkeypatch.setattr(builtins, "open", guarded)
        assert read_generation_info(p) is None
    finally:
        monkeypatch.undo()
        p.chmod(0o644)
    assert "Permission denied" in _one_warning(caplog, "locked.png")


def test_directory_instead_of_file(tmp_path, caplog):
    d = tmp_path / "folder.png"
    d.mkdir()
    assert inspect_file(d) is None
    _one_warning(caplog, "folder.png")


def test_non_utf8_file_names(tmp_path, caplog):
    base = os.fsencode(str(tmp_path))
    good = base + b"/ok-\xff\xfe.png"
    with open(good, "wb") as fh:
        fh.write(png_bytes(before=[text_chunk("parameters", A1111_TEXT)]))
    assert read_generation_info(good).params["seed"] == 42
    assert read_generation_info(os.fsdecode(good)).params["seed"] == 42     # surrogateescape str
    assert not caplog.records
    bad = base + b"/bad-\xff.png"
    with open(bad, "wb") as fh:
        fh.write(png_bytes(before=[text_chunk("parameters", A1111_TEXT)])[:40])
    assert inspect_file(bad).info is None
    _one_warning(caplog, "bad-\\xff.png")


@pytest.mark.parametrize("cut", [20, 33, 60, -30])
def test_truncated_png(tmp_path, caplog, cut):
    data = png_bytes(before=[text_chunk("parameters", A1111_TEXT)])
    p = write(tmp_path / "cut.png", data[:cut])
    facts = inspect_file(p)
    assert facts is not None and facts.format == "png"
    assert facts.warning
    _one_warning(caplog, "cut.png")


def test_truncated_after_text_keeps_the_info(tmp_path, caplog):
    data = png_bytes(before=[text_chunk("parameters", A1111_TEXT)])
    p = write(tmp_path / "tail.png", data[:-20])
    facts = inspect_file(p)
    assert facts.info.params["seed"] == 42 and "truncated" in facts.warning
    _one_warning(caplog, "tail.png")


def test_truncated_jpeg_and_webp(tmp_path, caplog):
    exif = tiff("MM", [], [(0x9286, 7, user_comment_unicode(A1111_TEXT))])
    j = write(tmp_path / "cut.jpg", jpeg_bytes(exif)[:60])
    assert inspect_file(j).info is None
    _one_warning(caplog, "cut.jpg")
    caplog.clear()
    w = write(tmp_path / "cut.webp", webp_bytes(exif)[:50])
    assert inspect_file(w).info is None
    _one_warning(caplog, "cut.webp")


def test_damaged_exif_block(tmp_path, caplog):
    exif = b"MM\0*" + struct.pack(">I", 8) + struct.pack(">H", 1) + struct.pack(">HHII", 0x9286, 7, 500, 9999)
    p = write(tmp_path / "bad-exif.jpg", jpeg_bytes(exif))
    assert read_generation_info(p) is None
    _one_warning(caplog, "bad-exif.jpg")


def test_huge_text_chunk_is_skipped_not_read(tmp_path, caplog):
    # declared 20 MiB chunk: over the limit; the rest of the file is still walked
    header = struct.pack(">I", 20 * 1024 * 1024) + b"tEXt" + b"parameters\0"
    data = png_bytes(before=[header + b"x" * (20 * 1024 * 1024 - 11) + b"\0\0\0\0",
                             text_chunk("Comment", "after")])
    p = write(tmp_path / "huge.png", data)
    t0 = time.perf_counter()
    facts = inspect_file(p)
    assert time.perf_counter() - t0 < 1.0
    assert facts.info is None and "limit" in facts.warning
    _one_warning(caplog, "huge.png")


def test_several_megabyte_text_chunk_below_limit_is_fine(tmp_path, caplog):
    big = "tag, " * 600000 + "\n" + A1111_TEXT.split("\n", 1)[1]
    p = write(tmp_path / "bigtext.png", png_bytes(before=[text_chunk("parameters", big)]))
    info = read_generation_info(p)
    assert info.params["seed"] == 42 and len(info.positive) > 2_000_000
    assert not caplog.records


@pytest.mark.parametrize("kind", ["zTXt", "iTXt"])
def test_decompression_bombs(tmp_path, caplog, kind):
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    if kind == "zTXt":
        chunk = png_chunk(b"zTXt", b"parameters\0\0" + bomb)
    else:
        chunk = png_chunk(b"iTXt", b"parameters\0\1\0\0\0" + bomb)
    p = write(tmp_path / ("bomb-%s.png" % kind), png_bytes(before=[chunk]))
    t0 = time.perf_counter()
    assert read_generation_info(p) is None
    assert time.perf_counter() - t0 < 2.0
    assert "inflates" in _one_warning(caplog, p.name)


def test_corrupt_zlib_stream(tmp_path, caplog):
    p = write(tmp_path / "badz.png", png_bytes(before=[png_chunk(b"zTXt", b"parameters\0\0not zlib")]))
    assert read_generation_info(p) is None
    _one_warning(caplog, "badz.png")


def test_invalid_comfy_json_with_valid_workflow(tmp_path, caplog):
    wf = {"nodes": [{"id": 1, "type": "CLIPTextEncode", "widgets_values": ["wf text"]},
                    {"id": 2, "type": "KSampler", "widgets_values": [1, "fixed", 5, 6, "euler", "normal", 1],
                     "inputs": [{"name": "positive", "link": 1}]}],
          "links": [[1, 1, 0, 2, 1, "CONDITIONING"]]}
    p = write(tmp_path / "badjson.png", png_bytes(before=[text_chunk("prompt", '{"3": {"class_type": '),
                                                          text_chunk("workflow", json.dumps(wf))]))
    info = read_generation_info(p)
    assert info.generator == "ComfyUI" and info.positive == "wf text"
    assert "invalid JSON" in _one_warning(caplog, "badjson.png")


def test_invalid_comfy_json_everywhere(tmp_path, caplog):
    p = write(tmp_path / "allbad.png", png_bytes(before=[text_chunk("prompt", "{not json"),
                                                         text_chunk("workflow", "[1, 2")]))
    assert read_generation_info(p) is None
    _one_warning(caplog, "allbad.png")


def test_cyclic_comfy_graph(tmp_path, caplog):
    graph = {"1": {"class_type": "Loop", "inputs": {"conditioning": ["2", 0]}},
             "2": {"class_type": "Loop", "inputs": {"conditioning": ["1", 0]}},
             "3": {"class_type": "KSampler", "inputs": {"seed": ["3", 0], "positive": ["1", 0], "negative": ["3", 0]}}}
    p = write(tmp_path / "cycle.png", png_bytes(before=[text_chunk("prompt", json.dumps(graph))]))
    info = read_generation_info(p)
    assert info.generator == "ComfyUI" and info.positive == ""
    assert "cyclic" in _one_warning(caplog, "cycle.png")


def test_deeply_nested_json(tmp_path, caplog):
    deep = "[" * 100000 + "]" * 100000
    text = "p\nSteps: 1, Sampler: a, Seed: 1, Hashes: " + deep
    p = write(tmp_path / "deep.png", png_bytes(before=[text_chunk("parameters", text),
                                                       text_chunk("workflow", '{"a": ' + deep + "}")]))
    facts = inspect_file(p)
    assert facts is not None and facts.format == "png"


def test_garbage_after_magic_and_garbage_stealth(tmp_path, caplog):
    p = write(tmp_path / "garbage.png", b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    facts = inspect_file(p)
    assert facts.format == "png" and facts.info is None
    _one_warning(caplog, "garbage.png")


def test_not_an_image_is_silent(tmp_path, caplog):
    assert inspect_file(write(tmp_path / "readme.txt", b"hello")) is None
    assert inspect_file(write(tmp_path / "zero.png", b"")) is None
    assert not caplog.records
