"""ONNX export of CLIP's image and text encoders, and a CLIP model running them in ONNX Runtime.

- ``clip_image.onnx``: ``pixel_values`` (batch, 3, S, S) float32 → ``image_embeds``
  (batch, dim), the projected (not yet normalized) image embedding; batch is
  dynamic (one row per candidate crop).
- ``clip_text.onnx``: ``input_ids``, ``attention_mask`` (batch, tokens) int64 →
  ``text_embeds`` (batch, dim); batch and token count are dynamic (the verifier
  pads prompts to the longest one).

:class:`OrtClipModel` is a :class:`rvos_ros.models.clip.ClipModel` whose two
towers run in ONNX Runtime: same tokenizer, processor, caching and
normalizing, so the verifier scoring with it gives the same scores. CLIP's learned logit scale is not in
either graph; the export returns it and the build records it in the sidecar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rvos_ros.engines.detector_export import onnx_export
from rvos_ros.engines.onnx_runtime import OrtPart
from rvos_ros.errors import EngineError
from rvos_ros.models.clip import ClipModel

__all__ = ["CLIP_PARTS", "OrtClipModel", "clip_logit_scale", "export_clip"]

CLIP_PARTS = ("clip_text", "clip_image")


def clip_logit_scale(model: Any) -> float:
    """CLIP's softmax temperature (``exp(logit_scale)``) as the verifier uses it."""
    return float(model.logit_scale.detach().exp())


def export_clip(model: Any, out_dir: str | Path, *, opset: int = 17) -> dict[str, Path]:
    """Write ``clip_text.onnx`` and ``clip_image.onnx`` for a transformers ``CLIPModel``; part name → file."""
    import torch

    model = model.eval().float().cpu()

    class Text(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model.get_text_features(input_ids=input_ids, attention_mask=attention_mask).pooler_output

    class Image(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
            return self.model.get_image_features(pixel_values=pixel_values).pooler_output

    size = int(model.config.vision_config.image_size)
    length = min(8, int(model.config.text_config.max_position_embeddings))
    ids = torch.zeros((2, length), dtype=torch.long)
    ids[:, 0] = int(model.config.text_config.bos_token_id)
    ids[:, -1] = int(model.config.text_config.eos_token_id)
    out = Path(out_dir)
    files = {
        "clip_text": onnx_export(Text().eval(), (ids, torch.ones_like(ids)), out / "clip_text.onnx",
                                 input_names=["input_ids", "attention_mask"], output_names=["text_embeds"],
                                 dynamic_axes={"input_ids": {0: "prompts", 1: "tokens"},
                                               "attention_mask": {0: "prompts", 1: "tokens"},
                                               "text_embeds": {0: "prompts"}}, opset=opset),
        "clip_image": onnx_export(Image().eval(), (torch.zeros((2, 3, size, size)),), out / "clip_image.onnx",
                                  input_names=["pixel_values"], output_names=["image_embeds"],
                                  dynamic_axes={"pixel_values": {0: "crops"}, "image_embeds": {0: "crops"}},
                                  opset=opset),
    }
    return files


class OrtClipModel(ClipModel):
    """:class:`~rvos_ros.models.clip.ClipModel` with both towers in ONNX Runtime (or TensorRT engines).

    ``model_dir``: the CLIP folder (for the tokenizer, image processor and
    config); ``onnx_files``: part name → file (``clip_text``, ``clip_image``);
    ``logit_scale``: recorded at export (:func:`clip_logit_scale`). The torch
    model is not loaded. torch is still used for the small scoring arithmetic.
    ``open_part``: what runs a file (default: an ONNX Runtime session on
    ``providers``; :class:`~rvos_ros.engines.tensorrt_build.TrtRunner` for
    TensorRT engines built from these graphs).
    """

    def __init__(self, *, model_dir: str | Path, onnx_files: dict[str, Path], logit_scale: float,
                 providers: str | Sequence[Any] = "cpu", open_part: Callable[[Path], Any] | None = None) -> None:
        from transformers import AutoConfig, CLIPProcessor

        missing = [p for p in CLIP_PARTS if p not in onnx_files]
        if missing:
            raise EngineError(f"CLIP engine parts {missing} are missing; run `rvos-ros engines build --backend onnx`")
        processor = CLIPProcessor.from_pretrained(str(model_dir), local_files_only=True)
        text_cfg = AutoConfig.from_pretrained(str(model_dir), local_files_only=True).text_config
        super().__init__(processor, max_tokens=int(text_cfg.max_position_embeddings), logit_scale=logit_scale)
        opener = open_part or (lambda path: OrtPart(path, providers=providers))
        self._text_part = opener(Path(onnx_files["clip_text"]))
        self._image_part = opener(Path(onnx_files["clip_image"]))

    def _encode_text(self, prompts: list[str]) -> Any:
        """The text graph's projected embeddings of new prompts (caching and normalizing stay in the base class)."""
        import torch

        tokens = self._processor.tokenizer(prompts, padding=True, truncation=True, max_length=self.max_tokens,
                                           return_tensors="np")
        out = self._text_part(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"])
        return torch.from_numpy(out["text_embeds"])

    def _encode_images(self, pixel_values: Any) -> Any:
        """The image graph's projected embeddings of preprocessed crops."""
        import torch

        return torch.from_numpy(self._image_part(pixel_values=pixel_values.numpy())["image_embeds"])
