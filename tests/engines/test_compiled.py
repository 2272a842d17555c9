"""The compiled-loop decorator: a signal that arrives while numba compiles is delivered, not lost."""

from __future__ import annotations

import importlib.util
import signal
from pathlib import Path

import pytest

PROBE = """
import signal

from numba.extending import overload

from sim.engines.vector.compiled import compiled

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


def test_ctrl_c_during_compilation_arrives_after_the_compiled_call(tmp_path: Path) -> None:
    module = _fresh_module(tmp_path, "compiled_probe")
    with pytest.raises(KeyboardInterrupt):
        module.first_call()  # type: ignore[attr-defined]
    assert module.HANDLERS, "numba compiled the call"  # type: ignore[attr-defined]
    held = module.HANDLERS[0]  # type: ignore[attr-defined]
    assert held is not signal.default_int_handler, "SIGINT was held back while compiling"
    assert module.first_call.signatures, "the compilation finished before the interrupt"  # type: ignore[attr-defined]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
