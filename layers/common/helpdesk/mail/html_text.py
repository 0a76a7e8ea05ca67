"""HTML mail bodies as readable plain text, for mail that comes without a text/plain part.

Built on the standard library's tolerant `html.parser`: markup is never taken apart with regular
expressions. The output keeps what a support operator needs: paragraphs and line breaks, list items,
where links point, and quoted history (<blockquote>) marked with "> " as a plain-text client would.
"""

from __future__ import annotations

from html.parser import HTMLParser

# Whose text is never shown. <head> itself is not listed: its only text-bearing children are these,
# and skipping them (not the whole <head>) keeps the body of a mail whose </head> is missing.
_HIDDEN = frozenset({"script", "style", "title", "template"})
# Blocks set apart by a blank line, and blocks that only start a new line.
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "pre", "blockquote"}
)
_LINES = frozenset(
    {
        "div", "li", "tr", "dt", "dd", "hr", "section", "article", "header", "footer", "address", "nav",
        "aside", "main", "form", "fieldset", "figure", "figcaption", "caption", "details", "summary",
        "center", "body",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
# Links worth showing next to their text; others (javascript:, data:, cid:, #anchors) are noise.
_SHOWN_SCHEMES = ("http://", "https://", "mailto:")


def html_to_text(markup: str) -> str:
    writer = _TextWriter()
    try:
        writer.feed(markup)
        writer.close()
    except AssertionError:  # html.parser still asserts on some malformed declarations ("<![ x")
        pass  # keep the text read so far: the rest of such markup is not readable anyway
    return writer.text()


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._pieces: list[str] = []  # the line being written
        self._hidden: list[str] = []  # open elements whose text is not shown
        self._quote_depth = 0
        self._pre_depth = 0
        self._link: tuple[str, list[str]] | None = None  # (href, text so far) of the open <a>

    def text(self) -> str:
        """The text written so far, with runs of blank lines (<br><br>, empty <p>s) made one."""
        self._end_line()
        lines: list[str] = []
        for line in self._lines:
            if not _is_blank(line) or (lines and not _is_blank(lines[-1])):
                lines.append(line)
        while lines and _is_blank(lines[-1]):
            lines.pop()
        return "\n".join(lines)

    # ---------------------------------------------------------------- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden.append(tag)
        if self._hidden:
            return
        if tag == "br":
            self._end_line(keep_empty=True)
        elif tag == "li":
            self._end_line()
            self._pieces.append("- ")
        elif tag in _PARAGRAPHS:
            self._end_paragraph()
            if tag == "blockquote":
                self._quote_depth += 1
            if tag == "pre":
                self._pre_depth += 1
        elif tag in _LINES:
            self._end_line()
        elif tag in _CELLS:
            self._pieces.append(" ")
        elif tag == "a":
            self._close_link()
            self._link = (dict(attrs).get("href") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag in self._hidden:
            while self._hidden.pop() != tag:  # also closes what was left open inside it
                pass
            return
        if self._hidden:
            return
        if tag == "blockquote" and self._quote_depth:
            self._end_line()
            self._quote_depth -= 1
            self._end_paragraph()
        elif tag in _PARAGRAPHS:
            self._end_paragraph()
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in _LINES:
            self._end_line()
        elif tag == "a":
            self._close_link()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._link is not None:
            self._link[1].append(data)
        if not self._pre_depth:
            self._pieces.append(data)
            return
        first, *rest = data.split("\n")
        self._pieces.append(first)
        for line in rest:
            self._end_line(keep_empty=True)
            self._pieces.append(line)

    # ---------------------------------------------------------------- output
    def _close_link(self) -> None:
        if self._link is not None:
            href, text = self._link
            self._link = None
            self._pieces.append(_link_suffix(href, "".join(text)))

    def _end_line(self, *, keep_empty: bool = False) -> None:
        raw = "".join(self._pieces)
        self._pieces.clear()
        # Outside <pre>, runs of white space (&nbsp; included) are one space, as a browser shows them.
        text = raw.rstrip() if self._pre_depth else " ".join(raw.split())
        if text or keep_empty:
            self._lines.append(("> " * self._quote_depth + text).rstrip())

    def _end_paragraph(self) -> None:
        self._end_line()
        separator = ("> " * self._quote_depth).rstrip()
        if self._lines and _is_blank(self._lines[-1]):
            # One gap between levels, drawn at the outer one ("" rather than ">").
            self._lines[-1] = min(self._lines[-1], separator, key=len)
        elif self._lines:
            self._lines.append(separator)


def _is_blank(line: str) -> bool:
    return not line.strip("> ")


def _link_suffix(href: str, text: str) -> str:
    """ " (url)" after a link's text, unless the text already says where it goes."""
    url = href.strip()
    if not text.strip() or not url.lower().startswith(_SHOWN_SCHEMES):
        return ""
    return "" if _bare(url) == _bare(text) else f" ({url})"


def _bare(url: str) -> str:
    text = url.strip().lower()
    for scheme in _SHOWN_SCHEMES:
        text = text.removeprefix(scheme)
    return text.rstrip("/")
