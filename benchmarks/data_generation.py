"""Benchmark: images per second of the dataset generators, one JSON line per configuration.

    python benchmarks/data_generation.py [--count 2048]

Uses the generator settings of params.yaml; varies the synthfaces batch size and worker count
(the result is the same bytes for every setting, only the speed differs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from gaia.config import load_params
from gaia.data import lines, synthfaces


def timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2048)
    args = parser.parse_args()
    params = load_params()
    machine = {"cpu_cores": len(os.sched_getaffinity(0)), "processor": platform.processor()}
    faces_cfg = params["datasets"]["synthfaces"]
    faces = synthfaces.sample_faces(faces_cfg, args.count, np.random.SeedSequence(0))
    for resolution in (32, 64, 128):
        count = args.count if resolution == 32 else args.count // (resolution // 32) ** 2
        for batch_size, workers in ((32, 1), (128, 1), (32, None)):
            seconds = timed(
                synthfaces.render,
                faces.iloc[:count],
                resolution,
                faces_cfg["supersample"],
                batch_size=batch_size,
                progress=False,
                workers=workers,
            )
            record = {
                "generator": "synthfaces",
                "resolution": resolution,
                "supersample": faces_cfg["supersample"],
                "batch_size": batch_size,
                "workers": workers or machine["cpu_cores"],
                "images": count,
                "images_per_s": round(count / seconds, 1),
                **machine,
            }
            print(json.dumps(record), flush=True)
    lines_cfg = params["datasets"]["lines"]
    angles = np.random.default_rng(0).uniform(0, 2 * np.pi, args.count)
    seconds = timed(
        lines.render_lines,
        angles,
        lines_cfg["resolution"],
        lines_cfg["supersample"],
        lines_cfg["line_width"],
    )
    record = {
        "generator": "lines",
        "resolution": lines_cfg["resolution"],
        "supersample": lines_cfg["supersample"],
        "images": args.count,
        "images_per_s": round(args.count / seconds, 1),
        **machine,
    }
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
