"""The GPU benchmark script runs end to end in its CPU smoke mode (the GPU figures need a GPU machine)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

TRAINER_DIR = Path(__file__).resolve().parents[1]


def test_bench_smoke_on_cpu_reports_tokens_per_second_and_mfu(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "-m", "mmed_trainer.bench_gpu", "--tiny", "--device", "cpu",
                             "--json", str(out), "--peak-flops", "1e9"], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PYTHONPATH=str(TRAINER_DIR)))
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text())
    ours = [r for r in results if r["impl"] == "ours"]
    assert len(ours) == 1 and ours[0]["tokens_per_s"] > 0
    r = ours[0]
    # tiny config: 2 layers, d=64, vocab 256, seq 64; MFU = tokens/s x (6N + 12 L d s) / peak
    assert r["parameters"] == 2 * (64 * 64 * 2 + 64 * 32 * 2 + 3 * 64 * 128 + 2 * 64) + 2 * 256 * 64 + 64
    expected = r["tokens_per_s"] * (6 * r["parameters"] + 12 * 2 * 64 * 64) / 1e9
    assert abs(r["mfu"] - expected) < 1e-3
    if importlib.util.find_spec("transformers") is None:
        assert "transformers is not installed" in result.stdout
    else:
        assert "ratio ours/HF (eager)" in result.stdout and "parity" in result.stdout


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is visible")
def test_bench_refuses_to_time_without_a_gpu_when_asked_for_one() -> None:
    result = subprocess.run([sys.executable, "-m", "mmed_trainer.bench_gpu", "--device", "cuda"], capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, PYTHONPATH=str(TRAINER_DIR)))
    assert result.returncode == 2 and "no GPU visible" in result.stderr
