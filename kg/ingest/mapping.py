"""Declarative mappings of CSV columns to the kg ontology, and the row converter.

A mapping is a small YAML file. It says which deal class a row becomes, which
column fills which role, how dates and amounts are parsed, and how the deal's
IRI is built::

    name: investments
    class: Investment                 # a kg deal class
    roles:
      investor: {column: [investor_name, investor], class: Organization, kind: organization}
      investee: {column: [company_name, startup_name], class: Company, kind: company}
    date:
      column: [funded_at, funded_when]
      formats: ["%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%Y"]
    amount:
      column: [raised_amount_usd, amount_usd]
      currency: USD                   # or currency_column: [price_currency_code]
    iri: "investment/{investor}--{investee}--{date}"

Every ``column`` lists accepted header names (Crunchbase-style exports differ);
the first one present in the file is used. Roles are required unless
``required: false``. A date format that has a day gives ``xsd:date``, one with
a month only ``xsd:gYearMonth``, a bare year ``xsd:gYear``. Amounts that are
empty or 0 mean "undisclosed" and produce no amount node.

Rows are checked here, in Python, against the mapping (required values,
parseable amounts and dates, years within ``min_year``..``max_year``,
duplicates), which is what the SHACL shapes would check, at a fraction of the
cost; batches made this way skip pySHACL.

>>> m = builtin_layout("investments")
>>> conv = RowConverter(m, ["company_name", "investor_name", "funded_at", "raised_amount_usd"], "deals.csv")
>>> fact = conv.convert(["Xpeng", "Xiaomi", "2019", "400000000"], 2)
>>> fact.deal
'https://kg.example.org/id/deal/investedin-xiaomi-xpeng-2019'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from kg.errors import MappingError
from kg.ingest.values import currency_problem
from kg.ontology import ID, KG, RDF, RDFS, XSD, expand, slugify
from kg.schema import amount_iri
from kg.schema import load as load_schema

LAYOUT_DIR = Path(__file__).resolve().parent / "layouts"
LAYOUTS = ("investments", "acquisitions", "people")

_DATE_PROPS = {"date", "startDate", "endDate"}
_DEFAULT_FORMATS = ["%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%Y-%m", "%Y"]
_KEYS = {"name", "description", "class", "roles", "date", "dates", "amount", "fields", "constants", "iri",
         "detect", "min_year", "max_year", "status", "role"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_WS = re.compile(r"\s+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def _valid_iri(text: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _check_iris(mapping) -> None:
    """Raise MappingError for a property or constant of the mapping that makes no valid IRI."""
    props = [expand(f.prop) for f in mapping.fields] + [KG + k for k in mapping.constants]
    props += [KG + v for v in mapping.constants.values()] + [KG + c for r in (mapping.role,) if r for c in r.map.values()]
    props += [f"{ID}{r.kind}/x" for r in mapping.roles] + [f"{ID}deal/" + _PLACEHOLDER.sub("x", mapping.iri)]
    for iri in props:
        if not _valid_iri(iri):
            raise MappingError(f"{mapping.name}: {iri!r} is not a valid IRI")


class RowError(ValueError):
    """A row does not fit the mapping; the message is the reason, for the rejects file."""


@dataclass
class RoleSpec:
    """One role filled by an entity named in a column."""

    name: str
    columns: list[str]
    cls: str = "Organization"
    kind: str = "organization"
    required: bool = True


@dataclass
class DateSpec:
    """A date column parsed with formats into kg:date / kg:startDate / kg:endDate."""

    prop: str
    columns: list[str]
    formats: list[str]
    required: bool = False


@dataclass
class AmountSpec:
    """A money column, with a fixed currency or a currency column."""

    columns: list[str]
    currency: str | None = "USD"
    currency_columns: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class FieldSpec:
    """A plain literal (``xsd:string``) or IRI value copied from a column onto the deal or its evidence."""

    prop: str
    columns: list[str]
    on: str = "deal"  # "deal" or "evidence" (the YAML key is ``at``: YAML reads ``on`` as true)
    iri: bool = False
    required: bool = False


@dataclass
class TitleSpec:
    """A job title column turned into ``kg:role`` concepts (positions).

    ``map`` maps lower-case words found in the title to kg role concepts
    (``founder: Founder``); a title that matches none becomes a concept of its
    own, ``id/concept/<slug>``.
    """

    columns: list[str]
    map: dict[str, str]
    required: bool = False


@dataclass
class Mapping:
    """A validated mapping. Build one with :func:`load_mapping` or :func:`builtin_layout`."""

    name: str
    cls: str
    roles: list[RoleSpec]
    dates: list[DateSpec]
    amount: AmountSpec | None
    fields: list[FieldSpec]
    constants: dict[str, str]
    iri: str
    detect: list[str]
    min_year: int = 1800
    max_year: int = 2099
    status: str | None = None
    role: TitleSpec | None = None


def _columns(value, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(c, str) and c for c in value):
        raise MappingError(f"{where}: 'column' must be a column name or a non-empty list of names")
    return value


def _check_keys(spec, allowed: set, where: str) -> None:
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a mapping of keys, got {type(spec).__name__}")
    unknown = sorted(str(k) for k in set(spec) - allowed)
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _check_format(fmt: str, where: str) -> None:
    if not isinstance(fmt, str) or "%Y" not in fmt and "%y" not in fmt:
        raise MappingError(f"{where}: date format {fmt!r} has no year (%Y or %y)")
    try:
        datetime(2007, 5, 30).strftime(fmt)
    except ValueError as exc:
        raise MappingError(f"{where}: bad date format {fmt!r}: {exc}") from None


def _years(data: dict, origin: str) -> tuple[int, int]:
    """``(min_year, max_year)`` of a mapping, checked: whole numbers within the shapes' range.

    Raises:
        MappingError: not whole numbers, reversed, or outside the shapes' range.
    """
    from kg.ingest.values import MAX_YEAR, MIN_YEAR

    low, high = data.get("min_year", 1800), data.get("max_year", MAX_YEAR)
    for key, value in (("min_year", low), ("max_year", high)):
        if not isinstance(value, int) or isinstance(value, bool) or not MIN_YEAR <= value <= MAX_YEAR:
            raise MappingError(f"{origin}: '{key}' must be a year from {MIN_YEAR} to {MAX_YEAR}, got {value!r}")
    if low > high:
        raise MappingError(f"{origin}: 'min_year' ({low}) is after 'max_year' ({high})")
    return low, high


def _amount_spec(spec, where: str) -> AmountSpec:
    """The ``amount`` section of a mapping, checked.

    Raises:
        MappingError: an unknown key, or a currency that is not an ISO 4217 code.
    """
    _check_keys(spec, {"column", "currency", "currency_column", "required"}, where)
    cur_cols = _columns(spec["currency_column"], where) if spec.get("currency_column") else []
    currency = spec.get("currency", None if cur_cols else "USD")
    if currency is not None and currency_problem(str(currency)):
        raise MappingError(f"{where}: 'currency' must be an ISO 4217 code such as USD, got {currency!r}")
    return AmountSpec(_columns(spec.get("column"), where), currency, cur_cols, bool(spec.get("required")))


def _title_spec(spec, where: str) -> TitleSpec:
    """The ``role`` (job title) section of a mapping, checked.

    Raises:
        MappingError: an unknown key, or a ``map`` that is not a mapping.
    """
    _check_keys(spec, {"column", "map", "required"}, where)
    cmap = spec.get("map") or {}
    _check_keys(cmap, set(cmap), f"{where}.map")
    return TitleSpec(_columns(spec.get("column"), where), {str(k).lower(): str(v) for k, v in cmap.items()},
                     bool(spec.get("required")))


def _role_specs(data: dict, origin: str, schema) -> list:
    """The mapping's ``roles``: each a column filled by an agent of some class."""
    roles = []
    raw_roles = data.get("roles") or {}
    _check_keys(raw_roles, set(raw_roles), f"{origin}: roles")
    if not raw_roles:
        raise MappingError(f"{origin}: 'roles' must map at least one role (e.g. investor) to a column")
    agents = schema.subtypes("Agent") | {"Agent"}  # a role is filled by an agent
    for role, spec in raw_roles.items():
        where = f"{origin}: roles.{role}"
        _check_keys(spec, {"column", "class", "kind", "required"}, where)
        rcls = spec.get("class", "Organization")
        if rcls not in agents:
            raise MappingError(f"{where}: 'class' must be one of {', '.join(sorted(agents))}, got {rcls!r}")
        roles.append(RoleSpec(role, _columns(spec.get("column"), where), rcls,
                              str(spec.get("kind", rcls.lower())), bool(spec.get("required", True))))
    return roles


