"""Tokens, lemmas and term matching for the rules engine.

spaCy is used only as `spacy.blank("nl")` (tokenizer) plus the Dutch lemma lookup table
of spacy-lookups-data (the same table spaCy's lookup lemmatizer reads). Both are loaded
lazily, once per process. Terms from the lexicon are compiled into token patterns and
matched against a per-document vocabulary, so every pattern is tested once per distinct
word, not once per occurrence; rapidfuzz catches OCR/spelling variants of long words.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import threading
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, chain, compress, repeat
from operator import add, not_
from pathlib import Path
from typing import Iterable

from ..cache import cache_dir, read_cache, write_cache
from ..casefold import lower_is_exact

_NLP = None
_LEMMAS: dict[str, str] | None = None
_LEMMA_LOCK = threading.Lock()

# Hyphenation at line end: "exploitatie-\nvergunning" -> "exploitatievergunning"; keep
# real hyphen compounds such as "drank- en horecavergunning" (followed by "en"/"of").
_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*(?!(?:en|of|tot|dan)\b)([a-zà-ÿ])")


def nlp():
    """spacy.blank("nl") for callers that want a spaCy Doc (not used on the hot path)."""
    global _NLP
    if _NLP is None:
        import spacy

        _NLP = spacy.blank("nl")
    return _NLP


def _lemma_source() -> Path | None:
    """nl_lemma_lookup.json.gz of spacy-lookups-data, located without importing the package
    (its import alone costs ~15 ms of every check)."""
    import importlib.util

    spec = importlib.util.find_spec("spacy_lookups_data")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "data" / "nl_lemma_lookup.json.gz"
    return path if path.is_file() else None


def _lemma_cache_file() -> Path | None:
    """Cache file of the lemma table, named after the source's size and mtime: a new
    spacy-lookups-data release is a new file."""
    try:
        cdir, src = cache_dir(), _lemma_source()
        if cdir is None or src is None:
            return None
        st = src.stat()
        return cdir / f"nl_lemma_lookup-{st.st_size}-{st.st_mtime_ns}.pickle"
    except OSError:
        return None


def lemma_table() -> dict[str, str]:
    """nl lemma lookup table of spacy-lookups-data (only this table, loaded once).

    The gzipped JSON takes ~0.3 s to parse; a pickled copy in the user cache loads in
    a fraction of that, so it is written once and reused.
    """
    global _LEMMAS
    if _LEMMAS is not None:
        return _LEMMAS
    cache = _lemma_cache_file()
    if cache is not None:
        hit = read_cache(cache)
        if isinstance(hit, dict):
            _LEMMAS = hit
            return _LEMMAS
    try:
        with gzip.open(str(_lemma_source()), "rt", encoding="utf-8") as fh:
            _LEMMAS = json.load(fh)
    except Exception:  # noqa: BLE001 - without the table we still match on forms
        _LEMMAS = {}
        return _LEMMAS
    if cache is not None:
        write_cache(_LEMMAS, cache)
    return _LEMMAS


def normalize(text: str) -> str:
    if "\n" in text:  # a line-end hyphenation needs a line end (most segments have none)
        text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = text.replace("\u00ad", "").replace("’", "'").replace("‘", "'")
    return text


@dataclass
class Tok:
    lower: str
    start: int  # char offset in the segment text
    end: int


# Word tokens the way spaCy's Dutch tokenizer splits running text for our purposes:
# words with inner hyphens/apostrophes/digits kept together ("horeca-inrichting",
# "café's", "2:28", "2.30a"), every other non-space character a token of its own.
# Loading spacy.blank("nl") costs 2-4 s (tokenizer exceptions); matching needs only
# these word boundaries, so the engine tokenizes with this regex and takes lemmas from
# the same lookup table spaCy's lookup lemmatizer uses (spacy-lookups-data, nl).
_TOKEN_RE = re.compile(r"\d+(?:[.:]\d+)*[a-z]{0,3}\b|\w+(?:['’-]\w+)*-?|[^\w\s]")


_TERM_TOKEN_RE = re.compile(r"\d+(?:[.:]\d+)*[a-z]{0,3}\b|[\w*]+(?:['’-][\w*]+)*-?|[^\w\s*]")


_START = re.Match.start
_ALL_WORD = re.compile(r"\w+").fullmatch
_INNER_WORD = re.compile(r"(?<=\W)\w")


def tokenize(text: str) -> list[Tok]:
    return [Tok(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _tokens(text: str, lowered: str | None = None) -> tuple[list[str], list[int]]:
    """(lowercased words, offsets) of tokenize(text), with few Python-level steps.

    A token never holds whitespace, so the text splits at spaces into chunks tokenized on
    their own; a chunk of word characters only (~95% of them) is one token (a \\b inside it
    is impossible), and runs of such chunks are taken over with slices. ~80k words in a
    200-page APV. lowered: text.lower() when that lowercases character by character (same
    offsets); the chunks are then cut from it and need no lowering of their own.
    """
    low = lowered is not None
    chunks = (lowered if low else text).replace("\n", " ").split(" ")  # \n and space: both \s
    at = list(accumulate(map(add, map(len, chunks), repeat(1)), initial=0))
    words: list[str] = []
    offs: list[int] = []
    done = 0  # chunks before this one are tokenized
    finditer = _TOKEN_RE.finditer
    for k in compress(range(len(chunks)), map(not_, map(str.isalnum, chunks))):
        words += chunks[done:k] if low else map(str.lower, chunks[done:k])
        offs += at[done:k]
        done = k + 1
        chunk = chunks[k]
        if chunk[:-1].isalnum() and chunk[-1] in ",.;:)":  # "vergunning," is two tokens
            words += (chunk[:-1] if low else chunk[:-1].lower(), chunk[-1])
            offs += (at[k], at[k] + len(chunk) - 1)
        elif chunk:  # the regex on the original text ("[a-z]" is case-sensitive)
            for m in finditer(text, at[k], at[k] + len(chunk)):
                words.append(m.group().lower())
                offs.append(m.start())
    words += chunks[done:] if low else map(str.lower, chunks[done:])
    offs += at[done:len(chunks)]
    return words, offs


def tokenize_term(text: str) -> list[str]:
    """Like tokenize, but '*' (wildcard) stays inside its word."""
    return [m.group(0).lower() for m in _TERM_TOKEN_RE.finditer(text)]


def lemma(word: str) -> str:
    hit = _LEMMA_MEMO.get(word)
    if hit is not None:
        return hit
    return lemmas((word,))[word]


# Lemmas looked up so far in this process (a document's vocabulary, the term words).
_LEMMA_MEMO: dict[str, str] = {}
_LEMMA_DB = None  # (pid, sqlite3 connection) | False (unusable: use the dict)


def lemmas(words: Iterable[str]) -> dict[str, str]:
    """lemma() of many words at once: one query for those not looked up before.

    A fresh process asks for a few thousand words (the document's vocabulary and the term
    words); loading the whole 213k-entry table for that costs ~0.13 s and ~40 MB, a
    read-only SQLite copy of the same table in the user cache answers in a few ms. Without
    that copy (no cache dir, no sqlite3) the table itself is used: same answers.
    """
    global _LEMMA_DB
    out: dict[str, str] = {}
    missing = []
    for w in words:
        hit = _LEMMA_MEMO.get(w)
        if hit is None:
            missing.append(w)
        else:
            out[w] = hit
    if not missing:
        return out
    found = None
    if _LEMMAS is None:
        con = _lemma_db()
        if con is not None:
            try:
                found = {}
                with _LEMMA_LOCK:
                    for i in range(0, len(missing), 500):
                        chunk = missing[i:i + 500]
                        found.update(con.execute(
                            f"SELECT word, lemma FROM lemma WHERE word IN ({','.join('?' * len(chunk))})", chunk))
            except Exception:  # noqa: BLE001 - fall back to the table itself
                _LEMMA_DB = False
                found = None
    get = found.get if found is not None else lemma_table().get
    for w in missing:
        lw = _LEMMA_MEMO[w] = get(w, w)
        out[w] = lw
    return out


def _lemma_db():
    """Read-only connection to the SQLite copy of the lemma table (built once from it)."""
    global _LEMMA_DB
    if _LEMMA_DB is False:
        return None
    if _LEMMA_DB is not None and _LEMMA_DB[0] == os.getpid():
        return _LEMMA_DB[1]
    tmp = None
    try:  # a connection inherited over fork() is never reused: reopen per process
        import sqlite3

        pk = _lemma_cache_file()
        if pk is None:
            raise OSError("no cache dir")
        path = pk.with_suffix(".sqlite")
        if not path.is_file():
            table = lemma_table()
            if not table:
                raise OSError("no lemma table")
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            con = sqlite3.connect(str(tmp))
            con.execute("CREATE TABLE lemma (word TEXT PRIMARY KEY, lemma TEXT NOT NULL) WITHOUT ROWID")
            con.executemany("INSERT INTO lemma VALUES (?, ?)", table.items())
            con.commit()
            con.close()
            os.replace(tmp, path)
            tmp = None
        con = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, check_same_thread=False)
        con.execute("SELECT word FROM lemma LIMIT 1").fetchall()
        _LEMMA_DB = (os.getpid(), con)
        return con
    except Exception:  # noqa: BLE001 - unwritable cache, no sqlite3, broken file: use the dict
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:
                pass
        _LEMMA_DB = False
        return None


# ------------------------------------------------------------------ term patterns

_SUFFIXES = ("en", "s", "'s", "e", "n", "ën", "er", "ers")


def inflections(word: str) -> set[str]:
    """Dutch plural/inflected forms of a term word (for compounds the table lacks)."""
    forms = {word}
    forms.update([word + s for s in _SUFFIXES])
    if word.endswith("f"):
        forms.add(word[:-1] + "ven")
    if word.endswith("s"):
        forms.add(word[:-1] + "zen")
    last, pen, ante = word[-1:], word[-2:-1], word[-3:-2]  # "" where the word is shorter
    if ante and ante == pen and ante in "aeou" and last not in "aeiou":
        # lokaal -> lokalen, gebied has no doubled vowel
        forms.add(word[:-3] + ante + last + "en")
        forms.add(word[:-3] + ante + last + "e")
    if pen and pen in "aeiou" and last and last in "bdfgklmnprst" and not (ante and ante in "aeiou"):
        forms.add(word + last + "en")  # verbod -> verbodden: a short vowel doubles the consonant
    if word.endswith("eel"):  # paracommercieel -> paracommerciële
        forms.add(word[:-3] + "ële")
        forms.add(word[:-3] + "ele")
    if word.endswith("ële"):
        forms.add(word[:-3] + "eel")
    return forms


@dataclass
class TokPattern:
    raw: str
    pattern: str | None = None           # wildcard token: a regex for re.fullmatch
    forms: frozenset = frozenset()       # literal forms
    lemma: str = ""
    fuzzy: bool = False
    # the other words whose lemma is the lemma or one of the forms (_WORD_HINT); None: unknown,
    # the lemmas of the document's words are looked up
    by_lemma: frozenset | None = None

    @cached_property
    def regex(self) -> re.Pattern | None:
        return None if self.pattern is None else re.compile(self.pattern)

    def matches(self, word: str) -> bool:
        if self.regex is not None:
            return bool(self.regex.fullmatch(word))
        if word in self.forms:
            return True
        lw = lemma(word)
        return lw == self.lemma or lw in self.forms


@dataclass
class Term:
    raw: str
    tokens: list[TokPattern] = field(default_factory=list)
    pattern: str | None = None  # of a "re:" term, compiled with re.I on first use (regex)
    note: str = ""
    end: str | None = None

    @cached_property
    def regex(self) -> re.Pattern | None:
        """The compiled pattern. Compiling the ~130 lexicon regexes a large document asks for
        costs ~35 ms per process, and most cannot match a given document: TextIndex.find
        finds that out from their literal plan (_STARTS_HINT) without compiling them."""
        return None if self.pattern is None else re.compile(self.pattern, re.I)


def compile_term(raw: str, note: str = "", end: str | None = None) -> Term:
    if raw.startswith("re:"):
        return Term(raw, pattern=raw[3:], note=note, end=end)
    pats = []
    for t in term_words(raw):
        if _is_wildcard(t):
            pats.append(TokPattern(t, pattern="".join(".*" if ch == "*" else re.escape(ch) for ch in t)))
            continue
        hint = _WORD_HINT.get(t)
        pats.append(TokPattern(t, forms=frozenset(inflections(t)), lemma=lemma(t) if hint is None else hint[0],
                               fuzzy=len(t) >= 9 and t.isalpha(),
                               by_lemma=None if hint is None else frozenset(hint[1])))
    return Term(raw, tokens=pats, note=note, end=end)


def term_words(raw: str) -> list[str]:
    """The tokens of a term that is not a regex."""
    return tokenize_term(normalize(raw))


def _is_wildcard(token: str) -> bool:
    return "*" in token and token != "*"


# word -> (lemma, the other words whose lemma is that lemma or one of the word's inflections)
# of the words of the lexicon terms, found with the whole lemma table when the rule set is
# built (rules.py; prime_word_hints). A term's words then need no lemma lookups, nor does
# the vocabulary of the document (TextIndex._vocab_matching): ~15 ms per process.
_WORD_HINT: dict[str, tuple[str, tuple[str, ...]]] = {}


def lemma_source_id() -> str | None:
    """Names the lemma table in use (size and mtime of its source); None without one."""
    try:
        src = _lemma_source()
        st = src.stat() if src is not None else None
    except OSError:
        return None
    return None if st is None else f"{st.st_size}-{st.st_mtime_ns}"


def word_hints(words: Iterable[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """_WORD_HINT entries of these term words; {} without a lemma table (~0.3 s: the whole
    table is read and inverted)."""
    table = lemma_table() if _lemma_source() is not None else {}
    if not table:
        return {}
    inverse: dict[str, list[str]] = {}
    for w, lw in table.items():
        inverse.setdefault(lw, []).append(w)
    out = {}
    for t in words:
        if _is_wildcard(t) or t in out:
            continue
        forms = inflections(t)
        lw = table.get(t, t)
        targets = forms | {lw}
        # the words w with table.get(w, w) in targets
        same = {w for x in targets for w in inverse.get(x, ())} | {x for x in targets if x not in table}
        out[t] = (lw, tuple(sorted(same - forms)))
    return out


def prime_word_hints(hints: dict[str, tuple[str, tuple[str, ...]]]) -> None:
    """Use word_hints computed earlier with the same lemma table (the cached rule set)."""
    _WORD_HINT.update(hints)


# ------------------------------------------------------------------ indexed text

_MISSING = object()


@dataclass(slots=True)
class Segment:
    """A contiguous piece of text (a sentence, a lead, an onderdeel, a title)."""

    text: str
    tok_start: int = 0
    tok_end: int = 0
    char_start: int = 0  # offset in the global text


class TextIndex:
    """All segments of one document, tokenized once, with a vocabulary for matching."""

    def __init__(self, segments: list[Segment]):
        self.segments = segments
        texts = [normalize(seg.text) for seg in segments]
        joined = "\n".join(texts)
        starts = list(accumulate(map((1).__add__, map(len, texts)), initial=0))
        self.text = joined.lower()
        # str.lower() of the whole text equals that of every word, at the same offsets, unless
        # a character lowercases to two ("\u0130") or context matters (final sigma)
        self._lower_exact = len(self.text) == len(joined) and "\u03a3" not in joined
        self.words, self.offsets = _tokens(joined, self.text if self._lower_exact else None)
        # no token starts at the "\n" between segments: one's tokens end where the next one's begin
        toks = list(map(bisect_left, repeat(self.offsets), starts))
        for seg, text, start, tok_start, tok_end in zip(segments, texts, starts, toks, toks[1:]):
            seg.text = text
            seg.char_start = start
            seg.tok_start = tok_start
            seg.tok_end = tok_end
        vocab: defaultdict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(self.words):
            vocab[w].append(i)
        self.vocab = dict(vocab)
        self._pat_cache: dict[str, set[str]] = {}
        self._lemidx: dict[str, set[str]] | None = None
        self._by_prefix: dict[str, list[str]] | None = None
        self.bounds = starts  # segment i holds the offsets [bounds[i], bounds[i + 1])
        self._seg_starts = starts[:-1]
        self._seg_ends = starts[1:]
        # characters re.I equates with an ASCII letter that lower() does not turn into it:
        # literal-start scanning (_finditer) and literal pre-checks would miss such a match
        self.casefold_risk = not lower_is_exact(self.text)
        self._lit_pos: dict = {}  # literal(s) -> their offsets in self.text
        self._tok_seg: list[int] | None = None
        self._words_at = None  # see _word_index
        self._vtext = None  # see _vocab_text

    def _lemma_index(self) -> dict[str, set[str]]:
        if self._lemidx is None:
            idx: dict[str, set[str]] = {}
            lm = lemmas(self.vocab)
            for w in self.vocab:
                idx.setdefault(lm[w], set()).add(w)
            self._lemidx = idx
        return self._lemidx

    def _vocab_matching(self, p: TokPattern) -> set[str]:
        key = p.raw
        hit = self._pat_cache.get(key)
        if hit is not None:
            return hit
        if p.pattern is not None:  # one scan of the vocabulary, a word a line (no word holds "\n")
            out = set(re.findall(f"(?m)^(?:{p.pattern})$", self._vocab_text()[0]))
        elif p.by_lemma is not None:
            vocab = self.vocab
            out = {w for w in chain(p.forms, p.by_lemma) if w in vocab}
        else:
            li = self._lemma_index()
            out = {w for w in p.forms if w in self.vocab}
            out |= li.get(p.lemma, set())
            for f in p.forms:
                out |= li.get(f, set())
        if p.fuzzy:
            if self._by_prefix is None:
                bp: dict[str, list[str]] = {}
                for w in self.vocab:
                    if len(w) >= 7:
                        bp.setdefault(w[:2], []).append(w)
                self._by_prefix = bp
            cands = [w for w in self._by_prefix.get(p.raw[:2], ()) if abs(len(w) - len(p.raw)) <= 2
                     and w not in out]
            if cands:
                from rapidfuzz import fuzz, process

                for w, _score, _ in process.extract(p.raw, cands, scorer=fuzz.ratio, score_cutoff=92,
                                                    limit=None):
                    out.add(w)
        self._pat_cache[key] = out
        return out

    def find(self, term: Term) -> list[tuple[int, int]]:
        """Char spans (global, in self.text) of every occurrence of a term."""
        if term.pattern is not None:
            cand = self._candidates(_term_plan(term.pattern), thorough=True)
            if cand is not None and not cand:
                return []  # without compiling the regex
            found = map(re.Match.span, self._finditer(term.regex, cand))
            spans = []
            for start, end in found:
                while start < end and self.text[start] == "\n":  # "(?:^|\n)" anchors
                    start += 1
                while end > start and self.text[end - 1] == "\n":
                    end -= 1
                # a regex match must not run across segments
                seg = self.segments[self.segment_at(start)]
                if end <= seg.char_start + len(seg.text):
                    spans.append((start, end))
            return spans
        first = self._vocab_matching(term.tokens[0])
        if not first:
            return []
        rest = [self._vocab_matching(p) for p in term.tokens[1:]]
        if any(not r for r in rest):
            return []
        offs = self.offsets
        spans: list[tuple[int, int]] = []
        n = len(term.tokens)
        if n == 1:  # most terms: every occurrence of a matching word, without a loop per word
            for w in first:
                at = list(map(offs.__getitem__, self.vocab[w]))
                spans += zip(at, map(len(w).__add__, at))
            spans.sort()
            return spans
        # start from the token with the fewest occurrences ("toepassing" in "van overeenkomstige
        # toepassing", not "van"), then keep the starts where every other token matches too
        vocab = self.vocab
        pats = [first] + rest
        counts = [sum(len(vocab[w]) for w in ws) for ws in pats]
        k = counts.index(min(counts))
        starts = sorted(i - k for w in pats[k] for i in vocab[w])
        words = self.words
        last = len(words) - n
        starts = [i for i in starts if 0 <= i <= last]
        for j, ws in enumerate(pats):
            if j != k and starts:
                starts = list(compress(starts, map(ws.__contains__, map(words.__getitem__, map(j.__add__, starts)))))
        # all tokens inside one segment: no segment begins after the first token, up to the last
        firsts = self._segment_first_tokens()
        return [(offs[i], offs[i + n - 1] + len(words[i + n - 1])) for i in starts
                if bisect_right(firsts, i) == bisect_right(firsts, i + n - 1)]

    def _segment_first_tokens(self) -> list[int]:
        """The first token of every segment (segments partition the tokens), sorted."""
        if self._tok_seg is None:
            self._tok_seg = [s.tok_start for s in self.segments]
        return self._tok_seg

    def _finditer(self, rx: re.Pattern, cand: list[int] | None | object = _MISSING):
        """rx.finditer(self.text), without running the regex engine over every position.

        A pattern such as r"\b(?:verplichte|facultatieve)\b" defeats re's literal-prefix
        search (the leading \b), so finditer tries the whole pattern at each of the ~500k
        characters of a large APV. Only the candidate starts (_candidates of its plan, or
        given: cand) are tried, in order, with rx.match, skipping starts inside the previous
        match: the same matches finditer yields (all are non-empty, so no empty-match
        stepping applies; a start out of reach cannot match).
        """
        if cand is _MISSING:
            cand = self._candidates(_regex_plan(rx))
        if cand is None:
            yield from rx.finditer(self.text)
            return
        pos = 0
        text = self.text
        match = rx.match
        for i in cand:
            if i < pos:
                continue
            m = match(text, i)
            if m is not None:
                yield m
                pos = m.end()

    def _candidates(self, plan: tuple, thorough: bool = False) -> list[int] | None:
        """The sorted offsets at which a match of a regex with this plan (_regex_plan) may
        start; None: anywhere.

        When every match must begin with one of a few literal strings the only possible
        starts are their occurrences - and when every match holds an anchor within reach of
        its start ("vereist" in r"\bvergunning\b[^.;]{0,60}\bvereist"), only those with an
        anchor within reach. thorough: filter by the anchors also where trying rx.match at
        each candidate would be cheaper - but needs the regex compiled.
        """
        starts, anchors = plan
        if starts is None or self.casefold_risk:
            return None
        if not all(any(map(self._occurs, lits)) for _lo, _hi, lits, _stops, _shift in anchors):
            return []  # every match holds one of an anchor's literals: none occurs
        cand = self._positions(starts)
        for lo, hi, lits, stops, shift in anchors:
            if not cand or len(cand) < 16 and not thorough:
                break
            where = self._positions(lits)
            # _near steps through the shorter list: filter when that saves trying many
            # candidates, or saves compiling the regex (~0.3 ms) in a few hundred steps
            if 2 * len(where) < len(cand) or thorough and min(len(where), len(cand)) < 256:
                cand = _near(cand, where, lo, hi, self._positions(tuple(stops)) if stops else (), shift)
        return cand

    def _positions(self, lits: tuple[str, ...]) -> list[int]:
        """Sorted offsets in self.text where one of these literals (_BOS, _WB: see there) occurs."""
        key = lits if len(lits) > 1 else lits[0]
        where = self._lit_pos.get(key)
        if where is None:  # many patterns share their literals ("is", "wordt", "een")
            text = self.text
            if len(lits) > 1:
                # each literal's offsets are cached on their own: stop characters (".", ";",
                # ":", "\n") recur in many combinations, and a str.find loop per character is
                # faster than a character-class scan of the whole text
                each = [self._positions((lit,)) for lit in lits]
                plain = [lit.lstrip(_WB) for lit in lits]
                if _BOS in lits or any(a != b and a.startswith(b) for a in plain for b in plain):
                    where = sorted(set().union(*each))  # two may occur at one offset
                else:  # sorting merges the sorted runs
                    where = sorted(chain.from_iterable(each))
            elif key == _BOS:
                where = [0]
            elif key[0] == _WB and all(map(_IS_WORD, key[1:])) and self._word_index():
                where = self._word_starts(key[1:])
            elif key[0] == _WB:  # all occurrences, a superset of the word starts ("in het belang"
                # is rare as a phrase, while its word starts would be looked for among every "in")
                where = self._positions((key[1:],))
            elif self._lower_exact and all(map(_IS_WORD, key)):
                where = self._inner_occurrences(key)
            else:
                where = _occurrences(text, key)
            self._lit_pos[lits if len(lits) > 1 else lits[0]] = where
        return where

    def _occurs(self, lit: str) -> bool:
        """Whether _positions((lit,)) is not empty, without listing the offsets."""
        where = self._lit_pos.get(lit)
        if where is not None:
            return bool(where)
        plain = lit.lstrip(_WB)
        if self._lower_exact and all(map(_IS_WORD, plain)):
            if plain != lit:
                keys = self._word_index()[0]
                k = bisect_left(keys, plain)
                return k < len(keys) and keys[k].startswith(plain)
            return plain in self._vocab_text()[0]  # see _inner_occurrences
        return lit == _BOS or plain in self.text

    def _word_index(self):
        """(keys, entries): (the text from a word start to its token's end, token, offset of
        the word start in the token) for every distinct token, sorted. Every word start of
        the text lies in a token: at its start, or after a ' - . or : inside it.

        Only when self.text is the tokens' text char for char (str.lower may change the
        length of a string, and Σ lowercases by context): else None.
        """
        if self._words_at is None:
            self._words_at = False
            if self._lower_exact:
                entries = []
                for w in self.vocab:
                    if _IS_WORD(w[0]):
                        entries.append((w, w, 0))
                    if not w.isalpha() and not _ALL_WORD(w):  # letters are word characters
                        entries += ((w[m.start():], w, m.start()) for m in _INNER_WORD.finditer(w))
                entries.sort()
                self._words_at = ([e[0] for e in entries], entries)
        return self._words_at

    def _vocab_text(self) -> tuple[str, list[int], list[str]]:
        """(the distinct tokens a line each, where each begins there, the tokens)."""
        if self._vtext is None:
            words = list(self.vocab)
            self._vtext = ("\n".join(words), list(accumulate(map((1).__add__, map(len, words)), initial=0)), words)
        return self._vtext

    def _inner_occurrences(self, lit: str) -> list[int]:
        """Sorted offsets of every occurrence of lit (word characters only), found in the
        vocabulary, a fraction of the text: a run of word characters never spans two tokens.
        Only when self.text is the tokens' text char for char (_lower_exact)."""
        joined, starts, words = self._vocab_text()
        offs, vocab = self.offsets, self.vocab
        where: list[int] = []
        for i in _occurrences(joined, lit):
            k = bisect_right(starts, i) - 1
            r = i - starts[k]
            at = map(offs.__getitem__, vocab[words[k]])
            where += map(r.__add__, at) if r else at
        where.sort()
        return where

    def _word_starts(self, lit: str) -> list[int]:
        """Sorted offsets of the occurrences of lit (word characters only) that begin a word."""
        keys, entries = self._word_index()
        succ = lit[:-1] + chr(ord(lit[-1]) + 1)
        offs, vocab = self.offsets, self.vocab
        where: list[int] = []
        for _key, w, r in entries[bisect_left(keys, lit):bisect_left(keys, succ)]:
            at = map(offs.__getitem__, vocab[w])
            where += map(r.__add__, at) if r else at
        where.sort()
        return where

    def segment_at(self, char: int) -> int:
        i = bisect_right(self._seg_starts, char) - 1
        return i if i > 0 else 0

    def segments_of(self, offsets: Iterable[int]) -> set[int]:
        """{segment_at(c) for c in offsets}: a segment's number is the count of segments ending
        at or before c, found without a Python-level call per offset."""
        return set(map(bisect_right, repeat(self._seg_ends), offsets))


