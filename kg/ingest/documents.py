"""Documents from files: decoding text, HTML, Markdown and JSON Lines, apart from extraction.

:func:`documents` turns a file, a directory or standard input into
:class:`SourceText` items (one per article) and, where one part of a batch is
bad, :class:`DocumentError` items, so one bad article never loses the others.
Text that was UTF-8 read with the wrong code page ("Orvane¬ís") is repaired as it is
decoded (:func:`repair_mojibake`), and a document that is only a link is read as the headline its
address spells (:func:`link_headline`). Nothing here knows about names or facts.

>>> [d.text for d in documents_from_bytes(b'{"id": "a", "text": "Acme buys Foo"}\\n', "x.jsonl", jsonl=True)]
['Acme buys Foo']
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import ExtractionError

#: Largest text, HTML or Markdown file read (one article), checked before reading.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest JSON Lines file read, checked before reading.
MAX_JSONL_BYTES = 512 * 1024 * 1024
#: Largest single article, in characters, after decoding (checked before any parsing).
MAX_DOC_CHARS = 1024 * 1024
SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}


@dataclass(frozen=True)
class SourceText:
    """One article to read: its id, visible text, title, where it came from and the hash of its bytes."""

    id: str
    text: str
    title: str | None
    source: str
    sha256: str


@dataclass(frozen=True)
class DocumentError:
    """One article of a batch that cannot be read: its id, where it is, and why (one line)."""

    id: str
    source: str
    message: str


def _decode(data: bytes, name: str, encoding: str | None = None) -> str:
    if not data.strip():
        raise ExtractionError(f"{name}: the file is empty; nothing to extract")
    if b"\x00" in data[:8192]:
        raise ExtractionError(f"{name}: looks like a binary file (it contains NUL bytes); give a text, HTML or JSONL file")
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"{name}: not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
            "re-encode it, e.g. iconv -f latin1 -t utf-8"
        ) from None
    except LookupError:
        raise ExtractionError(f"{name}: unknown encoding {encoding!r}") from None
    bad = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\n\r\t\f")
    if bad > 8:
        raise ExtractionError(f"{name}: looks like a binary file ({bad} control characters); give a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded with the wrong code page, once or twice over.

    Copied headlines often carry "Orvane¬ís" or "Europe√¢¬Ä¬ôs" (UTF-8
    read as Mac Roman, Latin-1 or Windows-1252, then saved again). Each run of two or
    more non-ASCII characters is re-encoded with those code pages and read as UTF-8
    while that works; a leftover C1 control is read as Windows-1252. A run that is
    not such a misreading (real accents, Chinese, emoji) fails to re-encode and stays.

    Args:
        text: decoded text.

    Returns:
        The text with the misread runs repaired (unchanged when there are none).

    >>> repair_mojibake("Pellam buys Orvane¬ís Kivu unit; Caf√© Rouge; Zürich")
    'Pellam buys Orvane’s Kivu unit; Café Rouge; Zürich'
    >>> repair_mojibake("HALDEN LABS¬Æ buys Europe√¢¬Ä¬ôs 小米")
    'HALDEN LABS® buys Europe’s 小米'
    """
    if text.isascii():
        return text
    return _NON_ASCII_RUN.sub(lambda m: _unmangle(m.group(0)), text)


_LINK = re.compile(r"(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?::\d+)?(/\S*)", re.I)


def link_headline(text: str) -> str:
    """A document that is only a link, read as the headline its address spells; other text as it is.

    News links often end in the story's headline ("…/netpulse-acquires-virtual-active/"): the last
    part of the path with three words or more, its hyphens as spaces, each word capitalised, a file
    extension and a trailing number dropped.

    >>> link_headline("http://example.com/2011/08/01/quillon-scoops-up-tarsier-labs-12345.html")
    'Quillon Scoops Up Tarsier Labs'
    >>> link_headline("www.pellam.ca"), link_headline("Acme buys Foo")
    ('www.pellam.ca', 'Acme buys Foo')
    """
    m = _LINK.fullmatch(text.strip())
    if m is None:
        return text
    for part in reversed([p for p in m.group(1).split("/") if p]):
        words = [w for w in re.sub(r"\.(?:s?html?|php|aspx?)$", "", part, flags=re.I).split("-") if w]
        while words and words[-1].isdigit():
            words.pop()
        if len(words) >= 3 and all(re.fullmatch(r"[A-Za-z0-9.]+", w) for w in words):
            return " ".join(w[:1].upper() + w[1:] for w in words)
    return text