def _date_specs(data: dict, origin: str) -> list:
    """The mapping's ``date`` or ``dates``: column, property and the formats tried."""
    dates = []
    raw_dates = data.get("dates") or ([data["date"]] if data.get("date") else [])
    for i, spec in enumerate(raw_dates):
        where = f"{origin}: date" if "date" in data else f"{origin}: dates[{i}]"
        _check_keys(spec, {"column", "formats", "property", "required"}, where)
        prop = spec.get("property", "date")
        if prop not in _DATE_PROPS:
            raise MappingError(f"{where}: 'property' must be one of {', '.join(sorted(_DATE_PROPS))}")
        formats = spec.get("formats") or _DEFAULT_FORMATS
        for f in formats:
            _check_format(f, where)
        dates.append(DateSpec(prop, _columns(spec.get("column"), where), list(formats), bool(spec.get("required"))))
    return dates


def _field_specs(data: dict, origin: str) -> list:
    """The mapping's extra ``fields``, on the deal or on the evidence."""
    fields = []
    for i, spec in enumerate(data.get("fields") or []):
        where = f"{origin}: fields[{i}]"
        _check_keys(spec, {"column", "property", "at", "iri", "required"}, where)
        if not spec.get("property"):
            raise MappingError(f"{where}: 'property' is required (a kg property such as quote or purpose)")
        on = spec.get("at", "deal")
        if on not in ("deal", "evidence"):
            raise MappingError(f"{where}: 'at' must be 'deal' or 'evidence'")
        fields.append(FieldSpec(str(spec["property"]), _columns(spec.get("column"), where), on,
                                bool(spec.get("iri")), bool(spec.get("required"))))
    return fields


