"""Greedy layer-wise pretraining of a dense stack (Bengio et al., 2007).

Each encoder layer and its decoder twin are trained as a shallow autoencoder
on the codes of the layers below, through the estimator's own engine
(:meth:`BaseAutoencoder._make_net`): same solver, batches, corruption and
weight decay; the learning rate may be its own. The pairs hold the stack's own
layers, so when the stages are done the stack is initialised and the usual fit
fine-tunes it end to end.
"""

import torch

from ._base import L2Penalty
from ._data import RowData
from ._losses import ReconstructionLoss

__all__ = ["greedy_pretrain"]


def _encode_rows(encode, data, batch_size):
    with torch.no_grad():
        parts = [
            encode(data.take(slice(start, start + batch_size)))
            for start in range(0, len(data), batch_size)
        ]
    return RowData(torch.cat(parts), data.device)


def greedy_pretrain(estimator, module, data, max_iter, generator=None):
    """Train the layer pairs of ``module`` one after the other, input side first.

    Stages use all of ``data`` (no validation split) and no penalty but
    weight decay: the sparsity or contraction terms are about the final code, which only the
    fine-tuning sees. Corruption does apply, so a denoising estimator
    pretrains a stacked denoising autoencoder (Vincent et al., 2010).

    Parameters
    ----------
    estimator : BaseAutoencoder
        Supplies the training settings; its ``pretrain_learning_rate_init``,
        where set, replaces ``learning_rate_init``.
    module : DenseAutoencoder
        Trained in place.
    data : RowData
        The training rows.
    max_iter : int
        Epochs per stage.
    generator : torch.Generator or None
        The fit's random stream (shuffling, corruption).

    Returns
    -------
    loss_curves : list of list of float
        Training loss of each epoch, one list per stage.
    """
    curves = []
    n_layers = len(module.encoder_layers)
    for i in range(n_layers):
        pair = module.layer_pair(i)
        # Deeper stages reconstruct hidden activations, for which the squared
        # error is the natural loss whatever the estimator's loss on the input.
        criterion = estimator._build_criterion() if i == 0 else ReconstructionLoss("mse")
        net = estimator._make_net(
            None,
            data.device,
            len(data),
            max_iter=max_iter,
            learning_rate_init=getattr(estimator, "pretrain_learning_rate_init", None),
            pretraining=True,
            module=pair,
            criterion=criterion,
            validation_fraction=None,
            generator=generator,
        )
        net.penalties = [p for p in net.penalties if isinstance(p, L2Penalty)]
        if hasattr(net.corruption, "bind"):  # each stage masks its own input's values
            net.corruption.bind(data)
        net.partial_fit(data)
        curves.append(list(net.history[:, "train_loss"]))
        if i < n_layers - 1:
            pair.eval()
            data = _encode_rows(pair.encode, data, 1024)
    return curves
