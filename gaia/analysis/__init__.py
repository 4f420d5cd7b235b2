"""Latent-space analyses of trained models: attribute vectors, edits, interpolation metrics."""
