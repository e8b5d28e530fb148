"""auroraml: take an Aurora MySQL cluster from "no machine learning" to working ML SQL functions."""

__version__ = "0.1.0"