def spans_by_segment(index: TextIndex, spans: Iterable[tuple[int, int]]) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for s, e in spans:
        out.setdefault(index.segment_at(s), []).append((s, e))
    return out


def _occurrences(text: str, lit: str) -> list[int]:
    """Sorted offsets of every occurrence of lit in text."""
    where = []
    i = text.find(lit)
    while i >= 0:
        where.append(i)
        i = text.find(lit, i + 1)
    return where


@lru_cache(maxsize=4096)
def compiled(raw: str, note: str = "", end: str | None = None) -> Term:
    return compile_term(raw, note, end)


# ------------------------------------------------------------------ regex literal starts

# Literals whose re.IGNORECASE matches are exactly their lowercase form (checked over all
# code points on CPython 3.11): ASCII, Latin-1 and Latin Extended-A except µ, İ, ı, ſ.
_SAFE_LITERAL = (frozenset(chr(c) for c in range(32, 127)) | {"\n", "\t"}
                 | (frozenset(chr(c) for c in range(0xA0, 0x17F)) - {"\u00b5", "\u0130", "\u0131"}))
_MAX_STARTS = 48
_MAX_START_LEN = 12
_MAX_ANCHORS = 2
# "The match begins at offset 0" (^ without MULTILINE, \A): no literal holds this character.
_BOS = "\x00"
# Leads a literal that follows \b and begins with a word character: it begins a word, so
# only the word starts of the text need to be looked at (TextIndex._word_starts).
_WB = "\x01"
_IS_WORD = re.compile(r"\w").fullmatch


