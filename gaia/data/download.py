"""Fetch raw dataset files over HTTP(S) with resume and sha256 verification.

Used by the "acquire" stage of downloaded datasets. A file is downloaded to `NAME.part` (resumed
with an HTTP Range request when a partial file is there), verified, then renamed: `dest` exists
only with the right checksum. Hosts such as Google Drive answer quota errors with an HTML page;
the checksum catches those, and the error says how to put the file in place by hand.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from gaia.errors import DownloadError
from gaia.utils.io import sha256_file

log = logging.getLogger(__name__)
CHUNK = 1 << 20


def _manual_hint(url: str, dest: Path, sha256: str) -> str:
    return (
        f"download {url} by hand (or from a mirror), put it at {dest} and check that "
        f"`sha256sum {dest}` prints {sha256}"
    )


def verify_file(path: str | os.PathLike[str], sha256: str) -> None:
    """Raise DownloadError naming the file when it is missing or its sha256 differs."""
    path = Path(path)
    if not path.is_file():
        raise DownloadError(f"{path}: missing")
    actual = sha256_file(path)
    if actual != sha256:
        raise DownloadError(f"{path}: sha256 {actual} differs from the expected {sha256}")


def fetch(url: str, dest: str | os.PathLike[str], sha256: str, timeout: float = 60.0) -> Path:
    """Download `url` to `dest` unless a file with the right sha256 is already there."""
    dest = Path(dest)
    if dest.is_file():
        if sha256_file(dest) == sha256:
            log.info("%s: present, checksum ok", dest)
            return dest
        raise DownloadError(
            f"{dest}: exists but its sha256 is not {sha256}; delete it to download again, or "
            + _manual_hint(url, dest, sha256)
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if offset and response.status != 206:  # server ignored the Range header: start over
                offset = 0
            total = response.headers.get("Content-Length")
            total = int(total) + offset if total is not None else None
            with (
                open(part, "ab" if offset else "wb") as out,
                tqdm(total=total, initial=offset, unit="B", unit_scale=True, desc=dest.name) as bar,
            ):
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError) as exc:
        kept = (
            f"the partial file {part} is kept and the next attempt resumes from it; or "
            if part.exists()
            else ""
        )
        raise DownloadError(
            f"{url}: download failed ({exc}); " + kept + _manual_hint(url, dest, sha256)
        ) from exc
    actual = sha256_file(part)
    if actual != sha256:
        part.unlink()
        raise DownloadError(
            f"{url}: downloaded file has sha256 {actual}, expected {sha256} (hosts often send an "
            "HTML error page instead of the file); the download was deleted; "
            + _manual_hint(url, dest, sha256)
        )
    os.replace(part, dest)
    log.info("%s: downloaded, checksum ok", dest)
    return dest


@dataclass(frozen=True)
class RawFile:
    """One file a downloaded dataset needs: where it comes from, its name and its checksum."""

    url: str
    name: str
    sha256: str


def acquire(files: Sequence[RawFile], raw_dir: str | os.PathLike[str]) -> list[Path]:
    """The "acquire" stage of a downloaded dataset: every file present in raw_dir, verified.

    Files already there with the right checksum are not fetched again; a failure names the
    file and says how to put it in place by hand.
    """
    raw_dir = Path(raw_dir)
    return [fetch(item.url, raw_dir / item.name, item.sha256) for item in files]
