"""Training data: tokenize shards read with ``numpy.memmap``, mixed by language weights from a round manifest.

A shard (written by services/tokenize; see its SHARD-FORMAT.md) is four files named after the shard id:

* ``<id>.tokens``: little-endian uint32 token ids, documents back to back, each ending with EOS, no padding;
* ``<id>.index``: little-endian int64, the exclusive end offset (in tokens) of each document;
* ``<id>.docs.jsonl``: one JSON object per document, in order (``doc_id``, ``lang``, ``token_start``,
  ``token_count``, ...);
* ``<id>.json``: the manifest (``format: mmed-shard``, ``format_version: 1``, ``tokenizer_name``,
  ``tokenizer_sha256``, ``tokenizer_path``, ``eos_id``, ``dtype``, ``index_dtype``, ``seq_len``, ``token_count``,
  ``document_count``, ``tokens_file``, ``index_file``, ``docs_file``, their ``*_sha256``, ...).

The round's token stream is cut into windows of ``seq_len + 1`` tokens starting at multiples of ``seq_len`` in each
shard (inputs are the first ``seq_len`` tokens, labels the last ``seq_len``), so consecutive windows overlap by the one
token that is the previous window's last label. A shard's last window may be short: it is filled with EOS and those
positions never count in the loss. Each window has a language, the one most of its tokens belong to; a window's
language is drawn by the manifest's weights, then a window of that language, without replacement until all of the
language's windows were used (then the next epoch of that language, freshly shuffled). Everything is a function of
the seed and the number of windows drawn, so the data position is two small numbers per language.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote, urlparse

import numpy as np
import torch

from .errors import Reason, TrainerError

ROUND_MANIFEST_VERSION = 1
SHARD_FORMAT = "mmed-shard"
SHARD_FORMAT_VERSION = 1
_TOKEN_DTYPES = {"uint32": np.dtype("<u4")}
_LANG_CHUNK = 8192


# ---- the round manifest ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoundManifest:
    """What to train on in one round. See README.md, "Round manifest"."""

    path: Path
    sha256: str
    round_id: Optional[str]
    shards: Tuple[Path, ...]
    seq_len: Optional[int]
    language_weights: Optional[Dict[str, float]]
    steps: Optional[int]
    token_budget: Optional[int]
    seed: int


def _bad_manifest(path: Path, message: str) -> TrainerError:
    return TrainerError(Reason.BAD_MANIFEST, f"{path}: {message}")


def _positive_int(raw: dict, key: str, path: Path) -> Optional[int]:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _bad_manifest(path, f"{key} must be a positive integer, got {value!r}")
    return value


def _shard_path(entry: object, base: Path, path: Path) -> Path:
    if not isinstance(entry, str) or not entry:
        raise _bad_manifest(path, f"shard entries must be paths or file: URIs, got {entry!r}")
    if entry.startswith("file:"):
        parsed = urlparse(entry)
        if parsed.netloc not in ("", "localhost"):
            raise _bad_manifest(path, f"shard URI {entry!r} names a remote host")
        return Path(unquote(parsed.path))
    if "://" in entry:
        raise _bad_manifest(path, f"shard URI {entry!r}: only local paths and file: URIs are supported")
    p = Path(entry)
    return p if p.is_absolute() else base / p


def load_round_manifest(path: Path) -> RoundManifest:
    path = Path(path)
    try:
        blob = path.read_bytes()
    except FileNotFoundError as exc:
        raise _bad_manifest(path, "no such file") from exc
    try:
        raw = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad_manifest(path, f"not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise _bad_manifest(path, "must be a JSON object")
    version = raw.get("version", ROUND_MANIFEST_VERSION)
    if version != ROUND_MANIFEST_VERSION:
        raise _bad_manifest(path, f"version {version!r} is not supported (this trainer reads {ROUND_MANIFEST_VERSION})")
    entries = raw.get("shards")
    if not isinstance(entries, list) or not entries:
        raise _bad_manifest(path, "'shards' must be a non-empty list")
    shards = tuple(_shard_path(e, path.parent, path) for e in entries)
    if len(set(shards)) != len(shards):
        raise _bad_manifest(path, "a shard is listed twice")
    steps = _positive_int(raw, "steps", path)
    budget = _positive_int(raw, "token_budget", path)
    if (steps is None) == (budget is None):
        raise _bad_manifest(path, "exactly one of 'steps' and 'token_budget' must be given")
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise _bad_manifest(path, f"seed must be a non-negative integer, got {seed!r}")
    weights = raw.get("language_weights")
    if weights is not None:
        if not isinstance(weights, dict) or not weights:
            raise _bad_manifest(path, "language_weights must be a non-empty object")
        for lang, w in weights.items():
            if not isinstance(w, (int, float)) or isinstance(w, bool) or not math.isfinite(w) or w < 0:
                raise _bad_manifest(path, f"weight of {lang!r} must be a finite number >= 0, got {w!r}")
        if sum(weights.values()) <= 0:
            raise _bad_manifest(path, "language_weights sum to zero")
        weights = {str(k): float(v) for k, v in weights.items()}
    round_id = raw.get("round_id")
    if round_id is not None and not isinstance(round_id, str):
        raise _bad_manifest(path, "round_id must be a string")
    return RoundManifest(path=path, sha256=hashlib.sha256(blob).hexdigest(), round_id=round_id, shards=shards,
                         seq_len=_positive_int(raw, "seq_len", path), language_weights=weights, steps=steps,
                         token_budget=budget, seed=seed)


# ---- shards ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShardInfo:
    """A shard manifest, validated."""

    manifest_path: Path
    shard_id: str
    tokenizer_name: str
    tokenizer_sha256: str
    eos_id: int
    seq_len: int
    token_count: int
    document_count: int
    dtype: np.dtype
    tokens_path: Path
    index_path: Path
    docs_path: Path
    #: SHA-256 per data file, where the manifest gives them (checked only with ``verify_checksums``).
    checksums: Dict[str, str]
    #: The directory holding the shard's tokenizer.json (storage dir / ``tokenizer_path``), when named.
    tokenizer_dir: Optional[Path]


def _bad_data(path: Path, message: str) -> TrainerError:
    return TrainerError(Reason.BAD_DATA, f"{path}: {message}")


def read_shard_manifest(path: Path) -> ShardInfo:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _bad_data(path, "shard manifest not found") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad_data(path, f"shard manifest is not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise _bad_data(path, "shard manifest is not a JSON object")

    def text(key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str):
            raise _bad_data(path, f"shard manifest field {key!r} missing or not a string")
        return value

    def integer(key: str) -> int:
        value = raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad_data(path, f"shard manifest field {key!r} missing or not an integer")
        return value

    if raw.get("format") != SHARD_FORMAT or raw.get("format_version") != SHARD_FORMAT_VERSION:
        raise _bad_data(path, f"not a {SHARD_FORMAT} v{SHARD_FORMAT_VERSION} manifest (format {raw.get('format')!r} "
                              f"v{raw.get('format_version')!r})")
    dtype_name = text("dtype")
    if dtype_name not in _TOKEN_DTYPES:
        raise _bad_data(path, f"token dtype {dtype_name!r} is not supported ({sorted(_TOKEN_DTYPES)})")
    if raw.get("index_dtype", "int64") != "int64":
        raise _bad_data(path, f"index dtype {raw.get('index_dtype')!r} is not supported (int64)")
    shard_id = text("shard_id")

    def sibling(key: str, suffix: str) -> Path:
        name = raw.get(key) or f"{shard_id}{suffix}"
        if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
            raise _bad_data(path, f"{key} {name!r} is not a file name beside the manifest")
        return path.parent / name

    tokenizer_path = raw.get("tokenizer_path")
    checksums = {key: str(raw[f"{key}_sha256"]) for key in ("tokens", "index", "docs") if raw.get(f"{key}_sha256")}
    info = ShardInfo(manifest_path=path, shard_id=shard_id, tokenizer_name=text("tokenizer_name"),
                     tokenizer_sha256=text("tokenizer_sha256"), eos_id=integer("eos_id"), seq_len=integer("seq_len"),
                     token_count=integer("token_count"), document_count=integer("document_count"),
                     dtype=_TOKEN_DTYPES[dtype_name],
                     tokens_path=sibling("tokens_file", ".tokens"), index_path=sibling("index_file", ".index"),
                     docs_path=sibling("docs_file", ".docs.jsonl"), checksums=checksums,
                     tokenizer_dir=(path.parent / tokenizer_path).parent if isinstance(tokenizer_path, str) else None)
    if info.token_count <= 0 or info.document_count <= 0 or info.seq_len <= 0 or info.eos_id < 0:
        raise _bad_data(path, "token_count, document_count and seq_len must be positive, eos_id non-negative")
    return info


class Shard:
    """One shard's files, memory-mapped and checked against its manifest."""

    def __init__(self, info: ShardInfo, verify_checksums: bool = False) -> None:
        self.info = info
        tokens_path, index_path, docs_path = info.tokens_path, info.index_path, info.docs_path
        sizes = ((tokens_path, info.token_count * info.dtype.itemsize), (index_path, info.document_count * 8))
        for p, expected in sizes:
            if not p.is_file():
                raise _bad_data(p, "missing")
            if p.stat().st_size != expected:
                raise _bad_data(p, f"has {p.stat().st_size} bytes, the manifest implies {expected}")
        self.tokens = np.memmap(tokens_path, dtype=info.dtype, mode="r", shape=(info.token_count,))
        self.ends = np.fromfile(index_path, dtype="<i8").astype(np.int64)
        if self.ends[0] <= 0 or np.any(np.diff(self.ends) <= 0) or self.ends[-1] != info.token_count:
            raise _bad_data(index_path, "document ends must increase strictly and end at token_count")
        if np.any(self.tokens[self.ends - 1] != info.eos_id):
            raise _bad_data(tokens_path, f"a document does not end with EOS ({info.eos_id})")
        if verify_checksums:
            for key, p in (("tokens", tokens_path), ("index", index_path), ("docs", docs_path)):
                if key in info.checksums and sha256_file(p) != info.checksums[key]:
                    raise _bad_data(p, "SHA-256 differs from the manifest's")
        self.langs: List[str] = []
        try:
            with open(docs_path, encoding="utf-8") as f:
                for line_no, line in enumerate(f, start=1):
                    if not line.strip():
                        continue
                    doc = json.loads(line)
                    lang = doc.get("lang") if isinstance(doc, dict) else None
                    if not isinstance(lang, str) or not lang:
                        raise _bad_data(docs_path, f"line {line_no} has no 'lang'")
                    i = len(self.langs)
                    start, count = doc.get("token_start"), doc.get("token_count")
                    if i < len(self.ends) and start is not None and count is not None \
                            and (start + count != self.ends[i] or (i > 0 and start != self.ends[i - 1])):
                        raise _bad_data(docs_path, f"line {line_no}: token_start/token_count disagree with the index")
                    self.langs.append(lang)
        except FileNotFoundError as exc:
            raise _bad_data(docs_path, "missing") from exc
        except json.JSONDecodeError as exc:
            raise _bad_data(docs_path, f"not JSON lines: {exc}") from exc
        if len(self.langs) != info.document_count:
            raise _bad_data(docs_path, f"{len(self.langs)} documents, the manifest says {info.document_count}")

    def max_token(self) -> int:
        step = 1 << 24
        return int(max(int(self.tokens[i:i + step].max()) for i in range(0, len(self.tokens), step)))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _language_counts(ends: np.ndarray, doc_lang: np.ndarray, n_langs: int, positions: np.ndarray) -> np.ndarray:
    """[len(positions), n_langs]: tokens of each language before each position."""
    lengths = np.diff(ends, prepend=0)
    starts = ends - lengths
    per_doc = np.zeros((len(ends), n_langs), dtype=np.int64)
    per_doc[np.arange(len(ends)), doc_lang] = lengths
    prefix = np.concatenate((np.zeros((1, n_langs), dtype=np.int64), np.cumsum(per_doc, axis=0)))
    doc = np.searchsorted(ends, positions, side="right")  # the document holding each position
    counts = prefix[doc].copy()
    inside = doc < len(ends)
    rows = np.nonzero(inside)[0]
    counts[rows, doc_lang[doc[rows]]] += positions[rows] - starts[doc[rows]]
    return counts