def _starts(items: list, multiline: bool = False, i: int = 0) -> set[str]:
    """Strings one of which begins every match of the parsed sequence items[i:] (superset-safe).

    "" means "could start with anything here". Zero-width items (\b, lookarounds, ^ under
    MULTILINE) are skipped: they only narrow where a match may start. Non-ASCII literals
    count as unknown (re.IGNORECASE equivalences beyond plain lowercasing). The rest of the
    sequence is items[i + 1:], never copied: _plan_of asks for every suffix.
    """
    C = _sre()[1]  # noqa: N806 - the sre opcodes of this Python

    if i >= len(items):
        return {""}
    op, av = items[i]
    if op is C.AT:
        if av is C.AT_BEGINNING_STRING or (av is C.AT_BEGINNING and not multiline):
            return {_BOS}
        tail = _starts(items, multiline, i + 1)
        if av is C.AT_BOUNDARY:  # \b before a word character: the literal begins a word
            return {_WB + t if t and _IS_WORD(t[0]) else t for t in tail}
        return tail
    if op in (C.ASSERT, C.ASSERT_NOT):
        return _starts(items, multiline, i + 1)
    if op is C.LITERAL:
        ch = chr(av)
        if ch not in _SAFE_LITERAL:
            return {""}
        tail = _starts(items, multiline, i + 1) if len(items) - i - 1 < 64 else {""}
        # "x^" only matches under MULTILINE, "x\by" never: x + the rest is a superset
        return _cap({(ch.lower() + (t[1:] if t[:1] in (_BOS, _WB) else t))[:_MAX_START_LEN] for t in tail})
    if op is C.SUBPATTERN:
        return _starts(_items(av[-1]) + items[i + 1:], multiline)
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            out |= _starts(_items(alt) + items[i + 1:], multiline)
            if "" in out or len(out) > _MAX_STARTS:
                return {""}
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        lo, _hi, item = av
        first = _starts(_items(item), multiline)
        if lo == 0:
            first |= _starts(items, multiline, i + 1)
        return _cap(first)
    return {""}


