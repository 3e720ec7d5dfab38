"""Range parsing, validators and MIME types of iib_core.media.http."""
import email.utils
import os

import pytest

from iib_core.errors import RangeNotSatisfiable
from iib_core.media.http import (content_disposition, etag_matches, guess_media_type, http_date, is_not_modified,
                                 parse_range)


@pytest.mark.parametrize("header,size,expected", [
    ("bytes=0-0", 100, (0, 0)),
    ("bytes=0-99", 100, (0, 99)),
    ("bytes=-5", 100, (95, 99)),
    ("bytes=5-", 100, (5, 99)),
    ("bytes=99-", 100, (99, 99)),
    ("bytes=10-20", 100, (10, 20)),
    ("bytes=90-5000", 100, (90, 99)),  # end past the file is clamped
    ("bytes=-500", 100, (0, 99)),  # suffix longer than the file: the whole file
    ("bytes=0-1, 5-6", 100, (0, 1)),  # only the first range is used
    ("BYTES = 3 - 4", 100, (3, 4)),
])
def test_satisfiable_ranges(header, size, expected):
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header,size", [
    ("bytes=100-", 100),  # starts at the end
    ("bytes=100-200", 100),
    ("bytes=5-2", 100),  # end before start
    ("bytes=-0", 100),  # empty suffix
    ("bytes=0-0", 0),  # nothing to send from an empty file
    ("bytes=-5", 0),
    ("bytes=abc", 100),
    ("bytes=1-2-3", 100),
    ("bytes=", 100),
    ("bytes=-", 100),
    ("items=0-1", 100),
    ("0-1", 100),
    ("bytes=0x10-", 100),
])
def test_unsatisfiable_or_malformed_ranges(header, size):
    with pytest.raises(RangeNotSatisfiable) as info:
        parse_range(header, size)
    assert info.value.status == 416
    assert info.value.detail == f"Invalid request range (Range:'{header}')"


@pytest.mark.parametrize("name,expected", [
    ("a.png", "image/png"), ("A.PNG", "image/png"), ("a.jpg", "image/jpeg"), ("a.JPE", "image/jpeg"),
    ("a.webp", "image/webp"), ("a.avif", "image/avif"), ("a.gif", "image/gif"), ("a.bmp", "image/bmp"),
    ("a.mp4", "video/mp4"), ("a.webm", "video/webm"), ("a.mkv", "video/x-matroska"), ("a.mov", "video/quicktime"),
    ("a.ts", "video/mp2t"), ("a.mp3", "audio/mpeg"), ("a.txt", "text/plain; charset=utf-8"),
    ("a.json", "application/json"), ("a.html", "text/html; charset=utf-8"), ("noext", "application/octet-stream"),
    ("a.unknownext", "application/octet-stream"),
])
def test_media_types_do_not_depend_on_the_machine(name, expected):
    assert guess_media_type(os.path.join("/x", name)) == expected


def test_etag_matching_is_weak_and_tolerant():
    tag = '"abc-12"'
    assert etag_matches('"abc-12"', tag)
    assert etag_matches('W/"abc-12"', tag)
    assert etag_matches('"zzz", "abc-12"', tag)
    assert etag_matches("abc-12", tag)  # unquoted, as older servers sent them
    assert etag_matches("*", tag)
    assert not etag_matches('"abc-13"', tag)
    assert not etag_matches("", tag) and not etag_matches(None, tag)


def test_if_modified_since_and_precedence():
    mtime = 1_700_000_000.7
    same = {"if-modified-since": http_date(mtime)}
    assert is_not_modified(same, '"t"', mtime)
    assert is_not_modified({"if-modified-since": http_date(mtime + 3600)}, '"t"', mtime)
    assert not is_not_modified({"if-modified-since": http_date(mtime - 3600)}, '"t"', mtime)
    assert not is_not_modified({"if-modified-since": "not a date"}, '"t"', mtime)
    # If-None-Match wins over If-Modified-Since.
    assert not is_not_modified({"if-none-match": '"other"', **same}, '"t"', mtime)
    assert is_not_modified({"if-none-match": '"t"'}, '"t"', mtime)


def test_http_date_is_real_gmt():
    text = http_date(0)
    assert text == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert email.utils.parsedate_to_datetime(http_date(1_700_000_000)).timestamp() == 1_700_000_000


def test_content_disposition_is_percent_encoded_utf8():
    assert content_disposition("a b.png") == "attachment; filename*=UTF-8''a%20b.png"
    assert content_disposition("猫.png") == "attachment; filename*=UTF-8''%E7%8C%AB.png"
    assert "\n" not in content_disposition("a\r\nSet-Cookie: x=1")
