"""The few XMP fields that matter for generation info (docs/formats.md, "Where we look").

A regular-expression scan is enough here and tolerates the broken packets
found in the wild better than an XML parser; values are entity-decoded.
"""
from __future__ import annotations

import html
import re
from typing import Dict

_ATTR_OR_ELEMENT = {
    "CreatorTool": "xmp:CreatorTool",
    "DigImageGUID": "iptcExt:DigImageGUID",
    "DigitalSourceType": "iptcExt:DigitalSourceType",
}
_ALT_FIELDS = {"description": "dc:description", "UserComment": "exif:UserComment"}


def _patterns():
    out = []
    for name, qname in _ATTR_OR_ELEMENT.items():
        q = re.escape(qname)
        out.append((name, re.compile(r'%s\s*=\s*"([^"]*)"|<%s(?:\s[^>]*)?>([^<]*)</%s>' % (q, q, q))))
    for name, qname in _ALT_FIELDS.items():
        q = re.escape(qname)
        out.append((name, re.compile(
            r"<%s(?:\s[^>]*)?>\s*(?:<rdf:(?:Alt|Seq|Bag)>\s*<rdf:li(?:\s[^>]*)?>(.*?)</rdf:li>|([^<]*)</%s>)"
            % (q, q), re.S)))
    return out


_PATTERNS = _patterns()


def xmp_fields(packet: str) -> Dict[str, str]:
    """``{"CreatorTool", "description", "UserComment", "DigImageGUID", "DigitalSourceType"}`` subset."""
    out: Dict[str, str] = {}
    if not packet:
        return out
    for name, pat in _PATTERNS:
        m = pat.search(packet)
        if m:
            value = m.group(1) if m.group(1) is not None else m.group(2)
            if value is not None:
                value = html.unescape(value).strip()
                if value:
                    out[name] = value
    return out
