"""Training: GAIA's objective and the AE baseline, one resumable trainer."""
