"""``partial_fit``: training continued block by block, on one model.

:class:`PartialFitMixin` is the incremental half of
:class:`~sklearn_ae._base.BaseAutoencoder`'s fitting: it shares ``_train``,
``_set_fitted`` and the warm-start checks with ``fit``
(:mod:`sklearn_ae._fitting`) and adds what a run over many calls needs: a net
rebuilt when training parameters change between calls, per-call seeds, and a
failed call rolled back to the weights, optimizer state and history before it.
"""

import copy
import sys

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if

from ._checks import check_partial_fit_call
from ._data import RowData
from ._data_scale import check_data_scale, check_noise_scale
from ._fitting import _same_param
from ._runtime import (
    compute_context,
    make_generator,
    resolve_device,
    seed_from_random_state,
    seeded_global_rng,
)

__all__ = ["PartialFitMixin"]


class PartialFitMixin:
    """``partial_fit`` and its machinery, for :class:`~sklearn_ae._base.BaseAutoencoder`."""

    def _check_partial_fit(self):
        if self.solver == "lbfgs":
            raise AttributeError(
                f"partial_fit needs a stochastic optimizer, but {type(self).__name__} has "
                "solver='lbfgs', which works on the whole data at once: pass "
                "solver='adam' (or 'sgd')."
            )
        return True

    @available_if(_check_partial_fit)
    def partial_fit(self, X, y=None, *, epochs=1):
        """Continue training on the batch ``X``: ``epochs`` passes over it (default one).

        The first call initialises the model; later calls keep the weights and
        the optimizer's state (Adam's moments, momentum) and expect the same
        features. Feed a data set larger than memory block by block, e.g.
        ``for block in sklearn_ae.utils.iter_chunks(X_memmap, 10_000):
        ae.partial_fit(block)`` once per epoch. Only the block given is held in
        memory; it is split into minibatches of ``batch_size`` rows as in
        :meth:`fit`. Available for the stochastic optimizers (not
        ``solver="lbfgs"``), as for scikit-learn's ``MLPRegressor``.

        An iteration is one pass over the batch given: ``n_iter_`` counts the
        passes of all calls since the model was initialised (by the first
        ``partial_fit`` or by :meth:`fit`), and ``loss_curve_`` holds each
        pass's mean training loss on its own batch. ``max_iter``, ``tol`` and
        ``n_iter_no_change`` apply within one call only, with ``epochs`` in place
        of ``max_iter``, so they never end later calls: the caller decides when
        to stop, e.g. on :meth:`score` of held-out rows. The calls are one run
        for the learning-rate schedules: ``"cosine"`` decays over ``max_iter``
        passes counted across calls (then starts a new cycle), ``"adaptive"``
        keeps a rate it lowered, ``"invscaling"`` counts all samples seen.
        ``early_stopping=True``
        and greedy pretraining need the whole data set and are refused; fit a
        first block with :meth:`fit` to pretrain, then continue with
        ``partial_fit``. Training parameters changed between calls (the rate,
        the solver's settings, ``noise``, ``batch_size``) apply from the next
        call, which keeps the optimizer's state unless ``solver`` changed; one
        that shapes the network (``n_components``, ``hidden_layer_sizes``, ...)
        is refused: call :meth:`fit` for a new model. A call that fails leaves
        the model as it was; Ctrl-C keeps the passes completed, as in :meth:`fit`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One batch (block) of training data.
        y : Ignored
            Not used, present for API consistency by convention.
        epochs : int, default=1
            Passes over ``X`` in this call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        self._validate_params()
        check_partial_fit_call(self, epochs)
        if self.neighbor_loss is not None:
            raise ValueError(
                f"partial_fit does not support neighbor_loss={self.neighbor_loss!r}: the "
                "neighbour graph is built from the whole training set. Call fit (with "
                "warm_start=True to continue a model), or set neighbor_loss=None."
            )
        if getattr(self, "pretrain", None) is not None:
            raise ValueError(
                f"partial_fit does not support pretrain={self.pretrain!r}, which trains "
                "layer by layer on the whole data set: call fit on a first block to "
                "pretrain, then partial_fit on the others, or set pretrain=None."
            )
        before = dict(vars(self))
        state = _training_state(self.net_) if hasattr(self, "net_") else None
        try:
            self._partial_fit(X, int(epochs))
        except BaseException as exc:
            # As for fit: Ctrl-C keeps the epochs completed (_train made them
            # the model); a failed call leaves the model as it was.
            if isinstance(exc, KeyboardInterrupt) and (
                vars(self).get("n_iter_") != before.get("n_iter_")
            ):
                vars(self).pop("validation_loss_curve_", None)  # of an earlier fit
                vars(self).pop("best_validation_loss_", None)
                raise
            vars(self).clear()
            vars(self).update(before)
            if state is not None:
                _restore_training_state(self.net_, state)
            raise
        return self

    def _partial_fit(self, X, epochs):
        first = not hasattr(self, "net_")
        X = self._validate_input(X, reset=first)
        spread = check_data_scale(X, type(self).__name__, self.loss)
        check_noise_scale(self, spread)
        device = resolve_device(self.device) if first else torch.device(self.net_.device)
        seed = seed_from_random_state(self.random_state)
        if first:
            with seeded_global_rng(seed):
                # Batches of batch_size rows whatever the first block's length.
                net = self._make_net(X.shape[1], device, sys.maxsize)
        else:
            self._check_same_model("partial_fit", "Call fit")
            net = self._net_with_current_settings(X.shape[1])
            # An int random_state would otherwise replay the first call's
            # shuffles and noise on every block.
            seed = int(np.random.SeedSequence([seed, len(net.history)]).generate_state(1)[0])
        net.generator = make_generator(seed, device)
        net.max_epochs = epochs
        net.validation_fraction = None  # a net from fit(early_stopping=True)
        schedule = dict(net.callbacks_).get("schedule")
        if schedule is not None:
            schedule.resume = True
        with compute_context(self._training_threads(net, X.shape[0])):
            data = RowData(X, device)
            if first:
                self._pretrain(net, data)
            self._train(net, data)
        for name in ("validation_loss_curve_", "best_validation_loss_"):
            vars(self).pop(name, None)
        self._set_fitted(net)

    def _net_with_current_settings(self, n_features):
        """``net_``, or a copy built from the current training parameters if any changed.

        Between ``partial_fit`` calls a user may change the rate, the solver's
        settings, the noise or the batch size (a schedule of their own). The
        copy keeps the weights, the history and, for the same solver, the
        optimizer's state (Adam's moments, momentum) with the new settings.
        """
        net = self.net_
        fitted = getattr(self, "_params_at_fit", {})
        current = self.get_params(deep=False)
        per_call = {"random_state", "max_iter", "warm_start"}  # read by each call itself
        if all(
            _same_param(current[name], fitted[name])
            for name in fitted.keys() - per_call
            if name in current
        ):
            return net
        new = self._continued_net(n_features, torch.device(net.device), sys.maxsize)
        if self.solver == fitted.get("solver"):
            settings = [
                {k: v for k, v in group.items() if k != "params"}
                for group in new.optimizer_.param_groups
            ]
            new.optimizer_.load_state_dict(net.optimizer_.state_dict())
            for group, setting in zip(new.optimizer_.param_groups, settings, strict=True):
                group.update(setting)
        return new


def _training_state(net):
    """What training changes in ``net``: weights, optimizer state and history."""
    return {
        "module": copy.deepcopy(net.module_.state_dict()),
        "optimizer": copy.deepcopy(net.optimizer_.state_dict()),
        "history": copy.deepcopy(net.history),
        "max_epochs": net.max_epochs,
        "validation_fraction": net.validation_fraction,
    }


def _restore_training_state(net, state):
    net.module_.load_state_dict(state["module"])
    net.optimizer_.load_state_dict(state["optimizer"])
    net.history = state["history"]
    net.max_epochs = state["max_epochs"]
    net.validation_fraction = state["validation_fraction"]
