"""Measurement 6: the mail parser on real-world mail.

Every message of the shared corpus (`../shared/mail-corpus/`, fixtures of five public mail
projects; provenance in its SOURCES.md; read by path, never copied into the project) goes through
`parse_message`. Counted per message:

- crashes: the parser gave up (an "unparseable" defect: parse_message never raises);
- empty bodies: no text, and of those the ones that lost text, i.e. where a second, independent
  reading (the standard library's compat32 parser, every text part outside attached messages,
  decoded leniently) finds some;
- U+FFFD in the body, subject or sender's name, split by whether the source is at fault: "clean
  source" means every text part and every encoded word of Subject and From decodes strictly under
  its declared charset read as browsers read the label (or, undeclared and raw 8-bit headers, as
  UTF-8 or Windows-1252), so a U+FFFD is ours;
- quote stripping: for the 43 messages of expected-replies.json, whether the text the ticket shows
  starts with the expected reply, contains what it must and lost the quoted history it must.
  Runs of blank lines count as one: the parser collapses them on purpose.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.header import decode_header
from email.message import Message
from pathlib import Path
from typing import Any, TextIO

import webencodings

from bench.report import table
from devstack.template import ROOT
from helpdesk.mail.html_text import html_to_text
from helpdesk.mail.parse import parse_message

CORPUS_ENV = "MAIL_CORPUS"  # where the corpus is, if not beside the repository
DEFAULT_CORPUS = ROOT.parent / "shared" / "mail-corpus"
# Files of the corpus that are not messages: its notes and the expected results.
_NOT_MESSAGES = re.compile(r"(\.md|\.json|_reply_text)$")
_WHITESPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
_WRAP_HEADER = (
    "From: Sender <sender@example.com>\r\nTo: soporte@soporte.netz0.example\r\n"
    "Subject: Re: {name}\r\nDate: Mon, 2 Apr 2012 17:44:00 +0000\r\n"
    "Message-ID: <{name}@corpus.example>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/{subtype}; charset=utf-8\r\n\r\n"
)


def corpus_dir() -> Path:
    return Path(os.environ.get(CORPUS_ENV, str(DEFAULT_CORPUS)))


@dataclass(frozen=True)
class Sample:
    name: str  # "<folder>/<file>", as expected-replies.json names it
    raw: bytes


def samples(corpus: Path) -> Iterator[Sample]:
    """Every message, body-only fixtures wrapped in the minimal header SOURCES.md describes."""
    for path in sorted(p for p in corpus.glob("*/*") if p.is_file()):
        if _NOT_MESSAGES.search(path.name):
            continue
        raw = path.read_bytes()
        subtype = {".txt": "plain", ".html": "html"}.get(path.suffix)
        if subtype:
            raw = _WRAP_HEADER.format(name=path.stem, subtype=subtype).encode() + raw
        yield Sample(f"{path.parent.name}/{path.name}", raw)


# ------------------------------------------------------------------------------ independent reading
def _label_decodes(data: bytes, label: str | None) -> bool:
    """Whether `data` decodes strictly as `label` read as browsers read it (undeclared or ASCII:
    as UTF-8 or Windows-1252, which decodes nearly anything)."""
    if label is None or label.strip().lower() in ("us-ascii", "ascii"):
        try:
            return "\ufffd" not in data.decode("utf-8")  # valid UTF-8 is UTF-8
        except UnicodeDecodeError:
            return _decodes(data, "windows-1252")
    encoding = webencodings.lookup(label)
    return encoding is not None and _decodes(data, encoding.codec_info.name)


def _decodes(data: bytes, codec: str) -> bool:
    """Whether `data` decodes strictly as `codec`, to text without U+FFFD (some senders wrote it)."""
    try:
        return "\ufffd" not in data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False


@dataclass
class _Reading:
    text: str = ""
    clean: bool = True  # every text part and encoded word decodes under its charset


def _independent(raw: bytes) -> _Reading:
    reading = _Reading()
    message = message_from_bytes(raw, policy=email_policy.compat32)
    reading.text = "\n".join(_texts(message, reading))
    for value in [*message.get_all("subject", []), *message.get_all("from", [])]:
        for data, charset in _encoded_words(str(value)):
            reading.clean = reading.clean and _label_decodes(data, charset)
    return reading


def _texts(part: Message, reading: _Reading) -> Iterator[str]:
    """The text parts that are the mail's body: not attachments, not inside attached messages
    (those are kept as files, or are a bounce's returned mail)."""
    if part.get_content_maintype() == "message":
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from _texts(child, reading)
    elif part.get_content_maintype() == "text" and not (
        part.get_filename() or part.get_content_disposition() == "attachment"
    ):
        yield _part_text(part, reading)


def _part_text(part: Message, reading: _Reading) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    charset = part.get_content_charset()
    reading.clean = reading.clean and _label_decodes(data, charset)
    text = data.decode("latin-1")  # only whether there are letters matters here
    return html_to_text(text) if part.get_content_subtype() == "html" else text


def _encoded_words(value: str) -> list[tuple[bytes, str | None]]:
    try:
        return [
            (data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape"), charset)
            for data, charset in decode_header(value)
        ]
    except Exception:  # a malformed encoded word: the source is not clean
        return [(b"\xff", "utf-8")]


# ------------------------------------------------------------------------------------ measuring
@dataclass
class CorpusRun:
    corpus: Path
    messages: int = 0
    crashes: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    replacement_clean: list[str] = field(default_factory=list)
    replacement_damaged: list[str] = field(default_factory=list)
    quotes_total: int = 0
    quotes_wrong: dict[str, str] = field(default_factory=dict)


def quote_problem(expected: dict[str, Any], text: str) -> str | None:
    """What is wrong with `text` as the visible reply `expected` describes, or None."""
    gaps, gap = (_WHITESPACE, "") if expected.get("nospace") else (_BLANK_LINES, "\n\n")

    def squeeze(s: str) -> str:
        return gaps.sub(gap, s)

    start = str(expected.get("start", ""))
    if not squeeze(text).startswith(squeeze(start)):
        return f"does not start with {start[:40]!r}: {text[:60]!r}"
    for piece in expected.get("contains", []):
        if squeeze(piece) not in squeeze(text):
            return f"lost {piece[:40]!r}"
    for piece in expected.get("not", []):
        if piece in text:
            return f"kept quoted {piece[:40]!r}"
    lines = {line.strip() for line in text.split("\n")}
    for line in expected.get("not_line", []):
        if line in lines:
            return f"kept quoted line {line!r}"
    return None


def run(corpus: Path | None = None) -> CorpusRun | None:
    corpus = corpus or corpus_dir()
    if not corpus.is_dir():
        return None
    expected: dict[str, dict[str, Any]] = json.loads((corpus / "expected-replies.json").read_text())
    result = CorpusRun(corpus)
    for sample in samples(corpus):
        result.messages += 1
        _measure(sample, result, expected.get(sample.name))
    return result


def _measure(sample: Sample, result: CorpusRun, expected: dict[str, Any] | None) -> None:
    parsed = parse_message(sample.raw)
    if any(defect.startswith("unparseable") for defect in parsed.defects):
        result.crashes.append(sample.name)
    reading = _independent(sample.raw)
    if not parsed.text.strip():
        result.empty.append(sample.name)
        if any(char.isalnum() for char in reading.text):
            result.lost.append(sample.name)
    if "\ufffd" in f"{parsed.full_text}{parsed.subject}{parsed.from_name}":
        (result.replacement_clean if reading.clean else result.replacement_damaged).append(sample.name)
    if expected is not None:
        result.quotes_total += 1
        problem = quote_problem(expected, parsed.text)
        if problem:
            result.quotes_wrong[sample.name] = problem


# ------------------------------------------------------------------------------------ reporting
def report(out: TextIO, result: CorpusRun | None) -> None:
    if result is None:
        print(f"6. Mail corpus: not found at {corpus_dir()} (set {CORPUS_ENV}); skipped\n", file=out)
        return
    right = result.quotes_total - len(result.quotes_wrong)
    share = f" ({right / result.quotes_total:.0%})" if result.quotes_total else ""
    rows = [
        ["messages", str(result.messages), ""],
        ["crashes (the parser gave up)", str(len(result.crashes)), "0"],
        ["empty bodies", str(len(result.empty)), ""],
        ["  of which text was lost", str(len(result.lost)), "0"],
        ["U+FFFD, clean source", str(len(result.replacement_clean)), "0"],
        ["U+FFFD, damaged source", str(len(result.replacement_damaged)), ""],
        ["quote stripping right", f"{right} / {result.quotes_total}{share}", ">= 95%"],
    ]
    listed = {
        "crashed": result.crashes,
        "empty": result.empty,
        "lost text": result.lost,
        "U+FFFD, clean source": result.replacement_clean,
        "U+FFFD, damaged source": result.replacement_damaged,
    }
    notes = [f"{label}: {', '.join(names)}" for label, names in listed.items() if names]
    notes += [f"quotes wrong, {name}: {problem}" for name, problem in sorted(result.quotes_wrong.items())]
    table(
        out,
        f"6. The mail parser on {result.messages} real-world messages",
        ["measure", "count", "target"],
        rows,
        align="lrr",
        notes=[f"corpus: {result.corpus}", *(line for note in notes for line in _wrapped(note))],
    )


def _wrapped(note: str) -> list[str]:
    return textwrap.wrap(note, width=100, subsequent_indent="    ", break_on_hyphens=False)
