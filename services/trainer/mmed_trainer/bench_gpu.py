"""GPU benchmark: training tokens/s and MFU of our model vs Hugging Face ``LlamaForCausalLM``, same config, same run.

Both models take the trainer's step: bf16 autocast over float32 weights, next-token cross-entropy in float32, backward,
global-norm clipping at 1.0, (fused) AdamW. The data is random token ids: the trainer's data path costs microseconds
per step and is not what is compared. MFU = tokens/s x (6 N + 12 L d s) / peak FLOP/s (REFERENCE §3; N counts every
parameter, L layers, d hidden size, s sequence length; the peak defaults to an H100's dense bf16 989 TFLOP/s).

Before timing, each config runs a parity check: Hugging Face's model loads our state dict by name (strict) and both
produce the same float32 logits. transformers is imported only here; without it the Hugging Face half is skipped.

    python -m mmed_trainer.bench_gpu                       # 134M and 1.1B, eager and compiled, on cuda
    python -m mmed_trainer.bench_gpu --tiny --device cpu    # smoke check of the script itself
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch

from .config import LlamaConfig
from .model import LlamaForCausalLM
from .train import adamw, causal_lm_loss_sum

H100_BF16_DENSE_FLOPS = 989e12

CONFIGS: Dict[str, Dict[str, Any]] = {
    # TinyLlama-shaped: 22 layers, d=2048, GQA 32/4, SwiGLU 5632.
    "1.1b": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32,
                 num_key_value_heads=4, batch_size=8),
    # 12 layers, d=768, 12 heads: 134M parameters with a 32000 vocabulary and an untied head.
    "134m": dict(hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12,
                 num_key_value_heads=12, batch_size=16),
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, batch_size=2),
}


@dataclass
class Result:
    config: str
    impl: str
    mode: str
    batch_size: int
    seq_len: int
    parameters: int
    tokens_per_s: float
    mfu: float
    step_ms: float
    peak_memory_gib: Optional[float]


def build_config(name: str, vocab: int, seq_len: int) -> Tuple[LlamaConfig, int]:
    spec = dict(CONFIGS[name])
    batch = spec.pop("batch_size")
    config = LlamaConfig.from_dict(dict(spec, vocab_size=vocab, max_position_embeddings=max(seq_len, 2048),
                                        rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False))
    return config, batch


def flops_per_token(config: LlamaConfig, seq_len: int) -> float:
    return 6.0 * config.num_parameters() + 12.0 * config.num_hidden_layers * config.hidden_size * seq_len


def load_transformers() -> Optional[Any]:
    try:
        import transformers  # noqa: F401 - optional, benchmark only
    except ImportError:
        return None
    return transformers


def hf_model(transformers: Any, config: LlamaConfig, device: torch.device) -> torch.nn.Module:
    raw = {k: v for k, v in config.to_dict().items() if k not in ("architectures", "torch_dtype")}
    hf_config = transformers.LlamaConfig(**raw, attn_implementation="sdpa")
    with _default_device(device):
        model = transformers.LlamaForCausalLM(hf_config)
    return model.to(device)


@contextlib.contextmanager
def _default_device(device: torch.device) -> Any:
    """Create parameters directly on the device where PyTorch supports it (2.x): much faster for 1B models."""
    if hasattr(torch, "set_default_device"):
        with device:
            yield
    else:
        yield


def parity(ours: LlamaForCausalLM, hf: torch.nn.Module, vocab: int, device: torch.device) -> float:
    """Largest |logit difference| in float32 after Hugging Face loads our state dict by name."""
    missing, unexpected = hf.load_state_dict(ours.state_dict(), strict=False)
    missing = [k for k in missing if not k.endswith("rotary_emb.inv_freq")]  # derived, stored by old versions
    if missing or unexpected:
        raise SystemExit(f"parameter names differ from transformers: missing {missing[:5]}, "
                         f"unexpected {unexpected[:5]}")
    ids = torch.randint(0, vocab, (2, 128), device=device)
    ours.eval()
    hf.eval()
    tf32 = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # compare float32 with float32, not TF32 rounding
    try:
        with torch.no_grad():
            a = ours(ids).float()
            b = hf(input_ids=ids, use_cache=False).logits.float()
    finally:
        torch.backends.cuda.matmul.allow_tf32 = tf32
    return float((a - b).abs().max())


def random_documents(batch: int, seq_len: int, mean_length: int, device: torch.device) -> torch.Tensor:
    """[batch, seq_len] document ids of windows packed with documents of random length (exponential, given mean)."""
    lengths = torch.distributions.Exponential(1.0 / mean_length).sample((batch, seq_len)).long() + 1
    boundaries = torch.zeros(batch, seq_len, dtype=torch.long)
    ends = lengths.cumsum(dim=1)
    for row in range(batch):
        inside = ends[row][ends[row] < seq_len]
        boundaries[row, inside] = 1
    return boundaries.cumsum(dim=1).to(device)


def time_training(forward: Callable[..., torch.Tensor], model: torch.nn.Module, config: LlamaConfig,
                  batch: int, seq_len: int, steps: int, warmup: int, device: torch.device,
                  autocast: Optional[torch.dtype], doc_ids: Optional[torch.Tensor] = None
                  ) -> Tuple[float, Optional[float]]:
    """Seconds per optimizer step (after ``warmup`` steps) and peak GPU memory in GiB."""
    params = [p for p in {id(p): p for p in model.parameters()}.values()]
    optimizer = adamw(params, 1e-4, (0.9, 0.95), 1e-8, 0.01, device)
    ids = torch.randint(0, config.vocab_size, (batch, seq_len + 1), device=device)
    inputs, labels = ids[:, :-1], ids[:, 1:]
    mask = torch.ones_like(labels, dtype=torch.bool)
    def ctx() -> Any:
        return torch.autocast(device_type=device.type, dtype=autocast) if autocast else contextlib.nullcontext()

    def step() -> None:
        with ctx():
            logits = forward(inputs) if doc_ids is None else forward(inputs, doc_ids)
            loss = causal_lm_loss_sum(logits, labels, mask) / mask.numel()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    for _ in range(warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    elapsed = (time.perf_counter() - start) / steps
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None
    return elapsed, peak


def is_oom(exc: BaseException) -> bool:
    return "out of memory" in str(exc).lower()


def free(device: torch.device) -> None:
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


def run(args: argparse.Namespace) -> List[Result]:
    device = torch.device(args.device)
    autocast = torch.bfloat16 if args.precision == "bf16" else None
    transformers = None if args.skip_hf else load_transformers()
    if transformers is None:
        why = "--skip-hf" if args.skip_hf else "transformers is not installed (pip install transformers)"
        print(f"Hugging Face LlamaForCausalLM: skipped ({why}); only our model is timed", flush=True)
    modes = [m for m in args.modes.split(",") if m]
    if "compile" in modes and not hasattr(torch, "compile"):
        print(f"compile mode: skipped (PyTorch {torch.__version__} has no torch.compile)", flush=True)
        modes = [m for m in modes if m != "compile"]
    results: List[Result] = []
    for name in args.configs.split(","):
        config, default_batch = build_config(name, args.vocab, args.seq_len)
        batch = args.batch_size or default_batch
        n = config.num_parameters()
        print(f"== {name}: {n / 1e6:.1f}M parameters, {config.num_hidden_layers} layers, d={config.hidden_size}, "
              f"heads {config.num_attention_heads}/{config.kv_heads}, vocab {config.vocab_size}, seq {args.seq_len}",
              flush=True)
        torch.manual_seed(0)
        if transformers is not None:
            ours = LlamaForCausalLM(config, device=device)
            hf = hf_model(transformers, config, device)
            print(f"   parity with transformers {transformers.__version__}: max |logit diff| = "
                  f"{parity(ours, hf, config.vocab_size, device):.2e} (float32, same weights)", flush=True)
            del ours, hf
            free(device)
        for mode in modes:
            impls: List[Tuple[str, Callable[[], torch.nn.Module]]] = [
                ("ours", lambda: LlamaForCausalLM(config, device=device))]
            if args.document_masking:
                impls.append(("ours+docmask", lambda: LlamaForCausalLM(config, device=device)))
            if transformers is not None:
                impls.append(("hf", lambda: hf_model(transformers, config, device)))
            for impl, make in impls:
                while True:
                    model = make()
                    model.train()
                    compiled = torch.compile(model) if mode == "compile" else model
                    if impl.startswith("ours"):
                        forward = compiled
                    else:
                        def forward(ids: torch.Tensor, m: Any = compiled) -> torch.Tensor:
                            return m(input_ids=ids, use_cache=False).logits
                    try:
                        docs = (random_documents(batch, args.seq_len, args.document_masking, device)
                                if impl == "ours+docmask" else None)
                        seconds, peak = time_training(forward, model, config, batch, args.seq_len, args.steps,
                                                      args.warmup_steps, device, autocast, docs)
                        break
                    except RuntimeError as exc:
                        if not is_oom(exc) or batch == 1:
                            raise
                        print(f"   {impl} {mode}: out of memory at batch {batch}; halving", flush=True)
                        batch //= 2
                    finally:
                        del model, compiled, forward
                        free(device)
                tps = batch * args.seq_len / seconds
                mfu = tps * flops_per_token(config, args.seq_len) / args.peak_flops
                result = Result(config=name, impl=impl, mode=mode, batch_size=batch, seq_len=args.seq_len,
                                parameters=n, tokens_per_s=round(tps, 1), mfu=round(mfu, 4),
                                step_ms=round(seconds * 1000, 2),
                                peak_memory_gib=round(peak, 2) if peak is not None else None)
                results.append(result)
                memory = f", peak {peak:.1f} GiB" if peak is not None else ""
                print(f"   {impl:12s} {mode:7s} batch {batch:3d}: {tps:12,.0f} tokens/s  MFU {mfu * 100:5.1f}%  "
                      f"({seconds * 1000:.1f} ms/step{memory})", flush=True)
            pair = {r.impl: r for r in results if r.config == name and r.mode == mode}
            if "hf" in pair:
                print(f"   ratio ours/HF ({mode}): {pair['ours'].tokens_per_s / pair['hf'].tokens_per_s:.3f}x",
                      flush=True)
    return results


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mmed_trainer.bench_gpu", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--configs", default="134m,1.1b", help=f"comma-separated model configs: {', '.join(CONFIGS)}")
    p.add_argument("--vocab", type=int, default=32000, help="vocabulary size (InternLM2: 92544)")
    p.add_argument("--seq-len", type=int, default=2048, help="tokens per sequence")
    p.add_argument("--batch-size", type=int,
                   help="sequences per step (default per config: 1.1b 8, 134m 16; halved on out-of-memory)")
    p.add_argument("--steps", type=int, default=20, help="timed optimizer steps")
    p.add_argument("--warmup-steps", type=int, default=5, help="untimed steps first (compilation, allocator)")
    p.add_argument("--modes", default="eager,compile", help="eager and/or compile (torch.compile)")
    p.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu")
    p.add_argument("--precision", choices=("bf16", "fp32"), help="default: bf16 on GPU, fp32 on CPU")
    p.add_argument("--peak-flops", type=float, default=H100_BF16_DENSE_FLOPS,
                   help="device peak FLOP/s for MFU (H100 SXM dense bf16: 989e12)")
    p.add_argument("--skip-hf", action="store_true", help="time only our model")
    p.add_argument("--document-masking", type=int, metavar="MEAN_TOKENS", default=0,
                   help="also time our model with document masking, windows packed with documents of this mean "
                        "length (0: not)")
    p.add_argument("--tiny", action="store_true",
                   help="smoke check: the tiny config, seq 64, 3 steps after 1 warm-up, eager only")
    p.add_argument("--json", dest="json_path", help="also write the results to this JSON file")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.tiny:
        args.configs, args.seq_len, args.steps, args.warmup_steps = "tiny", 64, 3, 1
        args.modes = "eager"
        args.vocab = min(args.vocab, 256)
    if args.precision is None:
        args.precision = "bf16" if args.device.startswith("cuda") else "fp32"
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("no GPU visible: run on a GPU machine, or use --tiny --device cpu for a smoke check", file=sys.stderr)
        return 2
    unknown = [c for c in args.configs.split(",") if c not in CONFIGS]
    if unknown:
        print(f"unknown configs {unknown}; known: {', '.join(CONFIGS)}", file=sys.stderr)
        return 2
    if args.device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        print(f"device: {torch.cuda.get_device_name(torch.device(args.device))}, PyTorch {torch.__version__}",
              flush=True)
    else:
        torch.set_num_threads(os.cpu_count() or 1)
        print(f"device: cpu ({torch.get_num_threads()} threads), PyTorch {torch.__version__}", flush=True)
    results = run(args)
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as f:
            json.dump([asdict(r) for r in results], f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
