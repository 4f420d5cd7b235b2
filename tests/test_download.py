"""Downloads against a local HTTP server: checksum, resume, and the errors a user sees."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from gaia.data.download import RawFile, acquire, fetch, verify_file
from gaia.errors import DownloadError

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at /file.bin (honouring Range) and an HTML 'quota' page at /quota."""

    requests: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        RangeHandler.requests.append(self.headers.get("Range"))
        if self.path == "/quota":
            body, status = b"<html>Quota exceeded</html>", 200
        elif self.path == "/file.bin":
            start = 0
            if self.headers.get("Range"):
                start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
            body, status = PAYLOAD[start:], 206 if start else 200
        else:
            self.send_error(404)
            return
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    RangeHandler.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_verifies_and_is_idempotent(server: str, tmp_path: Path) -> None:
    dest = fetch(f"{server}/file.bin", tmp_path / "raw" / "file.bin", SHA)
    assert dest.read_bytes() == PAYLOAD
    fetch(f"{server}/file.bin", dest, SHA)  # already there: no second request
    assert len(RangeHandler.requests) == 1
    verify_file(dest, SHA)


def test_resume_from_partial_file(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "file.bin"
    (tmp_path / "file.bin.part").write_bytes(PAYLOAD[:1000])
    fetch(f"{server}/file.bin", dest, SHA)
    assert RangeHandler.requests == ["bytes=1000-"]
    assert dest.read_bytes() == PAYLOAD and not (tmp_path / "file.bin.part").exists()


def test_html_error_page_fails_the_checksum(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "file.bin"
    with pytest.raises(DownloadError, match=rf"expected {SHA}.*put it at .*file\.bin"):
        fetch(f"{server}/quota", dest, SHA)
    assert not dest.exists() and not (tmp_path / "file.bin.part").exists()


def test_unreachable_host_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"download failed.*by hand"):
        fetch("http://127.0.0.1:9/file.bin", tmp_path / "f.bin", SHA, timeout=2)


def test_existing_file_with_wrong_checksum(tmp_path: Path) -> None:
    dest = tmp_path / "f.bin"
    dest.write_bytes(b"something else")
    with pytest.raises(DownloadError, match="exists but its sha256"):
        fetch("http://127.0.0.1:9/f.bin", dest, SHA)
    with pytest.raises(DownloadError, match="differs from the expected"):
        verify_file(dest, SHA)


def test_acquire_fetches_each_missing_file(server: str, tmp_path: Path) -> None:
    files = [
        RawFile(f"{server}/file.bin", "a.bin", SHA),
        RawFile(f"{server}/file.bin", "b.bin", SHA),
    ]
    (tmp_path / "a.bin").write_bytes(PAYLOAD)  # already acquired: not fetched again
    paths = acquire(files, tmp_path)
    assert [p.name for p in paths] == ["a.bin", "b.bin"]
    assert len(RangeHandler.requests) == 1 and (tmp_path / "b.bin").read_bytes() == PAYLOAD
