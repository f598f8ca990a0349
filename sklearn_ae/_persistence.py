"""What a fitted autoencoder keeps when it is pickled or saved with skops.

The skorch net an estimator holds (``net_``) carries its optimizer's state:
L-BFGS keeps 100 past steps of every weight, so a ``LinearAE(n_components=30)``
on 784 features pickled to 20 MB for 0.1 MB of weights. A saved estimator
keeps instead exactly what inference and ``warm_start`` need, as plain data
(numbers, strings, lists, dicts and numpy arrays):

* its parameters and fitted attributes, as they are;
* the trained module's ``state_dict``, as numpy arrays;
* the training history (``net_.history``), as a JSON string;
* the device it was trained on.

A parameter that is a torch module *instance* (``AutoEncoder``'s ``encoder``
and ``decoder``) is saved as a copy whose parameters and buffers are numpy
arrays: skops can then store it as an object of its class (listed by
``get_untrusted_types``, with torch's layer classes it holds), where a tensor
would make it fail.

Loading rebuilds the net from the parameters (the module from
``_build_module``, the loss, penalties and callbacks from ``_make_net``) and
copies the weights in. The optimizer is new, as after scikit-learn's MLP
``warm_start``: continued training starts with fresh Adam moments or L-BFGS
history. Being plain data, the state is all ``skops.io`` needs to load a model
without trusting any torch or skorch type, and never holds code to run.
"""

import copy
import json
import numbers
import warnings

import numpy as np
import torch
from skorch.history import History

from ._runtime import resolve_device

__all__ = [
    "check_architecture",
    "device_for_loading",
    "estimator_state",
    "load_plain_weights",
    "restore_estimator",
    "restore_state",
]

# The key under which the net's plain-data stand-in is stored.
_NET_KEY = "_net_state"
_VERSION_KEY = "_sklearn_ae_version"
_MODULE_KEY = "_sklearn_ae_torch_module"


def _unique_state(module):
    """The module's ``state_dict`` without aliases: each tensor under its first name.

    Tied weights reach the state dict twice (the decoder holds the encoder
    layer), which would double the file for nothing.
    """
    seen, unique = set(), {}
    for name, tensor in module.state_dict(keep_vars=True).items():
        if id(tensor) not in seen:
            seen.add(id(tensor))
            unique[name] = tensor
    return unique


def _json_scalar(value):
    # History rows may hold numpy or torch scalars.
    if isinstance(value, np.generic | torch.Tensor):
        return value.item()
    raise TypeError(f"{type(value).__name__} in the training history is not plain data.")


def _module_to_plain(module):
    """A copy of ``module`` whose tensors are ``(array, is_parameter, requires_grad)``.

    The array is None for a lazy layer's uninitialized tensor (``nn.LazyLinear``
    before a forward pass), which has no values yet.
    """
    plain = copy.deepcopy(module).cpu()
    for sub in plain.modules():
        for tensors in (sub._parameters, sub._buffers):
            for name, tensor in tensors.items():
                if tensor is not None:
                    lazy = isinstance(tensor, torch.nn.parameter.UninitializedTensorMixin)
                    tensors[name] = (
                        None if lazy else tensor.detach().numpy().copy(),
                        isinstance(tensor, torch.nn.Parameter),
                        bool(tensor.requires_grad),
                    )
    return {_MODULE_KEY: plain}


def _tensor_from_plain(array, is_parameter, requires_grad):
    if array is None:  # a lazy layer's, still to be sized by a forward pass
        if is_parameter:
            return torch.nn.parameter.UninitializedParameter(requires_grad=requires_grad)
        return torch.nn.parameter.UninitializedBuffer(requires_grad=requires_grad)
    tensor = torch.as_tensor(np.array(array))
    return torch.nn.Parameter(tensor, requires_grad=requires_grad) if is_parameter else tensor


