"""The decoder: Hugging Face names and config, shapes, rotary/GQA numerics against a naive reference, masking."""

from __future__ import annotations

import math

import pytest
import torch

from conftest import tiny_config
from mmed_trainer.config import LlamaConfig
from mmed_trainer.errors import TrainerError
from mmed_trainer.model import HAS_SDPA, LlamaForCausalLM, count_parameters, rope_inv_freq


def hf_names(layers: int, tied: bool) -> set:
    names = {"model.embed_tokens.weight", "model.norm.weight"}
    for i in range(layers):
        p = f"model.layers.{i}."
        names |= {p + f"self_attn.{x}_proj.weight" for x in "qkvo"}
        names |= {p + f"mlp.{x}_proj.weight" for x in ("gate", "up", "down")}
        names |= {p + "input_layernorm.weight", p + "post_attention_layernorm.weight"}
    if not tied:
        names.add("lm_head.weight")
    return names


def test_state_dict_names_and_shapes_match_hugging_face_llama() -> None:
    config = tiny_config()
    model = LlamaForCausalLM(config)
    state = model.state_dict()
    assert set(state) == hf_names(2, tied=False)
    assert state["model.layers.0.self_attn.q_proj.weight"].shape == (64, 64)
    assert state["model.layers.0.self_attn.k_proj.weight"].shape == (2 * 16, 64)  # 2 kv heads of 16
    assert state["model.layers.1.mlp.gate_proj.weight"].shape == (128, 64)
    assert state["model.layers.1.mlp.down_proj.weight"].shape == (64, 128)
    assert state["lm_head.weight"].shape == (64, 64)
    assert count_parameters(model) == config.num_parameters()


def test_tied_embeddings_share_one_tensor() -> None:
    config = tiny_config(tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    assert model.lm_head.weight is model.model.embed_tokens.weight
    assert count_parameters(model) == config.num_parameters()


def test_config_json_has_the_hugging_face_keys_and_keeps_unknown_ones() -> None:
    raw = tiny_config().to_dict()
    for key in ("architectures", "model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
                "num_attention_heads", "num_key_value_heads", "max_position_embeddings", "rms_norm_eps", "rope_theta",
                "vocab_size", "bos_token_id", "eos_token_id", "tie_word_embeddings", "torch_dtype", "hidden_act",
                "attention_bias"):
        assert key in raw, key
    assert raw["architectures"] == ["LlamaForCausalLM"] and raw["model_type"] == "llama"
    assert raw["hidden_act"] == "silu" and raw["attention_bias"] is False
    raw["transformers_version"] = "4.44.0"
    again = LlamaConfig.from_dict(raw).to_dict()
    assert again == raw


@pytest.mark.parametrize("bad", [{"hidden_act": "gelu"}, {"model_type": "mistral"}, {"num_key_value_heads": 3},
                                 {"rope_scaling": {"rope_type": "yarn", "factor": 2.0}}])
def test_unsupported_configs_are_rejected(bad: dict) -> None:
    raw = tiny_config().to_dict()
    raw.update(bad)
    with pytest.raises(TrainerError):
        LlamaConfig.from_dict(raw)


def test_forward_shape() -> None:
    model = LlamaForCausalLM(tiny_config())
    ids = torch.randint(0, 64, (3, 11))
    assert model(ids).shape == (3, 11, 64)
    assert model(ids, doc_ids=torch.zeros(3, 11, dtype=torch.long)).shape == (3, 11, 64)


def naive_attention_layer(model: LlamaForCausalLM, layer: int, x: torch.Tensor, positions: list) -> torch.Tensor:
    """Attention of one sequence written out loop by loop, with RoPE as complex rotation of (i, i + d/2) pairs."""
    cfg = model.config
    attn = model.model.layers[layer].self_attn
    h, kv, d = cfg.num_attention_heads, cfg.kv_heads, cfg.dim_per_head
    t = x.shape[0]
    q = (x @ attn.q_proj.weight.T).view(t, h, d)
    k = (x @ attn.k_proj.weight.T).view(t, kv, d)
    v = (x @ attn.v_proj.weight.T).view(t, kv, d)

    def rope(vec: torch.Tensor, pos: int) -> torch.Tensor:
        half = d // 2
        out = torch.empty_like(vec)
        for i in range(half):
            angle = pos / (cfg.rope_theta ** (2 * i / d))
            z = complex(vec[i].item(), vec[i + half].item()) * complex(math.cos(angle), math.sin(angle))
            out[i], out[i + half] = z.real, z.imag
        return out

    out = torch.zeros(t, h, d, dtype=torch.float64)
    for head in range(h):
        group = head // (h // kv)  # query head h reads key/value head h // (H / KV)
        for i in range(t):
            qi = rope(q[i, head], positions[i]).double()
            scores = torch.tensor([float(qi @ rope(k[j, group], positions[j]).double()) / math.sqrt(d)
                                   for j in range(i + 1)], dtype=torch.float64)
            weights = torch.softmax(scores, dim=0)
            out[i, head] = sum(weights[j] * v[j, group].double() for j in range(i + 1))
    return out.reshape(t, h * d).float() @ attn.o_proj.weight.T


def test_gqa_rope_attention_equals_a_naive_reference() -> None:
    torch.manual_seed(0)
    config = tiny_config(num_attention_heads=4, num_key_value_heads=2, rope_theta=500.0)
    model = LlamaForCausalLM(config)
    x = torch.randn(1, 7, 64)
    cos, sin = model.rotary(torch.arange(7)[None])
    with torch.no_grad():
        ours = model.model.layers[0].self_attn(x, cos, sin, None)[0]
        reference = naive_attention_layer(model, 0, x[0], list(range(7)))
    torch.testing.assert_close(ours, reference, atol=2e-5, rtol=1e-4)


def test_rope_scores_depend_only_on_relative_position() -> None:
    torch.manual_seed(1)
    model = LlamaForCausalLM(tiny_config())
    q, k = torch.randn(1, 1, 1, 16), torch.randn(1, 1, 1, 16)
    from mmed_trainer.model import apply_rotary

    def score(m: int, n: int) -> float:
        cos_m, sin_m = model.rotary(torch.tensor([[m]]))
        cos_n, sin_n = model.rotary(torch.tensor([[n]]))
        qm, _ = apply_rotary(q, q, cos_m, sin_m)
        _, kn = apply_rotary(k, k, cos_n, sin_n)
        return float((qm * kn).sum())

    assert score(5, 2) == pytest.approx(score(105, 102), abs=1e-4)
    assert score(5, 2) != pytest.approx(score(5, 4), abs=1e-3)


def test_llama3_rope_scaling_keeps_high_and_divides_low_frequencies() -> None:
    base = tiny_config(head_dim=None, hidden_size=256, num_attention_heads=2, num_key_value_heads=1,
                       rope_theta=500000.0)
    scaled = tiny_config(hidden_size=256, num_attention_heads=2, num_key_value_heads=1, rope_theta=500000.0,
                         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})
    plain, adjusted = rope_inv_freq(base), rope_inv_freq(scaled)
    wavelen = 2 * math.pi / plain
    assert torch.equal(adjusted[wavelen < 8192 / 4], plain[wavelen < 8192 / 4])
    torch.testing.assert_close(adjusted[wavelen > 8192], plain[wavelen > 8192] / 8)


