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


def requests_for(p: str, root: Path, webp: str):
    """(method, route, kwargs, kind) for every path-taking route; kind says what a 200 may hold."""
    ok = str(root / "inside" / "ok.png")
    dest = str(root / "dest")
    return [
        ("GET", "/files", {"params": {"folder_path": p}}, "listing"),
        ("POST", "/batch_get_files_info", {"json": {"paths": [p]}}, "empty-or-inside"),
        ("POST", "/check_path_exists", {"json": {"paths": [p]}}, "all-false"),
        ("POST", "/batch_top_4_media_info", {"json": {"paths": [p]}}, "empty-or-inside"),
        ("POST", "/mkdirs", {"json": {"dest_folder": p + "/newdir"}}, "refuse"),
        ("POST", "/delete_files", {"json": {"file_paths": [p]}}, "refuse"),
        ("POST", "/delete_files", {"json": {"file_paths": [p], "permanent": True}}, "refuse"),
        ("POST", "/copy_files", {"json": {"file_paths": [p], "dest": dest}}, "refuse"),
        ("POST", "/copy_files", {"json": {"file_paths": [ok], "dest": p, "create_dest_folder": True}}, "refuse"),
        ("POST", "/move_files", {"json": {"file_paths": [p], "dest": dest}}, "refuse"),
        ("POST", "/move_files", {"json": {"file_paths": [ok], "dest": p, "create_dest_folder": True}}, "refuse"),
        ("POST", "/db/rename", {"json": {"path": p, "name": "renamed.png"}}, "refuse"),
        ("POST", "/db/rename", {"json": {"path": ok, "name": p}}, "refuse"),
        ("POST", "/open_folder", {"json": {"path": p}}, "refuse"),
        ("POST", "/open_with_default_app", {"json": {"path": p}}, "refuse"),
        ("GET", "/file", {"params": {"path": p, "t": "1"}}, "refuse"),
        ("GET", "/image-thumbnail", {"params": {"path": p, "t": "1", "size": "64x64"}}, "refuse"),
        ("GET", "/stream_video", {"params": {"path": p}}, "refuse"),
        ("GET", "/video_cover", {"params": {"path": p, "mt": "1"}}, "refuse"),
        ("POST", "/set_target_frame_as_video_cover", {"json": {"base64_img": webp, "path": p, "updated_time": "1"}},
         "refuse"),
        ("POST", "/zip", {"json": {"paths": [p], "compress": False, "pack_only": False}}, "refuse"),
        ("POST", "/zip_prepare", {"json": {"paths": [ok, p]}}, "refuse"),
        ("GET", "/image_geninfo", {"params": {"path": p}}, "neutral"),
        ("POST", "/image_geninfo_batch", {"json": {"paths": [p]}}, "neutral"),
        ("GET", "/image_exif", {"params": {"path": p}}, "neutral"),
        ("POST", "/send_img_path", {"params": {"path": p}}, "refuse"),
        ("POST", "/db/search_by_substr", {"json": {"surstr": "", "folder_paths": [p]}}, "empty-or-inside"),
        ("POST", "/db/match_images_by_tags", {"json": {"folder_paths": [p]}}, "empty-or-inside"),
        ("POST", "/db/toggle_custom_tag_to_img", {"json": {"img_path": p, "tag_id": 1}}, "refuse"),
        ("POST", "/db/batch_update_image_tag", {"json": {"img_paths": [p], "action": "add", "tag_id": 1}}, "refuse"),
        ("GET", "/db/img_selected_custom_tag", {"params": {"path": p}}, "neutral"),
        ("POST", "/db/set_rating", {"json": {"path": p, "rating": 3}}, "refuse"),
        ("POST", "/db/extra_paths", {"json": {"path": p, "types": ["scanned"]}}, "refuse"),
    ]
