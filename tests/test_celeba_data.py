"""CelebA and CelebA-HQ, offline: tiny files of the real formats, placed by hand or served by a
local HTTP server, through acquisition, verification and conversion into the split store; and
every usual failure a one-line error with nothing half-written."""

from __future__ import annotations

import copy
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from celeba_fixture import NAMES, PARTITION, celeba_files, celebahq_files, md5

from gaia import paths
from gaia.cli import main
from gaia.data.prepare import prepare_dataset
from gaia.data.stats import dataset_stats
from gaia.data.store import load_split
from gaia.errors import DownloadError
from gaia.report.datasets import datasets_markdown
from gaia.utils.io import write_json


def params_for(
    default: dict[str, Any], name: str, files: Path, unpinned: tuple[str, ...] = (), **entry: Any
) -> dict[str, Any]:
    """The default params with dataset `name` at resolution 32, pinned to the fixture's md5s
    (but for the `unpinned` files, checked as the real ones with torchvision's md5 or, for the
    CelebAMask-HQ zip, which has none, by structure)."""
    params = copy.deepcopy(default)
    pins = {f.name: md5(f) for f in files.iterdir() if f.name not in unpinned}
    params["datasets"][name].update({"resolution": 32, "checksums": pins, **entry})
    return params


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # data/raw and data/processed are relative to the repository
    return tmp_path


class FixtureHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder with Range support; can cut one file short, or answer with HTML."""

    folder: ClassVar[Path]
    html_for: ClassVar[set[str]] = set()
    cut_once: ClassVar[set[str]] = set()
    requests: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        FixtureHandler.requests.append((name, self.headers.get("Range")))
        if name in self.html_for:
            body = b"<!DOCTYPE html><html><body>Google Drive - Quota exceeded</body></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        path = self.folder / name
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = int(self.headers["Range"][6:].rstrip("-")) if self.headers.get("Range") else 0
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        if name in self.cut_once:  # the connection drops halfway through
            FixtureHandler.cut_once.discard(name)
            self.wfile.write(data[start : len(data) // 2])
            self.wfile.flush()
            self.connection.close()
            return
        self.wfile.write(data[start:])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "served"
    FixtureHandler.folder, FixtureHandler.requests = folder, []
    FixtureHandler.html_for, FixtureHandler.cut_once = set(), set()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FixtureHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", folder
    httpd.shutdown()
    httpd.server_close()


def test_celeba_placed_by_hand_becomes_the_split_store(
    workdir: Path, default_params: dict[str, Any]
) -> None:
    made = celeba_files(paths.raw_dir("celeba"))
    params = params_for(
        default_params, "celeba", paths.raw_dir("celeba"), mirror="http://0.0.0.0:9"
    )
    prepare_dataset(params, "celeba", progress=False)
    train = load_split(paths.processed_dir("celeba"), "train")
    test = load_split(paths.processed_dir("celeba"), "test")
    partition = np.array(PARTITION)
    assert (len(train), len(test)) == ((partition == 0).sum(), (partition == 2).sum())
    assert train.images.shape[1:] == (32, 32, 3) and train.attribute_names == list(NAMES)
    np.testing.assert_array_equal(train.attributes.to_numpy(), made["truth"][partition == 0])
    np.testing.assert_array_equal(test.attributes.to_numpy(), made["truth"][partition == 2])
    assert train.manifest["filter"].startswith("crop [40, 15, 148]")
    assert set(train.manifest["source_md5"]) == {
        "img_align_celeba.zip",
        "list_attr_celeba.txt",
        "list_eval_partition.txt",
    }


def test_celebahq_from_a_mirror_follows_celeba_partition(
    workdir: Path, default_params: dict[str, Any], server: tuple[str, Path]
) -> None:
    url, served = server
    made = celebahq_files(served)
    params = params_for(default_params, "celebahq", served, ("CelebAMask-HQ.zip",), mirror=url)
    prepare_dataset(params, "celebahq", progress=False)
    train = load_split(paths.processed_dir("celebahq"), "train")
    test = load_split(paths.processed_dir("celebahq"), "test")
    np.testing.assert_array_equal(
        train.attributes.to_numpy(), made["truth"][made["partition"] == 0]
    )
    np.testing.assert_array_equal(test.attributes.to_numpy(), made["truth"][made["partition"] == 2])
    stats = dataset_stats(paths.processed_dir("celebahq"))
    male, young = train.attributes["Male"] == 1, train.attributes["Young"] == 1
    assert stats["train"]["young_old_by_sex"]["male_young"] == (male & young).sum()
    write_json(paths.dataset_stats("celebahq"), stats)  # the datasets report, measured vs stated
    report = datasets_markdown(["celebahq"])
    assert "## celebahq" in report and "CelebA list_eval_partition code 2" in report
    assert "young:old" in report and "paper" in report
    assert {name for name, _ in FixtureHandler.requests} == {
        "CelebAMask-HQ.zip",
        "list_eval_partition.txt",
    }
    # a second run downloads nothing: the raw files are there and verified
    FixtureHandler.requests = []
    shutil.rmtree(paths.processed_dir("celebahq"))
    prepare_dataset(params, "celebahq", progress=False)
    assert FixtureHandler.requests == []
    capped = copy.deepcopy(params)
    capped["datasets"]["celebahq"]["splits"] = {"train": 3, "test": 2}
    shutil.rmtree(paths.processed_dir("celebahq"))
    prepare_dataset(capped, "celebahq", progress=False)
    assert len(load_split(paths.processed_dir("celebahq"), "train")) == 3


def mirrored_celeba(
    default_params: dict[str, Any], server: tuple[str, Path]
) -> tuple[dict[str, Any], Path]:
    """CelebA's fixture files on the local server, and params that download them from it."""
    url, served = server
    celeba_files(served)
    return params_for(default_params, "celeba", served, mirror=url), served


