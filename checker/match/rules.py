"""Loading and validating rules/*.yaml and corpora/*.yaml; listing the rules.

The rules are data (see rules/README.md); this module only reads and checks them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..cache import cache_dir, read_cache, write_cache, yaml_file
from ..errors import NormtoetsError
from ..model import DOC_TYPES, STATUSES
from ..paths import corpora_dir, rules_dir

KINDS = ("clause", "regime", "linked", "coverage", "absent")
UNITS = ("sentence", "lid", "article", "document")
NORM_PREFIX = {"noord-holland": "NH", "twente": "TW", "limburg": "LI"}
NORM_NAME = {"noord-holland": "Noord-Hollandse Norm Weerbare Overheid",
             "twente": "Twente: basis op orde", "limburg": "Limburgse norm"}


class RuleError(NormtoetsError):
    code = "rules"


@dataclass
class TermSpec:
    term: str
    note: str = ""
    end: str | None = None


@dataclass
class TermSet:
    name: str
    label: str
    terms: list[TermSpec] = field(default_factory=list)


@dataclass
class Lexicon:
    sets: dict[str, TermSet]

    def get(self, name: str) -> TermSet:
        try:
            return self.sets[name]
        except KeyError:
            raise RuleError(f"Onbekende woordenlijst '{name}' in de regels.") from None


@dataclass
class Rule:
    id: str
    type: str
    title: str
    norm_refs: list[str]
    subject: list[str]
    criteria: list[dict[str, Any]]
    decide: list[dict[str, Any]]
    explain: dict[str, str]
    examples: list[dict[str, Any]]
    source: str
    evidence_from: list[str] | None = None
    mandatory: bool | None = None


@dataclass
class RuleSet:
    rules: list[Rule]
    lexicon: Lexicon
    version: str
    # pattern -> (flags, plan) of every lexicon regex compiled with re.I (nlp.literal_starts_of),
    # kept with the cached rule set so a fresh process does not parse them again
    regex_starts: dict = field(default_factory=dict)
    # the lemma data of the words of the lexicon terms (nlp.word_hints); only in a cached
    # rule set (reading the whole lemma table for it costs more than it saves once)
    word_hints: dict = field(default_factory=dict)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def _load_yaml(path: Path) -> Any:
    import yaml  # only when the rule set is built (a cache miss)

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    except yaml.YAMLError as e:
        raise RuleError(f"{path.name}: ongeldige YAML ({e}).") from None


def spec_path() -> Path | None:
    here = Path(__file__).resolve()
    for base in [here.parents[2].parent / "shared" / "spec", here.parents[2] / "spec"]:
        if (base / "requirements.yaml").is_file():
            return base / "requirements.yaml"
    return None


@lru_cache(maxsize=1)
def catalogue() -> list[dict[str, Any]]:
    """requirements.yaml (the spec) if it is reachable; used for order and validation."""
    p = spec_path()
    if not p:
        return []
    try:
        return list((yaml_file(p) or {}).get("requirements") or [])
    except Exception as e:  # noqa: BLE001 - the YAML library's error, imported lazily
        raise RuleError(f"{p.name}: ongeldige YAML ({e}).") from None


def load_lexicon(cdir: Path | None = None) -> Lexicon:
    cdir = cdir or corpora_dir()
    raw_sets: dict[str, dict] = {}
    for f in sorted(cdir.glob("*.yaml")):
        data = _load_yaml(f)
        for name, spec in (data.get("sets") or {}).items():
            if name in raw_sets:
                raise RuleError(f"Woordenlijst '{name}' staat dubbel in corpora/ ({f.name}).")
            raw_sets[name] = spec or {}
    sets: dict[str, TermSet] = {}

    def resolve(name: str, stack: tuple = ()) -> TermSet:
        if name in sets:
            return sets[name]
        if name not in raw_sets:
            raise RuleError(f"Onbekende woordenlijst '{name}' (include).")
        if name in stack:
            raise RuleError(f"Woordenlijst '{name}' bevat zichzelf.")
        spec = raw_sets[name]
        terms = []
        for t in spec.get("terms") or []:
            if isinstance(t, dict) and "term" not in t and len(t) == 1 and next(iter(t.values())) is None:
                # an unquoted term ending in ":" ("- re:\\blokaal\\s*:") reads as a YAML mapping
                terms.append(TermSpec(str(next(iter(t))) + ":"))
            elif isinstance(t, dict):
                if "term" not in t:
                    raise RuleError(f"Woordenlijst '{name}': term zonder 'term:' ({t}); zet termen met ': ' tussen aanhalingstekens.")
                terms.append(TermSpec(str(t["term"]), t.get("note", ""), str(t["end"]) if t.get("end") else None))
            else:
                terms.append(TermSpec(str(t)))
        for inc in spec.get("include") or []:
            terms.extend(resolve(inc, stack + (name,)).terms)
        ts = TermSet(name, spec.get("label", name), terms)
        sets[name] = ts
        return ts

    for n in raw_sets:
        resolve(n)
    import re as _re

    for ts in sets.values():  # a broken regex must fail here, with its set named, not mid-check
        for t in ts.terms:
            if t.term.startswith("re:"):
                try:
                    _re.compile(t.term[3:])
                except _re.error as e:
                    raise RuleError(f"Woordenlijst '{ts.name}': ongeldige reguliere expressie {t.term!r} ({e}).") from None
            elif not t.term.strip():
                raise RuleError(f"Woordenlijst '{ts.name}': lege term.")
    return Lexicon(sets)


def _files_hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def _validate(rule: dict, source: str, lex: Lexicon) -> Rule:
    rid = rule.get("id")
    if not rid:
        raise RuleError(f"{source}: regel zonder id.")
    rtype = rule.get("type")
    if rtype not in DOC_TYPES:
        raise RuleError(f"{source}: {rid}: onbekend type '{rtype}'.")
    crits = rule.get("criteria") or []
    ids = set()
    for c in crits:
        cid = c.get("id")
        if not cid or cid in ids:
            raise RuleError(f"{source}: {rid}: criterium zonder (unieke) id.")
        ids.add(cid)
        kind = c.get("kind", "clause")
        if kind not in KINDS:
            raise RuleError(f"{source}: {rid}.{cid}: onbekend kind '{kind}'.")
        if c.get("unit", "sentence") not in UNITS:
            raise RuleError(f"{source}: {rid}.{cid}: onbekende unit '{c.get('unit')}'.")
        for key in ("all", "any", "none", "ignore", "terms", "general_scope"):
            for s in c.get(key) or []:
                lex.get(s)
        for g in (c.get("groups") or {}).values():
            for s in (g.get("sets") if isinstance(g, dict) else g) or []:
                lex.get(s)
        for ref in ("link_to", "within"):
            if c.get(ref) and c[ref] not in ids:
                raise RuleError(f"{source}: {rid}.{cid}: {ref} '{c[ref]}' moet een eerder criterium zijn.")
    for s in rule.get("subject") or []:
        lex.get(s)
    decide = rule.get("decide") or [{"status": "missing"}]
    for d in decide:
        if d.get("status") not in STATUSES:
            raise RuleError(f"{source}: {rid}: onbekende status '{d.get('status')}' in decide.")
        for key in ("all", "any", "none", "weak"):
            for cid in d.get(key) or []:
                if cid not in ids:
                    raise RuleError(f"{source}: {rid}: decide verwijst naar onbekend criterium '{cid}'.")
    for ex in rule.get("examples") or []:
        if ex.get("status") not in STATUSES or not ex.get("text"):
            raise RuleError(f"{source}: {rid}: voorbeeld zonder geldige status of tekst.")
    return Rule(id=rid, type=rtype, title=rule.get("title", rid), norm_refs=list(rule.get("norm_refs") or []),
                subject=list(rule.get("subject") or []), criteria=crits, decide=decide,
                explain=dict(rule.get("explain") or {}), examples=list(rule.get("examples") or []),
                source=source, evidence_from=rule.get("evidence_from"), mandatory=rule.get("mandatory"))


_CACHE_FORMAT = 1
_CACHE_KEEP = 8  # rule caches kept in the user cache dir (one per rules edit / checkout)


def _cache_key(rpath: Path, cpath: Path) -> str:
    """Hash of everything the loaded RuleSet depends on: the YAML files, the catalogue
    (rule order), this module (validation, dataclasses), nlp.py (regex_starts, word_hints),
    the lemma table (word_hints) and the versions involved."""
    import sys

    from .. import __version__
    from .nlp import lemma_source_id

    # PyYAML's version is left out: reading it means importing yaml, which the cache avoids
    h = hashlib.sha256(f"{_CACHE_FORMAT}|{__version__}|{sys.version}|{lemma_source_id()}".encode())
    spec = spec_path()
    files = sorted(rpath.glob("*.yaml")) + [None] + sorted(cpath.glob("*.yaml")) + [None, spec, Path(__file__), Path(__file__).with_name("nlp.py")]
    for f in files:
        if f is None:
            h.update(b"\0|")
            continue
        h.update(str(f.name).encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()[:24]


def _cached_load(rpath: Path, cpath: Path) -> RuleSet:
    """_build from a pickled copy in the user cache when nothing it depends on changed.

    Parsing and validating ~400 kB of YAML (and compiling every lexicon regex to check it)
    takes 0.15-0.2 s per process - paid by every CLI call and batch worker. The pickle
    loads in a few ms. Any problem with the cache (unwritable, corrupt, stale format)
    falls back to reading the YAML; errors in the rules are never cached.
    """
    cdir = cache_dir()
    path = None
    if cdir is not None:
        path = cdir / f"rules-{_cache_key(rpath, cpath)}.pickle"
        rs = read_cache(path)
        if isinstance(rs, RuleSet):
            return rs
    rs = _build(rpath, cpath, hints=path is not None)
    if path is not None and write_cache(rs, path):
        try:
            old = sorted(path.parent.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in old[_CACHE_KEEP:]:
                stale.unlink(missing_ok=True)
        except OSError:
            pass
    return rs


@lru_cache(maxsize=4)
def _load(rdir: str, cdir: str) -> RuleSet:
    return _cached_load(Path(rdir), Path(cdir))


def _build(rpath: Path, cpath: Path, hints: bool = False) -> RuleSet:
    lex = load_lexicon(cpath)
    rule_files = sorted(rpath.glob("*.yaml"))
    rules: list[Rule] = []
    seen = set()
    for f in rule_files:
        data = _load_yaml(f)
        for r in data.get("rules") or []:
            rule = _validate(r, f.name, lex)
            if rule.id in seen:
                raise RuleError(f"{f.name}: eis '{rule.id}' staat dubbel in de regels.")
            seen.add(rule.id)
            rules.append(rule)
    order = {r["id"]: i for i, r in enumerate(catalogue())}
    type_order = {t: i for i, t in enumerate(DOC_TYPES)}
    rules.sort(key=lambda r: (order.get(r.id, 10_000), type_order.get(r.type, 99), r.id))
    version = _files_hash(rule_files + sorted(cpath.glob("*.yaml")))
    from .nlp import literal_starts_of, term_words, word_hints

    starts = {}
    for ts in lex.sets.values():
        for t in ts.terms:
            if t.term.startswith("re:") and t.term[3:] not in starts:
                (_, flags), plan = literal_starts_of(t.term[3:])
                starts[t.term[3:]] = (flags, plan)
    words = {}
    if hints:
        words = word_hints(sorted({w for ts in lex.sets.values() for t in ts.terms
                                   if not t.term.startswith("re:") for w in term_words(t.term)}))
    return RuleSet(rules=rules, lexicon=lex, version=version, regex_starts=starts, word_hints=words)


def load_rules(rules_path: Path | None = None, corpora_path: Path | None = None) -> RuleSet:
    rs = _load(str(rules_path or rules_dir()), str(corpora_path or corpora_dir()))
    if rs.regex_starts or rs.word_hints:
        from .nlp import prime_literal_starts, prime_word_hints

        prime_literal_starts(rs.regex_starts)
        prime_word_hints(rs.word_hints)
    return rs


# ------------------------------------------------------------------ listing (`normtoets rules`)


def _applies(rule: Rule, norm: str | None) -> bool:
    if not norm:
        return True
    prefix = NORM_PREFIX.get(norm, norm)
    return any(ref.upper().startswith(prefix) for ref in rule.norm_refs)


def list_rules_json(norm: str | None = None) -> dict:
    rs = load_rules()
    out = []
    for r in rs.rules:
        if not _applies(r, norm):
            continue
        out.append({
            "requirement": r.id, "type": r.type, "title": r.title, "norm_refs": r.norm_refs,
            "criteria": [{"id": c["id"], "label": c.get("label", c["id"]), "kind": c.get("kind", "clause")}
                         for c in r.criteria],
            "statuses": sorted({d["status"] for d in r.decide}, key=STATUSES.index),
            "examples": len(r.examples), "source": r.source,
        })
    return {"norm": norm, "rules_version": rs.version, "rules": out}


def list_rules_text(norm: str | None = None) -> str:
    data = list_rules_json(norm)
    lines = []
    head = f"Eisen ({NORM_NAME.get(norm, 'alle normen')})" if norm else "Eisen (alle normen)"
    lines.append(f"{head} - regels versie {data['rules_version']}")
    if not data["rules"]:
        lines.append("Geen eisen die uit documenten kunnen worden getoetst voor deze norm; "
                     "de normonderdelen worden handmatig beoordeeld.")
    cur = None
    for r in data["rules"]:
        if r["type"] != cur:
            cur = r["type"]
            lines.append("")
            lines.append(f"[{cur}]")
        refs = ", ".join(r["norm_refs"])
        lines.append(f"  {r['requirement']:<36} {r['title']}" + (f"  ({refs})" if refs else ""))
        crit = "; ".join(c["label"] for c in r["criteria"])
        if crit:
            lines.append(f"  {'':<36} criteria: {crit}")
    return "\n".join(lines) + "\n"
