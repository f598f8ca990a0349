"""ONNX export of fitted autoencoders through skl2onnx.

Importing this module registers a converter for each autoencoder whose
encoder ONNX can express, so that :func:`skl2onnx.to_onnx` converts them on
their own or inside a :class:`~sklearn.pipeline.Pipeline`::

    import sklearn_ae.onnx  # registers the converters
    from skl2onnx import to_onnx

    onx = to_onnx(pipeline, X[:1])

The ONNX graph of ``transform`` comes from torch's own exporter
(:func:`torch.onnx.export`, the ``torch.export``-based one) and is spliced
into the graph skl2onnx builds, so every layer torch can export is covered
without a second implementation here. The input's dtype is kept: float64
input gives a float64 graph, which matches ``transform`` on float64 data.

``RecurrentAE`` is not converted: its encoder stops each sequence at its last
observed (non-NaN) step, a data-dependent branch that ``torch.export``
rejects and that the older tracing exporter would silently freeze.

Needs the ``onnx`` extra: ``pip install "sklearn-ae[onnx]"``.
"""

import contextlib
import copy
import logging
import warnings

try:
    import onnx
    import onnxscript  # noqa: F401  (torch.onnx.export's exporter needs it)
    from onnx import numpy_helper
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "sklearn_ae.onnx needs skl2onnx, onnx and onnxscript: pip install 'sklearn-ae[onnx]'."
    ) from exc

import torch

from ._base import BaseAutoencoder
from ._recurrent import RecurrentAE
from .utils import all_estimators

__all__ = ["register_converters", "to_torch_onnx"]

# The oldest opset torch.export's ONNX exporter writes.
_MIN_OPSET = 18


