"""The compiled-loop decorator: a signal that arrives while numba compiles is delivered, not lost."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

import pytest

PROBE = """
import signal

from numba.extending import overload

from sim.compiled import compiled

HANDLERS = []


def probe():
    return 1


@overload(probe)
def _typed():  # numba runs this in Python while it compiles a call of probe
    HANDLERS.append(signal.getsignal(signal.SIGINT))
    signal.raise_signal(signal.SIGINT)
    return lambda: 1


@compiled
def first_call():
    return probe()
"""


def _fresh_module(folder: Path, name: str) -> object:
    """A module written to ``folder`` (a new folder each run, so numba finds no cache and compiles)."""
    path = folder / f"{name}.py"
    path.write_text(PROBE)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SigintError(Exception):
    """Raised by this test's SIGINT handler (a library imported by other tests may replace Python's)."""


def _interrupt(number: int, _: FrameType | None) -> None:
    raise SigintError(number)


def test_ctrl_c_during_compilation_arrives_after_the_compiled_call(tmp_path: Path) -> None:
    module = _fresh_module(tmp_path, "compiled_probe")
    previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        with pytest.raises(SigintError):
            module.first_call()  # type: ignore[attr-defined]
        assert signal.getsignal(signal.SIGINT) is _interrupt, "the handler is back after the call"
    finally:
        signal.signal(signal.SIGINT, previous)
    assert module.HANDLERS, "numba compiled the call"  # type: ignore[attr-defined]
    assert module.HANDLERS[0] is not _interrupt, "SIGINT was held back while compiling"  # type: ignore[attr-defined]
    assert module.first_call.signatures, "the compilation finished before the interrupt"  # type: ignore[attr-defined]


JIT_OFF_PROBE = """
import numpy as np

from sim.inversion import invert_sorted

points = np.array([0.0, 0.5, 1.5, 2.5, 9.0])
edges = np.array([0.0, 10.0, 20.0])
rates = np.array([0.1, 0.2])
cumulative = np.array([0.0, 1.0, 3.0])
print(type(invert_sorted).__name__, invert_sorted(points, edges, rates, cumulative).tolist())
"""


def test_numba_disable_jit_runs_the_loops_as_python_with_the_same_floats() -> None:
    def run(disable: str) -> str:
        environment = {**os.environ, "NUMBA_DISABLE_JIT": disable}
        done = subprocess.run(
            [sys.executable, "-c", JIT_OFF_PROBE],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    as_python, compiled_out = run("1"), run("0")
    assert as_python.startswith("function "), as_python
    assert compiled_out.startswith("CPUDispatcher "), compiled_out
    # Points 0, 0.5 in the first segment (rate 0.1/h), 1.5 and 2.5 in the second; 9.0 is past Lambda's end.
    assert as_python.split(" ", 1)[1] == compiled_out.split(" ", 1)[1] == "[0.0, 5.0, 12.5, 17.5]"
