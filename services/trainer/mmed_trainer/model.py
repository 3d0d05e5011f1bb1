"""A Llama-architecture decoder whose parameter names match Hugging Face ``LlamaForCausalLM``.

The state dict of :class:`LlamaForCausalLM` has exactly the keys of the transformers model of the same config
(``model.embed_tokens.weight``, ``model.layers.N.self_attn.q_proj.weight``, ..., ``lm_head.weight``), and the numerics
follow it: RMSNorm in float32, rotary embeddings in the ``rotate_half`` convention with ``inv_freq = 1 / theta^(2i/d)``
computed in float32, grouped-query attention where query head ``h`` reads key/value head ``h // (H / KV)``, and a
SwiGLU MLP ``down(silu(gate(x)) * up(x))``.

Document masking: given per-token document ids, a token attends only to earlier tokens of its own document (a
block-diagonal causal mask) and its rotary position restarts at 0 where its document starts inside the window.
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .config import LlamaConfig

#: PyTorch 2 has fused attention kernels; 1.13 (Debian) does not, and gets the explicit path.
HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float, device: Optional[torch.device] = None) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim, device=device))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(dtype)


def rope_inv_freq(config: LlamaConfig) -> torch.Tensor:
    """``1 / theta^(2i/d)`` for ``i < d/2``, adjusted by ``rope_scaling`` the way transformers does."""
    dim = config.dim_per_head
    inv_freq = 1.0 / (config.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    scaling = config.rope_scaling or {}
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind == "linear":
        inv_freq = inv_freq / float(scaling["factor"])
    elif kind == "llama3":
        factor = float(scaling["factor"])
        low = float(scaling["low_freq_factor"])
        high = float(scaling["high_freq_factor"])
        old_len = float(scaling["original_max_position_embeddings"])
        low_wavelen, high_wavelen = old_len / low, old_len / high
        wavelen = 2 * math.pi / inv_freq
        scaled = torch.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
        smooth = (old_len / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
        inv_freq = torch.where(medium, smoothed, scaled)
    return inv_freq


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary(q: torch.Tensor, k: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
    """q, k: [B, heads, T, D]; cos, sin: [B, T, D] float32, cast to the activations' dtype as transformers does."""
    cos = cos.unsqueeze(1).to(q.dtype)
    sin = sin.unsqueeze(1).to(q.dtype)
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin


def repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    """[B, KV, T, D] -> [B, KV * n_rep, T, D]; head h of the result is head h // n_rep of the input."""
    if n_rep == 1:
        return x
    b, kv, t, d = x.shape
    return x[:, :, None, :, :].expand(b, kv, n_rep, t, d).reshape(b, kv * n_rep, t, d)


def positions_from_documents(doc_ids: torch.Tensor) -> torch.Tensor:
    """Per-token position within its document's part of the window: 0 at each document start."""
    t = doc_ids.shape[-1]
    idx = torch.arange(t, device=doc_ids.device).expand_as(doc_ids)
    starts = torch.ones_like(doc_ids, dtype=torch.bool)
    starts[..., 1:] = doc_ids[..., 1:] != doc_ids[..., :-1]
    start_idx = torch.where(starts, idx, torch.zeros_like(idx))
    return idx - torch.cummax(start_idx, dim=-1).values


def document_causal_mask(doc_ids: torch.Tensor) -> torch.Tensor:
    """[B, T] document ids -> [B, 1, T, T] bool, True where query i may attend key j (j <= i, same document)."""
    t = doc_ids.shape[-1]
    causal = torch.ones(t, t, dtype=torch.bool, device=doc_ids.device).tril()
    same = doc_ids[:, :, None] == doc_ids[:, None, :]
    return (same & causal).unsqueeze(1)


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: Optional[torch.Tensor],
              use_sdpa: bool) -> torch.Tensor:
    """Causal attention over [B, H, T, D]; ``mask`` (bool, True = attend) replaces the plain causal mask."""
    if use_sdpa:
        if mask is None:
            return F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    scale = 1.0 / math.sqrt(q.shape[-1])
    scores = torch.matmul(q, k.transpose(-1, -2)) * scale
    if mask is None:
        t = q.shape[-2]
        mask = torch.ones(t, t, dtype=torch.bool, device=q.device).tril()
    scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
    return torch.matmul(probs, v)


class LlamaAttention(nn.Module):
    def __init__(self, config: LlamaConfig, device: Optional[torch.device] = None) -> None:
        super().__init__()
        d, hd = config.hidden_size, config.dim_per_head
        self.num_heads = config.num_attention_heads
        self.num_kv_heads = config.kv_heads
        self.head_dim = hd
        bias = config.attention_bias
        self.q_proj = nn.Linear(d, self.num_heads * hd, bias=bias, device=device)
        self.k_proj = nn.Linear(d, self.num_kv_heads * hd, bias=bias, device=device)
        self.v_proj = nn.Linear(d, self.num_kv_heads * hd, bias=bias, device=device)
        self.o_proj = nn.Linear(self.num_heads * hd, d, bias=bias, device=device)
        self.use_sdpa = HAS_SDPA

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                mask: Optional[torch.Tensor]) -> torch.Tensor:
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.num_kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.num_kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rotary(q, k, cos, sin)
        n_rep = self.num_heads // self.num_kv_heads
        out = attention(q, repeat_kv(k, n_rep), repeat_kv(v, n_rep), mask, self.use_sdpa)
        return self.o_proj(out.transpose(1, 2).reshape(b, t, self.num_heads * self.head_dim))


