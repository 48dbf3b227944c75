"""The models a runtime reasons with, owned by it: loaded once on first use, released on ``close``.

Perception models are loaded by the perception backend itself
(:func:`rvos_ros.perception.backends.build_perception`); this registry holds
what reasoning uses: the appearance verifier (CLIP, on torch or an engine) and
the LLM stage. Several runtimes may share one registry (the eval runner gives
every expression of a dataset the same one), so each model loads once per run
and nothing is cached process-wide.
"""

from __future__ import annotations

import threading
from typing import Any

from rvos_ros.config import Config
from rvos_ros.perception.backends import build_perception
from rvos_ros.perception.base import Perception
from rvos_ros.reasoning.clip_verifier import AppearanceVerifier, ClipVerifier
from rvos_ros.reasoning.identify import LLMHook
from rvos_ros.reasoning.lexicon import category_matches
from rvos_ros.reasoning.llm_stage import build_llm_hook

__all__ = ["ModelRegistry", "load_perception"]

_UNSET: Any = object()


def load_perception(config: Config) -> Perception:
    """``perception.backend``'s perception, loaded, reading command phrases as the reasoning reads track labels
    (``category_matches``: synonyms and super-categories), for every caller alike."""
    return build_perception(config, category_match=category_matches)


class ModelRegistry:
    """Reasoning models for one configuration: ``verifier()`` and ``llm()`` load on first call, then are kept."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._verifier: AppearanceVerifier | None = _UNSET
        self._llm: LLMHook | None = _UNSET

    def verifier(self) -> AppearanceVerifier | None:
        """The appearance verifier of ``verifier.backend`` (None for ``pixels``: the rules judge colour alone).

        With ``engines.verifier`` onnxruntime or tensorrt, CLIP's towers come from the engine cache.
        """
        with self._lock:
            if self._verifier is _UNSET:
                self._verifier = self._load_verifier()
            return self._verifier

    def llm(self) -> LLMHook | None:
        """The LLM stage of ``llm.backend`` (None for ``none``)."""
        with self._lock:
            if self._llm is _UNSET:
                self._llm = build_llm_hook(self.config.llm, self.config.reasoning.min_observed_s)
            return self._llm

    def _load_verifier(self) -> AppearanceVerifier | None:
        cfg = self.config
        if cfg.verifier.backend == "pixels":
            return None
        if cfg.engines.verifier != "torch":
            from rvos_ros.engines.select import load_clip

            clip = load_clip(cfg.verifier, cfg.engines, models_dir=cfg.perception.models_dir,
                             device=cfg.perception.device)
        else:
            from rvos_ros.models.clip import ClipModel

            clip = ClipModel.load(cfg.verifier.clip_model, models_dir=cfg.perception.models_dir,
                                  device=cfg.perception.device)
        return ClipVerifier(clip, cfg.verifier)

    def close(self) -> None:
        """Release the models (the next call loads them again)."""
        with self._lock:
            self._verifier = _UNSET
            self._llm = _UNSET
