"""The paper's faces: CelebA (aligned) and CelebA-HQ, acquired, verified and converted.

acquire  Each source file goes to data/raw/NAME/. A file already there is verified and used
         (manual placement); a missing one is downloaded from Google Drive with gdown (the ids
         and md5 sums of CelebA are torchvision's `CelebA.file_list`) or, when the dataset's
         `mirror` is set, from MIRROR/FILENAME over HTTP with resume. Downloads land in
         FILE.part and are renamed only once verified. When nothing works, the error lists every
         missing file with where to put it, its size and its checksum.
convert  Images are read from the zip without extracting it (10^5 small files are slow
         everywhere), cropped (CelebA), resized with Lanczos (antialiased, as the authors'
         `dataset.py` does with PIL's ANTIALIAS) to `resolution`, and streamed into one
         images.npy per split; the 40 attributes become 0/1 columns with CelebA's names.

Splits follow CelebA's official partition (list_eval_partition.txt: 0 train, 1 valid, 2 test):
`train` is partition 0 and `test` is partition 2; the validation partition is not used. CelebA-HQ
images map to CelebA files through CelebA-HQ-to-CelebA-mapping.txt and take their partition.
`splits` in params may cap each split at its first N images (official order).

The md5 of CelebAMask-HQ.zip is not published; unless params pin one (`checksums`), the archive
is verified by its structure (a readable zip with the expected members), and its md5 is logged
and written to the split manifests so that a run names the exact bytes it used.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from gaia import paths
from gaia.data.download import fetch
from gaia.errors import DataError, DownloadError
from gaia.utils.io import file_digest

log = logging.getLogger(__name__)

CONVERTER_VERSION = "1"
TRAIN, VALID, TEST = 0, 1, 2  # CelebA's partition codes
PARTITIONS = {"train": TRAIN, "test": TEST}


@dataclass(frozen=True)
class Source:
    """One file a dataset is made from."""

    name: str
    gdrive_id: str
    md5: str | None  # None: not published (verified by structure)
    size: str  # approximate, for the message that asks to place it by hand


def _torchvision_md5(name: str) -> tuple[str, str]:
    """(Google Drive id, md5) of a CelebA file from torchvision's list: one well-kept source."""
    from torchvision.datasets import CelebA

    for file_id, md5, filename in CelebA.file_list:
        if filename == name:
            return file_id, md5
    raise KeyError(f"{name} is not in torchvision's CelebA.file_list")


def _celeba(name: str, size: str) -> Source:
    file_id, md5 = _torchvision_md5(name)
    return Source(name, file_id, md5, size)


IMAGES_ZIP, ATTRIBUTES_TXT, PARTITION_TXT = (
    "img_align_celeba.zip",
    "list_attr_celeba.txt",
    "list_eval_partition.txt",
)
HQ_ZIP = "CelebAMask-HQ.zip"
HQ_ROOT = "CelebAMask-HQ/"
HQ_ATTRIBUTES = HQ_ROOT + "CelebAMask-HQ-attribute-anno.txt"
HQ_MAPPING = HQ_ROOT + "CelebA-HQ-to-CelebA-mapping.txt"
HQ_IMAGES = HQ_ROOT + "CelebA-HQ-img/"
# The CelebAMask-HQ archive of its authors (github.com/switchablenorms/CelebAMask-HQ).
HQ_GDRIVE_ID = "1badu11NqxGf6qM3PTTooQDJvQbejgbTv"


def sources(kind: str) -> list[Source]:
    """The files a dataset kind needs, in the order they are acquired."""
    partition = _celeba(PARTITION_TXT, "2.8 MB")
    if kind == "celeba":
        return [_celeba(IMAGES_ZIP, "1.4 GB"), _celeba(ATTRIBUTES_TXT, "26 MB"), partition]
    if kind == "celebahq":
        return [Source(HQ_ZIP, HQ_GDRIVE_ID, None, "3 GB"), partition]
    raise ValueError(f"{kind!r} is not a downloaded dataset kind")


# --- acquire ---------------------------------------------------------------------------------


def _checksum(source: Source, cfg: dict[str, Any]) -> str | None:
    return (cfg.get("checksums") or {}).get(source.name, source.md5)


def _describe(source: Source, dest: Path, md5: str | None) -> str:
    where = f"https://drive.google.com/uc?id={source.gdrive_id}"
    check = f"md5 {md5}" if md5 else "md5 not published (checked by its structure)"
    return f"{source.name} ({source.size}, {check}) from {where} -> {dest}"


