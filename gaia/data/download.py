"""Fetch raw dataset files over HTTP(S) with resume and checksum verification.

Used by the "acquire" stage of downloaded datasets. A file is downloaded to `NAME.part` (resumed
with an HTTP Range request when a partial file is there), verified, then renamed: `dest` exists
only with the right checksum. Hosts such as Google Drive answer quota errors with an HTML page;
the checksum catches those, and the error says how to put the file in place by hand. Checksums
are sha256 unless an `algorithm` is named (CelebA's published ones are md5).
"""

from __future__ import annotations

import http.client
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from gaia.errors import DownloadError
from gaia.utils.io import file_digest

log = logging.getLogger(__name__)
CHUNK = 1 << 20


def manual_hint(url: str, dest: Path, checksum: str, algorithm: str = "sha256") -> str:
    return (
        f"download {url} by hand (or from a mirror), put it at {dest} and check that "
        f"`{algorithm}sum {dest}` prints {checksum}"
    )


def verify_file(path: str | os.PathLike[str], checksum: str, algorithm: str = "sha256") -> None:
    """Raise DownloadError naming the file when it is missing or its checksum differs."""
    path = Path(path)
    if not path.is_file():
        raise DownloadError(f"{path}: missing")
    actual = file_digest(path, algorithm)
    if actual != checksum:
        raise DownloadError(f"{path}: {algorithm} {actual} differs from the expected {checksum}")


def fetch(
    url: str,
    dest: str | os.PathLike[str],
    checksum: str | None,
    timeout: float = 60.0,
    algorithm: str = "sha256",
) -> Path:
    """Download `url` to `dest` unless a file with the right checksum is already there.

    `checksum` None: no published checksum; the caller verifies the file some other way.
    """
    dest = Path(dest)
    hint = manual_hint(url, dest, checksum or "(no published checksum)", algorithm)
    if dest.is_file():
        if checksum is None or file_digest(dest, algorithm) == checksum:
            log.info("%s: present, checksum ok", dest)
            return dest
        raise DownloadError(
            f"{dest}: exists but its {algorithm} is not {checksum}; delete it to download again, "
            "or " + hint
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
        received = part.stat().st_size
        if total is not None and received < total:  # the connection dropped: keep what came
            raise ConnectionError(f"connection closed after {received} of {total} bytes")
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        kept = (
            f"the partial file {part} is kept and the next attempt resumes from it; or "
            if part.exists()
            else ""
        )
        raise DownloadError(f"{url}: download failed ({exc}); " + kept + hint) from exc
    actual = file_digest(part, algorithm)
    if checksum is not None and actual != checksum:
        part.unlink()
        raise DownloadError(
            f"{url}: downloaded file has {algorithm} {actual}, expected {checksum} (hosts often "
            "send an HTML error page instead of the file); the download was deleted; " + hint
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