def _items(sub) -> list:
    """The items of a parsed (sub)pattern as a list (a SubPattern's own list: do not modify;
    list(SubPattern) steps through its __getitem__, item by item)."""
    return sub.data if hasattr(sub, "data") else list(sub)


@lru_cache(maxsize=1)
def _sre():
    try:
        from re import _constants, _parser  # Python 3.11+
    except ImportError:  # 3.10
        import sre_constants as _constants
        import sre_parse as _parser
    return _parser, _constants


def _cap(out: set[str]) -> set[str]:
    return {""} if "" in out or len(out) > _MAX_STARTS else out


def _plan_of(pattern: str, flags: int):
    """((pattern, flags as re.compile sets them), (starts, anchors)) of a regex.

    starts: literal strings one of which begins every match (None: no such set).
    anchors: up to _MAX_ANCHORS (lo, hi, literals, stops, shift): every match starting at c
    holds one of the literals at some a, c + lo <= a <= c + hi (hi None: unbounded), with
    none of the characters `stops` in [c + shift, a). Most selective first.
    """
    parser, C = _sre()  # noqa: N806
    parsed = parser.parse(pattern, flags)
    key = (pattern, int(parsed.state.flags))
    multiline = bool(parsed.state.flags & re.MULTILINE)
    items = list(parsed.data)
    starts = _minimal_starts(_starts(items, multiline))
    if starts is None:
        return key, (None, ())
    # per item: (min width, max width, the _STOP_PROBES it can consume)
    info = []
    for item in items:
        w_lo, w_hi = parser.SubPattern(parsed.state, [item]).getwidth()
        info.append((w_lo, w_hi, _consumed([item], parsed.state)))
    found = {}
    known = set()
    lo = hi = 0
    for k, item in enumerate(items):
        # at offset 0 the literals are the starts; right after a literal, a suffix of it
        if hi != 0 and items[k - 1][0] is not C.LITERAL:
            lits = _minimal_starts(_starts(items, multiline, k))
            if lits is not None and _after_space(items[:k]):  # a word start too, as after \b
                lits = _minimal_starts({_WB + lit if _IS_WORD(lit[0]) else lit for lit in lits})
            plain = lits and frozenset(lit.lstrip(_WB) for lit in lits)
            if lits is not None and plain not in known:  # the first (after \b) is the best
                known.add(plain)
                # the longest run of stops between the start (or an item after it) and a
                stops, shift, seen, before = "", 0, "", [0]
                for j in range(k):
                    before.append(min(before[-1] + info[j][1], C.MAXREPEAT))
                for j in range(k - 1, -1, -1):
                    seen += info[j][2]
                    free = "".join(ch for ch in _STOP_PROBES if ch not in seen)
                    if len(free) > len(stops) and before[j] < C.MAXREPEAT:
                        stops, shift = free, before[j]
                    elif len(free) == len(stops) and free and before[j] < C.MAXREPEAT:
                        shift = before[j]
                found[lits] = (lo, hi if hi < C.MAXREPEAT else None, lits, stops, shift)
        lo += info[k][0]
        hi = min(hi + info[k][1], C.MAXREPEAT)

    def shortest(lits):
        return min(len(lit) - lit.startswith(_WB) for lit in lits)

    def rank(a):  # a bounded window is worth more than long literals
        return (a[1] is None and not a[3], -shortest(a[2]), len(a[2]))

    best = [a for a in sorted(found.values(), key=rank) if shortest(a[2]) >= 3]
    return key, (starts, tuple(best[:_MAX_ANCHORS]))


