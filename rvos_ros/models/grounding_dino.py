"""GroundingDINO backend of the open-vocabulary detector (transformers ``GroundingDinoForObjectDetection``).

The phrases become one caption the way GroundingDINO was trained on them
("dog. red ball."); the model scores every (box, caption token) pair. A box is
labelled with the phrase owning its best-scoring token, so each detection
names exactly one of the given phrases.

GroundingDINO fuses text and image early (its feature enhancer and decoder
cross-attend between them), so the text cannot be encoded once and reused as
OWLv2's can: :meth:`set_phrases` caches the caption's tokens and the
token → phrase map, and each image runs the whole model (the BERT pass over a
few tokens is small next to the image side).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rvos_ros.config import DetectorConfig
from rvos_ros.errors import ModelError
from rvos_ros.models.detection import (
    PhraseDetector,
    check_image,
    model_failure,
    normalize_phrases,
    select_detections,
    writable,
)
from rvos_ros.types import Detection

__all__ = ["GroundingDinoDetector", "caption_piece"]

_DELIMITERS = str.maketrans({".": " ", "?": " "})


def caption_piece(phrase: str) -> str:
    """A phrase as it enters the caption: lower case, without "." and "?".

    GroundingDINO's text encoder treats "." and "?" as phrase boundaries, so a
    phrase containing one would split in two; the tokenizer is uncased anyway.
    """
    return " ".join(phrase.translate(_DELIMITERS).lower().split())


class GroundingDinoDetector(PhraseDetector):
    """:class:`~rvos_ros.models.detection.Detector` on a loaded GroundingDINO model and its processor.

    A box's score is the highest sigmoid score among the tokens of its phrase;
    boxes below ``cfg.text_threshold`` or ``cfg.box_threshold`` are dropped,
    then :func:`~rvos_ros.models.detection.select_detections` applies.
    """

    model_classes = ("GroundingDinoForObjectDetection", "GroundingDinoProcessor")
    model_key = "grounding_dino_model"
    what = "GroundingDINO"

    def __init__(self, model: Any, processor: Any, cfg: DetectorConfig, device: Any) -> None:
        super().__init__(model, processor, cfg, device)
        self._text: dict[str, Any] | None = None
        self._phrase_tokens: Any = None

    def set_phrases(self, phrases: Sequence[str]) -> None:
        """Tokenize the caption once and map each caption token to the phrase it belongs to.

        Phrases that do not fit whole in the model's text length
        (``max_text_len`` tokens) are left out (:attr:`phrases` tells which
        remain). An empty (or all-blank) list clears the phrases: ``detect``
        then returns ``[]``.
        """
        import torch

        self._phrases, self._text, self._phrase_tokens = (), None, None
        pieces: list[tuple[str, str]] = []
        for phrase in normalize_phrases(phrases):
            piece = caption_piece(phrase)
            if piece and all(piece != c for _, c in pieces):  # "dog." and "dog" are one caption phrase
                pieces.append((phrase, piece))
        if not pieces:
            return
        enc, member = self._encode([c for _, c in pieces])
        whole = [i for i, row in enumerate(member) if row is not None]
        if len(whole) < len(pieces):  # truncation cut phrases: encode again without them (no dangling half phrase)
            pieces = [pieces[i] for i in whole]
            if not pieces:
                return
            enc, member = self._encode([c for _, c in pieces])
        self._phrases = tuple(p for p, _ in pieces)
        self._phrase_tokens = torch.stack(member).to(self._device)
        self._text = {k: v.to(self._device) for k, v in enc.items()}

    def _encode(self, pieces: list[str]) -> tuple[dict[str, Any], list[Any]]:
        """Tokenize "piece. piece." and, per piece, a bool row over the tokens (None when truncation cut the piece)."""
        import torch

        spans: list[tuple[int, int]] = []
        caption = ""
        for piece in pieces:
            spans.append((len(caption), len(caption) + len(piece)))
            caption += piece + ". "
        try:
            enc = self._processor.tokenizer(caption.rstrip(), return_offsets_mapping=True, truncation=True,
                                            max_length=int(self._model.config.max_text_len), return_tensors="pt")
        except NotImplementedError as err:  # slow (python) tokenizers have no offsets
            raise ModelError(f"the GroundingDINO tokenizer of {self._cfg.grounding_dino_model!r} cannot report token "
                             "offsets; save the model with a fast (tokenizers) tokenizer") from err
        offsets = enc.pop("offset_mapping")[0].tolist()
        rows: list[Any] = []
        for a, b in spans:
            # special tokens have empty offsets and belong to no phrase
            row = torch.tensor([a <= start < end <= b for start, end in offsets], dtype=torch.bool)
            # truncation keeps a prefix: the phrase is whole when its last character's token survived
            rows.append(row if any(end == b and row[t] for t, (_, end) in enumerate(offsets)) else None)
        return dict(enc), rows

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Labelled pixel boxes in an RGB uint8 (H, W, 3) image, best first; ``[]`` before ``set_phrases``."""
        import torch

        height, width = check_image(image)
        if self._text is None or not self._phrases:
            return []
        # device: the resize and normalization run where the model runs (on the GPU when there is one)
        pix = self._processor.image_processor(images=writable(image), input_data_format="channels_last",
                                              return_tensors="pt", device=self._device)
        with torch.inference_mode():
            pixels = {k: v.to(self._device) for k, v in pix.items() if k in ("pixel_values", "pixel_mask")}
            try:
                out = self._model(**pixels, **self._text)
            except RuntimeError as err:  # torch's error for shape mismatches and out-of-memory alike
                raise model_failure("GroundingDINO detector", image.shape, err) from err
            member = self._phrase_tokens
            logits = out.logits[0, :, : member.shape[1]].float()  # (queries, tokens)
            # compare logits, not sigmoid scores: near 1 the sigmoid saturates in float32 and ties phrases
            floor = torch.tensor(float("-inf"), device=logits.device)
            per_phrase = torch.where(member[None], logits[:, None, :], floor).amax(-1)  # (queries, phrases)
            best, labels = per_phrase.max(dim=-1)
            scores = best.sigmoid()
            # pred_boxes are (cx, cy, w, h) normalized to the unpadded input image
            cx, cy, bw, bh = out.pred_boxes[0].float().unbind(-1)
            scale = torch.tensor([width, height, width, height], dtype=torch.float32, device=cx.device)
            boxes = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], dim=-1) * scale
            keep = scores >= self._cfg.text_threshold
        return select_detections(boxes[keep], scores[keep], labels[keep], self._phrases, width=width, height=height,
                                 cfg=self._cfg)
