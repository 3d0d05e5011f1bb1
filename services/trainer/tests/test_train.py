"""Training end to end: the loss falls, resume is exact, failures map to exit codes, the CLI works as a process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
import torch

from conftest import publish_tokenizer, repetitive_docs, tiny_config, write_round, write_shard
from mmed_trainer.checkpoint import load_model_dir
from mmed_trainer.errors import EXIT_OK, EXIT_PERMANENT, EXIT_RETRIABLE, EXIT_USAGE
from mmed_trainer.safetensors_io import load_checkpoint, load_file
from mmed_trainer.train import main

TRAINER_DIR = Path(__file__).resolve().parents[1]


def events(text: str) -> List[Dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def of(kind: str, evs: List[Dict]) -> List[Dict]:
    return [e for e in evs if e["event"] == kind]


@pytest.fixture
def corpus(tmp_path: Path) -> Dict[str, Path]:
    rng = np.random.default_rng(0)
    shards = [write_shard(tmp_path / "shards", "t-p0-o0", repetitive_docs(40, rng, ("en", "fr"))),
              write_shard(tmp_path / "shards", "t-p1-o0", repetitive_docs(30, rng, ("zh",)))]
    config = tmp_path / "config.json"
    tiny_config().save(config)
    return {"shards": shards[0].parent, "config": config, "a": shards[0], "b": shards[1]}


def round_file(tmp_path: Path, corpus: Dict[str, Path], steps: int, name: str = "round.json") -> Path:
    return write_round(tmp_path / name, [corpus["a"], corpus["b"]], steps=steps,
                       weights={"en": 0.4, "fr": 0.3, "zh": 0.3})


def args(manifest: Path, output: Path, *extra: str, config: Path) -> List[str]:
    return ["--manifest", str(manifest), "--config", str(config), "--output", str(output), "--lr", "3e-3",
            "--micro-batch-size", "4", "--threads", "2", *extra]


def test_loss_falls_on_a_repetitive_corpus(tmp_path: Path, corpus: Dict[str, Path], capsys) -> None:
    manifest = round_file(tmp_path, corpus, steps=50)
    code = main(args(manifest, tmp_path / "out", "--micro-batch-size", "8", "--save-every", "0",
                     config=corpus["config"]))
    evs = events(capsys.readouterr().out)
    assert code == EXIT_OK
    losses = [e["loss"] for e in of("step", evs)]
    assert len(losses) == 50
    assert losses[0] > 3.5  # ln(64) = 4.16 for a fresh model
    assert np.mean(losses[-5:]) < 1.0
    done = of("done", evs)[0]
    assert done["first_loss"] == pytest.approx(losses[0], abs=1e-5) and done["final_loss"] < 1.0
    assert sum(done["tokens_per_lang"].values()) == done["tokens_seen"] > 0
    assert set(done["tokens_per_lang"]) == {"en", "fr", "zh"}


def test_resume_after_a_stop_matches_a_straight_run(tmp_path: Path, corpus: Dict[str, Path], capsys) -> None:
    manifest = round_file(tmp_path, corpus, steps=10)
    common = ("--grad-accum", "2", "--save-every", "0", "--warmup-steps", "3")
    assert main(args(manifest, tmp_path / "straight", *common, config=corpus["config"])) == EXIT_OK
    straight = events(capsys.readouterr().out)

    assert main(args(manifest, tmp_path / "split", *common, "--stop-after-steps", "5",
                     config=corpus["config"])) == EXIT_RETRIABLE
    first = events(capsys.readouterr().out)
    assert of("error", first)[0]["reason"] == "interrupted"
    assert (tmp_path / "split" / "checkpoint-00000005").is_dir()
    assert main(args(manifest, tmp_path / "split", *common, "--resume", config=corpus["config"])) == EXIT_OK
    second = events(capsys.readouterr().out)
    assert of("start", second)[0]["step"] == 5

    straight_losses = [(e["step"], e["loss"], e["lr"]) for e in of("step", straight)]
    split_losses = [(e["step"], e["loss"], e["lr"]) for e in of("step", first) + of("step", second)]
    assert split_losses == straight_losses
    a = load_checkpoint(tmp_path / "straight" / "checkpoint-00000010")
    b = load_checkpoint(tmp_path / "split" / "checkpoint-00000010")
    assert set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in a)
    opt_a = torch.load(tmp_path / "straight" / "checkpoint-00000010" / "trainer_state" / "optimizer.pt")
    opt_b = torch.load(tmp_path / "split" / "checkpoint-00000010" / "trainer_state" / "optimizer.pt")
    for i, s in opt_a["state"].items():
        assert all(torch.equal(s[k], opt_b["state"][i][k]) for k in ("exp_avg", "exp_avg_sq"))
    assert of("done", straight)[0]["tokens_per_lang"] == of("done", second)[0]["tokens_per_lang"]


def test_bad_manifest_is_a_permanent_failure(tmp_path: Path, corpus: Dict[str, Path], capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"shards": [str(corpus["a"])]}))  # neither steps nor token_budget
    assert main(args(bad, tmp_path / "out", config=corpus["config"])) == EXIT_PERMANENT
    error = of("error", events(capsys.readouterr().out))[0]
    assert error["reason"] == "bad_manifest" and error["retriable"] is False and error["exit_code"] == 65
    missing = write_round(tmp_path / "missing.json", [tmp_path / "nope.json"], steps=1)
    assert main(args(missing, tmp_path / "out", config=corpus["config"])) == EXIT_PERMANENT
    assert of("error", events(capsys.readouterr().out))[0]["reason"] == "bad_data"
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_64(tmp_path: Path, corpus: Dict[str, Path]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--output", str(tmp_path)])  # no --manifest
    assert exc.value.code == EXIT_USAGE


def test_resume_with_other_settings_or_without_resume_is_refused(tmp_path: Path, corpus: Dict[str, Path],
                                                                 capsys) -> None:
    manifest = round_file(tmp_path, corpus, steps=4)
    assert main(args(manifest, tmp_path / "out", "--stop-after-steps", "2", config=corpus["config"])) == EXIT_RETRIABLE
    code = main(args(manifest, tmp_path / "out", "--resume", "--micro-batch-size", "2", config=corpus["config"]))
    error = of("error", events(capsys.readouterr().out))[-1]
    assert code == EXIT_PERMANENT and "global_batch" in error["message"]
    code = main(args(manifest, tmp_path / "out", config=corpus["config"]))  # would overwrite the round's checkpoints
    error = of("error", events(capsys.readouterr().out))[-1]
    assert code == EXIT_PERMANENT and "--resume" in error["message"]


def test_a_tokenizer_other_than_the_shards_is_refused(tmp_path: Path, corpus: Dict[str, Path], capsys) -> None:
    other = tmp_path / "tok"
    other.mkdir()
    (other / "tokenizer.json").write_text("{}")
    code = main(args(round_file(tmp_path, corpus, 2), tmp_path / "out", "--tokenizer-dir", str(other),
                     config=corpus["config"]))
    assert code == EXIT_PERMANENT and "sha256" in of("error", events(capsys.readouterr().out))[0]["message"]


def run_cli(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(TRAINER_DIR))
    return subprocess.run([sys.executable, "-m", "mmed_trainer", *argv], capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_cli_end_to_end_writes_a_loadable_hugging_face_checkpoint(tmp_path: Path, corpus: Dict[str, Path]) -> None:
    publish_tokenizer(corpus["shards"])  # the checkpoint gets the tokenizer tokenize left beside the shards
    manifest = write_round(tmp_path / "round.json", [corpus["a"], corpus["b"]], token_budget=8 * 16 * 6)
    out = tmp_path / "out"
    result = run_cli(*args(manifest, out, "--verify-checksums", "--save-every", "2",
                           "--grad-accum", "2", "--save-dtype", "bfloat16", "--max-shard-size", "40000",
                           "--no-document-masking",
                           config=corpus["config"]))
    assert result.returncode == 0, result.stderr
    evs = events(result.stdout)
    assert of("start", evs)[0]["total_steps"] == 6  # token budget / (4 x 2 windows of 16 tokens)
    assert [e["step"] for e in of("checkpoint", evs)] == [2, 4, 6]
    step = of("step", evs)[0]
    assert {"step", "loss", "lr", "tokens_per_s", "tokens_seen", "elapsed_s"} <= set(step)
    final = Path(of("done", evs)[0]["checkpoint"])
    assert final == out / "checkpoint-00000006"
    names = {p.name for p in final.iterdir()}
    assert {"config.json", "generation_config.json", "model.safetensors.index.json", "tokenizer.json",
            "tokenizer_config.json", "trainer_state"} <= names
    assert any(n.startswith("model-00001-of-") for n in names)
    assert json.loads((final / "config.json").read_text())["torch_dtype"] == "bfloat16"
    model = load_model_dir(final)
    master = load_file(final / "trainer_state" / "master_weights.safetensors")
    assert set(master) == set(model.state_dict())
    assert all(torch.equal(model.state_dict()[k], v.to(torch.bfloat16).float()) for k, v in master.items())
    assert {p.name for p in out.iterdir()} == {"checkpoint-00000004", "checkpoint-00000006"}  # --keep-checkpoints 2


def test_sigterm_checkpoints_and_resume_continues_exactly(tmp_path: Path, corpus: Dict[str, Path]) -> None:
    manifest = round_file(tmp_path, corpus, steps=1000)
    common = args(manifest, tmp_path / "killed", "--save-every", "0", "--save-dtype", "bfloat16",
                  config=corpus["config"])
    env = dict(os.environ, PYTHONPATH=str(TRAINER_DIR))
    proc = subprocess.Popen([sys.executable, "-m", "mmed_trainer", *common], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if '"event":"step"' in line and json.loads(line)["step"] >= 3:
            proc.send_signal(signal.SIGTERM)
            break
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_RETRIABLE, err
    stopped = of("checkpoint", events(out))[0]["step"]
    assert 3 <= stopped < 1000 and of("error", events(out))[0]["reason"] == "interrupted"

    resumed = run_cli(*common, "--resume", "--stop-after-steps", "4")
    assert resumed.returncode == EXIT_RETRIABLE, resumed.stderr
    assert of("start", events(resumed.stdout))[0]["step"] == stopped
    straight = run_cli(*args(manifest, tmp_path / "straight", "--save-every", "0", "--save-dtype", "bfloat16",
                             "--stop-after-steps", str(stopped + 4), config=corpus["config"]))
    assert straight.returncode == EXIT_RETRIABLE, straight.stderr
    name = f"checkpoint-{stopped + 4:08d}"
    for rel in ("model.safetensors", "trainer_state/master_weights.safetensors"):
        assert (tmp_path / "killed" / name / rel).read_bytes() == (tmp_path / "straight" / name / rel).read_bytes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_ddp_processes_train_like_one(tmp_path: Path, corpus: Dict[str, Path]) -> None:
    manifest = round_file(tmp_path, corpus, steps=4)
    single = run_cli(*args(manifest, tmp_path / "one", "--threads", "1", config=corpus["config"]))
    assert single.returncode == 0, single.stderr
    # The environment torchrun gives its workers (Debian's torchrun 1.13 itself breaks on Python 3.11).
    port = free_port()
    procs = []
    for rank in range(2):
        env = dict(os.environ, PYTHONPATH=str(TRAINER_DIR), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                   WORLD_SIZE="2", RANK=str(rank), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE="2")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "mmed_trainer", *args(manifest, tmp_path / "two", "--micro-batch-size", "2",
                                                         "--threads", "1", config=corpus["config"])],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs[0][1][-3000:] + outputs[1][1][-3000:]
    rank0 = events(outputs[0][0])
    assert events(outputs[1][0]) == []  # only rank 0 reports progress
    assert of("start", rank0)[0]["world_size"] == 2
    for key in ("loss", "grad_norm"):  # the gradient norm catches a loss scaled wrongly across ranks
        one = [e[key] for e in of("step", events(single.stdout))]
        two = [e[key] for e in of("step", rank0)]
        assert two == pytest.approx(one, rel=1e-4), key
    a = load_checkpoint(tmp_path / "one" / "checkpoint-00000004")
    b = load_checkpoint(tmp_path / "two" / "checkpoint-00000004")
    for k in a:  # Adam amplifies float rounding in near-zero gradients: a looser bound for the weights
        torch.testing.assert_close(a[k], b[k], atol=1e-4, rtol=1e-3)


def test_learning_rate_warms_up_linearly_then_decays_by_cosine() -> None:
    from mmed_trainer.train import lr_factor

    factors = [lr_factor(s, warmup=4, total=20, min_ratio=0.1) for s in range(20)]
    assert factors[:4] == [0.25, 0.5, 0.75, 1.0]
    assert factors[4] == pytest.approx(1.0) and factors[12] == pytest.approx(0.55)  # halfway down the cosine
    assert all(a > b for a, b in zip(factors[4:], factors[5:]))
    assert lr_factor(20, warmup=4, total=20, min_ratio=0.1) == pytest.approx(0.1)


def test_failures_are_classified_into_exit_codes() -> None:
    from mmed_trainer.errors import EXIT_INTERNAL, Reason, TrainerError, classify

    assert classify(OSError("disk gone")).exit_code == EXIT_RETRIABLE
    assert classify(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")) is Reason.OUT_OF_MEMORY
    assert classify(RuntimeError("NCCL error: unhandled system error")) is Reason.DISTRIBUTED
    assert classify(KeyboardInterrupt()) is Reason.INTERRUPTED
    assert classify(TrainerError(Reason.BAD_DATA, "x")).exit_code == EXIT_PERMANENT
    assert classify(ValueError("a bug")).exit_code == EXIT_INTERNAL