def _after_space(items: list) -> bool:
    """Whether every match of the parsed sequence ends with a whitespace character."""
    C = _sre()[1]  # noqa: N806
    if not items:
        return False
    op, av = items[-1]
    rest = list(items[:-1])
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return _after_space(rest)
    if op is C.LITERAL:
        return chr(av).isspace()
    if op is C.IN:  # \s, or [^\S...]: whitespace less some characters
        return av == [(C.CATEGORY, C.CATEGORY_SPACE)] or (
            av[:1] == [(C.NEGATE, None)] and (C.CATEGORY, C.CATEGORY_NOT_SPACE) in av)
    if op is C.SUBPATTERN:
        return _after_space(rest + _items(av[-1]))
    if op is C.BRANCH:
        return all(_after_space(rest + _items(alt)) for alt in av[1])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        lo, hi, item = av
        if hi == 0:
            return _after_space(rest)
        return _after_space(_items(item)) and (lo > 0 or _after_space(rest))
    return False


# Characters that end a sentence or a segment: a gap such as [^.;]{0,60} cannot cross them.
_STOP_PROBES = "\n.;:"


_CHAR_ITEM: dict[tuple, str] = {}  # (op, repr(av), flags) -> the _STOP_PROBES that one-character item matches


def _consumed(items: list, state) -> str:
    """The _STOP_PROBES characters that matching the parsed items may consume (superset-safe),
    in _STOP_PROBES order."""
    parser, C = _sre()  # noqa: N806
    out: set[str] = set()
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue  # zero-width
        if op in (C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY):
            # one character: ask the regex engine itself (flags, categories, negation). The
            # same few hundred items recur across ~900 lexicon regexes: compile each once.
            key = (op, repr(av), int(state.flags))
            hit = _CHAR_ITEM.get(key)
            if hit is None:
                from re import _compiler  # noqa: PLC0415

                rx = _compiler.compile(parser.SubPattern(state, [(op, av)]), int(state.flags))
                hit = _CHAR_ITEM[key] = "".join(ch for ch in _STOP_PROBES if rx.fullmatch(ch))
            out.update(hit)
        elif op is C.SUBPATTERN:
            out.update(_consumed(_items(av[-1]), state))
        elif op is C.BRANCH:
            for alt in av[1]:
                out.update(_consumed(_items(alt), state))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            if av[1] > 0:
                out.update(_consumed(_items(av[2]), state))
        else:  # back references, atomic groups, ...: assume anything
            return _STOP_PROBES
        if len(out) == len(_STOP_PROBES):
            break
    return "".join(ch for ch in _STOP_PROBES if ch in out)


