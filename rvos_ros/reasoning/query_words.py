"""The words of a command: tokenization, closed word classes and phrase patterns for the query parser.

Patterns are regular expressions over the *lemma stream* of a command (verbs
reduced to their base form, e.g. "was running quickly" -> "be run quickly"),
tried in order; earlier, more specific phrases win. Macros: ``{V}`` any motion
verb, ``{D}`` an optional determiner, ``{SCENE}`` the frame/view words,
``{CAM}`` the camera/viewer words, ``{STILL}`` the words for "not moving".
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rvos_ros.reasoning.lexicon import MOTION_VERBS, MULTIWORD, noun_lookup

__all__ = ["PATTERNS", "Pattern", "tokenize"]

_CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b"), "can not"), (re.compile(r"\bwon'?t\b"), "will not"), (re.compile(r"n't\b"), " not"),
    (re.compile(r"\b(it|that|what|where|who|there|here|he|she)'s\b"), r"\1 is"), (re.compile(r"'s\b"), ""),
    (re.compile(r"'re\b"), " are"), (re.compile(r"'m\b"), " am"), (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"), (re.compile(r"'ve\b"), " have"),
]
_WORD = re.compile(r"[^\W_]+")
_MULTI_MAX = max(len(m.split()) for m in MULTIWORD)


_DET = r"(?:the |a |an |that |this )"
_NP = rf"{_DET}?(?:[a-z_]+ ){{0,3}}?[a-z_]+"
_IDIOM_TEXT: tuple[tuple[str, str], ...] = (
    # "the dog with the man hard on its heels": the man follows it
    (rf"with (?P<x>{_NP}) (?:hard |hot |close |right )?(?:on|at) (?:its|his|her|their) heels", r"followed by \g<x>"),
    (rf"with (?P<x>{_NP}) (?:bringing|bring|brings) up the rear", r"followed by \g<x>"),
    (r"(?:bringing|bring|brings|brought) up the rear", "following the others"),
    # orders said as idioms: "beating the others to the woman", "first off the mark", "hangs back longest"
    (r"(?:beat|beats|beating) (?:all )?(?:of )?(?:the )?(?:others|rest|other [a-z_]+) to", "first to reach"),
    (r"(?:first|quickest|fastest|earliest) off the mark", "first to start"),
    (r"(?:last|slowest) off the mark", "last to start"),
    (r"(?:hang|hangs|hanging|hung|hold|holds|holding|held|wait|waits|waiting|waited|linger|lingers|lingering|"
     r"stay|stays|staying|stayed) (?:back |put |still )?(?:the )?longest(?: before (?:moving|setting off|"
     r"starting|going|it moves|it goes))?", "last to start"),
    # "last to the car": the last to reach it (not "the first to the left")
    (r"(?P<o>first|last) (?:one )?to(?= (?:the|a|an) (?!(?:left|right|top|bottom|front|back|middle|center|centre|"
     r"side|edge|end|start|finish)(?: |$)))", r"\g<o> to reach"),
    # speed and stopping idioms: "puts on a burst of speed", "pulls up"
    (r"(?:put|puts|putting) on (?:a )?(?:burst|spurt|turn) of (?:speed|pace)|(?:a )?(?:sudden )?burst of speed",
     "speeds up"),
    (r"(?:pull|pulls|pulling|pulled|draw|draws|drawing|drew) up(?= (?:and|then|before|after|at the end)(?: |$)|$)",
     "stops"),
    # "flies out of the frame at the top": the side it leaves by is the way it goes
    (r"(?P<x>out of|leave|leaves|leaving|left|exit|exits|exiting|exited) (?P<f>(?:the )?(?:frame|view|scene|screen|"
     r"picture|shot)) (?:at|on|through|from|via|by) the (?P<s>top|bottom|left|right)(?: side| edge)?",
     r"\g<x> \g<f> to the \g<s>"),
    # "comes to a stop": stops, in the same form ("the last horse to come to a stop" = the last to stop)
    *((rf"{come} to (?:a )?(?:complete |full |sudden |dead )?(?:stop|halt|standstill|rest)", stop)
      for come, stop in (("come", "stop"), ("comes", "stops"), ("coming", "stopping"), ("came", "stopped"))),
    # "the horse ridden by a woman": someone rides it (no vocabulary kind), not a horse riding past her
    (r"(?P<x>ridden|driven|pushed|pulled|carried|held) by", r"\g<x>_by"),
    # "the man led by the dog": the dog leads, so the man follows it
    (r"(?:(?:is|are|was|were|gets|got) )?(?:being )?led by", "following"),
    # "falls behind the others", "lagging behind": it trails them
    (r"(?:fall|falls|falling|fell|fallen|lag|lags|lagging|lagged|trail|trails|trailing|trailed) behind"
     r"(?= (?:the|a|an|its|his|her|their) )", "following"),
    (r"(?:fall|falls|falling|fell|fallen|lag|lags|lagging|lagged|trail|trails|trailing|trailed) behind",
     "following the others"),
    # "stays still for the rest of the clip": the state holds from then on, which the phase already says
    (r"(?:for|during|throughout) the rest of (?:the|this) (?:clip|video|time|scene|sequence|footage|film|shot)", ""),
    # "walks off and leaves it behind": moves away from the object named before
    (r"(?:leave|leaves|leaving) (?:it|him|her|them) behind", "moves away from him"),
)
IDIOMS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(rf"(?<![^ ]){body}(?![^ ])"), rep)
                                                        for body, rep in _IDIOM_TEXT)
"""Idioms rewritten into plain words before parsing, on the space-joined word stream (general English, each one a
paraphrase: "first off the mark" is "first to start")."""


def rewrite_idioms(words: list[str]) -> list[str]:
    """``words`` with every :data:`IDIOMS` paraphrase applied."""
    text = " ".join(words)
    for rx, rep in IDIOMS:
        text = rx.sub(rep, text)
    return text.split()


def tokenize(text: str) -> list[str]:
    """Lower-case words of ``text``; contractions expanded, possessive 's dropped ("the dog's ball" -> the dog
    ball), hyphens split, multiword nouns joined by "_" ("teddy bears" -> "teddy_bears")."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    for rx, rep in _CONTRACTIONS:
        t = rx.sub(rep, t)
    words = _WORD.findall(t)
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_MULTI_MAX, len(words) - i), 1, -1):  # longest multiword noun first
            if noun_lookup(" ".join(words[i:i + n])) is not None:
                out.append("_".join(words[i:i + n]))
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "eleven": 11, "twelve": 12, "single": 1, "lone": 1, "duo": 2, "trio": 3, "quartet": 4}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6}
QUANT_TWO = frozenset("both pair couple".split())
QUANT_ALL = frozenset("all every each several some many multiple various few group bunch pack herd flock team "
                      "cluster huddle knot clump gaggle "
                      "swarm lot lots crowd everything everyone everybody".split())