def failure(params: dict[str, Any], name: str) -> str:
    with pytest.raises(DownloadError) as caught:
        prepare_dataset(params, name, progress=False)
    message = str(caught.value)
    assert "\n" not in message  # one line
    assert not paths.processed_dir(name).exists()  # nothing half-written
    return message


def test_missing_files_without_network_are_listed_with_size_checksum_and_place(
    workdir: Path, default_params: dict[str, Any]
) -> None:
    params = copy.deepcopy(default_params)
    params["datasets"]["celeba"]["mirror"] = "http://127.0.0.1:9"  # nothing listens there
    message = failure(params, "celeba")
    assert "3 file(s) missing" in message
    for name, size in (("img_align_celeba.zip", "1.4 GB"), ("list_attr_celeba.txt", "26 MB")):
        assert f"{name} ({size}, md5 " in message
        assert str(paths.raw_dir("celeba") / name) in message
    assert "00d2c5bc6d35e252742224ab0c1e8fcb" in message  # torchvision's md5 of the zip


def test_a_wrong_or_truncated_file_is_refused(
    workdir: Path, default_params: dict[str, Any], server: tuple[str, Path]
) -> None:
    params, served = mirrored_celeba(default_params, server)
    raw = paths.raw_dir("celeba")
    raw.mkdir(parents=True)
    attributes = (served / "list_attr_celeba.txt").read_bytes()
    (raw / "list_attr_celeba.txt").write_bytes(attributes[: len(attributes) // 2])  # truncated
    message = failure(params, "celeba")
    assert "list_attr_celeba.txt: md5" in message and "delete it" in message

    assert (raw / "img_align_celeba.zip").is_file()  # the other files were fetched meanwhile
    (raw / "list_attr_celeba.txt").unlink()  # the server now sends a truncated zip
    (raw / "img_align_celeba.zip").unlink()
    zipped = served / "img_align_celeba.zip"
    good = zipped.read_bytes()
    zipped.write_bytes(good[:-100])
    message = failure(params, "celeba")
    assert "img_align_celeba.zip" in message and "md5" in message
    assert not (raw / "img_align_celeba.zip").exists()
    assert not list(raw.glob("*.part*"))  # the bad download was deleted


def test_an_html_page_instead_of_the_zip_says_quota(
    workdir: Path, default_params: dict[str, Any], server: tuple[str, Path], monkeypatch
) -> None:
    url, served = server
    celebahq_files(served)
    params = params_for(default_params, "celebahq", served, ("CelebAMask-HQ.zip",), mirror=url)
    FixtureHandler.html_for = {"CelebAMask-HQ.zip"}
    message = failure(params, "celebahq")
    assert "CelebAMask-HQ.zip" in message and "HTML page" in message and "quota" in message

    import gdown  # the Google Drive route answers the same way

    def quota_page(id: str, output: str, **_: object) -> str:
        Path(output).write_text("<html><body>Too many users have viewed this file</body></html>")
        return output

    monkeypatch.setattr(gdown, "download", quota_page)
    params["datasets"]["celebahq"]["mirror"] = None
    message = failure(params, "celebahq")
    assert "HTML page" in message and "1badu11NqxGf6qM3PTTooQDJvQbejgbTv" in message


def test_an_interrupted_download_resumes_on_the_next_run(
    workdir: Path, default_params: dict[str, Any], server: tuple[str, Path]
) -> None:
    params, _ = mirrored_celeba(default_params, server)
    FixtureHandler.cut_once = {"img_align_celeba.zip"}
    message = failure(params, "celeba")
    assert "img_align_celeba.zip" in message and "resumes" in message
    prepare_dataset(params, "celeba", progress=False)  # the rerun continues the partial file
    resumed = [r for n, r in FixtureHandler.requests if n == "img_align_celeba.zip" and r]
    assert resumed and resumed[0] != "bytes=0-"
    assert len(load_split(paths.processed_dir("celeba"), "test")) == PARTITION.count(2)


def test_the_cli_prints_the_one_line_error(
    workdir: Path, capsys: pytest.CaptureFixture[str], default_params: dict[str, Any]
) -> None:
    import yaml

    params = copy.deepcopy(default_params)
    params["datasets"]["celebahq"]["mirror"] = "http://127.0.0.1:9"
    (workdir / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    assert main(["prepare-data", "--dataset", "celebahq", "--no-progress"]) == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "CelebAMask-HQ.zip (3 GB" in said[0] and "Traceback" not in said[0]
