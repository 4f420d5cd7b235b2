"""Image-set metrics: FID and KID through torch-fidelity."""
