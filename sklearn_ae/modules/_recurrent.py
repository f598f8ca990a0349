"""Sequence-to-sequence (LSTM/GRU) autoencoder for sequences given as flat rows."""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

__all__ = ["CELLS", "RecurrentAutoencoder"]

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentAutoencoder(nn.Module):
    """Encoder RNN to a dense code, decoder RNN fed the code at every step.

    Rows hold ``n_timesteps * n_channels`` values, time-major (the flattening
    of an ``(n_timesteps, n_channels)`` array). NaN marks steps that are not
    observed: a NaN tail (padding of a shorter sequence) is cut off with
    :func:`~torch.nn.utils.rnn.pack_padded_sequence`, so the code is taken
    at the sequence's own last step; NaN inside a sequence reads as 0.
    The decoder always emits all ``n_timesteps`` steps.

    Parameters
    ----------
    n_timesteps : int
    n_channels : int
    n_components : int
    hidden_size : int, default=64
    num_layers : int, default=1
    cell : {"lstm", "gru"}, default="lstm"

    References
    ----------
    N. Srivastava, E. Mansimov and R. Salakhutdinov, "Unsupervised learning
    of video representations using LSTMs", ICML 2015.
    """

    def __init__(
        self, n_timesteps, n_channels, n_components, hidden_size=64, num_layers=1, cell="lstm"
    ):
        super().__init__()
        self.n_timesteps = n_timesteps
        self.n_channels = n_channels
        rnn = CELLS[cell]
        self.encoder = rnn(n_channels, hidden_size, num_layers, batch_first=True)
        self.code = nn.Linear(hidden_size, n_components)
        self.decoder = rnn(n_components, hidden_size, num_layers, batch_first=True)
        # The decoder also starts from the code (Srivastava et al. copy the
        # encoder's state); with only the repeated input it learns far slower.
        self.initial_state = nn.Linear(n_components, num_layers * hidden_size)
        self.output = nn.Linear(hidden_size, n_channels)
        # A learned value per step and channel (the mean sequence, in effect):
        # a decoder fed a constant input would otherwise have to learn to
        # count steps before it could even reproduce the average shape.
        self.step_bias = nn.Parameter(torch.zeros(n_timesteps, n_channels))

    def encode(self, x):
        x = x.reshape(-1, self.n_timesteps, self.n_channels)
        missing = torch.isnan(x)
        observed_steps = ~missing.all(dim=2)
        steps = torch.arange(1, self.n_timesteps + 1, device=x.device)
        lengths = (observed_steps * steps).amax(dim=1).clamp(min=1)
        x = x.masked_fill(missing, 0.0)
        if bool((lengths < self.n_timesteps).any()):
            x = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, state = self.encoder(x)
        hidden = state[0] if isinstance(state, tuple) else state  # LSTM: (h, c)
        return self.code(hidden[-1])

    def decode(self, z):
        steps = z.unsqueeze(1).expand(-1, self.n_timesteps, -1)
        layers, hidden = self.decoder.num_layers, self.decoder.hidden_size
        h0 = torch.tanh(self.initial_state(z)).reshape(-1, layers, hidden).transpose(0, 1)
        h0 = h0.contiguous()
        state = (h0, torch.zeros_like(h0)) if isinstance(self.decoder, nn.LSTM) else h0
        out, _ = self.decoder(steps, state)
        return (self.output(out) + self.step_bias).flatten(1)

    def forward(self, x):
        code = self.encode(x)
        return {"code": code, "recon": self.decode(code)}
