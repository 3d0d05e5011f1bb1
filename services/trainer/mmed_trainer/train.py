"""Continued pretraining of a Llama model on one round of tokenize shards.

One invocation trains one round: it builds or loads the model (``--init`` Hugging Face directory, ``--config`` for a
fresh model, or the newest checkpoint in ``--output`` with ``--resume``), draws windows from the round manifest's shards
by language weight, and runs AdamW with warmup + cosine decay, gradient accumulation and clipping, bf16 autocast on
GPU, DDP or FSDP under ``torchrun``. Progress goes to stdout as JSON lines; checkpoints go to
``--output/checkpoint-<step>/`` (written under a temporary name, then renamed, so every such directory is complete).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import inspect
import json
import math
import os
import pickle
import random
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, ContextManager, Dict, Iterator, List, NoReturn, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from .checkpoint import TOKENIZER_FILES, copy_tokenizer, load_model_dir, save_model_dir
from .config import LlamaConfig
from .data import Batch, LanguageSampler, RoundData, load_round_manifest, sha256_file
from .errors import EXIT_OK, EXIT_USAGE, Reason, TrainerError, classify
from .model import LlamaDecoderLayer, LlamaForCausalLM, count_parameters
from .safetensors_io import DEFAULT_MAX_SHARD_BYTES, load_file, save_file

CHECKPOINT_PREFIX = "checkpoint-"
STATE_DIR = "trainer_state"
MASTER_WEIGHTS = "master_weights.safetensors"
IGNORE_INDEX = -100


# ---- command line ---------------------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m mmed_trainer",
        description="Train a Llama-architecture model on one round of MMedStream tokenize shards (continued "
                    "pretraining). Progress: JSON lines on stdout. Exit codes: 0 done; 75 retriable (I/O, SIGTERM/"
                    "SIGINT, CUDA out of memory, distributed failure: run again with --resume); 64 bad command line; "
                    "65 permanent (bad manifest, shards, config or checkpoint; non-finite loss); 70 internal error.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    g = p.add_argument_group("what to train")
    g.add_argument("--manifest", type=Path, required=True,
                   help="round manifest (JSON): shards, language_weights, seq_len, steps or token_budget, seed; "
                        "see README.md")
    src = g.add_mutually_exclusive_group()
    src.add_argument("--init", type=Path,
                     help="Hugging Face Llama checkpoint directory to continue from (config.json + safetensors, "
                          "sharded or not)")
    src.add_argument("--config", type=Path,
                     help="config.json (Hugging Face LlamaConfig keys) of a fresh, randomly initialised model")
    g.add_argument("--tokenizer-dir", type=Path,
                   help="directory with the tokenizer files to copy into every checkpoint; its tokenizer.json must "
                        "hash to the shards' tokenizer_sha256. Default: the tokenizer tokenize published beside the "
                        "shards (the manifests' tokenizer_path), else that of the resumed checkpoint or of --init")
    g.add_argument("--output", type=Path, required=True,
                   help="directory for checkpoint-<step>/ directories")
    g.add_argument("--resume", action="store_true",
                   help="continue from the newest checkpoint in --output if there is one (then --init/--config are "
                        "not used); without a checkpoint start as if not given")

    g = p.add_argument_group("optimisation")
    g.add_argument("--micro-batch-size", type=int, default=4, help="windows per forward pass per process")
    g.add_argument("--grad-accum", type=int, default=1,
                   help="micro-batches per optimizer step; the global batch is micro-batch-size x grad-accum x "
                        "world size windows of seq_len tokens")
    g.add_argument("--max-steps", type=int,
                   help="optimizer steps of the round; overrides the manifest's steps / token_budget")
    g.add_argument("--lr", type=float, default=2e-5, help="peak learning rate (the MMedLM recipe: 2e-5)")
    g.add_argument("--min-lr-ratio", type=float, default=0.0, help="final learning rate as a fraction of --lr")
    g.add_argument("--warmup-steps", type=int, help="linear warm-up steps (default: --warmup-ratio of the steps)")
    g.add_argument("--warmup-ratio", type=float, default=0.01, help="warm-up as a fraction of the round's steps")
    g.add_argument("--weight-decay", type=float, default=0.01,
                   help="AdamW weight decay (matrices and embeddings; not norms or biases)")
    g.add_argument("--beta1", type=float, default=0.9, help="AdamW beta1")
    g.add_argument("--beta2", type=float, default=0.999, help="AdamW beta2 (the Hugging Face Trainer default)")
    g.add_argument("--eps", type=float, default=1e-8, help="AdamW epsilon")
    g.add_argument("--grad-clip", type=float, default=1.0, help="clip the gradient's global norm (0: no clipping)")
    g.add_argument("--seed", type=int, default=0,
                   help="seed of a fresh model's initialisation (the data order's seed is the manifest's)")
    g.add_argument("--verify-checksums", action="store_true",
                   help="check every shard file against the SHA-256 in its manifest before training (reads all data "
                        "once)")
    g.add_argument("--no-document-masking", dest="document_masking", action="store_false",
                   help="attend and predict across document boundaries inside a window (plain packing); by "
                        "default a token sees only its own document and positions restart at each document")

    g = p.add_argument_group("hardware")
    g.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="auto: cuda when available (one GPU per process under torchrun), else cpu")
    g.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto",
                   help="bf16 autocast with float32 weights and optimizer, or plain float32; auto: bf16 on GPU, "
                        "fp32 on CPU")
    g.add_argument("--threads", type=int,
                   help="CPU threads for PyTorch (default: CPU cores / processes on this node; PyTorch itself "
                        "defaults to 1 on Debian)")
    g.add_argument("--compile", action="store_true", help="torch.compile the model (PyTorch 2)")
    g.add_argument("--fsdp", action="store_true",
                   help="shard parameters, gradients and optimizer state over the processes (FSDP full shard, one "
                        "unit per decoder layer) for models that do not fit one GPU; resume needs the same world size")
    g.add_argument("--gradient-checkpointing", action="store_true",
                   help="recompute each decoder layer in the backward pass (less memory, about 1/3 more compute)")

    g = p.add_argument_group("checkpoints and progress")
    g.add_argument("--save-every", type=int, default=500,
                   help="write a checkpoint every N steps (0: only at the end); one is also written at the end and "
                        "on SIGTERM/SIGINT")
    g.add_argument("--keep-checkpoints", type=int, default=2,
                   help="newest checkpoints to keep in --output (0: keep all)")
    g.add_argument("--save-dtype", choices=("float32", "bfloat16"), default="float32",
                   help="dtype of model.safetensors; with bfloat16 the float32 weights are also kept in "
                        "trainer_state/ so that --resume stays exact")
    g.add_argument("--max-shard-size", type=int, default=DEFAULT_MAX_SHARD_BYTES,
                   help="bytes per safetensors file before the weights are split into shards plus an index")
    g.add_argument("--log-every", type=int, default=1, help="print a progress line every N steps")
    g.add_argument("--stop-after-steps", type=int,
                   help="leave after N steps of this invocation with a checkpoint and exit code 75, as if "
                        "preempted (time-sliced schedulers, tests); --resume continues")
    return p


def _check_args(args: argparse.Namespace) -> None:
    def bad(message: str) -> TrainerError:
        return TrainerError(Reason.BAD_CONFIG, message)

    for name in ("micro_batch_size", "grad_accum"):
        if getattr(args, name) < 1:
            raise bad(f"--{name.replace('_', '-')} must be >= 1")
    for name in ("max_steps", "stop_after_steps"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise bad(f"--{name.replace('_', '-')} must be >= 1")
    if args.save_every < 0 or args.keep_checkpoints < 0 or args.log_every < 1:
        raise bad("--save-every and --keep-checkpoints must be >= 0, --log-every >= 1")
    if not (args.lr > 0 and 0 <= args.min_lr_ratio <= 1 and 0 <= args.warmup_ratio < 1):
        raise bad("--lr must be > 0, --min-lr-ratio in [0, 1], --warmup-ratio in [0, 1)")
    if args.warmup_steps is not None and args.warmup_steps < 0:
        raise bad("--warmup-steps must be >= 0")
    if args.init is None and args.config is None and not args.resume:
        raise bad("give --init (a Hugging Face checkpoint) or --config (a fresh model), or --resume")
    if (args.compile or args.fsdp) and not hasattr(torch, "compile"):
        raise bad(f"--compile and --fsdp (use_orig_params) need PyTorch 2 (this is {torch.__version__})")
    if args.max_shard_size < 1:
        raise bad("--max-shard-size must be positive")


# ---- helpers --------------------------------------------------------------------------------------------------------

def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}, separators=(",", ":")), flush=True)


def lr_factor(step: int, warmup: int, total: int, min_ratio: float) -> float:
    """Linear warm-up to 1 over ``warmup`` steps, then cosine decay to ``min_ratio`` at step ``total``."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def causal_lm_loss_sum(logits: torch.Tensor, labels: torch.Tensor, loss_mask: torch.Tensor) -> torch.Tensor:
    """Summed next-token cross-entropy (float32) over the positions where ``loss_mask`` is true."""
    targets = labels.masked_fill(~loss_mask, IGNORE_INDEX)
    return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=IGNORE_INDEX, reduction="sum")


