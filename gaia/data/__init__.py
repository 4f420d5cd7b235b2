"""Datasets: generators (synthfaces, lines), downloads with checksums, the split store."""
