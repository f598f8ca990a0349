"""Your own torch encoder and decoder, trained as a scikit-learn transformer."""

import copy
import dataclasses
import inspect
import math
import numbers

import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._base import BaseAutoencoder, check_positive_ints, estimator_parameters
from ._docstrings import fill_doc
from .modules import EncoderDecoder

__all__ = ["AutoEncoder", "CustomModules", "reset_parameters"]


def reset_parameters(module):
    """Re-draw every parameter a submodule knows how to re-initialise."""
    for sub in module.modules():
        reset = getattr(sub, "reset_parameters", None)
        if callable(reset):
            reset()


def _tensor_width(output):
    return output[0].numel() if isinstance(output, torch.Tensor) and output.ndim else 0


def _describe(output):
    if isinstance(output, torch.Tensor):
        return f"a tensor of shape {tuple(output.shape)}"
    if isinstance(output, tuple | list):
        return "(" + ", ".join(_describe(o) for o in output) + ")"
    return type(output).__name__


class CustomModules:
    """An estimator's network made of the user's own ``encoder`` and ``decoder``.

    Shared by :class:`AutoEncoder` and ``VariationalAE(encoder=...,
    decoder=...)``: builds both parts (instances deep-copied and re-drawn,
    classes called with what they accept), and checks them with one pass of
    a zero batch (which also sizes lazy layers). The estimator has
    ``encoder``, ``decoder``, ``encoder_params``, ``decoder_params`` and
    ``n_components`` parameters and says, through ``_encoder_input_shape``,
    what shape one sample has for the encoder.
    """

    _custom_parameter_constraints = {
        "encoder": [callable],
        "decoder": [callable],
        "encoder_params": [dict, None],
        "decoder_params": [dict, None],
    }
    # Tensors the encoder returns first as codes (a VAE's mean and
    # log-variance: 2), and how the error for a wrong output says so.
    _n_codes = 1
    _encoder_returns = (
        "the code, one tensor with the samples along its first axis, or a tuple (code, "
        "*extras) whose extras reach the decoder as decoder(code, *extras)"
    )
    _n_components_remedy = "change the encoder or pass n_components=None"

    def _make_part(self, name, n_features):
        spec, params = getattr(self, name), getattr(self, f"{name}_params")
        params = dict(params or {})
        if isinstance(spec, torch.nn.Module):
            if params:
                raise ValueError(
                    f"{name}_params applies only when {name} is a class; {name} is a module "
                    f"instance ({type(spec).__name__}): pass {name}_params=None, or the class."
                )
            # A copy: the instance passed stays untrained and, for lazy
            # layers, unsized, so that a fit on another width works too.
            module = copy.deepcopy(spec)
            reset_parameters(module)
            return module
        try:
            accepted = inspect.signature(spec).parameters
        except (TypeError, ValueError):  # builtins without a signature
            accepted = {}
        given = {"n_features": n_features, "input_shape": self._encoder_input_shape()}
        if self.n_components is not None:
            given["n_components"] = int(self.n_components)
        for key, value in given.items():
            if key in accepted and key not in params:
                params[key] = value
        module = spec(**params)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(
                f"{name}={spec!r} returned {type(module).__name__}, not a torch.nn.Module."
            )
        return module

    def _build_parts(self, n_features):
        """``(encoder, decoder, code_shape, n_extras)``; sets ``code_shape_`` and co."""
        encoder = self._make_part("encoder", n_features)
        decoder = self._make_part("decoder", n_features)
        code_shape, n_extras, widest = self._probe(encoder, decoder, n_features)
        if not any(p.requires_grad for p in (*encoder.parameters(), *decoder.parameters())):
            raise ValueError(
                "encoder and decoder hold no trainable parameters (e.g. nn.Identity): there "
                "is nothing to train. Pass modules with weights, such as nn.Linear layers."
            )
        self.code_shape_, self.n_components_ = code_shape, math.prod(code_shape)
        self._widest_activation = widest
        return encoder, decoder, code_shape, n_extras

    def _probe(self, encoder, decoder, n_features):
        """Shapes from one pass of two zero samples (it also sizes lazy layers).

        In eval mode, so batch norm keeps its statistics and dropout draws nothing.
        """
        widths = []
        parts = (encoder, decoder)
        hooks = [
            sub.register_forward_hook(lambda mod, args, out: widths.append(_tensor_width(out)))
            for part in parts
            for sub in part.modules()
        ]
        x = torch.zeros(2, *self._encoder_input_shape())
        try:
            with torch.no_grad():
                for part in parts:
                    part.eval()
                try:
                    output = encoder(x)
                except Exception as exc:
                    raise ValueError(
                        f"The encoder fails on a batch of shape {tuple(x.shape)}: {exc}. Set "
                        "input_shape to the shape one sample has for your encoder."
                    ) from exc
                outputs = output if isinstance(output, tuple | list) else (output,)
                codes, extras = outputs[: self._n_codes], tuple(outputs[self._n_codes :])
                if len(codes) < self._n_codes or any(
                    not isinstance(c, torch.Tensor)
                    or c.ndim < 2
                    or len(c) != 2
                    or c.shape != codes[0].shape
                    for c in codes
                ):
                    raise ValueError(
                        f"The encoder must return {self._encoder_returns}; for a batch of "
                        f"shape {tuple(x.shape)} it returned {_describe(output)}."
                    )
                code_shape = tuple(codes[0].shape[1:])
                # Checked before the decoder runs: a decoder class sized by
                # n_components would otherwise fail with a shape error.
                if self.n_components is not None and self.n_components != math.prod(code_shape):
                    raise ValueError(
                        f"n_components={self.n_components}, but the encoder returns codes of "
                        f"{math.prod(code_shape)} values per sample (shape {code_shape}); "
                        f"{self._n_components_remedy}."
                    )
                try:
                    recon = decoder(codes[0], *extras)
                except Exception as exc:
                    raise ValueError(
                        f"The decoder fails on codes of shape {tuple(codes[0].shape)} (what "
                        f"the encoder returns): {exc}. Make decoder take codes of that shape."
                    ) from exc
        finally:
            for hook in hooks:
                hook.remove()
            for part in parts:
                part.train()
        if not isinstance(recon, torch.Tensor) or recon[0].numel() != n_features:
            got = tuple(recon.shape[1:]) if isinstance(recon, torch.Tensor) else type(recon)
            raise ValueError(
                f"The decoder must return n_features={n_features} values per sample (any "
                f"shape), but it returned samples of shape {got} for codes of shape "
                f"{code_shape}."
            )
        return code_shape, len(extras), max(widths, default=n_features)

    def _activation_width(self, n_features):
        return max(n_features, self.n_components_, getattr(self, "_widest_activation", 0))


