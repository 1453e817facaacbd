"""Limits on input, checked before a parser sees it, so every reader runs in linear time and bounded memory.

Parsers are fast on ordinary input but some inputs make them slow,
memory-hungry or crash outright (measured with pyoxigraph 0.5.13): RDF/XML
entities are expanded without a limit ("billion laughs"), JSON-LD and RDF/XML
take time quadratic in the nesting depth, deeply nested RDF 1.2 triple terms
overflow the stack, PyYAML and ``json`` raise ``RecursionError``, and a
"file" that is a FIFO or ``/dev/zero`` never ends. The functions here refuse
such inputs up front with a :class:`kg.errors.ParseError` (or the error class
the caller names) that says which limit was hit.

>>> max_bracket_depth('{"a": [1, {"b": "[[["}]}')
3
>>> entity_expansion({"a": "xx", "b": "&a;&a;"}, {"b": 3})
12
"""

from __future__ import annotations

import os
import re
import stat

from kg.errors import KgError, ParseError

#: Largest RDF document parsed in memory (bigger Turtle/N-Triples/N-Quads/TriG
#: files take the streaming bulk path of :mod:`kg.ingest.bulk` on disk stores).
MAX_RDF_BYTES = 256 * 1024 * 1024
#: Largest mapping file (a mapping is a few dozen lines).
MAX_MAPPING_BYTES = 1024 * 1024
#: Longest CSV line (a row, with quoted newlines) and longest cell.
MAX_LINE_BYTES = 1024 * 1024
#: Deepest nesting of JSON arrays and objects (JSON-LD, JSON Lines) and of YAML collections.
MAX_JSON_DEPTH = 32
#: Deepest nesting of XML elements (RDF/XML: two elements per level of nested description).
MAX_XML_DEPTH = 64
#: Deepest nesting of RDF 1.2 triple terms (``<<( … )>>``) in Turtle-family text.
MAX_TRIPLE_TERM_DEPTH = 16
#: Most text that XML entity references may add, beyond the document's own size.
MAX_ENTITY_EXPANSION = 16 * 1024 * 1024
#: Most YAML aliases (``*name``) in one mapping file.
MAX_YAML_ALIASES = 100

_ENTITY_REF = re.compile(r"&([A-Za-z_:][\w.:-]*);")


def open_regular(path, error=ParseError):
    """Open a file for binary reading, refusing anything that is not a regular file.

    A FIFO is opened without blocking, so the check itself cannot hang; a
    symlink is followed, so a link to ``/dev/zero`` is refused as the device
    it is.

    Args:
        path: the file.
        error: the :class:`KgError` subclass to raise; called as
            ``error(path, reason)`` for :class:`ParseError`, ``error(message)`` otherwise.

    Returns:
        A binary file object (the caller closes it).

    Raises:
        KgError: the path is missing, unreadable, a directory, FIFO, socket or device.

    >>> open_regular("/dev/null")
    Traceback (most recent call last):
    ...
    kg.errors.ParseError: /dev/null: not a regular file (a character device); kg reads only regular files
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _error(error, path, exc.strerror or str(exc)) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise _error(error, path, f"not a regular file ({_kind(st.st_mode)}); kg reads only regular files")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def _error(error, path, reason: str) -> KgError:
    return error(str(path), reason) if issubclass(error, ParseError) else error(f"{path}: {reason}")


def read_limited(path, limit: int, what: str, error=ParseError) -> bytes:
    """The bytes of a regular file, refusing one larger than ``limit`` (without reading past it).

    Raises:
        KgError: not a regular file (see :func:`open_regular`) or too large.
    """
    with open_regular(path, error) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _error(error, path, f"the file is over the {_size(limit)} limit for {what}")
    return data


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


def max_bracket_depth(text: str | bytes) -> int:
    """The nesting depth of ``[]`` and ``{}`` in JSON text; brackets inside strings do not count.

    Vectorised with numpy (a few passes over the bytes), so a 100 MB document
    takes a fraction of a second. Escaped backslashes and quotes are removed
    first; then every byte after an odd number of quotes is inside a string.
    """
    import numpy as np

    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    if not data:
        return 0
    b = np.frombuffer(data, dtype=np.uint8)
    inside = np.bitwise_xor.accumulate((b == ord('"')).view(np.uint8)).view(bool)
    opens = ((b == ord("[")) | (b == ord("{"))) & ~inside
    closes = ((b == ord("]")) | (b == ord("}"))) & ~inside
    steps = opens.view(np.int8) - closes.view(np.int8)
    return int(np.cumsum(steps, dtype=np.int32).max())


def check_json_depth(text: str | bytes, where: str, error=ParseError, line: int | None = None) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH`.

    Raises:
        KgError: too deep; the message names ``where`` (and ``line``).
    """
    if max_bracket_depth(text) > MAX_JSON_DEPTH:
        reason = f"JSON nested more than {MAX_JSON_DEPTH} levels deep"
        if issubclass(error, ParseError):
            raise error(where, reason, line)
        raise error(f"{where}:{line}: {reason}" if line else f"{where}: {reason}")


