"""Command line: thin. Every command parses options and hands over to the pipeline.

argparse rather than a CLI framework: checking a document takes a fraction of a second,
and importing typer/click alone cost ~50 ms of that. Heavy modules (the engine, FastAPI,
openpyxl) are imported inside the commands.
"""
from __future__ import annotations

import argparse
import gc
import re
import sys
from pathlib import Path

from . import __version__
from .errors import NormtoetsError, UsageError

NORMS = ("noord-holland", "twente", "limburg")
PARSE_FORMATS = ("text", "json")
CHECK_FORMATS = ("text", "json", "markdown", "html", "csv", "xlsx")
DIFF_FORMATS = ("text", "json", "markdown", "html")


def _validate_type(doc_type: str | None) -> str | None:
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


# ---------------------------------------------------------------- commands
# Each returns the exit status.


def cmd_parse(a) -> int:
    from .pipeline import parse_paths
    from .report.jsonout import dumps, parse_dict, write_text

    result = parse_paths(a.files, _validate_type(a.type))
    _report_errors(result.errors)
    if a.format == "json":
        write_text(dumps(parse_dict(result)), a.output)
    else:
        from .report.outline import render_outline

        write_text(render_outline(result, color=a.output is None and sys.stdout.isatty()), a.output)
    return 1 if result.errors else 0


def cmd_check(a) -> int:
    from .pipeline import check_paths
    from .report import render

    norm = _validate_norm(a.norm)
    if a.manual is not None:
        from .norms import load_answers

        load_answers(a.manual, norm)  # a bad answers file fails before any document is read
    result = check_paths(a.files, norm=norm, type_override=_validate_type(a.type), manual=a.manual,
                         municipality=a.gemeente)
    _report_errors(result.errors)
    for w in result.warnings:
        _stderr(f"normtoets: waarschuwing: {w}")
    if a.db is not None or a.gemeente:
        from .batch.history import record_check

        record_check(result, db_path=a.db)
    render(result, a.format, output=a.output, color=a.output is None and sys.stdout.isatty())
    if result.errors:
        return 1
    if a.fail_on:
        bad = {"missing"} if a.fail_on == "missing" else {"missing", "partial"}
        if any(f.status in bad for f in result.findings):
            return 3
    return 0


def cmd_rules(a) -> int:
    from .match.rules import list_rules_json, list_rules_text
    from .report.jsonout import dumps

    n = _validate_norm(a.norm) if a.norm else None
    sys.stdout.write(dumps(list_rules_json(n)) if a.format == "json" else list_rules_text(n))
    return 0


def cmd_explain(a) -> int:
    from .match import explain
    from .pipeline import parse_paths

    parsed = parse_paths(a.files, _validate_type(a.type))
    _report_errors(parsed.errors)
    sys.stdout.write(explain(a.requirement, parsed.documents))
    return 1 if parsed.errors else 0


def cmd_annotate(a) -> int:
    from .report.annotate import annotate_docx

    out = a.output or a.draft.with_name(a.draft.stem + ".nagekeken.docx")
    _stderr(annotate_docx(a.draft, out, norm=_validate_norm(a.norm), type_override=_validate_type(a.type)))
    return 0


def cmd_diff(a) -> int:
    from .report.diff import diff_paths, render_diff

    d = diff_paths(a.old, a.new, type_override=_validate_type(a.type))
    render_diff(d, a.format, output=a.output, color=a.output is None and sys.stdout.isatty())
    return 0


def cmd_batch(a) -> int:
    from .batch import run_batch

    return run_batch(a.region, a.out, jobs=a.jobs or None, norm=_validate_norm(a.norm), timeout=a.timeout,
                     db_path=a.db, force=a.force)


def cmd_history(a) -> int:
    from .batch.history import show_history

    sys.stdout.write(show_history(a.municipality, db_path=a.db, fmt=a.format))
    return 0


def cmd_serve(a) -> int:
    from .web import run_server

    run_server(host=a.host, port=a.port, workers=a.workers or None)
    return 0


# ---------------------------------------------------------------- parser (Dutch)

# argparse's own messages are English; users see these Dutch ones instead.
_ARGPARSE_NL = [
    (r"the following arguments are required: (.*)", r"verplicht argument ontbreekt: \1"),
    (r"unrecognized arguments: (.*)", r"onbekend argument: \1"),
    (r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)",
     lambda m: f"{m[1]}: ongeldige keuze '{m[2]}' (kies uit {m[3].replace(chr(39), '')})"),
    (r"argument (\S+): invalid (?:int|float) value: '([^']*)'", r"\1: '\2' is geen getal"),
    (r"argument (\S+): expected one argument", r"\1 verwacht een waarde"),
    (r"argument (\S+): ignored explicit argument '([^']*)'", r"\1 neemt geen waarde ('\2')"),
    (r"ambiguous option: (\S+) could match (.*)", r"dubbelzinnige optie \1: bedoelt u \2?"),
]