COLLECTIVES = frozenset("row line column queue convoy procession troop".split())
"""Collective nouns read only in "a row of cows" (all of them, as one group); elsewhere ("crossing the line") they
stay plain words, reported when nothing reads them."""
DETERMINERS = frozenset("the a an this that these those its their his her other another same".split())
NEGATIONS = frozenset("not never no without non nor".split())
# Words that may stand between a negation and what it negates ("is not", "does not really").
NEG_SKIP = frozenset("the a an is are was were be been being am do does did has have had will it that which who also "
                     "really currently even ever yet seem seems appear to keep".split())
CAMERA = frozenset("camera viewer us me you lens observer photographer cameraman foreground".split())
SCENE = frozenset("frame frames image picture scene screen view video clip shot footage sight field camera".split())
PLACES = frozenset("road street floor ground grass field water sky wall air sidewalk pavement snow sand beach river "
                   "lake pond pool sea ocean room lawn yard park court path trail hill slope stairs steps ramp runway "
                   "track lane corridor hallway kitchen garden forest woods mud ice shore dirt road crosswalk "
                   "intersection parking lot".split())
BODY = frozenset("wing wings tail head heads ear ears leg legs arm arms hand hands paw paws foot feet mouth nose eye "
                 "eyes hair face back body neck trunk beak fin fins horn horns".split())
CLOTHES = frozenset("shirt shirts tshirt jacket coat dress skirt pants trousers jeans shorts hoodie sweater uniform "
                    "vest suit scarf boots gloves glasses sunglasses mask top costume outfit clothes clothing hat hats "
                    "cap caps helmet helmets backpack collar harness headband bandana beanie hood".split())
COLOR_MODS = frozenset("light dark bright pale deep pure".split())
SPEED = {"fast": "fast", "quick": "fast", "quickly": "fast", "rapid": "fast", "rapidly": "fast", "swift": "fast",
         "swiftly": "fast", "speedy": "fast", "speedily": "fast", "hastily": "fast", "hurriedly": "fast",
         "briskly": "fast", "fastest": "fastest", "quickest": "fastest", "speediest": "fastest", "swiftest": "fastest",
         "faster": "fastest", "quicker": "fastest", "speedier": "fastest", "swifter": "fastest", "slow": "slow",
         "slowly": "slow", "leisurely": "slow", "sluggish": "slow", "sluggishly": "slow", "lazily": "slow",
         "gently": "slow", "slowest": "slowest", "slower": "slowest"}
SIZE = {"big": "big", "large": "big", "huge": "big", "giant": "big", "enormous": "big", "massive": "big",
        "tall": "big", "gigantic": "big", "biggest": "biggest", "largest": "biggest", "hugest": "biggest",
        "tallest": "biggest", "bigger": "biggest", "larger": "biggest", "taller": "biggest", "small": "small",
        "little": "small", "tiny": "small", "mini": "small", "miniature": "small", "short": "small",
        "petite": "small", "smallest": "smallest", "tiniest": "smallest", "littlest": "smallest",
        "shortest": "smallest", "smaller": "smallest", "tinier": "smallest", "shorter": "smallest"}
POSITION = {"left": "leftmost", "right": "rightmost", "leftmost": "leftmost", "rightmost": "rightmost",
            "top": "top", "topmost": "top", "uppermost": "top", "upper": "top", "highest": "top", "bottom": "bottom",
            "bottommost": "bottom", "lowermost": "bottom", "lower": "bottom", "lowest": "bottom", "middle": "center",
            "center": "center", "centre": "center", "central": "center", "nearest": "nearest", "closest": "nearest",
            "front": "nearest", "foremost": "nearest", "frontmost": "nearest", "backmost": "farthest",
            "hindmost": "farthest",
            "foreground": "nearest", "farthest": "farthest",
            "furthest": "farthest", "rear": "farthest", "background": "farthest", "distant": "farthest"}
DIRECTION = {"left": "left", "right": "right", "up": "up", "down": "down", "top": "up", "bottom": "down",
             "leftward": "left", "leftwards": "left", "rightward": "right", "rightwards": "right", "upward": "up",
             "upwards": "up", "downward": "down", "downwards": "down", "uphill": "up", "downhill": "down",
             "skyward": "up", "skywards": "up"}
OPPOSITE = {"left": "right", "right": "left", "up": "down", "down": "up"}
RELATIVE = {"left": "left_of", "right": "right_of"}
STATIC_WORDS = frozenset("stationary motionless static immobile unmoving idle parked stay remain wait linger park "
                         "stagnant".split())
# Posture verbs that also say the object is not moving ("the perched bird", "the dog lying down").
STATIC_POSES = frozenset("sit lie stand perch rest sleep crouch kneel squat nap lay lounge sunbathe".split())
# Verbs that move something else: "the box pushed to the left" is a direction, not a position.
CAUSE_VERBS = frozenset("push pull drag throw toss kick carry roll pick".split())
FAST_VERBS = frozenset("sprint race dash rush hurry zoom speed bolt charge dart accelerate scurry shoot zip whiz "
                       "whizz hurtle streak".split())
SLOW_VERBS = frozenset("crawl creep stroll amble tiptoe trudge shuffle waddle dawdle saunter plod mosey potter "
                       "mooch".split())
DIR_VERBS = {"climb": "up", "rise": "up", "soar": "up", "descend": "down", "fall": "down", "sink": "down",
             "dive": "down", "plunge": "down"}
KNOWLEDGE_WORDS = frozenset("edible drinkable eatable pet pets wild domestic domesticated dangerous harmful poisonous "
                            "safe alive living dead useful useless purpose expensive cheap valuable favorite favourite "
                            "owner owns belongs tasty delicious healthy sharp hot cold fragile heavy soft hard "
                            "comfortable".split())
MODALS = frozenset("can could would might should may must able".split())
PRONOUN_SUBJECTS = frozenset("i we he she they you my your our mine".split())
ADVERBS = frozenset("then again also gradually steadily continuously constantly slightly somewhat suddenly "
                    "immediately finally eventually later afterwards first initially now currently straight forward "
                    "forwards ahead along across around about over through very really quite pretty rather too "
                    "extremely super always still just a bit little lot more most further farther".split())
