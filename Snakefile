# The workflow lives in workflow/ (snakemake-workflows layout); this file makes `snakemake` work
# from the repository root.
include: "workflow/Snakefile"
