"""Query decomposition (PARSE-VOS stage 1), rule-based: a command becomes a ``ParsedQuery``.

The descriptor vocabulary (the contract with the rules stage) is typed in :mod:`rvos_ros.vocabulary`
(``KINDS``: each kind's values, ref, list and judge); what follows is how phrases map onto it:

motions (``kind`` / ``value`` / ``ref``): ``moving`` ("" ; negated = static), ``direction``
(left|right|up|down, image directions), ``depth`` (closer|farther from the camera), ``stops``,
``starts``, ``turns_back``, ``approaches``/``leaves`` (ref = context category), ``occluded``
(ref = occluder or ""), ``occludes`` (ref or ""), ``enters``, ``exits``, ``recent``.
attributes: ``color`` (red|orange|yellow|green|blue|purple|pink|brown|black|white|gray), ``size``
(biggest|smallest|big|small), ``speed`` (fastest|slowest|fast|slow), ``posture`` (the raw phrase).
relations: ``position`` (leftmost|rightmost|top|bottom|center|nearest|farthest; ordinals put the
1-based rank in ``ref``, "" = 1), ``relative`` (left_of|right_of|above|below|near|far_from, ref = context;
``near@start``: "starts next to the man").
A ``size``/``speed`` descriptor from "the second largest" also carries the rank in ``ref``.

Extensions (the rules judge them in :mod:`rvos_ros.reasoning.temporal`; older consumers may ignore them):
``moving`` may carry a phase value: "early" ("moving at first", "initially", "in the beginning"), "late"
("at the end", "by the end", adverbial "still running") or "throughout" ("keeps walking", "never stops",
"the whole time"); negated early/late means not moving then ("not moving at the end"). ``onset``
(first|last): the earliest / latest motion onset ("starts moving first", "the first car to move", "moves
last"; a past "moved last" stays ``recent``). ``extent`` (most|least|little): distance travelled ("rolled
the farthest", "covers the most ground", "moved the least", "barely moves"; "the farthest car" stays a
position). ``heading`` (same|opposite, ref = context category or "" for the others): direction of motion
compared with other objects ("going the same way as the bus", "against the flow", "the other way").
Sequences: a static state ("waiting", "idle", "parked", "still") then motion ("and then drove off", "before
crossing") is ``starts``; motion then a static state is ``stops``; "pulls away", "drives off", "sets off",
"takes off" are ``starts``. "On the right" / "at the top" are positions even after a motion verb; "to the
right" after a motion verb is a direction. Adjective "still" ("the still dog", "stands still") is static.

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
from collections.abc import Sequence

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
    is_past_form,
    noun_lookup,
    singular_candidates,
)
from rvos_ros.reasoning.query_nouns import ENT_SKIP as _ENT_SKIP
from rvos_ros.reasoning.query_nouns import NounPhrases, is_unknown_word
from rvos_ros.reasoning.query_nouns import ParseState as _State
from rvos_ros.reasoning.query_nouns import Tok as _Tok
from rvos_ros.types import Descriptor, ParsedQuery

__all__ = ["QueryParser", "canonical_category", "category_matches"]

_POSTURE_TAIL = frozenset("down up on over out around in with at into onto its his her their a an the some its "
                          "own off".split())
_TRIM = (_POSTURE_TAIL | _ENT_SKIP) - set(COLOR_OF) - {"down", "up", "out", "off", "around"}
_BOUNDARY = frozenset("that which who whose while but than and then or".split())
_VERB_BASES = frozenset(VERB_LEMMA.values())
# "while the others stay still": a clause about the other objects (see _others_clause), up to the next clause
_OTHERS_LINKS = frozenset("while whilst whereas as but and when after before until till once".split())
_OTHERS_END = frozenset("that which who whose but whereas".split())
# particles after which an unknown word in a verb's place is read as a plain motion verb (see _guess_verbs)
_GUESS_PARTICLES = frozenset("past by after at toward towards to up around round away off from behind into across "
                             "along over through ahead alongside beside near out down back".split())
_SUBJECT_WORDS = frozenset("it he she they one ones".split())
# prepositions that may stand between a motion verb and the object noun it governs (see _verb_before)
_VERB_PREPS = frozenset("beside behind near past alongside with toward towards to from by around after".split())
# what a sitting or standing target may ride on or in: its posture then says nothing about its motion
_CARRIERS = frozenset("horse elephant camel donkey cow bicycle motorcycle skateboard scooter car bus truck train boat "
                      "surfboard skis snowboard cart airplane".split())
_SEQUENCE_KINDS = frozenset({"starts", "stops", "turns_back"})
_COUNT_WORDS = {"once": 1, "twice": 2, "thrice": 3}
_OBJECT_RELATIVE = {"follow": "followed_by", "trail": "followed_by", "tail": "followed_by", "overtake": "passed_by",
                    "pass": "passed_by", "chase": "leaves", "pursue": "leaves", "approach": "approached_by"}
_TARGET_PRONOUNS = frozenset("it him her them".split())
"""A pronoun closing an object relative or a "with" clause refers to the target ("with a dog running after it")."""
_AUX = frozenset("is are was were be been has have had".split())
_AUXILIARIES = _AUX | frozenset("do does did all remain remains stay stays keep".split())
"""Words that may open the predicate of a clause about the others ("while the others are standing")."""
_TOWARDS = (("up", "to"), ("over", "to"), ("towards",), ("toward",), ("to",))
_AFTER = (("after",), ("behind",), ("along", "after"), ("along", "behind"))
"""Particles that make a motion verb an approach at the end of an object relative ("the man the horse walks up to")."""
_PHASE_CONNECTORS = frozenset("then before afterwards later finally eventually until till".split())
_RESUME = frozenset("keep continue resume carry".split())
_PHASE_VERBS = frozenset("start begin go set take head carry resume continue keep retrace return reverse".split())
_REVERSE = frozenset("retrace return reverse".split())
_TURN_VERBS = frozenset("turn wheel swing spin pivot swivel".split())
"""Verbs that go back the way the previous phase came when they name no direction ("returns", "reversing")."""
"""Verbs that carry a phase's direction without being motion verbs themselves ("sets off to the left")."""
_SPEED_CHANGES = (
    (re.compile(r"(?<![^ ])(?:pick up (?:speed|pace)|gather (?:speed|pace)|break into a (?:run|trot|gallop|sprint|"
                r"jog)|speed up|from slow to fast)(?![^ ])"), ("slow", "fast")),
    (re.compile(r"(?<![^ ])(?:lose (?:speed|pace)|ease off|slow (?:down|to a (?:walk|crawl|stroll|trot))|"
                r"from fast to slow)(?![^ ])"), ("fast", "slow")),
)
"""Phrases that are a two-phase speed sequence by themselves, on the lemma stream."""
_NOT_REDUCED = frozenset("that which who is are was were be been being has have had get gets got it they he she "
                         "and".split())