@dataclass
class Batch:
    """Windows ready for the model. All tensors are [n, seq_len]."""

    input_ids: torch.Tensor
    labels: torch.Tensor
    #: True where ``labels`` is a real next token (not filler, and not across documents when masking).
    loss_mask: torch.Tensor
    #: Per-token document ordinal within the window (filler positions get their own).
    doc_ids: torch.Tensor

    def __len__(self) -> int:
        return int(self.input_ids.shape[0])

    def slice(self, start: int, end: int) -> "Batch":
        return Batch(self.input_ids[start:end], self.labels[start:end], self.loss_mask[start:end],
                     self.doc_ids[start:end])

    def to(self, device: torch.device) -> "Batch":
        non_blocking = device.type == "cuda"
        move = (lambda t: t.pin_memory().to(device, non_blocking=True)) if non_blocking else (lambda t: t.to(device))
        return Batch(move(self.input_ids), move(self.labels), move(self.loss_mask), move(self.doc_ids))


class RoundData:
    """The windows of all shards of a round, with their languages."""

    def __init__(self, manifest: RoundManifest, document_masking: bool, verify_checksums: bool = False) -> None:
        self.manifest = manifest
        self.document_masking = document_masking
        self.shards = [Shard(read_shard_manifest(p), verify_checksums) for p in manifest.shards]
        first = self.shards[0].info
        for shard in self.shards[1:]:
            if shard.info.tokenizer_sha256 != first.tokenizer_sha256:
                raise TrainerError(Reason.BAD_MANIFEST,
                                   f"shards of different tokenizers: {first.shard_id} ({first.tokenizer_sha256[:12]}) "
                                   f"and {shard.info.shard_id} ({shard.info.tokenizer_sha256[:12]})")
            if shard.info.eos_id != first.eos_id:
                raise TrainerError(Reason.BAD_MANIFEST, "shards disagree on eos_id")
        self.tokenizer_name = first.tokenizer_name
        self.tokenizer_sha256 = first.tokenizer_sha256
        self.eos_id = first.eos_id
        #: The tokenizer the shards were made with, as tokenize published it beside them (None if not there).
        self.tokenizer_dir = next((s.info.tokenizer_dir for s in self.shards
                                   if s.info.tokenizer_dir is not None and s.info.tokenizer_dir.is_dir()), None)
        if manifest.seq_len is not None:
            self.seq_len = manifest.seq_len
        else:
            lens = {s.info.seq_len for s in self.shards}
            if len(lens) != 1:
                raise TrainerError(Reason.BAD_MANIFEST, f"shards have seq_len {sorted(lens)}; give 'seq_len'")
            self.seq_len = lens.pop()
        self.vocab_size: Optional[int] = None
        self.languages: List[str] = sorted({lang for s in self.shards for lang in s.langs})
        lang_index = {lang: i for i, lang in enumerate(self.languages)}
        t = self.seq_len
        shard_of, start_of, counts = [], [], []
        for si, shard in enumerate(self.shards):
            n = shard.info.token_count
            starts = np.arange(0, n, t, dtype=np.int64)
            starts = starts[n - starts >= 2]  # a window needs at least one label
            doc_lang = np.array([lang_index[lang] for lang in shard.langs], dtype=np.int64)
            before = _language_counts(shard.ends, doc_lang, len(self.languages), starts)
            after = _language_counts(shard.ends, doc_lang, len(self.languages), np.minimum(starts + t, n))
            shard_of.append(np.full(len(starts), si, dtype=np.int32))
            start_of.append(starts)
            counts.append(after - before)
        self.window_shard = np.concatenate(shard_of)
        self.window_start = np.concatenate(start_of)
        #: [windows, languages]: real input tokens of each language in each window.
        self.window_lang_tokens = np.concatenate(counts)
        self.window_lang = np.argmax(self.window_lang_tokens, axis=1)

    def __len__(self) -> int:
        return len(self.window_start)

    def tokens_per_language(self) -> Dict[str, int]:
        totals = self.window_lang_tokens.sum(axis=0)
        return {lang: int(n) for lang, n in zip(self.languages, totals)}

    def check_vocab(self, vocab_size: int, full_scan: bool) -> None:
        """Token ids must index the model's embedding: checked in every batch; ``full_scan`` reads all data now."""
        self.vocab_size = vocab_size
        if self.eos_id >= vocab_size:
            raise TrainerError(Reason.BAD_DATA, f"eos_id {self.eos_id} is outside the model's vocab_size {vocab_size}")
        if not full_scan:
            return
        for shard in self.shards:
            top = shard.max_token()
            if top >= vocab_size:
                raise TrainerError(Reason.BAD_DATA, f"shard {shard.info.shard_id} has token id {top}, the model's "
                                                    f"vocab_size is {vocab_size}")

    def batch(self, windows: Sequence[int]) -> Batch:
        t = self.seq_len
        n = len(windows)
        tokens = np.full((n, t + 1), self.eos_id, dtype=np.int64)
        docs = np.empty((n, t + 1), dtype=np.int64)
        real = np.empty(n, dtype=np.int64)
        for row, w in enumerate(windows):
            shard = self.shards[self.window_shard[w]]
            a = int(self.window_start[w])
            b = min(a + t + 1, shard.info.token_count)
            tokens[row, :b - a] = shard.tokens[a:b]
            doc = np.searchsorted(shard.ends, np.arange(a, b), side="right")
            docs[row, :b - a] = doc - doc[0]
            docs[row, b - a:] = docs[row, b - a - 1] + 1  # filler: a document of its own, after the real ones
            real[row] = b - a
        if self.vocab_size is not None and tokens.max() >= self.vocab_size:
            row = int(np.argmax(tokens.max(axis=1)))
            shard = self.shards[self.window_shard[windows[row]]]
            raise TrainerError(Reason.BAD_DATA, f"shard {shard.info.shard_id} has token id {int(tokens[row].max())} "
                                                f"near token {int(self.window_start[windows[row]])}; the model's "
                                                f"vocab_size is {self.vocab_size}")
        positions = np.arange(t)
        valid = positions[None, :] + 1 < real[:, None]
        if self.document_masking:
            valid &= docs[:, :-1] == docs[:, 1:]
        return Batch(input_ids=torch.from_numpy(tokens[:, :-1].copy()), labels=torch.from_numpy(tokens[:, 1:].copy()),
                     loss_mask=torch.from_numpy(valid), doc_ids=torch.from_numpy(docs[:, :-1].copy()))


