"""The sizes of one autoencoder network (G or D); see gaia/models/autoencoder.py."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class AutoencoderConfig:
    resolution: int = 128  # image side
    channels: int = 3  # image channels
    width: int = 64  # channels of the first conv ("ch")
    n_down: int = 2  # content down-samplings ("n_sample")
    n_res: int = 4  # residual blocks in encoder and decoder
    style_down: int = 4  # style-encoder down-samplings
    style_dim: int = 512  # style code size
    content_dim: int | None = 512  # dense content code size; None: no bottleneck (D)
    # VAE baseline: the encoders also give each code's log-variance (a Gaussian posterior).
    variational: bool = False

    @property
    def feature_channels(self) -> int:
        return self.width * 2**self.n_down

    @property
    def feature_size(self) -> int:
        return self.resolution // 2**self.n_down

    def __post_init__(self) -> None:
        if self.resolution % 2 ** max(self.n_down, self.style_down):
            steps = max(self.n_down, self.style_down)
            raise ValueError(
                f"resolution {self.resolution} must be divisible by 2**{steps} "
                "(each of n_down and style_down halves it)"
            )

    def to_dict(self) -> dict:
        """The sizes as a dict; `variational` only when set, so that the experiments (and the
        checkpoints' compatibility hashes) of the other models read as before it existed."""
        sizes = asdict(self)
        if not self.variational:
            del sizes["variational"]
        return sizes
