"""French text analysis for the search: words, stems, stop words, synonyms, highlighting.

On SQLite, FTS5 only folds case and accents: `search.backend` runs every indexed text and every
query word through `index_text` / `word_token` (accents removed, then the Snowball French
stemmer), so that "établissements" finds "établissement". On PostgreSQL the `french_unaccent`
text-search configuration does the same work in the database (unaccent, then french_stem); the
query words are passed to it as written.

Highlighting works on the original text: a word is marked when its analysed form is one of the
query's, so the excerpt shows "établissements" in full, never the stem "etabl".
"""

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import Stemmer
from django.utils.html import escape
from django.utils.safestring import mark_safe
from modelsearch.query import And, Or, PlainText

WORD_RE = re.compile(r"\w+", re.UNICODE)
SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
MAX_QUERY_WORDS = 12

# Snowball's French stop-word list (unaccented), plus elided forms (l', d', qu'…).
STOP_WORDS = frozenset(
    """
    a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions
    aurons auront aux avaient avais avait avec avez aviez avions avons ayant ayez ayons c ce ceci
    cela ces cet cette d dans de des du elle en es est et etaient etais etait etant ete etee etees
    etes etiez etions eu eue eues eumes eurent eus eusse eussent eusses eussiez eussions eut eutes
    eux fumes furent fus fusse fussent fusses fussiez fussions fut futes il ils j je l la le les
    leur lui m ma mais me meme mes moi mon n ne nos notre nous on ont ou par pas pour qu que qui s
    sa se sera serai seraient serais serait seras serez seriez serions serons seront ses si soi
    soient sois soit sommes son sont soyez soyons suis sur t ta te tes toi ton tu un une vos votre
    vous y
    """.split()  # noqa: SIM905 - a word list is easier to read and compare this way
)

_stemmer = Stemmer.Stemmer("french")


def unaccent(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=200_000)
def word_token(word):
    """The analysed form of one word ('' for a stop word): lower case, no accents, stemmed."""
    folded = unaccent(word.lower())
    if folded in STOP_WORDS:
        return ""
    return _stemmer.stemWord(folded)


def words(text):
    return WORD_RE.findall(text or "")


def index_text(text):
    """What the SQLite index stores for ``text``: its analysed words, in order."""
    return " ".join(filter(None, map(word_token, words(text))))


# --- Synonyms -----------------------------------------------------------------------------------


@dataclass
class SynonymGroup:
    members: list  # each member: the tuple of its words as written
    keys: list = field(default_factory=list)  # each member: the tuple of its analysed words


def _member_key(member_words):
    # A member's key keeps its stop words' folded form, so that "si" (a stop word) still matches.
    return tuple(word_token(w) or unaccent(w.lower()) for w in member_words)


@functools.lru_cache(maxsize=1)
def synonym_groups():
    groups = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        members = [tuple(words(member)) for member in line.split(",")]
        members = [m for m in members if m]
        if len(members) > 1:
            groups.append(SynonymGroup(members, [_member_key(m) for m in members]))
    return groups


# --- Queries ------------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    """A person's query as plain words (never search-engine syntax), with synonyms expanded."""

    clauses: list  # each clause: list of alternatives; each alternative: tuple of words
    tokens: frozenset  # analysed forms of every word that may be highlighted

    @property
    def is_empty(self):
        return not self.clauses

    def words(self):
        return [clause[0] for clause in self.clauses]

    def as_search_query(self):
        """A modelsearch query: every clause required; within a clause, any alternative."""
        parts = []
        for alternatives in self.clauses:
            options = [PlainText(" ".join(alt), operator="and") for alt in alternatives]
            parts.append(options[0] if len(options) == 1 else Or(options))
        return parts[0] if len(parts) == 1 else And(parts)


# Pasted boolean syntax: these words, in capitals, are operators to the person, not words.
OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "NEAR"})


def parse_query(text):
    query_words = [w for w in words(text) if w not in OPERATOR_WORDS][: MAX_QUERY_WORDS * 2]
    keys = [_member_key((w,))[0] for w in query_words]
    clauses = []
    i = 0
    while i < len(query_words):
        match = None
        for group in synonym_groups():
            for key in group.keys:
                n = len(key)
                if tuple(keys[i : i + n]) == key and (match is None or n > match[1]):
                    match = (group, n)
        if match:
            group, n = match
            written = tuple(query_words[i : i + n])
            others = [m for m in group.members if _member_key(m) != _member_key(written)]
            clauses.append([written, *others])
            i += n
            continue
        if word_token(query_words[i]):
            clauses.append([(query_words[i],)])
        i += 1
    clauses = clauses[:MAX_QUERY_WORDS]
    tokens = frozenset(
        token
        for alternatives in clauses
        for alternative in alternatives
        for token in map(word_token, alternative)
        if token
    )
    return ParsedQuery(clauses=clauses, tokens=tokens)


# --- Excerpts -----------------------------------------------------------------------------------


def highlight(text, tokens):
    """``text`` escaped, with the words matching ``tokens`` in <mark>."""
    out = []
    last = 0
    for match in WORD_RE.finditer(text):
        if word_token(match.group()) in tokens:
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def excerpt(text, tokens, length=40):
    """About ``length`` words of ``text`` around its densest run of matches, highlighted."""
    text = " ".join((text or "").split())
    spans = [m.span() for m in WORD_RE.finditer(text)]
    if not spans:
        return ""
    hits = [i for i, (s, e) in enumerate(spans) if word_token(text[s:e]) in tokens]
    start_word = 0
    if hits:
        best, best_count = hits[0], 0
        for position, h in enumerate(hits):
            count = bisect.bisect_left(hits, h + length) - position
            if count > best_count:
                best, best_count = h, count
        start_word = max(0, best - length // 4)
    end_word = min(len(spans), start_word + length)
    start = spans[start_word][0]
    end = spans[end_word - 1][1]
    fragment = highlight(text[start:end], tokens)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(f"{prefix}{fragment}{suffix}")  # noqa: S308 - fragment is escaped
