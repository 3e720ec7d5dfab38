"""Path resolution and the allowed-roots check.

Paths from clients are made absolute (relative ones against the server's working
directory), resolved (symlinks, `..`) and then compared with the roots whole component
by component, so `/images_private` is not inside `/images` and a symlink inside a root
that points outside it is refused.
"""
from __future__ import annotations

import os
from typing import Callable, Iterable, List, Optional

from ..errors import BadInput, Forbidden

MAX_PATH_LENGTH = 4096


def resolve_path(raw: str, base: Optional[str] = None) -> str:
    """The real absolute path for a client-supplied path string.

    Raises BadInput for empty strings, NUL bytes and absurd lengths. A path that does
    not exist is resolved as far as it exists (`os.path.realpath` semantics).
    """
    if not isinstance(raw, str) or raw == "":
        raise BadInput("path is empty")
    if "\x00" in raw:
        raise BadInput("path contains a NUL byte")
    if len(raw) > MAX_PATH_LENGTH:
        raise BadInput("path is too long")
    if not raw.isascii():
        try:  # names that are not UTF-8 arrive as \udc80-\udcff; any other surrogate names nothing
            os.fsencode(raw)
        except UnicodeEncodeError:
            raise BadInput("path holds a character that no file name can (a lone surrogate other than "
                           "\\udc80-\\udcff)") from None
    path = os.path.expanduser(raw) if raw.startswith("~") else raw
    if not os.path.isabs(path):
        path = os.path.join(base or os.getcwd(), path)
    try:
        return os.path.realpath(path)
    except (OSError, ValueError) as exc:
        raise BadInput(f"cannot resolve path: {exc}") from None


def normalize_path(path: str) -> str:
    """Absolute, normalised, without a trailing separator: the form stored in the index.

    Lexical only (no symlinks resolved): the index keeps a root's own name.
    """
    return os.path.normpath(os.path.abspath(os.path.expanduser(path)))


def is_below_lexically(path: str, root: str) -> bool:
    """True when `path` is `root` or lies below it, comparing the strings exactly as given.

    For paths already in one form (normalised, or the index's stored form): no case
    folding, a trailing separator on `root` ignored. `is_within` is the check for real paths.
    """
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def is_within(path: str, root: str) -> bool:
    """True when `path` is `root` or lies below it, comparing whole components."""
    if os.name == "nt":
        path, root = os.path.normcase(path), os.path.normcase(root)
    if path == root:
        return True
    root = root if root.endswith(os.sep) else root + os.sep
    return path.startswith(root)


class AccessPolicy:
    """Answers "may this real path be touched?" against the current roots.

    `roots` is called on every check so that folders added at run time count at once;
    it returns paths that are resolved here (a root that is itself a symlink counts as
    its target). With `enabled` False every path is allowed (local single-user use).
    """

    def __init__(self, roots: Callable[[], Iterable[str]], enabled: bool) -> None:
        self._roots = roots
        self.enabled = enabled

    def roots(self) -> List[str]:
        out = []
        for r in self._roots():
            try:
                real = os.path.realpath(r)
            except (OSError, ValueError):
                continue
            if real not in out:
                out.append(real)
        return out

    def under_roots(self, real_path: str) -> bool:
        """Inside one of the roots (whatever `enabled` says)."""
        return any(is_within(real_path, root) for root in self.roots())

    def may_read(self, real_path: str) -> bool:
        return not self.enabled or self.under_roots(real_path)

    def may_navigate(self, real_path: str) -> bool:
        """Inside a root, or an ancestor of one (so a client can walk down to the roots)."""
        if not self.enabled:
            return True
        return any(is_within(real_path, root) or is_within(root, real_path) for root in self.roots())

    def check(self, raw: str, base: Optional[str] = None, navigate: bool = False) -> str:
        """Resolve `raw` and return the real path, or raise Forbidden."""
        real = resolve_path(raw, base)
        allowed = self.may_navigate(real) if navigate else self.may_read(real)
        if not allowed:
            raise Forbidden("Forbidden")
        return real
