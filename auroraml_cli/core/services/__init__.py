"""One spec per service: the rows of the catalogue (see base.py for what a row holds)."""

from __future__ import annotations

from . import bedrock, comprehend, lambda_, sagemaker, s3
from .base import AURORA_ML_UNAVAILABLE_REGIONS, REGIONAL_MINIMUM, Service, regional_minimum, statement

SPECS: tuple[Service, ...] = (bedrock.SPEC, comprehend.SPEC, sagemaker.SPEC, s3.SPEC, lambda_.SPEC)

__all__ = ["AURORA_ML_UNAVAILABLE_REGIONS", "REGIONAL_MINIMUM", "SPECS", "Service", "regional_minimum", "statement"]
