"""The training side of the fine-tuned estimators: skorch nets, head, fit checks.

The nets are skorch's ``NeuralNetClassifier``/``NeuralNetRegressor`` with the
autoencoders' rules for ending training: our stopping rule ends it with
:class:`~sklearn_ae._net.StopTraining`, and a Ctrl-C rewinds the unfinished
epoch and reaches the caller (skorch's ``partial_fit`` would swallow it).
What comes out is judged by the autoencoders' :class:`FitDiagnostics`, on the
training loss against the loss of a constant prediction.
"""

import itertools

import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from torch import nn

from ._data import evenly_spaced_rows
from ._diagnostics import FitDiagnostics
from ._net import StopTraining, rewind_unfinished_epoch
from .modules import ACTIVATIONS

__all__ = ["ClassifierNet", "Interrupted", "RegressorNet", "TrainingLossDiagnostics", "mlp_head"]

# Training rows (at most) on which a fit is judged, as for the autoencoders.
_SAMPLE_ROWS = 2048


class Interrupted(Exception):
    """Carries a Ctrl-C past skorch's ``partial_fit``, which would swallow it."""


class _Stoppable:
    """A skorch net that ends on :class:`StopTraining` and rewinds an interrupted epoch.

    On Ctrl-C the unfinished epoch is dropped (history row and weights, from
    the ``"snapshot"`` callback), the callbacks see the end of training (the
    best validation weights are restored), and :class:`Interrupted` leaves.
    """

    def fit_loop(self, X, y=None, *args, **kwargs):
        try:
            return super().fit_loop(X, y, *args, **kwargs)
        except StopTraining:
            return self
        except KeyboardInterrupt as exc:
            rewind_unfinished_epoch(self, validation=self.train_split is not None)
            self.notify("on_train_end", X=X, y=y)
            raise Interrupted from exc


class ClassifierNet(_Stoppable, NeuralNetClassifier):
    pass


class RegressorNet(_Stoppable, NeuralNetRegressor):
    pass


def mlp_head(n_in, hidden_layer_sizes, n_out, activation):
    sizes = [n_in, *hidden_layer_sizes]
    layers = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), ACTIVATIONS[activation]()]
    return nn.Sequential(*layers, nn.Linear(sizes[-1], n_out))


class _CodeAndOutput(nn.Module):
    """``nn.Sequential(encoder, head)`` answering as an autoencoder module does."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, x):
        code = self.network[0](x)
        return {"code": code, "recon": self.network[1](code)}


class TrainingLossDiagnostics(FitDiagnostics):
    """:class:`FitDiagnostics` on a supervised loss: the same rules, other words.

    Parameters
    ----------
    per_sample : callable
        ``per_sample(output, target) -> tensor of shape (n_rows,)``.
    X, target : ndarray
        The training rows and their targets as the net takes them.
    constant : torch.Tensor of shape (1, n_outputs)
        The best constant output (log class frequencies, mean target): its
        loss is the baseline, as the mean's error is an autoencoder's.
    baseline_name : str
        How the messages call that constant prediction.
    device : torch.device
    """

    def __init__(self, per_sample, X, target, constant, baseline_name, device):
        rows = evenly_spaced_rows(len(X), _SAMPLE_ROWS)
        self.sample = torch.as_tensor(X[rows]).to(device)
        self.target = torch.as_tensor(target[rows]).to(device)
        self.per_sample = per_sample
        constant = constant.to(device)
        self.baseline = self._mean_error(constant.expand(len(self.target), -1))
        # As for autoencoders: where the constant is exact (one class, a
        # constant target), float32 rounding is not divergence.
        mean_square = float(self.target.float().pow(2).mean()) if self.target.numel() else 0.0
        self.negligible = 1e-3 * mean_square if self.baseline <= 1e-6 * mean_square else 0.0
        self.messages = {
            "diverged": (
                "{name} ended with a training loss of {final:.4g}, above both its loss before "
                "training ({start:.4g}) and the loss of " + baseline_name + " ({baseline:.4g}): "
                "training diverged. {advice}"
            ),
            "dead": (
                "Every code unit of {name}'s fine-tuned encoder is constant on the training "
                "data (dead codes): every sample gets the same prediction. Lower "
                "learning_rate_init, or change the autoencoder."
            ),
            "useless": (
                "{name}'s training loss ({final:.4g}) is no lower than the loss of "
                + baseline_name
                + " ({baseline:.4g}): the model learned nothing. Train longer (max_iter), "
                "raise learning_rate_init, or scale the data."
            ),
        }

    def _mean_error(self, output):
        with torch.no_grad():
            return float(self.per_sample(output, self.target).mean())

    def error(self, network):
        return super().error(_CodeAndOutput(network))

    def check(self, name, network, start_error, advice):
        super().check(name, _CodeAndOutput(network), start_error, advice)
