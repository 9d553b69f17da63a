"""``key=value`` log lines (logfmt), safe against values that would break or forge them."""

import json
import re

_NEEDS_QUOTES = re.compile(r'[\s"=\\]|[\x00-\x1f\x7f]')


def _logfmt_value(value) -> str:
    text = str(value)
    if text == "" or _NEEDS_QUOTES.search(text):
        # JSON string escaping: quotes, backslashes and control characters (a
        # "%0A" in a path) cannot break the line or forge another field.
        return json.dumps(text, ensure_ascii=False)
    return text


def logfmt(**fields) -> str:
    """``key=value key="quoted value"``: one line, parseable by logfmt tools."""
    return " ".join(f"{key}={_logfmt_value(value)}" for key, value in fields.items())
