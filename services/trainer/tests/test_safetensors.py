"""Safetensors written and read by the project: the byte layout, bit-exact round trips, shards, HF directories."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import tiny_config
from mmed_trainer.checkpoint import load_model_dir, load_weights, save_model_dir
from mmed_trainer.errors import Reason, TrainerError
from mmed_trainer.model import LlamaForCausalLM
from mmed_trainer.safetensors_io import (INDEX_NAME, SafetensorsError, load_checkpoint, load_file, load_metadata,
                                         read_header, save_file, save_sharded)


def random_bits(shape: tuple, dtype: torch.dtype, seed: int) -> torch.Tensor:
    """Every bit pattern is fair game (NaN payloads, denormals, -0.0): a bit-exact round trip must keep them."""
    g = torch.Generator().manual_seed(seed)
    size = torch.empty((), dtype=dtype).element_size()
    raw = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[size]
    if raw is torch.uint8:
        bits = torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)
    else:
        info = torch.iinfo(raw)
        bits = torch.randint(info.min, info.max, shape, generator=g, dtype=torch.int64).to(raw)
    return bits.view(dtype) if dtype is not torch.bool else bits % 2 == 1


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    size = a.element_size()
    raw = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[size]
    return torch.equal(a.contiguous().view(raw) if a.dtype is not torch.bool else a.to(torch.uint8),
                       b.contiguous().view(raw) if b.dtype is not torch.bool else b.to(torch.uint8))


def test_file_layout_is_safetensors(tmp_path: Path) -> None:
    tensors = {"b": torch.arange(6, dtype=torch.int64).reshape(2, 3),
               "a": torch.tensor([1.5, -2.0], dtype=torch.float32)}
    path = tmp_path / "x.safetensors"
    save_file(tensors, path, metadata={"format": "pt"})
    blob = path.read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    assert n % 8 == 0
    header = json.loads(blob[8:8 + n])
    assert header["__metadata__"] == {"format": "pt"}
    assert header["b"] == {"dtype": "I64", "shape": [2, 3], "data_offsets": [0, 48]}
    assert header["a"] == {"dtype": "F32", "shape": [2], "data_offsets": [48, 56]}
    data = blob[8 + n:]
    assert data[:48] == np.arange(6, dtype="<i8").tobytes()
    assert data[48:] == np.array([1.5, -2.0], dtype="<f4").tobytes()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.int64,
                                   torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool])
def test_round_trip_is_bit_exact(tmp_path: Path, dtype: torch.dtype) -> None:
    tensors = {"m": random_bits((7, 5), dtype, 1), "scalar": random_bits((), dtype, 2),
               "empty": torch.empty(0, 3, dtype=dtype), "strided": random_bits((6, 4), dtype, 3).t()}
    path = tmp_path / "t.safetensors"
    save_file(tensors, path)
    back = load_file(path)
    assert set(back) == set(tensors)
    for name, t in tensors.items():
        assert same_bits(back[name], t.contiguous()), name


def test_sharded_round_trip_with_index(tmp_path: Path) -> None:
    tensors = {f"w{i}": random_bits((32, 32), torch.bfloat16, i) for i in range(5)}  # 2 KiB each
    files = save_sharded(tensors, tmp_path, max_shard_bytes=5000, metadata={"format": "pt"})
    assert files == ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                     "model-00003-of-00003.safetensors", INDEX_NAME]
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    assert index["metadata"]["total_size"] == 5 * 2048
    assert index["weight_map"]["w0"] == "model-00001-of-00003.safetensors"
    assert index["weight_map"]["w4"] == "model-00003-of-00003.safetensors"
    back = load_checkpoint(tmp_path)
    assert all(same_bits(back[k], v) for k, v in tensors.items()) and set(back) == set(tensors)
    assert load_metadata(tmp_path / files[0]) == {"format": "pt"}


def test_small_checkpoint_is_one_file(tmp_path: Path) -> None:
    assert save_sharded({"x": torch.ones(3)}, tmp_path, max_shard_bytes=1000) == ["model.safetensors"]
    assert not (tmp_path / INDEX_NAME).exists()


def test_corrupt_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.safetensors"
    save_file({"a": torch.ones(4)}, path)
    blob = bytearray(path.read_bytes())
    (tmp_path / "short.safetensors").write_bytes(bytes(blob[:-4]))
    with pytest.raises(SafetensorsError):
        read_header(tmp_path / "short.safetensors")
    (tmp_path / "huge.safetensors").write_bytes(struct.pack("<Q", 1 << 40) + bytes(blob[8:]))
    with pytest.raises(SafetensorsError):
        read_header(tmp_path / "huge.safetensors")
    header = json.dumps({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 12]}}).encode()
    (tmp_path / "bad.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    with pytest.raises(SafetensorsError):
        read_header(tmp_path / "bad.safetensors")


@pytest.mark.parametrize("tied", [False, True])
def test_hugging_face_directory_round_trip(tmp_path: Path, tied: bool) -> None:
    torch.manual_seed(0)
    model = LlamaForCausalLM(tiny_config(tie_word_embeddings=tied))
    files = save_model_dir(model, tmp_path, dtype="bfloat16", max_shard_bytes=20_000)
    assert INDEX_NAME in files and "config.json" in files and "generation_config.json" in files
    stored = load_checkpoint(tmp_path)
    assert ("lm_head.weight" in stored) is not tied  # transformers leaves a tied head out
    assert all(t.dtype == torch.bfloat16 for t in stored.values())
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["torch_dtype"] == "bfloat16" and config["tie_word_embeddings"] is tied
    assert json.loads((tmp_path / "generation_config.json").read_text())["eos_token_id"] == 2
    loaded = load_model_dir(tmp_path)
    for name, p in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], p.to(torch.bfloat16).float()), name
    if tied:
        assert loaded.lm_head.weight is loaded.model.embed_tokens.weight


def test_float32_directory_reloads_bit_exact(tmp_path: Path) -> None:
    torch.manual_seed(5)
    model = LlamaForCausalLM(tiny_config())
    save_model_dir(model, tmp_path)
    loaded = load_model_dir(tmp_path)
    assert all(same_bits(loaded.state_dict()[k], v) for k, v in model.state_dict().items())


def test_missing_or_misshaped_weights_are_a_bad_checkpoint(tmp_path: Path) -> None:
    model = LlamaForCausalLM(tiny_config())
    state = {k: v for k, v in model.state_dict().items() if k != "model.norm.weight"}
    save_file(state, tmp_path / "model.safetensors")
    with pytest.raises(TrainerError) as missing:
        load_weights(model, tmp_path)
    assert missing.value.reason is Reason.BAD_CHECKPOINT and "model.norm.weight" in missing.value.message
    state = dict(model.state_dict())
    state["model.norm.weight"] = torch.ones(65)
    save_file(state, tmp_path / "model.safetensors")
    with pytest.raises(TrainerError) as shape:
        load_weights(model, tmp_path)
    assert shape.value.reason is Reason.BAD_CHECKPOINT