def adamw(params: Sequence[nn.Parameter], lr: float, betas: tuple, eps: float,
          weight_decay: float, device: torch.device) -> torch.optim.Optimizer:
    """AdamW without weight decay on vectors (norms, biases); fused kernels on CUDA where PyTorch has them."""
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    kwargs: Dict[str, Any] = {"lr": lr, "betas": betas, "eps": eps}
    if device.type == "cuda" and "fused" in inspect.signature(torch.optim.AdamW.__init__).parameters:
        kwargs["fused"] = True
    return torch.optim.AdamW(groups, **kwargs)


def unique_parameters(model: nn.Module) -> List[nn.Parameter]:
    return list({id(p): p for p in model.parameters() if p.requires_grad}.values())


def checkpoints(output: Path) -> List[Path]:
    """Complete checkpoints in ``output``, oldest first (a checkpoint directory only appears once complete)."""
    if not output.is_dir():
        return []
    found = []
    for p in output.iterdir():
        suffix = p.name[len(CHECKPOINT_PREFIX):]
        if p.is_dir() and p.name.startswith(CHECKPOINT_PREFIX) and suffix.isdigit():
            found.append((int(suffix), p))
    return [p for _, p in sorted(found)]


def _load_pt(path: Path) -> Any:
    """torch.load of a file this trainer wrote (RNG states hold NumPy arrays, which weights_only refuses)."""
    return torch.load(path, map_location="cpu", weights_only=False)


