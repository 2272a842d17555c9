"""The machine a benchmark ran on, as every benchmark's JSON records it."""

from __future__ import annotations

import os
import platform
import time
from typing import Any

import numpy as np

__all__ = ["machine"]


def machine() -> dict[str, Any]:
    """Python, numpy, platform, CPUs, load average (1, 5, 15 min) and the local time of the measurement."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
