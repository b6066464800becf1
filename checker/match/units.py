"""Split the in-force articles of a StructuredDocument into matchable units.

Segments are the atoms (a sentence of a lid, a lid's lead, an onderdeel, a title);
units are what criteria look at:
  sentence  one sentence, or lead sentence + onderdeel (+ parent onderdelen)
  lid       a lid with its onderdelen
  article   the whole article with its title
  document  every in-force article of the document
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import repeat

from ..ingest.layout import squash_spaces
from ..model import Article, StructuredDocument
from .nlp import Segment, TextIndex

_LID = re.compile(r"^\s*\(?(\d{1,2}[a-z]?)[.)]\s+(.*)$", re.S)
_BULLETS = "-•–▪·*"
_BULLET = re.compile(rf"^\s*[{_BULLETS}]\s+(.*)$", re.S)
_OND = re.compile(r"^\s*\(?([a-z]{1,2})[.)]\s+(.*)$", re.S)
_SUB = re.compile(r"^\s*(\d{1,2}\s?°|[ivx]{1,4}[.)])\.?\s*(.*)$", re.S)
_ABBREVIATIONS = ("art", "artt", "o.a", "bijv", "nr", "jo", "e.d", "resp", "m.b.t", "t.a.v", "i.v.m", "z.s.m",
                  "c.q", "mr", "drs", "ir", "ing", "dhr", "mevr", "jl", "a.s", "ca", "incl", "excl", "etc", "blz",
                  "pag", "vgl", "zgn", "d.w.z", "o.b.v", "e.a", "m.u.v", "Stb", "Stcrt")
_SENT_END = re.compile(r"[.!?](?=\s+[A-Z(\"'])")
# A full stop after an abbreviation, a single letter ("onder a.") or a digit ends no sentence.
_NO_END = re.compile(rf"(?:(?i:\b(?:{'|'.join(map(re.escape, _ABBREVIATIONS))}))|\b[a-z]|\d)\.$")
# ... and such a stop ends the match: the last few characters are enough to search (a search
# from `pos` still sees the character before it for \b)
_NO_END_SPAN = max(map(len, _ABBREVIATIONS)) + 1


@dataclass(slots=True)  # ~6k per large APV: slots make them smaller and quicker to fill
class Unit:
    uid: int
    kind: str                      # sentence | lid | article | document
    doc: int                       # index into the docs list
    art: int | None                # index into Ctx.articles of that doc
    segs: list[int]                # segment ids (lead first)
    lid: str | None = None
    ond: str | None = None         # "a", "a 2°"
    page: int | None = None
    own: int | None = None         # the segment that carries this unit's own text


@dataclass
class ArticleInfo:
    article: Article
    idx: int                       # position among in-force articles of its document
    title_seg: int | None = None
    segs: list[int] = field(default_factory=list)
    sentence_units: list[int] = field(default_factory=list)
    lid_units: list[int] = field(default_factory=list)
    article_unit: int | None = None


@dataclass
class DocCtx:
    doc: StructuredDocument
    index: TextIndex
    articles: list[ArticleInfo]
    units: list[Unit]
    seg_kind: list[str]            # "title" | "lead" | "sentence" | "ond" | "preamble"
    seg_parent: list[int | None]   # onderdeel -> lead/parent onderdeel segment
    preamble_seg: int | None = None
    document_unit: int | None = None


def split_sentences(text: str) -> list[str]:
    text = squash_spaces(text)
    if not text:
        return []
    if ". " not in text and "! " not in text and "? " not in text:  # each \s+ is one space now
        return [text]
    out, start = [], 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        if _NO_END.search(text, max(start, end - _NO_END_SPAN), end):
            continue
        out.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _parse_body(text: str) -> list[dict]:
    """Article body -> [{'num': '1'|None, 'lines': [...], 'onds': [{'label','text','subs':[...]}]}]."""
    leden: list[dict] = []
    cur: dict | None = None
    cur_ond: dict | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        # A marker pattern can only match a line starting with one of its first characters (the
        # line is stripped: their leading \s* matches nothing), so most lines try one at most.
        c = line[0]
        if c == "|" and line.count("|") >= 2:
            # a table: the first row is the lead (header), every next row an onderdeel
            if cur is not None and cur.get("table"):
                if cur.get("marks"):
                    line = _resolve_marks(cur["marks"], line)
                cur["onds"].append({"label": "", "text": line, "subs": [], "own_only": bool(cur.get("marks"))})
            else:
                cur = {"num": None, "lines": [line], "onds": [], "table": True, "marks": _mark_columns(line)}
                cur_ond = None
                leden.append(cur)
            continue
        if cur is not None and cur.get("table"):
            cur = None
            cur_ond = None
        m = _SUB.match(line) if "°" in line[:4] else None  # "2°" / "12 °": the ° is in the first 4
        if m and "°" in m.group(1):
            if cur_ond is not None:
                cur_ond["subs"].append({"label": m.group(1).replace(" ", ""), "text": m.group(2)})
                continue
            line = f"{m.group(1)} {m.group(2)}"
            c = line[0]
        m = _LID.match(line) if (c == "(" or c.isdigit()) and "°" not in line[:4] else None
        if m and cur is not None and not cur.get("table") \
                and cur["lines"] and cur["lines"][-1].rstrip().endswith(":") \
                and all(o["label"].isdigit() for o in cur["onds"]) and m.group(2)[:1].islower():
            # "In de volgende gevallen ... altijd een Bibob-toets uit:" + "1. bij een aanvraag ...":
            # numbered lowercase fragments after a colon are list items of that lead, not leden
            cur_ond = {"label": m.group(1), "text": m.group(2), "subs": []}
            cur["onds"].append(cur_ond)
            continue
        if m:
            cur = {"num": m.group(1), "lines": [m.group(2)], "onds": []}
            cur_ond = None
            leden.append(cur)
            continue
        m = _BULLET.match(line) if c in _BULLETS else None
        if m:  # bullets are onderdelen without a letter; they inherit the lead sentence too
            if cur is None:
                cur = {"num": None, "lines": [], "onds": []}
                leden.append(cur)
            cur_ond = {"label": "", "text": m.group(1), "subs": []}
            cur["onds"].append(cur_ond)
            continue
        m = _OND.match(line) if c == "(" or "a" <= c <= "z" else None
        if m and len(m.group(1)) <= 2:
            if cur is None:
                cur = {"num": None, "lines": [], "onds": []}
                leden.append(cur)
            cur_ond = {"label": m.group(1), "text": m.group(2), "subs": []}
            cur["onds"].append(cur_ond)
            continue
        prev = (cur_ond["subs"][-1]["text"] if cur_ond and cur_ond["subs"] else cur_ond["text"]) if cur_ond else ""
        if cur is None or (cur_ond is not None and line[:1].isupper() and prev.rstrip()[-1:] in ".;:"):
            # a new unnumbered paragraph (e.g. a second lead sentence after a list)
            cur = {"num": None, "lines": [line], "onds": []}
            cur_ond = None
            leden.append(cur)
        elif cur_ond is not None:
            if cur_ond["subs"]:
                cur_ond["subs"][-1]["text"] += " " + line
            else:
                cur_ond["text"] += " " + line
        else:
            cur["lines"].append(line)
    return leden


_MODAL_HEAD = re.compile(r"^(?:altijd|standaard|verplicht|in alle gevallen|facultatief|optioneel|"
                         r"kan|niet|nooit|geen toetsing|verplichte toetsing|facultatieve toetsing)$", re.I)
_MARK = re.compile(r"^(?:x|v|ja|\u2713|\u2714|\u221a|\u2022|\*|\+)$", re.I)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _mark_columns(header: str) -> dict[int, str] | None:
    """Header "| Beschikking | Altijd | Facultatief |" -> {1: 'altijd', 2: 'facultatief'}.

    In such a table the modality sits in the column of a tick ("x"), so the header's words
    must not be inherited by every row (that made every row 'altijd')."""
    cols = {i: c.lower() for i, c in enumerate(_cells(header)) if _MODAL_HEAD.match(c)}
    return cols if len(cols) >= 2 else None


def _resolve_marks(cols: dict[int, str], line: str) -> str:
    cells = _cells(line)
    out = []
    for i, c in enumerate(cells):
        out.append(cols[i] if i in cols and _MARK.match(c) else ("" if i in cols else c))
    return "| " + " | ".join(out) + " |"


def _from_model_leden(article: Article) -> list[dict]:
    out = []
    for lid in article.leden:
        onds = []
        for o in lid.onderdelen:
            onds.append({"label": (o.number or "").rstrip(".)"), "text": o.text,
                         "subs": [{"label": (s.number or "").rstrip(".)"), "text": s.text} for s in o.onderdelen]})
        txt = lid.text
        for o in lid.onderdelen:  # some parsers keep the onderdelen inside lid.text
            if o.text and o.text in txt:
                txt = txt[: txt.index(o.text)].rstrip(" \n" + (o.number or ""))
        out.append({"num": lid.number, "lines": [txt], "onds": onds})
    return out


def build(docs: list[StructuredDocument]) -> list[DocCtx]:
    return [build_doc(i, d) for i, d in enumerate(docs)]


def build_doc(di: int, doc: StructuredDocument) -> DocCtx:
    # A large APV has ~4k segments and ~6k units: they are appended inline and units made
    # with positional arguments (a helper call or keyword arguments cost as much as the unit).
    # Segments are numbered in the order they are added, so an article's segments (title,
    # then lid by lid) and a lid's segments are each a contiguous range of ids.
    texts: list[str] = []
    kinds: list[str] = []
    parents: list[int | None] = []
    units: list[Unit] = []
    arts: list[ArticleInfo] = []

    preamble_seg = None
    if doc.preamble:
        preamble_seg = 0
        texts.append(doc.preamble)
        kinds.append("preamble")
        parents.append(None)
    first_art_seg = len(texts)
    for ai, art in enumerate(a for a in doc.articles if a.status == "in_force"):
        info = ArticleInfo(art, ai)
        arts.append(info)
        page = art.page
        sentence_units = info.sentence_units
        art_first = len(texts)
        if art.title:
            info.title_seg = art_first
            texts.append(art.title)
            kinds.append("title")
            parents.append(None)
        body = _parse_body(art.text or "")
        if art.leden and (len(body) <= 1 and (not body or body[0]["num"] is None)) and "\n" not in (art.text or "").strip():
            body = _from_model_leden(art)
        for lid in body:
            num = lid["num"]
            lid_first = len(texts)
            lead_sents = lid["lines"][:1] if lid.get("table") else split_sentences(" ".join(lid["lines"]))
            for sid, s in enumerate(lead_sents, lid_first):
                sentence_units.append(len(units))
                units.append(Unit(len(units), "sentence", di, ai, [sid], num, None, page, sid))
            texts += lead_sents
            kinds += repeat("sentence", len(lead_sents))
            parents += repeat(None, len(lead_sents))
            lead = len(texts) - 1 if lead_sents else None
            if lead is not None and lid["onds"]:
                kinds[lead] = "lead"
            for ond in lid["onds"]:
                osid = len(texts)
                texts.append(ond["text"])
                kinds.append("ond")
                parents.append(lead)
                # a row of a tick table carries its own modality: no header words inherited
                chain = [lead, osid] if lead is not None and not ond.get("own_only") else [osid]
                label = ond["label"]
                sentence_units.append(len(units))
                units.append(Unit(len(units), "sentence", di, ai, chain, num, label, page, osid))
                for sub in ond["subs"]:
                    ssid = len(texts)
                    texts.append(sub["text"])
                    kinds.append("ond")
                    parents.append(osid)
                    sentence_units.append(len(units))
                    units.append(Unit(len(units), "sentence", di, ai, chain + [ssid], num, f"{label} {sub['label']}",
                                      page, ssid))
            if len(texts) > lid_first:
                info.lid_units.append(len(units))
                units.append(Unit(len(units), "lid", di, ai, list(range(lid_first, len(texts))), num, None, page))
        info.segs = list(range(art_first, len(texts)))
        info.article_unit = len(units)
        units.append(Unit(len(units), "article", di, ai, list(info.segs), None, None, page))
    index = TextIndex(list(map(Segment, texts)))
    ctx = DocCtx(doc=doc, index=index, articles=arts, units=units, seg_kind=kinds, seg_parent=parents,
                 preamble_seg=preamble_seg)
    ctx.document_unit = len(units)
    units.append(Unit(len(units), "document", di, None, list(range(first_art_seg, len(texts)))))
    return ctx


# ------------------------------------------------------------------ helpers on a DocCtx


def unit_text(ctx: DocCtx, u: Unit, sep: str = " ") -> str:
    return sep.join(ctx.index.segments[s].text for s in u.segs)


def location_label(ctx: DocCtx, u: Unit) -> str:
    if u.art is None:
        return Path_name(ctx.doc.path)
    art = ctx.articles[u.art].article
    word = "par." if art.kind == "sectie" else "art."
    out = f"{word} {art.number}"
    if u.lid:
        out += f" lid {u.lid}"
    if u.ond and u.ond.strip():
        out += f" onder {u.ond}"
    return out


def Path_name(p: str) -> str:  # noqa: N802 - tiny helper
    return p.replace("\\", "/").rsplit("/", 1)[-1]


_DEF_RE = re.compile(r"^\s*(?:(?:in|voor)\s+(?:deze|dit)\b[^:]{0,80}?\bverstaan\s+onder\s+)?"
                     r"(?:de\s+|het\s+|een\s+)?([a-zà-ÿ][\w\-' à-ÿ]{0,60}?[a-zà-ÿ'])\s*:\s+(.+)$", re.I | re.S)
_DEF_ONDER = re.compile(r"^\s*onder\s+(?:een\s+|de\s+|het\s+)?([a-zà-ÿ][\w\-' à-ÿ]{1,60}?)\s+(?:wordt|worden)\s+"
                        r"(?:in\s+\w+\s+\w+\s+)?(?:mede\s+|ook\s+|eveneens\s+)?verstaan\s*:?\s+(.+)$", re.I | re.S)
_DEF_CONTEXT = re.compile(r"verstaan\s+onder|wordt\s+bedoeld\s+met|begrip|definitie", re.I)
# Assimilation ("gelijkstelling"): "Voor de toepassing van dit hoofdstuk wordt de exploitatie
# van een kantine door een paracommerciële rechtspersoon gelijkgesteld met het exploiteren van
# een horecabedrijf" / "Een shishalounge geldt als een horecabedrijf". Legally this widens the
# term T (group "term") to the subject named before the verb, exactly like "T: ... waaronder S".
_DEF_EQUAL = re.compile(
    r"^(?P<subj>.{3,300}?)\s+(?:gelijkgesteld\s+(?:met|aan)|aangemerkt\s+als|(?:geldt|gelden)\s+als)\s+"
    r"(?:het\s+exploiteren\s+van\s+|de\s+exploitatie\s+van\s+)?(?:een\s+|de\s+|het\s+)?"
    r"(?P<term>[a-zà-ÿ][\w\-à-ÿ]*(?:\s+[a-zà-ÿ][\w\-à-ÿ]*){0,2}?)\s*(?:[.;,]|\s+(?:als|in|bedoeld|en|of)\b|$)",
    re.I | re.S)


@dataclass
class Definition:
    term: str
    head: str          # genus: the start of the definiens up to the first comma/relative clause
    text: str          # whole definiens incl. sub-onderdelen
    art: int
    unit: int          # sentence unit of the definition


# What every match of a definition pattern contains: the sentences without it are found in one
# scan of the document's lowercased text and skip the (slow) regex - unless lowercasing is not
# exact for the document (checker.casefold): then every regex runs.
_NEEDS_ONDER = (re.compile("verstaan"),)
_NEEDS_DEF = (re.compile(r":(?=\s.)", re.S),)
_NEEDS_EQUAL = tuple(map(re.compile, ("gelijkgesteld", "aangemerkt", "geld")))  # one literal scans fast
# The genus ends at the first comma/semicolon or relative pronoun ("waar", "waarin", "die", ...).
_GENUS_END = re.compile(r"[,;]|\bwaar(?:in|van|bij)?\b|\bd(?:ie|at)\b")


def _segments_matching(index: TextIndex, needs: tuple[re.Pattern, ...]) -> set[int] | None:
    """Segments in which one of needs matches in the lowercased text; None: any may match."""
    if index.casefold_risk:
        return None
    return {index.segment_at(m.start()) for rx in needs for m in rx.finditer(index.text)}


def definitions(ctx: DocCtx) -> list[Definition]:
    out = []
    segments = ctx.index.segments
    onder, colon, equal = (_segments_matching(ctx.index, needs) for needs in (_NEEDS_ONDER, _NEEDS_DEF, _NEEDS_EQUAL))
    for info in ctx.articles:
        for uid in info.sentence_units:
            u = ctx.units[uid]
            if ctx.seg_kind[u.own] == "ond" and " " in (u.ond or ""):
                continue  # sub-onderdelen belong to their parent's definition
            own = segments[u.own].text
            m = _DEF_ONDER.match(own) if onder is None or u.own in onder else None
            if not m:
                m = _DEF_RE.match(own) if colon is None or u.own in colon else None
                if not m:
                    if equal is None or u.own in equal:
                        eq = _DEF_EQUAL.match(own)
                        if eq and not re.search(r"\bniet\b", eq.group("subj"), re.I):
                            term = eq.group("term").strip().lower()
                            out.append(Definition(term=term, head=term, text=eq.group("subj").lower(),
                                                  art=info.idx, unit=uid))
                    continue
                context = " ".join(segments[x].text for x in u.segs) + " " + (info.article.title or "")
                if not _DEF_CONTEXT.search(context):
                    continue
            term = m.group(1).strip().lower()
            if len(term.split()) > 5 or term in ("a", "b", "c"):
                continue
            definiens = m.group(2)
            # append sub-onderdelen (1°, 2°, ...) of this onderdeel
            subs = [segments[s].text for s in children(ctx, u.own)]
            full = " ".join([definiens] + subs)
            head = _GENUS_END.split(definiens, 1)[0]
            out.append(Definition(term=term, head=head.lower(), text=full.lower(), art=info.idx, unit=uid))
    return out


def article_refs(ctx: DocCtx, info: ArticleInfo) -> set[str]:
    """Numbers of other articles of the same document this article refers to."""
    text = " ".join(ctx.index.segments[s].text for s in info.segs)
    refs = set()
    numbers = {a.article.number for a in ctx.articles}
    for num in numbers:
        if num == info.article.number:
            continue
        strong = (":" in num) or ("." in num) or re.search(r"[a-z]$", num)
        pat = re.escape(num)
        if strong:
            rx = rf"(?<![\w.:]){pat}(?![\w]|[.:]\d)"
        else:
            # plain numbers ("3") only as "artikel 3" not followed by another law ("van de Wet")
            rx = rf"\bartikel(?:en)?\s+{pat}(?![\w]|[.:]\d)(?!,?\s+(?:\w+\s+){{0,3}}van\s+(?:de|het)\s+[A-Z])"
        if re.search(rx, text):
            refs.add(num)
    return refs


def children(ctx: DocCtx, seg: int) -> list[int]:
    """Segments whose parent is seg (sub-onderdelen of an onderdeel)."""
    kids = getattr(ctx, "_kids", None)
    if kids is None:
        kids = {}
        for i, p in enumerate(ctx.seg_parent):
            if p is not None:
                kids.setdefault(p, []).append(i)
        ctx._kids = kids
    return kids.get(seg, [])