def _fsync_tree(root: Path) -> None:
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            with open(os.path.join(dirpath, name), "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class DistEnv:
    """Where this process stands under torchrun (WORLD_SIZE, RANK, LOCAL_RANK); world 1 without it."""

    world_size: int = 1
    rank: int = 0
    local_rank: int = 0
    local_world_size: int = 1

    @classmethod
    def from_environ(cls) -> "DistEnv":
        try:
            return cls(world_size=int(os.environ.get("WORLD_SIZE", "1")), rank=int(os.environ.get("RANK", "0")),
                       local_rank=int(os.environ.get("LOCAL_RANK", "0")),
                       local_world_size=int(os.environ.get("LOCAL_WORLD_SIZE", "1")))
        except ValueError as exc:
            raise TrainerError(Reason.BAD_CONFIG, f"bad torchrun environment: {exc}") from exc

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()


@dataclass
class TrainState:
    """Everything besides weights and optimizer that ``--resume`` needs; stored as trainer_state/state.json."""

    step: int
    total_steps: int
    global_batch: int
    seq_len: int
    manifest_sha256: str
    sampler: Dict[str, Any]
    tokens_seen: int = 0
    tokens_per_lang: Dict[str, int] = field(default_factory=dict)
    first_loss: Optional[float] = None
    last_loss: Optional[float] = None
    world_size: int = 1
    fsdp: bool = False


# ---- the run --------------------------------------------------------------------------------------------------------

class Trainer:
    """One round: set-up in ``__init__``, then :meth:`train`."""

    def __init__(self, args: argparse.Namespace, env: DistEnv, stop: "StopRequest") -> None:
        self.args = args
        self.env = env
        self.stop = stop
        self.device = self._device()
        self.autocast_dtype = self._precision()

        self.manifest = load_round_manifest(args.manifest)
        self.data = RoundData(self.manifest, document_masking=args.document_masking,
                              verify_checksums=args.verify_checksums)
        self.global_batch = args.micro_batch_size * args.grad_accum * env.world_size
        self.tokens_per_step = self.global_batch * self.data.seq_len
        if args.max_steps is not None:
            self.total_steps = args.max_steps
        elif self.manifest.steps is not None:
            self.total_steps = self.manifest.steps
        else:
            assert self.manifest.token_budget is not None
            self.total_steps = max(1, math.ceil(self.manifest.token_budget / self.tokens_per_step))
        warmup = args.warmup_steps if args.warmup_steps is not None else round(args.warmup_ratio * self.total_steps)
        self.warmup_steps = min(warmup, self.total_steps)

        self.output: Path = args.output
        existing = checkpoints(self.output)
        if existing and not args.resume:
            raise TrainerError(Reason.BAD_CONFIG, f"{self.output} already holds checkpoints (newest "
                                                  f"{existing[-1].name}); pass --resume to continue from it, or use "
                                                  f"an empty --output")
        self.resume_from: Optional[Path] = existing[-1] if existing else None
        self.last_checkpoint = self.resume_from
        self.model = self._build_model()
        self.data.check_vocab(self.model.config.vocab_size, full_scan=args.verify_checksums)
        self.tokenizer_dir = self._tokenizer_dir()
        self.sampler = LanguageSampler(self.data.window_lang, self.data.languages, self.manifest.language_weights,
                                       self.manifest.seed)

        if not args.fsdp:  # FSDP moves its shards itself; the whole model may not fit one device
            self.model.to(self.device)
            self.model.tie_weights()
        if args.gradient_checkpointing:
            self.model.gradient_checkpointing = True
        self.wrapped = self._wrap(self.model)
        self.forward: Callable[..., torch.Tensor] = torch.compile(self.wrapped) if args.compile else self.wrapped
        self.params = unique_parameters(self.wrapped)
        self.optimizer = adamw(self.params, args.lr, (args.beta1, args.beta2), args.eps, args.weight_decay, self.device)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, functools.partial(lr_factor, warmup=self.warmup_steps, total=self.total_steps,
                                              min_ratio=args.min_lr_ratio))
        self.state = TrainState(step=0, total_steps=self.total_steps, global_batch=self.global_batch,
                                seq_len=self.data.seq_len, manifest_sha256=self.manifest.sha256,
                                sampler=self.sampler.state_dict(),
                                tokens_per_lang={lang: 0 for lang in self.data.languages},
                                world_size=env.world_size, fsdp=args.fsdp)
        if self.resume_from is not None:
            self._restore(self.resume_from)
        self.saved_step = self.state.step  # the resumed checkpoint, or nothing worth saving yet

    # -- set-up --

    def _device(self) -> torch.device:
        wanted = self.args.device
        if wanted == "auto":
            wanted = "cuda" if torch.cuda.is_available() else "cpu"
        if wanted == "cuda":
            if not torch.cuda.is_available():
                raise TrainerError(Reason.BAD_CONFIG, "--device cuda but no GPU is visible")
            torch.cuda.set_device(self.env.local_rank)
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
            return torch.device("cuda", self.env.local_rank)
        return torch.device("cpu")

    def _precision(self) -> Optional[torch.dtype]:
        precision = self.args.precision
        if precision == "auto":
            precision = "bf16" if self.device.type == "cuda" and torch.cuda.is_bf16_supported() else "fp32"
        return torch.bfloat16 if precision == "bf16" else None

    def _build_model(self) -> LlamaForCausalLM:
        if self.resume_from is not None:
            source = self.resume_from
        elif self.args.init is not None:
            source = self.args.init
        else:
            config = LlamaConfig.load(self.args.config)
            if config.eos_token_id is None:
                config.eos_token_id = self.data.eos_id
            torch.manual_seed(self.args.seed)
            return LlamaForCausalLM(config)
        model = load_model_dir(source)
        master = source / STATE_DIR / MASTER_WEIGHTS
        if self.resume_from is not None and master.exists():
            with torch.no_grad():
                params = dict(model.named_parameters())
                for name, tensor in load_file(master).items():
                    params[name].copy_(tensor)
        return model

    def _tokenizer_dir(self) -> Optional[Path]:
        """Where the checkpoints' tokenizer files come from; its tokenizer.json must be the shards' tokenizer."""
        def has_files(directory: Path) -> bool:
            return any((directory / name).is_file() for name in TOKENIZER_FILES)

        directory = self.args.tokenizer_dir
        if directory is not None and not has_files(directory):
            raise TrainerError(Reason.BAD_CONFIG, f"--tokenizer-dir {directory} holds no tokenizer files")
        if directory is None:
            directory = next((d for d in (self.data.tokenizer_dir, self.resume_from, self.args.init)
                              if d is not None and has_files(d)), None)
        if directory is None:
            if self.env.main:
                print("warning: no tokenizer files to copy into checkpoints (give --tokenizer-dir)", file=sys.stderr)
            return None
        tokenizer_json = directory / "tokenizer.json"
        if tokenizer_json.is_file():
            digest = sha256_file(tokenizer_json)
            if digest != self.data.tokenizer_sha256:
                raise TrainerError(Reason.BAD_CONFIG, f"{tokenizer_json} has sha256 {digest[:12]}..., the shards "
                                                      f"were made with {self.data.tokenizer_sha256[:12]}...")
        return directory

    def _wrap(self, model: LlamaForCausalLM) -> nn.Module:
        if not self.env.distributed and not self.args.fsdp:
            return model
        if self.args.fsdp:
            from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
            from torch.distributed.fsdp import ShardingStrategy
            from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy

            policy = functools.partial(transformer_auto_wrap_policy, transformer_layer_cls={LlamaDecoderLayer})
            return FSDP(model, auto_wrap_policy=policy, sharding_strategy=ShardingStrategy.FULL_SHARD,
                        device_id=self.device if self.device.type == "cuda" else None, use_orig_params=True)
        from torch.nn.parallel import DistributedDataParallel as DDP

        return DDP(model, device_ids=[self.device.index] if self.device.type == "cuda" else None)

    # -- resume --

    def _restore(self, directory: Path) -> None:
        state_dir = directory / STATE_DIR
        try:
            raw = json.loads((state_dir / "state.json").read_text(encoding="utf-8"))
            state = TrainState(**raw)
        except (FileNotFoundError, json.JSONDecodeError, TypeError) as exc:
            raise TrainerError(Reason.BAD_CHECKPOINT, f"{state_dir}/state.json is unreadable: {exc}") from exc
        mismatches = [f"{name} {getattr(state, name)!r} != {value!r}" for name, value in (
            ("manifest_sha256", self.manifest.sha256), ("global_batch", self.global_batch),
            ("seq_len", self.data.seq_len), ("total_steps", self.total_steps), ("fsdp", self.args.fsdp))
            if getattr(state, name) != value]
        if self.args.fsdp and state.world_size != self.env.world_size:
            mismatches.append(f"world_size {state.world_size} != {self.env.world_size} (FSDP optimizer shards)")
        if mismatches:
            raise TrainerError(Reason.BAD_CONFIG, f"cannot resume {directory} with other settings: "
                                                  f"{'; '.join(mismatches)}")
        optimizer_file = state_dir / (f"optimizer-rank{self.env.rank}.pt" if self.args.fsdp else "optimizer.pt")
        try:
            self.optimizer.load_state_dict(_load_pt(optimizer_file))
            self.scheduler.load_state_dict(_load_pt(state_dir / "scheduler.pt"))
        except (FileNotFoundError, KeyError, ValueError, pickle.UnpicklingError) as exc:
            # A checkpoint directory only appears complete (atomic rename): a missing or foreign file is not I/O
            # trouble that a retry cures.
            raise TrainerError(Reason.BAD_CHECKPOINT,
                               f"{state_dir}: optimizer/scheduler state unusable: {exc}") from exc
        self.sampler.load_state_dict(state.sampler)
        rng_file = state_dir / f"rng-rank{self.env.rank}.pt"
        if rng_file.exists():
            rng = _load_pt(rng_file)
            random.setstate(rng["python"])
            np.random.set_state(rng["numpy"])
            torch.set_rng_state(rng["torch"])
            if self.device.type == "cuda" and rng.get("cuda") is not None:
                torch.cuda.set_rng_state(rng["cuda"], self.device)
        self.state = state
        self.state.world_size = self.env.world_size

    # -- checkpoints --

    def _full_state(self) -> Optional[Dict[str, torch.Tensor]]:
        """Float32 weights on CPU, gathered on rank 0 under FSDP (a collective: every rank calls it)."""
        if not self.args.fsdp:
            return None
        from torch.distributed.fsdp import FullStateDictConfig, StateDictType
        from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

        config = FullStateDictConfig(offload_to_cpu=True, rank0_only=True)
        with FSDP.state_dict_type(self.wrapped, StateDictType.FULL_STATE_DICT, config):
            return self.wrapped.state_dict()

    def save(self) -> Path:
        step = self.state.step
        final = self.output / f"{CHECKPOINT_PREFIX}{step:08d}"
        tmp = self.output / f".{CHECKPOINT_PREFIX}{step:08d}.tmp"
        state = self._full_state()
        if self.env.main:
            self.output.mkdir(parents=True, exist_ok=True)
            for stale in self.output.glob(f".{CHECKPOINT_PREFIX}*.tmp"):  # left by a save that was killed
                shutil.rmtree(stale)
            (tmp / STATE_DIR).mkdir(parents=True)
        self.env.barrier()
        state_dir = tmp / STATE_DIR
        if self.args.fsdp:
            torch.save(self.optimizer.state_dict(), state_dir / f"optimizer-rank{self.env.rank}.pt")
        rng = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state(),
               "cuda": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None}
        torch.save(rng, state_dir / f"rng-rank{self.env.rank}.pt")
        if self.env.main:
            save_model_dir(self.model, tmp, dtype=self.args.save_dtype, state=state,
                           max_shard_bytes=self.args.max_shard_size)
            if self.args.save_dtype != "float32":
                weights = state if state is not None else self.model.state_dict()
                save_file({k: v.detach().float() for k, v in weights.items()
                           if not (k == "lm_head.weight" and self.model.config.tie_word_embeddings)},
                          state_dir / MASTER_WEIGHTS)
            if self.tokenizer_dir is not None:
                copy_tokenizer(self.tokenizer_dir, tmp)
            if not self.args.fsdp:
                torch.save(self.optimizer.state_dict(), state_dir / "optimizer.pt")
            torch.save(self.scheduler.state_dict(), state_dir / "scheduler.pt")
            self.state.sampler = self.sampler.state_dict()
            (state_dir / "state.json").write_text(json.dumps(asdict(self.state), indent=2) + "\n", encoding="utf-8")
        self.env.barrier()
        if self.env.main:
            _fsync_tree(tmp)
            os.replace(tmp, final)
            _fsync_dir(self.output)
            if self.args.keep_checkpoints:
                for old in checkpoints(self.output)[:-self.args.keep_checkpoints]:
                    shutil.rmtree(old)
            emit("checkpoint", step=step, path=str(final), tokens_seen=self.state.tokens_seen,
                 tokens_per_lang=self.state.tokens_per_lang)
        self.env.barrier()
        self.last_checkpoint = final
        self.saved_step = step
        return final

    # -- training --

    def _micro_batches(self) -> Tuple[List[Batch], int]:
        """This rank's micro-batches of the next optimizer step (every rank draws the same global list) and the
        number of labels in them."""
        windows = self.sampler.take(self.global_batch)
        mb, accum = self.args.micro_batch_size, self.args.grad_accum
        mine = windows[self.env.rank * mb * accum:(self.env.rank + 1) * mb * accum]
        batch = self.data.batch(mine)
        per_lang = self.data.window_lang_tokens[windows].sum(axis=0)
        self.state.tokens_seen += int(per_lang.sum())
        for lang, n in zip(self.data.languages, per_lang):
            self.state.tokens_per_lang[lang] = self.state.tokens_per_lang.get(lang, 0) + int(n)
        micro = [batch.slice(i * mb, (i + 1) * mb).to(self.device) for i in range(accum)]
        return micro, int(batch.loss_mask.sum())

    def _all_reduce(self, values: List[float]) -> List[float]:
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.env.distributed:
            dist.all_reduce(t)
        return t.tolist()

    def _no_sync(self, last: bool) -> ContextManager[Any]:
        if last or not self.env.distributed:
            return contextlib.nullcontext()
        return self.wrapped.no_sync()  # type: ignore[operator]

    def _autocast(self) -> ContextManager[Any]:
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)

    def step(self) -> Dict[str, float]:
        micro, local_labels = self._micro_batches()
        (labels,) = self._all_reduce([float(local_labels)])
        scale = self.env.world_size / max(labels, 1.0)  # DDP averages over ranks: undo, then divide by all labels
        masking = self.args.document_masking
        loss_sum = torch.zeros((), dtype=torch.float32, device=self.device)
        for i, mb in enumerate(micro):
            with self._no_sync(i == len(micro) - 1):
                with self._autocast():
                    logits = self.forward(mb.input_ids, mb.doc_ids if masking else None)
                    loss = causal_lm_loss_sum(logits, mb.labels, mb.loss_mask)
                (loss * scale).backward()
            loss_sum += loss.detach()
        (total_loss,) = self._all_reduce([float(loss_sum)])
        mean_loss = total_loss / max(labels, 1.0)
        if not math.isfinite(mean_loss):
            raise TrainerError(Reason.NON_FINITE_LOSS, f"loss is {mean_loss} at step {self.state.step}")
        grad_norm = float("nan")
        if self.args.grad_clip > 0:
            if self.args.fsdp:
                grad_norm = float(self.wrapped.clip_grad_norm_(self.args.grad_clip))  # type: ignore[operator]
            else:
                grad_norm = float(torch.nn.utils.clip_grad_norm_(self.params, self.args.grad_clip))
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.scheduler.step()
        self.state.step += 1
        if self.state.first_loss is None:
            self.state.first_loss = mean_loss
        self.state.last_loss = mean_loss
        return {"loss": mean_loss, "lr": lr, "grad_norm": grad_norm}

    def _stop_requested(self) -> bool:
        (flag,) = self._all_reduce([1.0 if self.stop.signum is not None else 0.0])
        return flag > 0

    def train(self) -> Path:
        self.wrapped.train()
        if self.env.main:
            emit("start", round_id=self.manifest.round_id, step=self.state.step, total_steps=self.total_steps,
                 resumed_from=str(self.resume_from) if self.resume_from else None,
                 parameters=count_parameters(self.model), world_size=self.env.world_size, device=str(self.device),
                 precision="bf16" if self.autocast_dtype else "fp32", seq_len=self.data.seq_len,
                 global_batch=self.global_batch, tokens_per_step=self.tokens_per_step, windows=len(self.data),
                 language_probabilities=dict(zip(self.data.languages,
                                                 (round(p, 6) for p in self.sampler.probabilities))),
                 tokenizer_sha256=self.data.tokenizer_sha256)
        started = time.perf_counter()
        window_start, window_steps = started, 0
        steps_this_run = 0
        while self.state.step < self.total_steps:
            if self._stop_requested():
                self._leave(f"signal {signal.Signals(self.stop.signum or signal.SIGTERM).name}")
            metrics = self.step()
            steps_this_run += 1
            window_steps += 1
            step = self.state.step
            if self.env.main and (step % self.args.log_every == 0 or step == self.total_steps):
                if self.device.type == "cuda":
                    torch.cuda.synchronize()
                now = time.perf_counter()
                emit("step", step=step, loss=round(metrics["loss"], 6), lr=metrics["lr"],
                     grad_norm=round(metrics["grad_norm"], 6) if math.isfinite(metrics["grad_norm"]) else None,
                     tokens_per_s=round(window_steps * self.tokens_per_step / max(now - window_start, 1e-9), 1),
                     tokens_seen=self.state.tokens_seen, elapsed_s=round(now - started, 3))
                window_start, window_steps = now, 0
            if self.args.save_every and step % self.args.save_every == 0 and step < self.total_steps:
                self.save()
            if self.args.stop_after_steps is not None and steps_this_run >= self.args.stop_after_steps \
                    and step < self.total_steps:
                self._leave(f"--stop-after-steps {self.args.stop_after_steps}")
        final = self.save()
        if self.env.main:
            emit("done", step=self.state.step, checkpoint=str(final), first_loss=self.state.first_loss,
                 final_loss=self.state.last_loss, tokens_seen=self.state.tokens_seen,
                 tokens_per_lang=self.state.tokens_per_lang, elapsed_s=round(time.perf_counter() - started, 3))
        return final

    def _leave(self, why: str) -> NoReturn:
        """Checkpoint (unless the newest one is of this step) and exit retriable."""
        if self.state.step != self.saved_step:
            self.save()
        where = f"checkpoint {self.last_checkpoint}" if self.last_checkpoint else "no checkpoint yet"
        raise TrainerError(Reason.INTERRUPTED, f"stopped at step {self.state.step} ({why}); {where}")


