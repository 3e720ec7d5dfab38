"""Crafted hostile paths for the traversal suite (at least 200 of them).

`hostile_paths(root, outside)` returns path strings that must never reach a file or folder
outside `root`: `outside` holds a file with a marker text and `root` holds symlinks that
point out. Built from targets x spellings, so every spelling is tried on every target.
"""
import os
from pathlib import Path
from typing import List

MARKER = "IIB-OUTSIDE-SECRET-MARKER"


def prepare(root: Path, outside: Path) -> dict:
    """Create the outside secrets, a sibling folder sharing the root's prefix, and symlinks out."""
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text(MARKER)
    from support.files import a1111_png

    a1111_png(outside / "secret.png", MARKER)
    sibling = root.parent / (root.name + "X")  # /libraryX next to /library
    sibling.mkdir(exist_ok=True)
    a1111_png(sibling / "sib.png", MARKER)
    (sibling / "sib.txt").write_text(MARKER)
    links = root / "links"
    links.mkdir(exist_ok=True)
    for name, target in (("out.png", outside / "secret.png"), ("out.txt", outside / "secret.txt"),
                         ("outdir", outside), ("etc", Path("/etc")), ("sib", sibling)):
        link = links / name
        if not link.is_symlink():
            os.symlink(target, link)
    return {"sibling": sibling, "links": links}


def hostile_paths(root: Path, outside: Path) -> List[str]:
    root_s = str(root)
    depth = len(Path(root_s).parts) - 1
    up = "../" * depth
    targets = [
        str(outside / "secret.png"), str(outside / "secret.txt"), str(outside), "/etc/passwd", "/etc",
        "/proc/self/environ", "/proc/self/cmdline", "/", "/root", str(root.parent / (root.name + "X") / "sib.png"),
        str(root.parent / (root.name + "X")),
    ]
    paths: List[str] = []
    for t in targets:
        rel_from_root = os.path.relpath(t, root_s)
        paths += [
            t,                                              # absolute
            root_s + "/" + rel_from_root,                   # root/../..
            root_s + "/./" + rel_from_root,
            root_s + "//" + rel_from_root,
            root_s + "/links/../" + rel_from_root,
            root_s + "/" + rel_from_root.replace("/", "\\"),  # Windows separators
            root_s + "/" + rel_from_root.replace("..", "%2e%2e"),  # URL-encoded dots (must stay literal)
            root_s + "/" + rel_from_root.replace("/", "%2f"),
            root_s + "/" + rel_from_root.replace("..", "..%00"),
            t + "\x00.png",                                 # NUL byte
            up + t.lstrip("/"),                             # relative to the working directory
            "file://" + t,
            t + "/",
            t + "/.",
            "~/../../" + t.lstrip("/"),
            t.replace("/", "//"),
            root_s + "/" + "./" * 40 + rel_from_root,
            root_s + "/nonexistent/../../" + rel_from_root,
        ]
    links = root / "links"
    paths += [str(links / "out.png"), str(links / "out.txt"), str(links / "outdir"), str(links / "outdir" / "secret.png"),
              str(links / "etc" / "passwd"), str(links / "etc"), str(links / "sib" / "sib.png"), str(links / "sib"),
              str(links / "outdir") + "/", str(links / "out.png") + "/."]
    paths += [root_s + "/" + "a" * 5000, root_s + "/" + "é" * 2000, "/" + "x" * 100000, "", " ", "\x00",
              "C:\\Windows\\win.ini", "\\\\server\\share\\secret.png", root_s + "X", root_s + "X/sib.png",
              root_s + "\u2215..\u2215secret.png", root_s + "/\u202e..", "..", "../", "/..", "/../../../etc/passwd"]
    return list(dict.fromkeys(paths))