def _dutch(message: str) -> str:
    for pat, repl in _ARGPARSE_NL:
        new, n = re.subn(pat, repl, message)
        if n:
            return new
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="gebruik: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="Toon deze hulptekst.")

    def error(self, message):
        raise UsageError(f"{_dutch(message)} (zie: {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="normtoets",
                description="normtoets: toetst APV, Bibob-beleid, Damoclesbeleid, gedragscode en "
                            "agressieprotocol aan de Norm Weerbare Overheid.")
    p.add_argument("--version", action="version", version=f"normtoets {__version__}",
                   help="Toon de versie.")
    sub = p.add_subparsers(dest="command", metavar="OPDRACHT", parser_class=_Parser, title="opdrachten")

    def command(name: str, func, help_text: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_text, description=help_text)
        c.set_defaults(func=func)
        return c

    def files(c, help_text: str) -> None:
        c.add_argument("files", nargs="+", type=Path, metavar="BESTAND", help=help_text)

    def doc_type(c, help_text: str = "Documentsoort opgeven (apv, bibob, damocles, integriteit, agressie).") -> None:
        c.add_argument("--type", help=help_text)

    def fmt(c, choices, help_text: str) -> None:
        c.add_argument("--format", "-f", choices=choices, default=choices[0], help=help_text)

    def output(c, help_text: str = "Schrijf naar dit bestand.") -> None:
        c.add_argument("--output", "-o", type=Path, help=help_text)

    def norm(c, default: str | None = "noord-holland", help_text: str = "noord-holland, twente of limburg") -> None:
        c.add_argument("--norm", default=default, help=help_text)

    c = command("parse", cmd_parse, "Toon de structuur (hoofdstukken, artikelen, secties) van elk document.")
    files(c, "Documenten (.pdf, .docx, .html, .xml, .txt, .md) of een map.")
    fmt(c, PARSE_FORMATS, "json of text")
    output(c)
    doc_type(c)

    c = command("check", cmd_check, "Toets documenten aan de norm en toon per eis: aanwezig, gedeeltelijk, "
                                    "ontbreekt of niet van toepassing.")
    files(c, "Documenten of een map met de documenten van een gemeente.")
    fmt(c, CHECK_FORMATS, "text, json, markdown, html, csv of xlsx")
    output(c, "Schrijf het rapport naar dit bestand.")
    doc_type(c, "Documentsoort opgeven voor alle bestanden.")
    norm(c)
    c.add_argument("--manual", type=Path,
                   help="YAML of CSV met antwoorden op de handmatig te beoordelen normonderdelen.")
    c.add_argument("--gemeente", "--municipality", dest="gemeente",
                   help="Naam van de gemeente (anders uit de documenten).")
    c.add_argument("--fail-on", choices=("missing", "partial"),
                   help="missing of partial: exit 3 als een eis die status (of slechter) heeft.")
    c.add_argument("--db", type=Path, help="Sla het resultaat op in deze historie-database (SQLite).")

    c = command("rules", cmd_rules, "Lijst van de eisen met hun normverwijzingen.")
    norm(c, None, "Groepeer naar deze norm.")
    fmt(c, PARSE_FORMATS, "json of text")

    c = command("explain", cmd_explain, "Laat zien hoe het oordeel over één eis tot stand kwam.")
    c.add_argument("requirement", metavar="EIS", help="Eis-id, bijv. apv.exploitatie.horeca")
    files(c, "Document(en) of map.")
    doc_type(c)

    c = command("annotate", cmd_annotate, "Geef een DOCX-concept terug met Word-opmerkingen bij elke eis "
                                          "die niet (volledig) is gehaald.")
    c.add_argument("draft", type=Path, metavar="CONCEPT", help="Concept als .docx")
    output(c, "Standaard: NAAM.nagekeken.docx")
    norm(c)
    doc_type(c)

    c = command("diff", cmd_diff, "Vergelijk twee versies van hetzelfde document: eisen, artikelen en bewijszinnen.")
    c.add_argument("old", type=Path, metavar="OUD", help="Oude versie")
    c.add_argument("new", type=Path, metavar="NIEUW", help="Nieuwe versie")
    fmt(c, DIFF_FORMATS, "text, json, markdown of html")
    output(c)
    doc_type(c)

    c = command("batch", cmd_batch, "Controleer alle gemeenten van een regio; hervat waar een eerdere run stopte.")
    c.add_argument("region", type=Path, metavar="REGIO", help="Map met per gemeente een submap met documenten.")
    c.add_argument("--out", type=Path, required=True, help="Uitvoermap.")
    c.add_argument("--jobs", "-j", type=int, default=0,
                   help="Aantal parallelle processen (standaard: aantal cores).")
    norm(c)
    c.add_argument("--timeout", type=float, default=120.0, help="Maximale tijd per document in seconden.")
    c.add_argument("--db", type=Path, help="Historie-database (SQLite).")
    c.add_argument("--force", action="store_true", help="Controleer ook ongewijzigde gemeenten opnieuw.")

    c = command("history", cmd_history, "Toon per eis het verloop van eerdere controles van een gemeente "
                                        "(0-meting, dan per jaar).")
    c.add_argument("municipality", metavar="GEMEENTE", help="Naam van de gemeente")
    c.add_argument("--db", type=Path, help="Historie-database (SQLite).")
    fmt(c, PARSE_FORMATS, "json of text")

    c = command("serve", cmd_serve, "Start de webapplicatie voor het uploaden van documenten.")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--workers", type=int, default=0, help="Aantal controle-processen (standaard: aantal cores).")
    return p


def main(argv: list[str] | None = None) -> None:
    """Entry point: no traceback ever reaches a user."""
    # One command is one short process that builds a large graph of document objects with
    # few reference cycles: at the default thresholds the collector walks that growing graph
    # over and over (~5% of a check). Collect rarely instead.
    gc.set_threshold(50_000, 20, 20)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:  # no command: show what there is
            parser.print_help()
            sys.exit(2)
        sys.exit(args.func(args))
    except UsageError as e:
        _stderr(f"normtoets: {e}")
        sys.exit(2)
    except NormtoetsError as e:
        _stderr(f"normtoets: {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        _stderr("normtoets: afgebroken.")
        sys.exit(130)
    except BrokenPipeError:  # `normtoets check ... | head`: the reader left, nothing to say
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except Exception as e:  # noqa: BLE001
        _stderr(f"normtoets: onverwachte fout ({type(e).__name__}: {e}). "
                "Meld dit met het bestand erbij.")
        sys.exit(1)


if __name__ == "__main__":
    main()