# pattern -> (flags, plan): _plan_of of re.compile(pattern, re.I) and the flags that sets,
# filled from the cached rule set (rules.py) so that a fresh process need not parse every
# lexicon regex a second time.
_STARTS_HINT: dict[str, tuple[int, tuple]] = {}


def prime_literal_starts(hint: dict[str, tuple[int, tuple]]) -> None:
    _STARTS_HINT.update(hint)


def literal_starts_of(pattern: str, flags: int = re.I) -> tuple[tuple[str, int], tuple]:
    """((pattern, flags as re.compile would set them), (starts, anchors)) without compiling."""
    try:
        return _plan_of(pattern, flags)
    except Exception:  # noqa: BLE001 - an unfamiliar pattern just takes the plain path
        return (pattern, -1), (None, ())


@lru_cache(maxsize=4096)
def _regex_plan(rx: re.Pattern) -> tuple:
    """(literal starts, anchors) of rx, see _plan_of."""
    hit = _STARTS_HINT.get(rx.pattern)
    if hit is not None and hit[0] == rx.flags:
        return hit[1]
    try:
        return _plan_of(rx.pattern, rx.flags)[1]
    except Exception:  # noqa: BLE001 - an unfamiliar pattern just takes the plain path
        return None, ()


def _term_plan(pattern: str) -> tuple:
    """_regex_plan of re.compile(pattern, re.I), from the hint without compiling it."""
    hit = _STARTS_HINT.get(pattern)
    return hit[1] if hit is not None else _regex_plan(re.compile(pattern, re.I))


