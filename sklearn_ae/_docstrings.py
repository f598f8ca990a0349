"""Parameter descriptions shared by the estimators' docstrings.

Every estimator documents the training parameters it inherits; writing them
once here keeps the wording identical and the class files short.
"""

import dataclasses

__all__ = ["fill_doc"]

_PARAMETERS = {
    "n_components": """n_components : int, default=2
        Size of the code (latent dimension). Output columns are named like
        PCA's: ``<classname>0``, ``<classname>1``, ...""",
    "loss": """loss : {"mse", "bce"}, default="mse"
        Reconstruction loss. ``"bce"`` (binary cross-entropy) expects inputs in
        [0, 1] and puts a sigmoid on the output layer.""",
    "noise": """noise : {None, "gaussian", "masking", "dropout"}, default=None
        Corruption of the input during training only (denoising autoencoder,
        Vincent et al. 2008); ``transform`` always sees clean data.
        ``"masking"`` zeroes entries; ``"dropout"`` zeroes them too and
        divides the kept ones by ``1 - noise_level``, as dropout does, so
        corrupted inputs keep the clean inputs' expected value (and scale).
        A feature whose training values all lie far from 0 (around 100, say)
        is masked to its training mean instead of 0, a value it never takes.""",
    "noise_level": """noise_level : float, default=0.1
        Standard deviation of Gaussian noise, or probability of zeroing each
        input entry for masking and dropout noise.""",
    "dense": """hidden_layer_sizes : tuple of int, default=(128, 64)
        Widths of the encoder's hidden layers, input side first.
    activation : str, default="relu"
        Nonlinearity of the hidden layers: "relu", "tanh", "logistic",
        "identity", "elu", "gelu", "selu", "leaky_relu" or "softplus". With
        ``hidden_layer_sizes=()`` there are none, and a non-default value is
        warned about: the code and output layers take ``code_activation``
        and ``out_activation``.
    tied_weights : bool, default=False
        Reuse transposed encoder weights in the decoder (own biases): about
        half the parameters.
    pretrain : {None, "greedy"}, default=None
        ``"greedy"``: before the end-to-end fit, train each encoder layer and
        its decoder twin as a shallow autoencoder on the codes of the layers
        below (Bengio et al. 2007), with the same solver, batches and input
        corruption, then fine-tune the whole stack for ``max_iter`` epochs.
        Only on a fresh fit, not when ``warm_start`` continues one.
    pretrain_max_iter : int, default=10
        Epochs of each pretraining stage (one stage per encoder layer).
    pretrain_learning_rate_init : float or None, default=None
        Learning rate of the pretraining stages; None uses
        ``learning_rate_init``. Shallow stages tolerate larger rates than the
        deep fine-tuning, which a large rate can throw far from the
        pretrained weights.""",
    "init": """init : {"pca", "random"}, default="pca"
        How a fresh fit (or a first ``partial_fit``) starts. ``"pca"``: as
        PCA of the training rows (of the first block for ``partial_fit``;
        randomized for wide data). Sparse input (e.g. TF-IDF) is centred
        implicitly, as scikit-learn's PCA does, never densified: the same
        data as CSR or dense give the same model. With ReLU-like hidden
        layers (``"relu"``, ``"leaky_relu"``, ``"elu"``) at least four times
        ``n_components`` wide (and no ``neighbor_loss``), the layers
        themselves take the start: their
        first ``n_components`` units carry the principal scores (shifted
        into the activation's linear part), the other units start at random
        with zero weights into the code and output layers. Otherwise a
        linear path from input to code and from code to output (tied with
        ``tied_weights``) is added to the deep one and takes the principal
        axes, while the deep path's code and output layers start at zero.
        Either way the untrained model reconstructs exactly as PCA does and
        training adds what a linear map misses; penalties and corruptions
        see the whole model.
        Without hidden layers the single layers take the axes. With
        ``pretrain="greedy"`` the PCA start is set after pretraining, over
        the weights it sets; the other pretrained weights are kept. The
        start is exactly PCA only with
        linear ``code_activation`` and ``out_activation`` and ``loss="mse"``.
        ``"random"``: PyTorch's default initialisation, no linear path.""",
    "code_activation": """code_activation : str, default="identity"
        Nonlinearity on the code (the output of :meth:`transform`), one of
        the ``activation`` names. ``"identity"`` gives unbounded codes, like
        PCA's scores; ``"relu"`` non-negative, partly sparse codes (the
        tutorials' basic autoencoder); ``"logistic"`` codes in (0, 1),
        ``"tanh"`` in (-1, 1). Any input
        scaling works; the code's range is the activation's.""",
    "out_activation": """out_activation : str, default="identity"
        Nonlinearity on the reconstruction (one of the ``activation`` names),
        which can then only take the
        activation's values: scale the input to match. ``"identity"`` suits
        any scaling (e.g. ``StandardScaler``); ``"logistic"`` (a sigmoid)
        needs inputs in [0, 1] (``MinMaxScaler``, pixels / 255); ``"tanh"``
        inputs in [-1, 1]; ``"relu"`` and ``"softplus"`` non-negative inputs.
        With ``loss="bce"`` the output is always a sigmoid, computed from the
        logits for numerical stability: ``"identity"`` and ``"logistic"``
        then give the same model and any other value is an error.""",
    "pretrain_attributes": """pretrain_loss_curves_ : list of list of float
        Training loss of each epoch of each greedy pretraining stage, input
        side first (only with ``pretrain="greedy"``).""",
    "training": """solver : {"adam", "adamw", "sgd", "lbfgs"}, default="adam"
        Torch optimizer, named as in scikit-learn's MLP. ``"sgd"`` is
        stochastic gradient descent with ``momentum``; ``"adamw"`` is Adam
        with decoupled weight decay (``alpha``); ``"lbfgs"`` trains on the
        full batch (``batch_size`` is warned about and ignored, as in MLP;
        sparse rows are densified in chunks), and one of its iterations is
        one ``LBFGS.step`` (up to 20 L-BFGS iterations with a strong-Wolfe
        line search).
    learning_rate : {"constant", "invscaling", "adaptive", "cosine"}, default="constant"
        Learning-rate schedule, for ``solver`` "sgd", "adam" and "adamw"
        (L-BFGS takes line-search steps; a schedule there is warned about
        and ignored). As in MLP, the rate changes at the end of each epoch:

        - ``"constant"``: ``learning_rate_init`` throughout.
        - ``"invscaling"``: ``learning_rate_init / (t + 1) ** power_t``,
          with ``t`` the number of training samples seen so far (MLP's
          step unit), counted on across warm starts and ``partial_fit``
          calls.
        - ``"adaptive"``: constant while the loss keeps improving; each time
          the stopping rule sees ``n_iter_no_change`` epochs without an
          improvement of ``tol``, the rate is divided by 5 instead of
          stopping, and training stops once the rate is at or below 1e-6.
        - ``"cosine"``: ``learning_rate_init * (1 + cos(pi * e / max_iter)) / 2``
          after epoch ``e``, decaying to 0 at ``max_iter``; long runs reach
          lower minima than at a constant rate.

        Each ``fit`` (also a warm start) starts the schedule again; each
        greedy pretraining stage runs it over ``pretrain_max_iter`` epochs.
    learning_rate_init : float or "auto", default=0.001
        Initial learning rate; ``"auto"`` is 1.0 for L-BFGS, 0.003 with
        ``neighbor_loss="tsne"`` and 0.03 with ``"umap"`` (times 128 / the
        widest hidden layer where that is wider) and 0.001 otherwise.
    power_t : float, default=0.5
        Exponent of ``learning_rate="invscaling"``.
    momentum : float, default=0.9
        Momentum of ``solver="sgd"``, in [0, 1]: scikit-learn MLP's default,
        where ``torch.optim.SGD``'s is 0. Steps are then about
        ``1 / (1 - momentum)`` (10) times the rate, so a rate that trains in
        a plain torch loop (a tutorial's ``SGD(lr=1.0)``) needs
        ``momentum=0`` here.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``solver="sgd"`` (and ``momentum > 0``).
    beta_1 : float, default=0.9
        Decay rate of Adam's (and AdamW's) first-moment estimates, in [0, 1).
    beta_2 : float, default=0.999
        Decay rate of Adam's (and AdamW's) second-moment estimates, in [0, 1).
    epsilon : float, default=1e-8
        Adam's (and AdamW's) numerical-stability term.
    alpha : float, default=0.0
        L2 penalty (weight decay) on all weights.
    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, n_samples)``<batch auto>. L-BFGS always
        takes the full batch.
    max_iter : int
        Maximum number of epochs (passes over the training data).
    tol : <tol type>, default=<tol>
        Relative tolerance of the stopping rule: an epoch improves when its
        loss is below ``(1 - tol)`` times the best loss so far. Training stops
        after ``n_iter_no_change`` epochs without improvement (after one for
        L-BFGS on a deterministic loss: no ``noise``, sampling or dropout);
        the training loss is monitored, or the validation loss with
        ``early_stopping``.<tol auto>
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, monitor their loss,
        and restore the weights of the best validation epoch at the end.
    validation_fraction : float, default=0.1
        Share of rows held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops.
    warm_start : bool, default=False
        Continue training the fitted model on the next call of ``fit``, with
        a fresh optimizer. Only training parameters (optimizer, learning
        rate, batch size, epochs, stopping rule, noise, loss-term weights,
        device) may change in between; a change of anything that shapes the
        model (``n_components``, layer sizes, activations, ...) raises a
        ValueError naming it instead of being ignored.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, or ``"auto"`` (CUDA when available).
    n_jobs : int or None, default=None
        Torch threads for training and inference on the CPU. ``None`` chooses
        from the work per batch: one thread for small models, where a second
        thread costs more than it saves (10-45x more on a busy 2-core
        machine), otherwise the threads available (``OMP_NUM_THREADS`` in
        joblib workers, else ``torch.get_num_threads()``). ``-1`` uses them
        all; a positive count is used as given. The process-wide setting is
        restored when the call ends. With ``neighbor_loss="tsne"`` it is also
        openTSNE's ``n_jobs`` (``None``: one thread; pass ``-1`` or a count
        for more).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, noise and the validation
        split. An int makes CPU training bitwise reproducible. Global torch
        and numpy random states are never touched.
    verbose : bool or int, default=False
        Print one line per epoch (loss, validation loss, learning rate,
        time), with a progress bar (loss and ETA) below them on a terminal.
    callbacks : list of skorch callbacks or (name, callback) pairs, default=None
        Extra :mod:`skorch.callbacks` for the training net ``net_``, after
        the package's own (divergence check, schedule, stopping rule,
        progress): e.g. ``Checkpoint(monitor="train_loss_best")``,
        ``LRScheduler``, ``EpochScoring``-like metrics, ``TensorBoard``. Each
        fit trains with deep copies, so the parameter itself is never
        changed: read the fitted copies back from ``callbacks_``. The
        history holds ``train_loss``, ``train_loss_best``, ``lr`` (with a
        schedule) and, with ``early_stopping`` or ``X_val``, ``valid_loss``
        and ``valid_loss_best``. Greedy pretraining stages run without them.
    neighbor_loss : {None, "tsne", "umap"}, default=None
        Make the code a neighbour map of the rows. ``"tsne"``: each fit
        places the training rows with openTSNE (t-SNE with perplexity
        ``n_neighbors / 3``, PCA-initialised, early exaggeration; ``pip install
        openTSNE``), keeps that map as ``embedding_`` and trains the encoder
        to put each row at its place on it (the squared distance in units of
        the map's spread, times ``neighbor_weight``) while the decoder learns
        to invert it. :meth:`fit_transform` returns ``embedding_``, as
        t-SNE and umap-learn do; :meth:`transform` places new rows among the
        training rows as openTSNE's ``transform`` does, or with the encoder
        alone (``neighbor_transform``). ``"umap"`` (deprecated;
        parametric UMAP, Sainburg et al. 2021) adds UMAP's fuzzy
        cross-entropy on edges of the ``n_neighbors`` graph to the loss: it
        trails umap-learn and ``"tsne"`` on every benchmark set. Not
        available to :meth:`partial_fit` (the map needs the whole data). With
        ``early_stopping``, validation batches are scored on reconstruction
        only. ``learning_rate_init="auto"`` (StackedAE's default) then trains
        at 0.003 (``"umap"``: 0.03), less for hidden layers wider than 128.
        See the user guide's
        "Neighbour-preserving codes" and ``benchmarks/RESULTS_neighbors.md``.
    neighbor_weight : float, default=1.0
        Weight of the neighbour term relative to the reconstruction loss.
        At 1.0 the map shapes the code and the decoder learns to invert it;
        lower it (e.g. 0.01) to trade the map for reconstruction.
    n_neighbors : int or None, default=None
        ``"tsne"``: three times the perplexity (t-SNE's neighbour graph has
        ``3 * perplexity`` neighbours per row); None is openTSNE's perplexity
        of 30, or a third of the training rows where fewer. ``"umap"``:
        neighbours per row in the graph, below the number of training rows;
        None is 15, umap-learn's default.
    neighbor_transform : {"opentsne", "encoder"}, default="opentsne"
        With ``neighbor_loss="tsne"``, how :meth:`transform` places rows.
        ``"opentsne"``: openTSNE's ``transform`` (each row's affinities to its
        nearest training rows at perplexity 5, then t-SNE gradient steps with
        the training rows' map fixed), from the median place of each row's
        25 nearest training rows; it needs the model's copy of the training
        rows' neighbour index and openTSNE at transform time. ``"encoder"``: the encoder alone, a
        function of the row (what ONNX export and skops files carry), less
        faithful to the map (``RESULTS_neighbors.md``). Can be changed after
        fitting.""",
}

