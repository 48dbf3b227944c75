"""CLIP (transformers ``CLIPModel`` + ``CLIPProcessor``): L2-normalized text and image embeddings.

:class:`ClipModel` is the model wrapper that the appearance verifier
(:mod:`rvos_ros.reasoning.clip_verifier`) scores with and that
:mod:`rvos_ros.engines.clip_export` exports; the ONNX Runtime / TensorRT
version subclasses it and overrides only the two tower calls
(:meth:`ClipModel._encode_text`, :meth:`ClipModel._encode_images`), so caching
and normalizing exist once. The text embeddings of a command's prompts are
computed once and kept until the command changes. Safe to call from the
reasoning thread and the main thread: calls are serialized.

torch and transformers are imported only when a model is loaded.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from rvos_ros.errors import ModelError
from rvos_ros.models.files import resolve_model, torch_device

__all__ = ["ClipModel"]


class ClipModel:
    """Embeddings from one CLIP model; build with :meth:`load` (torch) or a subclass (engines).

    ``processor``: the model's ``CLIPProcessor`` (tokenizer and image
    processor); ``max_tokens``: the text tower's positions; ``logit_scale``:
    CLIP's learned temperature (exp of the stored logit).
    """

    def __init__(self, processor: Any, *, max_tokens: int, logit_scale: float, model: Any = None,
                 device: Any = "cpu") -> None:
        self._processor = processor
        self._model = model
        self._device = device
        self.max_tokens = int(max_tokens)
        self.logit_scale = float(logit_scale)
        self.lock = threading.Lock()
        """Held around every embedding call; callers scoring several calls as one may hold it too."""
        self._command: str | None = None
        self._text: dict[str, Any] = {}

    @classmethod
    def load(cls, name: str, *, models_dir: str | Path = "models", device: Any = "auto") -> ClipModel:
        """Load CLIP from a local folder, a name under ``models_dir``, or a hub id in the local cache.

        Nothing downloads: a missing model is a :class:`~rvos_ros.errors.ModelError` with the pull hint.
        ``device`` is a torch device or a spec (auto, cpu, cuda:0).
        """
        try:
            import torch  # noqa: F401 - only to fail early with the install hint
            from transformers import CLIPModel, CLIPProcessor
        except ImportError as err:
            raise ModelError(f"verifier.backend 'clip' needs torch and transformers ({err}); install them with "
                             "`pip install rvos_ros[models]`, or set verifier.backend: pixels") from err
        dev = torch_device(device) if isinstance(device, str) else device
        source = resolve_model(name, models_dir)
        try:
            model = CLIPModel.from_pretrained(source, local_files_only=True)
            processor = CLIPProcessor.from_pretrained(source, local_files_only=True)
        # from_pretrained fails in many ways (OSError, ValueError, KeyError, safetensors errors...): all mean the same
        except Exception as err:
            where = f"local folder {source!r}" if Path(source).is_dir() else (
                f"hub id {name!r} (not in the local Hugging Face cache, nor under {str(models_dir)!r})")
            cause = " ".join(str(err).split())[:300]
            raise ModelError(f"cannot load the CLIP verifier from {where}; run `rvos-ros models pull` on a machine "
                             "with internet, or point verifier.clip_model at a saved model folder "
                             f"(cause: {type(err).__name__}: {cause})") from err
        text_config: Any = model.config.text_config
        return cls(processor, max_tokens=int(text_config.max_position_embeddings),
                   logit_scale=float(model.logit_scale.detach().exp()), model=model.to(dev).eval(), device=dev)

    @property
    def model(self) -> Any:
        """The loaded transformers CLIP model (for inspection and engine export; do not modify it); None on engines."""
        return self._model

    @property
    def cached_prompts(self) -> tuple[str, ...]:
        """Prompts whose text embeddings are cached for the current command."""
        return tuple(self._text)

    def text_features(self, command: str, prompts: list[str]) -> Any:
        """L2-normalized text embeddings (len(prompts), dim), encoding only prompts new to ``command``."""
        import torch

        if command != self._command:
            self._command, self._text = command, {}
        missing = [p for p in dict.fromkeys(prompts) if p not in self._text]
        if missing:
            feats = torch.nn.functional.normalize(self._encode_text(missing).float(), dim=-1).cpu()
            self._text.update(zip(missing, feats, strict=True))
        return torch.stack([self._text[p] for p in prompts])

    def image_features(self, crops: list[np.ndarray]) -> Any:
        """L2-normalized image embeddings (len(crops), dim) of square RGB uint8 crops."""
        import torch

        pix = self._processor.image_processor(images=crops, input_data_format="channels_last", return_tensors="pt")
        return torch.nn.functional.normalize(self._encode_images(pix["pixel_values"]).float(), dim=-1).cpu()

    def _encode_text(self, prompts: list[str]) -> Any:
        """The text tower's projected embeddings (len(prompts), dim) of new prompts (engines override this)."""
        import torch

        tokens = self._processor.tokenizer(prompts, padding=True, truncation=True, max_length=self.max_tokens,
                                           return_tensors="pt")
        with torch.inference_mode():
            try:
                out = self._model.get_text_features(input_ids=tokens["input_ids"].to(self._device),
                                                    attention_mask=tokens["attention_mask"].to(self._device))
            except RuntimeError as err:
                raise ModelError(f"the CLIP text tower failed on {prompts!r} ({err}); check perception.device "
                                 "and that verifier.clip_model holds a matching tokenizer") from err
        return out.pooler_output

    def _encode_images(self, pixel_values: Any) -> Any:
        """The image tower's projected embeddings (N, dim) of preprocessed crops (engines override this)."""
        import torch

        with torch.inference_mode():
            try:
                out = self._model.get_image_features(pixel_values=pixel_values.to(self._device))
            except RuntimeError as err:  # torch's error for shape mismatches and out-of-memory alike
                raise ModelError(f"the CLIP image tower failed on {pixel_values.shape[0]} crops ({err}); check "
                                 "perception.device and that verifier.clip_model holds a matching processor") from err
        return out.pooler_output
