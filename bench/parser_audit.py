"""Silent misreadings: commands the parser calls understood while its reading is wrong or loses meaning.

    python bench/parser_audit.py [--batch b1|b2|b3] [--json FILE] [--misses]

Reads ``test/data/parser_audit/phrasings.json`` (``--batch b2`` / ``b3``: ``phrasings_b2.json`` /
``phrasings_b3.json``, a second and a third author's):
realistic commands in the styles of MeViS, Ref-YouTube-VOS and Ref-DAVIS, written by an author who never ran
or read the parser, each with the descriptors it states in the
vocabulary's terms (``rvos_ros/vocabulary.py``), its target categories and count, and whether part of it says
something no vocabulary kind can express (``outside``). Split once into dev and test halves (see that folder's
README). Per half and per style it prints:

* read right: understood, not ``outside``, same categories and count, every expected descriptor present (kind,
  value, ref, negation), and nothing else but a plain ``moving``;
* **silent misreadings**: understood but not read right, or understood although the command is ``outside``:
  the cases the rules could lock on a wrong reading;
* unjudged: not understood (the parser names words it could not judge, so the rules never lock). On the
  ``outside`` row this is the share of commands with unexpressible meaning that the parser caught.

It also counts the silent misreadings of each half by what differs, by type only (outside, category, count,
missing or extra descriptor kinds), never by words. ``--misses`` lists the dev half's silent misreadings with the
parser's reading (never the test half's).
Parser only (no trajectories), CPU.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rvos_ros.reasoning.query_parser import QueryParser
from rvos_ros.types import Descriptor, ParsedQuery
from rvos_ros.vocabulary import KINDS

FOLDER = Path(__file__).resolve().parents[1] / "test" / "data" / "parser_audit"
BATCHES = {"b1": FOLDER / "phrasings.json", "b2": FOLDER / "phrasings_b2.json", "b3": FOLDER / "phrasings_b3.json"}
"""Batches by authors who never read or ran the parser; each was written after the previous one's dev round."""


def _key(d: Descriptor | dict) -> tuple[str, str, str, bool]:
    if isinstance(d, dict):
        return d["kind"], d.get("value", ""), d.get("ref", ""), bool(d.get("negated", False))
    return d.kind, d.value, d.ref, d.negated


def _descriptors(pq: ParsedQuery) -> tuple[Descriptor, ...]:
    return (*pq.motions, *pq.attributes, *pq.relations)


def why(case: dict, pq: ParsedQuery) -> list[str]:
    """What differs from the expected reading, by type only (no words): outside, category, count, missing:KIND,
    extra:KIND (a plain ``moving`` beside the expected descriptors is no difference)."""
    got = {_key(d) for d in _descriptors(pq)}
    want = {_key(d) for d in case["expect"]}
    out = ["outside"] if case["outside"] else []
    if set(pq.categories) != set(case["categories"]):
        out.append("category")
    if pq.count != case["count"]:
        out.append("count")
    out += sorted({f"missing:{k[0]}" for k in want - got} | {f"extra:{k[0]}" for k in got - want
                                                            if k != ("moving", "", "", False)})
    return out


def judge(case: dict, pq: ParsedQuery) -> dict:
    differs = why(case, pq)  # read right: understood, not outside, and nothing else differs
    right = pq.understood and not differs
    return {"id": case["id"], "split": case["split"], "style": case["style"], "right": right,
            "silent": pq.understood and not right, "unjudged": not pq.understood,
            "why": differs if pq.understood and not right else [],
            # a silent misreading whose reading holds a phrase only CLIP judges: without a verifier the rules
            # report it unjudged and never lock (rvos_ros.reasoning.rules), so it cannot become a wrong lock
            "clip_only": pq.understood and not right and any(
                KINDS[d.kind].judge == "appearance" for d in _descriptors(pq))}


def figures(rows: list[dict]) -> dict[str, float | int]:
    n = len(rows)
    return {"n": n, **{k: (sum(r[k] for r in rows) / n if n else 0.0)
                       for k in ("right", "silent", "unjudged")}}


def main(json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures here.")] = None,
         misses: Annotated[bool, typer.Option(help="List the dev half's silent misreadings.")] = False,
         batch: Annotated[str, typer.Option(help="Which batch: b1, b2 or b3.")] = "b1",
         data: Annotated[Path | None, typer.Option(help="A phrasings file (instead of --batch).")] = None) -> None:
    if data is None and batch not in BATCHES:
        raise typer.BadParameter(f"--batch takes {' or '.join(BATCHES)}")
    cases = json.loads((data or BATCHES[batch]).read_text(encoding="utf-8"))
    parser = QueryParser()
    parsed = {c["id"]: parser.parse(c["text"]) for c in cases}
    rows = [judge(c, parsed[c["id"]]) for c in cases]
    out: dict[str, dict] = {}
    table = Table(title="parser audit: read right / silent misreadings / unjudged "
                        "(parser only, CPU; realistic phrasings by a blind author)")
    table.add_column("rows")
    for split in ("dev", "test"):
        table.add_column(split, justify="right")
    groups = {"all": lambda r: True, **{s: (lambda r, s=s: r["style"] == s) for s in ("mevis", "ytvos", "davis")},
              "outside": lambda r: bool(case_of[r["id"]]["outside"])}
    case_of = {c["id"]: c for c in cases}
    for name, keep in groups.items():
        out[name] = {s: figures([r for r in rows if r["split"] == s and keep(r)]) for s in ("dev", "test")}
        table.add_row(f"{name} (n {out[name]['dev']['n']} / {out[name]['test']['n']})",
                      *(f"{f['right']:.0%} / {f['silent']:.1%} / {f['unjudged']:.0%}"
                        for f in out[name].values()))
    console = Console()
    console.print(table)
    breakdown = {sp: dict(Counter(w for r in rows if r["split"] == sp for w in r["why"]).most_common())
                 for sp in ("dev", "test")}
    out["silent_by_type"] = breakdown
    out["silent_with_clip_phrase"] = {sp: sum(r["clip_only"] for r in rows if r["split"] == sp)
                                      for sp in ("dev", "test")}
    console.print("silent misreadings holding a phrase only CLIP judges (never locked by the rules without a "
                  "verifier): " + ", ".join(f"{sp} {n}" for sp, n in out["silent_with_clip_phrase"].items()))
    for sp, counts in breakdown.items():
        console.print(f"{sp}: silent misreadings by what differs (a case may count several times): "
                      + (", ".join(f"{k} {n}" for k, n in counts.items()) or "none"))
    if misses:
        for r in rows:
            if r["split"] == "dev" and r["silent"]:
                c, pq = case_of[r["id"]], parsed[r["id"]]
                got = [_key(d) for d in _descriptors(pq)]
                outside = f" OUTSIDE {c['outside_words']}" if c["outside"] else ""
                console.print(f"{r['id']}: {c['text']}\n   want {c['categories']} x{c['count']} "
                              f"{[_key(d) for d in c['expect']]}{outside}"
                              f"\n   got  {list(pq.categories)} x{pq.count} {got}", markup=False, highlight=False)
    if json_out:
        extra = {k: out.pop(k) for k in ("silent_by_type", "silent_with_clip_phrase")}
        json_out.write_text(json.dumps({"measured": "parser only, CPU", "figures": out, **extra}, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
