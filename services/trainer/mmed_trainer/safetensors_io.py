"""Reading and writing safetensors files, single or sharded, without the ``safetensors`` package.

File layout: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a multiple
of 8), then the tensors' raw little-endian bytes back to back. The header maps each tensor name to
``{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}`` (offsets relative to the end of the header) and may
hold ``"__metadata__"``: a string-to-string map (transformers expects ``{"format": "pt"}``).

A sharded checkpoint is ``model-00001-of-0000K.safetensors``... plus ``model.safetensors.index.json``:
``{"metadata": {"total_size": bytes}, "weight_map": {tensor name: file name}}``, as transformers writes it.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Tuple

import numpy as np
import torch

INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"
#: transformers' default shard size.
DEFAULT_MAX_SHARD_BYTES = 5 * 1000**3
_MAX_HEADER_BYTES = 100 * 1024 * 1024

_DTYPES: Dict[str, torch.dtype] = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}
# Newer PyTorch versions have these; 1.13 does not.
for _code, _attr in (("U16", "uint16"), ("U32", "uint32"), ("U64", "uint64"),
                     ("F8_E4M3", "float8_e4m3fn"), ("F8_E5M2", "float8_e5m2")):
    if hasattr(torch, _attr):
        _DTYPES[_code] = getattr(torch, _attr)
_CODES = {dtype: code for code, dtype in _DTYPES.items()}
#: Raw bytes move through a NumPy integer view of the same element size (NumPy has no bfloat16 or float8).
_RAW_BY_SIZE = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


class SafetensorsError(ValueError):
    """A file or index that is not valid safetensors, or a tensor that cannot be stored."""


def _require_little_endian() -> None:
    if sys.byteorder != "little":  # raw views below assume the file's byte order is the machine's
        raise SafetensorsError("safetensors I/O here supports little-endian machines only")


def _raw_numpy(t: torch.Tensor) -> np.ndarray:
    """A flat uint8 NumPy view of a contiguous CPU tensor's bytes."""
    raw = t.reshape(-1)
    if t.dtype not in (torch.uint8,):
        raw = raw.view(_RAW_BY_SIZE[t.element_size()])
    return raw.numpy().view(np.uint8)


def dtype_code(dtype: torch.dtype) -> str:
    try:
        return _CODES[dtype]
    except KeyError as exc:
        raise SafetensorsError(f"dtype {dtype} cannot be stored in safetensors") from exc


