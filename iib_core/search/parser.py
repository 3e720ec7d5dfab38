"""Query text -> `Query`: a tokenizer and a recursive-descent parser, both pure.

Grammar (OR binds tighter than the implicit AND, so `a b OR c` is a AND (b OR c)):

    query    := and_expr
    and_expr := or_expr ( ["AND"] or_expr )*
    or_expr  := unary ( ("OR" | "|") unary )*
    unary    := "-" unary | primary
    primary  := "(" and_expr [")"] | word | "phrase" | field

The parser is lenient where a person's intent is clear and never fails on odd text:
an unclosed quote or parenthesis runs to the end, a `)` that closes nothing is an
ordinary character, a keyword with nothing on one side is an ordinary word, a bare
word made only of commas is a separator (pasted prompts), and an unknown
`name:value` is plain text. It raises `BadInput` only for limits and for
known field filters whose value cannot mean anything (`steps>abc`, `date:2026-13`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

from ..errors import BadInput
from .ast import (
    NUMBER_FIELDS,
    TEXT_FIELDS,
    And,
    Compare,
    Date,
    Match,
    Node,
    Not,
    Or,
    Query,
    Size,
    Text,
    iter_leaves,
)

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 32
MAX_DEPTH = 32  # nested parentheses
MAX_NUMBER_DIGITS = 40
MAX_SIZE_DIGITS = 6

FIELD_ALIASES = {"source": "generator", "lyco": "lora"}
KNOWN_FIELDS = set(TEXT_FIELDS) | set(NUMBER_FIELDS) | {"size", "date"} | set(FIELD_ALIASES)

# `name` then an operator; `:` may be followed by another operator (`steps:>30`).
_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(:>=|:<=|:>|:<|:=|>=|<=|:|=|>|<)(.*)\Z", re.S)
_FIELD_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?::>=|:<=|:>|:<|:=|>=|<=|:|=|>|<)\Z")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")
_INTEGER = re.compile(r"[+-]?\d+\Z")
_SIZE = re.compile(r"(\d*)\s*[xX\u00d7*]\s*(\d*)\Z")
_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\Z")
_OPS = {":": "=", "=": "=", ":=": "=", ">": ">", ":>": ">", ">=": ">=", ":>=": ">=",
        "<": "<", ":<": "<", "<=": "<=", ":<=": "<="}


# --------------------------------------------------------------------------- tokens

@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE FIELD NOT LPAREN RPAREN OR AND
    text: str = ""  # WORD/PHRASE text; FIELD: the raw text (used when the field is unknown)
    name: str = ""  # FIELD only
    op: str = ""
    value: str = ""
    quoted: bool = False


def _read_quoted(s: str, i: int) -> Tuple[str, int]:
    """The phrase starting after the quote at s[i]; returns (text, index after the closing quote)."""
    out = []
    i += 1
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n and s[i + 1] in '"\\':
            out.append(s[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    return "".join(out), n  # unclosed: runs to the end


def _scan_word(s: str, i: int, depth: int) -> Tuple[int, int, Optional[str]]:
    """Extent of the word starting at s[i]: (index after it, end of its field prefix, quoted value).

    A word runs up to whitespace, a quote, or a `)` that closes an open group; brackets
    opened inside the word are part of it (`miku_(vocaloid)`). A field prefix followed by
    a quote (`model:"sd xl"`) takes the quoted phrase as its value.
    """
    start, n, local = i, len(s), 0
    while i < n:
        c = s[i]
        if c.isspace():
            break
        if c == '"':
            if _FIELD_PREFIX.match(s, start, i):  # model:"sd xl"
                quoted_value, after = _read_quoted(s, i)
                return after, i, quoted_value
            break
        if c == "(":
            local += 1
        elif c == ")":
            if local > 0:
                local -= 1
            elif depth > 0:
                break
        i += 1
    return i, i, None


def _word_tok(word: str, after_not: bool) -> _Tok:
    """The token for an unquoted word: a keyword, a field filter, a plain word or a separator."""
    if not after_not and word in ("OR", "|"):
        return _Tok("OR", word)
    if not after_not and word == "AND":
        return _Tok("AND", word)
    if not word.strip(","):
        return _Tok("PHRASE", "")  # a separator: stands for nothing (as `""` does)
    m = _FIELD.match(word)
    if m is not None:
        return _Tok("FIELD", text=word, name=m.group(1), op=m.group(2), value=m.group(3))
    return _Tok("WORD", word)


def _quoted_field_tok(prefix: str, quoted_value: str) -> _Tok:
    """`name:"quoted value"` as a FIELD token."""
    m = _FIELD.match(prefix)
    assert m is not None
    return _Tok("FIELD", text=prefix + quoted_value, name=m.group(1), op=m.group(2),
                value=quoted_value, quoted=True)


def _starts_not(s: str, i: int, after_not: bool) -> bool:
    """A `-` at s[i] that negates what follows (not `--`, `-)`, a lone `-` or a second `-`)."""
    return (not after_not and i + 1 < len(s) and not s[i + 1].isspace()
            and s[i + 1] not in "-)")


def _tokenize(s: str) -> List[_Tok]:
    toks: List[_Tok] = []
    n = len(s)
    i = 0
    depth = 0
    after_not = False
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
            after_not = False
            continue
        if c == '"':
            text, i = _read_quoted(s, i)
            toks.append(_Tok("PHRASE", text))
        elif c == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise BadInput(f"query has too many nested parentheses (at most {MAX_DEPTH})")
            toks.append(_Tok("LPAREN"))
            i += 1
        elif c == ")" and depth > 0:
            depth -= 1
            toks.append(_Tok("RPAREN"))
            i += 1
        elif c == "-" and _starts_not(s, i, after_not):
            toks.append(_Tok("NOT"))
            i += 1
            after_not = True
            continue
        else:
            start = i
            i, end, quoted_value = _scan_word(s, i, depth)
            if quoted_value is not None:
                toks.append(_quoted_field_tok(s[start:end], quoted_value))
            else:
                toks.append(_word_tok(s[start:i], after_not))
        after_not = False
    return toks


# --------------------------------------------------------------------------- parser

class _Parser:
    def __init__(self, toks: List[_Tok]) -> None:
        self.toks = toks
        self.pos = 0

    def peek(self, ahead: int = 0) -> Optional[_Tok]:
        j = self.pos + ahead
        return self.toks[j] if j < len(self.toks) else None

    def _ends_operand(self, tok: Optional[_Tok]) -> bool:
        return tok is None or tok.kind == "RPAREN"

    def and_expr(self) -> Optional[Node]:
        parts: List[Node] = []
        while not self._ends_operand(self.peek()):
            tok = self.peek()
            if tok.kind == "AND" and parts and not self._ends_operand(self.peek(1)):
                self.pos += 1  # explicit AND between two operands: same as a space
                continue
            node = self.or_expr()
            if node is not None:
                parts.append(node)
        return _combine(And, parts)

    def or_expr(self) -> Optional[Node]:
        parts: List[Node] = []
        node = self.unary()
        if node is not None:
            parts.append(node)
        while True:
            tok = self.peek()
            if tok is None or tok.kind != "OR" or self._ends_operand(self.peek(1)):
                break
            self.pos += 1
            node = self.unary()
            if node is not None:
                parts.append(node)
        return _combine(Or, parts)

    def unary(self) -> Optional[Node]:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.pos += 1
            if self._ends_operand(self.peek()):
                return None
            child = self.unary()
            return None if child is None else Not(child)
        return self.primary()

    def primary(self) -> Optional[Node]:
        tok = self.toks[self.pos]
        self.pos += 1
        if tok.kind == "LPAREN":
            node = self.and_expr()
            if self.peek() is not None:  # the RPAREN (a missing one closes at the end)
                self.pos += 1
            return node
        if tok.kind in ("WORD", "OR", "AND"):
            return Text(tok.text)
        if tok.kind == "PHRASE":
            return Text(tok.text) if tok.text else None
        if tok.kind == "FIELD":
            return _field(tok)
        raise AssertionError(f"unexpected token {tok}")  # pragma: no cover


def _combine(kind, parts: List[Node]) -> Optional[Node]:
    flat: List[Node] = []
    for p in parts:
        if isinstance(p, kind):
            flat.extend(p.children)
        else:
            flat.append(p)
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    return kind(tuple(flat))


# --------------------------------------------------------------------------- field filters

def _field(tok: _Tok) -> Optional[Node]:
    name = tok.name.lower()
    if name not in KNOWN_FIELDS:
        return Text(tok.text) if tok.text else None
    if not tok.value.strip():
        # `model:` alone (e.g. text pasted from an infotext): plain text.
        return Text(tok.text) if tok.text else None
    name = FIELD_ALIASES.get(name, name)
    op = _OPS[tok.op]
    value = tok.value.strip()
    shown = f"{tok.name}{tok.op}{tok.value}"
    if name in TEXT_FIELDS:
        if op != "=":
            raise BadInput(f"{shown!r}: {name} takes a value after ':', e.g. {name}:{_example(name)}")
        if name == "ext":
            value = value.lstrip(".")
            if not value:
                raise BadInput(f"{shown!r}: ext needs a file extension, e.g. ext:png")
        return Match(name, value)
    if name in NUMBER_FIELDS:
        return Compare(name, op, _number(name, value, shown))
    if name == "size":
        if op != "=":
            raise BadInput(f"{shown!r}: size takes WIDTHxHEIGHT after ':', e.g. size:512x768 or size:1024x")
        return _size(value, shown)
    return _date(op, value, shown)


def _example(name: str) -> str:
    return {"model": "sdxl", "lora": "add_detail", "sampler": "euler", "scheduler": "karras",
            "generator": "comfyui", "tag": "landscape", "ext": "png"}[name]


def _number(name: str, value: str, shown: str) -> Union[int, float]:
    if not _NUMBER.match(value):
        raise BadInput(f"{shown!r}: {name} needs a number, e.g. {name}>20 or {name}:7")
    if sum(ch.isdigit() for ch in value) > MAX_NUMBER_DIGITS:
        raise BadInput(f"{shown!r}: the number is too long (at most {MAX_NUMBER_DIGITS} digits)")
    if _INTEGER.match(value):
        return int(value)
    if name == "seed":
        raise BadInput(f"{shown!r}: seed needs a whole number, e.g. seed:12345")
    return float(value)


def _size(value: str, shown: str) -> Size:
    m = _SIZE.match(value)
    if not m or not (m.group(1) or m.group(2)):
        raise BadInput(f"{shown!r}: size needs WIDTHxHEIGHT, e.g. size:512x768, size:1024x or size:x1536")
    if len(m.group(1)) > MAX_SIZE_DIGITS or len(m.group(2)) > MAX_SIZE_DIGITS:
        raise BadInput(f"{shown!r}: the size is too large")
    w = int(m.group(1)) if m.group(1) else None
    h = int(m.group(2)) if m.group(2) else None
    return Size(w, h)


def _date(op: str, value: str, shown: str) -> Date:
    m = _DATE.match(value)
    if not m:
        raise BadInput(f"{shown!r}: date needs YYYY, YYYY-MM or YYYY-MM-DD, e.g. date:2026-11 or date>2026-11-01")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if not 1000 <= year <= 9000:
        raise BadInput(f"{shown!r}: the year must be between 1000 and 9000")
    if month is not None and not 1 <= month <= 12:
        raise BadInput(f"{shown!r}: there is no month {month}")
    date = Date(op, year, month, day)
    try:
        date.bounds()
    except ValueError:
        raise BadInput(f"{shown!r}: there is no such day") from None
    return date


# --------------------------------------------------------------------------- entry point

def _clean(text: str) -> str:
    """No NUL characters or lone surrogates: neither database can take them as text."""
    if "\x00" in text:
        text = text.replace("\x00", " ")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def parse_query(text: str) -> Query:
    """Parse search text; raises BadInput (with a message for the user) when it cannot be used.

    An empty or blank text gives `Query(None)`, which matches everything.
    """
    if not isinstance(text, str):
        raise BadInput("query must be a string")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadInput(f"query is too long ({len(text)} characters; at most {MAX_QUERY_LENGTH})")
    toks = _tokenize(_clean(text))
    parser = _Parser(toks)
    root = parser.and_expr()
    assert parser.pos == len(toks), "every token is consumed"
    terms = sum(1 for _ in iter_leaves(root))
    if terms > MAX_TERMS:
        raise BadInput(f"query has too many terms ({terms}; at most {MAX_TERMS})")
    return Query(root)
