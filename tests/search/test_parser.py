"""The query language parser: pure text -> syntax tree, no database."""
import datetime

import pytest

from iib_core.errors import BadInput
from iib_core.search import (
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
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


def root(text):
    return parse_query(text).root


def T(*texts):
    nodes = tuple(Text(t) for t in texts)
    return nodes[0] if len(nodes) == 1 else And(nodes)


# --------------------------------------------------------------------------- free text

@pytest.mark.parametrize("text", ["", "   ", "\t\n", '""', "-\"\"", "()", "(())", ",", ", ,", "-()"])
def test_blank_queries_match_everything(text):
    q = parse_query(text)
    assert q == Query(None) and q.is_empty and q.to_text() == "" and list(q.leaves()) == []


def test_bare_words_are_anded_and_keep_their_case_and_punctuation():
    assert root("cat") == Text("cat")
    assert root("Fluffy  cat\tsofa") == T("Fluffy", "cat", "sofa")
    assert root("1girl, long_hair 100% <lora:x:1>") == T("1girl,", "long_hair", "100%", "<lora:x:1>")
    assert root("sci-fi C:\\art\\x.png") == T("sci-fi", "C:\\art\\x.png")


def test_quoted_phrases_keep_spaces_and_special_characters():
    assert root('"red hat"') == Text("red hat")
    assert root('"  spaced  "') == Text("  spaced  ")
    assert root('"a OR b -c (d) steps>3"') == Text("a OR b -c (d) steps>3")
    assert root('x "y z" w') == T("x", "y z", "w")
    assert root('"unclosed phrase') == Text("unclosed phrase")  # runs to the end
    assert root('ab"cd ef"') == T("ab", "cd ef")  # a quote ends a bare word


def test_backslash_escapes_only_quote_and_backslash_inside_phrases():
    assert root(r'"say \"hi\""') == Text('say "hi"')
    assert root(r'"a\\b"') == Text("a\\b")
    assert root(r'"yamo \(tale quest\)"') == Text(r"yamo \(tale quest\)")  # A1111 escaped brackets stay
    assert root(r'"ends with \\"') == Text("ends with \\")
    assert root(r"bare\word") == Text(r"bare\word")  # outside quotes a backslash is literal


def test_negation_of_words_phrases_fields_and_groups():
    assert root("-dog") == Not(Text("dog"))
    assert root('-"red hat"') == Not(Text("red hat"))
    assert root("-model:xl") == Not(Match("model", "xl"))
    assert root("-steps>30") == Not(Compare("steps", ">", 30))
    assert root("-(a OR b)") == Not(Or((Text("a"), Text("b"))))
    assert root("cat -dog -\"big bird\"") == And((Text("cat"), Not(Text("dog")), Not(Text("big bird"))))
    assert root("x -(-y)") == And((Text("x"), Not(Not(Text("y")))))


def test_a_dash_that_negates_nothing_is_text():
    assert root("a - b") == T("a", "-", "b")
    assert root("a -") == T("a", "-")
    assert root("--ar 16:9") == T("--ar", "16:9")  # Midjourney parameters are text
    assert root("sci-fi -") == T("sci-fi", "-")
    assert root("(a -)") == T("a", "-")
    assert root('-"" cat') == Text("cat")  # negating nothing is nothing
    assert root("-, cat") == Text("cat")
    assert root("-() cat") == Text("cat")


def test_or_binds_tighter_than_the_implicit_and():
    assert root("a b OR c") == And((Text("a"), Or((Text("b"), Text("c")))))
    assert root("a OR b c") == And((Or((Text("a"), Text("b"))), Text("c")))
    assert root("a OR b OR c") == Or((Text("a"), Text("b"), Text("c")))
    assert root("a | b") == Or((Text("a"), Text("b")))
    assert root("-a OR b") == Or((Not(Text("a")), Text("b")))
    assert root("a AND b OR c") == And((Text("a"), Or((Text("b"), Text("c")))))
    assert root("steps>30 OR model:xl") == Or((Compare("steps", ">", 30), Match("model", "xl")))


def test_keywords_are_uppercase_and_text_where_they_join_nothing():
    assert root("a or b") == T("a", "or", "b")
    assert root("a and b") == T("a", "and", "b")
    assert root("a AND b") == T("a", "b")
    assert root("OR") == Text("OR")
    assert root("AND") == Text("AND")
    assert root("a OR") == T("a", "OR")
    assert root("OR a") == T("OR", "a")
    assert root("a AND") == T("a", "AND")
    assert root("(a OR) b") == T("a", "OR", "b")
    assert root("-OR") == Not(Text("OR"))
    assert root("ORnament ANDroid") == T("ORnament", "ANDroid")
    assert root('"OR"') == Text("OR")


def test_parentheses_group_and_are_lenient():
    assert root("(a OR b) c") == And((Or((Text("a"), Text("b"))), Text("c")))
    assert root("(a b) OR c") == Or((And((Text("a"), Text("b"))), Text("c")))
    assert root("((a OR b)) OR (c)") == Or((Text("a"), Text("b"), Text("c")))  # flattened
    assert root("a (b c)") == T("a", "b", "c")
    assert root("(a OR b") == Or((Text("a"), Text("b")))  # closed at the end
    assert root("a) b") == T("a)", "b")  # closes nothing: an ordinary character
    assert root("(x) y)") == T("x", "y)")


def test_brackets_inside_a_word_belong_to_it():
    assert root("hatsune_miku_(vocaloid)") == Text("hatsune_miku_(vocaloid)")
    assert root("(miku_(vocaloid) OR rin)") == Or((Text("miku_(vocaloid)"), Text("rin")))
    assert root("(masterpiece:1.2), best") == T("masterpiece:1.2", "best")  # a pasted prompt


def test_too_many_nested_parentheses_is_bad_input():
    assert root("(" * MAX_DEPTH + "a") == Text("a")
    with pytest.raises(BadInput, match="nested parentheses"):
        parse_query("(" * (MAX_DEPTH + 1) + "a")


# --------------------------------------------------------------------------- field filters

def test_text_fields_and_aliases():
    assert root("model:sdxl") == Match("model", "sdxl")
    assert root('model:"sd xl"') == Match("model", "sd xl")
    assert root('Model:"  Pony XL "') == Match("model", "Pony XL")
    assert root("lora:add_detail") == Match("lora", "add_detail")
    assert root("lyco:grain") == Match("lora", "grain")
    assert root("sampler:euler") == Match("sampler", "euler")
    assert root("scheduler:karras") == Match("scheduler", "karras")
    assert root("generator:comfyui") == Match("generator", "comfyui")
    assert root("source:ComfyUI") == Match("generator", "ComfyUI")
    assert root('tag:"Best Quality"') == Match("tag", "Best Quality")
    assert root("tag=like") == Match("tag", "like")
    assert root("ext:png") == Match("ext", "png")
    assert root("ext:.JPG") == Match("ext", "JPG")
    assert root('model:"with \\"quote\\""') == Match("model", 'with "quote"')
    assert root("model:a(b)c") == Match("model", "a(b)c")


def test_number_fields_and_operators():
    assert root("steps:25") == Compare("steps", "=", 25)
    assert root("steps=25") == Compare("steps", "=", 25)
    assert root("steps>30") == Compare("steps", ">", 30)
    assert root("steps<20") == Compare("steps", "<", 20)
    assert root("steps>=30") == Compare("steps", ">=", 30)
    assert root("steps<=20") == Compare("steps", "<=", 20)
    assert root("steps:>30") == Compare("steps", ">", 30)
    assert root("Steps:<=20") == Compare("steps", "<=", 20)
    assert root('steps:"25"') == Compare("steps", "=", 25)
    assert root("cfg:7") == Compare("cfg", "=", 7)
    assert root("cfg>6.5") == Compare("cfg", ">", 6.5)
    assert root("cfg<.5") == Compare("cfg", "<", 0.5)
    assert root("cfg:-1") == Compare("cfg", "=", -1)
    assert root("seed:3786358249") == Compare("seed", "=", 3786358249)
    assert root("seed:18446744073709551615") == Compare("seed", "=", 18446744073709551615)
    assert isinstance(root("steps:25").value, int) and isinstance(root("cfg:6.5").value, float)


@pytest.mark.parametrize("text, message", [
    ("steps>abc", "steps needs a number"),
    ("steps:", None),  # empty: plain text, not an error (see below)
    ("cfg>6.5.1", "cfg needs a number"),
    ("cfg:1e5", "cfg needs a number"),
    ("cfg:nan", "cfg needs a number"),
    ("cfg>inf", "cfg needs a number"),
    ("seed:1.5", "seed needs a whole number"),
    ("seed:" + "9" * 41, "too long"),
    ("model>sdxl", "model takes a value after ':'"),
    ("tag<x", "tag takes a value"),
    ("ext:.", "ext needs a file extension"),
    ("size>512x512", "size takes WIDTHxHEIGHT"),
    ("size:512", "size needs WIDTHxHEIGHT"),
    ("size:x", "size needs WIDTHxHEIGHT"),
    ("size:axb", "size needs WIDTHxHEIGHT"),
    ("size:1234567x1", "too large"),
    ("date:yesterday", "date needs YYYY"),
    ("date:2026-13", "no month 13"),
    ("date:2026-02-30", "no such day"),
    ("date:0999", "year must be between"),
    ("date:26-11-01", "date needs YYYY"),
])
def test_known_fields_with_unusable_values_are_bad_input(text, message):
    if message is None:
        assert root(text) == Text(text)
        return
    with pytest.raises(BadInput) as err:
        parse_query(text)
    assert message in err.value.detail
    assert text.split(":")[0].split(">")[0].split("<")[0] in err.value.detail  # names the culprit


def test_size_filter_forms():
    assert root("size:512x768") == Size(512, 768)
    assert root("size:512X768") == Size(512, 768)
    assert root("size:512\u00d7768") == Size(512, 768)
    assert root("size:512*768") == Size(512, 768)
    assert root('size:"512 x 768"') == Size(512, 768)
    assert root("size:1024x") == Size(1024, None)
    assert root("size:x1536") == Size(None, 1536)


def test_date_filter_forms_and_bounds():
    d = root("date:2026-11")
    assert d == Date("=", 2026, 11, None)
    assert d.bounds() == (datetime.date(2026, 11, 1), datetime.date(2026, 12, 1))
    assert root("date:2026-12").bounds() == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1))
    assert root("date:2026-11-21") == Date("=", 2026, 11, 21)
    assert root("date:2026/1/5") == Date("=", 2026, 1, 5)
    assert root("date:2024-02-29").bounds() == (datetime.date(2024, 2, 29), datetime.date(2024, 3, 1))
    assert root("date:2026") == Date("=", 2026, None, None)
    assert root("date:2026").bounds() == (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
    assert root("date>2026-11-01") == Date(">", 2026, 11, 1)
    assert root("date<=2026-11") == Date("<=", 2026, 11, None)
    assert root("date:>=2026") == Date(">=", 2026, None, None)


def test_unknown_fields_and_empty_values_are_plain_text():
    assert root("artist:foo") == Text("artist:foo")
    assert root('artist:"foo bar"') == Text("artist:foo bar")
    assert root("https://example.org/x") == Text("https://example.org/x")
    assert root("score_9:1.2") == Text("score_9:1.2")
    assert root("Sampler: Euler a") == T("Sampler:", "Euler", "a")  # pasted infotext
    assert root('model:"" x') == T("model:", "x")
    assert root(":foo 1girl:1.2") == T(":foo", "1girl:1.2")
    assert root("a<b a=b") == T("a<b", "a=b")


def test_fields_combine_with_everything_else():
    q = root('cat "red hat" -dog steps>30 OR cfg:7 (model:xl OR -lora:"add detail") date:2026-11')
    assert q == And((
        Text("cat"),
        Text("red hat"),
        Not(Text("dog")),
        Or((Compare("steps", ">", 30), Compare("cfg", "=", 7))),
        Or((Match("model", "xl"), Not(Match("lora", "add detail")))),
        Date("=", 2026, 11, None),
    ))


# --------------------------------------------------------------------------- limits and odd input

def test_length_limit():
    assert len(list(parse_query("a" * MAX_QUERY_LENGTH).leaves())) == 1
    with pytest.raises(BadInput, match="too long"):
        parse_query("a" * (MAX_QUERY_LENGTH + 1))


def test_term_limit_counts_every_leaf():
    ok = " ".join(f"w{i}" for i in range(MAX_TERMS))
    assert len(list(parse_query(ok).leaves())) == MAX_TERMS
    with pytest.raises(BadInput, match=f"too many terms \\({MAX_TERMS + 1}; at most {MAX_TERMS}\\)"):
        parse_query(ok + " steps>3")
    with pytest.raises(BadInput, match="too many terms"):
        parse_query(" OR ".join(f"-w{i}" for i in range(MAX_TERMS + 1)))
    # keywords and separators are not terms
    assert len(list(parse_query(" OR ".join(f"w{i}" for i in range(MAX_TERMS)) + " , ,").leaves())) == MAX_TERMS


def test_nul_and_lone_surrogates_are_cleaned():
    assert root("a\x00b") == T("a", "b")
    assert root('"x\x00y"') == Text("x y")
    q = root("bad\ud800")
    assert q == Text("bad?") and q.text.encode("utf-8")


def test_non_string_is_bad_input():
    with pytest.raises(BadInput):
        parse_query(None)  # type: ignore[arg-type]
    with pytest.raises(BadInput):
        parse_query(b"cat")  # type: ignore[arg-type]


def test_unicode_text_and_whitespace():
    assert root("猫\u3000犬") == T("猫", "犬")  # ideographic space separates
    assert root("café ÉTÉ") == T("café", "ÉTÉ")
    assert root("\u00a0x\u2003y") == T("x", "y")


# --------------------------------------------------------------------------- canonical text

@pytest.mark.parametrize("text, canonical", [
    ("cat", "cat"),
    ("  a   b  ", "a b"),
    ("a AND b", "a b"),
    ("(a OR b) c", "a OR b c"),
    ("(a b) OR c", "(a b) OR c"),
    ("-(a b)", "-(a b)"),
    ('"red hat"', '"red hat"'),
    ('"-x"', '"-x"'),
    ('"OR"', '"OR"'),
    ('"a(b"', '"a(b"'),
    ('"model:x"', '"model:x"'),
    ('","', '","'),
    ('"say \\"hi\\""', '"say \\"hi\\""'),
    ("Model:SDXL", "model:SDXL"),
    ('model:"sd xl"', 'model:"sd xl"'),
    ('model:">x"', 'model:">x"'),
    ("source:comfy", "generator:comfy"),
    ("steps:>=30", "steps>=30"),
    ("steps=5", "steps:5"),
    ("cfg:7.50", "cfg:7.5"),
    ("cfg<.5", "cfg<0.5"),
    ("cfg:0.00001", "cfg:0.00001"),
    ("size:512X768", "size:512x768"),
    ("size:x768", "size:x768"),
    ("date:2026/1/5", "date:2026-01-05"),
    ("date>=2026", "date>=2026"),
])
def test_to_text_is_canonical_and_parses_back(text, canonical):
    q = parse_query(text)
    assert q.to_text() == canonical
    assert parse_query(canonical) == q
