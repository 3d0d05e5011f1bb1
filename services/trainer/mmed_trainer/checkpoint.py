"""Hugging Face model directories (config.json, safetensors, generation config, tokenizer) in and out of our model.

A directory written here loads with ``LlamaForCausalLM.from_pretrained`` (and vLLM); a Hugging Face Llama checkpoint,
sharded or not, in any stored float dtype, loads into :class:`~mmed_trainer.model.LlamaForCausalLM`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List, Optional

import torch

from .config import LlamaConfig
from .errors import Reason, TrainerError
from .model import LlamaForCausalLM
from .safetensors_io import (DEFAULT_MAX_SHARD_BYTES, SafetensorsError, iter_checkpoint, save_sharded)

CONFIG_NAME = "config.json"
GENERATION_CONFIG_NAME = "generation_config.json"
#: Files of a Hugging Face tokenizer directory that travel with a checkpoint.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model",
                   "added_tokens.json", "vocab.json", "merges.txt")
#: Keys older transformers versions stored that are derived, not learned.
_IGNORED_KEYS = (".rotary_emb.inv_freq",)
_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def torch_dtype(name: str) -> torch.dtype:
    try:
        return _DTYPES[name]
    except KeyError as exc:
        raise TrainerError(Reason.BAD_CONFIG, f"unsupported dtype {name!r} (use one of {sorted(_DTYPES)})") from exc


def exportable_state(model: LlamaForCausalLM, state: Optional[Dict[str, torch.Tensor]] = None
                     ) -> Dict[str, torch.Tensor]:
    """The state dict as transformers stores it: a tied ``lm_head.weight`` is left out, buffers are not included."""
    state = dict(state if state is not None else model.state_dict())
    if model.config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
    return state


def save_model_dir(model: LlamaForCausalLM, directory: Path, dtype: str = "float32",
                   state: Optional[Dict[str, torch.Tensor]] = None,
                   max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES) -> List[str]:
    """Write config.json, generation_config.json and the weights (cast to ``dtype``) into ``directory``.

    ``state`` replaces ``model.state_dict()`` when the weights were gathered elsewhere (FSDP).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = torch_dtype(dtype)
    tensors = {name: t.detach().to("cpu", target) if t.is_floating_point() else t.detach().cpu()
               for name, t in exportable_state(model, state).items()}
    files = save_sharded(tensors, directory, max_shard_bytes, metadata={"format": "pt"})
    config = LlamaConfig.from_dict(model.config.to_dict())
    config.torch_dtype = dtype
    config.save(directory / CONFIG_NAME)
    generation = {"_from_model_config": True}
    for key in ("bos_token_id", "eos_token_id", "pad_token_id"):
        value = getattr(config, key)
        if value is not None:
            generation[key] = value
    (directory / GENERATION_CONFIG_NAME).write_text(json.dumps(generation, indent=2) + "\n", encoding="utf-8")
    return files + [CONFIG_NAME, GENERATION_CONFIG_NAME]


def copy_tokenizer(source: Path, directory: Path) -> List[str]:
    """Copy the tokenizer files present in ``source`` into ``directory``."""
    copied = []
    for name in TOKENIZER_FILES:
        path = Path(source) / name
        if path.is_file():
            shutil.copyfile(path, Path(directory) / name)
            copied.append(name)
    if not copied:
        raise TrainerError(Reason.BAD_CONFIG, f"{source} holds no tokenizer files ({', '.join(TOKENIZER_FILES)})")
    return copied


def load_weights(model: LlamaForCausalLM, directory: Path) -> None:
    """Copy a (possibly sharded) safetensors checkpoint into ``model``, converting dtypes; every weight must be there.

    Raises BAD_CHECKPOINT on a missing, unexpected or mis-shaped tensor.
    """
    expected = exportable_state(model)
    params: Dict[str, torch.Tensor] = dict(model.named_parameters())
    params.update(model.named_buffers())
    loaded = set()
    try:
        for name, tensor in iter_checkpoint(directory):
            if name.endswith(_IGNORED_KEYS):
                continue
            if name == "lm_head.weight" and model.config.tie_word_embeddings:
                continue  # transformers ignores it too: the embedding is the head
            if name not in expected:
                raise TrainerError(Reason.BAD_CHECKPOINT, f"{directory}: unexpected tensor {name!r}")
            target = params[name]
            if tuple(tensor.shape) != tuple(target.shape):
                raise TrainerError(Reason.BAD_CHECKPOINT,
                                   f"{directory}: {name} has shape {tuple(tensor.shape)}, model expects "
                                   f"{tuple(target.shape)}")
            with torch.no_grad():
                target.copy_(tensor.to(target.dtype))
            loaded.add(name)
    except SafetensorsError as exc:
        raise TrainerError(Reason.BAD_CHECKPOINT, str(exc)) from exc
    missing = sorted(set(expected) - loaded)
    if missing:
        raise TrainerError(Reason.BAD_CHECKPOINT, f"{directory}: missing tensors {missing[:5]}"
                                                  f"{' ...' if len(missing) > 5 else ''}")


def load_model_dir(directory: Path, device: str = "cpu") -> LlamaForCausalLM:
    """Build a float32 model from a Hugging Face Llama directory (config.json + safetensors)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise TrainerError(Reason.BAD_CHECKPOINT, f"{directory} is not a directory")
    try:
        config = LlamaConfig.load(directory / CONFIG_NAME)
    except TrainerError as exc:
        raise TrainerError(Reason.BAD_CHECKPOINT, exc.message) from exc
    config.torch_dtype = "float32"
    model = LlamaForCausalLM(config, device=torch.device("meta"))
    model = model.to_empty(device=device)
    model.tie_weights()
    model.reset_buffers()
    load_weights(model, directory)
    return model
