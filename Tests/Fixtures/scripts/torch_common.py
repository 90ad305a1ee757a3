"""Helpers shared by the PyTorch fixture generators."""

import numpy as np
import torch


def randn(*shape):
    """Standard normal float32 values from torch's seeded global generator."""
    return torch.randn(*shape, dtype=torch.float32)


def arr(tensor):
    """A detached float32 numpy copy of a tensor."""
    return tensor.detach().cpu().numpy().astype(np.float32)
