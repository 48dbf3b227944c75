"""ONNX export of the open-vocabulary detector, and ONNX Runtime detectors with the torch detectors' outputs.

OWLv2 (nanoowl's split): two graphs.

- ``owlv2_text.onnx``: ``input_ids``, ``attention_mask`` (batch, L) int64 →
  ``query_embeds`` (batch, dim), run once per command;
- ``owlv2_image.onnx``: ``pixel_values`` (batch, 3, S, S) float32 and the
  cached ``query_embeds`` (batch, queries, dim) → ``logits`` (batch, patches,
  queries) and ``pred_boxes`` (batch, patches, 4; cx, cy, w, h normalized to
  the padded square), run per keyframe. Batch and query count are dynamic.

GroundingDINO: its text and image fuse early, so it is one graph
``grounding_dino.onnx`` with the caption padded to the model's fixed
``max_text_len`` tokens and a fixed ``height`` x ``width`` input: what the
processor makes of the robot camera's frames, one graph per camera size
(padding another size into it would change the detections). Outputs
``logits`` (1, queries, max_text_len), ``pred_boxes`` (1, queries, 4) and
``init_reference_points`` (1, queries, 4): the encoder proposals the decoder
started from, which :func:`grounding_dino_max_abs_diff` needs (see there).
Two transformers helpers are traced in equivalent plain-op forms during the
export (the phrase masks, and ``linspace``, which the exporter turns into NaN
for a feature level one pixel high or wide); the tests prove them equal.

:class:`OrtOwlv2Detector` and :class:`OrtGroundingDinoDetector` implement
:class:`rvos_ros.perception.base.Detector` on those graphs with the same
preprocessing (the model folder's processor) and post-processing
(:func:`~rvos_ros.models.detection.select_detections`) as the torch
detectors, so they return the same detections. torch is still used for the
processor and NMS (small); the networks run in ONNX Runtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from rvos_ros.config import DetectorConfig
from rvos_ros.engines.onnx_runtime import OrtPart
from rvos_ros.errors import EngineError
from rvos_ros.models.detection import check_image, select_detections, writable
from rvos_ros.models.owlv2 import Owlv2Detector
from rvos_ros.types import Detection

__all__ = ["GDINO_PARTS", "OWLV2_PARTS", "OrtGroundingDinoDetector", "OrtOwlv2Detector", "export_grounding_dino",
           "grounding_dino_diff", "grounding_dino_input_size", "grounding_dino_max_abs_diff",
           "export_owlv2", "onnx_export"]

OWLV2_PARTS = ("owlv2_text", "owlv2_image")
GDINO_PARTS = ("grounding_dino",)


def onnx_export(module: Any, args: tuple[Any, ...], path: Path, *, input_names: list[str], output_names: list[str],
                dynamic_axes: dict[str, dict[int, str]], opset: int) -> Path:
    """``torch.onnx.export`` with the TorchScript exporter (robust on transformers models) into ``path``.

    Raises :class:`EngineError` naming the file when the exporter fails.
    """
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with torch.inference_mode(False), torch.no_grad():
            torch.onnx.export(module, args, str(path), input_names=input_names, output_names=output_names,
                              dynamic_axes=dynamic_axes, opset_version=opset, dynamo=False, do_constant_folding=True)
    except Exception as err:  # the exporter raises many unrelated types (RuntimeError, TypeError, SymbolicValueError)
        raise EngineError(f"ONNX export of {path.name!r} failed ({type(err).__name__}: "
                          f"{' '.join(str(err).split())[:300]}); check the torch and transformers versions") from err
    return path


def _owlv2_modules(model: Any) -> tuple[Any, Any]:
    import torch

    class Text(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model.owlv2.get_text_features(input_ids=input_ids, attention_mask=attention_mask).pooler_output

    class Image(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixel_values: torch.Tensor, query_embeds: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            feature_map, _ = self.model.image_embedder(pixel_values=pixel_values)
            batch, rows, cols, dim = feature_map.shape
            patches = feature_map.reshape(batch, rows * cols, dim)
            logits, _ = self.model.class_predictor(patches, query_embeds, None)
            return logits, self.model.box_predictor(patches, feature_map)

    return Text().eval(), Image().eval()


def export_owlv2(model: Any, out_dir: str | Path, *, opset: int = 17) -> dict[str, Path]:
    """Write ``owlv2_text.onnx`` and ``owlv2_image.onnx`` for a transformers ``Owlv2ForObjectDetection``.

    The image side is the model's own square input (``vision_config.image_size``
    pixels); the text side takes ``text_config.max_position_embeddings`` tokens.
    Returns part name → file.
    """
    import torch

    model = model.eval().float().cpu()
    text, image = _owlv2_modules(model)
    size = int(model.config.vision_config.image_size)
    length = int(model.config.text_config.max_position_embeddings)
    dim = int(model.config.text_config.projection_dim if hasattr(model.config.text_config, "projection_dim")
              else model.config.projection_dim)
    out = Path(out_dir)
    ids = torch.zeros((2, length), dtype=torch.long)
    ids[:, 0] = int(model.config.text_config.bos_token_id)
    ids[:, 1] = int(model.config.text_config.eos_token_id)
    mask = torch.ones((2, length), dtype=torch.long)
    files = {"owlv2_text": onnx_export(text, (ids, mask), out / "owlv2_text.onnx",
                                       input_names=["input_ids", "attention_mask"], output_names=["query_embeds"],
                                       dynamic_axes={"input_ids": {0: "phrases"}, "attention_mask": {0: "phrases"},
                                                     "query_embeds": {0: "phrases"}}, opset=opset)}
    with torch.no_grad():
        dim = int(text(ids, mask).shape[-1])
    pixels = torch.zeros((1, 3, size, size))
    queries = torch.zeros((1, 2, dim))
    files["owlv2_image"] = onnx_export(image, (pixels, queries), out / "owlv2_image.onnx",
                                       input_names=["pixel_values", "query_embeds"],
                                       output_names=["logits", "pred_boxes"],
                                       dynamic_axes={"pixel_values": {0: "batch"},
                                                     "query_embeds": {0: "batch", 1: "queries"},
                                                     "logits": {0: "batch", 2: "queries"}, "pred_boxes": {0: "batch"}},
                                       opset=opset)
    return files


def _grounding_dino_module(model: Any) -> Any:
    import torch

    class Whole(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixel_values: torch.Tensor, pixel_mask: torch.Tensor, input_ids: torch.Tensor,
                    token_type_ids: torch.Tensor, attention_mask: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            out = self.model(pixel_values=pixel_values, pixel_mask=pixel_mask, input_ids=input_ids,
                             token_type_ids=token_type_ids, attention_mask=attention_mask, return_dict=True)
            return out.logits, out.pred_boxes, out.init_reference_points

    return Whole().eval()


def _phrase_masks(input_ids: Any, special_tokens: Any) -> tuple[Any, Any]:
    """GroundingDINO's phrase attention mask and position ids without isin/cummax/cummin (no ONNX symbolic).

    Same values as transformers' ``generate_masks_with_special_tokens_and_transfer_map``:
    the running max/min over positions become a masked max/min over an
    (L, L) triangle, which exports to plain ONNX ops (L <= 256 tokens).
    """
    import torch

    batch, length = input_ids.shape
    special = (input_ids[..., None] == special_tokens.reshape(-1).to(input_ids.device)).any(-1)  # (B, L)
    idx = torch.arange(length, device=input_ids.device)
    j_le_i = idx[None, :] <= idx[:, None]  # (L, L): [i, j] = j <= i
    marked = special[:, None, :]  # (B, 1, L) over j
    low = torch.full((), -1, dtype=torch.long, device=input_ids.device)
    high = torch.full((), length, dtype=torch.long, device=input_ids.device)
    prev = torch.where(j_le_i[None] & marked, idx[None, None, :], low).amax(-1)  # last special at or before i
    prev = torch.cat([prev.new_full((batch, 1), -1), prev[:, :-1]], dim=1)  # ... strictly before i
    nxt = torch.where((~j_le_i[None] | (idx[None, :] == idx[:, None])[None]) & marked, idx[None, None, :],
                      high).amin(-1)  # first special at or after i
    valid = (nxt != 0) & (nxt != length - 1) & (nxt != length)
    mask = (nxt[:, :, None] == nxt[:, None, :]) & valid[:, None, :]
    mask = (idx[:, None] == idx[None, :])[None] | mask  # self-attention always (no bool EyeLike in onnxruntime)
    pos = torch.where(valid, idx[None, :] - prev - 1, torch.zeros_like(prev)).clamp(min=0).long()
    return mask, pos


_TORCH_LINSPACE: Any = None
"""torch.linspace itself, kept while :func:`_linspace` stands in for it during an export."""


def _linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None, **kwargs: Any) -> Any:
    """``torch.linspace`` for scalar bounds as ``start + step * arange(steps)``; the real one otherwise.

    The TorchScript exporter turns ``linspace(a, a, 1)`` (a feature level one
    pixel high or wide, in GroundingDINO's reference points and proposals)
    into a 0/0 step: NaN. Same values as torch for the grids GroundingDINO
    builds (pixel indices, pixel centres).
    """
    import torch

    bounds = (start, end, steps)
    if kwargs or any(isinstance(b, torch.Tensor) and b.numel() != 1 for b in bounds):
        return _TORCH_LINSPACE(start, end, steps, dtype=dtype, device=device, **kwargs)
    # under tracing the feature sizes are 0-d tensors: the export is for one input size, so they are constants
    start, end, steps = float(start), float(end), int(steps)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    idx = torch.arange(steps, dtype=torch.float64, device=device)
    return (start + step * idx).to(dtype or torch.get_default_dtype())


def export_grounding_dino(model: Any, out_dir: str | Path, *, height: int, width: int,
                          opset: int = 17) -> dict[str, Path]:
    """Write ``grounding_dino.onnx``: a ``height`` x ``width`` pixel input and ``max_text_len`` caption tokens.

    Returns part name → file. Whether an exported GroundingDINO matches torch
    depends on the transformers version (the deformable attention is traced
    for one feature-map layout): check with the tests before relying on it.
    """
    import torch

    model = model.eval().float().cpu()
    length = int(model.config.max_text_len)
    ids = torch.zeros((1, length), dtype=torch.long)
    ids[0, :3] = torch.tensor([101, 1012, 102])
    zeros = torch.zeros((1, length), dtype=torch.long)
    mask = torch.zeros((1, length), dtype=torch.long)
    mask[0, :3] = 1
    pixels, pmask = torch.zeros((1, 3, height, width)), torch.ones((1, height, width), dtype=torch.long)
    from transformers.models.grounding_dino import modeling_grounding_dino as gd

    # the exporter has no symbolic for isin/cummax/cummin (used to find the phrase delimiters), and exports a
    # one-step linspace as NaN: during the export, trace equivalents made of plain ops (tests prove them equal)
    global _TORCH_LINSPACE
    _TORCH_LINSPACE = _TORCH_LINSPACE or torch.linspace
    with (mock.patch.object(gd, "generate_masks_with_special_tokens_and_transfer_map", _phrase_masks),
          mock.patch.object(torch, "linspace", _linspace)):
        path = onnx_export(_grounding_dino_module(model), (pixels, pmask, ids, zeros, mask),
                           Path(out_dir) / "grounding_dino.onnx",
                           input_names=["pixel_values", "pixel_mask", "input_ids", "token_type_ids", "attention_mask"],
                           output_names=["logits", "pred_boxes", "init_reference_points"], dynamic_axes={},
                           opset=opset)
    _float_grids(path)
    return {"grounding_dino": path}


def grounding_dino_input_size(processor: Any, camera: tuple[int, int]) -> tuple[int, int]:
    """(height, width) the processor makes of a ``camera`` (width, height) frame: the size a graph is exported at."""
    frame = np.zeros((camera[1], camera[0], 3), np.uint8)
    values = processor.image_processor(images=frame, input_data_format="channels_last", return_tensors="np")
    shape = values["pixel_values"].shape
    return int(shape[2]), int(shape[3])


def grounding_dino_max_abs_diff(model: Any, path: str | Path, tokenizer: Any, seed: int = 0) -> float:
    """Largest difference between an exported graph in ONNX Runtime and torch on a random image and a real caption
    padded to ``max_text_len`` tokens: :func:`grounding_dino_diff` of the graph's outputs."""
    part = OrtPart(path)
    _, _, height, width = part.session.get_inputs()[0].shape
    length = int(model.config.max_text_len)
    enc = tokenizer("a dog. a red ball.", return_tensors="np", truncation=True, max_length=length)
    feeds = {"pixel_values": np.random.default_rng(seed).standard_normal((1, 3, height, width)).astype(np.float32),
             "pixel_mask": np.ones((1, height, width), np.int64)}
    for name in ("input_ids", "token_type_ids", "attention_mask"):
        row = np.zeros((1, length), np.int64)
        given = enc.get(name, np.zeros_like(enc["input_ids"]))
        row[:, : given.shape[1]] = given
        feeds[name] = row
    return grounding_dino_diff(model, feeds, part(feeds))


def grounding_dino_diff(model: Any, feeds: dict[str, np.ndarray], got: dict[str, np.ndarray]) -> float:
    """How far a GroundingDINO graph's outputs ``got`` on ``feeds`` are from the torch ``model``'s, as one number.

    The model keeps its ``num_queries`` best-scoring encoder proposals, in
    score order, and pairs them with per-slot learned queries. Two proposals
    whose scores differ by less than float rounding (1e-4 of scores near 60;
    the real architecture has tens of thousands of proposals at 800x1066 px, so
    such near ties are common) can come out swapped, and the two query slots
    then hold other detections: the outputs are discontinuous there, for ONNX
    Runtime against torch as for torch on CPU against torch on a GPU.
    So when ``got`` has ``init_reference_points``, torch is run again with the
    proposals in the graph's order, and the result is the larger of

    - the largest |graph - torch| of the logits (where both are finite; inf
      where one is -inf and the other not) and of ``pred_boxes``;
    - how far the graph's choice is from a top-k of torch's encoder scores
      (logits): 0 for torch's own choice, the score gap for a swap.

    A graph without ``init_reference_points`` (an older export) is compared
    slot by slot.
    """
    from unittest import mock

    import torch

    model = model.eval().float().cpu()
    inputs = {k: torch.from_numpy(np.asarray(v)) for k, v in feeds.items()}
    with torch.no_grad():
        want = model(**inputs)
    choice_gap = 0.0
    if "init_reference_points" in got:
        scores = want.enc_outputs_class.float().amax(-1)  # (1, proposals): what the model ranks them by
        order = _proposal_order(torch.from_numpy(got["init_reference_points"]), want.enc_outputs_coord_logits)
        chosen = scores.gather(1, order)
        kth = scores.topk(order.shape[1], dim=1).values[:, -1:]
        rises = (chosen[:, 1:] - chosen[:, :-1]).clamp(min=0)  # a later proposal scored above an earlier one
        choice_gap = max(float((kth - chosen).clamp(min=0).max()), float(rises.max()) if rises.numel() else 0.0)
        own = _proposal_order(want.init_reference_points, want.enc_outputs_coord_logits)
        if not torch.equal(order, own):  # not torch's own choice: run torch on the graph's
            real_topk = torch.topk

            def topk(x: Any, k: int, *args: Any, **kwargs: Any) -> Any:
                if tuple(x.shape) == tuple(scores.shape) and k == order.shape[1]:
                    return x.gather(1, order), order
                return real_topk(x, k, *args, **kwargs)

            with torch.no_grad(), mock.patch.object(torch, "topk", topk):
                want = model(**inputs)
    a, b = got["logits"], want.logits.numpy()
    if not (np.isfinite(a) == np.isfinite(b)).all():
        return float("inf")
    finite = np.isfinite(a)
    return max(float(np.abs(a[finite] - b[finite]).max(initial=0.0)),
               float(np.abs(got["pred_boxes"] - want.pred_boxes.numpy()).max()), choice_gap)


def _proposal_order(reference_points: Any, coord_logits: Any) -> Any:
    """(1, queries) index of the encoder proposal each query started from: the one whose box is nearest.

    ``reference_points``: (1, queries, 4) normalized boxes; ``coord_logits``:
    (1, proposals, 4) the proposals' boxes before the sigmoid (+inf for
    proposals off the image, which all become (1, 1, 1, 1) and are alike).
    """
    import torch

    boxes = coord_logits.float().sigmoid()
    return torch.cdist(reference_points.float(), boxes, p=float("inf")).argmin(-1)


def _float_grids(path: Path) -> None:
    """Cast float64 ``GridSample`` grids to float32 in an exported graph, in place.

    transformers computes the deformable-attention sampling grid in float64 on
    CPU; onnxruntime has no float32-image/float64-grid GridSample kernel.
    """
    import onnx
    from onnx import TensorProto, helper, shape_inference

    model = onnx.load(str(path))
    inferred = shape_inference.infer_shapes(model)
    types = {v.name: v.type.tensor_type.elem_type for v in inferred.graph.value_info}
    nodes = list(model.graph.node)
    changed = False
    for node in nodes:
        if node.op_type == "GridSample" and types.get(node.input[1]) == TensorProto.DOUBLE:
            cast_out = node.input[1] + "_as_float"
            model.graph.node.insert(list(model.graph.node).index(node),
                                    helper.make_node("Cast", [node.input[1]], [cast_out], to=TensorProto.FLOAT,
                                                     name=node.name + "_grid_to_float"))
            node.input[1] = cast_out
            changed = True
    if changed:
        onnx.save(model, str(path))


def _numpy(x: Any) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


class OrtOwlv2Detector(Owlv2Detector):
    """:class:`~rvos_ros.models.owlv2.Owlv2Detector` on ``owlv2_text.onnx`` + ``owlv2_image.onnx``.

    ``processor``: the model folder's ``Owlv2Processor``; ``text``/``image``:
    the two :class:`~rvos_ros.engines.onnx_runtime.OrtPart`. Only the three
    model calls differ from the torch detector; phrases, decoding and
    selection are its own, so the outputs are the same.
    """

    def __init__(self, processor: Any, text: OrtPart, image: OrtPart, cfg: DetectorConfig, *, max_tokens: int) -> None:
        self._processor, self._text_part, self._image_part = processor, text, image
        self._cfg = cfg
        self._device = "cpu"  # preprocessing; the graphs run on their ONNX Runtime providers
        self._token_limit = max_tokens
        self._phrases: tuple[str, ...] = ()
        self._queries: Any = None

    @classmethod
    def from_dir(cls, model_dir: str | Path, onnx_files: dict[str, Path], cfg: DetectorConfig, *,
                 providers: str | Sequence[Any] = "cpu") -> OrtOwlv2Detector:
        """Load the processor from ``model_dir`` and the two parts from ``onnx_files`` (part name → file)."""
        from transformers import AutoConfig, Owlv2Processor

        missing = [p for p in OWLV2_PARTS if p not in onnx_files]
        if missing:
            raise EngineError(f"OWLv2 engine parts {missing} are missing; run `rvos-ros engines build --backend onnx`")
        processor = Owlv2Processor.from_pretrained(str(model_dir), local_files_only=True)
        max_tokens = int(AutoConfig.from_pretrained(str(model_dir), local_files_only=True)
                         .text_config.max_position_embeddings)
        return cls(processor, OrtPart(onnx_files["owlv2_text"], providers=providers),
                   OrtPart(onnx_files["owlv2_image"], providers=providers), cfg, max_tokens=max_tokens)

    @property
    def model(self) -> Any:
        """None: this detector holds no torch model (its graphs are ONNX Runtime sessions)."""
        return None

    def _max_tokens(self) -> int:
        return self._token_limit

    def _encode_phrases(self, input_ids: Any, attention_mask: Any) -> Any:
        out = self._text_part(input_ids=_numpy(input_ids), attention_mask=_numpy(attention_mask))
        return out["query_embeds"][None]  # (1, phrases, dim)

    def _heads(self, pixel_values: Any, image_shape: tuple[int, ...]) -> tuple[Any, Any]:
        import torch

        out = self._image_part(pixel_values=_numpy(pixel_values), query_embeds=self._queries)
        return torch.from_numpy(out["logits"][0]), torch.from_numpy(out["pred_boxes"][0])


class OrtGroundingDinoDetector:
    """:class:`~rvos_ros.perception.base.Detector` on ``grounding_dino.onnx`` graphs, one per input size.

    A GroundingDINO graph is exported for one processed image size (what the
    processor makes of one camera resolution) and ``max_text_len`` caption
    tokens. Padding a smaller image into it changes the detections (the
    deformable attention reads the padded borders), so a frame whose
    processed size has no graph is refused with the command that builds one.
    Reuses :class:`rvos_ros.models.grounding_dino.GroundingDinoDetector`'s
    caption building, token → phrase map and processor (its model is only
    read for its config). ``parts``: one part, or processed (height, width) → part.
    """

    def __init__(self, torch_detector: Any, parts: Any, cfg: DetectorConfig) -> None:
        if not isinstance(parts, dict):
            shape = parts.session.get_inputs()[0].shape
            parts = {(int(shape[2]), int(shape[3])): parts}
        self._parts: dict[tuple[int, int], Any] = dict(parts)
        self._length = int(torch_detector.model.config.max_text_len)
        self._torch = torch_detector
        self._cfg = cfg

    @property
    def phrases(self) -> tuple[str, ...]:
        """The phrases being looked for (those that fit in the model's text length)."""
        return self._torch.phrases

    def set_phrases(self, phrases: Sequence[str]) -> None:
        """Tokenize the caption once (as the torch detector does)."""
        self._torch.set_phrases(phrases)

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Labelled pixel boxes in an RGB uint8 (H, W, 3) image, best first; ``[]`` before ``set_phrases``."""
        import torch

        height, width = check_image(image)
        text = self._torch._text
        if text is None or not self.phrases:
            return []
        pix = self._torch._processor.image_processor(images=writable(image), input_data_format="channels_last",
                                                     return_tensors="pt")
        values = _numpy(pix["pixel_values"]).astype(np.float32)
        size = (int(values.shape[2]), int(values.shape[3]))
        part = self._parts.get(size)
        if part is None:
            built = ", ".join(f"{w}x{h}" for h, w in sorted(self._parts)) or "none"
            raise EngineError(f"no GroundingDINO engine for {width}x{height} frames (processed to {size[1]}x{size[0]}; "
                              f"built: {built}); build one with `rvos-ros engines build --camera-size "
                              f"{width}x{height}`")
        pmask = np.ones((1, *size), np.int64)
        feeds = {"pixel_values": values, "pixel_mask": pmask}
        for name in ("input_ids", "token_type_ids", "attention_mask"):
            row = np.zeros((1, self._length), np.int64)
            given = _numpy(text[name]) if name in text else np.zeros_like(_numpy(text["input_ids"]))
            row[:, : given.shape[1]] = given[:, : self._length]
            feeds[name] = row
        out = part(feeds)
        member = self._torch._phrase_tokens.cpu()
        logits = torch.from_numpy(out["logits"][0, :, : member.shape[1]]).float()
        floor = torch.tensor(float("-inf"))
        per_phrase = torch.where(member[None], logits[:, None, :], floor).amax(-1)
        best, labels = per_phrase.max(dim=-1)
        scores = best.sigmoid()
        # pred_boxes are normalized to the image
        cx, cy, bw, bh = torch.from_numpy(out["pred_boxes"][0]).float().unbind(-1)
        scale = torch.tensor([width, height, width, height], dtype=torch.float32)
        boxes = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], dim=-1) * scale
        keep = scores >= self._cfg.text_threshold
        return select_detections(boxes[keep], scores[keep], labels[keep], self.phrases, width=width, height=height,
                                 cfg=self._cfg)
