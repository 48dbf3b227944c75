"""A tiny CLIP-style byte-level BPE tokenizer for the tiny CLIP and OWLv2 test models (nothing downloads)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def clip_vocab(words: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """``(vocab, merges)``: every letter alone and word-final, plus merges that build each of ``words`` whole.

    The special tokens come LAST: ``<|endoftext|>`` has the largest id, as in
    the real CLIP vocabulary (CLIP and OWLv2 pool the text there), and
    ``<|startoftext|>`` is never id 0 (OWLv2 treats a query starting with 0 as padding).
    """
    vocab: dict[str, int] = {"!": 0}
    merges: list[str] = []
    for ch in "abcdefghijklmnopqrstuvwxyz.,":
        vocab.setdefault(ch, len(vocab))
        vocab.setdefault(ch + "</w>", len(vocab))
    for word in words:
        current = word[0]
        for i, ch in enumerate(word[1:], start=1):
            nxt = ch + ("</w>" if i == len(word) - 1 else "")
            merge = f"{current} {nxt}"
            if merge not in merges:
                merges.append(merge)
            current += nxt
            vocab.setdefault(current, len(vocab))
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    return vocab, merges


def write_clip_tokenizer(folder: Path, words: Iterable[str]) -> tuple[Any, dict[str, int]]:
    """Write ``vocab.json``/``merges.txt`` into ``folder``; returns ``(CLIPTokenizer, vocab)``."""
    from transformers import CLIPTokenizer

    vocab, merges = clip_vocab(words)
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), pad_token="!"), vocab