def readable_text(text: str) -> str:
    """Decoded text as extraction reads it: misread code pages repaired (:func:`repair_mojibake`) and a
    lone link read as its headline (:func:`link_headline`).

    >>> readable_text("https://news.example.com/pellam-buys-driftbox/")
    'Pellam Buys Driftbox'
    """
    return link_headline(repair_mojibake(text))


def _unmangle(run: str) -> str:
    """One run of non-ASCII characters read back through the code pages that garbled it, or itself."""
    out = run
    for _ in range(3):
        for codec in ("mac_roman", "cp1252", "latin-1"):
            try:
                fixed = out.encode(codec).decode("utf-8")
            except UnicodeError:
                continue
            if fixed != out:
                out = fixed
                break
        else:
            break
    if out == run:
        return run
    # a Windows-1252 quote that went through Latin-1 is left as a C1 control (U+0080-U+009F)
    return "".join(c.encode("latin-1").decode("cp1252", errors="ignore") if "\x80" <= c <= "\x9f" else c
                   for c in out)


def html_to_text(html: str) -> tuple[str, str | None]:
    """The visible text of an HTML page, blocks on their own lines, and its title.

    Scripts, styles, templates and comments are dropped, never run.

    >>> html_to_text("<title>T</title><p>Acme buys Foo.</p><script>alert(1)</script><p>Done</p>")
    ('Acme buys Foo.\\nDone', 'T')
    """
    from html.parser import HTMLParser

    blocks = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
              "header", "footer", "blockquote", "title", "ul", "ol", "table", "pre", "hr"}
    hidden = {"script", "style", "noscript", "template", "iframe", "svg", "head", "object", "embed"}

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts, self.skip, self.title, self.in_title = [], 0, [], False

        def handle_starttag(self, tag, attrs):
            if tag in hidden and tag != "head":
                self.skip += 1
            if tag == "title":
                self.in_title = True
            if tag in blocks:
                self.parts.append("\n")

        def handle_endtag(self, tag):
            if tag in hidden and tag != "head" and self.skip:
                self.skip -= 1
            if tag == "title":
                self.in_title = False
            if tag in blocks:
                self.parts.append("\n")

        def handle_data(self, data):
            if self.in_title:
                self.title.append(data)
            elif not self.skip:
                self.parts.append(data)

    p = Parser()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).split("\n")]
    title = " ".join("".join(p.title).split()) or None
    return "\n".join(line for line in lines if line), title



def markdown_to_text(md: str) -> str:
    """Blank out Markdown markup with spaces, so offsets still point into the file.

    >>> markdown_to_text("# Acme buys [Foo](http://x)")
    '  Acme buys  Foo           '
    """
    import re

    def blank(m):
        return " " * len(m.group(0))

    md = re.sub(r"\]\([^)\n]*\)", blank, md)
    md = re.sub(r"!?\[", blank, md)
    md = re.sub(r"(?m)^\s{0,3}(?:#{1,6}|>|[-*+]|\d+\.)\s", blank, md)
    md = re.sub(r"(\*\*|__|`)", blank, md)
    return md



