"""Figures, one module each; every figure is written as PNG and PDF."""
