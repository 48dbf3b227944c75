"""Noun phrases of a command for the query parser: category nouns, context entities, target categories, counts.

The parse state (:class:`ParseState`, a list of :class:`Tok`) is shared with
:mod:`rvos_ros.reasoning.query_parser`, which mixes :class:`NounPhrases` into
its ``QueryParser``. A word is a category noun only where it is not a verb, a
colour adjective or a modal ("the can", not "can you"); noun compounds take
their last noun as the head ("the dog toy" is a toy).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rvos_ros.reasoning import query_words as W
from rvos_ros.reasoning.lexicon import ANY_WORDS, COLOR_OF, MOTION_VERBS, VERB_LEMMA, noun_lookup
from rvos_ros.types import Descriptor

__all__ = ["ENT_SKIP", "KIN", "NP_MODS", "OBJECT_ADJECTIVES", "NounPhrases", "ParseState", "Tok",
           "is_unknown_word"]

COLOUR_SUFFIX = frozenset("coloured colored colour color toned tinted hued shaded".split())  # "orange-coloured"
PLURAL_VERBS = frozenset("are were have".split())
PERSON_ALL = frozenset("everyone everybody anyone anybody crowd audience".split())
PLURAL_FILLERS = frozenset("ones things objects items everything stuff".split())
# words that may stand between a count and its head noun ("two of the big red dogs")
NP_MODS = (W.DETERMINERS | set(W.NUMBERS) | W.QUANT_TWO | W.QUANT_ALL | set(COLOR_OF) | set(W.SIZE) | W.COLOR_MODS
           | set(W.POSITION) | set(W.SPEED) | W.STATIC_WORDS | set(W.ORDINALS)
           | W.COLLECTIVES | {"still", "moving", "of", "among", "out", "left", "right", "only"})
# words that may precede a context entity's noun ("the other two red cars")
ENT_SKIP = (W.DETERMINERS | set(W.NUMBERS) | W.QUANT_TWO | W.QUANT_ALL | set(COLOR_OF) | set(W.SIZE) | W.COLOR_MODS
            | {w for w in W.SPEED if not w.endswith("ly")})  # "overtaking the slower man"


KIN = frozenset("mother mom mum mommy mummy father dad daddy parent parents baby babies young offspring sibling "
                "siblings brother sister mate partner".split())
"""Kinship nouns: after "its" / "their" they name an object of the target's own kind (see ``_entity``)."""
OBJECT_ADJECTIVES = frozenset(set(COLOR_OF) | set(W.SIZE))
"""Colour and size words in the other object's noun phrase ("next to the red car"): no rule judges another
object's appearance, so they are reported as unjudged (see ``_entity``; so is a number above one there,
"overtaken by two cars"). A speed there ("overtaking the slower man") says what the relation already says, and
is read with it."""
_OBJECT_PRONOUNS = frozenset("him her them".split())
"""Object pronouns that refer back to the other object named last ("it" is left alone: it is often the target)."""


def is_unknown_word(word: str) -> bool:
    """A plain word the parser has no class for (not a verb, noun, function word, colour, size, ...)."""
    return (word.isalpha() and len(word) > 2 and word not in VERB_LEMMA and noun_lookup(word) is None
            and word not in W.STOP and word not in NP_MODS and word not in W.ADVERBS and word not in W.PLACES
            and word not in W.KNOWLEDGE_WORDS and word not in W.NEGATIONS and word not in W.BODY
            and word not in W.CLOTHES and word not in W.CAMERA and word not in W.SCENE)


@dataclass
class Tok:
    """One word of the command, its lemma (verbs in base form) and whether a rule has consumed it."""

    word: str
    lemma: str
    used: bool = False
    guessed: bool = False
    """An unknown word read as a plain motion verb only so that its particles can be read ("whooshing past the
    truck"); the parser reports it as unjudged whatever reads it (see ``QueryParser._guess_verbs``)."""


@dataclass
class ParseState:
    """Everything one ``parse`` call builds up; descriptors are kept with the token index they start at."""

    toks: list[Tok]
    # (token index, descriptor): descriptors are reported in the order the command says them
    motions: list[tuple[int, Descriptor]] = field(default_factory=list)
    attributes: list[tuple[int, Descriptor]] = field(default_factory=list)
    relations: list[tuple[int, Descriptor]] = field(default_factory=list)
    context: list[tuple[int, str]] = field(default_factory=list)
    modifiers: set[int] = field(default_factory=set)  # unknown noun modifiers ("city" bus): kept unknown
    knowledge: bool = False
    saw_motion: list[str] = field(default_factory=list)  # plain motion verbs, in order (deterministic output)
    phase: tuple[str, int] | None = None  # "early"/"late"/"throughout" and where the command says it


