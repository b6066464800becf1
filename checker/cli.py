"""Command line: thin. Every command parses options and hands over to the pipeline.

Heavy modules (spaCy, FastAPI, openpyxl) are imported inside the commands so that
`normtoets parse` starts fast.
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .errors import NormtoetsError, UsageError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="normtoets: toetst APV, Bibob-beleid, Damoclesbeleid, gedragscode en "
         "agressieprotocol aan de Norm Weerbare Overheid.",
)

NORMS = ("noord-holland", "twente", "limburg")


class ParseFormat(str, Enum):
    json = "json"
    text = "text"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"
    csv = "csv"
    xlsx = "xlsx"


def _validate_type(doc_type: Optional[str]) -> Optional[str]:
    from .model import DOC_TYPES

    if doc_type is None:
        return None
    t = doc_type.strip().lower()
    if t not in DOC_TYPES:
        raise UsageError(f"Onbekende documentsoort '{doc_type}'; kies uit: {', '.join(DOC_TYPES)}.")
    return t


def _validate_norm(norm: str) -> str:
    n = norm.strip().lower()
    aliases = {"nh": "noord-holland", "noordholland": "noord-holland", "tw": "twente", "li": "limburg"}
    n = aliases.get(n, n)
    if n not in NORMS:
        raise UsageError(f"Onbekende norm '{norm}'; kies uit: {', '.join(NORMS)}.")
    return n


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


def _report_errors(errors) -> None:
    for e in errors:
        _stderr(f"normtoets: {e.path}: {e.error}")


@app.command()
def parse(
    files: List[Path] = typer.Argument(..., help="Documenten (.pdf, .docx, .html, .xml, .txt, .md) of een map."),
    format: ParseFormat = typer.Option(ParseFormat.text, "--format", "-f", help="json of text"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Schrijf naar dit bestand."),
    doc_type: Optional[str] = typer.Option(None, "--type", help="Documentsoort opgeven (apv, bibob, damocles, integriteit, agressie)."),
):
    """Toon de structuur (hoofdstukken, artikelen, secties) van elk document."""
    from .pipeline import parse_paths
    from .report.jsonout import dumps, parse_dict, write_text

    result = parse_paths(files, _validate_type(doc_type))
    _report_errors(result.errors)
    if format == ParseFormat.json:
        write_text(dumps(parse_dict(result)), output)
    else:
        from .report.outline import render_outline

        write_text(render_outline(result, color=output is None and sys.stdout.isatty()), output)
    raise typer.Exit(1 if result.errors else 0)


@app.command()
def check(
    files: List[Path] = typer.Argument(..., help="Documenten of een map met de documenten van een gemeente."),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="text, json, markdown, html, csv of xlsx"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Schrijf het rapport naar dit bestand."),
    doc_type: Optional[str] = typer.Option(None, "--type", help="Documentsoort opgeven voor alle bestanden."),
    norm: str = typer.Option("noord-holland", "--norm", help="noord-holland, twente of limburg"),
    manual: Optional[Path] = typer.Option(None, "--manual", help="YAML of CSV met antwoorden op de handmatig te beoordelen normonderdelen."),
    municipality: Optional[str] = typer.Option(None, "--gemeente", "--municipality", help="Naam van de gemeente (anders uit de documenten)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="missing of partial: exit 3 als een eis die status (of slechter) heeft."),
    db: Optional[Path] = typer.Option(None, "--db", help="Sla het resultaat op in deze historie-database (SQLite)."),
):
    """Toets documenten aan de norm en toon per eis: aanwezig, gedeeltelijk, ontbreekt of niet van toepassing."""
    from .pipeline import check_paths
    from .report import render

    norm = _validate_norm(norm)
    if fail_on not in (None, "missing", "partial"):
        raise UsageError("--fail-on kent alleen 'missing' en 'partial'.")
    if manual is not None:
        from .norms import load_answers

        load_answers(manual, norm)  # a bad answers file fails before any document is read
    result = check_paths(files, norm=norm, type_override=_validate_type(doc_type), manual=manual,
                         municipality=municipality)
    _report_errors(result.errors)
    for w in result.warnings:
        _stderr(f"normtoets: waarschuwing: {w}")
    if db is not None or municipality:
        from .batch.history import record_check

        record_check(result, db_path=db)
    tty = output is None and sys.stdout.isatty()
    render(result, format.value, output=output, color=tty)
    if result.errors:
        raise typer.Exit(1)
    if fail_on:
        bad = {"missing"} if fail_on == "missing" else {"missing", "partial"}
        if any(f.status in bad for f in result.findings):
            raise typer.Exit(3)
    raise typer.Exit(0)


@app.command()
def rules(
    norm: Optional[str] = typer.Option(None, "--norm", help="Groepeer naar deze norm."),
    format: ParseFormat = typer.Option(ParseFormat.text, "--format", "-f"),
):
    """Lijst van de eisen met hun normverwijzingen."""
    from .match.rules import list_rules_text, list_rules_json
    from .report.jsonout import dumps

    n = _validate_norm(norm) if norm else None
    if format == ParseFormat.json:
        sys.stdout.write(dumps(list_rules_json(n)))
    else:
        sys.stdout.write(list_rules_text(n))


@app.command()
def explain(
    requirement: str = typer.Argument(..., help="Eis-id, bijv. apv.exploitatie.horeca"),
    files: List[Path] = typer.Argument(..., help="Document(en) of map."),
    doc_type: Optional[str] = typer.Option(None, "--type"),
):
    """Laat zien hoe het oordeel over één eis tot stand kwam."""
    from .match import explain as do_explain
    from .pipeline import parse_paths

    parsed = parse_paths(files, _validate_type(doc_type))
    _report_errors(parsed.errors)
    sys.stdout.write(do_explain(requirement, parsed.documents))
    raise typer.Exit(1 if parsed.errors else 0)


@app.command()
def annotate(
    draft: Path = typer.Argument(..., help="Concept als .docx"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Standaard: NAAM.nagekeken.docx"),
    norm: str = typer.Option("noord-holland", "--norm"),
    doc_type: Optional[str] = typer.Option(None, "--type"),
):
    """Geef een DOCX-concept terug met Word-opmerkingen bij elke eis die niet (volledig) is gehaald."""
    from .report.annotate import annotate_docx

    out = output or draft.with_name(draft.stem + ".nagekeken.docx")
    summary = annotate_docx(draft, out, norm=_validate_norm(norm), type_override=_validate_type(doc_type))
    _stderr(summary)


@app.command()
def diff(
    old: Path = typer.Argument(..., help="Oude versie"),
    new: Path = typer.Argument(..., help="Nieuwe versie"),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="text, json, markdown of html"),
    output: Optional[Path] = typer.Option(None, "--output", "-o"),
    doc_type: Optional[str] = typer.Option(None, "--type"),
):
    """Vergelijk twee versies van hetzelfde document: eisen, artikelen en bewijszinnen."""
    from .report.diff import diff_paths, render_diff

    d = diff_paths(old, new, type_override=_validate_type(doc_type))
    render_diff(d, format.value, output=output, color=output is None and sys.stdout.isatty())


@app.command()
def batch(
    region: Path = typer.Argument(..., help="Map met per gemeente een submap met documenten."),
    out: Path = typer.Option(..., "--out", help="Uitvoermap."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Aantal parallelle processen (standaard: aantal cores)."),
    norm: str = typer.Option("noord-holland", "--norm"),
    timeout: float = typer.Option(120.0, "--timeout", help="Maximale tijd per document in seconden."),
    db: Optional[Path] = typer.Option(None, "--db", help="Historie-database (SQLite)."),
    force: bool = typer.Option(False, "--force", help="Controleer ook ongewijzigde gemeenten opnieuw."),
):
    """Controleer alle gemeenten van een regio; hervat waar een eerdere run stopte."""
    from .batch import run_batch

    code = run_batch(region, out, jobs=jobs or None, norm=_validate_norm(norm), timeout=timeout,
                     db_path=db, force=force)
    raise typer.Exit(code)


@app.command()
def history(
    municipality: str = typer.Argument(..., help="Naam van de gemeente"),
    db: Optional[Path] = typer.Option(None, "--db"),
    format: ParseFormat = typer.Option(ParseFormat.text, "--format", "-f"),
):
    """Toon per eis het verloop van eerdere controles van een gemeente (0-meting, dan per jaar)."""
    from .batch.history import show_history

    sys.stdout.write(show_history(municipality, db_path=db, fmt=format.value))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(0, "--workers", help="Aantal controle-processen (standaard: aantal cores)."),
):
    """Start de webapplicatie voor het uploaden van documenten."""
    from .web import run_server

    run_server(host=host, port=port, workers=workers or None)


def _version_callback(value: bool):
    if value:
        print(f"normtoets {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                       help="Toon de versie.")):
    pass


def main() -> None:
    """Entry point: no traceback ever reaches a user."""
    try:
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except UsageError as e:
        _stderr(f"normtoets: {e}")
        sys.exit(2)
    except NormtoetsError as e:
        _stderr(f"normtoets: {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        _stderr("normtoets: afgebroken.")
        sys.exit(130)
    except (typer.BadParameter, typer.Abort) as e:  # click usage errors
        _stderr(f"normtoets: {e}")
        sys.exit(2)
    except Exception as e:  # noqa: BLE001
        import click

        if isinstance(e, click.ClickException):
            e.show()
            sys.exit(2 if isinstance(e, click.UsageError) else 1)
        if isinstance(e, click.exceptions.Exit):
            sys.exit(e.exit_code)
        _stderr(f"normtoets: onverwachte fout ({type(e).__name__}: {e}). "
                "Meld dit met het bestand erbij.")
        sys.exit(1)


if __name__ == "__main__":
    main()
