"""Word lists for query decomposition: categories, synonyms, plurals, colours, verbs.

Everything here is data plus the two small morphology helpers the parser needs
(noun singularization, verb inflection). Categories are canonical, singular,
lower-case nouns; detector labels are canonicalized with the same tables, so a
COCO label such as "sports ball" or "cell phone" matches the query "ball" or
"phone". Super-categories ("animal", "vehicle", "bag", ...) match their members.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "ANY_WORDS",
    "CATEGORY_OF",
    "COLOR_OF",
    "MULTIWORD",
    "SUPER_MEMBERS",
    "VERB_LEMMA",
    "canonical_category",
    "diminutive_of",
    "is_past_form",
    "noun_lookup",
    "category_matches",
    "singular_candidates",
    "verb_forms",
]

# canonical -> comma-separated synonyms (the 80 COCO classes first, then household/robot/scene objects).
_CATEGORIES: dict[str, str] = {
    "person": "person,people,persons,human,man,woman,men,women,kid,child,children,boy,girl,pedestrian,worker,"
    "guy,lady,gentleman,adult,baby,toddler,infant,teen,teenager,player,cyclist,bicyclist,biker,rider,driver,"
    "skier,surfer,skater,skateboarder,snowboarder,runner,jogger,walker,hiker,dancer,athlete,officer,policeman,"
    "policewoman,police officer,soldier,student,teacher,doctor,nurse,farmer,chef,cook,customer,shopper,"
    "passenger,operator,someone,somebody,individual,mother,father,mom,dad,son,daughter,brother,sister,grandma,"
    "grandpa,grandmother,grandfather,friend,stranger,guard,referee,goalkeeper,batter,catcher,umpire,jockey,"
    "fisherman,fireman,firefighter,staff,employee,visitor,tourist,spectator,audience,crowd,human being,toddler,"
    "youngster,male,female,pilot,boxer,wrestler,swimmer,climber,musician,singer,waiter,waitress,clerk,"
    "cowboy,gymnast,performer,everyone,everybody,anyone,anybody,fellow,dude,kiddo,lad,lass,chap,gal,youth,"
    "schoolboy,schoolgirl,grown-up,grownup,elder,pupil",
    "bicycle": "bicycle,bike,cycle,mountain bike,push bike",
    "car": "car,sedan,automobile,auto,taxi,cab,suv,jeep,coupe,hatchback,convertible,race car,racecar,sports car,"
    "police car,minivan,limo,limousine,wagon",
    "motorcycle": "motorcycle,motorbike,motor bike,moped,dirt bike",
    "airplane": "airplane,aeroplane,plane,jet,aircraft,airliner,jetliner",
    "bus": "bus,coach,minibus,school bus",
    "train": "train,locomotive,tram,streetcar,subway,railcar",
    "truck": "truck,lorry,pickup,pickup truck,fire truck,firetruck,dump truck,semi,ambulance",
    "boat": "boat,ship,canoe,kayak,yacht,sailboat,ferry,raft,vessel,motorboat,speedboat",
    "traffic light": "traffic light,traffic signal,stoplight,stop light",
    "fire hydrant": "fire hydrant,hydrant",
    "stop sign": "stop sign",
    "parking meter": "parking meter",
    "bench": "bench",
    "bird": "bird,birdie,birdy,pigeon,sparrow,crow,seagull,gull,eagle,hawk,falcon,robin,finch,raven,magpie,dove,"
    "heron,crane",
    "cat": "cat,kitten,kitty,kitteh,kittycat,feline,tomcat,tabby",
    "dog": "dog,puppy,pup,doggy,doggie,doggo,pupper,hound,canine,labrador,poodle,terrier,retriever,husky,bulldog,"
    "beagle,dachshund,corgi,pug,collie,chihuahua,shepherd,sheepdog,spaniel,dalmatian,greyhound,rottweiler,doberman",
    "horse": "horse,horsie,horsey,pony,foal,stallion,mare,colt",
    "sheep": "sheep,lamb,ram,ewe",
    "cow": "cow,cattle,bull,calf,ox,oxen,heifer,buffalo,bison,yak",
    "elephant": "elephant", "bear": "bear,polar bear,grizzly", "zebra": "zebra", "giraffe": "giraffe",
    "backpack": "backpack,rucksack,knapsack,schoolbag",
    "umbrella": "umbrella,parasol",
    "bag": "bag,handbag,purse,tote,sack,shopping bag,plastic bag,pouch,satchel",
    "tie": "tie,necktie",
    "suitcase": "suitcase,luggage,baggage,trolley bag",
    "frisbee": "frisbee,flying disc",
    "skis": "skis,ski",
    "snowboard": "snowboard",
    "ball": "ball,sports ball,football,soccer ball,basketball,baseball,tennis ball,volleyball,beach ball,"
    "golf ball,rugby ball,softball,balloon",
    "kite": "kite", "baseball bat": "baseball bat,bat", "baseball glove": "baseball glove,mitt",
    "skateboard": "skateboard", "surfboard": "surfboard", "tennis racket": "tennis racket,racket,racquet",
    "bottle": "bottle,flask,water bottle,jug",
    "wine glass": "wine glass,glass,goblet,tumbler",
    "cup": "cup,mug,teacup,coffee cup,paper cup,beaker",
    "fork": "fork", "knife": "knife", "spoon": "spoon",
    "bowl": "bowl,dish,plate",
    "banana": "banana", "apple": "apple", "sandwich": "sandwich,burger,hamburger", "orange": "orange",
    "broccoli": "broccoli", "carrot": "carrot", "hot dog": "hot dog,hotdog", "pizza": "pizza",
    "donut": "donut,doughnut", "cake": "cake,cupcake,muffin",
    "chair": "chair,stool,armchair,seat,wheelchair,office chair",
    "couch": "couch,sofa,settee", "potted plant": "potted plant,plant,houseplant,flower,flowerpot,pot plant",
    "bed": "bed", "table": "table,dining table,desk,counter,workbench", "toilet": "toilet",
    "tv": "tv,television,monitor,tv monitor,display",
    "laptop": "laptop,notebook computer,computer,macbook",
    "mouse": "mouse,mice,computer mouse,rat",
    "remote": "remote,remote control,controller",
    "keyboard": "keyboard", "phone": "phone,cell phone,cellphone,mobile,mobile phone,smartphone,iphone,telephone",
    "microwave": "microwave", "oven": "oven,stove", "toaster": "toaster", "sink": "sink,basin",
    "refrigerator": "refrigerator,fridge,freezer", "book": "book,notebook,magazine", "clock": "clock,watch",
    "vase": "vase", "scissors": "scissors", "teddy bear": "teddy bear,teddy,plush,plushie,stuffed animal",
    "hair drier": "hair drier,hair dryer,hairdryer,blow dryer", "toothbrush": "toothbrush",
    # household / robot / scene objects
    "box": "box,package,parcel,carton,crate,cardboard box,chest",
    "toy": "toy,plaything,toy car,lego", "doll": "doll,figurine,action figure",
    "robot": "robot,robot arm,droid", "drone": "drone,quadcopter", "cart": "cart,trolley,shopping cart,wheelbarrow",
    "stroller": "stroller,pram,buggy", "can": "can,tin,soda can,trash can,garbage can,bin,trash bin,dustbin",
    "jar": "jar", "bucket": "bucket,pail", "basket": "basket,hamper", "lamp": "lamp,lantern",
    "pillow": "pillow,cushion", "blanket": "blanket", "towel": "towel", "shoe": "shoe,sneaker,boot,sandal",
    "hat": "hat,cap,helmet", "pen": "pen,pencil,marker", "tablet": "tablet,ipad", "van": "van",
    "scooter": "scooter", "tractor": "tractor", "helicopter": "helicopter,chopper",
    "door": "door,gate", "window": "window", "tree": "tree,bush,shrub", "fence": "fence,railing",
    "pole": "pole,post,pillar,lamppost", "rock": "rock,stone,boulder", "cone": "cone,traffic cone",
    "sign": "sign,signboard,billboard", "tool": "tool,hammer,wrench,screwdriver", "key": "key",
    "rabbit": "rabbit,bunny,bunnie,hare", "monkey": "monkey,ape,chimpanzee,chimp,gorilla,orangutan,baboon",
    "lion": "lion,lioness", "tiger": "tiger", "deer": "deer,moose,elk,reindeer,antelope,gazelle",
    "pig": "pig,piglet,hog,boar", "goat": "goat,kid goat", "fox": "fox", "wolf": "wolf",
    "squirrel": "squirrel,chipmunk", "duck": "duck,duckling", "goose": "goose,geese", "swan": "swan",
    "chicken": "chicken,hen,rooster,chick", "penguin": "penguin", "owl": "owl", "parrot": "parrot,cockatoo,macaw",
    "fish": "fish,goldfish,salmon", "turtle": "turtle,tortoise", "snake": "snake,serpent",
    "lizard": "lizard,gecko,iguana", "frog": "frog,toad", "camel": "camel", "kangaroo": "kangaroo",
    "panda": "panda", "leopard": "leopard,cheetah,jaguar", "hamster": "hamster,guinea pig",
    "butterfly": "butterfly,moth", "insect": "insect,bug,ant,bee,wasp,beetle", "dolphin": "dolphin,whale,seal",
    "shark": "shark", "crab": "crab,lobster", "donkey": "donkey,mule", "alpaca": "alpaca,llama",
    "hippo": "hippo,hippopotamus", "rhino": "rhino,rhinoceros", "crocodile": "crocodile,alligator",
    "koala": "koala", "spider": "spider",
    "animal": "animal,creature,beast,pet animal", "vehicle": "vehicle,transport",
    "furniture": "furniture", "food": "food,snack", "fruit": "fruit", "device": "device,gadget,electronics",
}

# A super-category matches itself and its members (transitively).
_SUPER: dict[str, str] = {
    "animal": "bird,cat,dog,horse,sheep,cow,elephant,bear,zebra,giraffe,mouse,rabbit,monkey,lion,tiger,deer,pig,"
    "goat,fox,wolf,squirrel,fish,turtle,snake,lizard,frog,camel,kangaroo,panda,leopard,hamster,butterfly,insect,"
    "dolphin,shark,crab,donkey,alpaca,hippo,rhino,crocodile,koala,spider",
    "bird": "duck,goose,swan,chicken,penguin,owl,parrot",
    "vehicle": "car,truck,bus,motorcycle,bicycle,train,boat,airplane,van,scooter,tractor,helicopter,drone",
    "bag": "backpack,suitcase",
    "toy": "teddy bear,doll,ball,kite,frisbee",
    "furniture": "chair,couch,bed,table,bench",
    "food": "banana,apple,sandwich,orange,broccoli,carrot,hot dog,pizza,donut,cake,fruit",
    "fruit": "banana,apple,orange",
    "device": "laptop,phone,tv,remote,keyboard,tablet,mouse",
    "cup": "wine glass",
}

ANY_WORDS = frozenset("object objects thing things one ones item items something anything stuff entity everything "
                      "target whatever".split())

_IRREGULAR_PLURALS = {
    "people": "person", "men": "man", "women": "woman", "children": "child", "mice": "mouse", "geese": "goose",
    "feet": "foot", "teeth": "tooth", "oxen": "ox", "knives": "knife", "wolves": "wolf", "calves": "calf",
    "shelves": "shelf", "leaves": "leaf", "dice": "die", "cacti": "cactus", "ponies": "pony", "geeses": "goose",
    "fishes": "fish", "sheeps": "sheep", "buses": "bus", "busses": "bus", "species": "species",
    "hippopotami": "hippopotamus", "lice": "louse", "puppies": "puppy", "dishes": "dish",
}
# Nouns whose plural equals the singular: plurality is unknown, so they keep the default count.
_PLURAL_WORDS = frozenset("people persons men women children mice geese oxen cattle crowd audience".split())


def _build_category_of() -> tuple[dict[str, str], dict[str, str]]:
    single: dict[str, str] = {}
    multi: dict[str, str] = {}
    for canon, syns in _CATEGORIES.items():
        for syn in [canon, *syns.split(",")]:
            syn = syn.strip()
            (multi if " " in syn else single).setdefault(syn, canon)
    return single, multi


CATEGORY_OF, MULTIWORD = _build_category_of()


def _closure() -> dict[str, frozenset[str]]:
    direct = {k: set(v.split(",")) for k, v in _SUPER.items()}
    out: dict[str, frozenset[str]] = {}
    for k in direct:
        seen: set[str] = set()
        stack = list(direct[k])
        while stack:
            m = stack.pop()
            if m not in seen:
                seen.add(m)
                stack.extend(direct.get(m, ()))
        out[k] = frozenset(seen)
    return out


SUPER_MEMBERS = _closure()

COLOR_OF: dict[str, str] = {}
for _value, _words in {
    "red": "red,reddish,crimson,scarlet,maroon,burgundy,ruby,cherry",
    "orange": "orange,orangish,amber,tangerine,coral",
    "yellow": "yellow,yellowish,gold,golden,blond,blonde,lemon,mustard",
    "green": "green,greenish,lime,olive,emerald,mint",
    "blue": "blue,bluish,navy,azure,cyan,teal,turquoise,cobalt,indigo,aqua",
    "purple": "purple,purplish,violet,lavender,lilac,magenta,mauve,plum",
    "pink": "pink,pinkish,fuchsia,salmon-pink",
    "brown": "brown,brownish,tan,beige,khaki,chocolate,bronze,chestnut,caramel,copper,hazel",
    "black": "black,blackish,ebony,jet-black",
    "white": "white,whitish,ivory,cream,snow-white",
    "gray": "gray,grey,greyish,grayish,silver,silvery,charcoal,ash",
}.items():
    for _w in _words.split(","):
        COLOR_OF[_w] = _value


def singular_candidates(word: str) -> list[str]:
    """Possible singular forms of ``word`` (the word itself first), most likely first."""
    out = [word]
    if word in _IRREGULAR_PLURALS:
        out.append(_IRREGULAR_PLURALS[word])
    if word.endswith("men") and len(word) > 4:
        out.append(word[:-3] + "man")
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("ves"):
        out += [word[:-3] + "f", word[:-3] + "fe"]
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        out.append(word[:-1])
    return out


@lru_cache(maxsize=4096)
def noun_lookup(word: str) -> tuple[str, bool] | None:
    """``(canonical category, is_plural)`` of a single noun or merged multiword noun, else None."""
    if word in CATEGORY_OF or word in MULTIWORD:
        return CATEGORY_OF.get(word) or MULTIWORD[word], word in _PLURAL_WORDS
    head, _, last = word.rpartition(" ")
    for cand in singular_candidates(last)[1:]:
        full = f"{head} {cand}" if head else cand
        canon = CATEGORY_OF.get(full) or MULTIWORD.get(full)
        if canon:
            return canon, True
    if not head:
        for k, cand in enumerate(singular_candidates(word)):
            canon = diminutive_of(cand)
            if canon:
                return canon, k > 0
    return None


_DIMINUTIVE_ENDINGS = ("sie", "sey", "ie", "ey", "y", "o")


def diminutive_of(word: str) -> str | None:
    """Animal category of a pet-talk diminutive ("froggy" -> frog, "piggie" -> pig, "duckie" -> duck), else None.

    Only animals: pet talk names animals, and a wider rule would read "penny" as a pen or "carry" as a car.
    """
    animals = SUPER_MEMBERS["animal"]
    for end in _DIMINUTIVE_ENDINGS:
        stem = word[: -len(end)]
        if not word.endswith(end) or len(stem) < 3:
            continue
        cands = [stem, stem + "e"] + ([stem[:-1]] if stem[-1] == stem[-2] else [])
        for c in cands:
            canon = CATEGORY_OF.get(c)
            if canon and (canon in animals or canon == "animal"):
                return canon
    return None


_SPACE = re.compile(r"[\s_\-]+")


def canonical_category(word: str) -> str | None:
    """Canonical singular category of a noun or noun phrase ("puppies" -> "dog", "red ball" -> "ball").

    Returns "object" for the any-object words ("thing", "one", ...) and None when the word is unknown.
    """
    w = _SPACE.sub(" ", str(word).lower()).strip()
    if not w:
        return None
    if w in ANY_WORDS:
        return "object"
    hit = noun_lookup(w)
    if hit is None and " " in w:
        hit = noun_lookup(w.rsplit(" ", 1)[1])  # the head noun of a phrase label
    return hit[0] if hit else None


def category_matches(query_category: str, label: str) -> bool:
    """True when a detector/track ``label`` is an instance of ``query_category``.

    "object"/"thing"/"one" (and an empty query) match anything; super-categories
    ("animal", "vehicle", "bag", "toy", ...) match their members; otherwise the
    canonical forms must be equal.
    """
    q = canonical_category(query_category) if query_category.strip() else "object"
    if q is None:
        q = _SPACE.sub(" ", query_category.lower()).strip()
    if q == "object":
        return True
    lab = canonical_category(label) or _SPACE.sub(" ", str(label).lower()).strip()
    return lab == q or lab in SUPER_MEMBERS.get(q, frozenset())


# ---- verbs -------------------------------------------------------------------------------------------------------

_IRREGULAR_VERBS = {
    "run": "ran", "go": "went gone", "fly": "flew flown", "swim": "swam swum", "drive": "drove driven",
    "ride": "rode ridden", "come": "came", "leave": "", "fall": "fell fallen", "rise": "risen", "sink": "sank sunk",
    "stand": "stood", "sit": "sat", "lie": "lay lain lying", "slide": "slid", "hold": "held", "begin": "began begun",
    "swing": "swung", "spin": "spun", "dive": "dove", "creep": "crept", "flee": "fled", "speed": "sped",
    "get": "got gotten", "take": "took taken", "become": "became", "keep": "kept", "hide": "hid hidden",
    "eat": "ate eaten", "drink": "drank drunk", "wear": "wore worn", "throw": "threw thrown", "catch": "caught",
    "sleep": "slept", "lead": "led", "shake": "shook shaken", "bring": "brought", "set": "", "put": "",
    "freeze": "froze frozen", "meet": "met", "stride": "strode", "spread": "", "feed": "fed",
    "give": "gave given", "draw": "drew drawn", "cut": "", "outrun": "outran", "overtake": "overtook overtaken",
    "withdraw": "withdrew withdrawn", "sweep": "swept", "stick": "stuck", "steal": "stole stolen",
    "zero": "zeroes zeroed zeroing",
}


def is_past_form(word: str, lemma: str) -> bool:
    """True when ``word`` is a past form of the verb ``lemma`` ("moved", "ran"; not "moves", "moving")."""
    if word == lemma:
        return False
    return word.endswith("ed") or word in _IRREGULAR_VERBS.get(lemma, "").split() and not word.endswith("ing")


def verb_forms(base: str) -> set[str]:
    """All inflections of an English verb (regular rules plus the irregular table)."""
    forms = {base}
    if base.endswith(("s", "x", "z", "ch", "sh", "o")):
        forms.add(base + "es")
    elif base.endswith("y") and base[-2:-1] not in "aeiou":
        forms.add(base[:-1] + "ies")
    else:
        forms.add(base + "s")
    stem = base[:-1] if base.endswith("e") and not base.endswith(("ee", "ye", "oe")) else base
    if base.endswith("ie"):
        stem = base[:-2] + "y"
    forms.add(stem + "ing")
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        forms.add(base[:-1] + "ied")
    else:
        forms.add(base + "d" if base.endswith("e") else base + "ed")
    if len(base) >= 3 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
        forms |= {base + base[-1] + "ing", base + base[-1] + "ed"}  # stop -> stopping, travel -> travelled
    forms.update(_IRREGULAR_VERBS.get(base, "").split())
    return forms


MOTION_VERBS = frozenset(
    "move run walk roll drive fly swim go head travel drift slide cross jog sprint race dash rush hurry crawl creep "
    "climb descend fall rise sink glide sail float pass proceed advance march stroll wander trot gallop skate ski surf "
    "cycle pedal scoot zoom speed accelerate coast shift slip flow turn swerve veer swing step trudge amble waddle "
    "slither dart bolt charge soar dive plunge tumble shuffle scurry scamper hop jump bounce ride steer navigate "
    "pace fly flee escape retreat come arrive leave exit enter approach chase follow pursue reach back circle "
    "spin wheel taxi slide paddle row prowl sneak limp stagger tiptoe hike lurch bound leap skid journey cruise "
    "overtake trail tail lead meet dawdle saunter plod mosey shadow hunt lunge outrun outpace precede orbit "
    "lag sidle stalk withdraw depart accompany whirl twirl swirl spiral potter mooch zip whiz whizz shoot hurtle "
    "streak".split()
)
POSTURE_VERBS = frozenset(
    "sit lie stand crouch kneel sleep perch lean squat bend stretch eat graze drink hold carry wear spread wag raise "
    "lift wave look face play dance fight bark push pull kick throw catch feed hug lick sniff groom scratch shake nod "
    "smile talk read write sing stare watch point peck chew bite touch grab dig nibble rest lay curl open reach "
    "juggle sunbathe pose stoop hang balance".split()
)
OTHER_VERBS = frozenset(
    "stop halt pause freeze start begin remain stay keep hide occlude cover block obscure conceal appear disappear "
    "vanish emerge land show become get take set make change reverse return double settle end wait linger idle park "
    "slow decelerate tag gain close home give draw converge distance edge cut guide bump join greet encounter "
    "resume retrace pick gather lose ease break separate track outstrip sweep brush link collide reunite stick "
    "loop lap shy zero narrow widen increase steal inch".split()
)


def _build_lemmas() -> dict[str, str]:
    lemmas: dict[str, str] = {}
    for base in sorted(MOTION_VERBS | POSTURE_VERBS | OTHER_VERBS):
        for form in verb_forms(base):
            lemmas.setdefault(form, base)
    # "left" is a direction far more often than the past of "leave".
    lemmas.pop("left", None)
    lemmas.update(lay="lie", lying="lie")
    return lemmas


VERB_LEMMA = _build_lemmas()
