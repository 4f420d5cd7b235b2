"""Data-parallel training over processes started by torchrun (`training.processes`).

Every rank holds the same networks (same seed, then a broadcast from rank 0) and takes its
slice of the global batch; the global batch and its order are those of one process, so with
one process nothing changes. After each backward pass the gradients are averaged over the
ranks (one all-reduce per network), so that every rank takes the same optimiser step and the
weights stay identical. Not torch's DistributedDataParallel wrapper: GAIA takes two gradients
of one graph with torch.autograd.grad, which DDP's reducer (hooked on .backward()) does not see.

What differs from one process with the same global batch (docs/method.md §2.6): the
interpolation pairs and the distance regulariser's pairs are formed within each rank's slice.
The balancing terms (p_fake, p_s, lr_D / lr_G) read the three reconstruction losses averaged
over all ranks (`global_mean`), so they are those of the global batch and equal on every rank.
"""

from __future__ import annotations

import ctypes
import datetime
import os
import signal
import sys
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import Tensor, nn

from gaia.errors import GaiaError


@dataclass(frozen=True)
class Ranks:
    """This process's place among the training processes (rank 0 of 1 without torchrun)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0 writes the logs, the grids, the checkpoints and the outputs."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def shard(self, batch: Tensor) -> Tensor:
        """This rank's contiguous slice of a global batch (or of its alphas)."""
        if not self.distributed:
            return batch
        size = batch.shape[0] // self.world_size
        return batch[self.rank * size : (self.rank + 1) * size]

    def mean(self, values: Tensor) -> Tensor:
        """The mean over ranks of `values` (detached; the same tensor on one process)."""
        if not self.distributed:
            return values
        values = values.detach().clone()
        dist.all_reduce(values)
        return values / self.world_size

    def average_gradients(self, grads: list[Tensor]) -> list[Tensor]:
        """The mean over ranks of one network's gradients, in one all-reduce of a flat buffer."""
        if not self.distributed:
            return grads
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        flat /= self.world_size
        out, start = [], 0
        for g in grads:
            out.append(flat[start : start + g.numel()].view_as(g).to(memory_format=_format(g)))
            start += g.numel()
        return out

    def broadcast_weights(self, modules: dict[str, nn.Module]) -> None:
        """Rank 0's weights everywhere (they are equal already: a guard, once, at the start)."""
        if self.distributed:
            for module in modules.values():
                for tensor in module.state_dict().values():
                    dist.broadcast(tensor, src=0)


SINGLE_PROCESS = Ranks()


def _format(t: Tensor) -> torch.memory_format:
    return (
        torch.channels_last
        if t.dim() == 4 and t.is_contiguous(memory_format=torch.channels_last)
        else torch.contiguous_format
    )


def global_mean_through(ranks: Ranks):
    """f(losses) = losses with the values of their mean over ranks and the gradient of the local
    losses (straight-through): a nonlinear term of these means (p_fake, p_s, the clip) then has
    the global batch's value, and the gradients averaged over ranks are the global batch's."""
    if not ranks.distributed:
        return None

    def through(losses: Tensor) -> Tensor:
        return losses + (ranks.mean(losses) - losses.detach())

    return through


def launched_ranks() -> int:
    """How many processes torchrun started this one among (1 without torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def init_ranks(processes: int, batch_size: int, device_preference: str) -> Ranks:
    """Join the process group torchrun set up (env:// rendezvous), or stay a single process.
    NCCL on CUDA, gloo on the CPU; each rank takes the GPU of its LOCAL_RANK."""
    world_size = launched_ranks()
    if world_size != processes:
        raise GaiaError(
            f"training.processes is {processes} but torchrun started {world_size} process(es); "
            f"run `gaia train` without torchrun (it starts torchrun itself) or set "
            f"training.processes to {world_size}"
        )
    if batch_size % (2 * world_size):
        raise GaiaError(
            f"training.batch_size {batch_size} must split into {world_size} even per-process "
            f"batches (interpolation pairs each half); use a multiple of {2 * world_size}"
        )
    if world_size == 1:
        return SINGLE_PROCESS
    die_with_launcher()
    ranks = Ranks(int(os.environ["RANK"]), world_size, int(os.environ.get("LOCAL_RANK", "0")))
    cuda = device_preference != "cpu" and torch.cuda.is_available()
    if cuda:
        torch.cuda.set_device(ranks.local_rank)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo", timeout=datetime.timedelta(minutes=30))
    return ranks


def die_with_launcher() -> None:
    """Have the kernel SIGKILL this rank when torchrun's agent (its parent) dies (Linux).

    torchrun starts each rank in a session of its own, so killing the launcher's process
    group (SIGKILL from a user, a scheduler or a test) leaves the ranks training on as
    orphans that still hold the experiment's lock and write its files.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not fatal: only the clean-up after a killed launcher is lost
    if parent == 1 or os.getppid() != parent:  # the launcher died before the prctl
        os._exit(1)


def close_ranks(ranks: Ranks) -> None:
    if ranks.distributed and dist.is_initialized():
        dist.destroy_process_group()
