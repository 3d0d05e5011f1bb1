"""Shared helpers: real shard files on disk in the tokenize format, round manifests and tiny configs."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmed_trainer.config import LlamaConfig  # noqa: E402

EOS = 2
TOKENIZER_JSON = b'{"version": "1.0", "model": {"type": "BPE", "vocab": {}}}\n'
TOKENIZER_SHA = hashlib.sha256(TOKENIZER_JSON).hexdigest()

torch.set_num_threads(os.cpu_count() or 1)


def write_shard(directory: Path, shard_id: str, docs: Sequence[Tuple[str, Sequence[int]]], seq_len: int = 16,
                eos: int = EOS, tokenizer_sha256: str = TOKENIZER_SHA) -> Path:
    """Write ``<id>.tokens/.index/.docs.jsonl/.json``; each document gets EOS appended. Returns the manifest path."""
    directory.mkdir(parents=True, exist_ok=True)
    tokens: List[int] = []
    ends: List[int] = []
    lines = []
    per_lang: Dict[str, int] = {}
    for i, (lang, body) in enumerate(docs):
        start = len(tokens)
        tokens.extend(list(body) + [eos])
        ends.append(len(tokens))
        lines.append(json.dumps({"doc_id": f"{shard_id}-d{i}", "lang": lang, "token_start": start,
                                 "token_count": len(tokens) - start}))
        per_lang[lang] = per_lang.get(lang, 0) + len(tokens) - start
    np.asarray(tokens, dtype="<u4").tofile(directory / f"{shard_id}.tokens")
    np.asarray(ends, dtype="<i8").tofile(directory / f"{shard_id}.index")
    (directory / f"{shard_id}.docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = {key: f"{shard_id}{suffix}" for key, suffix in (("tokens", ".tokens"), ("index", ".index"),
                                                            ("docs", ".docs.jsonl"))}
    manifest = {"format": "mmed-shard", "format_version": 1, "shard_id": shard_id, "tokenizer_name": "test-bpe",
                "tokenizer_sha256": tokenizer_sha256, "tokenizer_path": f"tokenizers/{tokenizer_sha256}/tokenizer.json",
                "eos_id": eos, "dtype": "uint32", "index_dtype": "int64", "seq_len": seq_len,
                "token_count": len(tokens), "document_count": len(docs), "sequence_count": -(-len(tokens) // seq_len),
                "tokens_per_lang": per_lang, "docs_per_lang": {},
                **{f"{key}_file": name for key, name in files.items()},
                **{f"{key}_sha256": hashlib.sha256((directory / name).read_bytes()).hexdigest()
                   for key, name in files.items()}}
    path = directory / f"{shard_id}.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


def write_round(path: Path, shards: Sequence[Path], steps: Optional[int] = None, token_budget: Optional[int] = None,
                seq_len: Optional[int] = 16, weights: Optional[Dict[str, float]] = None, seed: int = 7) -> Path:
    raw: Dict[str, object] = {"version": 1, "round_id": "test-round", "shards": [str(s) for s in shards],
                              "seed": seed}
    if seq_len is not None:
        raw["seq_len"] = seq_len
    if steps is not None:
        raw["steps"] = steps
    if token_budget is not None:
        raw["token_budget"] = token_budget
    if weights is not None:
        raw["language_weights"] = weights
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def tiny_config(**overrides: object) -> LlamaConfig:
    raw: Dict[str, object] = dict(vocab_size=64, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                                  rms_norm_eps=1e-6, rope_theta=10000.0, bos_token_id=1, eos_token_id=EOS,
                                  tie_word_embeddings=False)
    raw.update(overrides)
    return LlamaConfig.from_dict(raw)


def repetitive_docs(n_docs: int, rng: np.random.Generator, langs: Sequence[str] = ("en", "fr")
                    ) -> List[Tuple[str, List[int]]]:
    """Documents that repeat a short per-language motif: easy to learn, so the loss must fall fast."""
    motifs = {"en": [10, 11, 12, 13, 14, 15, 16, 17], "fr": [30, 31, 32, 33, 34, 35], "zh": [50, 51, 52, 53]}
    docs = []
    for i in range(n_docs):
        lang = langs[i % len(langs)]
        motif = motifs[lang]
        length = int(rng.integers(20, 60))
        docs.append((lang, [motif[j % len(motif)] for j in range(length)]))
    return docs


def publish_tokenizer(storage: Path) -> Path:
    """What tokenize does: the tokenizer that made the shards, at <storage>/tokenizers/<sha256>/."""
    d = storage / "tokenizers" / TOKENIZER_SHA
    d.mkdir(parents=True)
    (d / "tokenizer.json").write_bytes(TOKENIZER_JSON)
    (d / "tokenizer_config.json").write_text('{"eos_token": "</s>"}\n', encoding="utf-8")
    return d