def parse_mapping(data: dict, origin: str = "mapping") -> Mapping:
    """Validate a mapping given as a dict (the parsed YAML).

    Args:
        data: the mapping.
        origin: where it came from, for messages.

    Returns:
        A :class:`Mapping`.

    Raises:
        MappingError: a key is unknown or missing, a class is not a kg deal
            class, a date format is invalid, or the IRI template names an
            unknown placeholder. The message says which and where.
    """
    _check_keys(data, _KEYS, origin)
    schema = load_schema()
    cls = data.get("class")
    if cls not in schema.deal_class_names:
        raise MappingError(f"{origin}: 'class' must be one of {', '.join(sorted(schema.deal_class_names))}, got {cls!r}")
    roles = _role_specs(data, origin, schema)
    dates = _date_specs(data, origin)
    amount = _amount_spec(data["amount"], f"{origin}: amount") if data.get("amount") else None
    fields = _field_specs(data, origin)
    constants = data.get("constants") or {}
    _check_keys(constants, set(constants), f"{origin}: constants")
    template = data.get("iri") or "{class}/" + "--".join(f"{{{r.name}}}" for r in roles) + (
        f"--{{{dates[0].prop}}}" if dates else "")
    known = {"class", "line", "file", "role", "relation", "year"} | {r.name for r in roles} | {d.prop for d in dates}
    for name in _PLACEHOLDER.findall(template):
        if name not in known:
            raise MappingError(f"{origin}: iri template {template!r} names {{{name}}}; "
                               f"known placeholders: {', '.join(sorted(known))}")
    role = _title_spec(data["role"], f"{origin}: role") if data.get("role") else None
    # A record that states no status is a report of the deal (the shapes require one).
    status = data.get("status", "Reported")
    if status is not None and status not in (s.name for s in schema.statuses):
        raise MappingError(f"{origin}: 'status' must be a kg status such as Completed, got {status!r}")
    detect = data.get("detect") or [r.columns[0] for r in roles if r.required]
    if not isinstance(detect, list) or not all(isinstance(c, str) for c in detect):
        raise MappingError(f"{origin}: 'detect' must be a list of column names")
    years = _years(data, origin)
    return Mapping(
        name=str(data.get("name") or origin), cls=cls, roles=roles, dates=dates, amount=amount, fields=fields,
        constants={str(k): str(v) for k, v in constants.items()}, iri=template, detect=list(detect),
        min_year=years[0], max_year=years[1], status=status,
        role=role,
    )