ATTRIBUTES = """n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.
    net_ : skorch.NeuralNet
        The skorch net that trained the module (history, optimizer state).
    module_ : torch.nn.Module
        The trained module (``net_.module_``).
    loss_curve_ : list of float
        Training loss of each epoch.
    embedding_ : ndarray of shape (n_samples, n_components)
        With ``neighbor_loss="tsne"`` only: openTSNE's map of the training
        rows, which the encoder was trained to reproduce.
    neighbor_map_ : openTSNE.TSNEEmbedding
        With ``neighbor_loss="tsne"`` only: that map with the training rows'
        neighbour index, on which ``neighbor_transform="opentsne"`` places new
        rows.
    validation_loss_curve_ : list of float
        Validation loss of each epoch (only with ``early_stopping=True`` or
        ``fit(X, X_val=...)``; None for epochs of an earlier warm-started fit
        that had none).
    best_validation_loss_ : float
        Lowest validation loss (only with ``early_stopping=True`` or ``X_val``).
    n_iter_ : int
        Number of epochs run.
    callbacks_ : dict
        The fitted copies of ``callbacks`` by name (the name given in a
        ``(name, callback)`` pair, else the class name): what they recorded
        during the fit, e.g. a checkpoint's or a metric's state."""


def fill_doc(cls):
    """Fill ``{name}`` placeholders of a class docstring from the shared texts.

    ``<tol>`` in the shared texts becomes the class's own default of ``tol``.
    """
    doc = cls.__doc__.format(attributes=ATTRIBUTES, **_PARAMETERS)
    tol = next((f.default for f in dataclasses.fields(cls) if f.name == "tol"), 1e-4)
    auto = tol == "auto"
    for mark, text in (
        ("<tol type>", 'float or "auto"' if auto else "float"),
        ("<tol>", '"auto"' if auto else f"{tol:g}"),
        ("<tol auto>", _TOL_AUTO if auto else ""),
        ("<auto tol>", f"{getattr(cls, '_auto_tol', 1e-2):.0e}".replace("e-0", "e-")),
        ("<batch auto>", _batch_auto(getattr(cls, "_auto_min_steps", 1))),
    ):
        doc = doc.replace(mark, text)
    cls.__doc__ = doc
    return cls


def _batch_auto(min_steps):
    if min_steps == 1:
        return ""
    return (
        f",\n        but at least {min_steps} batches an epoch while they keep 32 rows\n"
        f"        (300 rows: batches of {max(32, -(-300 // min_steps))})"
    )


# tol="auto"; <auto tol> is the class's own value.
_TOL_AUTO = """
        ``"auto"`` is <auto tol>: past that pace the test error has levelled
        off while the training loss still creeps down. With ``neighbor_loss``
        it is 1e-3, because the map keeps improving at that pace."""
