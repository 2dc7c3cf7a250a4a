"""Calibration (以查代训): the statistic lives in `crosscheck_platform.calibration`, shared
with the rotation, which weighs the zones of groups it flags when it plans the next round."""

from __future__ import annotations

from crosscheck_platform.calibration import (
    ALPHA,
    STATISTIC,
    Calibration,
    GroupCalibration,
    Missed,
    Visit,
    calibrate,
    poisson_cdf,
)

__all__ = [
    "ALPHA",
    "STATISTIC",
    "Calibration",
    "GroupCalibration",
    "Missed",
    "Visit",
    "calibrate",
    "poisson_cdf",
]
