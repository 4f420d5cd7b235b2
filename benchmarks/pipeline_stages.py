"""Wall and CPU time of each pipeline stage, from the benchmark tables Snakemake writes.

    python benchmarks/pipeline_stages.py [results/benchmarks]

Every rule has a `benchmark:` file, results/benchmarks/RULE/NAME.tsv (one row per job: wall
seconds `s`, peak memory, `cpu_time` in CPU seconds). This prints a markdown table of the jobs
and one of the stages (sums over each rule's jobs). Jobs without `threads` (figures, reports,
statistics) run beside the others, so the sum of wall times exceeds the run's wall time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from gaia.report.markdown import table


def read_benchmarks(root: Path) -> pd.DataFrame:
    """One row per job: rule, job name, wall seconds, CPU seconds, peak RSS in MB."""
    tables = []
    for path in sorted(root.glob("*/*.tsv")):
        table = pd.read_csv(path, sep="\t")
        tables.append(table.assign(rule=path.parent.name, job=path.stem))
    if not tables:
        raise SystemExit(f"{root}: no benchmark tables; run `snakemake --cores 2 all` first")
    jobs = pd.concat(tables, ignore_index=True)
    return jobs.rename(columns={"s": "wall_s", "cpu_time": "cpu_s", "max_rss": "max_rss_mb"})[
        ["rule", "job", "wall_s", "cpu_s", "max_rss_mb"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path("results/benchmarks"))
    jobs = read_benchmarks(parser.parse_args().root).round(1)
    print("\n".join(table(list(jobs.columns), jobs.to_numpy().tolist())))
    stages = jobs.groupby("rule")[["wall_s", "cpu_s"]].sum().sort_values("wall_s", ascending=False)
    stages.loc["(all jobs)"] = stages.sum()
    rows = [[rule, f"{wall:.1f}", f"{cpu:.1f}"] for rule, (wall, cpu) in stages.iterrows()]
    print("\n".join(table(["stage", "wall s", "cpu s"], rows)))


if __name__ == "__main__":
    main()
