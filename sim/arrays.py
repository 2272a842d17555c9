"""The array types the package passes around: one home for the aliases every module annotates with."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["BoolArray", "FloatArray", "IntArray"]

FloatArray = NDArray[np.float64]
"""Times (h), sizes (t or TEU), rates: float64 throughout."""
IntArray = NDArray[np.int64]
"""Indices and counts."""
BoolArray = NDArray[np.bool_]
"""Masks."""