def _literal_starts(rx: re.Pattern) -> tuple[str, ...] | None:
    """Literal strings every match of rx starts with, or None when there is no such set."""
    return _regex_plan(rx)[0]


def _minimal_starts(starts: set[str]) -> tuple[str, ...] | None:
    if not starts or "" in starts:
        return None
    # drop strings that extend another start: their occurrences are found anyway
    keep = sorted(starts, key=len)
    out: list[str] = []
    for s in keep:
        if not any(s.startswith(k) for k in out):
            out.append(s)
    return tuple(out)


def _near(cand: list[int], anchors: list[int], lo: int, hi: int | None, stops, shift: int) -> list[int]:
    """The candidates c with an anchor a, c + lo <= a <= c + hi and no stop in [c + shift, a)
    (all lists sorted). Steps through the shorter of cand and anchors."""
    out: list[int] = []
    if len(cand) < len(anchors):
        # the first anchor from c + lo is the one to take: nearest to c, fewest stops before it
        n = len(anchors)
        for c in cand:
            k = bisect_left(anchors, c + lo)
            if k == n:
                break  # nor for any later candidate
            a = anchors[k]
            if hi is not None and a > c + hi:
                continue
            if stops:
                k = bisect_left(stops, c + shift)
                if k < len(stops) and stops[k] < a:
                    continue
            out.append(c)
        return out
    j = 0
    for a in anchors:
        first = a - hi if hi is not None else 0
        if stops:
            k = bisect_left(stops, a)
            if k:
                first = max(first, stops[k - 1] - shift + 1)
        first = bisect_left(cand, first, j)
        last = bisect_right(cand, a - lo, first)
        if last > first:
            out += cand[first:last]
            j = last
    return out
