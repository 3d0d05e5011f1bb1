#!/usr/bin/env bash
# Run the trainer's tests (CPU). The interpreter: $MMED_PYTHON, else the first of python3, /usr/bin/python3 that can
# import torch (a pyenv python3 on PATH often lacks Debian's python3-torch). Exits with pytest's status; "no tests
# collected" (pytest's 5) counts as a failure. Extra arguments go to pytest, e.g. `-k resume` or `-x`.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -n "${MMED_PYTHON:-}" ]]; then
  py="$MMED_PYTHON"
else
  py=""
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import torch' >/dev/null 2>&1; then
      py="$candidate"
      break
    fi
  done
  if [[ -z "$py" ]]; then
    echo "run-tests.sh: no python3 with PyTorch found. On Debian/Ubuntu:" >&2
    echo "  apt-get install -y python3-torch python3-numpy python3-pytest libopenblas0-pthread" >&2
    echo "or point MMED_PYTHON at an interpreter that has torch, numpy and pytest." >&2
    exit 1
  fi
fi

cd "$here" || exit 1
"$py" -m pytest -p no:cacheprovider "$@" tests
rc=$?
if [[ $rc -eq 5 ]]; then
  echo "run-tests.sh: pytest collected no tests" >&2
  exit 1
fi
exit $rc