_PASSIVE_VERBS = frozenset("pass approach overtake follow chase trail tail shadow circle lead pursue hunt stalk track "
                           "outrun outpace".split())
"""Verbs that take an object, so their participle right after a noun phrase and before "by" is passive ("a cow
overtaken by a horse"); "walked by the car" is a motion past the car."""
_STATIC_LEMMAS = frozenset("stop halt pause wait stand stay remain freeze rest sit idle park linger".split())
_EVENTS = {"stop": "stop", "halt": "stop", "pause": "stop", "freeze": "stop", "leave": "leave", "exit": "leave",
           "disappear": "leave", "arrive": "enter", "enter": "enter", "appear": "enter"}
_ORDER_WORDS = frozenset(_EVENTS) | frozenset("first last to the a one ones frame view scene picture screen video "
                                              "image".split())
_CLAUSE_STARTS = frozenset("it they he she the a an its their his her we you i".split())
_JUMP_VERBS = frozenset("jump hop leap bounce".split())
_CONNECTORS = frozenset("then before after until till later afterwards".split())
_GROUP = {"m": "motions", "a": "attributes", "r": "relations"}
_CAMERA_SWAP = {("approaches", ""): ("m", "depth", "closer"), ("leaves", ""): ("m", "depth", "farther"),
                ("occludes", ""): ("r", "position", "nearest"), ("relative", "near"): ("r", "position", "nearest"),
                ("relative", "far_from"): ("r", "position", "farthest")}
_KIND_GROUP = {"color": "a", "size": "a", "speed": "a", "posture": "a", "position": "r", "relative": "r"}


def _ordered(items: list[tuple[int, Descriptor]]) -> tuple[Descriptor, ...]:
    return tuple(d for _, d in sorted(items, key=lambda item: item[0]))


def _phase_of(toks: Sequence[_Tok], part: Sequence[int], before: str | None) -> tuple[str, list[int]] | None:
    """What one phase of a sequence says (static, a direction, slow, fast, moving; "" for a bare turn between two
    phases) and the tokens it read; None when the part has no motion word. ``before`` is the previous phase
    ("then turns back" reverses it)."""
    words = [toks[i].word for i in part]
    lemmas = [toks[i].lemma for i in part]
    static = [part[k] for k, (w, lem) in enumerate(zip(words, lemmas, strict=True))
              if w in ("still", "put", "idle", "motionless", "stationary") or lem in _STATIC_LEMMAS]
    if static and not any(lem in ("start", "begin") for lem in lemmas):
        return "static", static
    verbs = [part[k] for k, lem in enumerate(lemmas) if lem in MOTION_VERBS or lem in _PHASE_VERBS]
    turned = any(lem == "turn" for lem in lemmas) and any(w in ("back", "around") for w in words)
    if before in W.OPPOSITE and (turned or "back" in words or any(lem in _REVERSE for lem in lemmas)) and \
            not any(w in W.DIRECTION for w in words):
        # "then turns back", "then walks back", "then back", "retraces its steps": the way it came
        return W.OPPOSITE[before], [part[k] for k, (w, lem) in enumerate(zip(words, lemmas, strict=True))
                                    if w in ("turn", "turns", "turning", "turned", "back", "around", "steps")
                                    or lem in _REVERSE]
    if before in W.OPPOSITE and not any(w in W.DIRECTION for w in words) and (
            any(lem in _RESUME for lem in lemmas) or any(
                w == "on" and k > 0 and lemmas[k - 1] in MOTION_VERBS for k, w in enumerate(words))):
        # "then racing on", "then carries on": the way it was going before it stopped
        return before, [*verbs, *(part[k] for k, w in enumerate(words) if w == "on")]
    if verbs and all(lemmas[part.index(v)] in _TURN_VERBS for v in verbs) and not any(
            w in W.DIRECTION or w in W.SPEED for w in words):
        return "", verbs  # "then turns and walks right": a turn is the change between two phases, not one
    for k, w in enumerate(words):
        if w in ("left", "right", "up", "down") and (verbs or k == 0) and not (
                k >= 2 and words[k - 1] == "the" and words[k - 2] in ("on", "at")) and not (
                w in ("up", "down") and k > 0 and lemmas[k - 1] in ("end", "speed", "slow")):
            return W.DIRECTION[w], [*verbs, part[k]]
    speeds = [part[k] for k, w in enumerate(words) if w in W.SPEED and W.SPEED[w] in ("slow", "fast")]
    if speeds:
        return W.SPEED[toks[speeds[0]].word], [*verbs, *speeds]
    if any(lem in W.FAST_VERBS for lem in lemmas):
        return "fast", verbs
    if any(lem in W.SLOW_VERBS for lem in lemmas):
        return "slow", verbs
    return ("moving", verbs) if verbs else None


