"""Errors the user can act on. The CLI prints them without a traceback."""


class GaiaError(Exception):
    """Base class: the message says what is wrong and what to do."""


class ParamsError(GaiaError):
    """params.yaml is missing, unreadable or invalid."""


class DataError(GaiaError):
    """A dataset file is missing, corrupted or inconsistent with its manifest."""


class DownloadError(GaiaError):
    """A download failed or its checksum did not match."""
