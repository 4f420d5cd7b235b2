"""Markdown reports built from metric files (never recomputed here)."""
