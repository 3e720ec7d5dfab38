"""A parsed search query (`iib_core.search`) as SQLAlchemy Core, for SQLite and PostgreSQL.

Free text uses the same indexes as plain substring search: on PostgreSQL each term is
`substring_condition` below (the pg_trgm GIN expression); on SQLite the terms of one AND
(with their ORs and negations) become ONE FTS5 MATCH expression over the trigram index,
which intersects inside the index instead of building an id set per term. Every condition
built here is TRUE or FALSE, never NULL, so `-steps:20` also finds files that have no step
count at all.

Where the values come from:
    model: sampler: generator:   the `Model` / `Sampler` / `Source Identifier` auto tags
                                 (the indexer's copy of params model/sampler and of the
                                 generator family), substring of the name
    lora:                        the `lora` / `lyco` auto tags, substring of the name
    tag:                         any tag (auto or custom), the whole name
    scheduler:                   params["scheduler"] (JSON), substring
    ext:                         the end of the file name
    steps cfg seed               the generation parameters, compared as numbers; a value the
                                 file stores as text is compared when it reads as a number
    size:WxH                     the generation size (params width/height) OR the pixel size
    date                         the file's modification time, days in local time
All text comparisons ignore case (ASCII only on SQLite, as LIKE does; the FTS5 index folds
all of Unicode, and non-ASCII terms always go through it).

How a page is found (newest first):
1. The probe: the newest `probe_rows` candidates (after the cursor, in the folders and media
   type asked for) are read and the whole query is evaluated on them row by row, text terms
   by LIKE. A query whose matches are common enough fills its page here, without touching
   the full-text index (whose cost grows with the number of matching rows, not the page).
2. Otherwise the rows older than the window are searched through the indexes: the FTS5
   MATCH and the tag filters are id sets, tested while walking the mtime index before a row
   is read; values that filters need (a seed, a scheduler, an extension, a model name beside
   free text) join the MATCH as extra phrases, so rare values are found without a scan.
Both steps run in one read transaction and give exactly the rows one query would.

Between the two, on SQLite, a query of free text only (ASCII terms of 3+ characters) takes
the newest matches by row id (`_newest_by_rowid`, with a smaller probe before it): the FTS5
index hands out its matches from the highest row id down, reading only that part of its
lists, and row ids mostly follow file times (new files get new ids). The page found that way
is completed with the rows it could have missed (those whose time and id disagree, checked
row by row), so it is exact; when too many rows disagree, step 2 runs as before. This is what
keeps words made of common trigrams ("watercolor": 165 ms for the whole match list at 1M
rows) and words with no match at all (no mtime walk through every row) fast.
"""
from __future__ import annotations