def save_file(tensors: Mapping[str, torch.Tensor], path: Path, metadata: Optional[Mapping[str, str]] = None) -> int:
    """Write ``tensors`` to ``path`` (fsynced); returns the number of tensor bytes written."""
    _require_little_endian()
    header: Dict[str, object] = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsError("__metadata__ must map strings to strings")
        header["__metadata__"] = dict(metadata)
    prepared: List[torch.Tensor] = []
    offset = 0
    for name, tensor in tensors.items():
        if name == "__metadata__":
            raise SafetensorsError("'__metadata__' is not a valid tensor name")
        t = tensor.detach().to("cpu").contiguous()
        size = t.numel() * t.element_size()
        header[name] = {"dtype": dtype_code(t.dtype), "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        prepared.append(t)
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for t in prepared:
            if t.numel():
                f.write(memoryview(_raw_numpy(t)))
        f.flush()
        os.fsync(f.fileno())
    return offset


def read_header(path: Path) -> Tuple[Dict[str, dict], Dict[str, str], int]:
    """(tensor entries, metadata, byte offset where the data starts); validates offsets against the file size."""
    file_size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) != 8:
            raise SafetensorsError(f"{path}: too short for a safetensors header")
        (n,) = struct.unpack("<Q", head)
        if n > _MAX_HEADER_BYTES or 8 + n > file_size:
            raise SafetensorsError(f"{path}: header length {n} is invalid")
        try:
            header = json.loads(f.read(n).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SafetensorsError(f"{path}: header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    data_start = 8 + n
    data_size = file_size - data_start
    spans = []
    for name, entry in header.items():
        try:
            dtype = _DTYPES[entry["dtype"]]
            shape = [int(s) for s in entry["shape"]]
            begin, end = (int(o) for o in entry["data_offsets"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SafetensorsError(f"{path}: bad entry for {name!r}: {entry!r}") from exc
        numel = 1
        for s in shape:
            if s < 0:
                raise SafetensorsError(f"{path}: negative dimension in {name!r}")
            numel *= s
        itemsize = torch.empty((), dtype=dtype).element_size()
        if end - begin != numel * itemsize or begin < 0 or end > data_size:
            raise SafetensorsError(f"{path}: data_offsets of {name!r} do not match its dtype and shape")
        spans.append((begin, end, name))
    spans.sort()
    position = 0
    for begin, end, name in spans:  # the format requires the buffer to be covered without holes or overlaps
        if begin != position:
            raise SafetensorsError(f"{path}: tensor {name!r} does not start where the previous one ends")
        position = end
    return header, metadata, data_start


def iter_file(path: Path, names: Optional[set] = None) -> Iterator[Tuple[str, torch.Tensor]]:
    """Yield (name, CPU tensor) in file order, reading one tensor at a time (memory stays at one tensor)."""
    _require_little_endian()
    header, _, data_start = read_header(path)
    order = sorted(header.items(), key=lambda item: item[1]["data_offsets"][0])
    with open(path, "rb") as f:
        for name, entry in order:
            if names is not None and name not in names:
                continue
            dtype = _DTYPES[entry["dtype"]]
            t = torch.empty(entry["shape"], dtype=dtype)
            begin, end = entry["data_offsets"]
            if end > begin:
                f.seek(data_start + begin)
                view = memoryview(_raw_numpy(t))
                if f.readinto(view) != end - begin:
                    raise SafetensorsError(f"{path}: truncated data for {name!r}")
            yield name, t


def load_file(path: Path) -> Dict[str, torch.Tensor]:
    return dict(iter_file(path))


def load_metadata(path: Path) -> Dict[str, str]:
    return read_header(path)[1]


# ---- sharded checkpoints --------------------------------------------------------------------------------------------

def save_sharded(tensors: Mapping[str, torch.Tensor], directory: Path,
                 max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
                 metadata: Optional[Mapping[str, str]] = None) -> List[str]:
    """Write ``model.safetensors``, or shards and an index when the tensors exceed ``max_shard_bytes``.

    Tensors keep their order; a shard is closed before a tensor that would push it past the limit (a single tensor
    larger than the limit gets a shard of its own). Returns the file names written.
    """
    directory = Path(directory)
    groups: List[List[str]] = [[]]
    sizes = [0]
    for name, t in tensors.items():
        size = t.numel() * t.element_size()
        if groups[-1] and sizes[-1] + size > max_shard_bytes:
            groups.append([])
            sizes.append(0)
        groups[-1].append(name)
        sizes[-1] += size
    if len(groups) == 1:
        save_file(tensors, directory / SINGLE_NAME, metadata)
        return [SINGLE_NAME]
    files = []
    weight_map: Dict[str, str] = {}
    for i, group in enumerate(groups, start=1):
        file_name = f"model-{i:05d}-of-{len(groups):05d}.safetensors"
        save_file({name: tensors[name] for name in group}, directory / file_name, metadata)
        files.append(file_name)
        weight_map.update({name: file_name for name in group})
    index = {"metadata": {"total_size": sum(sizes)}, "weight_map": dict(sorted(weight_map.items()))}
    (directory / INDEX_NAME).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return files + [INDEX_NAME]


def checkpoint_files(directory: Path) -> Dict[str, List[str]]:
    """File name -> tensor names of a (possibly sharded) checkpoint directory."""
    directory = Path(directory)
    index_path = directory / INDEX_NAME
    if index_path.exists():
        try:
            weight_map = json.loads(index_path.read_text(encoding="utf-8"))["weight_map"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SafetensorsError(f"{index_path}: not a safetensors index: {exc}") from exc
        files: Dict[str, List[str]] = {}
        for name, file_name in weight_map.items():
            if "/" in file_name or file_name.startswith("."):
                raise SafetensorsError(f"{index_path}: shard name {file_name!r} leaves the directory")
            files.setdefault(file_name, []).append(name)
        return files
    single = directory / SINGLE_NAME
    if single.exists():
        return {SINGLE_NAME: list(read_header(single)[0])}
    raise SafetensorsError(f"{directory}: neither {SINGLE_NAME} nor {INDEX_NAME}")


def iter_checkpoint(directory: Path) -> Iterator[Tuple[str, torch.Tensor]]:
    """Yield every tensor of a (possibly sharded) checkpoint, one at a time."""
    for file_name, names in checkpoint_files(directory).items():
        wanted = set(names)
        seen = set()
        for name, tensor in iter_file(Path(directory) / file_name, wanted):
            seen.add(name)
            yield name, tensor
        if seen != wanted:
            raise SafetensorsError(f"{file_name} lacks {sorted(wanted - seen)[:5]} named in the index")


def load_checkpoint(directory: Path) -> Dict[str, torch.Tensor]:
    return dict(iter_checkpoint(directory))
