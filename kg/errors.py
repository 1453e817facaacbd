"""The exceptions kg raises. Every one derives from :class:`KgError`.

The CLI turns any ``KgError`` into a one-line message and a non-zero exit code,
so messages are written for a person: they name the file, the line and the
reason, and suggest what to do next where that is possible.

>>> try:
...     raise UnknownEntityError("Xiaomy", suggestions=["Xiaomi"])
... except KgError as exc:
...     print(exc)
unknown entity 'Xiaomy'; did you mean: Xiaomi?
"""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error kg raises on purpose.

    Attributes:
        exit_code: the process exit status the CLI uses for this error.
    """

    exit_code = 1


class StoreError(KgError):
    """The store cannot be opened, read or written."""


class FormatError(KgError):
    """A format name or file suffix that kg does not know."""


class StoreLockedError(StoreError):
    """Another process holds the store in a way that conflicts with this access."""


class ReadOnlyStoreError(StoreError):
    """A write was attempted on a store opened read-only."""


class ParseError(KgError):
    """An input file cannot be parsed.

    Args:
        path: the file (or a description such as ``"<stdin>"``).
        reason: the parser's own message.
        line: the 1-based line of the problem, when known.
        column: the 1-based column, when known.
    """

    def __init__(self, path: str, reason: str, line: int | None = None, column: int | None = None):
        # One line, whatever the parser quoted (a raw newline in a bad IRI, say).
        reason = reason.replace("\r", "\\r").replace("\n", "\\n")
        self.path, self.reason, self.line, self.column = str(path), reason, line, column
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {reason}")


class ValidationError(KgError):
    """Data does not conform to the SHACL shapes.

    Args:
        violations: one human-readable line per violation.
        source: what was validated, for the message.
    """

    def __init__(self, violations: list[str], source: str = "data"):
        self.violations = list(violations)
        head = f"{source} violates the shapes ({len(self.violations)} violation(s))"
        shown = "; ".join(self.violations[:5])
        more = f"; … and {len(self.violations) - 5} more" if len(self.violations) > 5 else ""
        super().__init__(f"{head}: {shown}{more} (use --force to load anyway)")


class UnknownEntityError(KgError):
    """No entity has the given name or alias.

    Args:
        name: what the user asked for.
        suggestions: the nearest known names, best first.
    """

    def __init__(self, name: str, suggestions: list[str] | None = None):
        self.name = name
        self.suggestions = list(suggestions or [])
        msg = f"unknown entity {name!r}"
        if self.suggestions:
            msg += "; did you mean: " + ", ".join(self.suggestions) + "?"
        else:
            msg += "; try 'kg search' or 'kg entities'"
        super().__init__(msg)


class QueryError(KgError):
    """A SPARQL query or update is invalid or failed.

    Args:
        reason: the parser's or engine's message, with its position when known.
    """


class UnknownQueryError(QueryError):
    """No named query has the given name."""


class ParameterError(QueryError):
    """A query parameter is malformed or missing."""


class NoPathError(KgError):
    """No path joins two entities within the allowed number of hops."""


class AnalysisError(KgError):
    """A graph measure cannot be computed on this graph (for example it does not converge)."""


class ExtractionError(KgError):
    """A text cannot be read or processed for extraction."""


class MappingError(KgError):
    """A tabular mapping is invalid, or a row does not fit it."""


class VizError(KgError):
    """An HTML view cannot be drawn (for example the graph is too large)."""


class ServerError(KgError):
    """The SPARQL server cannot be started or reached."""


class SchemaError(KgError):
    """The schema (``kg/schema.toml``) disagrees with the ontology or is malformed; names the term."""


class JudgementError(KgError):
    """A same-as / not-same judgement that is impossible or contradicts an earlier one."""


class ReplaceRefusedError(KgError):
    """An ingest would replace a reserved graph, or a graph another source loaded, without ``--replace``."""
