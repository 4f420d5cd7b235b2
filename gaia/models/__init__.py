"""Networks: the GAIA content/style autoencoder (G and D) and helpers."""
