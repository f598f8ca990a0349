"""Parameter descriptions shared by the estimators' docstrings.

Every estimator documents the training parameters it inherits; writing them
once here keeps the wording identical and the class files short.
"""

__all__ = ["fill_doc"]

_PARAMETERS = {
    "n_components": """n_components : int, default=2
        Size of the code (latent dimension). Output columns are named like
        PCA's: ``<classname>0``, ``<classname>1``, ...""",
    "loss": """loss : {"mse", "bce"}, default="mse"
        Reconstruction loss. ``"bce"`` (binary cross-entropy) expects inputs in
        [0, 1] and puts a sigmoid on the output layer.""",
    "noise": """noise : {None, "gaussian", "masking"}, default=None
        Corruption of the input during training only (denoising autoencoder,
        Vincent et al. 2008); ``transform`` always sees clean data.""",
    "noise_level": """noise_level : float, default=0.1
        Standard deviation of Gaussian noise, or probability of zeroing each
        input entry for masking noise.""",
    "dense": """hidden_layer_sizes : tuple of int, default=(128, 64)
        Widths of the encoder's hidden layers, input side first.
    activation : {"relu", "tanh", "logistic", "identity", "elu", "gelu"}, default="relu"
        Nonlinearity of the hidden layers.
    tied_weights : bool, default=False
        Reuse transposed encoder weights in the decoder (own biases): about
        half the parameters.
    pretrain : {None, "greedy"}, default=None
        ``"greedy"``: before the end-to-end fit, train each encoder layer and
        its decoder twin as a shallow autoencoder on the codes of the layers
        below (Bengio et al. 2007), with the same optimizer, batches and input
        corruption, then fine-tune the whole stack for ``max_iter`` epochs.
        Only on a fresh fit, not when ``warm_start`` continues one.
    pretrain_max_iter : int, default=10
        Epochs of each pretraining stage (one stage per encoder layer).""",
    "pretrain_attributes": """pretrain_loss_curves_ : list of list of float
        Training loss of each epoch of each greedy pretraining stage, input
        side first (only with ``pretrain="greedy"``).""",
    "training": """optimizer : {"adam", "adamw", "sgd", "lbfgs"}, default="adam"
        Torch optimizer. ``"sgd"`` uses Nesterov momentum 0.9 as scikit-learn's
        MLP does; ``"lbfgs"`` trains on the full batch unless ``batch_size``
        is set, and one of its iterations is one ``LBFGS.step`` (up to 20
        L-BFGS iterations with a strong-Wolfe line search).
    learning_rate_init : float or "auto", default=0.001
        Initial learning rate; ``"auto"`` is 1.0 for L-BFGS and 0.001 otherwise.
    alpha : float, default=0.0
        L2 penalty (weight decay) on all weights.
    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, n_samples)``, or the full
        batch for L-BFGS.
    max_iter : int
        Maximum number of epochs (passes over the training data).
    tol : float, default=1e-4
        Relative tolerance of the stopping rule: an epoch improves when its
        loss is below ``(1 - tol)`` times the best loss so far. Training stops
        after ``n_iter_no_change`` epochs without improvement; the training
        loss is monitored, or the validation loss with ``early_stopping``.
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
        restored when the call ends.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, noise and the validation
        split. An int makes CPU training bitwise reproducible. Global torch
        and numpy random states are never touched.
    verbose : bool or int, default=False
        Print the loss and time of each epoch.""",
}

ATTRIBUTES = """n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column names.
    net_ : skorch.NeuralNet
        The skorch net that trained the module (history, optimizer state).
    module_ : torch.nn.Module
        The trained module (``net_.module_``).
    loss_curve_ : list of float
        Training loss of each epoch.
    validation_loss_curve_ : list of float
        Validation loss of each epoch (only with ``early_stopping=True``).
    best_validation_loss_ : float
        Lowest validation loss (only with ``early_stopping=True``).
    n_iter_ : int
        Number of epochs run."""


def fill_doc(cls):
    """Fill ``{name}`` placeholders of a class docstring from the shared texts."""
    cls.__doc__ = cls.__doc__.format(attributes=ATTRIBUTES, **_PARAMETERS)
    return cls