def entity_expansion(declared: dict[str, str], counts: dict[str, int]) -> int:
    """How many characters the entity references would expand to, with nested references.

    Args:
        declared: entity name → replacement text (references unexpanded).
        counts: entity name → number of references in the document.

    Returns:
        The total expanded length; a reference cycle counts as unbounded.
    """
    sizes: dict[str, int] = {}
    unbounded = MAX_ENTITY_EXPANSION * 1024

    def size(name: str, active: frozenset) -> int:
        if name in sizes:
            return sizes[name]
        if name in active or name not in declared:
            return unbounded if name in active else 0
        value = declared[name]
        total = len(_ENTITY_REF.sub("", value))
        for ref in _ENTITY_REF.findall(value):
            total += size(ref, active | {name})
            if total >= unbounded:
                break
        sizes[name] = min(total, unbounded)
        return sizes[name]

    return sum(n * size(name, frozenset()) for name, n in counts.items() if name in declared)


def check_xml(data: bytes, where: str) -> None:
    """Refuse RDF/XML with unbounded entity expansion, external entities or deep nesting.

    Internal entities (``<!ENTITY owl "http://…#">``, as ontology editors
    write) are allowed while everything they expand to stays within
    :data:`MAX_ENTITY_EXPANSION` (plus the document's size). The scan uses
    expat with entity expansion turned off; if expat finds the document not
    well-formed, the RDF/XML parser reports that afterwards.

    Raises:
        ParseError: too much expansion, an external or parameter entity, or
            elements nested deeper than :data:`MAX_XML_DEPTH`.
    """
    import pyexpat

    declared: dict[str, str] = {}
    depth = [0]

    def entity(name, is_parameter, value, _base, system_id, public_id, _notation):
        if is_parameter or system_id or public_id or value is None:
            raise ParseError(where, f"the DOCTYPE declares an external or parameter entity ({name}); not supported")
        declared[name] = value

    def start(_name, _attrs):
        depth[0] += 1
        if depth[0] > MAX_XML_DEPTH:
            raise ParseError(where, f"XML elements nested more than {MAX_XML_DEPTH} levels deep",
                             parser.CurrentLineNumber)

    def end(_name):
        depth[0] -= 1

    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.DefaultHandler = _ignore  # set, so that entity references in text are not expanded
    parser.CharacterDataHandler = _ignore
    parser.buffer_text = True
    if b"<!ENTITY" in data:
        text = data.decode("utf-8", "replace")
        counts: dict[str, int] = {}
        for name in _ENTITY_REF.findall(text):
            counts[name] = counts.get(name, 0) + 1
        _scan(parser, data, where)
        if entity_expansion(declared, counts) > MAX_ENTITY_EXPANSION + len(data):
            raise ParseError(where, f"XML entities would expand to over {_size(MAX_ENTITY_EXPANSION)} "
                                    "(an entity expansion attack?); not loaded")
        return
    _scan(parser, data, where)


def _ignore(*_args) -> None:
    return None


def _scan(parser, data: bytes, where: str) -> None:
    import pyexpat

    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as exc:
        if "amplification" in str(exc):
            raise ParseError(where, "XML entities expand too much (an entity expansion attack?); not loaded",
                             exc.lineno) from None
        # Not well-formed: the RDF/XML parser gives its own message.


def max_triple_term_depth(data: bytes, stop: int = MAX_TRIPLE_TERM_DEPTH + 1, start: int = 0) -> tuple[int, int]:
    """The deepest nesting of ``<<`` … ``>>`` in Turtle-family text, and the depth at its end.

    Strings are not skipped, so this is an upper bound. Counting stops at ``stop``.

    Args:
        data: the text (or one chunk of it).
        stop: stop counting at this depth.
        start: the depth at the start of ``data`` (the previous chunk's end depth).

    >>> max_triple_term_depth(b"<a> <b> <<( <c> <d> <<( <e> <f> <g> )>> )>> .")
    (2, 0)
    """
    if b"<<" not in data and b">>" not in data:
        return start, start
    depth = top = start
    for m in re.finditer(rb"<<|>>", data):
        depth = depth + 1 if m[0] == b"<<" else max(0, depth - 1)
        top = max(top, depth)
        if top >= stop:
            break
    return top, depth


def check_rdf_text(data: bytes, fmt_name: str, where: str) -> None:
    """Check an RDF document against the limits of its format before parsing it.

    Args:
        data: the document.
        fmt_name: the ``pyoxigraph.RdfFormat`` name (``Turtle``, ``RDF/XML``, ``JSON-LD`` …).
        where: the file, for messages.

    Raises:
        ParseError: a limit is exceeded; says which.
    """
    if fmt_name == "RDF/XML":
        check_xml(data, where)
    elif fmt_name.startswith("JSON-LD"):
        check_json_depth(data, where)
    elif max_triple_term_depth(data)[0] > MAX_TRIPLE_TERM_DEPTH:
        raise ParseError(where, f"RDF 1.2 triple terms nested more than {MAX_TRIPLE_TERM_DEPTH} levels deep")
