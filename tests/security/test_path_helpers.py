"""The path helpers every layer shares (iib_core/security/paths.py) and the one computation of
roots (iib_core/roots.py), on real folders."""
from __future__ import annotations

import os

from iib_core.roots import Roots, allowed_roots, index_roots
from iib_core.security import is_below_lexically, is_within, normalize_path


def test_is_below_lexically_compares_whole_components():
    root = os.path.join(os.sep, "images")
    assert is_below_lexically(root, root)
    assert is_below_lexically(os.path.join(root, "a", "b.png"), root)
    assert is_below_lexically(os.path.join(root, "a"), root + os.sep)  # a trailing separator on the root
    assert not is_below_lexically(os.path.join(os.sep, "images_private", "x.png"), root)
    assert not is_below_lexically(os.path.join(os.sep, "imag"), root)
    assert is_below_lexically(os.path.join(os.sep, "x"), os.sep)  # the file system root holds everything


def test_is_below_lexically_agrees_with_is_within_on_normalised_paths():
    root = normalize_path(os.path.join(os.sep, "data", "out"))
    for path in ("/data/out", "/data/out/x", "/data/outer", "/data", "/data/out/../x"):
        p = normalize_path(path)
        assert is_below_lexically(p, root) == is_within(p, root), p


def test_normalize_path_is_absolute_without_trailing_separator(tmp_path):
    assert normalize_path(str(tmp_path) + os.sep) == str(tmp_path)
    assert normalize_path(os.path.join(str(tmp_path), "a", "..", "b")) == os.path.join(str(tmp_path), "b")
    assert os.path.isabs(normalize_path("relative"))


def test_roots_index_and_allowed(tmp_path):
    a, b, txt2img = tmp_path / "a", tmp_path / "b", tmp_path / "t2i"
    for d in (a, b, txt2img):
        d.mkdir()
    index = index_roots([str(a), str(a) + os.sep], [str(b), str(tmp_path / "missing")], warn=False)
    assert index == [str(a), str(b)]
    assert allowed_roots([], index, {}, str(tmp_path)) == index  # no allow-list: the index roots
    options = {"outdir_txt2img_samples": "t2i"}
    assert allowed_roots(["txt2img", str(b)], index, options, str(tmp_path)) == [str(txt2img), str(b)]
    roots = Roots(index=index, allowed=[str(b)])
    assert roots.index == [str(a), str(b)] and roots.allowed == [str(b)]
