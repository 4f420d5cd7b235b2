"""Wall and CPU time of each pipeline stage, from the benchmark tables Snakemake writes.

    python benchmarks/pipeline_stages.py [results/benchmarks]

Every rule has a `benchmark:` file, results/benchmarks/RULE/NAME.tsv (one row per job: wall
seconds `s`, peak memory and more). This prints a markdown table of the jobs and one of the
stages (sums over each rule's jobs). Jobs run side by side, so the sum of wall times exceeds the
run's wall time. Snakemake's `cpu_time` column is left out: it is sampled, and undercounts short
jobs (a 44 s one-thread job on a busy core showed 15 s).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from gaia.report.markdown import table


def read_benchmarks(root: Path) -> pd.DataFrame:
    """One row per job: rule, job name, wall seconds, peak RSS in MB."""
    tables = []
    for path in sorted(root.glob("*/*.tsv")):
        table = pd.read_csv(path, sep="\t")
        tables.append(table.assign(rule=path.parent.name, job=path.stem))
    if not tables:
        raise SystemExit(f"{root}: no benchmark tables; run `snakemake --cores 2 all` first")
    jobs = pd.concat(tables, ignore_index=True)
    jobs = jobs.rename(columns={"s": "wall_s", "max_rss": "max_rss_mb"})
    return jobs[["rule", "job", "wall_s", "max_rss_mb"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path("results/benchmarks"))
    jobs = read_benchmarks(parser.parse_args().root).round(1)
    print("\n".join(table(list(jobs.columns), jobs.to_numpy().tolist())))
    stages = (
        jobs.groupby("rule")["wall_s"].agg(["count", "sum"]).sort_values("sum", ascending=False)
    )
    stages.loc["(all jobs)"] = stages.sum()
    rows = [[rule, int(count), f"{wall:.1f}"] for rule, (count, wall) in stages.iterrows()]
    print("\n".join(table(["stage", "jobs", "wall s (sum)"], rows)))


if __name__ == "__main__":
    main()