class _Encoder(torch.nn.Module):
    """What ``transform`` computes, as a module torch can export."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x):
        return self.module.encode(x)


@contextlib.contextmanager
def _quiet_exporter():
    # torch's exporter logs that torchvision's operators are unavailable and
    # warns about its own internals on every export: nothing a user can act on.
    registration = logging.getLogger("torch.onnx._internal.exporter._registration")
    level = registration.level
    registration.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*LeafSpec", category=FutureWarning)
            yield
    finally:
        registration.setLevel(level)


def to_torch_onnx(estimator, dtype=torch.float32, opset=None):
    """The ONNX model of ``estimator.transform``, from :func:`torch.onnx.export`.

    Parameters
    ----------
    estimator : BaseAutoencoder
        A fitted autoencoder (not :class:`~sklearn_ae.RecurrentAE`).
    dtype : torch.dtype, default=torch.float32
        Element type of the graph's input and output.
    opset : int or None, default=None
        ONNX opset of the default domain; None lets torch choose.

    Returns
    -------
    model : onnx.ModelProto
        One input ``X`` of shape ``(n_samples, n_features_in_)`` and one output
        ``codes`` of shape ``(n_samples, n_components)``; the batch size is free.
    """
    if isinstance(estimator, RecurrentAE):
        raise NotImplementedError(
            "RecurrentAE cannot be exported to ONNX: its encoder stops each sequence at "
            "its last observed step, a data-dependent branch torch's exporter cannot "
            "express. Use transform from Python, or a StackedAE/ConvAE on fixed-length rows."
        )
    if estimator._places_with_opentsne():
        raise ValueError(
            f"{type(estimator).__name__}.transform places rows on its t-SNE map with openTSNE "
            "(neighbor_transform='opentsne'), which ONNX cannot express. Set "
            "neighbor_transform='encoder' to export the encoder alone "
            "(benchmarks/RESULTS_neighbors.md compares the two)."
        )
    # A CPU copy: exporting must not move or retype the fitted module.
    module = _Encoder(copy.deepcopy(estimator.module_).to("cpu", dtype)).eval()
    example = torch.zeros(2, estimator.n_features_in_, dtype=dtype)
    batch = torch.export.Dim("n_samples")
    with _quiet_exporter():
        program = torch.onnx.export(
            module,
            (example,),
            input_names=["X"],
            output_names=["codes"],
            dynamic_shapes=({0: batch},),
            opset_version=opset,
            dynamo=True,
            verbose=False,
        )
    model = program.model_proto
    if model.functions:
        model = onnx.inliner.inline_local_functions(model)
    return model


def _shape_calculator(operator):
    estimator = operator.raw_operator
    input_type = operator.inputs[0].type
    n_samples = input_type.shape[0] if input_type.shape else None
    output_type = DoubleTensorType if isinstance(input_type, DoubleTensorType) else FloatTensorType
    operator.outputs[0].type = output_type([n_samples, estimator._n_features_out])


def _splices_in_float32(estimator, dtype):
    # onnxruntime's CPU provider has no float64 convolution: a convolutional
    # encoder runs in float32 between two casts when the input is float64.
    return dtype == torch.float64 and any(
        isinstance(layer, torch.nn.modules.conv._ConvNd) for layer in estimator.module_.modules()
    )


def _converter(scope, operator, container):
    estimator = operator.raw_operator
    dtype = (
        torch.float64 if isinstance(operator.inputs[0].type, DoubleTensorType) else torch.float32
    )
    opset = container.target_opset
    if opset < _MIN_OPSET:
        raise RuntimeError(
            f"Converting {type(estimator).__name__} needs target_opset >= {_MIN_OPSET} (torch's "
            f"ONNX exporter writes nothing older), got {opset}."
        )
    prefix = scope.get_unique_operator_name(type(estimator).__name__)
    source, target = operator.inputs[0].full_name, operator.outputs[0].full_name
    if _splices_in_float32(estimator, dtype):
        source, target = _cast(scope, container, prefix, source, target, opset)
        dtype = torch.float32
    graph = to_torch_onnx(estimator, dtype, opset).graph
    # Every name of the torch graph gets a fresh one in skl2onnx's scope,
    # except its input and output, which become the operator's.
    names = {"": "", graph.input[0].name: source, graph.output[0].name: target}

    def rename(name):
        if name not in names:
            names[name] = scope.get_unique_variable_name(f"{prefix}_{name}")
        return names[name]

    for tensor in graph.initializer:
        array = numpy_helper.to_array(tensor)
        container.add_initializer(
            rename(tensor.name),
            tensor.data_type,
            list(array.shape),
            numpy_helper.from_array(array),
        )
    for node in graph.node:
        attrs = {}
        for attr in node.attribute:
            if attr.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
                raise NotImplementedError(
                    f"{type(estimator).__name__}'s ONNX graph has a subgraph ({node.op_type}), "
                    "which this converter does not splice."
                )
            attrs[attr.name] = onnx.helper.get_attribute_value(attr)
        container.add_node(
            node.op_type,
            [rename(name) for name in node.input],
            [rename(name) for name in node.output],
            op_domain=node.domain,
            op_version=opset if node.domain == "" else None,
            name=scope.get_unique_operator_name(f"{prefix}_{node.op_type}"),
            **attrs,
        )


def _cast(scope, container, prefix, source, target, opset):
    """Cast ``source`` to float32 and a float32 result back to ``target``'s float64."""
    source32 = scope.get_unique_variable_name(f"{prefix}_X32")
    target32 = scope.get_unique_variable_name(f"{prefix}_codes32")
    for name, inputs, outputs, to in [
        ("CastIn", source, source32, onnx.TensorProto.FLOAT),
        ("CastOut", target32, target, onnx.TensorProto.DOUBLE),
    ]:
        name = scope.get_unique_operator_name(f"{prefix}_{name}")
        container.add_node("Cast", inputs, outputs, name=name, op_version=opset, to=to)
    return source32, target32


def register_converters(*classes):
    """Register the converter of autoencoder classes with skl2onnx.

    Parameters
    ----------
    *classes : subclasses of BaseAutoencoder
        The classes to register; none means every public autoencoder of
        sklearn_ae that can be exported, which importing :mod:`sklearn_ae.onnx`
        registers. Pass your own subclasses here.
    """
    classes = classes or [cls for _, cls in all_estimators() if not issubclass(cls, RecurrentAE)]
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, BaseAutoencoder)):
            raise TypeError(f"register_converters takes autoencoder classes, got {cls!r}.")
        update_registered_converter(
            cls, f"SklearnAE{cls.__name__}", _shape_calculator, _converter, overwrite=True
        )


register_converters()