# Words that carry meaning in a referring expression (direction, phase, order, company): never skipped as
# filler. A descriptor that reads one marks it used; one that nobody reads is reported as unjudged, so that
# "the dog that goes back and forth" is not read as "the dog that goes" and locked (issue 16).
CONTENT_PARTICLES = frozenset(
    "forward forwards ahead back away into onto over up down out off through across along around about together "
    "apart then before after until till since once during throughout time times distance straight towards toward "
    "within inside outside end ends keep keeps go goes going become becomes becoming get gets got same".split())
# Motion verbs that say more than "moving": when no descriptor reads them (a pattern consumes "chasing the
# ball", "turns back", "climbing" gives up), the rules can only read plain motion, so the verb is unjudged.
SPECIFIC_MOTION = frozenset(
    "overtake circle spin bounce hop jump leap bound chase follow pursue approach enter arrive come flee escape "
    "retreat back wheel swing turn swerve veer tumble pass reach skid lurch stagger limp".split())
STOP = frozenset(
    "the a an this that these those which who whom whose what where when while whilst how why is are was were be "
    "been being am do does did done has have had having it its itself they them their theirs there here of in on at "
    "to from by with for and or but nor then than as so very really quite also too just only even yet currently now "
    "always again already ever please kindly thanks thank hey hi hello ok okay me us myself some any other others "
    "another same such each every all both either neither time times moment side sides way part area region spot "
    "place direction position location corner edge half around about through across along into onto over up down "
    "out off away back straight forward forwards ahead continuously constantly steadily gradually slightly somewhat "
    "bit lot much more most less fairly pretty rather extremely super suddenly immediately finally eventually "
    "afterwards initially whole entire throughout during until till before after since once like seems seem appear "
    "appears visible seen shown located positioned situated placed present will shall let lets try tries keep keeps "
    "get gets got make makes go goes going become becomes becoming end ends whenever whichever else instead "
    "if whether towards toward within inside outside together apart s t single lone light dark bright pale deep "
    "video frame frames image picture scene screen view clip shot footage sight field camera right left "
    "one ones object objects thing things item items something anything stuff entity everything target whatever "
    "group pair couple bunch pack herd flock team swarm lots few many several multiple various "
    "rest distance other dressed clad colored coloured among his her him its their them".split()
) - {"right", "left"} - CONTENT_PARTICLES

PREFIXES = tuple(tuple(p.split()) for p in sorted((
    "please", "kindly", "hey", "hi", "hello", "ok", "okay", "now", "robot", "can you", "could you", "would you",
    "will you", "i want you to", "i want to", "i would like you to", "i would like to", "i would like", "i want",
    "i need you to", "i need", "go ahead and", "try to", "help me", "help me find", "segment", "segment out",
    "track", "find", "show", "show me", "follow", "locate", "detect", "highlight", "select", "pick", "pick out",
    "pick up", "point to", "point at", "point out", "identify", "mask", "get", "give me", "look at", "look for",
    "search for", "focus on", "keep track of", "keep an eye on", "watch", "mark", "outline", "tell me", "spot",
    "isolate", "choose", "indicate", "where is", "where are", "which is", "what is", "who is", "is there",
    "are there", "there is", "there are", "do you see", "can you see", "you see", "i see", "and", "then", "also",
    "find me", "get me", "go to", "grab", "fetch", "bring me", "hand me", "bring", "segmentation of",
    "the segmentation of", "the mask of", "mask of", "tracking",
    "follow and segment", "track and segment", "segment and track", "let s track", "lets track", "please track",
), key=len, reverse=True))

_V = "|".join(sorted(MOTION_VERBS, key=len, reverse=True))
# "still" + a motion verb is the adverb of continuation ("still moving"), not the adjective
_STILL_ADJ = rf"still(?! (?:{_V}|be (?:{_V}))(?: |$))"
_STILL = (f"{_STILL_ADJ}|stationary|park|static|motionless|idle|immobile|at rest|not move|not moving|"
          "standing still|stand still|sit still|in place|in one place")
# a static state that a later motion can end ("was waiting and then drove off")
_STATE = (r"(?:(?:be|stand|sit|stay|remain|lie|wait|keep|hold) )?(?:" + _STILL_ADJ + r"|stationary|static|"
          r"motionless|idle|immobile|at rest|in (?:one )?place)|not move|wait|linger|rest|pause|stop|halt|park|stay|"
          r"remain|settle|(?:sit|lie|stand)(?: down| up)?|come to (?:a )?(?:stop|halt|rest|standstill)")
# a verb of setting off: "pulls away", "drives off", "sets off", "takes off", "gets going"
# ("drives off to the left" / "off the road" say where it goes, not that it sets off)
_GO_OFF = (r"pull (?:away|out|off)|(?:set|take|start|move|drive|ride|run|walk|fly|speed|zoom|race|dash|rush|"
           r"bolt|sail|cycle|pedal|roll|trot|gallop|hurry|jog|march|step|shoot|zip|whiz|whizz|tear|scoot) off"
           r"(?! (?:of|the|a|an|into|onto|to|"
           r"towards|toward|in|left|right|up|down|screen|frame|camera|view|stage)(?: |$))|set out|get go|get move|"
           r"get start")
_THEN = r"(?:and )?(?:then|later|afterwards|after that|eventually|suddenly|finally|before)"
_MACROS = {
    "{V}": f"(?:{_V})",
    "{D}": "(?:(?:the|a|an|its|their|his|her|our) )?",
    "{SCENE}": "(?:frame|view|scene|picture|screen|image|video|sight|field of view|shot|camera view|camera|room)",
    "{CAM}": "(?:camera|viewer|us|me|you|lens|observer|foreground)",
    "{STILL}": f"(?:{_STILL})",
    "{STILLADJ}": _STILL_ADJ,
    "{STATE}": f"(?:{_STATE})",
    "{GOOFF}": f"(?:{_GO_OFF})",
    "{THEN}": _THEN,
    "{GAP}": r"(?:(?!(?:that|which|who|while|whereas|but|whose|and)(?: |$))\S+ )",
    # lemma stream: "beginning" reads "begin"
    "{EARLY}": r"(?:at first|initially|(?:in|at) the (?:very )?(?:begin|start)|early on|to (?:begin|start) with|"
               r"in the first (?:few )?(?:second|moment|frame)s?)",
    "{LATE}": r"(?:(?:at|in|by|towards|toward|near) the (?:very )?(?:end|finish)|in the end|"
              r"in the last (?:few )?(?:second|moment|frame)s?)",
    "{NOTADV}": r"(?! (?:quickly|rapidly|slowly|swiftly|recently|fast|speedily|lately)(?: |$))",
    "{LR}": "(?:left|right)",
    "{FRAME}": "(?: of (?:the )?(?:frame|image|screen|picture|video|scene|view|shot))?",
    "{SIDE}": "(?: (?:hand )?(?:side|edge|corner|part|half|border|area))?",
    "{ORD}": "(?:" + "|".join(ORDINALS) + ")",
}