def _module_from_plain(value):
    module = value[_MODULE_KEY]
    for sub in module.modules():
        for tensors in (sub._parameters, sub._buffers):
            for name, saved in tensors.items():
                if saved is not None:
                    tensors[name] = _tensor_from_plain(*saved)
    return module


def _is_plain_module(value):
    return isinstance(value, dict) and set(value) == {_MODULE_KEY}


def _map_modules(state, is_module, convert):
    """``state`` with module parameters converted, also those in ``_params_at_fit``."""
    state = {key: convert(v) if is_module(v) else v for key, v in state.items()}
    if isinstance(state.get("_params_at_fit"), dict):
        state["_params_at_fit"] = _map_modules(state["_params_at_fit"], is_module, convert)
    return state


def _on_meta(builder):
    """A copy of ``builder`` whose module parameters (``AutoEncoder``'s instances) are on
    the meta device, so that the network it describes can be built there."""
    meta = copy.copy(builder)
    for name, value in builder.get_params(deep=False).items():
        if isinstance(value, torch.nn.Module):
            setattr(meta, name, copy.deepcopy(value).to("meta"))
    return meta


def _check_fitted_numbers(estimator, saved):
    """The fitted numbers a network is built from: positive ints, or a clear error.

    (``batch_size`` -1 stands for the whole data.)
    """
    for name, value, also in (
        ("n_features_in_", getattr(estimator, "n_features_in_", None), None),
        ("batch_size", saved.get("batch_size"), -1),  # -1: the whole data (L-BFGS)
    ):
        integer = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if not (integer and (value >= 1 or value == also)):
            raise ValueError(
                f"The file gives this {type(estimator).__name__} {name}={value!r}, not a "
                "positive integer. Was the file edited?"
            )


def device_for_loading(device):
    """The device a model saved on ``device`` loads on here: the CPU when CUDA is absent."""
    if torch.device(device).type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"This model was fitted on device {device!r}, but there are no CUDA devices "
            "here: it is loaded on the CPU. Set device='cpu' (or 'auto') before training "
            "it further.",
            UserWarning,
            stacklevel=4,
        )
        return torch.device("cpu")
    return resolve_device(device)


def net_to_plain(net):
    """A skorch net as plain data: its weights, history, device and batch size."""
    return {
        "weights": {
            name: value.detach().cpu().numpy().copy()
            for name, value in _unique_state(net.module_).items()
        },
        # One JSON string rather than a node per number: skops's schema stays
        # small (it took 80 kB for 20 epochs of a LinearAE as a list of dicts).
        "history": json.dumps(list(net.history), default=_json_scalar),
        "device": str(net.device),
        "batch_size": int(net.batch_size),
    }


def load_plain_weights(net, saved, owner):
    """Copy ``saved``'s weights and history into the freshly built ``net``."""
    weights = {
        name: torch.as_tensor(np.asarray(value)) for name, value in saved["weights"].items()
    }
    expected = _unique_state(net.module_)
    try:
        if set(weights) != set(expected):
            raise RuntimeError(
                f"unexpected {sorted(set(weights) - set(expected))}, "
                f"missing {sorted(set(expected) - set(weights))}"
            )
        # Not strict: the aliases left out when saving share their tensors with these.
        net.module_.load_state_dict(weights, strict=False)
    except RuntimeError as exc:
        raise ValueError(
            f"The saved weights do not fit the network {owner} builds from its parameters "
            f"({exc}). Was the file edited, or saved by another version of sklearn-ae?"
        ) from exc
    net.history = History(json.loads(saved["history"]))
    return net


