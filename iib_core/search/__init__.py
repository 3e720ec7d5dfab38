"""The search query language: text -> syntax tree, pure (no database, no globals).

    from iib_core.search import parse_query
    parse_query('cat "red hat" -dog steps>30 OR cfg:7')

`iib_core.db.query` turns the tree into SQL.
"""
from .ast import (
    LEAF_TYPES,
    NUMBER_FIELDS,
    OPERATORS,
    TEXT_FIELDS,
    And,
    Compare,
    Date,
    Leaf,
    Match,
    Node,
    Not,
    Or,
    Query,
    Size,
    Text,
    iter_leaves,
    quote,
)
from .parser import FIELD_ALIASES, KNOWN_FIELDS, MAX_DEPTH, MAX_QUERY_LENGTH, MAX_TERMS, parse_query

__all__ = [
    "And", "Compare", "Date", "FIELD_ALIASES", "KNOWN_FIELDS", "LEAF_TYPES", "Leaf", "MAX_DEPTH",
    "MAX_QUERY_LENGTH", "MAX_TERMS", "Match", "NUMBER_FIELDS", "Node", "Not", "OPERATORS", "Or",
    "Query", "Size", "TEXT_FIELDS", "Text", "iter_leaves", "parse_query", "quote",
]
