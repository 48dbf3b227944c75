"""A tiny random-weight CLIP folder for tests, built from configs (nothing downloads).

The folder holds what ``CLIPModel``/``CLIPProcessor.from_pretrained`` read: a
1-layer text tower and a 1-layer ViT on 32x32 px images (8x8 px patches), a
byte-level BPE tokenizer whose vocabulary (``vocab.json``/``merges.txt``,
written here) knows the words the tests use, and an image processor resizing to
32 px. Weights are seeded: the same seed gives the same model.
"""

from __future__ import annotations

from pathlib import Path

from rvos_ros.testing.tiny_tokenizers import write_clip_tokenizer

WORDS = ("a", "an", "photo", "of", "dog", "cat", "person", "object", "sitting", "standing", "lying", "down",
         "wearing", "hat", "red", "blue")
"""Words the tiny tokenizer knows whole (others are spelled out letter by letter)."""


def build_tiny_clip(tmp_path: Path, *, seed: int = 0) -> Path:
    """Save a tiny CLIP model and processor into ``tmp_path/tiny-clip`` and return the folder."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    folder = Path(tmp_path) / "tiny-clip"
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer, vocab = write_clip_tokenizer(folder, WORDS)
    config = CLIPConfig(
        text_config={"vocab_size": len(vocab), "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "max_position_embeddings": 16, "pad_token_id": 0,
                     "bos_token_id": vocab["<|startoftext|>"], "eos_token_id": vocab["<|endoftext|>"]},
        vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = CLIPModel(config).eval()
    image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    model.save_pretrained(folder)
    return folder
