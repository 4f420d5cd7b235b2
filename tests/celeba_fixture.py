"""Tiny CelebA and CelebAMask-HQ files in the real layouts and formats, made from scratch."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

# CelebA's 40 attributes, in list_attr_celeba.txt's order.
NAMES = (
    "5_o_Clock_Shadow",
    "Arched_Eyebrows",
    "Attractive",
    "Bags_Under_Eyes",
    "Bald",
    "Bangs",
    "Big_Lips",
    "Big_Nose",
    "Black_Hair",
    "Blond_Hair",
    "Blurry",
    "Brown_Hair",
    "Bushy_Eyebrows",
    "Chubby",
    "Double_Chin",
    "Eyeglasses",
    "Goatee",
    "Gray_Hair",
    "Heavy_Makeup",
    "High_Cheekbones",
    "Male",
    "Mouth_Slightly_Open",
    "Mustache",
    "Narrow_Eyes",
    "No_Beard",
    "Oval_Face",
    "Pale_Skin",
    "Pointy_Nose",
    "Receding_Hairline",
    "Rosy_Cheeks",
    "Sideburns",
    "Smiling",
    "Straight_Hair",
    "Wavy_Hair",
    "Wearing_Earrings",
    "Wearing_Hat",
    "Wearing_Lipstick",
    "Wearing_Necklace",
    "Wearing_Necktie",
    "Young",
)
# CelebA file ids of the fixture images and their official partition codes.
PARTITION = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 0]


def jpeg(width: int, height: int, seed: int) -> bytes:
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def attributes(rows: list[str], seed: int) -> tuple[str, np.ndarray]:
    """list_attr_celeba.txt text (count, names, `FILE +-1 ...` rows) and the 0/1 truth."""
    values = np.random.default_rng(seed).integers(0, 2, (len(rows), len(NAMES)))
    lines = [str(len(rows)), " ".join(NAMES) + " "]
    for name, row in zip(rows, values, strict=True):
        lines.append(name + " " + " ".join(f"{2 * v - 1:2d}" for v in row))
    return "\n".join(lines) + "\n", values.astype(np.uint8)


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def celeba_files(folder: Path) -> dict[str, np.ndarray]:
    """img_align_celeba.zip (178x218 JPEGs), list_attr_celeba.txt, list_eval_partition.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{i:06d}.jpg" for i in range(1, len(PARTITION) + 1)]
    with zipfile.ZipFile(folder / "img_align_celeba.zip", "w") as archive:
        for i, name in enumerate(names):
            archive.writestr(f"img_align_celeba/{name}", jpeg(178, 218, i))
    text, truth = attributes(names, seed=1)
    (folder / "list_attr_celeba.txt").write_text(text)
    (folder / "list_eval_partition.txt").write_text(
        "".join(f"{n} {p}\n" for n, p in zip(names, PARTITION, strict=True))
    )
    return {"truth": truth}


def celebahq_files(folder: Path) -> dict[str, np.ndarray]:
    """CelebAMask-HQ.zip (images, attributes, mapping to CelebA) and list_eval_partition.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    hq = [f"{i}.jpg" for i in range(10)]
    celeba_ids = [119614 + 7 * i for i in range(10)]  # the CelebA file each HQ image comes from
    text, truth = attributes(hq, seed=2)
    mapping = ["idx         orig_idx    orig_file"] + [
        f"{i:<12d}{c - 1:<12d}{c:06d}.jpg" for i, c in enumerate(celeba_ids)
    ]
    with zipfile.ZipFile(folder / "CelebAMask-HQ.zip", "w") as archive:
        for i, name in enumerate(hq):
            archive.writestr(f"CelebAMask-HQ/CelebA-HQ-img/{name}", jpeg(256, 256, 100 + i))
        archive.writestr("CelebAMask-HQ/CelebAMask-HQ-attribute-anno.txt", text)
        archive.writestr("CelebAMask-HQ/CelebA-HQ-to-CelebA-mapping.txt", "\n".join(mapping))
        archive.writestr("CelebAMask-HQ/README.txt", "fixture")
    partition = [0, 0, 0, 0, 0, 1, 2, 2, 2, 0]
    (folder / "list_eval_partition.txt").write_text(
        "000001.jpg 0\n"
        + "".join(f"{c:06d}.jpg {p}\n" for c, p in zip(celeba_ids, partition, strict=True))
    )
    return {"truth": truth, "partition": np.array(partition)}