_OBJECT_PREPS = frozenset("across over on onto in into past behind near under through toward towards from with beside "
                          "along by at to around".split())
_PLACE_PREPS = frozenset("on at in from next beside near close by above below over under between behind".split())


def _starts_at_place(words: Sequence[str], i: int) -> bool:
    """"starts on the right", "begins out next to the man": the verb says where it is at first, not a phase."""
    j = i + 1
    if j < len(words) and words[j] in ("out", "off"):
        j += 1
    return j < len(words) and words[j] in _PLACE_PREPS


def _span_of(stream: str, m: re.Match[str] | None) -> list[int]:
    """Token indices a match on the space-joined lemma stream covers."""
    if m is None:
        return []
    first = stream[:m.start()].count(" ")
    return list(range(first, first + m.group(0).count(" ") + 1))


def _speed_of(toks: Sequence[_Tok], part: Sequence[int]) -> str | None:
    """The speed one phase was said with (a speed word or a fast or slow verb), or None."""
    for i in part:
        w, lem = toks[i].word, toks[i].lemma
        if w in W.SPEED and W.SPEED[w] in ("slow", "fast"):
            return W.SPEED[w]
        if lem in W.FAST_VERBS:
            return "fast"
        if lem in W.SLOW_VERBS:
            return "slow"
    return None


