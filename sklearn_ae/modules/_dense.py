"""Fully connected autoencoders, from linear to deep, optionally with tied weights."""

from itertools import pairwise

import torch
from torch import nn

# The building blocks live in _layers; imported here by their old path too.
from ._layers import ACTIVATIONS, BackProjection, LayerPair, ProjectionPath, TiedLinear

__all__ = [
    "ACTIVATIONS",
    "BackProjection",
    "DenseAutoencoder",
    "LayerPair",
    "ProjectionPath",
    "TiedLinear",
    "can_fold",
]

# Activations that are the identity on positive inputs: PCA's scores, shifted
# positive, pass through them unchanged (see DenseAutoencoder.can_fold).
FOLDABLE = (nn.ReLU, nn.LeakyReLU, nn.ELU)
# The shift of the folded scores, in units of the largest training score:
# rows up to this many times further out than any training row pass unclipped.
FOLD_SHIFT = 2.0
# The folded scores' gain through the input and output layers (see _fold_pca).
# Larger gains keep the wide rows nearer the axes, which helps reconstruction
# of wide images and hurts the variants' purposes. Measured (k=16; Fashion
# test error over PCA's on 10,000 rows; MNIST contraction and Gaussian
# denoising ratios on 4,000): gain 1: 0.78, 0.58, 0.83; gain 2: 0.77, 0.68,
# 0.84; gain 4: 0.73, 0.84, 0.87.
FOLD_GAIN = 1.0
# Hidden layers at least this many times the code's width take the PCA start
# themselves (three free units for each carrier of a score).
FOLD_WIDTH = 4
# Logistic code units take the principal scores at this standard deviation
# (their decoder undoes the gain, the slope 1/4 and the 0.5 centre), so that
# the PCA start sits in the sigmoid's working range whatever the data's scale.
# Taken as they are, 20 Newsgroups' scores (spread 0.05-0.09) left SparseAE's
# codes at 0.5 +- 0.02 and the fit on a plateau at 0.99 of the mean's error.
# Measured on the defaults matrix's SparseAE rows (1.0, 1.5, 2.0): error over
# PCA's falls on every set with 1.0 and 1.5 (digits 10.0 -> 4.7 and 5.5),
# near-zero codes rise on every set with 2.0 (wine: 0.43 -> 0.27, 0.42, 0.49),
# and 2.0 costs error on Olivetti and diabetes (+12 %, +13 %).
LOGISTIC_CODE_SPREAD = 1.5
# Digits' last axes spread 0.001-0.016 against the first's 0.83: at those
# gains test rows saturated code units at exactly 0 and 1 (100 units). With
# the floor the matrix's rows barely move (patches 2.45 -> 2.61x PCA's error).
LOGISTIC_GAIN_RATIO = 30.0


def can_fold(activation, hidden_layer_sizes, n_components):
    """Whether a :class:`DenseAutoencoder` can start as PCA without a linear path.

    Its hidden layers then carry the principal scores themselves (see
    :meth:`DenseAutoencoder.init_from_pca`), which needs an activation that
    is the identity on positive inputs (``FOLDABLE``; ``activation`` a name
    or a module) and every hidden layer at least ``FOLD_WIDTH`` times
    ``n_components`` wide, so that the deep part has free units to learn
    with: on digits a (128, 64) stack folded at k=32 (32 free units beside
    32 carriers) stopped at 1.01 of PCA's test error, 0.66 with the linear
    path beside it; at full rank it has no free unit at all.
    """
    if isinstance(activation, str):
        activation = ACTIVATIONS[activation]()
    return (
        isinstance(activation, FOLDABLE)
        and len(hidden_layer_sizes) > 0
        and min(hidden_layer_sizes) >= FOLD_WIDTH * n_components
    )


