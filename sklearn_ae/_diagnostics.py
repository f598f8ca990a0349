"""Checks that a fit produced a usable model (the checks on data before one: ``_data_scale``).

A loss curve can look fine while the model is useless: a finite loss far
above where it started (divergence that never reached inf), a code whose
every unit is constant (dead ReLUs, a sparsity penalty that won), a
reconstruction no better than the mean of the data. These are measured on a
fixed sample of the training rows with the estimator's own reconstruction
loss, without penalties or input noise, so every estimator is judged alike.
"""

import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from ._data import evenly_spaced_rows
from ._data_scale import SCALE_RANGE, sample_spread

__all__ = ["FitDiagnostics"]

# An epoch-end error this many times above both the starting error and the
# mean's error is a diverged fit, not a slow one.
DIVERGED_RATIO = 1.5
# Where a neighbour term competes with reconstruction, the error it may cost
# before the fit counts as diverged (digits: it peaks at 2x the mean's).
COMPETING_RATIO = 10.0
# A plateau where the model has closed less than this share of the gap between
# the mean's error and PCA's at the code's width is one it can leave: the
# stopping rule does not end training there (up to ConvergenceMonitor's
# max_holds plateaus, then it warns). Relative to that gap, not to the mean's
# error alone: on 20 Newsgroups' TF-IDF rows PCA itself stays within 2-7 % of
# the mean's error at k = 2-32, and every model trained on to max_iter
# waiting for a 10 % gain no code of that width can make. Half the gap, not
# a tenth: held until they had closed a tenth, random starts stopped just
# past it and said nothing (SparseAE: 0.90 and 0.92 of the mean's error on
# digits and MNIST, 23x and 3.3x PCA's; the 128-64 MLP AutoEncoder on
# Olivetti faces 0.63, 3.0x PCA's at k=32).
MEAN_PLATEAU_SHARE = 0.5
# A model whose error ends within this share of the mean's learned nothing
# worth keeping: RecurrentAE(out_activation="logistic") on standardised
# sequences ended at 0.9999 of it.
NEAR_MEAN_RATIO = 0.99
# A neighbour term that closed less than this share of the gap between its
# start's trustworthiness and 1 did not take: MNIST, 60k rows, a
# (512, 256, 128) net at the rate 0.03 ended at 0.737 from PCA's 0.736
# (held-out), where a working fit reaches 0.93 (RESULTS_neighbors.md).
MAP_GAIN_FRACTION = 0.1
# At most this many rows of the sample, evenly spaced, judge the map (k=5):
# a few hundredths of a second.
MAP_ROWS = 1000