class QueryParser(NounPhrases):
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
        st = _State([_Tok(w, VERB_LEMMA.get(w, w)) for w in W.rewrite_idioms(W.tokenize(clean))])
        self._strip_prefix(st)
        self._partitive(st)
        self._others(st)
        self._others_clause(st)
        self._reduced_passives(st)
        self._object_relatives(st)
        self._match_patterns(st)
        if self._guess_verbs(st):  # a second pass reads the particles of the words left unread
            self._match_patterns(st)
            self._unguess(st)
        self._phrase_stage(st)
        self._word_stage(st)
        categories, count = self._noun_phrases(st)
        self._finish_motion(st)
        self._phases(st)
        self._counts(st)
        unknown = self._unknown(st)
        context = tuple(dict.fromkeys(c for _, c in sorted(st.context) if c))
        # a named other object that no descriptor relates the target to ("overtakes the truck") is unjudged
        descriptors = [d for _, d in st.motions + st.attributes + st.relations]
        read = {d.ref for d in descriptors} | {w for d in descriptors for w in d.value.split()}
        unknown += [c for c in context if c not in read and c not in unknown]
        return ParsedQuery(text=clean, categories=categories, context=context,
                           motions=_ordered(st.motions), attributes=_ordered(st.attributes),
                           relations=_ordered(st.relations), count=count, understood=not unknown,
                           unknown_words=tuple(unknown), needs_knowledge=st.knowledge, source="rules")

    # ---- tokens ---------------------------------------------------------------------------------------------------

    _OTHERS = re.compile(r"(?<![^ ])(?P<c>before|earlier than|sooner than|ahead of|after|later than) (?:(?:all )?"
                         r"(?:of )?(?:the )?(?:others|other ones|rest(?: of them)?)|all (?:of )?the other \S+)"
                         r"(?![^ ])")
    """"before the others", "after all the other cars"; not "after the other dog" (a chase) or "ahead of the
    other dog" (leading it)."""

    def _others(self, st: _State) -> None:
        """"Before the others" / "earlier than the rest" read as "first", "after all the others" as "last", so the
        ordinal phrases take them ("goes out of the frame before the others" = the first to leave)."""
        s, starts = self._render(st)
        for m in reversed(list(self._OTHERS.finditer(s))):
            i0 = bisect_right(starts, m.start()) - 1
            i1 = bisect_left(starts, m.end())
            if i1 < len(st.toks) and st.toks[i1].lemma in _VERB_BASES:
                continue  # "after the others stop": a clause about them (see _others_clause)
            last = m.group("c") in ("after", "later than")
            word = "last" if last else "first"
            st.toks[i0:i1] = [_Tok(word, word)]

    def _others_clause(self, st: _State) -> None:
        """"The cat that moves while the others stay still": a clause whose subject is the other objects says
        nothing the target's descriptors may read ("stay still" is theirs). Its words are kept out of every
        rule and reported as unjudged (the contrast it draws is not judged), so the rules never lock on it."""
        toks = st.toks
        for i, t in enumerate(toks[:-1]):
            if t.word not in _OTHERS_LINKS or t.used:
                continue
            j = i + 1
            while j < len(toks) and toks[j].word in ("the", "all", "of"):
                j += 1
            if j < len(toks) and toks[j].word in ("others", "rest"):
                verb = j + 1
            elif j + 1 < len(toks) and toks[j].word == "other" and self._noun(st, j + 1) is not None:
                verb = j + 2
            elif j == i + 1 and j < len(toks) and toks[j].word in ("he", "she") and self._target_is_no_person(st, i):
                verb = j + 1  # "the dog that doesn't follow the man when he walks away": he is the man
            else:
                continue
            if verb >= len(toks) or not (toks[verb].lemma in _VERB_BASES or toks[verb].word in _AUXILIARIES):
                continue  # "running after the other dog": no clause, the other dog is the object
            end = next((k for k in range(j + 1, len(toks)) if toks[k].word in _OTHERS_END), len(toks))
            for k in range(i, end):
                toks[k].lemma = "~" + toks[k].word
                st.modifiers.add(k)
            return

    def _target_is_no_person(self, st: _State, i: int) -> bool:
        """The first noun before token i (the target's) names no person, so "he" / "she" there is someone else."""
        first = self._first_noun(st, i)
        return first is not None and first[0] != "person"

    def _partitive(self, st: _State) -> None:
        """"Among (all) the horses, the one that ..." / "out of the three dogs, the one ..." / "the one among the
        cars that ...": one of them is the target, so the command is read as "the horse that ...", with the
        group's modifiers ("of the red cars, the one ..." = "the red car ...")."""
        toks = st.toks
        i = next((k for k, t in enumerate(toks) if not t.used), len(toks))
        words = [t.word for t in toks]
        one_first = words[i:i + 2] == ["the", "one"]
        j = i + 2 if one_first else i
        if words[j:j + 2] == ["out", "of"]:
            j += 2
        elif j < len(words) and words[j] in ("among", "amongst", "of", "from"):
            j += 1
        else:
            return
        while j < len(words) and words[j] in ("all", "of", "the", "these", "those"):
            j += 1
        if j < len(words) and (words[j] in W.NUMBERS or words[j].isdigit()):
            j += 1  # the group's size, not the target's count
        start = j
        while j < len(words) and self._noun(st, j) is None and (words[j] in COLOR_OF or words[j] in W.SIZE
                                                                or words[j] in W.COLOR_MODS):
            j += 1
        hit = self._noun(st, j) if j < len(words) else None
        if hit is None or not hit[1]:
            return
        singular = next((w for w in singular_candidates(words[j]) if noun_lookup(w) == (hit[0], False)), hit[0])
        rest = j + 1
        if not one_first:
            if words[rest:rest + 2] != ["the", "one"]:
                return
            rest += 2
        group = [_Tok(t.word, t.lemma) for t in toks[start:j]]
        st.toks[i:rest] = [_Tok("the", "the"), *group, _Tok(singular, singular)]

    def _guess_verbs(self, st: _State) -> bool:
        """An unknown word in a verb's place with a particle after it ("the car whooshing past the truck", "the cow
        that trundles away from the dog"), left unread by the phrase patterns, is read as a plain motion verb while
        they run again, so the particle still says which relation is meant. The word itself stays unjudged
        (:meth:`_unguess`): the decision can order candidates by that reading but never lock on it."""
        toks = st.toks
        for i in range(1, len(toks) - 1):
            t, prev = toks[i], toks[i - 1]
            if t.used or toks[i + 1].word not in _GUESS_PARTICLES or not is_unknown_word(t.word):
                continue
            after_noun = self._noun(st, i - 1) is not None or prev.word in _SUBJECT_WORDS
            form = (t.word.endswith("ing") and len(t.word) > 5 and (after_noun or prev.word in ("is", "are"))) or (
                prev.word in ("that", "which", "who") and t.word.endswith(("s", "ed")) and len(t.word) > 3)
            if form:
                t.lemma, t.guessed = "move", True
        return any(t.guessed for t in toks)

    @staticmethod
    def _unguess(st: _State) -> None:
        for t in st.toks:
            if t.guessed:
                t.lemma, t.used = t.word, False

    @staticmethod
    def _reduced_passives(st: _State) -> None:
        """"a man passed by a bicycle": the participle of a verb that takes an object, right after the noun phrase,
        is passive ("that passed by" or "is passed by" keep their own reading); a "be" before it lets the passive
        phrases read it."""
        toks = st.toks
        for i in range(len(toks) - 2, 0, -1):
            if toks[i].lemma in _PASSIVE_VERBS and is_past_form(toks[i].word, toks[i].lemma) and \
                    toks[i + 1].word == "by" and toks[i - 1].word not in _NOT_REDUCED:
                toks.insert(i, _Tok("be", "be"))

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
            if self._noun(st, j) is not None:  # an object noun: accept only "VERB (PREP) (det/adj)* NOUN"
                k = j - 1
                while k >= 0 and toks[k].word in _ENT_SKIP:
                    k -= 1
                if k >= 1 and toks[k].word in _VERB_PREPS:  # "walks beside the dog in the same direction"
                    k -= 1
                return k >= 0 and (toks[k].lemma in MOTION_VERBS or toks[k].lemma in W.CAUSE_VERBS) and \
                    self._noun(st, k) is None  # "pushing a stroller to the left": it moves with it
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
                        rendered = self._render(st)  # consumed words become "#" and match nothing else
                        if rendered[0] == s:
                            continue  # applied without consuming a word: rescanning would loop forever
                        s, starts = rendered
                        progress = True
                        break

    def _apply(self, st: _State, pat: W.Pattern, m: re.Match[str], i0: int, i1: int) -> bool:
        toks = st.toks
        if pat.verb and not (any(t.lemma in MOTION_VERBS or t.lemma in W.CAUSE_VERBS for t in toks[i0:i1])
                             or self._verb_before(st, i0)):
            return False
        word = next((g for g in (m.groupdict().get(k) for k in ("v", "w", "x", "y")) if g), "")
        span: Sequence[int] = range(i0, i1)
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
        elif pat.group == "onset":
            span = self._onset(st, m, i0, i1)
        elif pat.group == "order":
            event = _EVENTS[m.group("e") or m.group("e2")]
            self._emit(st, "m", "order", f"{m.group('v') or m.group('w')}:{event}", at=i0, negated=False)
            span = [k for k in range(i0, i1) if toks[k].lemma in _ORDER_WORDS]
        elif pat.group == "view_order":
            into = (m.group("io") or m.group("io2")) != "out of"
            self._emit(st, "m", "order", f"{m.group('v') or m.group('w')}:{'enter' if into else 'leave'}", at=i0,
                       negated=False)
            span = [k for k in range(i0, i1) if self._noun(st, k) is None]  # "the last car to drive out": a car
        elif pat.group == "circling":  # "circling the tree", "runs round the man": a circle, near the object
            ent = self._entity(st, i1)
            if ent is None:
                return False
            ref, head = ent
            if ref and ref != "camera":
                st.context.append((head, ref))
            self._emit(st, "m", "shape", "circle", at=i0, negated=False)
            self._emit(st, "r", "relative", "near", ref if ref != "camera" else "", at=i0, negated=False)
            span = range(i0, head + 1)
        elif pat.group == "arrival":
            arrived = self._arrival(st, m, i0, i1)
            if arrived is None:
                return False
            span = arrived
        elif pat.group == "seq":
            span = self._sequence(st, pat, m)
        elif pat.group == "collective":
            if self._first_noun(st, i0) is not None:  # after another noun: that object's group
                return False
            self._emit(st, "m", "together", at=i0)
        elif pat.group == "phase":
            st.phase = st.phase or (pat.value, i0)
        elif pat.group == "nearer":  # "the cat follows the dog and gets closer": closer to the dog
            named = [ref for head, ref in st.context if head < i0 and ref and ref != "camera"]
            if named:
                self._emit(st, "m", "approaches" if pat.value == "closer" else "leaves", "", named[-1], at=i0)
            else:
                self._emit(st, "m", "depth", pat.value, at=i0)
        elif pat.group == "fromto":
            a, b = W.DIRECTION[m.group("a")], W.DIRECTION[m.group("b")]
            if a == b:
                return False
            self._emit(st, "m", "direction", b, at=i0)
        elif pat.group == "fromdir":
            self._emit(st, "m", "direction", W.OPPOSITE[W.DIRECTION[m.group("v")]], at=i0)
        else:
            group, kind, value = pat.group, pat.kind, pat.value
            if value.startswith("{v}"):
                table = {"direction": W.DIRECTION, "position": W.POSITION, "relative": W.RELATIVE}[pat.kind]
                value = table[word] + value[3:]  # "{v}@start": where it is at the start
            ref = ""
            if pat.ent:
                ent = self._entity(st, i1)
                if ent is None and pat.ent == "req":
                    return False
                if ent is not None and pat.kind == "relative" and m.group(0) in ("with", "in") and \
                        toks[ent[1]].word in W.CLOTHES:
                    return False  # "a man with / in a hat": worn (a posture phrase for the verifier), not nearby
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
        if pat.kind == "behind":  # "jogging slowly behind the children": the speed stays for its own rule
            span = [k for k in span if toks[k].word not in W.SPEED]
        for k in span:
            toks[k].used = k not in st.modifiers  # "towards the city bus": "city" stays an unknown word
        return True

    def _arrival(self, st: _State, m: re.Match[str], i0: int, i1: int) -> list[int] | None:
        """The first or last to reach an object ("the first one to get to the truck", "reaching the man first",
        "arrives last at the car"): ``order`` ``first|last:arrive`` with the object as ref. None when no
        first/last goes with it (a plain "reaches the truck" is an approach)."""
        toks = st.toks
        ent = self._entity(st, i1)
        if ent is None:
            return None
        ref, head = ent
        value = m.group("v") or (m.group("w") or "").strip()
        after = head + 1
        if not value and after < len(toks) and not toks[after].used and toks[after].word in ("first", "last"):
            value = toks[after].word
        if not value:
            return None
        if ref and ref != "camera":
            st.context.append((head, ref))
        self._emit(st, "m", "order", f"{value}:arrive", ref, at=i0, negated=False)
        keep = {k for k in range(i0, head) if self._noun(st, k) is not None and k < head - 1}
        span = [k for k in range(i0, head + 1) if k not in keep]
        return span + ([after] if after < len(toks) and toks[after].word == value else [])

    def _onset(self, st: _State, m: re.Match[str], i0: int, i1: int) -> list[int]:
        """Onset order ("moves first", "the first car to start"); a past "moved last" is recency."""
        toks = st.toks
        value = m.group("v") or m.group("w")
        words = [k for k in range(i0, i1) if toks[k].word not in ("first", "last")]
        kind = "onset"
        if value == "last" and len(words) == 1 and is_past_form(toks[words[0]].word, toks[words[0]].lemma):
            kind, value = "recent", ""  # "the box that moved last": the one moved most recently
        self._emit(st, "m", kind, value, at=i0, negated=False)
        # "the first car to move": the car stays a mention
        return [k for k in range(i0, i1) if self._noun(st, k) is None and toks[k].word not in ANY_WORDS]

    def _sequence(self, st: _State, pat: W.Pattern, m: re.Match[str]) -> list[int]:
        """Still, then moving (starts) or moving, then still (stops); consumes the state, the connector
        and a setting-off verb, and leaves a plain motion verb and the words between for other phrases."""
        _, starts = self._render(st)
        span: list[int] = []
        for name, text in m.groupdict().items():
            if text is None or (name.startswith("g") and " " not in text and text not in ("start", "begin")):
                continue
            a, b = m.span(name)
            span += range(bisect_right(starts, a) - 1, bisect_left(starts, b))
        self._emit(st, "m", pat.kind, at=min(span, default=0), negated=False)
        return span

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
                elif t.word != t.lemma and i + 1 < len(toks) and self._noun(st, i + 1) is not None:
                    # a participle before its noun ("the perched bird", "the sitting dog"): the noun stays a noun
                    self._emit(st, "a", "posture", t.word, at=i, negated=False)
                    t.used = True
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
            if t.used or i in st.modifiers:  # a modifier of another object ("the parked car") is not the target's
                continue
            w, lem = t.word, t.lemma
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if w == "still":
                if nxt is not None and nxt.lemma in MOTION_VERBS:
                    self._emit(st, "m", "moving", "late", at=i)  # "still running": it keeps moving up to now
                elif nxt is None or nxt.word in _BOUNDARY or not (nxt.word in W.ADVERBS or nxt.word in W.STOP):
                    self._emit(st, "m", "static", at=i)  # "the still dog", "is still", "stands still and ..."
                # else "still there", "still in view": continuation, no motion claim
            elif w in W.STATIC_WORDS or lem in W.STATIC_WORDS:
                self._emit(st, "m", "static", at=i)
            elif lem in ("hide", "occlude", "conceal", "obscure"):
                self._emit(st, "m", "occluded", at=i)
            elif lem in ("leave", "exit"):
                self._emit(st, "m", "exits", at=i)
            elif w in W.SPEED:
                self._emit(st, "a", "speed", W.SPEED[w], at=i)
            elif (w in W.SIZE or w in COLOR_OF) and self._of_an_object(st, i):
                continue  # "gliding across a big wave": the wave's size, unjudged
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
                    if lem in W.SPECIFIC_MOTION:
                        continue  # read as plain moving, but its own meaning is unjudged ("overtakes", "hops")
            else:
                continue
            t.used = True

    @staticmethod
    def _of_an_object(st: _State, i: int) -> bool:
        """An adjective in the noun phrase of a preposition's object whose noun is no category the parser knows
        ("across a big wave", "on a red leaf"): it describes that object, not the target."""
        toks = st.toks
        j = i - 1
        while j >= 0 and (toks[j].word in COLOR_OF or toks[j].word in W.SIZE or toks[j].word in W.COLOR_MODS):
            j -= 1
        if j < 1 or toks[j].word not in ("a", "an", "the", "its", "his", "her", "their") or \
                toks[j - 1].word not in _OBJECT_PREPS:
            return False
        k = i + 1
        while k < len(toks) and (toks[k].word in COLOR_OF or toks[k].word in W.SIZE):
            k += 1
        return k < len(toks) and toks[k].word.isalpha() and toks[k].word not in W.STOP and \
            noun_lookup(toks[k].word) is None

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
        poses = [(i, d) for i, d in st.attributes if d.kind == "posture" and not d.negated
                 and VERB_LEMMA.get(d.value.split()[0], d.value.split()[0]) in W.STATIC_POSES]
        carried = any(d.kind == "relative" and d.ref in _CARRIERS for _, d in st.relations)
        if poses and not st.motions and not st.saw_motion and not carried:
            # "perched", "lying down": not moving; but "sitting on a horse" moves with the horse
            self._emit(st, "m", "static", at=poses[0][0], negated=False)
        if any(d.kind in ("starts", "stops") for _, d in st.motions):
            # a sequence names both states ("sat idle and then pulled out"): neither holds the whole time
            st.motions[:] = [(i, d) for i, d in st.motions if not (d.kind == "moving" and d.value == "")]
        elif st.saw_motion and not st.motions:
            self._emit(st, "m", "moving", negated=False)
        if st.phase is not None:
            self._apply_phase(st, *st.phase)
        if any(d.kind in _SEQUENCE_KINDS for _, d in st.motions):
            for t in st.toks:  # the connectors are what a two-phase descriptor reads ("left then right")
                if t.word in _CONNECTORS:
                    t.used = True

    def _apply_phase(self, st: _State, phase: str, at: int) -> None:
        """"moving at first" / "not moving at the end" / "walking the whole time": the plain motion state gets
        the phase; static "the whole time" stays plain static (static throughout is static)."""
        plain = [(i, d) for i, d in st.motions if d.kind == "moving" and d.value == ""]
        if not plain and not st.saw_motion:
            return  # "stops at the end", "parked at the end of the street": nothing to time
        if not plain:
            self._emit(st, "m", "moving", phase, at=at, negated=False)
        for i, d in plain:
            if d.negated and phase == "throughout":
                continue
            st.motions.remove((i, d))
            self._emit(st, "m", "moving", phase, at=i, negated=d.negated)

    def _object_relatives(self, st: _State) -> None:
        """"the horse (that) the man follows": the target is the object of another's verb, so it is followed
        (passed, chased) by that other one: ``followed_by`` / ``passed_by`` / ``leaves`` with it as the ref."""
        toks = st.toks
        for i in range(1, len(toks) - 1):
            v = i + 1
            while v < len(toks) - 1 and toks[v].word in _AUX:
                v += 1  # "the sheep the dog is chasing"
            verb = toks[v].lemma
            kind = _OBJECT_RELATIVE.get(verb)
            end = v + 1
            if kind is None and verb in MOTION_VERBS:  # "the cow which the dog goes up to"
                for words, particle_kind in [(w, "approached_by") for w in _TOWARDS] + \
                                            [(w, "followed_by") for w in _AFTER]:
                    after = v + 1 + len(words)  # the particle ends the clause, or a pronoun for the target does
                    if tuple(t.word for t in toks[v + 1:after]) == words and (after == len(toks) or (
                            toks[after].word in _BOUNDARY or toks[after].word in _TARGET_PRONOUNS)):
                        kind, end = particle_kind, after
                        if end < len(toks) and toks[end].word in _TARGET_PRONOUNS:
                            end += 1  # "the cat with a dog coming up to it"
                        break
            if kind is None or toks[i - 1].word not in ("the", "a", "an", "another"):
                continue
            noun = self._noun(st, i)
            if noun is None or not any(self._noun(st, j) is not None for j in range(0, i - 1)):
                continue  # "the man follows the horse" has no noun before "the man": not an object relative
            if end < len(toks) and (self._noun(st, end) is not None or toks[end].word in ("the", "a", "an")):
                continue  # the verb has its own object: an ordinary clause
            self._emit(st, "m", kind, ref=noun[0], at=i - 1, negated=False)
            st.context.append((i, noun[0]))
            for t in toks[i - 1:end]:
                t.used = True
            if i >= 2 and toks[i - 2].word in ("that", "which", "whom"):
                toks[i - 2].used = True

    @staticmethod
    def _phases(st: _State) -> None:
        """A sequence of phases with a state, a direction or a speed in each ("stands for a while and then walks
        to the left", "walks left, stops, and then walks right", "starts slow and speeds up") becomes one
        ``phases`` descriptor (``static>left``, ``left>static>right``, ``slow>fast``) that replaces the
        descriptors read from its words one by one."""
        toks = st.toks
        words = [t.word for t in toks]
        lemmas = [t.lemma for t in toks]
        phases: list[str] = []
        read: list[int] = []
        speed_of: dict[int, str] = {}  # phase index -> the speed a direction phase was said with
        placed = False  # a "starts on the right" was left out of the phases
        bridged = False  # a pause or a resumption says it moved before the stop (moving>static>moving)
        pairs = list(zip(words, words[1:], strict=False))
        stream = " ".join(lemmas)
        changes = [(rx.search(stream), ph) for rx, ph in _SPEED_CHANGES]
        verbs_and_stops = [lem for lem in lemmas if lem in MOTION_VERBS or lem in _STATIC_LEMMAS or lem in _RESUME
                           or lem in _REVERSE]
        gerund_after = any(w == "after" and i + 1 < len(words) and words[i + 1].endswith("ing")
                           and lemmas[i + 1] in MOTION_VERBS for i, w in enumerate(words))
        if any(w in ("accelerate", "accelerates", "accelerating") for w in words) or changes[0][0]:
            phases = ["slow", "fast"]
            read += _span_of(stream, changes[0][0])
        elif any(w in ("decelerate", "decelerates", "decelerating") for w in words) or changes[1][0]:
            phases = ["fast", "slow"]
            read += _span_of(stream, changes[1][0])
        elif any(w in _PHASE_CONNECTORS for w in words) or ("after", "that") in pairs or any(
                a == "end" and b == "up" for a, b in zip(lemmas, lemmas[1:], strict=False)) or (
                len(verbs_and_stops) >= 3 and any(lem in _STATIC_LEMMAS for lem in verbs_and_stops)) or gerund_after:
            parts: list[list[int]] = [[]]
            last_verb = -10
            earlier: set[int] = set()  # parts that happened before the part they follow ("stops after going right")
            for i, w in enumerate(words):
                if lemmas[i] in ("start", "begin") and _starts_at_place(words, i):
                    placed = True  # "starts on the right and then drives left": where it was, not a phase
                    continue
                verbish = (lemmas[i] in MOTION_VERBS or lemmas[i] in _STATIC_LEMMAS or lemmas[i] in _REVERSE) and not (
                    lemmas[i] in ("come", "get") and i + 1 < len(words) and words[i + 1] == "to") and not (
                    words[i] == "steps" and i > 0 and words[i - 1] in ("its", "his", "her", "their")) and not (
                    words[i] == "back" and i > 0 and (lemmas[i - 1] in MOTION_VERBS or words[i - 1] in W.SPEED
                                                      or words[i - 1] in W.ADVERBS))  # "drifts slowly back"
                if w == "after" and i + 1 < len(toks) and words[i + 1].endswith("ing") and \
                        lemmas[i + 1] in MOTION_VERBS and parts[-1]:
                    earlier.add(len(parts))
                    parts.append([])
                elif w in _PHASE_CONNECTORS or (w == "and" and i + 1 < len(toks) and (
                        lemmas[i + 1] in MOTION_VERBS or lemmas[i + 1] in _STATIC_LEMMAS or lemmas[i + 1] == "end"
                        or lemmas[i + 1] in _RESUME)) \
                        or (w == "after" and i + 1 < len(toks) and words[i + 1] == "that"):
                    parts.append([])
                elif verbish and parts[-1] and last_verb >= 0 and i - last_verb > 1 and last_verb in parts[-1]:
                    parts.append([i])  # "walks to the left, stops": a second verb starts a second phase
                else:
                    parts[-1].append(i)
                if verbish:
                    last_verb = i
            for k in sorted(earlier):
                parts[k - 1], parts[k] = parts[k], parts[k - 1]
            for part in parts:
                way = next((p for p in reversed(phases) if p in W.OPPOSITE), phases[-1] if phases else None)
                got = _phase_of(toks, part, way)
                if got is None:
                    continue
                p, used = got
                read += used
                if not p:
                    continue
                if phases == ["static"] and p != "static" and any(lemmas[i] in _RESUME for i in part):
                    phases.insert(0, p)  # "stops for a moment and then keeps going left": it went left before
                    bridged = True
                elif phases == ["static"] and p != "static" and any(lemmas[i] == "pause" for i in parts[0]):
                    phases.insert(0, "moving")  # "pauses, then drives on": a pause is in the middle of moving
                    bridged = True
                if not phases or phases[-1] != p:
                    phases.append(p)
                speed = _speed_of(toks, part) if p in W.OPPOSITE else None
                if speed is not None:  # p is the last phase now
                    speed_of[len(phases) - 1] = speed
        speeds: list[str] = []
        if any(p in ("slow", "fast") for p in phases):
            # "crawls along to the right, then sprints": the speeds are the sequence, the direction holds throughout
            phases = [speed_of.get(k, p) for k, p in enumerate(phases)]
        elif speed_of and len(phases) >= 2:
            # "dashes left, then drifts slowly back to the right": the directions are the sequence and the speeds
            # a second one ("walks left, pauses, then races on": left>static>left and moving>static>fast)
            speeds = [speed_of.get(k) or ("static" if p == "static" else "moving") for k, p in enumerate(phases)]
        if placed and len(phases) == 1:  # a place, then one motion: the connector is read by the two
            for i, w in enumerate(words):
                if w in _PHASE_CONNECTORS:
                    toks[i].used = True
        if len(phases) < 2 or (set(phases) <= {"static", "moving"} and not bridged):
            return  # still then moving is a start, moving then still a stop: those descriptors say it
        # two phases: a start, a stop or a turn back read from the same words says the same; three or more: the
        # phases say it all. A direction stays when no phase names one ("slow at first, then fast to the right").
        drop = ({"moving"} | ({"direction"} if any(p in W.OPPOSITE for p in phases) else set())
                | ({"starts", "stops", "turns_back"} if len(phases) > 2 else set()))
        at = min((i for i, d in st.motions if d.kind in drop), default=0)
        st.motions[:] = [(i, d) for i, d in st.motions if d.kind not in drop or d.negated]
        st.attributes[:] = [(i, d) for i, d in st.attributes
                            if d.kind != "speed" and not (d.kind == "posture" and i in read)]
        st.motions.append((at, Descriptor("phases", ">".join(phases))))
        if speeds and len(set(speeds)) > 1:
            st.motions.append((at, Descriptor("phases", ">".join(speeds))))
        for k, t in enumerate(toks):
            prev = toks[k - 1].lemma if k > 0 else ""
            nxt = toks[k + 1].lemma if k + 1 < len(toks) else ""
            if t.word in _PHASE_CONNECTORS or t.lemma in ("speed", "accelerate", "decelerate") or k in read or (
                    t.word in ("up", "down") and prev in ("speed", "slow")) or (t.lemma == "end" and nxt == "up") \
                    or (t.word == "up" and prev == "end") or (t.word in ("out", "off") and prev in ("start", "begin")):
                t.used = True

    @staticmethod
    def _counts(st: _State) -> None:
        """Counted actions ("stops twice", "turns around three times", "jumps once"): the count goes into a
        ``repeats`` descriptor (``stop:2``, ``turn:3``, ``jump:1``) that replaces the uncounted one."""
        toks = st.toks
        for i, t in enumerate(toks):
            if t.used:
                continue
            if t.word in _COUNT_WORDS:
                n, span = _COUNT_WORDS[t.word], [i]
                if t.word == "once" and i + 1 < len(toks) and toks[i + 1].word in _CLAUSE_STARTS:
                    continue  # "once it stops": a conjunction, not a count
            elif t.word == "times" and i > 0 and (toks[i - 1].word in W.NUMBERS or toks[i - 1].word.isdigit()):
                prev = toks[i - 1].word
                n, span = (W.NUMBERS[prev] if prev in W.NUMBERS else int(prev)), [i - 1, i]
            else:
                continue
            action: tuple[int, str] | None = None
            for k, (at, d) in enumerate(st.motions):
                if at < span[0] and (d.kind in ("stops", "turns_back") or (d.kind == "shape" and d.value == "bounce")):
                    if action is None or at > st.motions[action[0]][0]:
                        action = (k, {"stops": "stop", "turns_back": "turn"}.get(d.kind, "jump"))
            jumps = [j for j in range(max(0, span[0] - 6), span[0]) if toks[j].lemma in _JUMP_VERBS]
            if jumps and (action is None or jumps[-1] > st.motions[action[0]][0]):
                at = jumps[-1]
                toks[at].used = True
                st.motions.append((at, Descriptor("repeats", f"jump:{n}")))
            elif action is not None:
                at = st.motions[action[0]][0]
                st.motions[action[0]] = (at, Descriptor("repeats", f"{action[1]}:{n}"))
            else:
                continue
            for j in span:
                toks[j].used = True

    @staticmethod
    def _unknown(st: _State) -> list[str]:
        out: list[str] = []
        for i, t in enumerate(st.toks):
            w = t.word
            if t.used or (i not in st.modifiers and (  # a modifier of another object is reported whatever it is
                    w in W.STOP or w in W.NUMBERS or w in W.QUANT_ALL or w in W.QUANT_TWO or w in W.PLACES
                    or w in W.COLOR_MODS or w in W.NEGATIONS or (w.isdigit() and w.isascii()))):
                continue
            if w.replace("_", " ") not in out:
                out.append(w.replace("_", " "))
        return out
