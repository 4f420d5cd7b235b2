"""Small helpers shared by every step: atomic file output, hashing, logging."""