class Pattern(NamedTuple):
    """One phrase rule: ``body`` (regex with macros), what it emits, and when it applies.

    ``group``: "m" motion, "a" attribute, "r" relation, "" nothing (filler) or a
    special handler name; ``value`` may be "{v}" (mapped from the ``v`` group);
    ``ent``: "req"/"opt" when a context entity must/may follow; ``verb``: a motion
    verb must precede the phrase (or be in it).
    """

    body: str
    group: str
    kind: str = ""
    value: str = ""
    ent: str = ""
    verb: bool = False


def _p(body: str, group: str, kind: str = "", value: str = "", ent: str = "", verb: bool = False) -> Pattern:
    for k, v in _MACROS.items():
        body = body.replace(k, v)
    return Pattern(body, group, kind, value, ent, verb)


PATTERNS: tuple[Pattern, ...] = (
    # "first" marking the first phase of a sequence ("goes slow first, then fast"); "wherever it goes" adds nothing
    _p(r"briefly|momentarily|(?:carry|keep|go|move) on(?= (?:to|towards|toward|walk|run|move|go|{V})(?: |$)|$)|"
       r"first(?= (?:and )?then(?: |$))|wherever (?:it|they|he|she) (?:go|move|walk|run)|(?:start|begin) (?:out|off)"
       r"(?= (?:fast|slow|quick|quickly|slowly|rapidly|at)(?: |$))|off(?= (?:to|towards|toward|into) (?:the )?"
       r"(?:left|right|top|bottom)(?: |$))|keep(?= get )|along(?= (?:to|towards|toward) (?:the )?(?:left|right)"
       r"(?: |$)|,|$)", ""),
    # "running away from the horse chasing it": the object relative already read the horse
    _p(r"(?:(?:{V}) )?away from(?= (?:the |a |an )?#)", ""),
    # moving ahead of another object is being followed by it ("walking in front of the dog", "stays ahead of
    # the man"); passing in front of something stays an occlusion, getting ahead of it is overtaking
    # a motion verb before "in front of" may be leading the object or crossing in front of it: both are read
    _p(r"(?:(?!(?:pass|cross|move) )(?:{V})|be|is|are|was|were) (?:out )?(?:# |right |just |well |a little |a bit )?"
       r"in front of", "m", "in_front_of", ent="req"),
    _p(r"(?:(?:(?!(?:pass|cross|move) )(?:{V})|stay|keep|remain|be) (?:out )?(?:right |just |well |a little |a bit )?"
       r"(?:in front of|ahead of))|"
       r"(?<!get )(?<!pull )(?<!move )ahead of|lead", "m",
       "followed_by", ent="req"),
    _p(r"(?:{V} )?in (?:the )?footsteps of|(?:{V} )?(?:hot )?(?:on|at) (?:the )?heels of|shadow|tag along"
       r"(?: (?:behind|after|with))?|come (?:right )?after|(?:stay|keep|trail|lag|tag|follow) (?:close |closely |"
       r"right |just )?behind", "m", "follows", ent="req"),
    # "makes his way to the right": a direction, not an approach
    _p(r"make (?:its|his|her|their) way (?:to|toward|towards|over to) (?:the )?(?P<v>left|right)(?: side)?", "m",
       "direction", "{v}"),
    # chasing, approaching, leaving, passing, leading and meeting, in more of the words people use for them
    _p(r"hunt|lunge (?:at|toward|towards)|in (?:hot )?pursuit of|give chase to|gain (?:ground )?on|"
       r"(?:close|home|move|zero) in on|converge on|nearing|nears|neared|"
       r"make (?:its|his|her|their) way (?:to|toward|towards|over to|up to)|"
       r"draw (?:near|nearer|close|closer)(?: to)?|get (?:close|closer|near|nearer)(?: to)?|"
       r"come (?:near|nearer|close|closer)(?: to)?|bump into|run into|join|greet|encounter|"
       r"(?:return|(?:go|come|head|walk|run|fly|swim|drive) back) to", "m", "approaches",
       ent="req"),
    _p(r"(?:back|get|turn|move|walk|run|head|shy|break|edge|inch|pull|steal) away from|distance (?:itself|himself|"
       r"herself|themselves) from|withdraw from|steer clear of|keep (?:away|clear) (?:from|of)|depart from|"
       r"(?:wander|head|go|move|walk|run|set|take) off from|(?:increase|widen) (?:the )?(?:distance|gap) (?:to|from|"
       r"with|between)|separate from|put (?:some )?distance between (?:itself|himself|herself|themselves) and|"
       r"get (?:farther|further) (?:away )?from", "m", "leaves", ent="req"),
    # closing in, in more of the words people use ("makes a beeline for", "sneaks up on", "closes the gap to")
    _p(r"(?:close|narrow) (?:the )?(?:distance|gap) (?:to|on|with|between)|make a beeline (?:for|to|toward|towards)|"
       r"(?:bear|bears|bore|bearing) down (?:on|upon)|zero in on|head straight (?:for|to|toward|towards)|"
       r"(?:creep|sneak|sidle|steal|edge|inch) up (?:on|to|behind)|(?:edge|inch) (?:closer|nearer) to|"
       r"come (?:right )?up to|close on|advance on|"
       r"end up (?:right )?(?:next to|beside|near|by|close to|alongside)|chase after|"
       r"(?:link up|collide|come together|converge|reunite|meet up) with", "m", "approaches", ent="req"),
    _p(r"track|stalk|fall in (?:right )?behind|(?:(?:{V}) )?in (?:the )?wake of|follow (?:close|closely)(?: behind)?|"
       r"tag after", "m", "follows", ent="req"),
    _p(r"outstrip|(?:pull|cut) past|(?:pull|cut) (?:out )?in front of", "m", "passes", ent="req"),
    _p(r"run (?:rings|circles|loops) (?:around|round)|lap|loop (?:around|round)(?= (?:the|a|an|his|her|its|their) )",
       "circling", ent="req"),
    # keeping close to another object, moving or not ("sticks close to the man", "keeps the dog company")
    _p(r"accompany|keep company with|(?:move |walk |run |go )?shoulder to shoulder with|stick (?:close )?(?:to|with|"
       r"by)|(?:stay|keep|remain) (?:right |very )?(?:close to|near|with|beside|next to|close by|by the side of|at "
       r"the side of|alongside)", "r", "relative", "near", ent="req"),
    _p(r"(?:edge|cut|slip|brush|squeeze|zip|whiz|whizz|shoot|sweep|breeze|zoom|speed|race|rush|dash) past", "m",
       "passes", ent="req"),
    _p(r"(?:outrun|outpace|leave behind|left behind) by|(?:be|get) (?:outrun|outpace|leave behind|left behind) by",
       "m", "passed_by",
       ent="req"),
    _p(r"precede|guide|lead the way(?: for)?", "m", "followed_by", ent="req"),
    _p(r"(?:be )?abreast (?:of|with)", "r", "relative", "near", ent="req"),
    _p(r"(?:circle|orbit)(?: around| round)?|(?:(?!(?:turn|spin|swing|wheel|back|swerve|veer) )(?:{V})|loop) "
       r"(?:around|round)(?= (?:the|a|an|his|her|its|their) )", "circling", ent="req"),
    # where it is at the start, next to another object ("starts next to the man and then walks away from him")
    _p(r"(?:start|begin)(?: out| off)? (?:right )?(?:next to|beside|near|close to|by)", "r", "relative", "near@start",
       ent="req"),
    _p(r"(?:start|begin)(?: out| off)? (?:right |just )?(?:above|over|on top of)", "r", "relative", "above@start",
       ent="req"),
    _p(r"(?:start|begin)(?: out| off)? (?:right |just )?(?:below|under|underneath|beneath)", "r", "relative",
       "below@start", ent="req"),
    # "running down a dog", "hunting down the rabbit": a chase, not a direction (only with an object after it)
    _p(r"(?:run|hunt|chase|track) down", "m", "approaches", ent="req"),
    # together, before "each other" is a filler: "walking next to each other", "standing close together"
    _p(r"(?:next to|close to|beside|alongside|near) (?:each other|one another)|close together|(?:as|in) a "
       r"(?:group|pack|herd|flock|bunch|team)", "m", "together"),
    # fillers that would otherwise read as content words
    # "dashes across to the left", "walks across the frame": the verb says it moves, the direction says where
    _p(r"across(?= (?:to|toward|towards|into|from|the|a|an|in|and|then)(?: |$)|$)", "", verb=True),
    _p(r"(?<!the )right(?= (?:next|beside|behind|in front|above|below|under|near|by|there|here|now|away|after|"
       r"before|at|up to|over to|past|toward|towards|alongside))", ""),
    _p(r"a little bit|a bit|a little(?= (?:to|more|further|faster|slower|left|right|up|down|bit))|"
       r"at the same time|from time to time|over time|(?:appear|seem) to|each other|one another|all over", ""),
    _p(r"(?:use|used) (?:for|to|as)|made (?:of|from)|(?:kind|type|sort) of|belong to|own by|owned by|"
       r"(?:something|anything|thing|things|stuff) (?:to|for) (?!the |a |an |its |his |her |their |left|right|#)\S+",
       "knowledge"),
    # where it looks is a posture, not a direction or a position
    # where a track is at the start or at the end of the video (before "start" reads as a late start)
    _p(r"(?:be )?(?:on|at|in) (?:the )?(?:far )?(?P<v>{LR}|top|bottom){SIDE}{FRAME} (?:at|in) the (?:start|beginning|"
       r"outset)(?: of (?:the )?(?:video|clip|scene|sequence))?|(?:at|in) the (?:start|beginning)(?: of (?:the )?"
       r"(?:video|clip|scene))? (?:be )?(?:on|at|in) (?:the )?(?P<w>{LR}|top|bottom){SIDE}{FRAME}|"
       r"(?:start|begin)(?: out| off)? (?:on|at|in|from) (?:the )?(?:far |extreme |very )?(?P<x>{LR}|top|bottom)"
       r"{SIDE}{FRAME}|"
       r"(?:initially|first) (?:be )?(?:on|at|in) (?:the )?(?P<y>{LR}|top|bottom){SIDE}{FRAME}",
       "r", "position", "{v}@start"),
    _p(r"(?:{V}) (?:over |out )?(?:to|into|towards|toward) the (?:very )?(?:middle|centre|center)(?: of (?:the )?"
       r"{SCENE})?", "r", "position", "center@end"),
    _p(r"end(?: up)? (?:on|at|in) (?:the )?(?:far )?(?P<v>{LR}|top|bottom){SIDE}{FRAME}|"
       r"(?:be )?(?:on|at|in) (?:the )?(?P<w>{LR}|top|bottom){SIDE}{FRAME} (?:at|by) the end(?: of (?:the )?"
       r"(?:video|clip|scene))?|(?:finally|eventually) (?:be )?(?:on|at|in) (?:the )?(?P<x>{LR}|top|bottom){SIDE}"
       r"{FRAME}", "r", "position", "{v}@end"),
    # shapes of motion (before "in place" reads as static and "walk back" as a turn back)
    _p(r"(?:bounce|hop|jump)(?: up and down)? (?:in place|on the spot|in one place|in the same (?:place|spot)|"
       r"on one spot|without (?:move|go) (?:along|anywhere))", "m", "shape", "bounce_in_place"),
    _p(r"(?:bounce|hop)(?: (?:along|across))?|jump up and down", "m", "shape", "bounce"),
    _p(r"(?:(?:go|run|walk|move|drive|fly|swim|ride) )?(?:around |round )?in (?:a )?(?:circles?|loops?)|"
       r"round and round|(?:circle|spin|loop)(?! (?:of|the))", "m", "shape", "circle"),
    _p(r"(?:keep|stay) (?:up )?(?:pace|in step) with|(?:walk|move|run|go) in step with", "m", "heading", "same",
       ent="req"),
    _p(r"(?:(?:go|run|walk|move|pace|drive|swim|fly) )?(?:back and forth|forth and back|to and fro)|"
       r"pace(?: up and down)?", "m", "shape", "back_and_forth"),
    _p(r"(?:look|face|stare|point|turn (?:its|his|her|their) head)(?: to| towards| toward)?(?: the)? "
       r"(?:left|right|up|down|camera)(?: side)?", "posture"),
    # ordinals: "the second (dog) from the left", "the third largest"
    _p(r"(?P<o>{ORD}) (?:\S+ ){0,2}?(?:from|on|at) (?:the )?(?P<v>left|right|top|bottom|front|back)", "ordinal"),
    _p(r"(?P<o>{ORD}) (?:most )?(?P<v>leftmost|rightmost|largest|biggest|smallest|closest|nearest|farthest|furthest|"
       r"highest|lowest|topmost|fastest|slowest|quickest|tallest)", "ordinal"),
    # direction spans: "from right to left", "back and forth"
    _p(r"(?:from )?(?:the )?(?P<a>left|right|top|bottom)(?: side| edge)?{FRAME} to (?:the )?"
       r"(?P<b>left|right|top|bottom)(?! of)", "fromto"),
    _p(r"back and forth|to and fro|up and down|side to side|left and right|forward and backward|"
       r"backward and forward|forwards and backwards|backwards and forwards", "m", "turns_back", verb=True),
    # extent: distance travelled ("rolled the farthest", "covers the most ground", "barely moves")
    _p(r"(?:{V}) (?:the )?(?:farthest|furthest|longest|greatest distance)(?! (?:from|away|to|of)(?: |$))|"
       r"(?:{V}) (?:the )?most{NOTADV}(?: (?:distance|ground|far))?|(?:cover|travel|go) (?:the )?(?:most|greatest|"
       r"biggest|largest|longest|farthest|furthest) (?:distance|ground|way)|(?:most|longest|greatest) distance",
       "m", "extent", "most"),
    _p(r"(?:{V}) (?:the )?(?:least|shortest|smallest distance|fewest){NOTADV}(?: (?:distance|ground|far))?|"
       r"(?:cover|travel|go) (?:the )?(?:least|shortest|smallest) (?:distance|ground|way)|(?:least|shortest) "
       r"distance", "m", "extent", "least"),
    _p(r"(?:barely|hardly|scarcely|only just) (?:(?:be|even|really) )?(?:{V})|(?:{V}) (?:very |only )?"
       r"(?:little|slightly)(?! (?:to|toward|towards|left|right|up|down|more|further|faster|slower|bit|closer|"
       r"farther|away)(?: |$))", "m", "extent", "little"),
    # starts (still first, then moves)
    _p(r"(?:be |stay |remain |stand |sit )?{STILL} (?:{EARLY}|first|before|earlier|for a while|for a moment|"
       r"for some time)", "m", "starts"),
    _p(r"(?:{EARLY}|first) (?:(?:be|it|stay|remain|stand|sit|keep) )*{STILL}", "m", "starts"),
    # ordinals against the view and arrivals: "the first to walk into the picture", "goes out of the frame first",
    # "the first one to get to the truck", "reaching the person first", "arrives last at the man"
    # ("before / after the others" already read "first" / "last": QueryParser._others)
    _p(r"(?P<v>first|last) (?:\S+ ){0,3}?to (?:(?:{V}|get|come)(?: off| away| back)? )?(?P<io>into|in|onto|out of) "
       r"{D}{SCENE}|"
       r"(?:{V}|get|come) (?P<io2>into|in|onto|out of) {D}{SCENE} (?P<w>first|last)", "view_order"),
    _p(r"(?:(?P<v>first|last) (?:\S+ ){0,3}?to )?(?:reach|get to|arrive(?P<w> first| last)? (?:at|to)|arrive at)",
       "arrival", ent="req"),
    # order of other events: "the last horse to stop", "the first car to leave", "the woman that stops last"
    _p(r"(?P<v>first|last) (?:\S+ ){0,3}?to (?P<e>stop|halt|pause|freeze|leave|exit|disappear|arrive|enter|appear)|"
       r"(?P<e2>stop|halt|pause|freeze|leave|exit|disappear|arrive|enter|appear)(?: (?:the|a|frame|view|scene|"
       r"picture|screen|video|image|move|move|run|walk))*? (?P<w>first|last)(?! (?:from|on|at|of)(?: |$))", "order"),
    # onset order: "starts moving first", "the first (car) to move", "moves last"
    _p(r"(?:(?:start|begin|{GOOFF})(?: to)?(?: (?:{V}))?|(?:{V})) (?P<v>first|last)(?! (?:from|on|at|of)(?: |$))|"
       r"(?P<w>first|last) (?:(?:one|ones|\S+) )?to (?:(?:start|begin|{GOOFF})(?: to)?(?: (?:{V}))?|(?:{V}))",
       "onset"),
    # sequences: a static state, then motion = starts; motion, then a static state = stops
    _p(r"(?P<s>{STATE}) {GAP}{0,4}?(?P<c>{THEN}) {GAP}{0,2}?(?P<g>start|begin|{GOOFF}|{V})|"
       r"(?P<g2>{GOOFF}|{V}) {GAP}{0,3}?(?P<c2>after) {GAP}{0,2}?(?P<s2>{STATE})", "seq", "starts"),
    _p(r"(?P<g>{V}) {GAP}{0,4}?(?P<c>{THEN}) {GAP}{0,2}?(?P<s>{STATE})|"
       r"(?P<s2>{STATE}) {GAP}{0,3}?(?P<c2>after) {GAP}{0,2}?(?P<g2>{V})", "seq", "stops"),
    _p(r"{STILL} and (?:start|begin|{V})", "m", "starts"),
    _p(r"(?:{V}) and (?:{STATE})(?! (?:{V}))", "m", "stops"),
    _p(r"{GOOFF}|(?:finally|eventually) (?:(?:start|begin)(?: to)? )?(?:{V})", "m", "starts"),
    _p(r"(?<!the )(?<!very )(?:start|begin|set off|set out|take off|get go|get move|get start|start off)(?! with)"
       r"(?: to)?(?: (?:{V}))?"
       r"(?: (?:late|later|last|afterwards|after a while|eventually|{LATE}))?|late start|"
       r"late starter|(?:{V}) (?:only )?(?:later|late|afterwards|after a while|after a pause|after a moment|"
       r"after wait)", "m", "starts"),
    # keeps moving: the whole time (before "stop" alone reads as stops)
    # (the verb after "keep" stays for the rules that read it: "keeps following the others")
    _p(r"(?:never|not|without) (?:ever |once )?(?:stop|halt|pause)(?: (?:{V}))?|keep(?: on)?(?= (?:{V})(?: |$))|"
       r"nonstop|non stop", "m", "moving", "throughout"),
    # stops
    _p(r"come to (?:a |an )?(?:stop|halt|rest|standstill|still|end)|come to rest|slow (?:down )?to (?:a )?"
       r"(?:stop|halt)|no longer (?:{V})|(?:stop|halt|pause|freeze)(?: (?:{V}|motion))?|"
       r"(?:then|eventually|finally|later|afterwards|after that|{LATE}) (?:(?:become|get|end up|"
       r"remain|stay|stand|sit|be|keep|it) )*(?:{STILL}|park)|(?:become|get|end up) (?:{STILL})|"
       r"land|(?:stand|stay|remain|sit|be) (?:still|stationary|motionless|idle) (?:after|afterwards|{LATE}|"
       r"eventually|finally|later)", "m", "stops"),
    # turns back
    _p(r"turn (?:around|round|back)|make a u turn|do a u turn|u turn|uturn|reverse(?: (?:its |their )?"
       r"(?:direction|course))?|change (?:its |their )?(?:direction|course)|(?:{V}) back(?! of)|double back|"
       r"return|turn (?:to |in )?the (?:opposite|other) (?:direction|way|side)", "m", "turns_back"),
    # heading relative to others: "the same way as the bus", "against the flow"
    _p(r"(?:(?:in|along|on) )?(?:the )?same (?:way|direction|heading|course)(?: (?:as|like))?|parallel (?:to|with)|"
       r"with the (?:flow|traffic|stream|current|tide)(?: of)?", "m", "heading", "same", ent="opt", verb=True),
    _p(r"(?:(?:in|on) )?(?:the )?(?:opposite|other|reverse|contrary) (?:way|direction|heading|course)"
       r"(?: (?:to|from|of|than|as))?|against(?: the (?:flow|traffic|stream|current|tide|direction)(?: of)?)?|"
       r"counter to|contrary to", "m", "heading", "opposite", ent="opt", verb=True),
    # static / moving
    _p(r"(?:stand|sit|stay|remain|keep|be|lie|hold) (?:{STILLADJ}|stationary|motionless|static|put|idle|in place|"
       r"in one place|at rest)|in (?:one|the same) (?:place|spot|position)|in place|at rest|stand still|"
       r"stay put", "m", "static"),
    _p(r"(?:stand|sit|wait|hang|mill|loiter) around(?! (?:the|a|an|its|his|her|their|this|that) )", "m", "static"),
    _p(r"# around(?! (?:the|a|an|its|his|her|their|this|that) )", ""),  # "stands around before ...": read above
    _p(r"in motion|on the move|(?:{V}) around(?! (?:the|a|an|its|his|her|their|this|that) )", "m", "moving"),
    # when in the window: "moving at first", "at the end", "the whole time"
    _p(r"{EARLY}", "phase", value="early"),
    _p(r"{LATE}", "phase", value="late"),
    _p(r"the whole (?:time|video|clip|way)|all the time|the entire (?:time|video|clip)|all along|at all times|"
       r"throughout|continuously|constantly|continually|from start to finish|from beginning to end", "phase",
       value="throughout"),
    # depth (camera as the reference)
    _p(r"(?:towards|toward|approach) {D}{CAM}", "m", "depth", "closer"),
    _p(r"(?:to|at|into|closer to|nearer to) {D}{CAM}", "m", "depth", "closer", verb=True),
    _p(r"(?:away from|further from|farther from|leave) {D}{CAM}|into the (?:distance|background|horizon)|"
       r"towards the (?:horizon|background)", "m", "depth", "farther"),
    # a motion verb before "behind" may be following the object or passing hidden behind it: both are read
    _p(r"(?:(?!(?:hide|disappear|vanish|duck|go|pass|slip|sneak|creep) )(?:{V})|be|is|are|was|were) (?:# |right |just |"
       r"close |closely |a little |a bit |slightly |[a-z]+ly )?behind", "m", "behind", ent="req"),
    # occlusion before relations so "hidden by" / "in front of" keep their sense
    _p(r"(?:come out|emerge|appear|reappear|reemerge) from behind", "m", "occluded", ent="opt"),
    _p(r"(?:hide|occlude|cover|block|obscure|conceal) (?:by|behind|under)|(?:{V} |hide |disappear |vanish |duck )?"
       r"behind|(?:get|be) (?:hide|occlude|cover|block|obscure|conceal)", "m", "occluded", ent="opt"),
    _p(r"(?:occlude|cover|block|obscure|conceal)", "m", "occludes", ent="req"),
    _p(r"(?:(?:{V}) )?in front of", "m", "occludes", ent="opt"),
    # exits / enters
    _p(r"(?:leave|left|exit|exit from|out of|disappear from|vanish from) {D}{SCENE}|(?:{V}) (?:out|off) (?:of )?"
       r"{D}{SCENE}|(?:{V}) (?:offscreen|out of view|out of frame|out of sight)|out of (?:view|frame|sight)",
       "m", "exits"),
    _p(r"(?:{V}|come|appear|enter) (?:into|in|onto) {D}{SCENE}|(?:enter|appear|emerge|show up|come in|pop up|"
       r"arrive)(?: (?:the|into) {SCENE})?", "m", "enters"),
    _p(r"exit|disappear|vanish", "m", "exits"),
    # relations with a context entity
    _p(r"(?:to |on |at )?(?:the )?(?P<v>{LR})(?: hand)?(?: side)? of", "r", "relative", "{v}", ent="req"),
    _p(r"far (?:away )?from|farthest from|furthest from|distant from", "r", "relative", "far_from",
       ent="req"),
    # moving together with another candidate ("the two dogs walking together"; "together with X" is nearness)
    _p(r"together(?! with)|side by side|shoulder to shoulder|in tandem|as a pair|in a pair|as one(?= |$)|"
       r"in (?:single|indian) file|in formation", "m", "together"),
    # a collective noun before the target's noun names its members as one group ("a row of cows", "a trio of
    # zebras"); after another noun it is that object's ("the dog next to the line of cars"): not the target's
    _p(r"(?:group|cluster|bunch|huddle|knot|clump|gaggle|row|line|column|queue|convoy|procession|troop|duo|trio|"
       r"quartet) of(?= )", "collective", "together"),
    # passing and following: who is ahead along the heading (before "follow" reads as approaching)
    _p(r"(?:be|get) (?:be )?(?:overtake|overtaken|pass|outrun|outpace|outpaced) by|"
       r"(?:overtaken|outpaced|overtake|outpace) by", "m", "passed_by", ent="req"),
    _p(r"(?:follow|trail|tail) by", "m", "followed_by", ent="req"),
    _p(r"(?:be|get|being) (?:be |being )?approach by", "m", "approached_by", ent="req"),
    _p(r"overtake|outrun|outpace|(?:get|pull|move) ahead of|(?:{V}|go|get) (?:right )?past|"
       r"(?:go|get|move|walk|run|drive|ride|fly|swim|cycle|stroll) (?:right )?by|"
       r"pass (?:right |very )?(?:next to|close to|close by|near)|pass(?: by)?", "m", "passes", ent="req"),
    _p(r"follow|trail|tail|(?:walk|move|go|run|drive|ride|swim|fly|stay) (?:right )?behind", "m", "follows",
       ent="req"),
    _p(r"(?:come )?(?:towards|toward|approach|up to|over to|chase|pursue|head for|make for|get closer to|"
       r"meet (?:up )?with|come face to face with|"
       r"get nearer to|catch up (?:to|with)|go for|close in on|come to)", "m", "approaches", ent="req"),
    _p(r"(?<!next )(?<!close )(?<!adjacent )(?<!near )(?<!due )(?:to|at|into|onto|after|reach|meet|join|"
       r"closer to|nearer to)", "m", "approaches", ent="req", verb=True),
    _p(r"(?:chase|pursue) by|(?:away from|leave|depart from|depart|flee from|flee|escape from|escape|"
       r"retreat from|further from|"
       r"farther from|out of)", "m", "leaves", ent="req"),
    _p(r"from", "m", "leaves", ent="req", verb=True),
    _p(r"(?:on|at) (?:the )?top of|above|over|atop|higher than|on", "r", "relative", "above", ent="req"),
    _p(r"below|under|underneath|beneath|lower than", "r", "relative", "below", ent="req"),
    _p(r"near to|near|nearby|close to|next to|beside|besides|by|alongside|adjacent to|around|closest to|"
       r"nearest to|closer to|between|among|with|together with|along with|in|inside|within", "r",
       "relative", "near", ent="req"),
    # speed phrases
    _p(r"most (?:quickly|rapidly|fast|swiftly)|more (?:quickly|rapidly|swiftly)|highest speed|top speed|"
       r"faster than|quicker than", "a", "speed", "fastest"),
    _p(r"most slowly|more slowly|less quickly|lowest speed|slower than", "a", "speed", "slowest"),
    _p(r"at (?:a )?(?:high|full|top|great) speed|(?:speed|hurry) up|accelerate|in a hurry", "a", "speed", "fast"),
    _p(r"at (?:a )?(?:low|slow) speed|slow down|decelerate", "a", "speed", "slow"),
    # "on the right" / "at the left" is a position even after a motion verb ("moving dogs on the right")
    _p(r"(?:on|at) (?:the )?(?:far |very |extreme )?(?P<v>{LR})(?: hand)?{SIDE}{FRAME}", "r", "position", "{v}"),
    # direction that needs no verb, then direction after a motion verb
    _p(r"from (?:the )?(?P<v>left|right|top|bottom)(?: side)?", "fromdir", verb=True),
    _p(r"(?:towards|toward|heading|in the direction of) (?:the )?(?P<v>left|right|top|bottom)(?: hand)?"
       r"(?: side| edge| direction| corner)?{FRAME}|(?P<w>leftwards?|rightwards?|upwards?|downwards?|uphill|"
       r"downhill|skywards?)|(?P<x>up|down) {D}(?:screen|frame|image|picture|video|view|hill|slope|stairs|steps|"
       r"ramp|street|road)", "m", "direction", "{v}"),
    _p(r"(?:(?:to|into|in) (?:the )?)?(?P<v>left|right)(?: hand)?(?: side| direction| edge)?{FRAME}|"
       r"(?:{V}) (?:(?:quickly|slowly|straight|back|all the way) )?(?P<x>up|down)|(?:to|into|towards|toward) "
       r"(?:the )?(?P<y>top|bottom)(?: side| edge| part)?{FRAME}|(?:make|take) a (?P<w>left|right)(?: hand)? turn",
       "m", "direction", "{v}", verb=True),
    # "gets closer", "moves away" with no object: to or from the object named before it, if any, else the camera
    _p(r"(?:{V}) away(?! (?:to|towards|toward|from|left|right|into|up|down)(?: |$))", "nearer", value="farther"),
    _p(r"(?:come|get|move|walk|run|go|drive|fly|swim|head|draw|step|creep|edge|inch) (?:ever )?(?:closer|nearer)",
       "nearer", value="closer"),
    _p(r"(?:get|grow|become|appear) (?:bigger|larger)", "m", "depth", "closer"),
    _p(r"(?:get|grow|become) smaller|shrink", "m", "depth", "farther"),
    # position in the frame
    _p(r"(?:farthest|furthest|most|far) (?:to )?(?:the )?(?P<v>{LR})", "r", "position", "{v}"),
    _p(r"(?:on|at|to|in|towards|toward)? ?(?:the )?(?:far |very |extreme )?(?P<v>{LR})(?: hand)?{SIDE}{FRAME}|"
       r"(?P<w>leftmost|rightmost|topmost|uppermost|bottommost|lowermost)|(?:far|very) (?P<x>{LR})|"
       r"(?P<y>left|right|top) most", "r", "position", "{v}"),
    _p(r"(?:on|at|near|in|towards|toward)? ?(?:the )?(?:very )?(?P<v>top|bottom|upper|lower)(?: (?:side|edge|part|"
       r"half|corner|area|row|shelf))?{FRAME}", "r", "position", "{v}"),
    _p(r"(?:in|at) (?:the )?(?:very )?(?:middle|center|centre)(?: of (?:the )?(?:frame|image|screen|picture|"
       r"scene|video))?", "r", "position", "center"),
    _p(r"(?:nearest|closest|closer|nearer)(?: (?:to|from) {D}{CAM})?", "r", "position", "nearest"),
    _p(r"(?:farthest|furthest|most distant)(?: (?:from|to) {D}{CAM})?|(?:in|at) (?:the )?(?:back|rear|background|"
       r"distance)|far away|far off", "r", "position", "farthest"),
    _p(r"(?:in|at) (?:the )?(?:front|foreground)|in front", "r", "position", "nearest"),
    # recency
    _p(r"(?:most )?recently|lately|latest|stop last|last to (?:stop|be move)|"
       r"just(?= (?:{V}|start|stop)(?: |$))", "m", "recent"),
    # appearance phrases
    _p(r"(?:asleep|seated|upright|crouched|curled up|on (?:its|his|her|their) back|on all fours|upside down|"
       r"on (?:its|his|her|their) (?:side|belly|stomach)|with (?:its|his|her|their) \S+ (?:spread|open|raised|up))",
       "posture"),
)