import calendar
import datetime
import decimal
import operator
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from sqlalchemy import (
    Float,
    Numeric,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter, ColumnElement, Grouping, TextClause

from ..search import And, Compare, Date, Match, Node, Not, Or, Query, Size, Text, parse_query
from .engine import Database
from .listing import LIST_COLUMNS, SearchPage, decode_cursor, escape_like, older_than, page_of, scope
from .migrations import SEARCH_TEXT_SQL
from .schema import image_tags, images, tags

PROBE_ROWS = 4000  # measured at 1M rows: p50 41 -> 11.5 ms against 1000 (a common word fills its page here)
"""How many of the newest candidates step 1 evaluates row by row (0 turns it off)."""

_COMPARE: Dict[str, Callable] = {
    "=": operator.eq, ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
}
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
# Tag filters whose names also lie in `params_text` (so FTS5 can narrow by their value).
_PARAMS_TEXT_TAG_FIELDS = ("model", "sampler", "lora")
_TAG_FIELDS = {"model": ("Model",), "sampler": ("Sampler",), "generator": ("Source Identifier",),
               "lora": ("lora", "lyco")}
# A whole value that reads as a number, captured (PostgreSQL; SQLite uses GLOB below).
_PG_NUMERIC = r"^\s*([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?)\s*$"
# What the probe window carries: the listed columns and everything a condition looks at.
_WINDOW_COLUMNS = tuple(LIST_COLUMNS) + tuple(
    c for c in (images.c.folder, images.c.positive, images.c.negative, images.c.params, images.c.params_text)
    if c not in LIST_COLUMNS
)


def search_images(
    db: Database,
    query: Union[Query, str],
    *,
    folder_paths: Sequence[str] = (),
    media_type: Optional[str] = None,
    limit: int = 200,
    cursor: str = "",
    path_only: bool = False,
    probe_rows: Optional[int] = None,
    rowid_walk: bool = True,
) -> SearchPage:
    """Newest-first page of the files matching `query` (a `Query` or query text).

    Same page type, order and (mtime, id) keyset cursor as the other listings (`listing.py`).
    Query text that cannot be used raises BadInput; a malformed cursor raises ValueError.
    With `path_only`, free-text terms look at the path only (field filters still apply).
    `probe_rows` (default: PROBE_ROWS, or ROWID_WALK_PROBE_ROWS when the row-id walk
    applies) and `rowid_walk` choose among the ways to the same page (tests compare them).
    """
    if isinstance(query, str):
        query = parse_query(query)
    after = decode_cursor(cursor)
    filters = scope(folder_paths, media_type)
    base = ([older_than(*after)] if after is not None else []) + list(filters)
    want = limit + 1
    rows: List[dict] = []
    fts_expr = _rowid_walk_expr(db, query, path_only) if rowid_walk else None
    if probe_rows is None:
        probe_rows = PROBE_ROWS if fts_expr is None else ROWID_WALK_PROBE_ROWS
    with db.read() as conn:
        if db.is_postgresql:
            # psycopg prepares a statement run 5 times; PostgreSQL then switches to a generic
            # plan that ignores the LIKE patterns' values (seen: 15 ms -> 340 ms). This
            # transaction plans every statement for its values.
            conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        if query.root is not None and probe_rows > 0:
            rows, want, after = _probe(conn, db, query.root, path_only, base, probe_rows, want, after)
        if want > 0 and fts_expr is not None:
            found = _newest_by_rowid(conn, db, query.root, fts_expr, after, filters, want)
            if found is not None:
                rows.extend(found)
                want = 0
        if want > 0:
            rows.extend(_search_by_indexes(conn, db, query, path_only, base, want))
    return page_of(rows, limit)


_NEWEST_FIRST = (images.c.mtime.desc(), images.c.id.desc())


def _probe(conn, db: Database, root: Node, path_only: bool, base: list, probe_rows: int, want: int,
           after) -> Tuple[List[dict], int, Any]:
    """Step 1: the matches among the newest `probe_rows` candidates, and what is still wanted.

    When more are wanted and older candidates exist, `base` gains the keyset condition
    "older than the window" and the returned `after` is the window's last key."""
    window = select(*_WINDOW_COLUMNS).where(*base).order_by(*_NEWEST_FIRST).limit(probe_rows).subquery("images")
    condition = _Builder(db, path_only, window).node(root)
    stmt = (select(*(window.c[c.name] for c in LIST_COLUMNS)).where(condition)
            .order_by(window.c.mtime.desc(), window.c.id.desc()).limit(want))
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    if len(rows) >= want:
        return rows, 0, after
    last = conn.execute(
        select(images.c.mtime, images.c.id).where(*base).order_by(*_NEWEST_FIRST)
        .offset(probe_rows - 1).limit(1)).first()
    if last is None:  # the window held every candidate
        return rows, 0, after
    base.append(older_than(last[0], last[1]))
    return rows, want - len(rows), (last[0], last[1])


def _search_by_indexes(conn, db: Database, query: Query, path_only: bool, base: list, want: int) -> List[dict]:
    """Step 2: the newest `want` rows passing `base` and the query, through the indexes."""
    condition = query_condition(db, query, path_only=path_only)
    if condition is not None:
        base.append(condition)
    stmt = select(*LIST_COLUMNS).where(*base).order_by(*_NEWEST_FIRST).limit(want)
    return [dict(r) for r in conn.execute(stmt).mappings()]


# The row-id walk (`_newest_by_rowid`); measured at 1,000,000 rows (bench_search.py).
ROWID_WALK_MAX_EXAMINED = 10000
"""Matches the walk reads from the full-text index before it gives up (a folder or media
filter that most matches fail)."""
ROWID_WALK_PROBE_ROWS = 2000
"""The probe of a query the row-id walk can answer: only common words need it."""
ROWID_WALK_MAX_OUTSIDE = 2000
"""Rows whose time and id disagree that the walk checks one by one before it gives up."""


def _rowid_walk_expr(db: Database, query: Query, path_only: bool) -> Optional[str]:
    """The FTS5 expression of `query` when the row-id walk can answer it exactly: SQLite
    with the trigram index, free text only, every term ASCII (so LIKE, which checks the rows
    the walk could miss, finds exactly what the index finds)."""
    if not db.is_sqlite or not db.has_fts or path_only or query.root is None:
        return None
    terms: List[str] = []

    def collect(node: Node) -> bool:
        if isinstance(node, Text):
            terms.append(node.text)
            return True
        if isinstance(node, (And, Or)):
            return all(collect(c) for c in node.children)
        if isinstance(node, Not):
            return collect(node.child)
        return False

    if not collect(query.root) or not all(t.isascii() for t in terms):
        return None
    return _Builder(db, False, None).fts_expr(query.root)


def _newest_by_rowid(conn, db: Database, root: Node, expr: str, after, filters: list,
                     want: int) -> Optional[List[dict]]:
    """The newest `want` rows (mtime, id descending) that match the FTS5 expression `expr`
    (equivalent to `root`), are older than the keyset position `after` and pass `filters`;
    None when this way would cost too much (the caller then searches its usual way).

    1. Matches come from the index in descending row id, from the cursor's id down (FTS5
       reads only the part of its lists it hands out), until `want` of them pass the filters
       or the matches run out. A = those that pass: every match with an id in [low, high].
    2. With K the `want`-th newest key of A, only a match newer than K can still belong to
       the page, and the ones not yet seen have an id outside [low, high]. The rows newer
       than K with such an id (few when ids follow times) are read from the mtime index and
       checked row by row. The page is the newest `want` of both sets: exactly what one
       query would return. When the matches ran out, every match with an id up to `high`
       is in A, and the matches above `high` are read from the index as well.
    """
    high = after[1] if after is not None else None  # the cursor's row itself is excluded by its key
    keep = list(filters)
    if after is not None:
        keep.append(older_than(*after))
        keep.append(images.c.mtime <= after[0])  # a plain range for the mtime index
    raw = conn.connection.driver_connection
    walk = _walk_matches(conn, raw, expr, high, keep, want)
    if walk is None:
        return None
    found, low, examined, exhausted = walk
    keys = sorted(((m, i) for i, m in found.items()), reverse=True)
    if exhausted:
        extra = _matches_above(conn, raw, expr, high, examined, keep) if high is not None else []
    else:
        extra = _outside_matches(conn, db, root, keys[want - 1], low, high, keep)
    if extra is None:
        return None
    keys.extend(extra)
    keys.sort(reverse=True)
    return _rows_in_order(conn, [i for _, i in keys[:want]])


def _walk_matches(conn, raw, expr: str, high: Optional[int], keep: list, want: int
                  ) -> Optional[Tuple[Dict[int, float], Optional[int], int, bool]]:
    """Step 1 of `_newest_by_rowid`: ({id: mtime} of the matches passing `keep`, the lowest
    id read, how many matches were read, whether they ran out); None past the budget."""
    found: Dict[int, float] = {}
    examined = 0
    low: Optional[int] = None
    size = want
    while True:
        ids = _fts_rowids_down(raw, expr, low, high, size)
        examined += len(ids)
        if ids:
            low = ids[-1]
            found.update(_keys_of(conn, ids, keep))
        if len(ids) < size:
            return found, low, examined, True
        if len(found) >= want:
            return found, low, examined, False
        if examined >= ROWID_WALK_MAX_EXAMINED:
            return None
        size = min(size * 4, ROWID_WALK_MAX_EXAMINED - examined)


def _fts_rowids_down(raw, expr: str, low: Optional[int], high: Optional[int], size: int) -> List[int]:
    """The next `size` match ids in descending order: below `low`, else up to `high`."""
    bound = ""
    args: List[Any] = [expr]
    if low is not None:
        bound, args = " AND rowid < ?", args + [low]
    elif high is not None:
        bound, args = " AND rowid <= ?", args + [high]
    return [r[0] for r in raw.execute(
        "SELECT rowid FROM images_fts WHERE images_fts MATCH ?%s ORDER BY rowid DESC LIMIT ?" % bound,
        args + [size])]


def _matches_above(conn, raw, expr: str, high: int, examined: int, keep: list) -> Optional[List[tuple]]:
    """(mtime, id) of the matches above the cursor's id that are older than the cursor;
    None when there are more than the walk's budget left."""
    remaining = max(0, ROWID_WALK_MAX_EXAMINED - examined)
    ids = [r[0] for r in raw.execute(
        "SELECT rowid FROM images_fts WHERE images_fts MATCH ? AND rowid > ? LIMIT ?",
        (expr, high, remaining + 1))]
    if len(ids) > remaining:
        return None
    return [(m, i) for i, m in _keys_of(conn, ids, keep).items()]


def _outside_matches(conn, db: Database, root: Node, last: tuple, low: Optional[int], high: Optional[int],
                     keep: list) -> Optional[List[tuple]]:
    """Step 2 of `_newest_by_rowid`: (mtime, id) of the matching rows newer than the key `last`
    whose id lies outside [low, high], checked row by row; None when there are too many."""
    last_m, last_id = last
    # `id + 0`: the range on ids must not replace the walk down the mtime index.
    member = images.c.id + 0
    outside = member < low if high is None else or_(member < low, member > high)
    window = (select(*_WINDOW_COLUMNS)
              .where(images.c.mtime >= last_m, or_(images.c.mtime > last_m, images.c.id > last_id),
                     outside, *keep)
              .limit(ROWID_WALK_MAX_OUTSIDE + 1).subquery("images"))
    condition = _Builder(db, False, window).node(root)
    checked = conn.execute(select(window.c.id, window.c.mtime, case((condition, 1), else_=0))).all()
    if len(checked) > ROWID_WALK_MAX_OUTSIDE:
        return None
    return [(m, i) for i, m, ok in checked if ok]


def _rows_in_order(conn, top: List[int]) -> List[dict]:
    """The listed columns of the rows `top`, in that order."""
    if not top:
        return []
    rows: Dict[int, dict] = {}
    for start in range(0, len(top), 500):
        rows.update((r["id"], dict(r)) for r in conn.execute(
            select(*LIST_COLUMNS).where(images.c.id.in_(top[start:start + 500]))).mappings())
    return [rows[i] for i in top]


def _keys_of(conn, ids: List[int], keep: list) -> Dict[int, float]:
    """{id: mtime} of those `ids` whose rows pass the conditions `keep`."""
    out: Dict[int, float] = {}
    for start in range(0, len(ids), 500):
        out.update(conn.execute(
            select(images.c.id, images.c.mtime).where(images.c.id.in_(ids[start:start + 500]), *keep)).all())
    return out


def query_condition(db: Database, query: Query, *, path_only: bool = False) -> Optional[ColumnElement]:
    """The WHERE condition on the `images` table for `query` (None when the query is empty),
    shaped for the indexes: text terms and tag filters become sets of ids."""
    if query.root is None:
        return None
    return _Builder(db, path_only, None).node(query.root)


class _Builder:
    """Conditions on `images` (src None: index mode) or on a window of it (row-by-row mode).

    A window is a subquery named `images`, so the text fragments of `_substring_condition`
    (which name `images.id` and bare columns) read the window's columns.
    """

    def __init__(self, db: Database, path_only: bool, src) -> None:
        self.db = db
        self.pg = db.is_postgresql
        self.path_only = path_only
        self.rowwise = src is not None
        self.c = (images if src is None else src).c
        # SQLite, index mode: the free-text terms of one AND go to FTS5 as one MATCH
        # expression, which intersects inside the index instead of building an id set
        # per term (each costs ~0.3 us per matching row).
        self.fts = not self.pg and not self.rowwise and db.has_fts
        # SQLite, index mode: SQLite would drive the query from an id set (looking up every
        # row of a common word, then sorting them all); `id + 0` keeps it walking the mtime
        # index and checking membership, which stops after one page.
        self.member = self.c.id + 0 if (not self.pg and not self.rowwise) else self.c.id

    # -- tree --------------------------------------------------------------------------
    def node(self, node: Node) -> ColumnElement:
        if isinstance(node, And):
            return self.and_node(node)
        if isinstance(node, Or):
            expr = self.fts_expr(node)
            if expr is not None:
                return self.fts_match(expr)
            return or_(*(self.node(c) for c in node.children))
        if isinstance(node, Not):
            return not_(self.node(node.child))
        if isinstance(node, Text):
            return self.text(node.text)
        return self.leaf(node, prefilter=True)

    def and_node(self, node: And) -> ColumnElement:
        rest: List[Node] = list(node.children)
        parts: List[ColumnElement] = []
        if self.fts:
            positive, negative, rest = [], [], []
            for c in node.children:
                expr = self.fts_expr(c)
                child_expr = self.fts_expr(c.child) if isinstance(c, Not) else None
                if expr is not None:
                    positive.append(expr)
                elif child_expr is not None:
                    negative.append(child_expr)
                else:
                    rest.append(c)
            if positive:
                # The prefilters of field filters join the same MATCH.
                for c in rest:
                    needle = self.prefilter_needle(c)
                    if needle is not None:
                        positive.append(_fts_phrase(needle))
                expr = "(" + " AND ".join(positive) + ")" + "".join(" NOT " + n for n in negative)
                parts.append(self.fts_match(expr))
                # Cheap tests first: SQLite defers reading a row until a term needs one of
                # its columns.
                parts.extend(self.leaf(c, prefilter=False) if self.prefilter_needle(c) is not None
                             else self.node(c) for c in sorted(rest, key=self.cost))
                return and_(*parts)
            if negative:
                parts.append(not_(self.fts_match(" OR ".join(negative))))
        # PostgreSQL keeps this order among filters of equal cost.
        parts.extend(self.node(c) for c in sorted(rest, key=self.cost))
        return and_(*parts)

    def leaf(self, node: Node, prefilter: bool) -> ColumnElement:
        if isinstance(node, Date):
            return self.date(node)
        needle = None
        if isinstance(node, Match):
            cond, needle = self.match(node)
        elif isinstance(node, Compare):
            cond, needle = self.compare(node)
        elif isinstance(node, Size):
            cond, needle = self.size(node), ""
        else:  # pragma: no cover - the parser makes no other nodes
            raise TypeError(f"unknown query node {node!r}")
        if needle is None:
            return cond  # an id set: never NULL
        cond = func.coalesce(cond, false())  # NULL (value missing) counts as "no match"
        pre = self.prefilter(needle) if prefilter else None
        # The index-backed test first and on its own, so rows it rules out are never read.
        return cond if pre is None else and_(pre, cond)

    def cost(self, node: Node) -> int:
        """0: answered from an index (id sets, mtime); 1: a short column; 2: the JSON
        parameters; 3: a LIKE over the prompt texts."""
        if isinstance(node, Not):
            return self.cost(node.child)
        if isinstance(node, (And, Or)):
            return max(self.cost(c) for c in node.children)
        if isinstance(node, Text):
            indexed = not self.rowwise and not self.path_only and (
                self.pg or (self.db.has_fts and len(node.text) >= 3))
            return 0 if indexed else (1 if self.path_only else 3)
        if isinstance(node, Date):
            return 0
        if isinstance(node, Match):
            if node.field in _TAG_FIELDS or node.field == "tag":
                return 0
            return 1 if node.field == "ext" else 2
        return 2

    # -- free text ---------------------------------------------------------------------
    def fts_expr(self, node: Node) -> Optional[str]:
        """`node` as an FTS5 query expression, when it is made of free text only."""
        if not self.fts or self.path_only:
            return None
        if isinstance(node, Text):
            return _fts_phrase(node.text) if len(node.text) >= 3 else None
        if isinstance(node, Or):
            exprs = [self.fts_expr(c) for c in node.children]
            return None if None in exprs else "(" + " OR ".join(exprs) + ")"
        if isinstance(node, And):
            positive, negative = [], []
            for c in node.children:
                expr = self.fts_expr(c)
                if expr is not None:
                    positive.append(expr)
                    continue
                expr = self.fts_expr(c.child) if isinstance(c, Not) else None
                if expr is None:
                    return None
                negative.append(expr)
            if not positive:
                return None
            return "((" + " AND ".join(positive) + ")" + "".join(" NOT " + n for n in negative) + ")"
        return None

    def fts_match(self, expr: str) -> ColumnElement:
        # `+` for the reason given at `member`.
        return Grouping(text("+images.id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH :fts_query)")
                        .bindparams(bindparam("fts_query", expr, unique=True)))

    def text(self, needle: str, path_only: Optional[bool] = None) -> ColumnElement:
        path_only = self.path_only if path_only is None else path_only
        if self.rowwise:
            if self.pg and not path_only:
                return _grouped(substring_condition(self.db, needle, False))  # bare column names
            if self.pg or path_only or not (self.db.has_fts and len(needle) >= 3) or needle.isascii():
                return self.like(needle, path_only)
            # Non-ASCII: only the full-text index folds its case as the index mode does.
        elif not self.pg:
            if self.fts and not path_only and len(needle) >= 3:
                return self.fts_match(_fts_phrase(needle))
            return self.like(needle, path_only)  # what `_substring_condition` does, minus lower()
        return _grouped(substring_condition(self.db, needle, path_only))

    def like(self, needle: str, path_only: bool) -> ColumnElement:
        pattern = "%" + escape_like(needle) + "%"
        columns = (self.c.path,) if path_only else (self.c.path, self.c.positive, self.c.negative,
                                                    self.c.params_text)
        return or_(*(self.like_pattern(c, pattern) for c in columns))

    def like_pattern(self, column, pattern: str) -> ColumnElement:
        """Case-insensitive LIKE: SQLite's LIKE already ignores ASCII case, and ilike() would
        wrap every value in lower(), copying whole prompts for nothing."""
        if self.pg:
            return column.ilike(pattern, escape="\\")
        return column.like(pattern, escape="\\")

    def prefilter_needle(self, node: Node) -> Optional[str]:
        """Text every match of `node` holds in its indexed text, to join an FTS5 MATCH.

        The tag filters whose tags come from the parameters qualify too: alone, their id
        set is cheaper than a MATCH; beside free text, the MATCH gets narrower for free.
        """
        if isinstance(node, Match) and node.field in _PARAMS_TEXT_TAG_FIELDS:
            needle = node.value
        elif isinstance(node, Match):
            needle = self.match(node)[1]
        elif isinstance(node, Compare):
            needle = self.compare(node)[1]
        else:
            return None
        return needle if needle is not None and self.prefilter(needle) is not None else None

    def prefilter(self, needle: str) -> Optional[ColumnElement]:
        """An index-backed superset test: the value's text also lies in `params_text`/path."""
        if self.rowwise or len(needle) < 3 or not (self.pg or self.db.has_fts):
            return None
        return self.text(needle, path_only=False)

    # -- parameters in the JSON text --------------------------------------------------
    def param_text(self, key: str) -> ColumnElement:
        if self.pg:
            # json, not jsonb: ->> reads the text as it is, a third cheaper than converting.
            return cast(self.c.params, JSON)[key].astext
        return func.json_extract(self.c.params, "$." + key)

    def param_number(self, key: str) -> ColumnElement:
        """The parameter as a number; NULL when missing or not numeric (never an error)."""
        if self.pg:
            # substring() gives the number when the whole value reads as one, else NULL:
            # one extraction, and the cast never sees text it would reject.
            return cast(func.substring(self.param_text(key), _PG_NUMERIC), Numeric)
        path = "$." + key
        value = func.json_extract(self.c.params, path)
        kind = func.json_type(self.c.params, path)
        trimmed = func.trim(value)
        return case(
            (kind.in_(("integer", "real")), value),
            (and_(kind == "text", trimmed.op("GLOB")("*[0-9]*"), not_(trimmed.op("GLOB")("*[^0-9.+-]*"))),
             cast(trimmed, Float)),
            else_=None,
        )

    def bind_number(self, value: Union[int, float]):
        if self.pg:
            return decimal.Decimal(value) if isinstance(value, int) else decimal.Decimal(repr(value))
        if isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
            return float(value)  # SQLite integers are 64-bit
        return value

    # -- leaves ------------------------------------------------------------------------
    def tag_ids(self, wanted) -> ColumnElement:
        return self.member.in_(
            select(image_tags.c.image_id).where(image_tags.c.tag_id.in_(select(tags.c.id).where(wanted))))

    def match(self, node: Match):
        """(condition, text that every match holds in its indexed text); the condition is
        an id set (never NULL) when the text is None, else it may be NULL."""
        value = node.value
        contains = "%" + escape_like(value) + "%"
        if node.field in _TAG_FIELDS:
            return self.tag_ids(and_(tags.c.type.in_(_TAG_FIELDS[node.field]),
                                     self.like_pattern(tags.c.name, contains))), None
        if node.field == "tag":  # the whole name, any case (lower() folds non-ASCII on PostgreSQL only)
            return self.tag_ids(or_(tags.c.name == value, func.lower(tags.c.name) == value.lower())), None
        if node.field == "ext":
            return self.like_pattern(self.c.name, "%." + escape_like(value)), "." + value
        # scheduler
        return self.like_pattern(self.param_text(node.field), contains), value

    def compare(self, node: Compare):
        """(condition that may be NULL, text that every match holds in its indexed text)."""
        if node.field == "seed" and node.op == "=" and isinstance(node.value, int):
            return self.seed_equals(node.value), str(node.value)
        return _COMPARE[node.op](self.param_number(node.field), self.bind_number(node.value)), ""

    def seed_equals(self, seed: int) -> ColumnElement:
        """Exact, even for seeds beyond 64 bits (ComfyUI's go up to 2**64 - 1), which
        SQLite's JSON functions read as approximate REALs."""
        if self.pg:
            return self.param_number("seed") == decimal.Decimal(seed)
        value = func.json_extract(self.c.params, "$.seed")
        if _INT64[0] <= seed <= _INT64[1]:
            return or_(value == seed, func.trim(value) == str(seed))
        digits = f'"seed": {seed}'
        return or_(
            and_(value == float(seed),
                 or_(func.instr(self.c.params, digits + ",") > 0, func.instr(self.c.params, digits + "}") > 0)),
            func.trim(value) == str(seed),
        )

    def size(self, node: Size) -> ColumnElement:
        generated = []
        pixels = []
        for key, column, wanted in (("width", self.c.width, node.width), ("height", self.c.height, node.height)):
            if wanted is None:
                continue
            if self.pg:
                generated.append(self.param_text(key) == str(wanted))
            else:
                generated.append(func.json_extract(self.c.params, "$." + key) == wanted)
            pixels.append(column == wanted)
        return or_(and_(*generated), and_(*pixels))

    def date(self, node: Date) -> ColumnElement:
        start_day, end_day = node.bounds()
        start, end = _local_midnight(start_day), _local_midnight(end_day)
        mtime = self.c.mtime
        if node.op == "=":
            return and_(mtime >= start, mtime < end)
        if node.op == ">":
            return mtime >= end
        if node.op == ">=":
            return mtime >= start
        if node.op == "<":
            return mtime < start
        return mtime < end  # "<="


def substring_condition(db: Database, needle: str, path_only: bool):
    """Rows whose path (or, unless `path_only`, generation info) contains `needle`, case-insensitively."""
    pattern = "%" + escape_like(needle) + "%"
    if path_only:
        return images.c.path.ilike(pattern, escape="\\")
    if db.is_sqlite and db.has_fts and len(needle) >= 3:
        # A quoted FTS5 phrase under the trigram tokenizer matches any row with the
        # substring in one of its columns, case-insensitively, through the index.
        phrase = '"' + needle.replace('"', '""') + '"'
        return text("images.id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH :fts_phrase)"
                    ).bindparams(fts_phrase=phrase)
    if db.is_postgresql:
        return text(f"({SEARCH_TEXT_SQL}) ILIKE :pg_pattern ESCAPE '\\'").bindparams(pg_pattern=pattern)
    return _plain_like(pattern)


def _plain_like(pattern: str):
    return or_(
        images.c.path.ilike(pattern, escape="\\"),
        images.c.positive.ilike(pattern, escape="\\"),
        images.c.negative.ilike(pattern, escape="\\"),
        images.c.params_text.ilike(pattern, escape="\\"),
    )


def _fts_phrase(needle: str) -> str:
    """An FTS5 phrase: under the trigram tokenizer, rows holding `needle` as a substring."""
    return '"' + needle.replace('"', '""') + '"'


def _local_midnight(day: datetime.date) -> float:
    """Epoch seconds of 00:00 local time on `day` (UTC when the platform cannot say)."""
    try:
        return time.mktime(day.timetuple())
    except (OverflowError, OSError, ValueError):
        return float(calendar.timegm(day.timetuple()))


def _grouped(clause) -> ColumnElement:
    """`clause` with statement-unique bind names, grouped when it is a bare text() fragment.

    `_substring_condition` names its parameters (`:fts_phrase`, `:pg_pattern`); two terms
    in one statement would otherwise share one value silently. NOT and OR need text()
    fragments grouped.
    """

    def replace(element):
        if isinstance(element, BindParameter) and not element.unique:
            return bindparam(element.key, element.value, type_=element.type, unique=True)
        return None

    clause = visitors.replacement_traverse(clause, {}, replace)
    return Grouping(clause) if isinstance(clause, TextClause) else clause


def search_text(db: Database, needle: str, **options) -> SearchPage:
    """The plain substring search (`syntax: "substr"`) through the query machinery.

    One free-text term is exactly a case-insensitive substring of the path or the
    generation info, so the results are those of one plain statement with
    `substring_condition` (the test oracle `tests/support/substring_oracle.py`;
    `tests/db/test_search_oracle.py` checks the pages are equal); going through
    `search_images` adds its newest-rows probe, which keeps common words fast at a million
    rows (the FTS5 match list of a word in most rows no longer has to be sorted by date).
    """
    from ..search.ast import Text

    return search_images(db, Query(Text(needle)) if needle else Query(), **options)
