"""The ``kg`` command line: a thin shell over the library.

Each command parses its arguments, makes one library call and formats the
result. Library modules are imported inside the commands so that ``kg --help``
stays fast. Every :class:`kg.errors.KgError` becomes a one-line message on
stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import json
import sys

import click

from kg.formats import RdfFormat, RowFormat


class KgGroup(click.Group):
    """A click group that reports kg errors as one line and lists commands in definition order."""

    def list_commands(self, ctx):
        return list(self.commands)

    def invoke(self, ctx):
        from kg.errors import KgError

        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            # kg.ingest.bulk.Interrupted says whether the import was committed;
            # a bare Ctrl-C came outside any store write.
            committed = getattr(exc, "committed", None)
            click.echo("Interrupted after the import was committed; the store holds the new data." if committed
                       else "Interrupted before the import was committed; the store is unchanged."
                       if committed is False else "Interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(1)
        except UnicodeDecodeError as exc:
            click.echo(f"Error: input is not UTF-8 text ({exc.reason} at byte {exc.start})", err=True)
            ctx.exit(1)
        except OSError as exc:
            # A path the user named cannot be read or written (missing folder, permissions, disk full).
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: say so in one line; KG_DEBUG=1 shows the traceback
            import os

            if os.environ.get("KG_DEBUG"):
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); "
                       "run again with KG_DEBUG=1 for the traceback and please report it", err=True)
            ctx.exit(2)


def store_option(f):
    """``--store``, declared once: on the group and on every command that opens a store.

    An explicit ``--store`` always wins: the command's, then the group's, then
    ``$KG_STORE``, then the default location (see :func:`kg.stores.resolve_location`).
    """
    return click.option(
        "--store",
        "store_location",
        metavar="PATH|URL",
        help="Store directory, 'memory:', or a SPARQL endpoint URL (http://…). Default: $KG_STORE, "
        "else ~/.local/share/kg/store.",
    )(f)


def format_option(extra=(), default="table"):
    """``--format/-F``: every row format (table, json, jsonl, csv, tsv), plus ``extra`` choices."""
    return click.option(
        "--format",
        "-F",
        "fmt",
        type=click.Choice([f.value for f in RowFormat] + [e for e in extra if e not in {f.value for f in RowFormat}]),
        default=default,
        show_default=True,
        help="Output format.",
    )


#: The RDF formats a command that prints a graph can write (``kg sparql`` of a CONSTRUCT).
GRAPH_OUTPUT = tuple(f.value for f in RdfFormat if f.writable)


def _location(ctx: click.Context, explicit: str | None) -> str | None:
    return explicit or (ctx.obj or {}).get("store")


def emit_rows(rows, fmt: str, columns=None, *, max_width: int = 60) -> None:
    """Print rows in the chosen format."""
    from kg.formats import format_rows

    click.echo(format_rows(rows, fmt, columns, max_width=max_width), nl=False)


def emit_json(data) -> None:
    """Print any JSON-ready structure."""
    from kg.formats import to_python

    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=to_python))


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@store_option
@click.version_option(package_name="kg")
@click.pass_context
def main(ctx: click.Context, store_location: str | None) -> None:
    """kg: a knowledge graph of companies, people and deals.

    \b
    Build the graph from graphs/sources, then ask it questions:
      kg build
      kg show "Lee Jun"
      kg sparql --name investments --format json
      kg sparql 'SELECT ?a ?b WHERE { ?a kg:investedIn ?b }'
      kg search xpeng
    """
    ctx.ensure_object(dict)
    ctx.obj["store"] = store_location


def _open(ctx: click.Context, store_location: str | None, *, read_only: bool):
    from kg.stores import open_store

    return open_store(_location(ctx, store_location), read_only=read_only)


@main.command()
@click.option("--root", type=click.Path(file_okay=False, exists=True), default=".", show_default=True,
              help="Project folder holding graphs/sources.")
@click.option("--views/--no-views", default=True, show_default=True, help="Write the interactive HTML views.")
@click.option("--clean", is_flag=True, help="Empty the store first, so it holds exactly this build.")
@click.option("--force", is_flag=True, help="Load even if the data violates the SHACL shapes.")
@store_option
@format_option()
@click.pass_context
def build(ctx, root, views, clean, force, store_location, fmt):
    """Build the graph from graphs/sources into the store and write graphs/*.html.

    Uses the curated graph graphs/NAME.ttl for a source that has one, and the
    matching reader otherwise; adds the ontology and graphs/background.ttl;
    validates everything; rebuilds the derived edges; all in one transaction.

    \b
    Examples:
      kg build
      kg --store /tmp/kg build --clean --no-views
    """
    from kg.build import build as run_build

    with _open(ctx, store_location, read_only=False) as store:
        report = run_build(store, root, views=views, clean=clean, force=force)
    if fmt == "json":
        emit_json({"graphs": report.graphs, "triples": report.triples, "derived": report.derived,
                   "violations": report.violations, "written": report.written, "store": store.location})
        return
    if fmt != "table":
        emit_rows(report.graphs, fmt)
        return
    emit_rows(report.graphs, "table")
    click.echo(f"{report.triples} triples in {len(report.graphs)} graphs, {report.derived} derived; store: {store.location}")
    for path in report.written:
        click.echo(f"wrote {path}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--dry-run", is_flag=True, help="Read and validate, show what would be loaded, write nothing.")
@click.option("--force", is_flag=True, help="Load even if the data violates the SHACL shapes.")
@click.option("--graph", metavar="IRI", help="Named graph for RDF triples (default: one per source, keyed by its path).")
@click.option("--replace", "replace", multiple=True, metavar="GRAPH",
              help="Allow replacing GRAPH although it is reserved or another source loaded it. Repeatable.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
              help="Text sources: keep only facts at least this confident.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="CSV: a YAML mapping of columns to the ontology.")
@click.option("--layout", type=click.Choice(["investments", "acquisitions", "people"]),
              help="CSV: a built-in layout (default: detected from the header).")
@click.option("--strict", is_flag=True, help="CSV: abort at the first bad row and write nothing.")
@click.option("--input-format", "input_format", metavar="SUFFIX",
              help="What '-' (standard input) holds, as a file suffix: ttl, nt, nq, trig, jsonld, txt, md, html, "
              "jsonl, csv … (default: txt).")
@click.option("--rejects", type=click.Path(dir_okay=False), help="CSV: write bad rows here (default: FILE.rejects.csv).")
@store_option
@format_option(["turtle"])
@click.pass_context
def ingest(ctx, paths, dry_run, force, graph, replace, min_confidence, mapping, layout, strict, input_format, rejects,
           store_location, fmt):
    """Add files to the store: RDF (.ttl .nt .nq .trig .jsonld), news text, CSV.

    Each source has its own named graph, keyed by its path, so ingesting a
    file again replaces what it said before, and two files of the same name
    never overwrite each other. A graph that another source loaded, and the
    reserved graphs (ontology, derived, judgements, background), are
    replaced only with --replace. Everything is validated against the
    shapes, and the whole ingest is one atomic change: on any error the
    store is left exactly as it was.

    \b
    Examples:
      kg ingest extra.ttl
      kg ingest news/ --dry-run
      kg ingest deals.ttl --graph sourcegraph:deals
      kg ingest fixed-background.ttl --graph sourcegraph:background --replace sourcegraph:background
      kg ingest investments.csv                 # layout detected from the header
      kg ingest acq.csv --layout acquisitions --rejects bad.csv
      kg ingest deals.csv --mapping deals.yaml --strict
      echo 'Acme Corp agreed to acquire Foo Inc in 2019.' | kg ingest - --dry-run
    """
    from kg.ingest import ingest as run_ingest
    from kg.schema import expand

    options = {k: v for k, v in {"graph": expand(graph) if graph else None, "min_confidence": min_confidence, "mapping": mapping,
                                 "layout": layout, "strict": strict or None, "rejects": rejects}.items()
               if v is not None}
    with _stdin_as_file(paths, input_format, options) as paths, \
            _open(ctx, store_location, read_only=dry_run) as store, _bar("ingest") as progress:
        if progress is not None:
            options["progress"] = progress
        report = run_ingest(store, paths, dry_run=dry_run, force=force, replace=replace, options=options)
    tabular = [r.row() for r in getattr(report, "tabular", [])] or [
        b.tabular.row() for b in report.batches if getattr(b, "tabular", None) is not None]
    if fmt == "turtle":
        import pyoxigraph as ox

        from kg.ontology import PREFIXES

        for b in report.batches:
            click.echo(f"# graph {b.graph}")
            click.echo(ox.serialize(b.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode())
        return
    if fmt == "json":
        emit_json({"committed": report.committed, "triples": report.triples,
                   "graphs": report.rows(), "violations": report.violations, "tabular": tabular,
                   "facts": [f for b in report.batches for f in b.facts]})
        return
    if fmt != "table":
        emit_rows(report.rows(), fmt, ["graph", "source", "triples", "facts"])
        return
    facts = [f for b in report.batches for f in b.facts]
    if facts:
        cols = ["doc", "relation", "subject", "object", "date", "status", "confidence"]
        emit_rows(facts, "table", [c for c in cols if any(c in f for f in facts)])
    emit_rows(report.rows(), "table")
    verb = "would load" if dry_run else "loaded"
    click.echo(f"{verb} {report.triples} triples into {len(report.batches)} graph(s)")
    for v in report.violations:
        click.echo(f"warning: {v}", err=True)
    for t in tabular:
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(t["reasons"].items()))
        click.echo(f"{t['source']}: {t['loaded']} of {t['rows']} rows loaded ({t['layout']}); "
                   f"{t['rejected']} rejected" + (f" ({reasons}) -> {t['rejects_file']}" if t["rejected"] else ""))


def _stdin_as_file(paths, input_format: str | None, options: dict):
    """A context giving ``paths`` with ``-`` replaced by a temporary file of standard input.

    The source's identity is its content's hash, so feeding the same text
    twice replaces its graph, and different texts never collide.
    """
    import contextlib
    import hashlib
    import tempfile
    from pathlib import Path

    @contextlib.contextmanager
    def swap():
        if "-" not in paths:
            yield list(paths)
            return
        data = sys.stdin.buffer.read()
        digest = hashlib.sha256(data).hexdigest()
        with tempfile.TemporaryDirectory(prefix="kg-stdin-") as tmp:
            path = Path(tmp) / f"stdin-{digest[:8]}.{(input_format or 'txt').lstrip('.')}"
            path.write_bytes(data)
            options.setdefault("identities", {})[str(path)] = f"urn:sha256:{digest}"
            yield [str(path) if p == "-" else p for p in paths]

    return swap()


def _bar(label: str):
    """A context giving a ``progress(done, total, stage)`` callback that draws one bar on stderr,
    or None when stderr is not a terminal (nothing is printed then)."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        with click.progressbar(length=1000, label=label, file=sys.stderr) as b:
            state = {"shown": 0}

            def progress(done, total, stage=None):
                if stage:
                    b.label = f"{label}: {stage}"
                step = int(1000 * done / max(total, 1)) - state["shown"]
                if step > 0:
                    b.update(step)
                    state["shown"] += step

            yield progress

    return bar()


@main.command()
@store_option
@format_option()
@click.pass_context
def validate(ctx, store_location, fmt):
    """Validate the store against the SHACL shapes (ontology/shapes.ttl).

    Exits with status 1 when there are violations.

    \b
    Examples:
      kg validate
      kg validate --format json
    """
    from kg.validate import compile_shapes, validate_store

    with _open(ctx, store_location, read_only=True) as store, _bar("validate") as bar:
        total = len(compile_shapes())
        report = validate_store(store, progress=(lambda n: bar(n, total, "shapes")) if bar else None)
    cols = ["severity", "focus", "path", "value", "message"]
    if fmt == "json":
        emit_json({"conforms": report.conforms, "results": report.rows})
    elif fmt != "table":
        # A conforming store still says so, in every format.
        emit_rows(report.rows or [{"severity": "info", "message": "conforms"}], fmt, cols)
    elif report.rows:
        emit_rows(report.rows, fmt, cols)
    if fmt == "table":
        click.echo("conforms" if report.conforms else f"{len(report.violations)} violation(s)")
    if not report.conforms:
        ctx.exit(1)


@main.command()
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="Company, Person, Organization, Project or Concept (repeatable).")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="At most this many rows (default: the first page, 100 rows, unless --all).")
@click.option("--all", "all_rows", is_flag=True, help="Every entity, not only the first page.")
@store_option
@format_option()
@click.pass_context
def entities(ctx, types, limit, all_rows, store_location, fmt):
    """List the people, companies, organizations, projects and concepts, by type and name.

    \b
    Examples:
      kg entities
      kg entities --type Company --format csv
      kg entities --type Person --all --format jsonl
    """
    from kg.entities import list_entities
    from kg.query import DEFAULT_LIMIT

    with _open(ctx, store_location, read_only=True) as store:
        rows = list_entities(store, types=list(types) or None, limit=None if all_rows else (limit or DEFAULT_LIMIT))
    emit_rows(rows, fmt, ["label", "type", "aliases", "deals", "iri"])


@main.command()
@click.argument("entity")
@store_option
@click.option("--as-of", "as_of", metavar="DATE",
              help="The entity as it stood then: facts dated later and roles that had ended are left out.")
@format_option()
@click.pass_context
def show(ctx, entity, as_of, store_location, fmt):
    """Everything about one entity, each fact with its date, status and source.

    ENTITY is a name, an alias (any case) or an IRI.

    \b
    Examples:
      kg show Xiaomi
      kg show "Lee Jun"          # an alias of Lei Jun
      kg show xpeng --format json
      kg show "Lei Jun" --as-of 2015
    """
    from kg.entities import describe_entity

    with _open(ctx, store_location, read_only=True) as store:
        info = describe_entity(store, entity, as_of=as_of)
    from kg.entities import fact_rows
    from kg.formats import format_rows

    if fmt == "json":
        emit_json(info)
        return
    if fmt != "table":
        emit_rows(fact_rows(info), fmt)
        return

    click.echo(f"{info['label']}  ({info['type'] or 'entity'})  {info['iri']}")
    if info["aliases"]:
        click.echo("aliases: " + ", ".join(info["aliases"]))
    for a in info["attributes"]:
        click.echo(f"{a['property']}: {a['value']}")
    for key, value in info.get("identifiers", {}).items():
        click.echo(f"{key}: {value}")
    if info.get("same_as"):
        from kg.schema import compact

        click.echo("same as (judged): " + ", ".join(compact(i) for i in info["same_as"]))
    if info["facts"]:
        click.echo("\nfacts:")
        click.echo(format_rows(fact_rows(info), "table", max_width=70), nl=False)
        disputed = sorted({(f.get("deal_label") or f["deal"], p) for f in info["facts"] for p in f.get("conflict", [])})
        for deal, prop in disputed:
            click.echo(f"! sources disagree on the {prop} of {deal} (see kg conflicts)")
    if info["observations"]:
        click.echo("\nfigures:")
        click.echo(format_rows(info["observations"], "table",
                               ["metric", "value", "unit", "period", "approximate", "reported_by", "status"]), nl=False)


@main.command()
@click.argument("text")
@click.option("--limit", type=int, default=20, show_default=True)
@store_option
@format_option()
@click.pass_context
def search(ctx, text, limit, store_location, fmt):
    """Find entities by name or alias: exact, prefix, substring, then fuzzy.

    \b
    Examples:
      kg search xpeng
      kg search 小米
      kg search "lee jun" --format json
    """
    from kg.entities import search as run_search

    with _open(ctx, store_location, read_only=True) as store:
        rows = run_search(store, text, limit=limit)
    emit_rows(rows, fmt, ["label", "type", "matched", "score", "iri"])


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from a file ('-' for stdin).")
@click.option("--name", "-n", metavar="NAME", help="Run a named query (see --list).")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind ?KEY to VALUE (bound, never pasted into the text). Repeatable.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their parameters.")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="At most this many rows (named queries: the first page, 100 rows, unless --all).")
@click.option("--all", "all_rows", is_flag=True, help="Named queries: every row, not only the first page.")
@format_option(GRAPH_OUTPUT)
@store_option
@click.pass_context
def sparql(ctx, query, query_file, name, params, list_queries, limit, all_rows, fmt, store_location):
    """Run a SPARQL query over the union of all graphs.

    QUERY is the text, or - to read it from standard input. kg's prefixes
    (kg:, company:, person:, deal:, sourcegraph:, graph:, rdf:, rdfs:, xsd:,
    owl:, skos:, prov:, schema:, foaf:, org:, dcterms: …) are predeclared, and
    every short name kg prints can be pasted back.

    \b
    Examples:
      kg sparql --list
      kg sparql --name investments --format json
      kg sparql --name people -p organization=Xiaomi
      kg sparql 'SELECT ?a ?b WHERE { ?a kg:metWith ?b }'
      kg sparql 'SELECT ?x WHERE { ?x rdfs:label ?name }' -p name="Lei Jun"
      kg sparql -f query.rq --format csv
      kg sparql 'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH sourcegraph:background { ?s ?p ?o } }' -F turtle
      echo 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' | kg sparql -
    """
    from kg.query import named_queries, parse_params, run_named, run_query

    if list_queries:
        rows = [{"name": q.name, "description": q.description,
                 "params": ", ".join(f"{k} ({kind})" for k, (kind, _h) in q.params.items())} for q in named_queries()]
        emit_rows(rows, fmt if fmt not in GRAPH_OUTPUT else "table", ["name", "params", "description"], max_width=110)
        return
    sources = [x for x in (query, query_file, name) if x]
    if len(sources) != 1:
        raise click.UsageError("give exactly one of QUERY, -f FILE or --name NAME (or --list)")
    bound = parse_params(params)
    if query == "-":
        try:
            query = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise click.BadParameter(f"standard input is not UTF-8 text (byte {exc.start})",
                                     param_hint="QUERY") from None
    with _open(ctx, store_location, read_only=True) as store:
        if name:
            kw = {"limit": None if all_rows else limit} if (all_rows or limit) else {}
            result = run_named(store, name, bound, **kw)
        else:
            text = query_file.read() if query_file else query
            result = run_query(store, text, bound, limit=limit)
    if result.kind == "ask":
        click.echo(json.dumps(result.boolean) if fmt == "json" else ("yes" if result.boolean else "no"))
        return
    if result.kind == "graph":
        out_fmt = fmt if fmt in GRAPH_OUTPUT else "turtle"
        click.echo(result.serialize(out_fmt).decode("utf-8"), nl=False)
        return
    if fmt in GRAPH_OUTPUT:
        raise click.UsageError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, json, jsonl, csv or tsv for SELECT")
    emit_rows(result.rows, fmt, result.columns)


# -- many sources: conflicts and review of entity matches -------------------


@main.command()
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True, help="At most this many facts.")
@store_option
@format_option()
@click.pass_context
def conflicts(ctx, limit, store_location, fmt):
    """Facts that sources disagree on: amount, date or status, each value with its source.

    \b
    Examples:
      kg conflicts
      kg conflicts --format json
    """
    from kg.disagreement import conflicts as flagged

    with _open(ctx, store_location, read_only=True) as store:
        found = flagged(store, limit=limit)
    if fmt == "json":
        emit_json(found)
        return
    rows = [{"deal": c["deal"], "label": c["label"], "property": c["property"], "value": v["value"],
             "source": v["source"] or v["graph"]} for c in found for v in c["values"]]
    emit_rows(rows, fmt, ["label", "property", "value", "source", "deal"])


@main.command()
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True, help="At most this many pairs.")
@store_option
@format_option()
@click.pass_context
def review(ctx, limit, store_location, fmt):
    """Pairs of entities that may be the same, to confirm with same-as or reject with not-same.

    A pair comes from a fuzzy name match a reader made (never merged on its
    own) or from a shared external identifier (Wikidata, LEI, register number).

    \b
    Examples:
      kg review
      kg review --format json
    """
    from kg.judgements import review as pairs

    with _open(ctx, store_location, read_only=True) as store:
        rows = pairs(store, limit=limit)
    emit_rows(rows, fmt, ["left_label", "right_label", "why", "identifier", "left", "right"])


def _judgement(ctx, store_location, fmt, call, *args, **kw) -> None:
    with _open(ctx, store_location, read_only=False) as store:
        result = call(store, *args, **kw)
    if isinstance(result, int):
        result = {"undone": result}
    if fmt == "json":
        emit_json(result)
    else:
        emit_rows([result], fmt)


@main.command("same-as")
@click.argument("left")
@click.argument("right")
@click.option("--why", help="Why you judge so; kept with the judgement.")
@click.option("--undo", is_flag=True, help="Take back the judgements between LEFT and RIGHT instead.")
@store_option
@format_option()
@click.pass_context
def same_as_cmd(ctx, left, right, why, undo, store_location, fmt):
    """Record that LEFT and RIGHT are the same entity (names, aliases or IRIs).

    The judgement is kept, with when and why, in its own graph, which no
    ingest touches. It is refused if it contradicts an earlier one (also
    through other judgements: A = B and B ≠ C imply A ≠ C).

    \b
    Examples:
      kg same-as "Teslar Inc" Tesla --why "same address in the filing"
      kg same-as "Teslar Inc" Tesla --undo
    """
    from kg.judgements import same_as, unjudge

    if undo:
        _judgement(ctx, store_location, fmt, unjudge, left, right)
    else:
        _judgement(ctx, store_location, fmt, same_as, left, right, why=why)


@main.command("not-same")
@click.argument("left")
@click.argument("right")
@click.option("--why", help="Why you judge so; kept with the judgement.")
@store_option
@format_option()
@click.pass_context
def not_same_cmd(ctx, left, right, why, store_location, fmt):
    """Record that LEFT and RIGHT are different entities, so they are never proposed again.

    \b
    Examples:
      kg not-same "Teslar Inc" Tesla --why "a Latvian furniture maker"
    """
    from kg.judgements import not_same

    _judgement(ctx, store_location, fmt, not_same, left, right, why=why)


# -- exploring the graph: paths, neighbours, centrality, communities, stats --


def _split(values) -> list[str] | None:
    """Comma-separated and repeated option values, flattened."""
    out = [v.strip() for value in values or () for v in value.split(",") if v.strip()]
    return out or None


def graph_filters(f):
    """The projection filters shared by the graph commands."""
    options = [
        click.option("--via", multiple=True, metavar="REL[,REL]",
                     help="Use only these relations (the schema's, see kg/schema.toml, plus industry), "
                     "e.g. investedIn,ceoOf."),
        click.option("--exclude-status", multiple=True, metavar="STATUS[,STATUS]",
                     help="Leave out deals with these statuses, e.g. rumored."),
        click.option("--since", type=int, metavar="YEAR", help="Only deals from this year on (undated facts stay)."),
        click.option("--until", type=int, metavar="YEAR", help="Only deals up to this year (undated facts stay)."),
        click.option("--include-declined", is_flag=True, help="Also use declined deals (left out by default)."),
        click.option("--as-of", "as_of", metavar="DATE",
                     help="The graph as it stood then (YYYY, YYYY-MM or YYYY-MM-DD): deals dated later and roles "
                     "that had ended are left out."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _filter_args(via, exclude_status, since, until, include_declined, as_of=None) -> dict:
    from kg.explore import as_of_year

    return {"via": _split(via), "exclude_status": _split(exclude_status), "since": since, "until": until,
            "include_declined": include_declined, "as_of": as_of_year(as_of) if as_of else None}


def _export_formats() -> list[str]:
    from kg.exports import ExportFormat

    return [*GRAPH_OUTPUT, *(f.value for f in ExportFormat)]


@main.command()
@click.option("--format", "-F", "fmt", default="trig", show_default=True, type=click.Choice(_export_formats()))
@click.option("--graph", metavar="IRI", help="RDF formats: only this named graph (e.g. graph:source/background).")
@click.option("--view", type=click.Choice(["entity", "deal"]), default="entity", show_default=True,
              help="graphml, gexf, neo4j, csv: entities with one edge per deal and relation, "
              "or deals linked to their participants.")
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="graphml, gexf, neo4j, csv: keep only these entity types (repeatable).")
@click.option("--no-layout", is_flag=True, help="gexf: leave out node positions (faster on large graphs).")
@graph_filters
@click.option("-o", "--output", type=click.Path(), help="Write to this file (a folder for neo4j and csv) instead of stdout.")
@store_option
@click.pass_context
def export(ctx, fmt, graph, view, types, no_layout, via, exclude_status, since, until, include_declined, as_of, output,
           store_location):
    """Export the store as RDF, or its entity or deal view for Gephi, Neo4j and other tools.

    RDF: dataset formats (trig, nquads) keep the named graphs; graph formats
    (turtle, ntriples, jsonld, rdfxml) merge them unless --graph picks one.

    Views: graphml (NetworkX, igraph, yEd), gexf (Gephi 1.3, with colours,
    sizes and positions), neo4j (a folder: neo4j-admin import CSV files and a
    Cypher script) and csv (a folder: nodes.csv and edges.csv), with the
    filters of the graph commands.

    \b
    Examples:
      kg export --format nquads -o kg.nq
      kg export --format turtle --graph graph:source/xiaomi-electric-car
      kg export --format gexf -o kg.gexf --exclude-status rumored
      kg export --format neo4j --view deal -o neo4j-import
      kg export --format graphml --via investedIn,acquired --since 2015 -o deals.graphml
    """
    filters = _filter_args(via, exclude_status, since, until, include_declined, as_of)
    if fmt in GRAPH_OUTPUT:
        if any(filters.values()) or types or view != "entity" or no_layout:
            raise click.UsageError(f"--view, --type, --no-layout and the graph filters are for graphml, gexf, "
                                   f"neo4j and csv, not --format {fmt}")
        _export_rdf(ctx, store_location, fmt, graph, output)
        return
    from kg.exports import ExportFormat, export_view

    if graph:
        raise click.UsageError(f"--graph is for the RDF formats, not --format {fmt}")
    if ExportFormat(fmt).writes_folder and not output:
        raise click.UsageError(f"--format {fmt} writes several files: give a folder with -o DIR")
    out = output or sys.stdout.buffer
    with _open(ctx, store_location, read_only=True) as store:
        result = export_view(store, fmt, out, view=view, layout=not no_layout, relations=filters.pop("via"),
                             types=_split(types), **filters)
    where = f" to {output}" if output else ""
    click.echo(f"wrote the {view} view ({result['nodes']} nodes, {result['edges']} edges) as {fmt}{where}", err=True)


def _export_rdf(ctx, store_location, fmt, graph, output) -> None:
    from kg.ontology import expand

    with _open(ctx, store_location, read_only=True) as store:
        data = store.dump(fmt, expand(graph) if graph else None)
    if output:
        try:
            with open(output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise click.FileError(output, hint=exc.strerror or str(exc)) from None
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@main.command()
@click.argument("source")
@click.argument("target")
@click.option("--max-hops", type=click.IntRange(1, 10), default=4, show_default=True, help="Longest path considered.")
@click.option("--all", "all_paths", is_flag=True, help="Every simple path up to --max-hops, not just the shortest.")
@click.option("--directed", is_flag=True, help="Follow relations only the way they hold (symmetric ones both ways).")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="At most this many paths.")
@graph_filters
@store_option
@format_option()
@click.pass_context
def path(ctx, source, target, max_hops, all_paths, directed, limit, via, exclude_status, since, until,
         include_declined, as_of, store_location, fmt):
    """How SOURCE and TARGET are connected, each hop explained with its evidence.

    Shows the shortest paths (or, with --all, every simple path up to
    --max-hops), ranked by length and then by the strength of the evidence.
    Each hop states the relation the way it holds, its direction relative to
    the travel, its date and status, and the quote with its source. Exits
    with status 1 when no path exists within --max-hops.

    \b
    Examples:
      kg path "Lei Jun" Tesla
      kg path Apple Xpeng --all --max-hops 3
      kg path Xiaomi Tesla --via investedIn,metWith,ceoOf
      kg path "Lee Jun" Tesla --exclude-status rumored --format json
    """
    from kg.explore import path as find

    with _open(ctx, store_location, read_only=True) as store:
        result = find(store, source, target, max_hops=max_hops, all_paths=all_paths, directed=directed,
                      limit=limit, **_filter_args(via, exclude_status, since, until, include_declined, as_of))
    if fmt == "json":
        emit_json(result)
        return
    rows = [
        {"path": i, "hop": j, "statement": h["statement"], "direction": h["direction"], "date": h["date"],
         "status": h["status"], "quote": h["quote"], "source": h["source_label"] or h["source"],
         "deal": h["deal"], "score": p["score"]}
        for i, p in enumerate(result["paths"], 1) for j, h in enumerate(p["hops"], 1)
    ]
    if fmt != "table":
        emit_rows(rows, fmt)
        return
    from kg.formats import format_rows

    for i, p in enumerate(result["paths"], 1):
        click.echo(f"{'' if i == 1 else chr(10)}path {i}: {' → '.join(p['labels'])}  "
                   f"({p['length']} hop{'s' if p['length'] != 1 else ''}, evidence score {p['score']})")
        click.echo(format_rows([r for r in rows if r["path"] == i], "table",
                               ["hop", "statement", "direction", "date", "status", "quote", "source"],
                               max_width=70), nl=False)


@main.command()
@click.argument("entity")
@click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True, help="How many hops out.")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="At most this many rows (default: the first page, 100 rows, unless --all). Nearer levels "
                   "come first; a level cut by the page keeps the store's order.")
@click.option("--all", "all_rows", is_flag=True, help="Every row, not only the first page.")
@graph_filters
@store_option
@format_option()
@click.pass_context
def neighbors(ctx, entity, depth, limit, all_rows, via, exclude_status, since, until, include_declined, as_of,
              store_location, fmt):
    """The entities within --depth hops of ENTITY, and how each is reached.

    \b
    Examples:
      kg neighbors Xiaomi
      kg neighbors "Lee Jun" --depth 2 --format csv
      kg neighbors Xiaomi --via investedIn --since 2015
      kg neighbors Xiaomi --depth 3 --all
    """
    from kg.explore import neighbors as ego
    from kg.query import DEFAULT_LIMIT

    with _open(ctx, store_location, read_only=True) as store:
        rows = ego(store, entity, depth=depth, limit=None if all_rows else (limit or DEFAULT_LIMIT),
                   **_filter_args(via, exclude_status, since, until, include_declined, as_of))
    emit_rows(rows, fmt, ["depth", "label", "type", "statement", "direction", "date", "status", "from_label", "iri"])


@main.command()
@click.option("--measure", type=click.Choice(["degree", "pagerank", "betweenness", "eigenvector", "closeness"]),
              default="degree", show_default=True)
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Show the first N.")
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="Rank only Person, Company, Organization (repeatable); measured on the whole graph.")
@click.option("--weight", type=click.Choice(["amount", "count"]), default=None,
              help="Weight ties by deal value (amount) or by number of deals (count).")
@click.option("-k", "--k", "k", type=click.IntRange(1), default=None,
              help="Betweenness: sample K sources (default: exact up to 5000 entities, else 256).")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed for sampled betweenness.")
@click.option("--include-concepts", is_flag=True, help="Also rank concepts (industries, kinds of partner).")
@graph_filters
@store_option
@format_option()
@click.pass_context
def centrality(ctx, measure, top, types, weight, k, seed, include_concepts, via, exclude_status, since, until,
               include_declined, as_of, store_location, fmt):
    """Who is central: rank people and organizations by a centrality measure.

    Betweenness is exact on small graphs and sampled (k sources, fixed seed)
    on large ones; the output says which.

    \b
    Examples:
      kg centrality --measure betweenness
      kg centrality --measure pagerank --top 20 --type Person
      kg centrality --measure pagerank --weight amount --exclude-status rumored
    """
    from kg.explore import centrality as rank

    with _open(ctx, store_location, read_only=True) as store:
        result = rank(store, measure, top=top, types=_split(types), weight=weight, k=k, seed=seed,
                      include_concepts=include_concepts,
                      **_filter_args(via, exclude_status, since, until, include_declined, as_of))
    if fmt == "json":
        emit_json(result)
        return
    if fmt == "table":
        how = "exact" if result["exact"] else f"sampled, k={result['k']}, seed={result['seed']}"
        click.echo(f"{measure} centrality ({how}; {result['nodes']} entities, {result['edges']} ties"
                   f"{', weight ' + weight if weight else ''})")
    emit_rows(result["rows"], fmt, ["rank", "label", "type", "score", "iri"])


@main.command()
@click.option("--seed", type=int, default=42, show_default=True, help="The community detection's random seed.")
@click.option("--weight", type=click.Choice(["amount", "count"]), default=None,
              help="Weight ties by deal value or by number of deals.")
@click.option("--include-concepts", is_flag=True, help="Also group concepts (industries, kinds of partner).")
@graph_filters
@store_option
@format_option()
@click.pass_context
def communities(ctx, seed, weight, include_concepts, via, exclude_status, since, until, include_declined, as_of,
                store_location, fmt):
    """Groups of closely tied people and organizations (Leiden, fixed seed; the views' colours).

    Each community is listed with its size, its most central member (most
    ties inside the community) and its members.

    \b
    Examples:
      kg communities
      kg communities --weight amount --format json
    """
    from kg.explore import communities as detect

    with _open(ctx, store_location, read_only=True) as store:
        result = detect(store, seed=seed, weight=weight, include_concepts=include_concepts,
                        **_filter_args(via, exclude_status, since, until, include_declined, as_of))
    if fmt == "json":
        emit_json(result)
        return
    if fmt == "table":
        click.echo(f"{result['count']} communities ({result['algorithm']}, seed {seed}, modularity {result['modularity']}); "
                   f"{result['isolated']} entities with no ties not listed")
    rows = [{"community": c["id"], "size": c["size"], "central": c["central_label"],
             "members": ", ".join(c["member_labels"])} for c in result["communities"]]
    emit_rows(rows, fmt, ["community", "size", "central", "members"])


@main.command()
@click.option("--type", "types", multiple=True, metavar="CLASS", help="Only these entity types (repeatable).")
@graph_filters
@store_option
@format_option()
@click.pass_context
def stats(ctx, types, via, exclude_status, since, until, include_declined, as_of, store_location, fmt):
    """Counts by class and relation, density, components and the degree distribution.

    \b
    Examples:
      kg stats
      kg stats --exclude-status rumored --format json
    """
    from kg.explore import stats as measure

    with _open(ctx, store_location, read_only=True) as store:
        result = measure(store, types=_split(types), **_filter_args(via, exclude_status, since, until,
                                                                     include_declined, as_of))
    if fmt == "json":
        emit_json(result)
        return
    rows = [{"section": "graph", "key": k, "value": result[k]}
            for k in ("nodes", "edges", "pairs", "density", "components", "largest_component", "isolated")]
    for section in ("by_type", "by_relation", "by_status"):
        rows += [{"section": section, "key": k, "value": v} for k, v in result[section].items()]
    rows += [{"section": "degree", "key": k, "value": v} for k, v in result["degree"].items()]
    rows += [{"section": "degree_histogram", "key": b["degree"], "value": b["count"]}
             for b in result["degree_histogram"]]
    emit_rows(rows, fmt, ["section", "key", "value"])


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the store to the network.")
@click.option("--port", type=int, default=7878, show_default=True, help="Port to listen on (0 picks a free one).")
@click.option("--allow-update", is_flag=True,
              help="Accept SPARQL Update and Graph Store writes, with the token. Readers are excluded only "
              "while a write commits.")
@click.option("--token", envvar="KG_SERVE_TOKEN", metavar="TOKEN",
              help="Bearer token updates must carry (default: $KG_SERVE_TOKEN, else a new one is printed).")
@click.option("--timeout", type=click.FloatRange(min=1), default=10, show_default=True,
              help="Seconds a query may run (then 503; its engine is stopped, which frees its memory, and "
              "replaced).")
@click.option("--max-result-bytes", type=click.IntRange(min=1), default=64 << 20, show_default=True,
              help="Largest answer sent (then 507).")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=8 << 20, show_default=True,
              help="Largest request body accepted (then 413).")
@click.option("--max-concurrent", type=click.IntRange(min=1), default=8, show_default=True,
              help="Engine processes, so queries run at once; others wait.")
@click.option("--max-memory", type=click.IntRange(min=0), default=4096, show_default=True, metavar="MIB",
              help="Memory each engine may use, in MiB (0: no cap); one that needs more is replaced.")
@click.option("--allow-service", is_flag=True, help="Allow federated SERVICE calls to other endpoints.")
@click.option("--allow-load", is_flag=True, help="Allow LOAD <url> in updates.")
@click.option("--views", type=click.Path(file_okay=False), default="graphs", show_default=True,
              help="Folder of the HTML views (kg build writes graphs/*.html).")
@click.option("--cors", is_flag=True, help="Allow queries from pages on other origins (e.g. YASGUI).")
@store_option
@click.pass_context
def serve(ctx, host, port, allow_update, token, timeout, max_result_bytes, max_body_bytes, max_concurrent,
          max_memory, allow_service, allow_load, views, cors, store_location):
    """Serve the store over the SPARQL 1.1 Protocol, with an explorer page at /.

    Runs Oxigraph engines on the store, reachable only through a guard:
    read-only unless --allow-update (then updates need the token), a check
    of each query's size and nesting, a query timeout, caps on engine
    memory and on answer and request sizes, and no SERVICE or LOAD unless
    allowed; an engine that dies is replaced. While it runs, other kg
    commands can read the store; writers are refused (write through
    --store http://…/query with --allow-update).

    \b
    Endpoints: /query (GET, POST), /update (POST, with --allow-update),
    /store (Graph Store Protocol), / (explorer), /graphs/NAME.html (views).

    \b
    Examples:
      kg serve
      kg serve --port 8000 --timeout 10
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 5' http://127.0.0.1:7878/query
      KG_SERVE_TOKEN=secret kg serve --allow-update
      KG_STORE_TOKEN=secret kg --store http://127.0.0.1:7878/query ingest extra.ttl
    """
    from kg.server import ServeOptions
    from kg.server import serve as run_server
    from kg.stores import resolve_location

    opts = ServeOptions(host=host, port=port, allow_update=allow_update, token=token or "", timeout=timeout,
                        max_result_bytes=max_result_bytes, max_body_bytes=max_body_bytes,
                        max_concurrent=max_concurrent, max_memory=max_memory << 20, allow_service=allow_service,
                        allow_load=allow_load, views=views, cors=cors)
    run_server(resolve_location(_location(ctx, store_location)), opts,
               announce=lambda line: click.echo(line, err=True))


@main.command("extract")
@click.argument("source", default="-", metavar="[FILE|-]")
@click.option("--jsonl", is_flag=True, help='Read JSON Lines: one {"id": ..., "text": ...} article per line.')
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Drop facts less certain than this.")
@click.option("--observations", is_flag=True, help="Also print figures (sales, growth) as 'observation' facts.")
@click.option("--resolve", is_flag=True, help="Resolve names against the store's entities (reads the store).")
@format_option(default="jsonl")
@store_option
@click.pass_context
def extract_cmd(ctx, source, jsonl, min_confidence, observations, resolve, fmt, store_location):
    """Print the facts found in news text, without writing to the store.

    FILE is a .txt, .md, .html or .jsonl file, a directory of them, or - for
    standard input (the default). The output is one JSON object per fact:
    doc, relation, subject, object, amount, date, status, confidence, quote,
    start, end, rule …

    \b
    Examples:
      kg extract graphs/sources/xiaomi-electric-car.txt
      echo 'Acme Corp to acquire Foo Inc for $1.2 bln' | kg extract -F table
      kg extract --jsonl headlines.jsonl --min-confidence 0.7
    """
    from kg.ingest.text import extract_file, fact_rows

    gazetteer = None
    if resolve:
        from kg.resolve import gazetteer_from_store

        with _open(ctx, store_location, read_only=True) as store:
            gazetteer = gazetteer_from_store(store)
    facts, errors, printed = [], 0, 0
    for item in extract_file(source, jsonl=jsonl, gazetteer=gazetteer, min_confidence=min_confidence,
                             observations=observations):
        if "error" in item:  # one bad article is reported, and the batch goes on
            errors += 1
            click.echo(f"Error: {item['error']}", err=True)
        if fmt == "jsonl":
            click.echo(json.dumps(item, ensure_ascii=False))
            printed += "error" not in item
        elif "error" not in item:
            facts.append(item)
    if fmt != "jsonl":
        emit_rows(fact_rows(facts), fmt)
    if errors and not (facts or printed):
        ctx.exit(1)  # nothing could be read at all


# -- interactive HTML views (issue 4) ---------------------------------------


@main.command()
@click.option("--focus", metavar="ENTITY", help="Draw ENTITY's neighbourhood (name, alias or IRI).")
@click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True, help="Hops out from --focus.")
@click.option("--path", "path_ends", nargs=2, metavar="A B", help="Draw the best path from A to B inside its neighbourhood.")
@click.option("--sparql", "query", metavar="QUERY", help="Draw a CONSTRUCT result, or a SELECT of ?subject ?object (?predicate).")
@click.option("--name", "-n", metavar="NAME", help="Draw a named query's result (see kg sparql --list).")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="Bind ?KEY in --sparql/--name. Repeatable.")
@click.option("--size-by", type=click.Choice(["degree", "pagerank", "betweenness", "eigenvector", "closeness", "none"]),
              default="degree", show_default=True, help="The centrality that sizes the nodes.")
@click.option("--communities", is_flag=True, help="One node per community, sized by members; click one for its page.")
@click.option("--renderer", type=click.Choice(["auto", "vis", "canvas", "sigma"]), default="auto", show_default=True,
              help="vis-network (small graphs), a 2D-canvas map (mid-sized) or sigma.js on WebGL (large); "
                   "auto picks by size.")
@click.option("--title", help="Page title (default: describes the view).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="graph.html", show_default=True,
              help="The HTML file to write.")
@graph_filters
@store_option
@format_option()
@click.pass_context
def viz(ctx, focus, depth, path_ends, query, name, params, size_by, communities, renderer, title, output, via,
        exclude_status, since, until, include_declined, as_of, store_location, fmt):
    """Write one self-contained, offline HTML page of the graph.

    Without a view option the whole graph is drawn. The page inlines its
    drawing library (vis-network up to 250 nodes, sigma.js on WebGL above),
    so it opens with the network off. Colours are communities; the most
    central names are labelled, more as you zoom. Hover or click a node or
    edge for its facts; search names and aliases (any script); filter by
    relation, status and date (the slider); click a node to highlight its
    neighbourhood. Graphs over 600,000 edges are refused: focus, filter or
    use --communities.

    \b
    Examples:
      kg viz -o graphs/kg.html
      kg viz --focus Xiaomi --depth 2 -o xiaomi.html
      kg viz --path "Lei Jun" Tesla -o lei-jun-tesla.html
      kg viz --exclude-status rumored --size-by pagerank -o facts.html
      kg viz --sparql 'CONSTRUCT { ?a kg:investedIn ?b } WHERE { ?a kg:investedIn ?b }' -o inv.html
      kg viz --sparql 'SELECT ?subject ?object WHERE { ?subject kg:metWith ?object }' -o met.html
      kg viz --name investments -o investments.html
      kg viz --communities -o communities.html
      kg viz --as-of 2020 -o kg-2020.html
    """
    from kg.drawing import write_view
    from kg.query import parse_params

    filters = {"relations": _split(via), "exclude_status": _split(exclude_status), "since": since, "until": until,
               "include_declined": include_declined}
    if query or name:
        if any(v for k, v in filters.items()):
            raise click.UsageError("--via/--exclude-status/--since/--until/--include-declined do not apply to "
                                   "--sparql/--name; filter in the query")
        filters = {}
    with _open(ctx, store_location, read_only=True) as store:
        summary = write_view(store, output, focus=focus, depth=depth, path=path_ends, sparql=query, name=name,
                             params=parse_params(params), communities=communities, as_of=as_of, size_by=size_by,
                             renderer=renderer, title=title, **filters)
    if fmt == "json":
        emit_json(summary)
    else:
        emit_rows([summary], fmt, ["file", "view", "nodes", "edges", "renderer", "pages"])