class LanguageSampler:
    """Draws windows: a language by weight, then the next window of that language's shuffled epoch.

    The draw sequence is fixed by the seed; the state is the number of draws and the draws per language.
    """

    def __init__(self, window_lang: np.ndarray, languages: Sequence[str], weights: Optional[Dict[str, float]],
                 seed: int) -> None:
        self.languages = list(languages)
        self.seed = seed
        self.windows_of = [np.nonzero(window_lang == i)[0] for i in range(len(self.languages))]
        if weights is None:
            p = np.array([len(w) for w in self.windows_of], dtype=np.float64)
        else:
            unknown = sorted(lang for lang in weights if weights[lang] > 0 and lang not in self.languages)
            empty = sorted(lang for lang in weights
                           if weights[lang] > 0 and lang in self.languages
                           and len(self.windows_of[self.languages.index(lang)]) == 0)
            if unknown or empty:
                raise TrainerError(Reason.BAD_MANIFEST, f"language_weights name languages with no windows in the "
                                                        f"round's shards: {unknown + empty}")
            p = np.array([weights.get(lang, 0.0) for lang in self.languages], dtype=np.float64)
        if p.sum() <= 0:
            raise TrainerError(Reason.BAD_MANIFEST, "no window has a language with a positive weight")
        self.probabilities = p / p.sum()
        self._cdf = np.cumsum(self.probabilities)
        self.position = 0
        self.consumed = [0] * len(self.languages)
        self._chunk: Tuple[int, Optional[np.ndarray]] = (-1, None)
        self._perm: Dict[int, Tuple[int, np.ndarray]] = {}

    def _language_at(self, i: int) -> int:
        chunk = i // _LANG_CHUNK
        if self._chunk[0] != chunk:
            u = np.random.default_rng([self.seed, 0, chunk]).random(_LANG_CHUNK)
            lang = np.searchsorted(self._cdf, u * self._cdf[-1], side="right")
            self._chunk = (chunk, np.minimum(lang, len(self.languages) - 1))
        drawn = self._chunk[1]
        assert drawn is not None
        return int(drawn[i % _LANG_CHUNK])

    def _window(self, lang: int, k: int) -> int:
        windows = self.windows_of[lang]
        epoch, offset = divmod(k, len(windows))
        cached = self._perm.get(lang)
        if cached is None or cached[0] != epoch:
            cached = (epoch, np.random.default_rng([self.seed, 1, lang, epoch]).permutation(len(windows)))
            self._perm[lang] = cached
        return int(windows[cached[1][offset]])

    def take(self, n: int) -> List[int]:
        out = []
        for _ in range(n):
            lang = self._language_at(self.position)
            out.append(self._window(lang, self.consumed[lang]))
            self.consumed[lang] += 1
            self.position += 1
        return out

    def state_dict(self) -> Dict[str, Any]:
        return {"position": self.position, "consumed": dict(zip(self.languages, self.consumed))}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        consumed = state["consumed"]
        if not isinstance(consumed, dict) or sorted(consumed) != sorted(self.languages):
            raise TrainerError(Reason.BAD_CHECKPOINT, "the checkpoint's data position names other languages")
        self.position = int(state["position"])
        self.consumed = [int(consumed[lang]) for lang in self.languages]
