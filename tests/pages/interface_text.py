"""The interface text of a page: what a reader sees or hears, content in English left out.

Text nodes and the attributes read out or shown (``title``, ``aria-label``, ``alt``,
``placeholder``, a button's ``value``), outside ``<script>``, ``<style>``, a ``<textarea>``
(what someone typed) and every element marked ``lang="en"`` (the Chair's Summary's texts,
a language's own name in the switcher), whatever the page's language."""

from html.parser import HTMLParser

SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its text left out
        self.texts: list[str] = []

    def _left_out(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        left_out = (
            self._left_out()
            or tag in ("script", "style", "template", "textarea")
            or (attributes.get("lang") or "").startswith("en")
            and tag != "html"
        )
        if not left_out:
            for name in SHOWN_ATTRIBUTES:
                if attributes.get(name):
                    self.texts.append(attributes[name])
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.texts.append(attributes.get("value") or "")
        if tag not in VOID:
            self.stack.append(left_out)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._left_out() and data.strip():
            self.texts.append(" ".join(data.split()))


def interface_text(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return [text for text in reader.texts if text]
