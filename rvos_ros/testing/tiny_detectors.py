"""Tiny random-weight GroundingDINO and OWLv2 folders for tests, built from configs (nothing downloads).

Each builder writes a tiny tokenizer (its vocabulary holds the words tests
use; other words become the unknown token), a small image processor and a
random model into a folder with ``save_pretrained``, so tests load it back
through the same code the robot uses. Weights are seeded: the same seed gives
the same model. Both models have a few hundred thousand parameters at most and
run in well under a second per image on a CPU.
"""

from __future__ import annotations

from pathlib import Path

from rvos_ros.testing.tiny_tokenizers import write_clip_tokenizer

WORDS = ("a", "the", "object", "dog", "ball", "cat", "person", "door", "car", "red", "blue", "teddy", "bear",
         "box", "cup", "table", "chair", "bird", "horse", "man", "woman")
"""Words both tiny tokenizers know."""


def _bert_vocab() -> list[str]:
    # GroundingDINO finds phrase boundaries by the token ids of real BERT ([CLS] 101, [SEP] 102, "." 1012,
    # "?" 1029), hard-coded in the model: the tiny vocabulary keeps those ids so the model splits phrases as
    # the real one does. Fillers pad the gaps.
    vocab = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += [f"[filler{i}]" for i in range(len(vocab), 1012)] + ["."]
    vocab += [f"[filler{i}]" for i in range(len(vocab), 1029)] + ["?", ","]
    return vocab + list(WORDS)


def build_tiny_grounding_dino(tmp_path: Path, *, seed: int = 0, logit_scale: float = 0.1) -> Path:
    """A tiny GroundingDINO (Swin backbone without timm, 1-layer BERT, 2 decoder layers, 30 queries) in a folder.

    ``logit_scale`` shrinks the decoder's output norm: random weights otherwise
    give box-token logits in the tens, every score a saturated 1.0, and tests
    could not tell a threshold or an order from ties.
    """
    import torch
    from transformers import (
        BertConfig,
        BertTokenizer,
        GroundingDinoConfig,
        GroundingDinoForObjectDetection,
        GroundingDinoImageProcessor,
        GroundingDinoProcessor,
        SwinConfig,
    )

    folder = Path(tmp_path) / "tiny-grounding-dino"
    folder.mkdir(parents=True, exist_ok=True)
    vocab = _bert_vocab()
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(str(vocab_file), do_lower_case=True)
    # out_indices goes through **kwargs to __post_init__, which the dataclass signature of transformers' @strict
    # configs does not show to mypy
    backbone = SwinConfig(image_size=64, patch_size=4, embed_dim=8, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 1],
                          window_size=4, out_indices=[2, 3, 4])  # type: ignore[call-arg]
    text = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                      intermediate_size=32, max_position_embeddings=64)
    # decoder_layers >= 2: with one layer the two-stage box refinement has no layer to hand boxes to
    config = GroundingDinoConfig(backbone_config=backbone, text_config=text, num_queries=30, encoder_layers=1,
                                 decoder_layers=2, d_model=32, encoder_ffn_dim=32, decoder_ffn_dim=32,
                                 encoder_attention_heads=2, decoder_attention_heads=2, num_feature_levels=4,
                                 encoder_n_points=1, decoder_n_points=1, max_text_len=32)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = GroundingDinoForObjectDetection(config).eval()
        with torch.no_grad():
            model.model.decoder.layer_norm.weight.mul_(logit_scale)
            model.model.decoder.layer_norm.bias.mul_(logit_scale)
    image_processor = GroundingDinoImageProcessor(size={"shortest_edge": 64, "longest_edge": 96})
    GroundingDinoProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


def build_tiny_owlv2(tmp_path: Path, *, seed: int = 0, logit_bias: float = 1.0) -> Path:
    """A tiny OWLv2 in a folder: 1-layer ViT on 32x32 px (8x8 px patches, a 4x4 grid), 1-layer 8-token text tower.

    ``logit_bias`` is added to the class head's logit shift so random weights
    give scores around sigmoid(bias): tests see detections at ordinary thresholds.
    """
    import torch
    from transformers import Owlv2Config, Owlv2ForObjectDetection, Owlv2ImageProcessor, Owlv2Processor

    folder = Path(tmp_path) / "tiny-owlv2"
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer, vocab = write_clip_tokenizer(folder, WORDS)
    config = Owlv2Config(
        text_config={"vocab_size": len(vocab), "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "max_position_embeddings": 8, "pad_token_id": 0,
                     "bos_token_id": vocab["<|startoftext|>"], "eos_token_id": vocab["<|endoftext|>"]},
        vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = Owlv2ForObjectDetection(config).eval()
        with torch.no_grad():
            model.class_head.logit_shift.bias.add_(logit_bias)
    image_processor = Owlv2ImageProcessor(size={"height": 32, "width": 32})
    Owlv2Processor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    model.save_pretrained(folder)
    return folder
