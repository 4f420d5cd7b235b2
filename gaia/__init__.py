"""gaia-repro: a reproducible pipeline for GAIA (Sainburg et al., 2018, arXiv 1807.06650)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gaia-repro")
except PackageNotFoundError:  # running from a checkout that was not pip-installed
    __version__ = "0.0.0+unknown"