@pytest.mark.skipif(not HAS_SDPA, reason="PyTorch 1.x has no scaled_dot_product_attention")
def test_sdpa_path_equals_explicit_path() -> None:
    torch.manual_seed(2)
    model = LlamaForCausalLM(tiny_config())
    ids = torch.randint(0, 64, (2, 12))
    docs = torch.tensor([[0] * 5 + [1] * 7, [0] * 12])
    with torch.no_grad():
        model.set_attention_backend(True)
        fast = model(ids, doc_ids=docs)
        model.set_attention_backend(False)
        slow = model(ids, doc_ids=docs)
    torch.testing.assert_close(fast, slow, atol=1e-5, rtol=1e-4)


def test_document_masking_isolates_documents_and_restarts_positions() -> None:
    torch.manual_seed(3)
    model = LlamaForCausalLM(tiny_config())
    doc_a, doc_b = torch.randint(3, 64, (6,)), torch.randint(3, 64, (9,))
    other_a = torch.randint(3, 64, (6,))
    docs = torch.tensor([[0] * 6 + [1] * 9])
    with torch.no_grad():
        packed = model(torch.cat([doc_a, doc_b])[None], doc_ids=docs)
        changed = model(torch.cat([other_a, doc_b])[None], doc_ids=docs)
        alone = model(doc_b[None])
        unmasked = model(torch.cat([doc_a, doc_b])[None])
        unmasked_changed = model(torch.cat([other_a, doc_b])[None])
    assert torch.equal(packed[0, 6:], changed[0, 6:]), "doc B must not see doc A"
    torch.testing.assert_close(packed[0, 6:], alone[0], atol=1e-5, rtol=1e-5)  # as if it began the window
    assert not torch.allclose(unmasked[0, 6:], unmasked_changed[0, 6:]), "without masking doc A leaks (sanity)"


def test_gradient_checkpointing_gives_the_same_gradients() -> None:
    torch.manual_seed(4)
    model = LlamaForCausalLM(tiny_config())
    ids = torch.randint(0, 64, (2, 10))
    model(ids).sum().backward()
    plain = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    model.gradient_checkpointing = True
    model(ids).sum().backward()
    for a, p in zip(plain, model.parameters()):
        torch.testing.assert_close(a, p.grad)
