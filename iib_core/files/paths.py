"""Client paths to checked local paths, always through the access policy.

Three forms of one path matter here:
  * `shown`: absolute and normalised as the client wrote it (what listings send back);
  * `entry`: the parent resolved, the last component kept: the entry itself, so that
    moving or deleting a symlink acts on the link and never on its target;
  * `real`: fully resolved (what the policy compares with the roots).
A source must have both its entry and its real path inside the roots (so a symlink
pointing outside is refused).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from ..errors import Forbidden, IIBError
from ..security import AccessPolicy, resolve_path


@dataclass(frozen=True)
class Located:
    raw: str
    shown: str
    entry: str
    real: str

    @property
    def name(self) -> str:
        return os.path.basename(self.entry)


class PathGate:
    def __init__(self, policy: AccessPolicy, base_dir: str) -> None:
        self.policy = policy
        self.base_dir = base_dir

    def shown(self, raw: str) -> str:
        path = os.path.expanduser(raw) if raw.startswith("~") else raw
        if not os.path.isabs(path):
            path = os.path.join(self.base_dir, path)
        return os.path.normpath(path)

    def locate(self, raw: str, navigate: bool = False) -> Located:
        """Check `raw` (raises BadInput for a malformed path, Forbidden outside the roots)."""
        real = self.policy.check(raw, self.base_dir, navigate=navigate)
        shown = self.shown(raw)
        parent, name = os.path.split(shown)
        entry = os.path.join(os.path.realpath(parent), name) if name else real
        if entry != real:
            allowed = self.policy.may_navigate(entry) if navigate else self.policy.may_read(entry)
            if not allowed:
                raise Forbidden("Forbidden")
        return Located(raw, shown, entry, real)

    def folder(self, raw: str) -> Located:
        """A folder to put things into (resolved: a symlinked folder counts as its target)."""
        return self.locate(raw)

    def check_target(self, path: str) -> None:
        """A path we are about to create (rename target, restore target) must be allowed."""
        real = resolve_path(path, self.base_dir)
        if not self.policy.may_read(real) or not self.policy.may_read(path):
            raise Forbidden("Forbidden")

    def may_show(self, real_path: str, navigate: bool = False) -> bool:
        return self.policy.may_navigate(real_path) if navigate else self.policy.may_read(real_path)

    def exists_and_allowed(self, raw: str) -> bool:
        try:
            located = self.locate(raw, navigate=True)
        except IIBError:
            return False
        return os.path.lexists(located.entry) and os.path.exists(located.real)