class LlamaMLP(nn.Module):
    def __init__(self, config: LlamaConfig, device: Optional[torch.device] = None) -> None:
        super().__init__()
        d, i, bias = config.hidden_size, config.intermediate_size, config.mlp_bias
        self.gate_proj = nn.Linear(d, i, bias=bias, device=device)
        self.up_proj = nn.Linear(d, i, bias=bias, device=device)
        self.down_proj = nn.Linear(i, d, bias=bias, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, config: LlamaConfig, device: Optional[torch.device] = None) -> None:
        super().__init__()
        self.self_attn = LlamaAttention(config, device)
        self.mlp = LlamaMLP(config, device)
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps, device)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps, device)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                mask: Optional[torch.Tensor]) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, config: LlamaConfig, device: Optional[torch.device] = None) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size, device=device)
        self.layers = nn.ModuleList(LlamaDecoderLayer(config, device) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps, device)


class LlamaForCausalLM(nn.Module):
    """Decoder-only LM. ``forward`` returns logits [B, T, vocab]; the loss is the trainer's business."""

    def __init__(self, config: LlamaConfig, device: Optional[torch.device] = None) -> None:
        super().__init__()
        self.config = config
        self.model = LlamaModel(config, device)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False, device=device)
        self.tie_weights()
        self.register_buffer("inv_freq", rope_inv_freq(config).to(device), persistent=False)
        self.gradient_checkpointing = False
        if device is None or torch.device(device).type != "meta":
            self.init_weights()

    def init_weights(self) -> None:
        """Normal(0, initializer_range) for matrices, zeros for biases, ones for norms (as transformers).

        Draws from the global torch RNG: seed it (``torch.manual_seed``) for a reproducible model.
        """
        std = self.config.initializer_range
        with torch.no_grad():
            for module in self.modules():
                if isinstance(module, (nn.Linear, nn.Embedding)):
                    if module is self.lm_head and self.config.tie_word_embeddings:
                        continue
                    nn.init.normal_(module.weight, 0.0, std)
                    bias = getattr(module, "bias", None)
                    if bias is not None:
                        nn.init.zeros_(bias)
                elif isinstance(module, RMSNorm):
                    nn.init.ones_(module.weight)
        self.reset_buffers()

    def tie_weights(self) -> None:
        """Share the embedding with the head when configured; again after moves that re-create parameters."""
        if self.config.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    def reset_buffers(self) -> None:
        """Recompute non-persistent buffers (needed after ``to_empty``, e.g. when built on the meta device)."""
        self.inv_freq = rope_inv_freq(self.config).to(self.inv_freq.device)

    def set_attention_backend(self, use_sdpa: bool) -> None:
        if use_sdpa and not HAS_SDPA:
            raise RuntimeError("scaled_dot_product_attention needs PyTorch 2")
        for module in self.modules():
            if isinstance(module, LlamaAttention):
                module.use_sdpa = use_sdpa

    def rotary(self, position_ids: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        freqs = position_ids[:, :, None].float() * self.inv_freq.float()[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    def forward(self, input_ids: torch.Tensor, doc_ids: Optional[torch.Tensor] = None,
                position_ids: Optional[torch.Tensor] = None) -> torch.Tensor:
        """input_ids [B, T]; doc_ids [B, T] turns on document masking; position_ids default to the documents'."""
        b, t = input_ids.shape
        mask = None
        if doc_ids is not None:
            mask = document_causal_mask(doc_ids)
            if position_ids is None:
                position_ids = positions_from_documents(doc_ids)
        if position_ids is None:
            position_ids = torch.arange(t, device=input_ids.device).expand(b, t)
        cos, sin = self.rotary(position_ids)
        x = self.model.embed_tokens(input_ids)
        for layer in self.model.layers:
            if self.gradient_checkpointing and self.training:
                x = _checkpoint(layer, x, cos, sin, mask)
            else:
                x = layer(x, cos, sin, mask)
        return self.lm_head(self.model.norm(x))


def _checkpoint(layer: Callable[..., torch.Tensor], *args: Optional[torch.Tensor]) -> torch.Tensor:
    from torch.utils.checkpoint import checkpoint

    return checkpoint(layer, *args, use_reentrant=False)


def count_parameters(model: nn.Module) -> int:
    """Distinct parameters (a tied embedding counts once)."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
