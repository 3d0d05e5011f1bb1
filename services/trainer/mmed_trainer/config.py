"""The model configuration, read from and written to a Hugging Face ``LlamaForCausalLM`` ``config.json``.

Keys the trainer does not use (``transformers_version``, ``use_cache``, ...) are kept and written back unchanged, so a
base checkpoint's config survives continued pretraining.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from .errors import Reason, TrainerError

TokenIds = Union[int, List[int], None]

#: Keys written for every config, with the values transformers expects of a plain Llama model.
_FIXED = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_act": "silu",
}
#: Keys transformers writes that the trainer does not use; defaults for a fresh config.
_PASSTHROUGH_DEFAULTS = {
    "attention_dropout": 0.0,
    "pretraining_tp": 1,
    "use_cache": True,
}
_SUPPORTED_ROPE_SCALING = ("default", "linear", "llama3")


@dataclass
class LlamaConfig:
    """The architecture; field names are the Hugging Face ``LlamaConfig`` keys."""

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: Optional[int] = None
    head_dim: Optional[int] = None
    max_position_embeddings: int = 2048
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    rope_scaling: Optional[Dict[str, Any]] = None
    tie_word_embeddings: bool = False
    attention_bias: bool = False
    mlp_bias: bool = False
    initializer_range: float = 0.02
    bos_token_id: TokenIds = 1
    eos_token_id: TokenIds = 2
    pad_token_id: TokenIds = None
    torch_dtype: str = "float32"
    #: Unknown keys of the source config.json, written back as they were.
    extra: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.num_key_value_heads is None:
            self.num_key_value_heads = self.num_attention_heads
        if self.head_dim is None:
            if self.num_attention_heads <= 0 or self.hidden_size % self.num_attention_heads:
                raise TrainerError(Reason.BAD_CONFIG, "hidden_size must be a multiple of num_attention_heads")
            self.head_dim = self.hidden_size // self.num_attention_heads
        self.validate()

    @property
    def kv_heads(self) -> int:
        assert self.num_key_value_heads is not None
        return self.num_key_value_heads

    @property
    def dim_per_head(self) -> int:
        assert self.head_dim is not None
        return self.head_dim

    def validate(self) -> None:
        def bad(message: str) -> TrainerError:
            return TrainerError(Reason.BAD_CONFIG, message)

        for name in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                     "num_key_value_heads", "head_dim", "max_position_embeddings"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise bad(f"{name} must be a positive integer, got {value!r}")
        if self.num_attention_heads % self.kv_heads:
            raise bad("num_attention_heads must be a multiple of num_key_value_heads")
        if self.dim_per_head % 2:
            raise bad("head_dim must be even for rotary embeddings")
        if not (self.rms_norm_eps > 0 and math.isfinite(self.rms_norm_eps)):
            raise bad("rms_norm_eps must be positive")
        if not self.rope_theta > 0:
            raise bad("rope_theta must be positive")
        if self.rope_scaling is not None:
            kind = self.rope_scaling.get("rope_type", self.rope_scaling.get("type", "default"))
            if kind not in _SUPPORTED_ROPE_SCALING:
                raise bad(f"rope_scaling type {kind!r} is not supported (supported: {_SUPPORTED_ROPE_SCALING})")
        if self.torch_dtype not in ("float32", "bfloat16", "float16"):
            raise bad(f"torch_dtype {self.torch_dtype!r} is not supported")

    # ---- JSON -----------------------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: Dict[str, Any]) -> "LlamaConfig":
        if not isinstance(raw, dict):
            raise TrainerError(Reason.BAD_CONFIG, "config must be a JSON object")
        model_type = raw.get("model_type", "llama")
        if model_type != "llama":
            raise TrainerError(Reason.BAD_CONFIG, f"model_type {model_type!r} is not 'llama'")
        architectures = raw.get("architectures")
        if architectures is not None and "LlamaForCausalLM" not in architectures:
            raise TrainerError(Reason.BAD_CONFIG, f"architectures {architectures!r} do not include LlamaForCausalLM")
        act = raw.get("hidden_act", "silu")
        if act != "silu":
            raise TrainerError(Reason.BAD_CONFIG, f"hidden_act {act!r} is not supported (only silu)")
        known = {f.name for f in fields(cls)} - {"extra"}
        required = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads")
        missing = [k for k in required if k not in raw]
        if missing:
            raise TrainerError(Reason.BAD_CONFIG, f"config lacks {', '.join(missing)}")
        kwargs = {k: v for k, v in raw.items() if k in known}
        if kwargs.get("torch_dtype") is None:
            kwargs.pop("torch_dtype", None)
        extra = {k: v for k, v in raw.items() if k not in known and k not in _FIXED}
        try:
            return cls(extra=extra, **kwargs)
        except TypeError as exc:
            raise TrainerError(Reason.BAD_CONFIG, f"bad config: {exc}") from exc

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = dict(_FIXED)
        out.update(_PASSTHROUGH_DEFAULTS)
        out.update(self.extra)
        for f in fields(self):
            if f.name != "extra":
                out[f.name] = getattr(self, f.name)
        return dict(sorted(out.items()))

    @classmethod
    def load(cls, path: Path) -> "LlamaConfig":
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise TrainerError(Reason.BAD_CONFIG, f"no config at {path}") from exc
        except json.JSONDecodeError as exc:
            raise TrainerError(Reason.BAD_CONFIG, f"{path} is not JSON: {exc}") from exc
        return cls.from_dict(raw)

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    def num_parameters(self) -> int:
        """Parameter count of the model this config describes (tied embeddings counted once)."""
        d, h, kv, hd = self.hidden_size, self.num_attention_heads, self.kv_heads, self.dim_per_head
        attn = d * h * hd * 2 + d * kv * hd * 2
        if self.attention_bias:
            attn += h * hd + 2 * kv * hd + d
        mlp = 3 * d * self.intermediate_size + (2 * self.intermediate_size + d if self.mlp_bias else 0)
        per_layer = attn + mlp + 2 * d
        embed = self.vocab_size * d
        head = 0 if self.tie_word_embeddings else self.vocab_size * d
        return embed + self.num_hidden_layers * per_layer + d + head