def load_mapping(path) -> Mapping:
    """Read and validate a YAML mapping file.

    The file must be a regular file of at most
    :data:`kg.ingest.limits.MAX_MAPPING_BYTES`, nested at most
    :data:`kg.ingest.limits.MAX_JSON_DEPTH` deep, with at most
    :data:`kg.ingest.limits.MAX_YAML_ALIASES` aliases.

    Raises:
        MappingError: the file is missing, is not YAML, breaks a limit, or is
            not a valid mapping; the message names the file (and line).
    """
    from kg.ingest.limits import MAX_MAPPING_BYTES, read_limited

    p = Path(path)
    data = read_limited(p, MAX_MAPPING_BYTES, "a mapping", MappingError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MappingError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return parse_mapping(load_yaml(text, str(p)), str(p))
    except (TypeError, ValueError, AttributeError) as exc:
        # A value of the wrong kind deep in the mapping (a list where a name belongs).
        raise MappingError(f"{p}: not a valid mapping: a value has the wrong type ({exc})") from None


def load_yaml(text: str, where: str):
    """Parse YAML safely: plain data only, bounded nesting and aliases.

    Raises:
        MappingError: not YAML, nested too deeply, or too many aliases;
            names ``where`` and the line.

    >>> load_yaml("a: [1, 2]", "m.yaml")
    {'a': [1, 2]}
    >>> load_yaml("a: " + "[" * 100 + "]" * 100, "m.yaml")
    Traceback (most recent call last):
    ...
    kg.errors.MappingError: m.yaml:1: YAML nested more than 32 levels deep
    """
    import yaml

    from kg.ingest.limits import MAX_JSON_DEPTH, MAX_YAML_ALIASES

    class Loader(yaml.SafeLoader):
        depth = aliases = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_YAML_ALIASES:
                    raise MappingError(f"{where}:{self.peek_event().start_mark.line + 1}: "
                                       f"more than {MAX_YAML_ALIASES} YAML aliases")
            self.depth += 1
            if self.depth > MAX_JSON_DEPTH:
                raise MappingError(f"{where}:{self.peek_event().start_mark.line + 1}: "
                                   f"YAML nested more than {MAX_JSON_DEPTH} levels deep")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    loader = None
    try:
        loader = Loader(text)
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{where}:{mark.line + 1}" if mark else where
        why = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise MappingError(f"{at}: not valid YAML: {why}") from None
    except RecursionError:
        raise MappingError(f"{where}: YAML nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def builtin_layout(name: str) -> Mapping:
    """One of the built-in layouts: ``investments``, ``acquisitions`` or ``people``.

    Raises:
        MappingError: no layout has that name.
    """
    if name not in LAYOUTS:
        raise MappingError(f"unknown layout {name!r}; use one of: {', '.join(LAYOUTS)}")
    return load_mapping(LAYOUT_DIR / f"{name}.yaml")


def _header_key(name: str) -> str:
    return _WS.sub("_", name.strip().lower().lstrip("\ufeff"))


def detect_layout(header: list[str]) -> Mapping:
    """Choose the built-in layout whose required columns the header has.

    Raises:
        MappingError: no layout fits (or several do); lists the header.
    """
    keys = {_header_key(h) for h in header}
    fits = []
    for name in LAYOUTS:
        m = builtin_layout(name)
        if all(any(_header_key(c) in keys for c in r.columns) for r in m.roles if r.required):
            fits.append(m)
    if len(fits) == 1:
        return fits[0]
    shown = ", ".join(header[:12]) + (" …" if len(header) > 12 else "")
    if not fits:
        raise MappingError(f"no built-in layout fits the columns ({shown}); "
                           "use --layout investments|acquisitions|people or --mapping FILE")
    raise MappingError(f"several layouts fit the columns ({', '.join(m.name for m in fits)}); choose one with --layout")


def _lit(value: str) -> str:
    """An N-Triples string literal body, escaped."""
    if '"' in value or "\\" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return value


def _precision(fmt: str) -> str:
    if "%d" in fmt or "%j" in fmt:
        return "date"
    if "%m" in fmt or "%b" in fmt or "%B" in fmt:
        return "gYearMonth"
    return "gYear"


@dataclass
class RowFact:
    """One converted row: the deal IRI, its N-Triples lines and the entities it names
    (the ingest derives the deal's edges afterwards, :mod:`kg.ingest.rederive`)."""

    deal: str
    lines: list[str]
    entities: list[tuple[str, str, str, bool]]  # (iri, class, label, new)


class RowConverter:
    """Turns rows of one CSV file into N-Triples lines, checking them against a mapping.

    Args:
        mapping: the :class:`Mapping`.
        header: the file's header row.
        source: the file path (its name becomes the ``kg:Source``).
        resolver: optional ``(name_key, class) -> iri | None`` that finds
            entities already in the store, so names meet across files.
        entities: a dict shared by the converters of one import, so names
            meet across the files of one run.

    Raises:
        MappingError: the header lacks a column the mapping requires.
    """

    def __init__(self, mapping: Mapping, header: list[str], source: str, resolver=None, entities=None):
        from kg.ontology import source_iri

        self.mapping = mapping
        self.resolver = resolver
        index = {}
        for i, h in enumerate(header):
            index.setdefault(_header_key(h), i)
        self.header = header

        def col(columns, required, what):
            for c in columns:
                if _header_key(c) in index:
                    return index[_header_key(c)]
            if required:
                raise MappingError(f"{source}: no column for {what} (looked for {', '.join(columns)}); "
                                   f"the file has: {', '.join(header[:15])}")
            return None

        self.roles = [(r, col(r.columns, r.required, f"role {r.name!r}")) for r in mapping.roles]
        self.dates = [(d, col(d.columns, d.required, f"{d.prop!r}")) for d in mapping.dates]
        a = mapping.amount
        self.amount = (a, col(a.columns, a.required, "the amount"),
                       col(a.currency_columns, False, "the currency") if a.currency_columns else None) if a else None
        self.fields = [(f, col(f.columns, f.required, f"{f.prop!r}")) for f in mapping.fields]
        self.title = (mapping.role, col(mapping.role.columns, mapping.role.required, "the title")) if mapping.role else None
        self.source_name = Path(source).name
        self.source = source_iri(Path(source).stem)
        # evidence_iri(stem, line) of kg.schema, with the prefix made once per file
        self.evidence_base = f"{ID}evidence/{slugify(Path(source).stem)}/"
        self.deal_base = f"{ID}deal/"
        self.cls_slug = slugify(mapping.cls)
        self.file_slug = slugify(Path(self.source_name).stem)
        # The import hands the N-Quads to Oxigraph's loader with IRI checks
        # off (lenient, about 15% faster), so every IRI that comes from the
        # mapping is checked here, once.
        _check_iris(mapping)
        self._date_cache: dict[str, tuple[str, str]] = {}
        self._entities: dict[tuple[str, bool], tuple[str, bool]] = {} if entities is None else entities
        self.seen: dict[str, int] = {}
        self.seen_rows: dict[int, int] = {}
        t, k = f"<{RDF}type>", KG
        self._static = {
            "type": t, "cls": f"<{k}{mapping.cls}>", "evidence": f"<{k}evidence>", "Evidence": f"<{k}Evidence>",
            "source": f"<{k}source>", "line": f"<{k}line>", "amount": f"<{k}amount>", "Money": f"<{k}MonetaryAmount>",
            "value": f"<{k}value>", "currency": f"<{k}currency>", "label": f"<{RDFS}label>",
            "dec": f"<{XSD}decimal>", "int": f"<{XSD}integer>", "status": f"<{k}status>",
        }

    def _name(self, i, columns) -> str:
        return self.header[i] if i is not None else columns[0]

    def header_lines(self) -> list[str]:
        """Lines describing the source file itself (a ``kg:Source``)."""
        s = self._static
        return [f'<{self.source}> {s["type"]} <{KG}Source> .\n',
                f'<{self.source}> <http://purl.org/dc/terms/title> "{_lit(self.source_name)}" .\n',
                f'<{self.source}> <{KG}path> "{_lit(self.source_name)}" .\n']

    def _entity(self, name: str, spec: RoleSpec) -> tuple[str, bool]:
        from kg.resolve import name_key

        key = name_key(name)
        if not key:
            raise RowError(f"{spec.name} {name!r} has no letters or digits")
        # Companies and other organizations share one namespace of names, so an
        # investor in one row and an investee in another meet as one entity.
        group = (key, spec.cls == "Person")
        hit = self._entities.get(group)
        if hit is not None:
            return hit
        iri = self.resolver(key, spec.cls) if self.resolver else None
        hit = (iri, False) if iri else (f"{ID}{spec.kind}/{slugify(key)}", True)
        self._entities[group] = hit
        return hit

    def parse_date(self, text: str, spec: DateSpec) -> tuple[str, str]:
        """Parse a date with the spec's formats, keeping its precision.

        Returns:
            ``(lexical form, xsd datatype local name)``, e.g. ``("2007-05-30", "date")``.

        Raises:
            RowError: no format fits, or the year is outside the mapping's range.
        """
        hit = self._date_cache.get(text)
        if hit is not None:
            return hit
        m = _ISO_DATE.match(text)
        parsed = None
        if m and "%Y-%m-%d" in spec.formats:
            try:
                parsed = (datetime(int(m[1]), int(m[2]), int(m[3])), "date")
            except ValueError:
                raise RowError(f"impossible date {text!r}") from None
        elif _YEAR.match(text) and "%Y" in spec.formats:
            parsed = (datetime(int(text), 1, 1), "gYear")
        else:
            for fmt in spec.formats:
                try:
                    parsed = (datetime.strptime(text, fmt), _precision(fmt))
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise RowError(f"unparseable date {text!r} (formats: {', '.join(spec.formats)})")
        when, precision = parsed
        if not self.mapping.min_year <= when.year <= self.mapping.max_year:
            raise RowError(f"impossible date {text!r}: year {when.year} is outside "
                           f"{self.mapping.min_year}..{self.mapping.max_year}")
        lexical = {"date": f"{when.year:04d}-{when.month:02d}-{when.day:02d}",
                   "gYearMonth": f"{when.year:04d}-{when.month:02d}", "gYear": f"{when.year:04d}"}[precision]
        if len(self._date_cache) < 100_000:
            self._date_cache[text] = (lexical, precision)
        return lexical, precision

    @staticmethod
    def parse_amount(text: str) -> Decimal | None:
        """Parse an amount strictly (see :func:`kg.ingest.values.parse_amount`); empty, ``-`` or 0 mean undisclosed (None).

        Raises:
            RowError: not exactly a valid amount (``"1,5"``, ``1e400``, ``-5``).

        >>> RowConverter.parse_amount("$1,500,000"), RowConverter.parse_amount("0")
        (Decimal('1500000'), None)
        """
        from kg.ingest.values import parse_amount

        try:
            return parse_amount(text)
        except ValueError as exc:
            raise RowError(str(exc)) from None

    def _money(self, cell) -> tuple[Decimal | None, str | None]:
        """The row's amount and currency, strictly parsed; ``(None, None)`` when undisclosed.

        Args:
            cell: ``cell(column index) -> stripped text`` of the row.

        Raises:
            RowError: a missing required amount, an amount that is not exact
                (:func:`kg.ingest.values.parse_amount`), or a currency that is
                not an ISO 4217 code.
        """
        spec, i, ci = self.amount
        text = cell(i)
        if not text and spec.required:
            raise RowError(f"missing amount ({self._name(i, spec.columns)})")
        amount = self.parse_amount(text) if text else None
        if amount is None:
            return None, None
        currency = (cell(ci).upper() if ci is not None else "") or spec.currency
        if not currency:
            raise RowError("missing currency")
        if currency_problem(currency):
            raise RowError(f"bad currency {cell(ci)!r}: not an ISO 4217 code such as USD")
        return amount, currency

    def convert(self, row: list[str], line: int) -> RowFact:
        """Convert one row.

        Args:
            row: the row's cells.
            line: its line number in the file (1 is the header).

        Returns:
            A :class:`RowFact`.

        Raises:
            RowError: the row is bad (missing value, bad amount or date,
                duplicate of an earlier row); the message is the reason.
        """
        n = len(row)

        def cell(i):
            return row[i].strip() if i is not None and i < n else ""

        values = {"class": self.cls_slug, "line": str(line), "file": self.file_slug}
        role_iris, entities = self._roles(cell, values)
        date_lines = self._dates(cell, values)
        amount, currency = self._money(cell) if self.amount else (None, None)
        extra = self._title(cell, values, entities) + self._fields(cell)
        self._check_duplicate(row, line)
        values["relation"] = self._relation(extra)
        deal = self._deal_iri(values)
        out = self._lines(deal, line, role_iris, date_lines, amount, currency, extra)
        return RowFact(deal, out, entities)

    def _roles(self, cell, values: dict) -> tuple[list, list]:
        """The row's parties: ``(role, iri)`` pairs and the entities they name."""
        role_iris, entities = [], []
        for spec, i in self.roles:
            name = " ".join(cell(i).split())
            if not name:
                if spec.required:
                    raise RowError(f"missing {spec.name} ({self._name(i, spec.columns)})")
                continue
            iri, new = self._entity(name, spec)
            role_iris.append((spec.name, iri))
            entities.append((iri, spec.cls, name, new))
            values[spec.name] = iri.rsplit("/", 1)[1]
        return role_iris, entities

    def _dates(self, cell, values: dict) -> list[str]:
        """The row's dates, as predicate-object text, at their precision."""
        date_lines = []
        for spec, i in self.dates:
            text = cell(i)
            if not text:
                if spec.required:
                    raise RowError(f"missing {spec.prop} ({self._name(i, spec.columns)})")
                values.setdefault(spec.prop, "undated")
                continue
            lexical, dtype = self.parse_date(text, spec)
            values[spec.prop] = lexical
            values.setdefault("year", lexical[:4])
            date_lines.append(f'<{KG}{spec.prop}> "{lexical}"^^<{XSD}{dtype}>')
        return date_lines

    def _title(self, cell, values: dict, entities: list) -> list[tuple]:
        """A position's title: the role concepts it names (``CEO`` …), or a concept of its own."""
        if not self.title:
            return []
        spec, i = self.title
        text = _WS.sub(" ", cell(i))
        if not text:
            if spec.required:
                raise RowError(f"missing title ({self._name(i, spec.columns)})")
            return []
        low = text.lower()
        concepts = sorted({c for word, c in spec.map.items() if word in low})
        values["role"] = slugify(text)
        if concepts:
            return [("deal", f"<{KG}role>", f"<{KG}{c}>") for c in concepts]
        iri = f"{ID}concept/{slugify(text)}"
        entities.append((iri, "Concept", text, True))
        return [("deal", f"<{KG}role>", f"<{iri}>")]

    def _fields(self, cell) -> list[tuple]:
        """The mapping's extra fields, on the deal or on the evidence."""
        extra = []
        for spec, i in self.fields:
            text = cell(i)
            if not text:
                if spec.required:
                    raise RowError(f"missing {spec.prop} ({self._name(i, spec.columns)})")
                continue
            if spec.iri:
                if _URL.fullmatch(text) and _valid_iri(text):
                    extra.append((spec.on, f"<{expand(spec.prop)}>", f"<{text}>"))
            else:
                extra.append((spec.on, f"<{expand(spec.prop)}>", f'"{_lit(text)}"'))
        return extra

    def _check_duplicate(self, row: list[str], line: int) -> None:
        # A duplicate is a row equal to an earlier one (case and spacing aside);
        # a 64-bit hash keeps memory flat per row.
        content = hash(tuple(" ".join(c.casefold().split()) for c in row))
        first = self.seen_rows.get(content)
        if first is not None:
            raise RowError(f"duplicate of line {first}")
        self.seen_rows[content] = line

    def _deal_iri(self, values: dict) -> str:
        """The row's deal: keyed like :func:`kg.facts.deal_key`, so a row and a sentence that state the
        same deal write to one node; rows of one file with the same key (two rounds in one year) get -2, -3 …"""
        deal = self.deal_base + slugify(_PLACEHOLDER.sub(lambda m: values.get(m[1], ""), self.mapping.iri))
        count = self.seen.get(deal, 0) + 1
        self.seen[deal] = count
        return f"{deal}-{count}" if count > 1 else deal

    def _lines(self, deal: str, line: int, role_iris, date_lines, amount, currency, extra) -> list[str]:
        """The row's N-Triples lines: the deal, its roles, dates, status, amount and evidence."""
        s = self._static
        d, ev = f"<{deal}>", f"<{self.evidence_base}{line}>"
        out = [f"{d} {s['type']} {s['cls']} .\n"]
        out += [f"{d} <{KG}{role}> <{iri}> .\n" for role, iri in role_iris]
        out += [f"{d} {p} .\n" for p in date_lines]
        if self.mapping.status:
            out.append(f"{d} {s['status']} <{KG}{self.mapping.status}> .\n")
        out += [f"{d} <{KG}{prop}> <{KG}{value}> .\n" for prop, value in self.mapping.constants.items()]
        if amount is not None:
            a = f"<{amount_iri(deal, self.file_slug)}>"
            out += [f"{d} {s['amount']} {a} .\n", f"{a} {s['type']} {s['Money']} .\n",
                    f'{a} {s["value"]} "{amount}"^^{s["dec"]} .\n', f'{a} {s["currency"]} "{currency}" .\n']
        out += [f"{d} {s['evidence']} {ev} .\n", f"{ev} {s['type']} {s['Evidence']} .\n",
                f"{ev} {s['source']} <{self.source}> .\n", f'{ev} {s["line"]} "{line}"^^{s["int"]} .\n']
        out += [f"{d if on == 'deal' else ev} {p} {o} .\n" for on, p, o in extra]
        return out

    def _relation(self, extra: list) -> str:
        """The derived relation a row's deal gives (for positions, by its role concept), for ``{relation}``."""
        concepts = {o.strip("<>") for _on, p, o in extra if p == f"<{KG}role>"}
        for r in load_schema().relations:
            if r.deal_class == self.mapping.cls and (r.role is None or KG + r.role in concepts):
                return r.name
        return self.cls_slug

    def entity_lines(self, entities, emitted: set) -> list[str]:
        """Type and label lines for entities not yet described in this file.

        Args:
            entities: ``RowFact.entities``.
            emitted: what this file has described so far (updated).
        """

        out = []
        s = self._static
        for iri, cls, label, new in entities:
            if (iri, cls) in emitted:
                continue
            emitted.add((iri, cls))
            out.append(f"<{iri}> {s['type']} <{KG}{cls}> .\n")
            if new and iri not in emitted:
                emitted.add(iri)
                out.append(f'<{iri}> {s["label"]} "{_lit(label)}" .\n')
        return out