def check_architecture(build, saved, owner):
    """Refuse a file whose parameters describe another network than its weights.

    ``build()`` makes the module the parameters describe; it runs on torch's
    "meta" device, which records shapes and allocates nothing, so a file
    edited to ask for a layer of 10**10 units costs nothing before it is
    refused. Its parameter shapes must be those of the saved weights.
    """
    weights = saved.get("weights") if isinstance(saved, dict) else None
    if not isinstance(weights, dict) or not all(
        isinstance(value, np.ndarray) for value in weights.values()
    ):
        raise ValueError(f"The file holds no weights {owner} can read: was it edited?")
    try:
        with torch.device("meta"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lazy layers, deprecations: fit says them
            described = {
                name: tuple(tensor.shape) for name, tensor in _unique_state(build()).items()
            }
    except (ValueError, TypeError, RuntimeError, IndexError, NotImplementedError) as exc:
        raise ValueError(
            f"The parameters saved with this {owner} do not describe a network it can build "
            f"({exc}). Was the file edited, or saved by another version of sklearn-ae?"
        ) from exc
    held = {name: tuple(value.shape) for name, value in weights.items()}
    if described != held:
        differ = sorted(
            name
            for name in described.keys() | held.keys()
            if described.get(name) != held.get(name)
        )
        name = differ[0]
        raise ValueError(
            f"The saved weights do not fit the network {owner} builds from its parameters: "
            f"weight {name!r} has shape {described.get(name)} there, {held.get(name)} in the "
            f"file ({len(differ)} weight(s) differ). Was the file edited, or saved by another "
            "version of sklearn-ae?"
        )


def estimator_state(estimator, state):
    """``state`` (the estimator's ``__dict__``) with ``net_`` replaced by plain data."""
    from . import __version__

    state = {**state, _VERSION_KEY: __version__}
    state = _map_modules(state, lambda v: isinstance(v, torch.nn.Module), _module_to_plain)
    net = state.pop("net_", None)
    if net is not None:  # fitted
        state[_NET_KEY] = net_to_plain(net)
    return state


def restore_state(estimator, state):
    """Set ``estimator``'s ``__dict__`` from ``state``; return the saved net's data or None."""
    from . import __version__

    state = dict(state)
    saved = state.pop(_NET_KEY, None)
    saved_version = state.pop(_VERSION_KEY, __version__)
    state = _map_modules(state, _is_plain_module, _module_from_plain)
    vars(estimator).update(state)
    if saved_version != __version__:
        warnings.warn(
            f"This {type(estimator).__name__} was saved by sklearn-ae {saved_version} and is "
            f"loaded by {__version__}: it may not work as it did. Refit it, or load it with "
            "the version that saved it.",
            UserWarning,
            stacklevel=4,
        )
    return saved


def _holds_lazy_modules(estimator):
    lazy = torch.nn.modules.lazy.LazyModuleMixin
    return any(
        isinstance(sub, lazy)
        for value in vars(estimator).values()
        if isinstance(value, torch.nn.Module)
        for sub in value.modules()
    )


def restore_estimator(estimator, state):
    """Set ``estimator``'s ``__dict__`` from ``state``, rebuilding ``net_`` if it was saved."""
    saved = restore_state(estimator, state)
    if saved is None:
        return
    # The network is built as it was at fit, whatever set_params did since.
    builder = copy.copy(estimator)
    vars(builder).update(getattr(estimator, "_params_at_fit", {}))
    # A file's parameters decide what is built: check them as fit would, and
    # against the weights it holds before anything is allocated.
    builder._validate_params()
    _check_fitted_numbers(estimator, saved)
    # Lazy layers (an AutoEncoder's own modules) cannot be sized on the meta
    # device; the width they take is n_features_in_, checked above, and the
    # weights are compared with the built network's when they are loaded.
    if not _holds_lazy_modules(builder):
        check_architecture(
            lambda: _on_meta(builder)._build_module(estimator.n_features_in_),
            saved,
            type(estimator).__name__,
        )
    device = device_for_loading(saved["device"])
    # Building a module draws initial weights from torch's global RNG, which
    # loading must leave alone; the weights are overwritten right after.
    with torch.random.fork_rng(devices=[]):
        net = builder._make_net(
            estimator.n_features_in_, device, 1, batch_size=saved["batch_size"]
        )
    estimator.net_ = load_plain_weights(net, saved, type(estimator).__name__)