@fill_doc
@estimator_parameters
class AutoEncoder(CustomModules, BaseAutoencoder):
    """An autoencoder made of your own torch encoder and decoder.

    Trains any ``encoder`` and ``decoder`` through the package's one training
    loop, so it gets everything the built-in estimators have: input
    corruption (``noise``), the stopping rule, early stopping, devices,
    ``score``/``score_samples``, ``transform``/``inverse_transform``,
    ``set_output``, feature names, pickling, ``clone`` and model selection.

    The encoder receives a batch in ``input_shape`` (rows of features by
    default, images or any other layout when set) and may return any shape:
    its output, flattened, is the code (``n_components_`` values per sample);
    the decoder receives the code back in the encoder's output shape and
    returns the reconstruction, in any shape holding ``n_features`` values
    per sample (its raw output: ``loss="bce"`` applies the sigmoid).

    The encoder may also return a tuple ``(code, *extras)``: the extras reach
    the decoder as ``decoder(code, *extras)``, e.g. the indices of
    ``nn.MaxPool2d(return_indices=True)`` for an ``nn.MaxUnpool2d``.
    :meth:`transform` returns the code alone; codes alone then cannot be
    decoded, so :meth:`inverse_transform` raises and :meth:`reconstruct`
    (encoding and decoding in one pass) gives the reconstructions.

    Parameters
    ----------
    encoder : torch.nn.Module or class
        A module instance, or a class (any callable returning a module)
        called with ``encoder_params``. An instance is deep-copied at
        ``fit`` and every submodule with a ``reset_parameters()`` method
        (all of torch's layers) re-initialised from ``random_state``, so that
        the instance you pass is never trained and ``clone`` + ``fit`` is a
        fresh model. Parameters of submodules *without*
        ``reset_parameters()`` (e.g. an ``nn.Parameter`` you create in your
        own module) start every fit from the values in the instance you
        passed; give such a module a ``reset_parameters()`` to have them
        drawn from ``random_state`` too. Lazy layers (``nn.LazyLinear``)
        adapt to the number of input features.
    decoder : torch.nn.Module or class
        As ``encoder``, mapping codes back to ``n_features`` values per sample.
    n_components : int or None, default=None
        Size of the code. The encoder decides it (``n_components_`` after
        ``fit``): an int is passed to ``encoder`` and ``decoder`` classes
        that take an ``n_components`` argument (see ``encoder_params``), so
        that it can be tuned like any estimator's, and otherwise checked
        against what the encoder returns (``fit`` fails on a mismatch); None
        accepts whatever the encoder returns.
    encoder_params : dict or None, default=None
        Keyword arguments of ``encoder`` when it is a class. Where its
        signature has ``n_features``, ``input_shape`` or ``n_components``
        arguments that are not given here, they receive the number of input
        features, the shape of one sample as the encoder sees it, and the
        ``n_components`` parameter (when not None): one class then fits data
        of any width and code of any size.
    decoder_params : dict or None, default=None
        Keyword arguments of ``decoder`` when it is a class; ``n_features``,
        ``input_shape`` and ``n_components`` are filled in as for
        ``encoder_params``.
    input_shape : tuple of int or None, default=None
        Shape of one sample as the encoder expects it, e.g. ``(1, 8, 8)``
        for a convolutional encoder fed 64-pixel rows. None passes
        ``(n_samples, n_features)`` rows for 2-d input and the layout of
        ``X`` as it is for 3-d and higher input.
    {loss}
    {noise}
    {noise_level}
    {training}

    Attributes
    ----------
    n_components_ : int
        Size of the code: values per sample of the encoder's output.
    code_shape_ : tuple of int
        Shape of one sample of the encoder's output.
    input_shape_ : tuple of int
        Shape of one sample as the encoder sees it.
    sample_shape_ : tuple of int
        Shape of one sample as passed to ``fit``; reconstructions come back
        in this layout.
    {attributes}

    See Also
    --------
    StackedAE : The built-in fully connected autoencoder.
    ConvAE : The built-in convolutional autoencoder.
    sklearn_ae.modules.EncoderDecoder : The torch module that holds the pair.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from torch import nn
    >>> from sklearn_ae import AutoEncoder
    >>> X = load_digits().data / 16
    >>> encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
    >>> decoder = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 64))
    >>> ae = AutoEncoder(encoder, decoder, max_iter=5, random_state=0)
    >>> ae.fit_transform(X).shape
    (1797, 8)
    >>> ae.n_components_
    8
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        **CustomModules._custom_parameter_constraints,
        "n_components": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "input_shape": ["array-like", None],
    }

    # Your modules start random, and the stopping rule counts epochs: at
    # MLP's 200-row batches (5 steps an epoch on 1,000 rows) a 128-64 MLP
    # stopped at 4.71x PCA's test error on digits at k=32 while its loss
    # still fell 0.6 % an epoch. Batches of 50 on 1,000 rows (defaults
    # matrix, k=32): digits 4.71 -> 2.43x, MNIST 1.63 -> 1.25x, Olivetti
    # 3.00 -> 2.38x (and no plateau warning), patches 2.39 -> 1.83x; k=8
    # pen-digits 0.92 -> 0.55x, diabetes 1.18 -> 1.09x.
    _auto_min_steps = 20
    # More steps also fit small sets closer: wine (133 rows, k=8) trained on
    # past 200 epochs and stopped at 265.
    max_iter: int = 500

    # Positional and required, as in AutoEncoder(encoder, decoder).
    encoder: object = dataclasses.field(kw_only=False)
    decoder: object = dataclasses.field(kw_only=False)
    n_components: int | None = None
    encoder_params: dict | None = None
    decoder_params: dict | None = None
    input_shape: tuple | None = None

    def _validate_input(self, X, reset):
        X, sample_shape = self._validate_nd(X, reset, max_ndim=6, accept_sparse="csr")
        sample_shape = tuple(sample_shape)
        if reset:
            self.sample_shape_ = sample_shape
            self.input_shape_ = self._resolve_input_shape(X.shape[1], sample_shape)
        elif len(sample_shape) > 1 and sample_shape not in (self.sample_shape_, self.input_shape_):
            raise ValueError(
                f"X holds samples of shape {sample_shape}, but {type(self).__name__} was "
                f"fitted on samples of shape {self.sample_shape_}; pass that layout or flat "
                "rows."
            )
        return X

    def _resolve_input_shape(self, n_features, sample_shape):
        if self.input_shape is None:
            return sample_shape
        shape = check_positive_ints(self.input_shape, "input_shape")
        if math.prod(shape) != n_features:
            raise ValueError(
                f"input_shape={self.input_shape!r} holds {math.prod(shape)} values per sample, "
                f"but X has {n_features} features per sample."
            )
        return shape

    def _to_output(self, X_flat):
        return X_flat.reshape(X_flat.shape[0], *self.sample_shape_)

    def _encoder_input_shape(self):
        return self.input_shape_

    def _build_module(self, n_features):
        encoder, decoder, code_shape, n_extras = self._build_parts(n_features)
        return EncoderDecoder(encoder, decoder, self.input_shape_, code_shape, n_extras)

    @property
    def _n_features_out(self):
        check_is_fitted(self, "net_")
        return self.n_components_
