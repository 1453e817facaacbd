"""HTTP/1.x heads for ``kg serve``: a request's read (by the guard), an answer's written (by guard or engine).

The standard library's ``BaseHTTPRequestHandler`` hands the header block to the
``email`` package, which took about a third of the guard's Python time per
request. This reads the same block with the same limits (a line of at most
64 KiB, at most 100 fields) into a plain dict, and is stricter where
ambiguity could be abused: a field name that is not a token (a space before
its colon, say), a line without a colon, and two different ``Content-Length``
(or ``Transfer-Encoding``) values are refused.

>>> import io
>>> request_line("POST /query HTTP/1.1")
('POST', '/query', 'HTTP/1.1', (1, 1))
>>> h = read_headers(io.BytesIO(b"Content-Type: text/csv\\r\\nACCEPT: a,\\r\\n b\\r\\n\\r\\nbody"))
>>> h.get("content-type"), h.get("Accept"), h.get("Authorization", "")
('text/csv', 'a, b', '')
>>> response_head(200, "text/csv", 3, {"Vary": "Accept"}, date="D").decode().splitlines()[::3]
['HTTP/1.1 200 OK', 'Content-Type: text/csv', 'Vary: Accept']
"""

from __future__ import annotations

import re
import time
from email.utils import formatdate
from http import HTTPStatus

#: The ``Server`` header of every answer.
SERVER_NAME = "kg-serve"
#: The extra header fields of a query's answer (it depends on ``Accept``).
QUERY_HEADERS = {"Vary": "Accept"}


def answer_type(mime: str) -> str:
    """The ``Content-Type`` of a query's answer: text types say they are UTF-8.

    >>> answer_type("text/csv"), answer_type("application/sparql-results+json")
    ('text/csv; charset=utf-8', 'application/sparql-results+json')
    """
    return mime + "; charset=utf-8" if mime.startswith("text/") else mime

#: The longest request line or header line accepted (the standard library's limit).
MAX_LINE = 65536
#: The most header fields accepted (the standard library's limit).
MAX_FIELDS = 100
# A field name is an RFC 9110 token: no spaces, no separators.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Fields that must not come twice with different values: two framings would let two
# readers of one stream disagree on where the body ends (request smuggling).
_SINGLE = frozenset({"content-length", "transfer-encoding"})


class HeadError(Exception):
    """A request head that cannot be served; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class Headers(dict):
    """Header fields by lower-case name; :meth:`get` takes a name in any case.

    >>> Headers({"accept": "text/csv"}).get("Accept")
    'text/csv'
    """

    def get(self, name: str, default=None):
        return dict.get(self, name.lower(), default)


def request_line(line: str) -> tuple[str, str, str, tuple[int, int]]:
    """Split ``METHOD TARGET HTTP/x.y`` (the line without its CRLF).

    Returns:
        ``(method, target, version, (major, minor))``; a target starting with
        ``//`` is reduced to one ``/`` (it would read as a host to a client).

    Raises:
        HeadError: 400 for anything but three words ending in ``HTTP/digits.digits``
            (HTTP/0.9's two-word form included); 505 for HTTP/2 and later.

    >>> request_line("GET //x HTTP/1.0")[1]
    '/x'
    >>> request_line("GET / HTTP/2.0")
    Traceback (most recent call last):
    kg.serving.httphead.HeadError: HTTP/2.0 is not supported; use HTTP/1.1
    """
    words = line.split()
    if len(words) != 3:
        raise HeadError(400, f"bad request line: {line[:200]!r}")
    method, target, version = words
    major, dot, minor = version[5:].partition(".")
    if not (version.startswith("HTTP/") and dot and major.isdigit() and minor.isdigit()
            and len(major) <= 10 and len(minor) <= 10):
        raise HeadError(400, f"bad HTTP version: {version[:50]!r}")
    number = (int(major), int(minor))
    if number >= (2, 0):
        raise HeadError(505, f"{version} is not supported; use HTTP/1.1")
    if target.startswith("//"):
        target = "/" + target.lstrip("/")
    return method, target, version, number


def read_headers(rfile) -> Headers:
    """Read header lines from ``rfile`` up to the empty line that ends them.

    A line that starts with a space or tab continues the previous field
    (obsolete folding); a field that comes twice keeps its first value.

    Raises:
        HeadError: 431 for a line over :data:`MAX_LINE` or more than
            :data:`MAX_FIELDS` fields; 400 for a malformed line or two different
            ``Content-Length`` or ``Transfer-Encoding`` values.
    """
    headers, last = Headers(), None  # last: the field a continuation extends ("" when it is ignored)
    for _ in range(MAX_FIELDS + 1):
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise HeadError(431, "a header line is too long")
        if line in (b"\r\n", b"\n", b""):
            return headers
        text = line.decode("latin-1")
        if text[0] in " \t":
            if last is None:
                raise HeadError(400, "the first header line is a continuation")
            if last:
                headers[last] = f"{headers[last]} {text.strip()}".strip()
            continue
        name, colon, value = text.partition(":")
        if not colon or not _TOKEN.fullmatch(name):
            raise HeadError(400, f"malformed header line: {text.strip()[:100]!r}")
        key, value = name.lower(), value.strip()
        if key in headers:
            if key in _SINGLE and headers[key] != value:
                raise HeadError(400, f"two different {name} headers")
            last = ""  # the first value is kept whole: a continuation of the repeat is dropped too
            continue
        headers[key], last = value, key
    raise HeadError(431, f"more than {MAX_FIELDS} header fields")


_DATE: list = [(None, "")]  # the last Date header, (second, text); replaced whole, so threads never see half


def http_date() -> str:
    """The ``Date`` header for now, formatted once per second rather than once per answer."""
    now = int(time.time())
    second, text = _DATE[0]
    if now != second:
        text = formatdate(now, usegmt=True)
        _DATE[0] = (now, text)
    return text


def response_head(status: int, ctype: str, length: int, headers: dict | None = None, *, cors: bool = False,
                  close: bool = False, date: str | None = None) -> bytes:
    """The status line and header fields of an answer, ending with the empty line.

    Args:
        status: the HTTP status.
        ctype: the ``Content-Type``.
        length: the ``Content-Length`` (the body's, also for a HEAD answer).
        headers: more fields (constants of kg's, never user input).
        cors: add ``Access-Control-Allow-Origin: *``.
        close: add ``Connection: close``.
        date: the ``Date`` value; now by default.
    """
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    head = [f"HTTP/1.1 {status} {phrase}", f"Server: {SERVER_NAME}", f"Date: {date or http_date()}",
            f"Content-Type: {ctype}", f"Content-Length: {length}", "X-Content-Type-Options: nosniff"]
    if cors:
        head.append("Access-Control-Allow-Origin: *")
    if headers:
        head += [f"{k}: {v}" for k, v in headers.items()]
    if close:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
