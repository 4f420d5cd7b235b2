"""Benchmark: images per second of the FID feature extractors, one JSON line per configuration.

    python benchmarks/fid_features.py [--images 64] [--weights PATH]

Inception runs with the real weights when --weights names them, else with a stand-in of the same
layout (gaia.metrics.inception_stand_in: the same cost). The domain extractor uses a randomly
initialised classifier of the default size. Inputs are 32x32 uint8 images (Inception resizes
them to 299x299, so the input size does not matter).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import torch

from gaia.analysis.classifier import AttributeClassifier, ClassifierConfig
from gaia.config import load_params
from gaia.data.synthfaces import ATTRIBUTES
from gaia.metrics.domain_features import FEATURES, register_domain_extractor
from gaia.metrics.extractors import INCEPTION, INCEPTION_LAYER
from gaia.metrics.fidelity import FeatureSpec, extract_features, load_extractor
from gaia.metrics.inception_stand_in import write_stand_in_weights


def images_per_s(spec: FeatureSpec, images: torch.Tensor, batch: int, channels_last: bool):
    extractor = load_extractor(spec)
    if not channels_last:
        extractor = extractor.to(memory_format=torch.contiguous_format)
    extract_features(images[:batch], extractor, batch)  # warm-up
    started = time.perf_counter()
    extract_features(images, extractor, batch)
    return len(images) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--weights", type=Path, help="torch-fidelity's Inception weights")
    args = parser.parse_args()
    params = load_params()
    torch.set_num_threads(params["training"]["cpu_threads"])
    machine = {"threads": torch.get_num_threads(), "processor": platform.processor()}
    images = torch.randint(0, 256, (args.images, 3, 32, 32), dtype=torch.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        weights = args.weights or write_stand_in_weights(Path(tmp) / "inception.pth")
        settings = params["analysis"]["classifier"]
        cfg = ClassifierConfig(32, 3, ATTRIBUTES, "binary", settings["width"], settings["features"])
        classifier = Path(tmp) / "classifier.pt"
        model = AttributeClassifier(cfg).eval()
        torch.save(
            {"modules": {"classifier": model.state_dict()}, "config": cfg.to_dict()}, classifier
        )
        runs = [("inception", FeatureSpec(INCEPTION, INCEPTION_LAYER, weights), args.images)]
        runs.append(
            ("domain", FeatureSpec(register_domain_extractor(), FEATURES, classifier), 2000)
        )
        for label, spec, count in runs:
            batch_images = torch.cat([images] * (count // len(images) + 1))[:count]
            for batch in (8, 32, 64) if label == "inception" else (32, 256):
                for channels_last in (False, True):
                    record = {
                        "extractor": label,
                        "stand_in_weights": label == "inception" and args.weights is None,
                        "batch_size": batch,
                        "channels_last": channels_last,
                        "images": count,
                        "images_per_s": round(
                            images_per_s(spec, batch_images, batch, channels_last), 1
                        ),
                        "cpu_cores": len(os.sched_getaffinity(0)),
                        **machine,
                    }
                    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
