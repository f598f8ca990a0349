"""Data-parallel training on several processes: torch.distributed's DDP.

Inside :func:`data_parallel`, every estimator of the package trains through
:class:`DistributedAutoencoderNet`, the usual :class:`~._net.AutoencoderNet`
with three differences: each process takes its share of every minibatch, the
forward pass goes through :class:`~torch.nn.parallel.DistributedDataParallel`
(which averages the gradients over the processes during ``backward``), and the
epoch losses are summed over the processes. Every process calls ``fit`` on the
same data and ends with the same model.
"""

import contextlib
import contextvars
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from ._data import BatchIterator, _permutation
from ._net import AutoencoderNet

__all__ = ["DistributedAutoencoderNet", "data_parallel", "net_class"]

_ACTIVE = contextvars.ContextVar("sklearn_ae_data_parallel", default=False)


def net_class():
    """The net estimators build now: data-parallel inside :func:`data_parallel`."""
    return DistributedAutoencoderNet if _ACTIVE.get() else AutoencoderNet


@contextlib.contextmanager
def data_parallel(backend=None):
    """Train every estimator fitted inside on all processes of a process group.

    Launch one process per device, e.g. ``torchrun --nproc_per_node=4
    train.py``, and in each run the same script::

        from sklearn_ae import StackedAE, data_parallel

        with data_parallel():
            ae = StackedAE(random_state=0).fit(X)  # same X in every process

    Each minibatch of ``batch_size`` rows is split between the processes and
    their gradients averaged (DistributedDataParallel), so the model follows
    the same steps as a single-process fit with the same ``batch_size``; the
    rows are not copied between processes, each holds ``X``. With an int
    ``random_state`` and no corruption noise or dropout, the result matches
    the single-process fit to float precision; the sparsity penalty of
    :class:`~sklearn_ae.SparseAE` is computed on each process's share.
    Full-batch L-BFGS is refused: use a stochastic optimizer.

    Parameters
    ----------
    backend : str, default=None
        Used only when no process group exists yet, which is then created from
        torchrun's environment (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``,
        ``MASTER_PORT``) and destroyed on exit. None picks ``"nccl"`` where CUDA
        is available, else ``"gloo"``. On GPUs each process uses
        ``cuda:LOCAL_RANK``.
    """
    created = False
    if not dist.is_available():
        raise RuntimeError("This torch build has no torch.distributed.")
    if not dist.is_initialized():
        if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
            raise RuntimeError(
                "data_parallel() found no process group and no RANK/WORLD_SIZE in the "
                "environment: launch the script with torchrun (e.g. torchrun "
                "--nproc_per_node=2 train.py) or call torch.distributed.init_process_group "
                "first."
            )
        cuda = torch.cuda.is_available()
        dist.init_process_group(backend or ("nccl" if cuda else "gloo"))
        created = True
    if torch.cuda.is_available() and "LOCAL_RANK" in os.environ:
        # device="cuda"/"auto" then means this process's GPU.
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    token = _ACTIVE.set(True)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
        if created:
            dist.destroy_process_group()


class ShardedBatchIterator(BatchIterator):
    """Each process's share of the same minibatches: rows ``[r n / W, (r+1) n / W)``.

    The permutation is process 0's, so every process walks the same batches
    even where their random generators differ.
    """

    def __init__(self, data, batch_size, rank, world_size, generator=None):
        super().__init__(data, batch_size, shuffle=True, generator=generator)
        self.rank, self.world_size = rank, world_size
        self.batch_rows = 0  # rows of the current minibatch over all processes

    def __iter__(self):
        n, size = len(self.data), self.batch_size
        order = _on_backend_device(_permutation(n, self.generator, torch.device("cpu")))
        dist.broadcast(order, src=0)
        order = order.to(self.data.device)
        for start in range(0, n, size):
            batch = order[start : start + size]
            self.batch_rows = len(batch)
            lo, hi = (len(batch) * k // self.world_size for k in (self.rank, self.rank + 1))
            x = self.data.take(batch[lo:hi])
            yield x, x


def _on_backend_device(tensor):
    # NCCL communicates CUDA tensors only; gloo takes CPU ones.
    if dist.get_backend() == "nccl":
        return tensor.cuda()
    return tensor


class DistributedAutoencoderNet(AutoencoderNet):
    """:class:`~._net.AutoencoderNet` that trains on all processes of the process group."""

    ddp_ = shards_ = None

    def initialize(self):
        super().initialize()
        if self.optimizer is torch.optim.LBFGS:
            raise ValueError(
                "data_parallel() needs a stochastic optimizer: L-BFGS's line search would "
                "differ between processes. Pass optimizer='adam' (or 'adamw', 'sgd')."
            )
        return self

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        if self.generator is not None:
            # Process 0's random stream for all: with random_state=None each
            # process drew its own seed, and the validation split must agree.
            state = _on_backend_device(self.generator.get_state())
            dist.broadcast(state, src=0)
            self.generator.set_state(state.cpu())
        # DDP broadcasts process 0's weights, then averages gradients.
        device = next(self.module_.parameters()).device
        device_ids = [device] if device.type == "cuda" else None
        # In a list: skorch allows module attributes only from initialize().
        self.ddp_ = [DistributedDataParallel(self.module_, device_ids=device_ids)]

    def on_train_end(self, net, **kwargs):
        # Both hold what must not be pickled with the fitted net: the
        # process group, the training rows.
        self.ddp_ = self.shards_ = None
        super().on_train_end(net, **kwargs)

    def get_iterator(self, dataset, training=False):
        if not training:  # every process evaluates all validation rows
            return super().get_iterator(dataset, training)
        size = len(dataset) if self.batch_size == -1 else self.batch_size
        self.shards_ = ShardedBatchIterator(
            dataset, size, dist.get_rank(), dist.get_world_size(), self.generator
        )
        return self.shards_

    def _train_forward(self, x):
        return self.ddp_[0](x)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if training and y_true.shape[0] == 0:
            # A last minibatch smaller than the process count leaves some
            # process no rows; it still joins DDP's gradient averaging.
            return sum(p.sum() for p in self.module_.parameters()) * 0.0
        return super().get_loss(y_pred, y_true, X=X, training=training)

    def train_step_single(self, batch, **fit_params):
        # DDP averages gradients over processes; weighting each process's mean
        # loss by its share of the minibatch makes that the minibatch's mean.
        self.loss_weight_ = len(batch[0]) * dist.get_world_size() / self.shards_.batch_rows
        return super().train_step_single(batch, **fit_params)

    def _backward(self, loss):
        (loss * self.loss_weight_).backward()

    def _epoch_loss(self, total, count, training):
        if not training:
            return super()._epoch_loss(total, count, training)
        sums = torch.stack([total.double(), total.new_tensor(count, dtype=torch.float64)])
        sums = _on_backend_device(sums)
        dist.all_reduce(sums)
        return (sums[0] / sums[1]).item()