def _looks_like_html(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(512).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _verify(source: Source, path: Path, md5: str | None) -> str:
    """The file's md5, or DownloadError naming the file unless it is the expected one."""
    if _looks_like_html(path):
        raise DownloadError(
            f"{path}: an HTML page, not {source.name} (Google Drive sends one when the file's "
            "download quota is exceeded); delete it and try again later, or place the file by hand"
        )
    actual = file_digest(path, "md5")  # also recorded in the manifests: the exact bytes used
    if md5 is not None:
        if actual != md5:
            raise DownloadError(
                f"{path}: md5 {actual} differs from the expected {md5} (truncated or another "
                "file); delete it and download it again"
            )
    elif source.name.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise DownloadError(f"{path}: not a readable zip ({exc}); delete it") from exc
        missing = {HQ_ATTRIBUTES, HQ_MAPPING} - names
        if missing:
            raise DownloadError(f"{path}: lacks {sorted(missing)}; not the CelebAMask-HQ archive")
    return actual


def _download(source: Source, dest: Path, md5: str | None, mirror: str | None) -> str:
    """Fetch one file into dest (via dest.part), from the mirror or Google Drive; its md5."""
    if mirror:  # resumable HTTP via dest.part; the md5, where published, checked before renaming
        fetch(f"{mirror.rstrip('/')}/{source.name}", dest, md5, algorithm="md5")
        downloaded = dest
    else:
        import gdown

        downloaded = dest.with_name(dest.name + ".part")
        try:
            gdown.download(id=source.gdrive_id, output=str(downloaded), quiet=False, resume=True)
        except Exception as exc:  # gdown raises its own errors and requests' ones
            raise DownloadError(f"{source.name}: Google Drive download failed ({exc})") from exc
    try:
        actual = _verify(source, downloaded, md5)
    except DownloadError:
        downloaded.unlink(missing_ok=True)  # a wrong download is not kept
        raise
    downloaded.replace(dest)
    return actual


def acquire(
    name: str, cfg: dict[str, Any], raw_dir: Path | None = None
) -> tuple[dict[str, Path], dict[str, str]]:
    """Every source file of dataset `name` present and verified in data/raw/NAME/: the paths
    and the md5 of each (each file is read once for it)."""
    raw_dir = raw_dir or paths.raw_dir(name)
    raw_dir.mkdir(parents=True, exist_ok=True)
    found, md5s, problems = {}, {}, []
    for source in sources(cfg["kind"]):
        dest, md5 = raw_dir / source.name, _checksum(source, cfg)
        try:
            if dest.is_file():
                md5s[source.name] = _verify(source, dest, md5)
            else:
                md5s[source.name] = _download(source, dest, md5, cfg.get("mirror"))
        except DownloadError as exc:
            problems.append(f"{exc} [needed: {_describe(source, dest, md5)}]")
            continue
        found[source.name] = dest
    if problems:
        raise DownloadError(  # one line: every problem, each with its file and its fix
            f"dataset {name!r}: {len(problems)} file(s) missing or wrong; place each by hand "
            f"and run `gaia prepare-data --dataset {name}` again: " + " | ".join(problems)
        )
    return found, md5s


# --- read the annotation files ---------------------------------------------------------------


def read_attributes(lines: Iterable[str], source: str) -> pd.DataFrame:
    """CelebA's attribute format: a count, the attribute names, then `FILE v1 ... v40` rows of
    +1/-1 (CelebA) or 1/-1 (CelebAMask-HQ); returns 0/1 columns indexed by file name."""
    lines = list(lines)
    try:
        count, names = int(lines[0].split()[0]), lines[1].split()
        rows = [line.split() for line in lines[2:] if line.strip()]
        table = pd.DataFrame(
            [[int(v) for v in row[1:]] for row in rows],
            index=[row[0] for row in rows],
            columns=names,
        )
    except (IndexError, ValueError) as exc:
        raise DataError(f"{source}: not CelebA's attribute format ({exc})") from exc
    if len(table) != count or not table.isin([-1, 1]).all().all():
        raise DataError(f"{source}: {len(table)} rows for a stated {count}, or values not +-1")
    return (table == 1).astype(np.uint8)


def read_partition(path: Path) -> pd.Series:
    """list_eval_partition.txt: `FILE CODE` rows -> partition code by file name."""
    table = pd.read_csv(path, sep=r"\s+", header=None, names=["file", "partition"], dtype=str)
    if table["partition"].isna().any() or not table["partition"].isin(["0", "1", "2"]).all():
        raise DataError(f"{path}: not CelebA's partition format (FILE 0|1|2 per line)")
    return table.set_index("file")["partition"].astype(int)


def read_hq_mapping(text: str, source: str) -> pd.Series:
    """CelebA-HQ-to-CelebA-mapping.txt: `idx orig_idx orig_file` -> CelebA file by HQ index."""
    table = pd.read_csv(io.StringIO(text), sep=r"\s+")
    if list(table.columns) != ["idx", "orig_idx", "orig_file"]:
        raise DataError(f"{source}: expected the columns idx orig_idx orig_file")
    return table.set_index("idx")["orig_file"]


# --- convert ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one split is made of: zip members in order and their label rows."""

    members: list[str]
    labels: pd.DataFrame


def plans(kind: str, files: dict[str, Path], cfg: dict[str, Any]) -> dict[str, Plan]:
    """Per split, the images (zip members) and their 0/1 attributes, in official order."""
    partition = read_partition(files[PARTITION_TXT])
    if kind == "celeba":
        text = files[ATTRIBUTES_TXT].read_text(encoding="utf-8").splitlines()
        attributes = read_attributes(text, str(files[ATTRIBUTES_TXT]))
        member = {name: f"img_align_celeba/{name}" for name in attributes.index}
        celeba_file = pd.Series(attributes.index, index=attributes.index)
    else:
        with zipfile.ZipFile(files[HQ_ZIP]) as archive:
            text = archive.read(HQ_ATTRIBUTES).decode("utf-8").splitlines()
            mapping = read_hq_mapping(archive.read(HQ_MAPPING).decode("utf-8"), HQ_MAPPING)
        attributes = read_attributes(text, f"{files[HQ_ZIP]}:{HQ_ATTRIBUTES}")
        member = {name: HQ_IMAGES + name for name in attributes.index}
        hq_index = [int(Path(name).stem) for name in attributes.index]
        celeba_file = pd.Series(mapping.loc[hq_index].to_numpy(), index=attributes.index)
    unknown = sorted(set(celeba_file) - set(partition.index))
    if unknown:
        raise DataError(f"{files[PARTITION_TXT]}: no partition for {unknown[:3]} and others")
    out = {}
    for split, code in PARTITIONS.items():
        chosen = attributes.index[(partition.loc[celeba_file].to_numpy() == code)]
        limit = (cfg.get("splits") or {}).get(split)
        chosen = chosen[:limit] if limit is not None else chosen
        if len(chosen) < 2:
            raise DataError(f"dataset {kind}: split {split} has {len(chosen)} images")
        labels = attributes.loc[chosen].reset_index(drop=True)
        out[split] = Plan([member[name] for name in chosen], labels)
    return out


def load_face(data: bytes, crop: list[int] | None, resolution: int) -> np.ndarray:
    """One JPEG -> (resolution, resolution, 3) uint8: optional crop [top, left, size], then
    Lanczos (antialiased) resizing."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        if crop is not None:
            top, left, size = crop
            if top + size > image.height or left + size > image.width:
                raise DataError(f"crop {crop} exceeds a {image.width}x{image.height} image")
            image = image.crop((left, top, left + size, top + size))
        image = image.resize((resolution, resolution), Image.Resampling.LANCZOS)
        return np.asarray(image, dtype=np.uint8)


def convert_split(
    archive: zipfile.ZipFile, plan: Plan, cfg: dict[str, Any], out: np.ndarray, progress: bool
) -> None:
    """Decode, crop and resize every image of a split into `out` (an images.npy map)."""
    crop, resolution = cfg.get("crop"), cfg["resolution"]
    for i, member in enumerate(tqdm(plan.members, disable=not progress, unit="img")):
        try:
            data = archive.read(member)
        except KeyError:
            raise DataError(f"{archive.filename}: no member {member}") from None
        out[i] = load_face(data, crop, resolution)


def filter_description(cfg: dict[str, Any]) -> str:
    crop = cfg.get("crop")
    where = f"crop {crop} [top, left, size], then " if crop else ""
    return f"{where}PIL Lanczos resize to {cfg['resolution']}x{cfg['resolution']}"
