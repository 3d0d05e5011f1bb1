"""Reference checkpoints and PyTorch outputs for the model server's forward-pass tests.

Builds tiny random Llama models with the trainer's own code (``services/trainer``), saves them as the trainer saves
checkpoints (Hugging Face directories: config.json, generation_config.json, safetensors, sharded or not, in several
dtypes), reloads each checkpoint the way the trainer does (so the expected values include the dtype rounding of the
stored weights) and records, for each:

* ``logits``: float32 logits [T, vocab] of the trainer's model for a fixed token sequence (one full forward pass);
* ``greedy``: the greedy continuation of a prompt, recomputed with a full forward pass per token (no cache), and the
  smallest gap between the best and the second-best logit met on the way (a tie would make the comparison moot).

Output: ``<out>/<variant>/`` checkpoints and ``<out>/expected.json``. No tokenizer is written: the Java tests add
their own byte-level one (ids 0-255 are bytes, 259 is ``<s>``, 260 is ``</s>``), so the prompt is the bytes of an
ASCII text and the special ids match it. Run: ``python3 make_fixture.py --out DIR [--trainer services/trainer]``;
needs PyTorch and NumPy.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List


def parse_args() -> argparse.Namespace:
    here = Path(__file__).resolve()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path, help="folder to write the checkpoints and expected.json into")
    parser.add_argument("--trainer", type=Path, default=here.parents[4] / "trainer",
                        help="the trainer package folder (default: services/trainer beside this module)")
    parser.add_argument("--seed", type=int, default=1234, help="torch seed for weights and token ids (default 1234)")
    return parser.parse_args()


#: Each variant exercises a different part of the loader and of the forward pass.
VARIANTS: Dict[str, Dict[str, Any]] = {
    # Plain float32, grouped-query attention (4 query heads share 2 key/value heads), separate output layer.
    "f32-gqa": dict(config=dict(vocab_size=261, hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                                num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                                rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=False,
                                initializer_range=0.08),
                    dtype="float32", shard_bytes=None),
    # bfloat16, tied embeddings, one key/value head, head_dim independent of hidden_size, attention and MLP biases,
    # llama3 rope scaling, sharded into several files with model.safetensors.index.json.
    "bf16-tied-sharded": dict(config=dict(vocab_size=261, hidden_size=64, intermediate_size=96, num_hidden_layers=3,
                                          num_attention_heads=4, num_key_value_heads=1, head_dim=24,
                                          max_position_embeddings=128, rms_norm_eps=1e-5, rope_theta=500000.0,
                                          rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                        "high_freq_factor": 4.0,
                                                        "original_max_position_embeddings": 16},
                                          tie_word_embeddings=True, attention_bias=True, mlp_bias=True,
                                          initializer_range=0.08),
                              dtype="bfloat16", shard_bytes=40_000),
    # float16, multi-head attention (no GQA), linear rope scaling.
    "f16-mha": dict(config=dict(vocab_size=261, hidden_size=48, intermediate_size=128, num_hidden_layers=2,
                                num_attention_heads=3, num_key_value_heads=3, max_position_embeddings=128,
                                rms_norm_eps=1e-6, rope_theta=10000.0,
                                rope_scaling={"type": "linear", "factor": 2.0}, initializer_range=0.08),
                    dtype="float16", shard_bytes=None),
}

SEQUENCE_LENGTH = 24
#: Encodes to its own bytes with the Java tests' tokenizer (no merge applies to it).
PROMPT_TEXT = "Fever, cough"
GREEDY_TOKENS = 12


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(args.trainer.resolve()))
    import torch  # noqa: E402  (after the path is known, so a missing torch is reported below)

    from mmed_trainer.checkpoint import load_model_dir, save_model_dir  # noqa: E402
    from mmed_trainer.config import LlamaConfig  # noqa: E402
    from mmed_trainer.model import LlamaForCausalLM  # noqa: E402
    from mmed_trainer.safetensors_io import DEFAULT_MAX_SHARD_BYTES  # noqa: E402

    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    expected: Dict[str, Any] = {}
    for name, variant in VARIANTS.items():
        raw = dict(variant["config"], bos_token_id=259, eos_token_id=260)
        config = LlamaConfig.from_dict(raw)
        model = LlamaForCausalLM(config)
        directory = args.out / name
        files = save_model_dir(model, directory, dtype=variant["dtype"],
                               max_shard_bytes=variant["shard_bytes"] or DEFAULT_MAX_SHARD_BYTES)
        reference = load_model_dir(directory).eval()
        # Byte ids only, as a prompt could hold.
        tokens = torch.randint(0, 256, (1, SEQUENCE_LENGTH), dtype=torch.long)
        with torch.no_grad():
            logits = reference(tokens)[0].float()
            prompt: List[int] = list(PROMPT_TEXT.encode("ascii"))
            sequence = list(prompt)
            margin = float("inf")
            for _ in range(GREEDY_TOKENS):
                last = reference(torch.tensor([sequence], dtype=torch.long))[0, -1].float()
                top = torch.topk(last, 2).values
                margin = min(margin, float(top[0] - top[1]))
                sequence.append(int(torch.argmax(last)))
        expected[name] = {
            "dtype": variant["dtype"],
            "files": sorted(files),
            "tokens": tokens[0].tolist(),
            "logits": logits.tolist(),
            "prompt_text": PROMPT_TEXT,
            "prompt": prompt,
            "greedy": sequence[len(prompt):],
            "greedy_min_margin": margin,
        }
    (args.out / "expected.json").write_text(json.dumps(expected), encoding="utf-8")
    print(json.dumps({"out": str(args.out), "variants": sorted(expected)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