class NounPhrases:
    """Noun-phrase methods of the query parser (a mixin: the parser supplies nothing else they need)."""

    def _modifier(self, st: ParseState, k: int) -> bool:
        """Token k is an unknown word or a participle directly before a category noun ("city" bus, "delivery"
        truck, the "parked" car, the slow "moving" truck): a noun modifier that must not hide its head noun (it
        stays in ``unknown_words``: what it says about that object is not judged)."""
        toks = st.toks
        if k + 1 >= len(toks) or toks[k].used or self._noun(st, k + 1) is None:
            return False
        participle = toks[k].word.endswith(("ing", "ed")) and (toks[k].lemma in MOTION_VERBS
                                                                or toks[k].word in W.STATIC_WORDS)
        return (is_unknown_word(toks[k].word) or participle) and self._noun(st, k) is None

    def _noun(self, st: ParseState, i: int) -> tuple[str, bool] | None:
        """``(category, plural)`` when token i is a category noun here (not a verb, colour or modal)."""
        toks = st.toks
        w = toks[i].word
        hit = noun_lookup(w.replace("_", " "))
        if hit is None:
            return None
        prev = toks[i - 1].word if i > 0 else ""
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        licensed = prev in ENT_SKIP or prev in W.ORDINALS or (prev.isdigit() and prev.isascii())
        if w in VERB_LEMMA and not licensed:
            return None
        if w in COLOR_OF and nxt is not None and (nxt.word in ANY_WORDS or nxt.word in COLOUR_SUFFIX
                                                  or noun_lookup(nxt.word.replace("_", " "))):
            return None
        if w == "can" and (not licensed or (nxt is not None and (nxt.word in VERB_LEMMA or nxt.word in
                                                                  ("be", "not")))):
            return None
        return hit

    def _first_noun(self, st: ParseState, end: int) -> tuple[str, bool] | None:
        """The first category noun before token ``end``: the target's, in a command that names it first."""
        return next((hit for k in range(end) if (hit := self._noun(st, k)) is not None), None)

    def _entity(self, st: ParseState, j: int) -> tuple[str, int] | None:
        """The context entity starting at token j: (category | "" | "camera", head index), tokens not consumed."""
        toks = st.toks
        k = j
        adjectives: list[int] = []  # "next to the red car": the other object's own words, reported if it is found
        while k < len(toks) and k - j < 6:
            t = toks[k]
            if t.used:
                return None
            if t.word in W.CAMERA:
                return "camera", k
            possessive = t.word == "her" and k + 1 < len(toks) and (
                self._noun(st, k + 1) is not None or toks[k + 1].word in ENT_SKIP)  # "her dog", "her small dog"
            if k == j and t.word in _OBJECT_PRONOUNS and not possessive:
                # "walks away from him": the object named last before it (never the first noun, the target)
                first = next((i for i in range(j) if self._noun(st, i) is not None), j)
                named = [hit[0] for i in range(first + 1, j) if (hit := self._noun(st, i)) is not None]
                return (named[-1], k) if named else None
            if t.word in KIN and k > 0 and toks[k - 1].word in ("its", "their"):
                # "towards its mother": one of the target's own kind; the kinship itself stays unjudged
                target = self._first_noun(st, j)
                if target is not None:
                    st.modifiers.add(k)
                    return target[0], k
            hit = self._noun(st, k)
            if hit is not None:
                while k + 1 < len(toks) and not toks[k + 1].used and self._noun(st, k + 1) is not None:
                    k += 1  # noun compound: the last noun is the head
                    hit = self._noun(st, k)
                st.modifiers.update(adjectives)
                return (hit[0] if hit else ""), k
            if t.word in ANY_WORDS or t.word in ("others", "other"):
                if t.word == "other" and k + 1 < len(toks) and not toks[k + 1].used:
                    k += 1
                    continue
                st.modifiers.update(adjectives)
                return "", k
            if (t.word in W.COLLECTIVES or t.word in W.QUANT_ALL or t.word in W.QUANT_TWO) and \
                    k + 1 < len(toks) and toks[k + 1].word == "of" and not toks[k + 1].used:
                k += 2  # "next to the group of men": the men are the object
                continue
            if t.word not in ENT_SKIP:
                if not self._modifier(st, k):
                    return None
                st.modifiers.add(k)
            elif t.word in OBJECT_ADJECTIVES or W.NUMBERS.get(t.word, 1) > 1:
                adjectives.append(k)  # nothing judges the other object's colour, size or number: unjudged
            k += 1
        return None

    def _noun_phrases(self, st: ParseState) -> tuple[tuple[str, ...], int]:
        """Target categories and count from the first free noun phrase; other nouns become context."""
        toks = st.toks
        heads: list[tuple[int, str, bool]] = []  # (index, category or "" for "one"/"thing", plural)
        i = 0
        while i < len(toks):
            t = toks[i]
            hit = None if t.used or i in st.modifiers else self._noun(st, i)  # "its mother" stays unjudged
            if hit is not None:
                while i + 1 < len(toks) and not toks[i + 1].used and self._noun(st, i + 1) is not None:
                    toks[i].used = True  # noun compound ("the dog toy"): the last noun is the head
                    i += 1
                    hit = self._noun(st, i) or hit
                heads.append((i, hit[0], hit[1] or toks[i].word in PERSON_ALL))
            elif not t.used and t.word in ANY_WORDS and not (t.word == "one" and i + 1 < len(toks)
                                                              and self._noun(st, i + 1) is not None):
                heads.append((i, "", t.word in PLURAL_FILLERS))
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
                    all(toks[k].word in NP_MODS or toks[k].used for k in range(h0 + 1, h1)):
                target = [(h1, rest[0][1], False)]
                rest = rest[1:]
        while rest:  # coordination: "the dog and the cat"
            gap = range(target[-1][0] + 1, rest[0][0])
            words = [toks[k].word for k in gap]
            if not any(w in ("and", "or", "plus") for w in words) or \
                    not all(w in ("and", "or", "plus") or w in ENT_SKIP for w in words):
                break
            target.append(rest.pop(0))
        st.context.extend((h, c) for h, c, _ in rest if c)
        counts = [self._count(st, h, plural or self._plural_verb(st, h)) for h, _, plural in target]
        if any(c == 0 for c in counts):
            count = 0
        elif any(toks[k].word == "or" for k in range(target[0][0], target[-1][0])):
            count = max(counts)
        else:
            count = sum(counts)
        return tuple(dict.fromkeys(c for _, c, _ in target if c)), count

    @staticmethod
    def _plural_verb(st: ParseState, head: int) -> bool:
        """The verb agreeing with the head is plural ("the sheep that are moving", "the deer were running"):
        nouns such as sheep or deer look the same in both numbers; a number or "a"/"this" before it wins."""
        toks = st.toks
        if head > 0 and toks[head - 1].word in ("a", "an", "this", "that", "one", "each", "every"):
            return False
        j = head + 1
        while j < len(toks) and j - head <= 2 and toks[j].word in ("that", "which", "who"):
            j += 1
        return j < len(toks) and toks[j].word in PLURAL_VERBS

    @staticmethod
    def _count(st: ParseState, head: int, plural: bool) -> int:
        toks = st.toks
        j = head - 1
        seg: list[str] = []
        while j >= 0 and head - j <= 8 and (toks[j].word in NP_MODS or toks[j].lemma in MOTION_VERBS
                                            or toks[j].word in ANY_WORDS or toks[j].word.isdigit()
                                            or (j == head - 1 and is_unknown_word(toks[j].word))):
            seg.append(toks[j].word)
            j -= 1
        if "of" in seg or "among" in seg:  # "two of the dogs", "the leftmost of the three cars"
            cut = max(seg.index(w) for w in ("of", "among") if w in seg)
            seg, plural = seg[cut + 1:], any(w in PLURAL_FILLERS for w in seg[cut + 1:])
        for w in seg:
            if w in W.NUMBERS:
                return W.NUMBERS[w]
            if w.isdigit() and w.isascii() and 0 < int(w) <= 1000:
                return int(w)
            if w in W.QUANT_TWO:
                return 2
            if w in W.QUANT_ALL or w in W.COLLECTIVES:
                return 0
        return 0 if plural else 1
