"""The syntax tree of a search query, and its canonical text.

Every node is a frozen dataclass, so trees compare by value. `Query.to_text()`
renders a tree as query text that parses back to an equal tree.

Leaves:
    Text(text)                  a case-insensitive substring of the path or generation info
    Match(field, value)         model: lora: sampler: scheduler: generator: tag: ext:
    Compare(field, op, value)   steps / cfg / seed compared with a number
    Size(width, height)         generation or pixel size; either side may be None
    Date(op, year, month, day)  file modification date (local time), month/day optional
Branches:
    Not(child), And(children), Or(children)  (And/Or hold two or more children)
"""
from __future__ import annotations

import datetime
import decimal
import re
from dataclasses import dataclass
from typing import Iterator, Optional, Tuple, Union

# Operators of Compare/Date: "=" (written ":" in queries), ">", ">=", "<", "<=".
OPERATORS = ("=", ">", ">=", "<", "<=")

# Field filters whose value is text (matched case-insensitively).
TEXT_FIELDS = ("model", "lora", "sampler", "scheduler", "generator", "tag", "ext")
# Field filters whose value is a number.
NUMBER_FIELDS = ("steps", "cfg", "seed")


@dataclass(frozen=True)
class Text:
    text: str

    def to_text(self) -> str:
        return self.text if _is_safe_bare(self.text) else quote(self.text)


@dataclass(frozen=True)
class Match:
    field: str  # one of TEXT_FIELDS
    value: str

    def to_text(self) -> str:
        value = self.value if _is_safe_bare(self.value) and self.value[0] not in "<>=:" else quote(self.value)
        return f"{self.field}:{value}"


@dataclass(frozen=True)
class Compare:
    field: str  # one of NUMBER_FIELDS
    op: str  # one of OPERATORS
    value: Union[int, float]

    def to_text(self) -> str:
        return f"{self.field}{_op_text(self.op)}{_number_text(self.value)}"


@dataclass(frozen=True)
class Size:
    width: Optional[int]
    height: Optional[int]

    def to_text(self) -> str:
        w = "" if self.width is None else str(self.width)
        h = "" if self.height is None else str(self.height)
        return f"size:{w}x{h}"


@dataclass(frozen=True)
class Date:
    op: str  # one of OPERATORS
    year: int
    month: Optional[int] = None
    day: Optional[int] = None  # only with a month

    def to_text(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return f"date{_op_text(self.op)}{text}"

    def bounds(self) -> Tuple[datetime.date, datetime.date]:
        """[first day, first day after) of the year, month or day named."""
        if self.month is None:
            return datetime.date(self.year, 1, 1), datetime.date(self.year + 1, 1, 1)
        if self.day is None:
            start = datetime.date(self.year, self.month, 1)
            end = datetime.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
            return start, end
        start = datetime.date(self.year, self.month, self.day)
        return start, start + datetime.timedelta(days=1)


@dataclass(frozen=True)
class Not:
    child: Node

    def to_text(self) -> str:
        inner = self.child.to_text()
        if isinstance(self.child, (Not, And, Or)):
            inner = f"({inner})"
        return "-" + inner


@dataclass(frozen=True)
class And:
    children: Tuple[Node, ...]

    def to_text(self) -> str:
        return " ".join(c.to_text() for c in self.children)


@dataclass(frozen=True)
class Or:
    children: Tuple[Node, ...]

    def to_text(self) -> str:
        parts = []
        for c in self.children:
            text = c.to_text()
            parts.append(f"({text})" if isinstance(c, And) else text)
        return " OR ".join(parts)


Leaf = Union[Text, Match, Compare, Size, Date]
Node = Union[Text, Match, Compare, Size, Date, Not, And, Or]
LEAF_TYPES = (Text, Match, Compare, Size, Date)


@dataclass(frozen=True)
class Query:
    """A parsed query; `root` is None for an empty query (which matches everything)."""

    root: Optional[Node] = None

    def to_text(self) -> str:
        return "" if self.root is None else self.root.to_text()

    def leaves(self) -> Iterator[Leaf]:
        return iter_leaves(self.root)

    @property
    def is_empty(self) -> bool:
        return self.root is None


def iter_leaves(node: Optional[Node]) -> Iterator[Leaf]:
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Not):
            stack.append(n.child)
        elif isinstance(n, (And, Or)):
            stack.extend(reversed(n.children))
        else:
            yield n


def quote(text: str) -> str:
    """`text` as a quoted phrase: backslash and double quote are escaped with a backslash."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number_text(value: Union[int, float]) -> str:
    """Plain decimal digits (the query language has no exponent notation)."""
    if isinstance(value, int):
        return str(value)
    text = format(decimal.Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _op_text(op: str) -> str:
    return ":" if op == "=" else op


# A word that would not parse back as itself when written bare.
_FIELD_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[:=<>]")
_KEYWORDS = ("OR", "AND", "|")


def _is_safe_bare(text: str) -> bool:
    return bool(text) and not (
        any(c.isspace() or c in '"()' for c in text)
        or text[0] == "-"
        or not text.strip(",")
        or text in _KEYWORDS
        or _FIELD_LIKE.match(text)
    )
