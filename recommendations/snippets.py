"""The searched words in context: for a result of a free-text search, a fragment of its
text (or of its source excerpt) around the first match, the matches marked.

The words marked are those the search matched (``RecommendationQuerySet.search``):
on PostgreSQL, English full-text search, so the words of the text whose Snowball
stem is the stem of a word searched for ("hospital" marks "hospitals"), leaving out
stop words and words negated with "-"; elsewhere, a case-insensitive substring match of
the whole search. Plain Python on rows already read: no query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# A fragment is about this many words, this many of them before the first match.
WINDOW = 20
BEFORE = 6

# A word as PostgreSQL's parser reads one (letters and digits), and a token of the
# search (a quoted phrase, possibly negated, or a run of non-spaces).
WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'-?"[^"]*"?|\S+')
SPACED = re.compile(r"\S+")

# PostgreSQL's English stop words (tsearch_data/english.stop), never searched for.
_STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


@dataclass(frozen=True)
class Snippet:
    """``html``: the fragment, escaped, with ``<mark>`` around each match;
    ``in_excerpt``: whether it comes from the source excerpt rather than the text."""

    html: SafeString
    in_excerpt: bool


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    # The words of a page repeat: each is stemmed once.
    return _STEMMER.stemWord(word.lower())


def search_stems(search: str) -> frozenset[str]:
    """The stems a PostgreSQL ``websearch`` search for ``search`` looks for."""
    stems = set()
    for token in TOKEN.findall(search):
        if token.startswith("-"):
            continue
        for word in WORD.findall(token):
            if word.lower() not in STOP_WORDS:
                stems.add(_stem(word))
    return frozenset(stems)


def full_text_spans(text: str, stems: frozenset[str]) -> list[tuple[int, int]]:
    """Where the words of ``text`` whose stem is one of ``stems`` are."""
    return [m.span() for m in WORD.finditer(text) if _stem(m.group()) in stems]


def substring_spans(text: str, search: str) -> list[tuple[int, int]]:
    """Where ``search`` is found in ``text``, in any case."""
    return [m.span() for m in re.finditer(re.escape(search), text, re.IGNORECASE)]


def fragment(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """About ``WINDOW`` words of ``text`` around the first of ``spans`` (not empty),
    with an ellipsis where it is cut, every span inside marked, every character of
    ``text`` escaped."""
    words = list(SPACED.finditer(text))
    first = next(i for i, word in enumerate(words) if word.end() > spans[0][0])
    start = max(0, first - BEFORE)
    end = min(len(words), start + WINDOW)
    start = max(0, end - WINDOW)
    begin, finish = words[start].start(), words[end - 1].end()
    parts: list[str] = ["… "] if start > 0 else []
    position = begin
    for span_start, span_end in spans:
        if span_start < position or span_start >= finish:
            continue
        span_end = min(span_end, finish)
        parts.append(text[position:span_start])
        parts.append(format_html("<mark>{}</mark>", text[span_start:span_end]))
        position = span_end
    parts.append(text[position:finish])
    if end < len(words):
        parts.append(" …")
    # Each part is escaped unless it is one of the marks built above.
    return format_html_join("", "{}", ((part,) for part in parts))


def snippet_for(item, search: str, *, full_text: bool | None = None) -> Snippet | None:
    """The snippet of ``item`` (a recommendation) for the search ``search``: from its
    text when a match is there, else from its source excerpt; None when the search
    matched neither (it matched the code or the speaker's name). ``full_text`` defaults
    to what the database searches with. No query."""
    if full_text is None:
        full_text = connection.vendor == "postgresql"
    stems = search_stems(search) if full_text else None
    for text, in_excerpt in ((item.text, False), (item.source_excerpt, True)):
        text = text or ""
        spans = substring_spans(text, search) if stems is None else full_text_spans(text, stems)
        if spans:
            return Snippet(fragment(text, spans), in_excerpt)
    return None
