"""A hostile library folder for the hardening suite.

`build(root)` fills `root` with what real folders contain sooner or later: images cut
in half, decompression bombs, huge and bomb-sized text chunks, ComfyUI graphs that loop,
zero-byte and unreadable files, FIFOs, sockets, broken and looping symlinks, unreadable
folders and names with control characters, newlines, 255 bytes or two Unicode
normalisations. It returns the hostile paths (absolute strings) to send to every route.
"""
import io
import json
import os
import socket
import struct
import unicodedata
import zlib
from pathlib import Path
from typing import List

from PIL import Image, PngImagePlugin

from support.files import a1111_png

# File names that are not valid UTF-8 (b'bad\xffname.png') travel as surrogate escapes (README,
# "File names that are not UTF-8"); kept as a switch to run the suite without them when bisecting.
INVALID_UTF8_NAMES_SUPPORTED = True

HUGE_TEXT_BYTES = 24 * 1024 * 1024  # a plain tEXt chunk larger than the readers' 16 MB limit
BOMB_TEXT_BYTES = 64 * 1024 * 1024  # a zTXt chunk that inflates to this (from ~64 KB)
OUTSIDE_MARKER = "IIB-HOSTILE-OUTSIDE-MARKER"


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)


def png_with_chunks(width: int, height: int, chunks=(), idat: bytes = None) -> bytes:
    """A PNG (8-bit greyscale) with raw extra chunks before the image data."""
    if idat is None:
        idat = zlib.compress(b"\x00" * (width + 1) * height)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + b"".join(_chunk(t, d) for t, d in chunks) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def _encoded(fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a truncated fox\nSteps: 20, Sampler: Euler a, Seed: 1, Size: 512x512")
    img = Image.effect_noise((256, 256), 64).convert("RGB")
    img.save(buf, fmt, **({"pnginfo": info} if fmt == "PNG" else {}), **kw)
    return buf.getvalue()


def _comfy_png(prompt: dict, workflow=None) -> bytes:
    chunks = [(b"tEXt", b"prompt\x00" + json.dumps(prompt).encode())]
    if workflow is not None:
        chunks.append((b"tEXt", b"workflow\x00" + json.dumps(workflow).encode()))
    return png_with_chunks(8, 8, chunks)


def cyclic_graphs() -> dict:
    """ComfyUI API graphs whose links loop (self, two nodes, through the sampler)."""
    self_loop = {"1": {"class_type": "CLIPTextEncode", "inputs": {"text": ["1", 0], "clip": ["1", 1]}},
                 "2": {"class_type": "KSampler", "inputs": {"positive": ["1", 0], "negative": ["1", 0], "seed": 1,
                                                            "steps": 20, "model": ["2", 0]}}}
    two_loop = {"1": {"class_type": "StringConcatenate", "inputs": {"string_a": ["2", 0], "string_b": "x"}},
                "2": {"class_type": "StringConcatenate", "inputs": {"string_a": ["1", 0], "string_b": "y"}},
                "3": {"class_type": "CLIPTextEncode", "inputs": {"text": ["1", 0]}},
                "4": {"class_type": "KSampler", "inputs": {"positive": ["3", 0], "negative": ["3", 0],
                                                           "model": ["4", 0], "latent_image": ["4", 0]}}}
    deep = {str(i): {"class_type": "StringConcatenate", "inputs": {"string_a": [str(i + 1), 0], "string_b": "z"}}
            for i in range(1, 3000)}
    deep["3000"] = {"class_type": "StringConcatenate", "inputs": {"string_a": ["1", 0]}}
    deep["9999"] = {"class_type": "KSampler", "inputs": {"positive": ["1", 0], "negative": ["2", 0]}}
    workflow_loop = {"nodes": [{"id": 1, "type": "KSampler", "inputs": [{"link": 1}], "outputs": [{"links": [1]}]}],
                     "links": [[1, 1, 0, 1, 0, "LATENT"]]}
    return {"comfy_self_loop.png": (self_loop, workflow_loop), "comfy_two_loop.png": (two_loop, None),
            "comfy_deep_chain.png": (deep, None), "comfy_garbage.png": ({"1": ["not", "a", "node"], "2": None}, [1, 2])}


def hostile_names() -> List[str]:
    nfc = unicodedata.normalize("NFC", "café-é.png")
    nfd = unicodedata.normalize("NFD", nfc)
    names = ["ctrl\x01\x1b[31m.png", "new\nline.png", "tab\tand\rcr.png", "a" * 251 + ".png",
             "é" * 125 + ".png", "日本" * 41 + ".png", nfc, nfd, " leading and trailing .png", "-dash.png",
             "quote'\"<b>&amp;.png", "percent%2e%2f%00.png", "back\\slash.png", "?query#hash.png"]
    if INVALID_UTF8_NAMES_SUPPORTED:
        names += [os.fsdecode(b"bad\xffname.png"), os.fsdecode(b"latin1-\xe9t\xe9.png"),
                  os.fsdecode(b"still\xfe\nodd.png"), "esc\ufdd0DCFF.png"]
    return names


def build(root: Path, outside: Path) -> dict:
    """Fill `root` (the library) and `outside` (a sibling that nothing may change).
    Returns {"paths": [...], "sockets": [...]} (close the sockets at the end)."""
    root.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "keep.txt").write_text(OUTSIDE_MARKER)
    a1111_png(outside / "keep.png", OUTSIDE_MARKER)
    a1111_png(root / "inside" / "ok.png", "an allowed image")
    (root / "dest").mkdir()
    h = root / "hostile"
    h.mkdir()
    paths: List[Path] = []

    def add(name: str, data: bytes) -> Path:
        p = h / name
        p.write_bytes(data)
        paths.append(p)
        return p

    # Images cut in half, and empty ones.
    for fmt, ext, kw in (("PNG", "png", {}), ("JPEG", "jpg", {"quality": 90}), ("WEBP", "webp", {"quality": 80}),
                         ("GIF", "gif", {}), ("TIFF", "tiff", {}), ("BMP", "bmp", {})):
        data = _encoded(fmt, **kw)
        add(f"truncated.{ext}", data[: len(data) // 2])
        add(f"header_only.{ext}", data[:40])
        add(f"empty.{ext}", b"")
    for ext in ("mp4", "webm", "mov", "txt", "avif", "jxl", "heic", "mp3"):
        add(f"empty.{ext}", b"")
    add("truncated.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 10)
    add("text_as.png", b"this is not an image at all\n" * 10)
    # Decompression bombs: huge declared sizes in small files.
    add("bomb_declared.png", png_with_chunks(100000, 100000, idat=zlib.compress(b"\x00" * 1000)))
    add("bomb_real.png", png_with_chunks(14000, 14000, idat=zlib.compress(b"\x00" * 14001 * 14000, 6)))
    gif = bytearray(_encoded("GIF"))
    gif[6:10] = struct.pack("<HH", 65535, 65535)  # logical screen
    add("bomb_declared.gif", bytes(gif))
    jpeg = bytearray(_encoded("JPEG"))
    sof = jpeg.find(b"\xff\xc0")
    if sof > 0:
        jpeg[sof + 5:sof + 9] = struct.pack(">HH", 65500, 65500)
    add("bomb_declared.jpg", bytes(jpeg))
    # Huge text chunks.
    big_text = b"parameters\x00" + (b"masterpiece, " * (HUGE_TEXT_BYTES // 13 + 1))[:HUGE_TEXT_BYTES]
    add("huge_text.png", png_with_chunks(8, 8, [(b"tEXt", big_text)]))
    ztxt = b"parameters\x00\x00" + zlib.compress(b"a" * BOMB_TEXT_BYTES, 9)
    add("bomb_text.png", png_with_chunks(8, 8, [(b"zTXt", ztxt)]))
    many = [(b"tEXt", b"k%d\x00v" % i) for i in range(20000)]
    add("many_chunks.png", png_with_chunks(8, 8, many))
    add("huge_sidecar.png", png_with_chunks(8, 8))
    (h / "huge_sidecar.txt").write_bytes(b"sidecar prompt, " * (HUGE_TEXT_BYTES // 16))
    # ComfyUI graphs that loop.
    for name, (prompt, workflow) in cyclic_graphs().items():
        add(name, _comfy_png(prompt, workflow))
    # Files that cannot be read, and folders that cannot be listed.
    locked = add("no_permission.png", _encoded("PNG"))
    os.chmod(locked, 0)
    locked_dir = h / "locked_folder"
    locked_dir.mkdir()
    a1111_png(locked_dir / "inside_locked.png", "locked")
    os.chmod(locked_dir, 0)
    paths.append(locked_dir)
    # Entries that are never followed or read.
    for name in ("fifo.png", "fifo.txt", "fifo.mp4"):
        os.mkfifo(h / name)
        paths.append(h / name)
    sockets = []
    for name in ("sock.png", "sock.webp"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(str(h / name))
        sockets.append(s)
        paths.append(h / name)
    links = {"broken.png": "does-not-exist.png", "broken_dir": "no-such-folder", "loop.png": "loop.png",
             "loop_a.png": "loop_b.png", "loop_b.png": "loop_a.png", "self_dir": ".", "parent_dir": "..",
             "to_fifo.png": "fifo.png", "to_locked.png": "no_permission.png", "to_outside": str(outside),
             "to_outside.png": str(outside / "keep.png")}
    for name, target in links.items():
        os.symlink(target, h / name)
        paths.append(h / name)
    # Names.
    named = h / "names"
    named.mkdir()
    for name in hostile_names():
        p = named / name
        a1111_png(p, "named " + name.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"))
        paths.append(p)
    odd_dir = h / ("dir\nwith\x01ctrl" + "é" * 60)
    odd_dir.mkdir()
    a1111_png(odd_dir / "inside.png", "in an odd folder")
    paths += [odd_dir, odd_dir / "inside.png", named, h]
    if INVALID_UTF8_NAMES_SUPPORTED:
        bad_dir = h / os.fsdecode(b"dir\xfe")
        bad_dir.mkdir()
        a1111_png(bad_dir / "inside.png", "in a folder whose name is not UTF-8")
        paths += [bad_dir, bad_dir / "inside.png"]
    return {"paths": [str(p) for p in paths], "sockets": sockets, "locked": [locked, locked_dir]}


def snapshot(*folders) -> dict:
    """Every entry under `folders` (links as their target text, files as bytes), not followed."""
    state = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            state[dirpath] = ("dir", os.lstat(dirpath).st_mode)
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                if os.path.islink(p):
                    state[p] = ("link", os.readlink(p))
                elif os.path.isfile(p):
                    state[p] = ("file", st.st_mode, st.st_mtime_ns, Path(p).read_bytes())
    return state