class DenseAutoencoder(nn.Module):
    """A mirror-image stack of linear layers.

    ``n_features -> hidden_layer_sizes... -> n_components`` and back. The code
    layer has ``code_activation`` and the output layer ``out_activation``
    (both linear by default). A loss that works on logits (binary
    cross-entropy) needs the raw, linear output.

    Parameters
    ----------
    n_features : int
    n_components : int
    hidden_layer_sizes : tuple of int, default=()
        Empty for a single-layer (basic undercomplete) autoencoder.
    activation : str, default="relu"
        Key of :data:`ACTIVATIONS` used between hidden layers.
    tied_weights : bool, default=False
        Decoder layer ``i`` uses the transpose of encoder layer ``i``'s weight.
    code_activation : str or None, default=None
        Nonlinearity on the code itself (``"logistic"`` for KL sparsity);
        None is ``"identity"``.
    out_activation : str or None, default=None
        Nonlinearity on the reconstruction (``"logistic"``: a sigmoid);
        None is ``"identity"``.
    linear_path : bool, default=False
        With hidden layers, add a linear map from the input to the code and
        one from the code to the output (tied like the stack), summed with
        the deep paths before the code and output activations. Both work
        within the span of the principal axes (:class:`ProjectionPath`). Initialised by
        :meth:`init_from_pca`, it makes the untrained model exactly PCA,
        whatever the hidden activation. Without hidden layers the stack is
        that linear map already and no path is added.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(),
        activation="relu",
        tied_weights=False,
        code_activation=None,
        out_activation=None,
        linear_path=False,
    ):
        super().__init__()
        sizes = [n_features, *hidden_layer_sizes, n_components]
        pairs = list(pairwise(sizes))
        self.encoder_layers = nn.ModuleList(nn.Linear(a, b) for a, b in pairs)
        if tied_weights:
            decoder = [TiedLinear(layer) for layer in reversed(self.encoder_layers)]
        else:
            decoder = [nn.Linear(b, a) for a, b in reversed(pairs)]
        self.decoder_layers = nn.ModuleList(decoder)
        self.activation = ACTIVATIONS[activation]()
        self.code_activation = ACTIVATIONS[code_activation or "identity"]()
        self.out_activation = ACTIVATIONS[out_activation or "identity"]()
        self.linear_encoder = self.linear_decoder = None
        if linear_path and hidden_layer_sizes:
            self.linear_encoder = ProjectionPath(n_features, n_components)
            self.linear_decoder = (
                TiedLinear(self.linear_encoder)
                if tied_weights
                else BackProjection(self.linear_encoder)
            )

    def _through(self, layers, linear_path, x):
        """``x`` through ``layers`` (activation between them), plus the linear path's output."""
        *hidden, last = layers
        h = x
        for layer in hidden:
            h = self.activation(layer(h))
        h = last(h)
        return h if linear_path is None else h + linear_path(x)

    def _encode_raw(self, x):
        """The encoder's output before ``code_activation``."""
        return self._through(self.encoder_layers, self.linear_encoder, x)

    def encode(self, x):
        return self.code_activation(self._encode_raw(x))

    def _decode_raw(self, z):
        """The decoder's output before ``out_activation``."""
        return self._through(self.decoder_layers, self.linear_decoder, z)

    def decode(self, z):
        return self.out_activation(self._decode_raw(z))

    @torch.no_grad()
    def init_from_pca(self, mean, components, extent=None, spread=None):
        """Start as PCA: encode to the principal scores, decode to their reconstruction.

        Without hidden layers the single layers take the principal axes.
        With them, either the linear path takes the axes and the deep
        paths' outer layers start at zero, so that they add nothing until
        training finds something PCA misses; or, without a linear path,
        the axes are folded into the layers themselves (see
        :func:`can_fold`): the first ``n_pca`` units of every hidden layer
        carry the principal scores, shifted by ``FOLD_SHIFT * extent`` into
        the activation's linear part, and the other units start random but
        unheard (their weights into the code and output layers are zero).
        Code units beyond the number of components given start at zero.

        Parameters
        ----------
        mean : torch.Tensor of shape (n_features,)
        components : torch.Tensor of shape (n_pca, n_features)
            Orthonormal rows, ``n_pca <= n_components``.
        extent : torch.Tensor of shape (n_pca,), default=None
            The largest absolute principal score of a training row; needed
            to fold the axes into hidden layers.
        spread : torch.Tensor of shape (n_pca,), default=None
            The principal scores' standard deviation: logistic code units
            then take the scores scaled to ``LOGISTIC_CODE_SPREAD`` (see
            :meth:`_spread_code`).
        """
        if self.linear_encoder is None and len(self.encoder_layers) > 1:
            if extent is None or not self.can_fold():
                raise ValueError(
                    "init_from_pca needs linear_path=True, or extent and an activation "
                    "and widths that can_fold(), with hidden layers."
                )
            self._fold_pca(mean, components, extent)
        else:
            self._pca_layers(mean, components)
        if spread is not None:
            self._spread_code(spread)

    def _pca_layers(self, mean, components):
        """:meth:`init_from_pca` into the single layers or the linear path."""
        n_pca = components.shape[0]
        if self.linear_encoder is None:
            encoder, decoder = self.encoder_layers[0], self.decoder_layers[-1]
            weight = torch.zeros_like(encoder.weight)
            weight[:n_pca] = components.to(weight)
            encoder.weight.copy_(weight)
            if not isinstance(decoder, TiedLinear):
                decoder.weight.copy_(weight.t())
        else:
            encoder, decoder = self.linear_encoder, self.linear_decoder
            # The deep path's outer layers start at zero so that it adds
            # nothing yet. Untied: the code and output layers. Tied, zeroing
            # the code layer would zero its decoder twin as well, and the
            # deep path would learn only through the encoder: the input
            # layer (the output layer's twin) is zeroed instead, which leaves
            # the deep code constant; that constant is taken off the path's
            # bias, as the deep decoder's constant output is below.
            tied = isinstance(self.decoder_layers[-1], TiedLinear)
            outer = self.encoder_layers[0] if tied else self.encoder_layers[-1]
            outer.weight.zero_()
            outer.bias.zero_()
            if not tied:
                self.decoder_layers[-1].weight.zero_()
            self.decoder_layers[-1].bias.zero_()
            encoder.basis.zero_()
            encoder.basis[:n_pca] = components.to(encoder.basis)
            encoder.mix.copy_(torch.eye(encoder.mix.shape[0]))
            if isinstance(decoder, BackProjection):
                decoder.mix.copy_(torch.eye(decoder.mix.shape[0]))
            weight = encoder.weight
        encoder.bias.copy_(-(weight @ mean.to(weight)))
        decoder.bias.copy_(mean.to(weight))
        # The deep paths' constant outputs (of a zero input, a zero code) are
        # taken off the linear paths' biases.
        if self.linear_encoder is not None:
            zero_input = torch.zeros(1, weight.shape[1], dtype=weight.dtype, device=weight.device)
            encoder.bias.sub_(self._encode_raw(zero_input)[0] - encoder.bias)
        if self.linear_decoder is not None:
            zero_code = torch.zeros(1, weight.shape[0], dtype=weight.dtype, device=weight.device)
            decoder.bias.sub_(self._decode_raw(zero_code)[0] - decoder.bias)

    def _spread_code(self, spread):
        """Logistic code units take each score at ``LOGISTIC_CODE_SPREAD``; the decoder undoes it.

        A tied decoder cannot undo it and keeps the scores as they are.
        """
        readers = [self.decoder_layers[0], self.linear_decoder]
        if (
            not isinstance(self.code_activation, nn.Sigmoid)
            or any(isinstance(m, TiedLinear) for m in readers)
            or not spread[0] > 0
        ):
            return
        centre, slope = 0.5, 0.25  # the sigmoid's value and slope at 0
        last = self.encoder_layers[-1].weight
        gain = torch.ones(last.shape[0], dtype=last.dtype, device=last.device)
        spread = spread.to(gain)
        # Each axis's own spread, but no gain above LOGISTIC_GAIN_RATIO times the
        # leading axis's: the faint axes of a nearly constant pixel would
        # amplify what test rows do there and saturate the code.
        floor = spread[0] / LOGISTIC_GAIN_RATIO
        gain[: len(spread)] = LOGISTIC_CODE_SPREAD / spread.clamp(min=floor)
        for m in (self.encoder_layers[-1], self.linear_encoder):
            if m is not None:
                (m.mix if isinstance(m, ProjectionPath) else m.weight).mul_(gain[:, None])
                m.bias.mul_(gain)
        for m in readers:
            if m is not None:
                (m.mix if isinstance(m, BackProjection) else m.weight).div_(gain * slope)
                m.bias.sub_(m.weight @ torch.full_like(gain, centre))

    def can_fold(self):
        """Whether :meth:`init_from_pca` can fold PCA into the hidden layers (:func:`can_fold`)."""
        *hidden, n_components = [layer.out_features for layer in self.encoder_layers]
        return can_fold(self.activation, hidden, n_components)

    def _fold_pca(self, mean, components, extent):
        """:meth:`init_from_pca` into the hidden layers themselves (no linear path)."""
        n, gain = components.shape[0], FOLD_GAIN
        like = dict(dtype=self.encoder_layers[0].weight.dtype)
        like["device"] = self.encoder_layers[0].weight.device
        mean, components = mean.to(**like), components.to(**like)
        # The encoder's carriers hold gain * scores + shift, the decoder's
        # scores / gain + shift / gain^2: the input and output layers' wide
        # rows are gain times the axes, so that Adam's steps (about the
        # learning rate on every weight) move them relatively less.
        shift = FOLD_SHIFT * gain * extent.to(**like)
        back_shift = shift / gain**2
        eye = torch.eye(n, **like)
        code_at = len(self.encoder_layers) - 1
        layers = [*self.encoder_layers, *self.decoder_layers]
        # Per layer: its carriers' weights on the carriers before it (the
        # axes for the first), their bias, and the shift its input's
        # carriers hold (None: the raw input or the code).
        middle = [(eye, torch.zeros(n, **like))] * (code_at - 1)
        plan = [(gain * components, shift - gain * components @ mean), *middle]
        plan += [(eye / gain, -shift / gain), (eye / gain, back_shift), *middle]
        in_shift = [None] + [shift] * code_at + [None] + [back_shift] * code_at
        for i, layer in enumerate(layers):
            if i == len(layers) - 1:  # the output layer: back from the shifted scores
                if not isinstance(layer, TiedLinear):
                    layer.weight.zero_()
                    layer.weight[:, :n] = gain * components.t()
                layer.bias.copy_(mean - gain * components.t() @ back_shift)
                break
            weight, bias = plan[i]
            if not isinstance(layer, TiedLinear):  # a tied layer's carriers are its twin's
                if i == code_at:
                    layer.weight.zero_()  # code units beyond the axes start at zero
                layer.weight[:n] = 0
                layer.weight[:n, : weight.shape[1]] = weight
            if i == code_at:
                layer.bias.zero_()
            elif i == 0:
                # The other units see centred rows: on data far from 0 (around
                # 100) their outputs were in the hundreds, and Adam's first
                # steps on their (zero) outgoing weights threw the start away.
                layer.bias[n:] -= layer.weight[n:] @ mean
            elif in_shift[i] is not None:
                # The other units see centred scores, not the shifted ones.
                layer.bias[n:] -= layer.weight[n:, :n] @ in_shift[i]
            layer.bias[:n] = bias

    def forward(self, x):
        code = self.encode(x)
        return {"code": code, "recon": self.decode(code)}

    def layer_pair(self, i):
        """Encoder layer ``i`` and the decoder layer mirroring it, as a :class:`LayerPair`.

        Each side keeps the activation it has in the stack: the pair maps the
        activations before encoder layer ``i`` back to themselves (to the
        stack's output, with its ``out_activation``, for ``i=0``).
        """
        n = len(self.encoder_layers)
        code_activation = self.code_activation if i == n - 1 else self.activation
        output_activation = self.out_activation if i == 0 else self.activation
        encoder, decoder = self.encoder_layers[i], self.decoder_layers[n - 1 - i]
        return LayerPair(encoder, decoder, code_activation, output_activation)