class FitDiagnostics:
    """Reconstruction error on a fixed sample of training rows, and its baselines.

    Parameters
    ----------
    criterion : ReconstructionLoss
        The estimator's loss; its ``per_sample`` and ``output`` are used.
    sample : torch.Tensor
        Training rows (dense, on the training device).
    """

    # What the checks say, as templates: the fine-tuned estimators judge their
    # training loss with the same rules, in words of their own.
    # Set by __init__ from the sample; a subclass with its own __init__ (the
    # fine-tuned estimators') judges data of any spread.
    tiny = constant = False

    messages = {
        "diverged": (
            "{name} ended with a reconstruction error of {final:.4g} on the training data, "
            "above both its error before training ({start:.4g}) and the error of predicting "
            "the mean of the data ({baseline:.4g}): training diverged. {advice}"
        ),
        "dead": (
            "Every code unit of {name} is constant on the training data (dead codes): "
            "transform returns the same code for every sample. Lower the penalty weight "
            "(e.g. sparsity_weight) or change activation. {advice}"
        ),
        "useless": (
            "{name} reconstructs the training data no better than their mean does (error "
            "{final:.4g} vs {baseline:.4g}, within 1%): the model learned nothing. Scale the "
            "data (MinMaxScaler or StandardScaler), check that out_activation can reach its "
            "values, train longer, raise n_components, or lower the penalty weights."
        ),
    }

    def __init__(self, criterion, sample):
        self.criterion = criterion
        self.sample = sample
        self._linear = {}  # linear_error per code width
        flat = sample.flatten(1)
        mean = torch.nan_to_num(torch.nanmean(flat, dim=0, keepdim=True), nan=0.0)
        if criterion.kind == "bce":
            mean = torch.logit(mean.clamp(1e-6, 1 - 1e-6))
        self.mean = mean
        self.baseline = self._mean_error(mean.expand_as(flat))
        # Where the mean is exact too (a single row, constant data), an error
        # this small after training is float32 rounding, not divergence. Only
        # there: on data far from 0 (mean 100, variance 1) the uncentred floor
        # would dwarf the mean's error and hide a fit that diverged.
        mean_square = float(torch.nan_to_num(flat.float()).pow(2).mean())
        degenerate = self.baseline <= 1e-6 * mean_square
        self.negligible = 1e-3 * mean_square if degenerate else 0.0
        # Data whose spread is 0 or far below the unit scale (check_data_scale
        # has warned about it) leave the errors at float32's rounding of the
        # weights: an error above the mean's there is no divergence.
        spread = sample_spread(flat)
        self.tiny = len(flat) > 1 and spread < SCALE_RANGE[0]
        self.constant = len(flat) > 1 and spread == 0.0

    def _mean_error(self, raw):
        with torch.no_grad():
            return float(self.criterion.per_sample(raw, self.sample).mean())

    def _outputs(self, module, rows=None):
        """``module``'s forward pass on ``rows`` (default: the sample) in eval mode.

        The module's mode is restored after.
        """
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                return module(self.sample if rows is None else rows)
        finally:
            module.train(was_training)

    def _map_rows(self):
        return self.sample[evenly_spaced_rows(len(self.sample), MAP_ROWS)]

    def map_trustworthiness(self, module):
        """Trustworthiness (k=5) of ``module``'s codes of at most ``MAP_ROWS`` sample rows."""
        from sklearn.manifold import trustworthiness

        rows = self._map_rows()
        if len(rows) < 12:  # trustworthiness needs k < n / 2
            return float("nan")
        codes = self._outputs(module, rows)["code"]
        # Padding of variable-length sequences (NaN) counts as zeros here.
        X = np.nan_to_num(rows.flatten(1).double().cpu().numpy())
        return float(trustworthiness(X, codes.flatten(1).double().cpu().numpy(), n_neighbors=5))

    def check_map(self, name, start, end, term, learning_rate):
        """Warn where a neighbour term left the map hardly more trustworthy than it started."""
        if not (np.isfinite(start) and np.isfinite(end)):
            return
        if end - start < MAP_GAIN_FRACTION * (1.0 - start):
            warnings.warn(
                f"{name}'s codes of the training data are hardly more neighbour-preserving "
                f"than where training started (trustworthiness {start:.3f} -> {end:.3f} on "
                f"{len(self._map_rows())} training rows): {term} did not take. "
                f"Lower learning_rate_init (now {learning_rate:g}), e.g. to "
                f"{learning_rate / 10:g}, or train longer (max_iter).",
                ConvergenceWarning,
                stacklevel=5,
            )

    def error(self, module):
        """Mean reconstruction error of ``module`` on the sample (eval mode)."""
        return self._mean_error(self._outputs(module)["recon"])

    def check_overfit(self, name, module, rows):
        """Warn where ``module`` learned the training rows but not the held-out ``rows``.

        ``rows``: the validation rows of ``early_stopping`` (dense). Compared
        with the training sample's mean, which predicts them as a model
        that learned nothing would.
        """
        error, mean_error = self._held_out_errors(module, rows)
        train = self.error(module)
        if error >= NEAR_MEAN_RATIO * mean_error:
            warnings.warn(
                f"{name} reconstructs its validation rows no better than the training "
                f"mean does (error {error:.4g} vs {mean_error:.4g}; on training rows "
                f"{train / max(self.baseline, 1e-30):.2f} of the mean's): what it learned "
                "does not carry over to new rows (overfitting). Lower n_components, add "
                "noise (noise='masking') or alpha, or train on more rows.",
                ConvergenceWarning,
                stacklevel=5,
            )

    def _held_out_errors(self, module, rows):
        """``module``'s error on ``rows`` and that of the training sample's mean."""
        held_out = FitDiagnostics(self.criterion, rows)
        return held_out.error(module), held_out._mean_error(self.mean.expand_as(rows.flatten(1)))

    def held_out_ratio(self, module, rows):
        """``module``'s error on the held-out ``rows`` over the training mean's there."""
        error, mean_error = self._held_out_errors(module, rows)
        return error / max(mean_error, 1e-30)

    def near_mean(self, module, loss=None):
        """Whether ``module`` has learned hardly more than the mean of the data.

        That is: it closed less than ``MEAN_PLATEAU_SHARE`` of the gap between
        the mean's error and :meth:`linear_error` at its code's width. Never
        on constant or tiny-scale data, where the errors are rounding, nor
        where the training ``loss`` (in the same units) is already well
        below the mean's error: the model has learned what it is trained
        for, and a high error on clean rows has another cause (masking
        noise on Olivetti faces: a loss of 0.2 of the mean's error on
        corrupted rows, 3x it on clean rows, held on to max_iter).
        """
        if self.tiny:
            return False
        if loss is not None and loss < (1.0 - MEAN_PLATEAU_SHARE) * self.baseline:
            return False
        out = self._outputs(module)
        error = self._mean_error(out["recon"])
        # The linear floor is never negative, so below this no floor matters.
        if error < (1.0 - MEAN_PLATEAU_SHARE) * self.baseline:
            return False
        gap = self.baseline - self.linear_error(out["code"].flatten(1).shape[1])
        return gap > 0 and self.baseline - error < MEAN_PLATEAU_SHARE * gap

    def linear_error(self, width):
        """Error of PCA with ``width`` components on the sample, in the loss's units.

        What a code of that width reaches linearly: the gain on the mean's
        error a model can be expected to make. 0 (no floor) where the sample
        has unobserved (NaN) values. Computed once per width, from the
        eigenvectors of the smaller of the sample's two Gram matrices.
        """
        if width not in self._linear:
            flat = self.sample.flatten(1).double()
            if torch.isnan(flat).any():
                self._linear[width] = 0.0
                return 0.0
            mean = flat.mean(dim=0)
            centred = flat - mean
            if len(centred) <= centred.shape[1]:
                top = torch.linalg.eigh(centred @ centred.T)[1][:, -width:]
                recon = top @ (top.T @ centred)
            else:
                top = torch.linalg.eigh(centred.T @ centred)[1][:, -width:]
                recon = (centred @ top) @ top.T
            recon = (recon + mean).to(self.sample.dtype)
            if self.criterion.kind == "bce":
                recon = torch.logit(recon.clamp(1e-6, 1 - 1e-6))
            self._linear[width] = self._mean_error(recon.reshape(self.sample.shape))
        return self._linear[width]

    @staticmethod
    def _constant_units(codes):
        """How many code units are constant over the sample, and how many there are."""
        codes = codes.flatten(1)
        spread = codes.max(dim=0).values - codes.min(dim=0).values
        constant = spread <= 1e-7 * max(1.0, float(codes.abs().max()))
        return int(constant.sum()), codes.shape[1]

    def check(
        self,
        name,
        module,
        start_error,
        advice,
        competing=None,
        objective_rose=False,
        unscaled_masking=False,
    ):
        """Raise for a diverged model; warn for a useless one.

        ``start_error`` is the error before this fit's training; ``advice``
        the learning-rate advice of the divergence message. ``competing``
        names a loss term that trades reconstruction for a goal of its own
        (``"neighbor_loss='tsne'"``), and ``objective_rose`` whether the
        training loss (reconstruction and terms) ended above its first
        epoch's: a high reconstruction error is then the term at work, not
        divergence, unless the objective rose too. ``unscaled_masking``: the
        model trained on rows with a share of their values zeroed and not
        rescaled, so a high error on clean rows while the training loss fell
        is that shift, not divergence.
        """
        if not all(torch.isfinite(p).all() for p in module.parameters()):
            raise FloatingPointError(
                f"{name}'s weights became NaN or infinite during training: training "
                f"diverged. {advice}"
            )
        out = self._outputs(module)  # one pass gives both the error and the codes
        final = self._mean_error(out["recon"])
        high = final > DIVERGED_RATIO * max(start_error, self.baseline, self.negligible)
        # ... but not without bound: an error ten times the start's and the
        # mean's is divergence whatever the term did (digits at the rate 0.3:
        # 3000x the mean's).
        moved = final <= COMPETING_RATIO * max(start_error, self.baseline)
        # A high error on clean rows while the training objective fell is,
        # within bounds, a known cause at work rather than divergence:
        if competing is not None:
            # a neighbour term's first epochs spread the codes to its map's
            # scale faster than the decoder follows (digits, PCA start: the
            # error peaks at 2x the mean's after one epoch, back below PCA's
            # by five): a short fit ends mid-way;
            cause = (
                f"{competing} moved the codes faster than the decoder followed. Train "
                "longer (max_iter) or lower neighbor_weight."
            )
        elif unscaled_masking:
            # masking leaves clean rows brighter than the masked ones the model
            # mostly trained on (Olivetti faces, 4096 pixels around 0.55, every
            # row masked: 3x the mean's error; since CLEAN_SHARE of the rows
            # stay whole, 0.55x there, even at noise_level 0.97).
            cause = (
                "masking noise zeroes a share of most rows without rescaling the rest, so "
                "clean rows reach the network brighter than most it trained on. Use "
                "noise='dropout' (masking rescaled by 1 / (1 - noise_level)) or a lower "
                "noise_level."
            )
        else:
            cause = None
        if np.isfinite(final) and high and cause and not objective_rose and moved:
            warnings.warn(
                f"{name} ended with a reconstruction error of {final:.4g} on the training "
                f"data, above the error of predicting their mean ({self.baseline:.4g}), "
                f"while its training loss did not rise: {cause}",
                ConvergenceWarning,
                stacklevel=5,
            )
            return
        values = dict(
            name=name, final=final, start=start_error, baseline=self.baseline, advice=advice
        )
        if not np.isfinite(final) or (high and not self.tiny):
            raise FloatingPointError(self.messages["diverged"].format(**values))
        if self.constant:  # check_data_scale said there is nothing to learn
            return
        if high:
            warnings.warn(
                f"{name} ended with a reconstruction error of {final:.4g} on the training "
                f"data, above the error of predicting their mean ({self.baseline:.4g}): "
                "the data's spread is far below the scale the defaults are made for. "
                "Scale the data, e.g. with StandardScaler or MinMaxScaler.",
                ConvergenceWarning,
                stacklevel=5,
            )
            return
        self._check_codes(name, out["code"], advice)
        if final >= NEAR_MEAN_RATIO * self.baseline:
            warnings.warn(
                self.messages["useless"].format(**values), ConvergenceWarning, stacklevel=5
            )

    def _check_codes(self, name, codes, advice=""):
        """Warn where some or all code units are constant on the sample (dead codes)."""
        n_constant, n_units = self._constant_units(codes)
        if n_constant == n_units:
            message = self.messages["dead"].format(name=name, advice=advice)
            warnings.warn(message, ConvergenceWarning, stacklevel=6)
        elif n_constant:
            warnings.warn(
                f"{n_constant} of the {n_units} code units of {name} are constant on the "
                "training data (dead units): the code uses only "
                f"{n_units - n_constant}. Lower the learning rate or the penalty weights, "
                "or use a code_activation that cannot die (e.g. 'identity').",
                ConvergenceWarning,
                stacklevel=6,
            )