def documents(path, options: dict | None = None):
    """The articles in a file, a directory or ``-`` (standard input).

    Args:
        path: a ``.txt``, ``.md``, ``.html`` or ``.jsonl`` file, a directory of
            them, or ``-`` for standard input (text, or JSONL with ``options["jsonl"]``).
        options: ``jsonl`` (read as JSONL), ``encoding``, ``max_bytes``.

    Yields:
        :class:`SourceText` per article (the visible text of HTML; Markdown with
        its markup blanked out), or :class:`DocumentError` for a bad line of a
        JSONL file or a bad file in a directory.

    Raises:
        ExtractionError: the path itself is missing, empty, binary, not UTF-8
            or over the size limit (checked before reading); names it and says why.
    """
    import sys

    options = options or {}
    limit = int(options.get("max_bytes") or MAX_FILE_BYTES)
    if str(path) == "-":
        data = sys.stdin.buffer.read(MAX_JSONL_BYTES + 1)
        if len(data) > MAX_JSONL_BYTES:
            raise ExtractionError(f"<stdin>: over the {MAX_JSONL_BYTES // 2**20} MB limit; split the input")
        yield from documents_from_bytes(data, "<stdin>", jsonl=bool(options.get("jsonl")),
                                        encoding=options.get("encoding"), limit=limit, stem="stdin")
        return
    path = Path(path)
    if path.is_dir():
        yield from _directory(path, options)
        return
    if not path.is_file():
        raise ExtractionError(f"{path}: no such file")
    jsonl = bool(options.get("jsonl")) or path.suffix.lower() == ".jsonl"
    size = path.stat().st_size
    cap = MAX_JSONL_BYTES if jsonl else limit
    if size > cap:
        raise ExtractionError(
            f"{path}: the file is {size / 2**20:.1f} MB, over the {cap / 2**20:.0f} MB limit for "
            f"{'a JSON Lines file' if jsonl else 'one news text'}; split it, or give one article per line as JSONL")
    with open(path, "rb") as fh:
        data = fh.read(cap + 1)  # a file that grows while read is cut, not read forever
    yield from documents_from_bytes(data, str(path), jsonl=jsonl, encoding=options.get("encoding"), limit=cap,
                                    stem=path.stem, suffix=path.suffix.lower())


def _directory(path: Path, options: dict):
    root = path.resolve()
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink() and p.suffix.lower() in SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(path).parts)
                   and p.resolve().is_relative_to(root))
    if not files:
        raise ExtractionError(f"{path}: no .txt, .md, .html or .jsonl files in this directory")
    for f in files:
        try:
            yield from documents(f, options)
        except ExtractionError as exc:
            yield DocumentError(f.stem, str(f), str(exc))


def documents_from_bytes(data: bytes, name: str, *, jsonl: bool = False, encoding: str | None = None,
                         limit: int = MAX_FILE_BYTES, stem: str = "doc", suffix: str = ".txt"):
    """The articles in the bytes of one file (see :func:`documents`); ``name`` is used in messages."""
    if len(data) > limit:
        raise ExtractionError(f"{name}: the text is {len(data) / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB limit")
    text = _decode(data, name, encoding)
    if jsonl:
        yield from _jsonl_documents(text, name)
        return
    sha = hashlib.sha256(data).hexdigest()
    title = None
    if suffix in (".html", ".htm") or (suffix == ".txt" and text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))):
        text, title = html_to_text(text)
        if not text.strip():
            raise ExtractionError(f"{name}: the HTML page has no visible text")
    elif suffix in (".md", ".markdown"):
        text = markdown_to_text(text)
    if len(text) > MAX_DOC_CHARS:
        raise ExtractionError(f"{name}: the article is {len(text):,} characters, over the {MAX_DOC_CHARS:,} "
                              "limit for one article; split it")
    yield SourceText(stem, readable_text(text), title, name, sha)


def _jsonl_documents(text: str, name: str):
    seen: set[str] = set()
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        item = _jsonl_line(line, n, name, seen)
        if isinstance(item, SourceText):
            seen.add(item.id)
        yield item


def _jsonl_line(line: str, n: int, name: str, seen: set):
    """One JSONL line as a :class:`SourceText`, or a :class:`DocumentError` saying what is wrong with it."""
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        return DocumentError(str(n), f"{name}:{n}", f'{name}:{n}: not valid JSON ({why}); each line must be '
                             '{"id": ..., "text": ...}')
    doc = str(obj.get("id", n)) if isinstance(obj, dict) and not isinstance(obj.get("id"), (dict, list)) else str(n)
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return DocumentError(doc, f"{name}:{n}", f'{name}:{n}: each line must be an object with a "text" string')
    if doc in seen:
        return DocumentError(doc, f"{name}:{n}", f"{name}:{n}: duplicate id {doc!r}")
    body = obj["text"]
    if len(body) > MAX_DOC_CHARS:
        return DocumentError(doc, f"{name}:{n}", f"{name}:{n}: the article is over {MAX_DOC_CHARS:,} characters")
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        return DocumentError(doc, f"{name}:{n}", f"{name}:{n}: the text holds a lone surrogate (an invalid \\u escape)")
    title = obj["title"] if isinstance(obj.get("title"), str) else None
    return SourceText(doc, readable_text(body.replace("\r\n", "\n").replace("\r", "\n")), title, f"{name}#{doc}",
                      hashlib.sha256(body.encode("utf-8")).hexdigest())
