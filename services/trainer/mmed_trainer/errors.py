"""The trainer's one exception type and the process exit codes it maps to.

Every failure is classified once, here: a *retriable* failure (the same command, run again with ``--resume``, can
succeed: I/O, an interruption, CUDA out of memory, a lost peer) or a *permanent* one (running it again fails the same
way: a bad manifest, bad shard files, a bad checkpoint or config, a diverged loss). The coordinator only has to look at
the exit code; the last JSON line on stdout (``{"event": "error", ...}``) carries the reason and the message.
"""

from __future__ import annotations

import enum

import torch

EXIT_OK = 0
#: Bad command line (argparse). Permanent.
EXIT_USAGE = 64
#: Bad round manifest, shard files, config or checkpoint, or a diverged loss. Permanent (sysexits EX_DATAERR).
EXIT_PERMANENT = 65
#: An unexpected exception: a bug in the trainer. Permanent; the traceback is on stderr (sysexits EX_SOFTWARE).
EXIT_INTERNAL = 70
#: I/O error, SIGTERM/SIGINT, CUDA out of memory, distributed failure. Retry with ``--resume`` (sysexits EX_TEMPFAIL).
EXIT_RETRIABLE = 75


class Reason(enum.Enum):
    """Why the trainer stopped; each reason has one exit code."""

    BAD_MANIFEST = ("bad_manifest", EXIT_PERMANENT)
    BAD_DATA = ("bad_data", EXIT_PERMANENT)
    BAD_CONFIG = ("bad_config", EXIT_PERMANENT)
    BAD_CHECKPOINT = ("bad_checkpoint", EXIT_PERMANENT)
    NON_FINITE_LOSS = ("non_finite_loss", EXIT_PERMANENT)
    IO = ("io", EXIT_RETRIABLE)
    INTERRUPTED = ("interrupted", EXIT_RETRIABLE)
    OUT_OF_MEMORY = ("out_of_memory", EXIT_RETRIABLE)
    DISTRIBUTED = ("distributed", EXIT_RETRIABLE)
    INTERNAL = ("internal", EXIT_INTERNAL)

    def __init__(self, code: str, exit_code: int) -> None:
        self.code = code
        self.exit_code = exit_code

    @property
    def retriable(self) -> bool:
        return self.exit_code == EXIT_RETRIABLE


class TrainerError(Exception):
    """A classified failure; ``reason`` decides the exit code."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason.code}: {self.message}"


def classify(exc: BaseException) -> Reason:
    """Map any exception to a reason, so that a new failure mode lands in the right class without a new handler."""
    if isinstance(exc, TrainerError):
        return exc.reason
    if isinstance(exc, KeyboardInterrupt):
        return Reason.INTERRUPTED
    oom = getattr(torch.cuda, "OutOfMemoryError", None)
    if oom is not None and isinstance(exc, oom):
        return Reason.OUT_OF_MEMORY
    if isinstance(exc, MemoryError):
        return Reason.OUT_OF_MEMORY
    if isinstance(exc, OSError):
        return Reason.IO
    if isinstance(exc, RuntimeError):
        text = str(exc)
        if "out of memory" in text.lower():
            return Reason.OUT_OF_MEMORY
        if any(marker in text for marker in ("NCCL", "Gloo", "ProcessGroup", "Connection reset", "Timed out")):
            return Reason.DISTRIBUTED
    return Reason.INTERNAL
