"""How an autoencoder is fitted: ``fit``, warm start and the checks of what came out.

:class:`FitMixin` is the fitting half of
:class:`~sklearn_ae._base.BaseAutoencoder`: it validates ``X``, gets a net
from ``_make_net`` (:mod:`sklearn_ae._netbuild`) or continues the fitted one,
runs the hooks (``_pretrain``), trains, judges the result
(:class:`~sklearn_ae._diagnostics.FitDiagnostics`) and stores the fitted
attributes. Its methods are the estimator's: subclasses override them as hooks.
"""

import copy
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._callbacks import divergence_advice
from ._checks import restored_on_failure
from ._data import RowData
from ._data_scale import check_data_scale, check_noise_scale
from ._diagnostics import MEAN_PLATEAU_SHARE, FitDiagnostics
from ._neighbors import NeighborLoss
from ._runtime import (
    choose_num_threads,
    compute_context,
    draw_seed,
    make_generator,
    resolve_device,
    seed_from_random_state,
    seeded_global_rng,
)
from ._tsne_map import TSNEMap, unit_map

__all__ = ["FitMixin"]


def _same_param(a, b):
    """Whether two values of one parameter are the same setting (lists equal tuples)."""
    if isinstance(a, list | tuple | np.ndarray) and isinstance(b, list | tuple | np.ndarray):
        return len(a) == len(b) and all(_same_param(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except (TypeError, ValueError, RuntimeError):
        return a is b


class FitMixin:
    """``fit`` and its machinery, for :class:`~sklearn_ae._base.BaseAutoencoder`."""

    def fit(self, X, y=None, X_val=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse input is densified one batch at a time.
        y : Ignored
            Not used, present for API consistency by convention.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Your own validation set, as Keras's ``validation_data`` and
            ``HistGradientBoostingRegressor``'s ``X_val``: its loss is
            recorded every epoch (``validation_loss_curve_``) and, with
            ``early_stopping=True``, it replaces the random hold-out of
            ``validation_fraction``: training stops on its loss and keeps the
            weights of its best epoch. Without ``early_stopping`` the stopping
            rule watches the training loss. Inside a
            :class:`~sklearn.pipeline.Pipeline` or a grid search, request it
            with ``set_fit_request(X_val=True)`` (metadata routing), and pass
            ``transform_input=["X_val"]`` to the pipeline so that the steps
            before transform it as they transform ``X``. A search splits
            metadata with as many rows as ``X`` by its folds, as it splits
            ``X``: give ``X_val`` another number of rows there.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        FloatingPointError
            Training diverged: the loss or the weights became NaN or infinite,
            or the reconstruction error ended above both its value before
            training and the error of predicting the mean of the data.
        ValueError
            ``X`` holds values beyond 1e15 in magnitude (scale the data), or a
            warm start would change a parameter that shapes the model.
        KeyboardInterrupt
            Ctrl-C stops the whole fit (pretraining stages too) and propagates.
            The estimator then holds the epochs completed so far (weights,
            ``n_iter_`` and ``loss_curve_`` agree) or, when none completed,
            its state before the call.

        Warns
        -----
        ConvergenceWarning
            ``max_iter`` ended training before the stopping rule did; every
            code unit is constant on the training data (dead codes); or the
            reconstruction is no better than the mean's. Training does not
            stop on a plateau while the model is still that close to the mean.
        UserWarning
            The data's spread is far from the unit scale the defaults expect.

        Notes
        -----
        Any other failure leaves an earlier fitted model exactly as it was.
        """
        self._validate_params()
        self._warn_inactive_parameters()
        with restored_on_failure(self):
            self._fit(X, X_val)
        return self

    def _check_same_model(self, how, remedy):
        """Raise if a parameter that shapes the model changed since it was initialised.

        ``how`` says what continues the model, ``remedy`` how to start a new one.
        """
        fitted = getattr(self, "_params_at_fit", {})
        for name, value in self.get_params(deep=False).items():
            if name in self._warm_start_mutable or name not in fitted:
                continue
            if not _same_param(value, fitted[name]):
                raise ValueError(
                    f"{how} continues training the fitted model, which was built with "
                    f"{name}={fitted[name]!r}; it cannot take {name}={value!r}. {remedy} "
                    "to start a new model, or restore the parameter."
                )

    def _fit(self, X, X_val=None):
        warm = self.warm_start and hasattr(self, "net_")
        if warm:
            self._check_same_model("warm_start=True", "Set warm_start=False")
        X = self._validate_input(X, reset=not warm)
        if X_val is not None:
            X_val = self._validate_input(X_val, reset=False)
        spread = check_data_scale(X, type(self).__name__, self.loss)
        check_noise_scale(self, spread)
        device = resolve_device(self.device)
        seed = seed_from_random_state(self.random_state)
        if warm:
            # The optimizer is new, as scikit-learn's MLP makes it on warm start.
            net = self._continued_net(X.shape[1], device, X.shape[0])
        else:
            with seeded_global_rng(seed):
                net = self._make_net(X.shape[1], device, X.shape[0])
        net.generator = make_generator(seed, device)
        with compute_context(self._training_threads(net, X.shape[0])):
            data = RowData(X, device)
            if not warm:
                self._pretrain(net, data)
            if X_val is not None:
                net.validation_fraction = None
                net.validation_data = RowData(X_val, device)
                dict(net.callbacks_)["convergence"].on_validation = self._stops_on_validation()
            self._train(net, data)
        self._set_fitted(net)
        monitor = dict(net.callbacks_)["convergence"]
        held = monitor.held_on_plateau_
        if held is not None and (monitor.stuck_ or not monitor.converged_):
            # More epochs are the wrong advice for a model that sat on a plateau
            # near the mean's error (20 Newsgroups: SparseAE).
            warnings.warn(
                f"{type(self).__name__} reached a plateau at epoch {held} while its "
                "reconstruction was still close to the mean's (it had closed less than "
                f"{MEAN_PLATEAU_SHARE:.0%} of the gap to PCA's error at this code size) and "
                f"trained on for {self.n_iter_ - held} more epochs without leaving it. More "
                "epochs at this rate are unlikely to get it off: try another "
                "learning_rate_init, network or loss, or check that the data has structure "
                "a code of this size can hold.",
                ConvergenceWarning,
                stacklevel=3,
            )
        elif not monitor.converged_:
            warnings.warn(
                f"{type(self).__name__} stopped at max_iter={self.max_iter} before the loss "
                f"improved by less than tol={monitor.tol} for {monitor.n_iter_no_change} "
                "consecutive epochs; increase max_iter to train longer.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _training_threads(self, net, n_rows):
        """Torch threads for training ``net`` on ``n_rows`` rows (forward + backward)."""
        batch = n_rows if net.batch_size == -1 else min(net.batch_size, n_rows)
        work = 3 * batch * self._flops_per_sample(net.module_)
        return choose_num_threads(self.n_jobs, work, probe_load=True)

    def _train(self, net, data):
        """Train ``net`` on ``data`` (a ``RowData``) and check what came out.

        Raises if the model diverged (even to a finite loss); warns if it is
        useless. On Ctrl-C after at least one epoch, the epochs completed so
        far become the fitted model before the interrupt propagates.
        """
        # Terms that need the whole training set (the neighbour graph) get it
        # here and drop it after, so that a fitted model does not hold it.
        # Masking noise keeps its per-feature fill, a few numbers.
        bound = [term for term in net.penalties if hasattr(term, "bind")]
        for term in bound:
            term.bind(data, random_state=draw_seed(net.generator))
        if hasattr(net.corruption, "bind"):  # deterministic: draws nothing
            net.corruption.bind(data)
        diagnostics = FitDiagnostics(net.criterion_, data.evenly_spaced(min(2048, net.chunk_rows)))
        epochs_before = len(net.history)
        start_error = diagnostics.error(net.module_)
        neighbors = any(isinstance(term, (NeighborLoss, TSNEMap)) for term in bound)
        competing = f"neighbor_loss={self.neighbor_loss!r}" if neighbors else None
        # The map is judged on fresh fits only: a warm start may begin from a
        # map the term already made, which it then need not improve by much.
        judge_map = neighbors and not epochs_before
        if judge_map:
            start_trust = diagnostics.map_trustworthiness(net.module_)
        monitor = dict(net.callbacks_)["convergence"]
        monitor.keep_going = lambda net, loss: diagnostics.near_mean(net.module_, loss)
        monitor.loss_scale = 0.0 if diagnostics.tiny else diagnostics.baseline
        try:
            net.partial_fit(data)
        except KeyboardInterrupt:
            if net.epochs_completed_:
                self._set_fitted(net)
            raise
        finally:
            monitor.keep_going = None
            fallback, monitor.best_state_ = getattr(monitor, "best_state_", None), None
            net.generator = None
            validation = vars(net).pop("validation_rows_", None)
            net.validation_data = None  # a fitted model holds no data
            for term in bound:
                term.release()
        rows = None
        if validation is not None and len(validation):
            rows = validation.evenly_spaced(len(diagnostics.sample))
            if fallback is not None and diagnostics.held_out_ratio(net.module_, rows) >= 1.0:
                # Worse on held-out rows than the mean: the few training rows
                # were learned by heart. The best validation epoch is kept.
                net.module_.load_state_dict(fallback)
        curve = [row["train_loss"] for row in net.history[epochs_before:]]
        diagnostics.check(
            type(self).__name__,
            net.module_,
            start_error,
            divergence_advice(net.lr, self._sgd_momentum()),
            competing=competing,
            objective_rose=len(curve) > 1 and curve[-1] > curve[0],
            unscaled_masking=self.noise == "masking" and self.noise_level > 0,
        )
        if rows is not None:
            diagnostics.check_overfit(type(self).__name__, net.module_, rows)
        if judge_map:
            diagnostics.check_map(
                type(self).__name__,
                start_trust,
                diagnostics.map_trustworthiness(net.module_),
                competing,
                net.lr,
            )

    def _set_fitted(self, net):
        self.net_ = net
        # neighbor_loss="tsne": the training rows' map, which transform places
        # new rows on; a model without the term holds none (an earlier fit's
        # would mislead).
        maps = [term.map_ for term in net.penalties if isinstance(term, TSNEMap)]
        vars(self).pop("embedding_", None)
        vars(self).pop("neighbor_map_", None)
        if maps and maps[0] is not None:
            self.neighbor_map_ = maps[0]
            self.embedding_ = unit_map(maps[0])
        self._params_at_fit = self.get_params(deep=False)
        history = net.history
        self.n_iter_ = len(history)
        self.loss_curve_ = list(history[:, "train_loss"])
        if len(history) and "valid_loss" in history[-1]:
            self.validation_loss_curve_ = [row.get("valid_loss") for row in history]
            self.best_validation_loss_ = min(
                v for v in self.validation_loss_curve_ if v is not None
            )
        else:  # none this time: an earlier fit's would mislead
            vars(self).pop("validation_loss_curve_", None)
            vars(self).pop("best_validation_loss_", None)

    def _continued_net(self, n_features, device, n_samples):
        """A net of the current parameters around a copy of ``net_``'s module, with its history.

        A copy, so that a failing call leaves ``net_`` as it was; a new optimizer.
        """
        net = self._make_net(
            n_features, device, n_samples, module=copy.deepcopy(self.net_.module_)
        )
        net.history = copy.deepcopy(self.net_.history)
        return net

    def _pretrain(self, net, data):
        """Prepare the initialised ``net`` on ``data`` (a ``RowData``) before a cold fit."""
