# The workflow lives in workflow/ (snakemake-workflows layout); this file makes `snakemake` work
# from the repository root.
include: "workflow/Snakefile"


# Snakemake keeps the including file's default target, not the included one's (`default_target`
# of `all` in workflow/Snakefile is dropped), so a bare `snakemake` would build nothing: this
# rule makes it build `all`.
rule default:
    default_target: True
    input:
        rules.all.input,
