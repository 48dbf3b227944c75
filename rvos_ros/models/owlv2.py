"""OWLv2 backend of the open-vocabulary detector (transformers ``Owlv2ForObjectDetection``).

OWLv2 keeps text and image apart until its class head (a dot product between
each image patch's class embedding and each query embedding), so, as nanoowl
does, :meth:`Owlv2Detector.set_phrases` runs the text tower ONCE per command and
caches the query embeddings; each image then runs only the vision tower, the
class head against the cached queries and the box head. A patch is labelled
with its best-scoring phrase.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rvos_ros.config import DetectorConfig
from rvos_ros.models.detection import (
    PhraseDetector,
    check_image,
    model_failure,
    normalize_phrases,
    select_detections,
    writable,
)
from rvos_ros.types import Detection

__all__ = ["Owlv2Detector"]


class Owlv2Detector(PhraseDetector):
    """:class:`~rvos_ros.models.detection.Detector` on a loaded OWLv2 model and its processor.

    A box's score is the sigmoid of its best phrase logit; ``cfg.box_threshold``
    applies (``cfg.text_threshold`` is GroundingDINO's and is not used here),
    then :func:`~rvos_ros.models.detection.select_detections`.
    """

    model_classes = ("Owlv2ForObjectDetection", "Owlv2Processor")
    model_key = "owlv2_model"
    what = "OWLv2"

    def __init__(self, model: Any, processor: Any, cfg: DetectorConfig, device: Any) -> None:
        super().__init__(model, processor, cfg, device)
        self._queries: Any = None

    def set_phrases(self, phrases: Sequence[str]) -> None:
        """Encode each phrase once with the text tower; an empty list clears them (``detect`` then returns ``[]``)."""
        self._phrases, self._queries = normalize_phrases(phrases), None
        if not self._phrases:
            return
        # the text tower has a fixed number of positions; longer phrases are cut (their first words stay)
        tokens = self._processor.tokenizer([p.lower() for p in self._phrases], padding="max_length", truncation=True,
                                           max_length=self._max_tokens(), return_tensors="pt")
        self._queries = self._encode_phrases(tokens["input_ids"], tokens["attention_mask"])

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Labelled pixel boxes in an RGB uint8 (H, W, 3) image, best first; ``[]`` before ``set_phrases``."""
        import torch

        height, width = check_image(image)
        if self._queries is None:
            return []
        # device: the resize and normalization run where the model runs (on the GPU when there is one)
        pix = self._processor.image_processor(images=writable(image), input_data_format="channels_last",
                                              return_tensors="pt", device=self._device)
        logits, raw_boxes = self._heads(pix["pixel_values"], image.shape)
        # argmax on logits, not on sigmoid scores: near 1 the sigmoid saturates in float32 and ties phrases
        best, labels = logits.float().max(dim=-1)
        scores = best.sigmoid()
        # OWLv2 pads the image to a square (bottom/right) before resizing, so boxes are
        # (cx, cy, w, h) normalized to that square's side
        cx, cy, bw, bh = raw_boxes.float().unbind(-1)
        side = float(max(width, height))
        boxes = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], dim=-1) * side
        return select_detections(boxes, scores, labels, self._phrases, width=width, height=height, cfg=self._cfg)

    # -- the model calls (another runtime overrides these three) --------------------------------------------

    def _max_tokens(self) -> int:
        return int(self._model.config.text_config.max_position_embeddings)

    def _encode_phrases(self, input_ids: Any, attention_mask: Any) -> Any:
        """Query embeddings (1, phrases, dim) of tokenized phrases; the class head normalizes them."""
        import torch

        with torch.inference_mode():
            text = self._model.owlv2.get_text_features(input_ids=input_ids.to(self._device),
                                                       attention_mask=attention_mask.to(self._device))
        return text.pooler_output[None]

    def _heads(self, pixel_values: Any, image_shape: tuple[int, ...]) -> tuple[Any, Any]:
        """``(logits (patches, phrases), boxes (patches, 4) as normalized cx, cy, w, h)`` of one image."""
        import torch

        with torch.inference_mode():
            try:
                feature_map, _ = self._model.image_embedder(pixel_values=pixel_values.to(self._device))
                batch, rows, cols, dim = feature_map.shape
                patches = feature_map.reshape(batch, rows * cols, dim)
                logits, _ = self._model.class_predictor(patches, self._queries, None)
                raw_boxes = self._model.box_predictor(patches, feature_map)
            except RuntimeError as err:  # torch's error for shape mismatches and out-of-memory alike
                raise model_failure("OWLv2 detector", image_shape, err) from err
        return logits[0], raw_boxes[0]
