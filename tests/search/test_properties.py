"""Property tests of the parser: it never fails on any text except with BadInput, its
output is always in normal form, and the canonical text parses back to the same tree."""
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from iib_core.errors import BadInput
from iib_core.search import (
    LEAF_TYPES,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    NUMBER_FIELDS,
    TEXT_FIELDS,
    And,
    Compare,
    Date,
    Match,
    Not,
    Or,
    Query,
    Size,
    Text,
    parse_query,
)

# Pieces that exercise every corner of the tokenizer.
PIECES = [
    " ", "  ", "\t", "\n", '"', '\\"', "\\", "(", ")", "-", "--", ",", "OR", "AND", "|", "or",
    "cat", "Dog", "a", "1girl", "é", "猫", "\u3000", "\x00", ":", ">", "<", "=", ">=", "x",
    "model:", "lora:", "steps>", "steps:", "cfg<", "seed:", "size:", "date:", "date>", "tag:",
    "ext:", "source:", "artist:", "30", "6.5", "512x768", "1024x", "2026-11", "2026-11-21",
    "2026-13", "abc", "masterpiece:1.2", "_(x)", "-(", ")-", '-"', '":',
]
query_like = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=300), query_like, st.text(alphabet=st.sampled_from(list(' "()-:<>=|,\\ORAND')),
                                                                  max_size=200))


def check_normal_form(node, inside=None):
    """And/Or hold >= 2 children and never directly a child of their own kind; texts are
    non-empty; field values are usable."""
    if isinstance(node, (And, Or)):
        assert len(node.children) >= 2
        for c in node.children:
            assert not isinstance(c, type(node))
            check_normal_form(c, node)
    elif isinstance(node, Not):
        check_normal_form(node.child, node)
    elif isinstance(node, Text):
        assert node.text
        assert "\x00" not in node.text
        node.text.encode("utf-8")
    elif isinstance(node, Match):
        assert node.field in TEXT_FIELDS and node.value and node.value == node.value.strip()
    elif isinstance(node, Compare):
        assert node.field in NUMBER_FIELDS and node.op in ("=", ">", ">=", "<", "<=")
    elif isinstance(node, Size):
        assert node.width is not None or node.height is not None
    elif isinstance(node, Date):
        start, end = node.bounds()
        assert start < end
    else:  # pragma: no cover
        raise AssertionError(f"unexpected node {node!r}")


@settings(max_examples=1500)
@given(any_text)
@example("(" * 40)
@example("-" * 50 + "x")
@example('"' * 11)
@example("a OR " * 40)
@example("\\" * 3 + '"')
def test_never_fails_except_with_bad_input_and_output_is_normal(text):
    try:
        q = parse_query(text)
    except BadInput as err:
        assert isinstance(err.detail, str) and err.detail
        return
    assert isinstance(q, Query)
    if q.root is not None:
        check_normal_form(q.root)
    assert len(list(q.leaves())) <= MAX_TERMS


@settings(max_examples=1500)
@given(any_text)
def test_canonical_text_parses_to_the_same_tree(text):
    try:
        q = parse_query(text)
    except BadInput:
        return
    canonical = q.to_text()
    assume(len(canonical) <= MAX_QUERY_LENGTH)
    again = parse_query(canonical)
    assert again == q
    assert again.to_text() == canonical


# --------------------------------------------------------------------------- trees -> text -> trees

def _clean_text(s):
    return "\x00" not in s and not any(0xD800 <= ord(c) <= 0xDFFF for c in s)


texts = st.text(min_size=1, max_size=12).filter(lambda s: _clean_text(s) and s.strip(","))
values = st.text(min_size=1, max_size=12).map(str.strip).filter(lambda s: s and _clean_text(s))
leaves = st.one_of(
    texts.map(Text),
    st.builds(Match, st.sampled_from([f for f in TEXT_FIELDS if f != "ext"]), values),
    st.builds(Match, st.just("ext"), values.filter(lambda s: not s.startswith("."))),
    st.builds(Compare, st.sampled_from(NUMBER_FIELDS), st.sampled_from(["=", ">", ">=", "<", "<="]),
              st.integers(-10 ** 20, 10 ** 20)),
    st.builds(Compare, st.sampled_from(["steps", "cfg"]), st.sampled_from(["=", ">", "<"]),
              st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
              .map(lambda f: round(f, 6))),
    st.builds(Size, st.one_of(st.none(), st.integers(0, 99999)), st.integers(0, 99999)),
    st.builds(Size, st.integers(0, 99999), st.none()),
    st.builds(Date, st.sampled_from(["=", ">", ">=", "<", "<="]), st.just(2026), st.none(), st.none()),
    st.builds(Date, st.sampled_from(["=", "<"]), st.integers(1000, 9000), st.integers(1, 12), st.none()),
    st.builds(Date, st.just(">="), st.integers(1970, 2100), st.integers(1, 12), st.integers(1, 28)),
)


def _normal(kind, children):
    flat = []
    for c in children:
        flat.extend(c.children if isinstance(c, kind) else [c])
    return kind(tuple(flat))


trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, min_size=2, max_size=4).map(lambda cs: _normal(And, cs)),
        st.lists(inner, min_size=2, max_size=4).map(lambda cs: _normal(Or, cs)),
    ),
    max_leaves=MAX_TERMS,
)


def paren_depth(node):
    """How deeply `to_text` nests parentheses for this tree."""
    if isinstance(node, Not):
        return paren_depth(node.child) + (not isinstance(node.child, LEAF_TYPES))
    if isinstance(node, And):
        return max(paren_depth(c) for c in node.children)
    if isinstance(node, Or):
        return max(paren_depth(c) + isinstance(c, And) for c in node.children)
    return 0


@settings(max_examples=1500)
@given(trees)
def test_any_tree_survives_a_round_trip_through_text(tree):
    q = Query(tree)
    text = q.to_text()
    assume(len(text) <= MAX_QUERY_LENGTH and paren_depth(tree) <= MAX_DEPTH)
    assert parse_query(text) == q


def test_the_deepest_allowed_tree_round_trips():
    tree = Not(Text("x"))
    for _ in range(MAX_DEPTH):
        tree = Not(tree)
    assert paren_depth(tree) == MAX_DEPTH
    assert parse_query(Query(tree).to_text()) == Query(tree)
    too_deep = Query(Not(tree)).to_text()
    with pytest.raises(BadInput, match="nested parentheses"):
        parse_query(too_deep)
