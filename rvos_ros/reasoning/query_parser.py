"""Query decomposition (PARSE-VOS stage 1), rule-based: a command becomes a ``ParsedQuery``.

The descriptor vocabulary (the contract with the rules stage):

motions (``kind`` / ``value`` / ``ref``): ``moving`` ("" ; negated = static), ``direction``
(left|right|up|down, image directions), ``depth`` (closer|farther from the camera), ``stops``,
``starts``, ``turns_back``, ``approaches``/``leaves`` (ref = context category), ``occluded``
(ref = occluder or ""), ``occludes`` (ref or ""), ``enters``, ``exits``, ``recent``.
attributes: ``color`` (red|orange|yellow|green|blue|purple|pink|brown|black|white|gray), ``size``
(biggest|smallest|big|small), ``speed`` (fastest|slowest|fast|slow), ``posture`` (the raw phrase).
relations: ``position`` (leftmost|rightmost|top|bottom|center|nearest|farthest; ordinals put the
1-based rank in ``ref``, "" = 1), ``relative`` (left_of|right_of|above|below|near|far_from, ref = context).
A ``size``/``speed`` descriptor from "the second largest" also carries the rank in ``ref``.

How it works: the text is cleaned and tokenized, multiword nouns are merged ("teddy bear"),
verbs are lemmatized, a polite/command prefix is dropped ("please track", "where is"); then
phrase patterns (``query_words.PATTERNS``) are matched over the lemma stream, most specific
first, each consuming its words; leftover single words (colours, sizes, speeds, positions,
verbs) come next; finally the noun phrases decide the target categories, the count and the
context entities. Every content word nobody consumed is reported in ``unknown_words``.
A plain motion verb yields ``moving`` only when no other motion descriptor was found.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from rvos_ros.errors import InputError
from rvos_ros.reasoning import query_words as W
from rvos_ros.reasoning.lexicon import (
    ANY_WORDS,
    COLOR_OF,
    MOTION_VERBS,
    POSTURE_VERBS,
    VERB_LEMMA,
    canonical_category,
    category_matches,
    noun_lookup,
)
from rvos_ros.types import Descriptor, ParsedQuery

__all__ = ["QueryParser", "canonical_category", "category_matches"]

_PERSON_ALL = frozenset("everyone everybody anyone anybody crowd audience".split())
_PLURAL_FILLERS = frozenset("ones things objects items everything stuff".split())
_NP_MODS = (W.DETERMINERS | set(W.NUMBERS) | W.QUANT_TWO | W.QUANT_ALL | set(COLOR_OF) | set(W.SIZE) | W.COLOR_MODS
            | set(W.POSITION) | set(W.SPEED) | W.STATIC_WORDS | set(W.ORDINALS) | {"still", "moving", "of", "among",
                                                                                  "out", "left", "right", "only"})
_ENT_SKIP = W.DETERMINERS | set(W.NUMBERS) | W.QUANT_TWO | W.QUANT_ALL | set(COLOR_OF) | set(W.SIZE) | W.COLOR_MODS
_POSTURE_TAIL = frozenset("down up on over out around in with at into onto its his her their a an the some its "
                          "own off".split())
_TRIM = (_POSTURE_TAIL | _ENT_SKIP) - set(COLOR_OF) - {"down", "up", "out", "off", "around"}
_BOUNDARY = frozenset("that which who whose while but than and then or".split())
_GROUP = {"m": "motions", "a": "attributes", "r": "relations"}
_CAMERA_SWAP = {("approaches", ""): ("m", "depth", "closer"), ("leaves", ""): ("m", "depth", "farther"),
                ("occludes", ""): ("r", "position", "nearest"), ("relative", "near"): ("r", "position", "nearest"),
                ("relative", "far_from"): ("r", "position", "farthest")}
_KIND_GROUP = {"color": "a", "size": "a", "speed": "a", "posture": "a", "position": "r", "relative": "r"}


def _ordered(items: list[tuple[int, Descriptor]]) -> tuple[Descriptor, ...]:
    return tuple(d for _, d in sorted(items, key=lambda item: item[0]))


@dataclass
class _Tok:
    word: str
    lemma: str
    used: bool = False


@dataclass
class _State:
    toks: list[_Tok]
    # (token index, descriptor): descriptors are reported in the order the command says them
    motions: list[tuple[int, Descriptor]] = field(default_factory=list)
    attributes: list[tuple[int, Descriptor]] = field(default_factory=list)
    relations: list[tuple[int, Descriptor]] = field(default_factory=list)
    context: list[tuple[int, str]] = field(default_factory=list)
    knowledge: bool = False
    saw_motion: list[str] = field(default_factory=list)  # plain motion verbs, in order (deterministic output)


class QueryParser:
    """Rule-based query decomposition; build once, call ``parse`` per command (well under 1 ms).

    ``max_chars`` bounds the accepted command length (characters).
    """

    def __init__(self, max_chars: int = 1000) -> None:
        if max_chars < 1:
            raise InputError(f"max_chars must be >= 1, got {max_chars}; pass a positive command length limit")
        self.max_chars = int(max_chars)
        self._patterns = [(re.compile(r"(?<![^ ])(?:" + p.body + r")(?![^ ])"), p) for p in W.PATTERNS]

    # ---- public ---------------------------------------------------------------------------------------------------

    def parse(self, text: str) -> ParsedQuery:
        """Decompose ``text``; raises InputError for an empty or over-long command."""
        if not isinstance(text, str):
            raise InputError(f"command must be a string, got {type(text).__name__}; pass the command text")
        if len(text) > self.max_chars:
            raise InputError(f"command is {len(text)} characters long, over the limit of {self.max_chars}; "
                             "shorten it or raise max_chars")
        # whitespace controls separate words; every other control/format character is dropped
        clean = "".join(" " if c in "\t\n\r\v\f" or unicodedata.category(c) in ("Zl", "Zp") else c for c in text
                        if c in "\t\n\r\v\f" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
        clean = " ".join(clean.split())
        if not clean:
            raise InputError("command is empty; send an empty string only to clear the target, otherwise "
                             "describe the object (e.g. 'the dog running left')")
        st = _State([_Tok(w, VERB_LEMMA.get(w, w)) for w in W.tokenize(clean)])
        self._strip_prefix(st)
        self._match_patterns(st)
        self._phrase_stage(st)
        self._word_stage(st)
        categories, count = self._noun_phrases(st)
        self._finish_motion(st)
        unknown = self._unknown(st)
        context = tuple(dict.fromkeys(c for _, c in sorted(st.context) if c))
        return ParsedQuery(text=clean, categories=categories, context=context,
                           motions=_ordered(st.motions), attributes=_ordered(st.attributes),
                           relations=_ordered(st.relations), count=count, understood=not unknown,
                           unknown_words=tuple(unknown), needs_knowledge=st.knowledge, source="rules")

    # ---- tokens ---------------------------------------------------------------------------------------------------

    @staticmethod
    def _strip_prefix(st: _State) -> None:
        pos, changed = 0, True
        while changed:
            changed = False
            for p in W.PREFIXES:
                if tuple(t.word for t in st.toks[pos:pos + len(p)]) == p and pos + len(p) < len(st.toks):
                    for t in st.toks[pos:pos + len(p)]:
                        t.used = True
                    pos += len(p)
                    changed = True
                    break

    # ---- noun helpers ---------------------------------------------------------------------------------------------

    def _noun(self, st: _State, i: int) -> tuple[str, bool] | None:
        """``(category, plural)`` when token i is a category noun here (not a verb, colour or modal)."""
        toks = st.toks
        w = toks[i].word
        hit = noun_lookup(w.replace("_", " "))
        if hit is None:
            return None
        prev = toks[i - 1].word if i > 0 else ""
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        licensed = prev in _ENT_SKIP or prev in W.ORDINALS or (prev.isdigit() and prev.isascii())
        if w in VERB_LEMMA and not licensed:
            return None
        if w in COLOR_OF and nxt is not None and (nxt.word in ANY_WORDS or noun_lookup(nxt.word.replace("_", " "))):
            return None
        if w == "can" and (not licensed or (nxt is not None and (nxt.word in VERB_LEMMA or nxt.word in
                                                                  ("be", "not")))):
            return None
        return hit

    def _entity(self, st: _State, j: int) -> tuple[str, int] | None:
        """The context entity starting at token j: (category | "" | "camera", head index), tokens not consumed."""
        toks = st.toks
        k = j
        while k < len(toks) and k - j < 6:
            t = toks[k]
            if t.used:
                return None
            if t.word in W.CAMERA:
                return "camera", k
            hit = self._noun(st, k)
            if hit is not None:
                while k + 1 < len(toks) and not toks[k + 1].used and self._noun(st, k + 1) is not None:
                    k += 1  # noun compound: the last noun is the head
                    hit = self._noun(st, k)
                return (hit[0] if hit else ""), k
            if t.word in ANY_WORDS or t.word in ("others", "other"):
                if t.word == "other" and k + 1 < len(toks) and not toks[k + 1].used:
                    k += 1
                    continue
                return "", k
            if t.word not in _ENT_SKIP:
                return None
            k += 1
        return None

    # ---- emission -------------------------------------------------------------------------------------------------

    def _negated(self, st: _State, i: int) -> bool:
        """True (and the negation consumed) when a "not"/"never"/"no" governs token i."""
        j = i - 1
        while j >= 0 and i - j <= 5:
            t = st.toks[j]
            if t.word in W.NEGATIONS and not t.used:
                t.used = True
                return True
            if t.word in W.NEG_SKIP or t.lemma in MOTION_VERBS or t.word in W.ADVERBS or t.word in W.SPEED:
                j -= 1
                continue
            break
        return False

    def _emit(self, st: _State, group: str, kind: str, value: str = "", ref: str = "", at: int = 0,
              negated: bool | None = None) -> None:
        neg = self._negated(st, at) if negated is None else negated
        if kind == "static":
            kind, neg = "moving", not neg
        target = getattr(st, _GROUP[group])
        d = Descriptor(kind, value, ref, neg)
        if all(d != old for _, old in target):
            target.append((at, d))

    def _verb_before(self, st: _State, i: int) -> bool:
        """A motion verb governs position i ("running quickly to the left", "riding a bike to the left")."""
        toks = st.toks
        j = i - 1
        while j >= 0 and i - j <= 6:
            t = toks[j]
            if (t.lemma in MOTION_VERBS or t.lemma in W.CAUSE_VERBS) and self._noun(st, j) is None:
                return True
            if t.word in _BOUNDARY - {"and", "then"} or t.lemma in POSTURE_VERBS:
                return False
            if self._noun(st, j) is not None:  # an object noun: accept only "VERB (det/adj)* NOUN"
                k = j - 1
                while k >= 0 and toks[k].word in _ENT_SKIP:
                    k -= 1
                return k >= 0 and toks[k].lemma in MOTION_VERBS and self._noun(st, k) is None
            j -= 1
        return False

    # ---- stages ---------------------------------------------------------------------------------------------------

    @staticmethod
    def _render(st: _State) -> tuple[str, list[int]]:
        """The lemma stream (consumed words as "#") and each token's character offset in it."""
        parts = ["#" if t.used else t.lemma for t in st.toks]
        starts = [0]
        for p in parts[:-1]:
            starts.append(starts[-1] + len(p) + 1)
        return " ".join(parts), starts

    def _match_patterns(self, st: _State) -> None:
        s, starts = self._render(st)
        for rx, pat in self._patterns:
            progress = True
            while progress:
                progress = False
                for m in rx.finditer(s):
                    if m.end() == m.start():
                        continue
                    i0 = bisect_right(starts, m.start()) - 1
                    i1 = bisect_left(starts, m.end())
                    if self._apply(st, pat, m, i0, i1):
                        s, starts = self._render(st)  # consumed words become "#" and match nothing else
                        progress = True
                        break

    def _apply(self, st: _State, pat: W.Pattern, m: re.Match[str], i0: int, i1: int) -> bool:
        toks = st.toks
        if pat.verb and not (any(t.lemma in MOTION_VERBS or t.lemma in W.CAUSE_VERBS for t in toks[i0:i1])
                             or self._verb_before(st, i0)):
            return False
        word = next((g for g in (m.groupdict().get(k) for k in ("v", "w", "x", "y")) if g), "")
        span = range(i0, i1)
        if pat.group == "":
            pass
        elif pat.group == "knowledge":
            st.knowledge = True
        elif pat.group == "posture":
            self._emit(st, "a", "posture", " ".join(t.word for t in toks[i0:i1]), at=i0, negated=False)
        elif pat.group == "ordinal":
            rank = W.ORDINALS[m.group("o")]
            v = m.group("v")
            kind = "position"
            if v in W.SIZE:
                kind, value = "size", W.SIZE[v]
            elif v in W.SPEED:
                kind, value = "speed", W.SPEED[v]
            else:
                value = {"front": "nearest", "back": "farthest"}.get(v) or W.POSITION[v]
            span = range(i0, i1)
            keep = {k for k in span if self._noun(st, k) is not None or toks[k].word in ANY_WORDS}
            span = [k for k in span if k not in keep]  # "the second dog from the left": the dog stays a mention
            self._emit(st, _KIND_GROUP[kind], kind, value, "" if rank == 1 else str(rank), at=i0, negated=False)
        elif pat.group == "fromto":
            a, b = W.DIRECTION[m.group("a")], W.DIRECTION[m.group("b")]
            if a == b:
                return False
            self._emit(st, "m", "direction", b, at=i0)
        elif pat.group == "fromdir":
            self._emit(st, "m", "direction", W.OPPOSITE[W.DIRECTION[m.group("v")]], at=i0)
        else:
            group, kind, value = pat.group, pat.kind, pat.value
            if value == "{v}":
                table = {"direction": W.DIRECTION, "position": W.POSITION, "relative": W.RELATIVE}[pat.kind]
                value = table[word]
            ref = ""
            if pat.ent:
                ent = self._entity(st, i1)
                if ent is None and pat.ent == "req":
                    return False
                if ent is not None:
                    ref, head = ent
                    span = range(i0, head + 1)
                    if ref == "camera":  # the camera is no entity: towards it is depth, near it is position
                        swap = _CAMERA_SWAP.get((pat.kind, value))
                        if swap is None:
                            return False
                        group, kind, value, ref = (*swap, "")
                    elif ref:
                        st.context.append((head, ref))
            self._emit(st, group, kind, value, ref, at=i0)
        for k in span:
            toks[k].used = True
        return True

    def _phrase_stage(self, st: _State) -> None:
        """Knowledge cues, posture verb phrases, "with ..." and clothing phrases."""
        toks = st.toks
        for i, t in enumerate(toks):
            if t.used:
                continue
            prev = toks[i - 1].word if i > 0 else ""
            if (t.word in W.MODALS and self._noun(st, i) is None) or t.word in W.KNOWLEDGE_WORDS or \
                    t.word in W.PRONOUN_SUBJECTS:
                st.knowledge = t.used = True
            elif t.lemma in POSTURE_VERBS and self._noun(st, i) is None:
                if prev in W.MODALS or prev in W.PRONOUN_SUBJECTS or prev == "to":
                    st.knowledge = t.used = True  # "something to sit on", "the one I could drink from"
                else:
                    self._tail_phrase(st, i)
            elif t.word == "with" or (t.word == "in" and any(
                    u.word in W.CLOTHES for u in toks[i + 1:i + 5])):  # "in the red shirt"
                self._tail_phrase(st, i, need_object=True)

    def _tail_phrase(self, st: _State, i: int, need_object: bool = False) -> None:
        """Posture phrase: the verb (or "with"/"in") plus its particles, modifiers and object noun."""
        toks = st.toks
        j, obj, ent = i + 1, False, None
        while j < len(toks) and j - i <= 5 and not toks[j].used:
            w = toks[j].word
            if w in _BOUNDARY or w in W.POSITION or w in ("left", "right") or toks[j].lemma in MOTION_VERBS:
                break
            noun = self._noun(st, j)
            if noun is not None:
                ent, obj = (j, noun[0]), True
            elif w in W.BODY or w in W.CLOTHES or w in W.PLACES or w in W.CAMERA:
                obj = True
            elif w not in _POSTURE_TAIL and w not in _ENT_SKIP:
                if obj or w in W.STOP or w in W.SPEED or not w.isalpha():
                    break
                obj = True  # one unknown object noun ("holding a racquet") is left for appearance checks
            j += 1
        while j - 1 > i and toks[j - 1].word in _TRIM:
            j -= 1  # drop trailing particles/determiners: "sitting on the | left"
        if need_object and not obj:
            return
        phrase = " ".join(t.word.replace("_", " ") for t in toks[i:j])
        self._emit(st, "a", "posture", phrase, at=i)
        for t in toks[i:j]:
            t.used = True
        if ent is not None:
            st.context.append(ent)

    def _word_stage(self, st: _State) -> None:
        toks = st.toks
        for i, t in enumerate(toks):
            if t.used:
                continue
            w, lem = t.word, t.lemma
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if w == "still":
                if nxt is not None and (nxt.lemma in MOTION_VERBS or nxt.word in W.ADVERBS | W.STOP):
                    t.used = True  # "still running": the adverb of continuation
                    continue
                self._emit(st, "m", "static", at=i)
            elif w in W.STATIC_WORDS or lem in W.STATIC_WORDS:
                self._emit(st, "m", "static", at=i)
            elif lem in ("hide", "occlude", "conceal", "obscure"):
                self._emit(st, "m", "occluded", at=i)
            elif lem in ("leave", "exit"):
                self._emit(st, "m", "exits", at=i)
            elif w in W.SPEED:
                self._emit(st, "a", "speed", W.SPEED[w], at=i)
            elif w in W.SIZE:
                self._emit(st, "a", "size", W.SIZE[w], at=i)
            elif w in COLOR_OF and self._noun(st, i) is None:
                self._emit(st, "a", "color", COLOR_OF[w], at=i)
            elif w in W.POSITION:
                self._emit(st, "r", "position", W.POSITION[w], at=i)
            elif lem in MOTION_VERBS and self._noun(st, i) is None and not (
                    w in W.BODY and i > 0 and toks[i - 1].word in W.DETERMINERS | {"whose"}):
                if self._negated(st, i):
                    self._emit(st, "m", "moving", at=i, negated=True)
                else:
                    st.saw_motion.append(lem)
            else:
                continue
            t.used = True

    def _noun_phrases(self, st: _State) -> tuple[tuple[str, ...], int]:
        """Target categories and count from the first free noun phrase; other nouns become context."""
        toks = st.toks
        heads: list[tuple[int, str, bool]] = []  # (index, category or "" for "one"/"thing", plural)
        i = 0
        while i < len(toks):
            t = toks[i]
            hit = None if t.used else self._noun(st, i)
            if hit is not None:
                while i + 1 < len(toks) and not toks[i + 1].used and self._noun(st, i + 1) is not None:
                    toks[i].used = True  # noun compound ("the dog toy"): the last noun is the head
                    i += 1
                    hit = self._noun(st, i) or hit
                heads.append((i, hit[0], hit[1] or toks[i].word in _PERSON_ALL))
            elif not t.used and t.word in ANY_WORDS and not (t.word == "one" and i + 1 < len(toks)
                                                              and self._noun(st, i + 1) is not None):
                heads.append((i, "", t.word in _PLURAL_FILLERS))
            i += 1
        for h, _, _ in heads:
            toks[h].used = True
        if not heads:
            return (), 1
        target = [heads[0]]
        rest = heads[1:]
        if target[0][1] == "" and rest:  # "the left one of the three cars": partitive gives the category
            h0, h1 = target[0][0], rest[0][0]
            if any(toks[k].word in ("of", "among") for k in range(h0 + 1, h1)) and \
                    all(toks[k].word in _NP_MODS or toks[k].used for k in range(h0 + 1, h1)):
                target = [(h1, rest[0][1], False)]
                rest = rest[1:]
        while rest:  # coordination: "the dog and the cat"
            gap = range(target[-1][0] + 1, rest[0][0])
            words = [toks[k].word for k in gap]
            if not any(w in ("and", "or", "plus") for w in words) or \
                    not all(w in ("and", "or", "plus") or w in _ENT_SKIP for w in words):
                break
            target.append(rest.pop(0))
        st.context.extend((h, c) for h, c, _ in rest if c)
        counts = [self._count(st, h, plural) for h, _, plural in target]
        if any(c == 0 for c in counts):
            count = 0
        elif any(toks[k].word == "or" for k in range(target[0][0], target[-1][0])):
            count = max(counts)
        else:
            count = sum(counts)
        return tuple(dict.fromkeys(c for _, c, _ in target if c)), count

    @staticmethod
    def _count(st: _State, head: int, plural: bool) -> int:
        toks = st.toks
        j = head - 1
        seg: list[str] = []
        while j >= 0 and head - j <= 8 and (toks[j].word in _NP_MODS or toks[j].lemma in MOTION_VERBS
                                            or toks[j].word in ANY_WORDS or toks[j].word.isdigit()):
            seg.append(toks[j].word)
            j -= 1
        if "of" in seg or "among" in seg:  # "two of the dogs", "the leftmost of the three cars"
            cut = max(seg.index(w) for w in ("of", "among") if w in seg)
            seg, plural = seg[cut + 1:], any(w in _PLURAL_FILLERS for w in seg[cut + 1:])
        for w in seg:
            if w in W.NUMBERS:
                return W.NUMBERS[w]
            if w.isdigit() and w.isascii() and 0 < int(w) <= 1000:
                return int(w)
            if w in W.QUANT_TWO:
                return 2
            if w in W.QUANT_ALL:
                return 0
        return 0 if plural else 1

    def _finish_motion(self, st: _State) -> None:
        """Verb-implied speed/direction, opposite directions -> turn back, and plain ``moving``."""
        dirs = sorted((item for item in st.motions if item[1].kind == "direction" and not item[1].negated),
                      key=lambda item: item[0])
        values = [d.value for _, d in dirs]
        for at, d in dirs:
            if W.OPPOSITE[d.value] in values[: values.index(d.value)]:
                st.motions.remove((at, d))  # "left then right": keep the first leg and say it turns back
                self._emit(st, "m", "turns_back", at=at, negated=False)
        all_lemmas = {t.lemma for t in st.toks}
        if not any(d.kind == "speed" for _, d in st.attributes):
            if all_lemmas & W.FAST_VERBS:
                self._emit(st, "a", "speed", "fast", negated=False)
            elif all_lemmas & W.SLOW_VERBS:
                self._emit(st, "a", "speed", "slow", negated=False)
        implied = [W.DIR_VERBS[v] for v in st.saw_motion if v in W.DIR_VERBS]
        if implied and not any(d.kind == "direction" for _, d in st.motions):
            self._emit(st, "m", "direction", implied[0], negated=False)
        if st.saw_motion and not st.motions:
            self._emit(st, "m", "moving", negated=False)

    @staticmethod
    def _unknown(st: _State) -> list[str]:
        out: list[str] = []
        for t in st.toks:
            w = t.word
            if t.used or w in W.STOP or w in W.NUMBERS or w in W.QUANT_ALL or w in W.QUANT_TWO or w in W.PLACES \
                    or w in W.COLOR_MODS or w in W.NEGATIONS or (w.isdigit() and w.isascii()):
                continue
            if w.replace("_", " ") not in out:
                out.append(w.replace("_", " "))
        return out