class StopRequest:
    """Signal handler: SIGTERM/SIGINT ask the trainer to checkpoint at the next step boundary instead of dying
    mid-step (with several processes, a stop seen by one rank stops all at the same step)."""

    def __init__(self) -> None:
        self.signum: Optional[int] = None

    def __call__(self, signum: int, _frame: Any) -> None:
        if self.signum is None:
            self.signum = signum

    @contextlib.contextmanager
    def installed(self) -> Iterator["StopRequest"]:
        previous = {s: signal.signal(s, self) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    env = DistEnv.from_environ()
    try:
        _check_args(args)
        threads = args.threads or max(1, (os.cpu_count() or 1) // max(1, env.local_world_size))
        torch.set_num_threads(threads)
        if env.distributed and not dist.is_initialized():
            backend = "nccl" if args.device != "cpu" and torch.cuda.is_available() else "gloo"
            dist.init_process_group(backend=backend)
        with StopRequest().installed() as stop:
            Trainer(args, env, stop).train()
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:  # every failure is classified once and becomes an exit code
        reason = classify(exc)
        if reason is Reason.INTERNAL:
            import traceback

            traceback.print_exc(file=sys.stderr)
        emit("error", reason=reason.code, retriable=reason.retriable, exit_code=reason.exit_code,
             message=str(exc.message if isinstance(exc, TrainerError) else f"{type(exc).__name__}: {exc}"),
             rank=env.rank)
        return reason.exit_code
    finally:
        if env.distributed and dist.is_initialized():
            dist.destroy_process_group()
