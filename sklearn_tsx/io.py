"""Safe persistence of fitted models and explainers: no code from the file runs on load.

``pickle`` (and ``joblib``) files run whatever code they name when loaded, so a
model file from someone else is a program. :func:`dump` writes a file that
:func:`load` reads without that risk:

- Tensors (weights, buffers, optimiser state) are stored apart and read back by
  ``torch.load(weights_only=True)``, torch's own restricted loader.
- Everything else is pickled and read back by an unpickler that resolves only
  the names listed below; any other name in the file raises
  :class:`UntrustedTypeError` before anything is built from it.

What loading trusts, precisely: the file may create instances of the *classes*
defined in the modules of :data:`TRUSTED_MODULES` (sklearn_tsx, scikit-learn,
skorch, torch's layers, optimisers and data loaders, cebra's models), with
arguments and attributes of its choosing, and call the few reconstruction
functions of :data:`TRUSTED_FUNCTIONS` (numpy's array rebuild, containers,
``functools.partial``, torch's functional layers). It cannot call any other
function, import anything else, or reach ``eval``, ``os`` or ``pickle``. skorch's
``NeuralNet`` is not rebuilt through its own ``__setstate__`` (which unpickles
bytes with plain ``pickle``) but from its attributes. This is the guarantee of
``skops.io``'s trusted types; ``skops.io`` itself cannot store torch tensors.
"""

import importlib
import inspect
import io
import pickle

import torch

__all__ = ["TRUSTED_FUNCTIONS", "TRUSTED_MODULES", "UntrustedTypeError", "dump", "load"]

_FORMAT = "sklearn_tsx.io"
_VERSION = 1

#: Modules (and their submodules) whose classes a file may instantiate.
TRUSTED_MODULES = (
    "sklearn_tsx",
    "sklearn",
    "skorch",
    "torch.nn.modules",
    "torch.optim",
    "torch.utils.data",
    "cebra.models",
)

#: Functions and types, outside those modules, that a file may call.
TRUSTED_FUNCTIONS = frozenset(
    {
        "builtins.bytearray", "builtins.complex", "builtins.dict", "builtins.frozenset",
        "builtins.list", "builtins.print", "builtins.range", "builtins.set",
        "builtins.slice", "builtins.tuple",
        "collections.Counter", "collections.OrderedDict", "collections.defaultdict",
        "collections.deque",
        "copyreg._reconstructor",
        "functools.partial",
        "numpy.dtype", "numpy.ndarray",
        "numpy._core.multiarray._reconstruct", "numpy._core.multiarray.scalar",
        "numpy._core.numeric._frombuffer",
        "numpy.core.multiarray._reconstruct", "numpy.core.multiarray.scalar",
        "numpy.core.numeric._frombuffer",
        "numpy.random._pickle.__bit_generator_ctor",
        "numpy.random._pickle.__generator_ctor",
        "numpy.random._pickle.__randomstate_ctor",
        "skorch.setter.optimizer_setter",
        "torch.device",
        "sklearn_tsx.io._restore_neural_net",
    }
)


class UntrustedTypeError(pickle.UnpicklingError, ValueError):
    """A file names a type or function that :func:`load` does not trust.

    Examples
    --------
    >>> from sklearn_tsx.io import UntrustedTypeError
    >>> issubclass(UntrustedTypeError, ValueError)
    True
    """


def _in_trusted_modules(module):
    return any(module == root or module.startswith(root + ".") for root in TRUSTED_MODULES)


def _is_neural_net(cls):
    from skorch import NeuralNet

    return isinstance(cls, type) and issubclass(cls, NeuralNet)


def _restore_neural_net(module, name, state):
    """Rebuild a skorch net from its attributes; ``module.name`` is checked again
    here, as it arrives as data, not through the unpickler's lookup."""
    cls = _TrustedUnpickler.resolve(module, name, ())
    if not _is_neural_net(cls):
        raise UntrustedTypeError(f"{module}.{name} is not a skorch NeuralNet.")
    net = cls.__new__(cls)
    net.__dict__.update(state)
    return net


class _Pickler(pickle.Pickler):
    """Pickles tensors by reference (they go to ``torch.save``) and skorch nets
    by their attributes."""

    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.tensors = []
        self._tensor_keys = {}

    def persistent_id(self, obj):
        if not isinstance(obj, torch.Tensor):
            return None
        key = self._tensor_keys.get(id(obj))
        if key is None:
            key = self._tensor_keys[id(obj)] = len(self.tensors)
            # keep obj alive, so that its id is not reused within this dump
            self.tensors.append((obj, obj.detach()))
        return ("tensor", key, isinstance(obj, torch.nn.Parameter), obj.requires_grad)

    def reducer_override(self, obj):
        if _is_neural_net(type(obj)):
            cls = type(obj)
            return _restore_neural_net, (cls.__module__, cls.__qualname__, obj.__dict__)
        return NotImplemented


class _TrustedUnpickler(pickle.Unpickler):
    def __init__(self, file, tensors, trusted):
        super().__init__(file)
        self._tensors = tensors
        self._trusted = trusted
        self._restored = {}

    @staticmethod
    def resolve(module, name, trusted):
        qualified = f"{module}.{name}"
        if "." in name or (name.startswith("__") and qualified not in TRUSTED_FUNCTIONS):
            raise UntrustedTypeError(f"Refusing to load {qualified!r}: not a plain name.")
        try:
            obj = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as error:
            raise ValueError(
                f"The file names {qualified!r}, which this environment does not have "
                "(saved with other versions of its libraries?)."
            ) from error
        defined_in = getattr(obj, "__module__", None) or ""
        if (
            qualified in TRUSTED_FUNCTIONS
            or qualified in trusted
            or isinstance(obj, torch.dtype)
            or (module == "torch.nn.functional" and inspect.isroutine(obj))
            # a class re-exported by a trusted module from elsewhere is not trusted
            or (
                isinstance(obj, type)
                and _in_trusted_modules(module)
                and _in_trusted_modules(defined_in)
            )
        ):
            return obj
        raise UntrustedTypeError(
            f"Refusing to load {qualified!r}: it is not a trusted type. If you trust "
            f"the file's author, pass load(file, trusted=[{qualified!r}])."
        )

    def find_class(self, module, name):
        if module.split(".")[0] not in _importable_roots(self._trusted):
            raise UntrustedTypeError(
                f"Refusing to load {module}.{name}: module {module!r} is not trusted. If "
                f"you trust the file's author, pass load(file, trusted=['{module}.{name}'])."
            )
        cls = self.resolve(module, name, self._trusted)
        if _is_neural_net(cls):
            raise UntrustedTypeError(
                f"Refusing to load {module}.{name} directly: skorch nets are restored "
                "from their attributes only."
            )
        return cls

    def persistent_load(self, pid):
        kind, key, is_parameter, requires_grad = pid
        if kind != "tensor" or not 0 <= key < len(self._tensors):
            raise UntrustedTypeError(f"Unknown persistent reference {pid!r}.")
        if key not in self._restored:
            tensor = self._tensors[key]
            if is_parameter:
                tensor = torch.nn.Parameter(tensor, requires_grad=requires_grad)
            else:
                tensor.requires_grad_(requires_grad)
            self._restored[key] = tensor
        return self._restored[key]


def _importable_roots(trusted):
    """Top-level packages a file may name: importing any other is refused
    before the import runs, so that a file cannot trigger an arbitrary import."""
    names = set(TRUSTED_FUNCTIONS) | set(trusted) | set(TRUSTED_MODULES) | {"torch"}
    return {name.split(".")[0] for name in names}


def dump(obj, file):
    """Save a fitted model or explainer in a format that :func:`load` reads safely.

    Parameters
    ----------
    obj : object
        Typically a fitted sklearn_tsx model, explainer or a pipeline of them.
        Functions it holds must be trusted at load time (see the module docs).
    file : str, path-like or binary file object
        Where to write.

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from sklearn_tsx.io import dump, load
    >>> from sklearn_tsx.models import GRUClassifier
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 8)).astype("float32")
    >>> y = (X[:, 0, -1] > 0).astype(int)
    >>> model = GRUClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> buffer = io.BytesIO()
    >>> dump(model, buffer)
    >>> _ = buffer.seek(0)
    >>> (load(buffer).predict_proba(X) == model.predict_proba(X)).all()
    np.True_
    """
    payload = io.BytesIO()
    pickler = _Pickler(payload)
    pickler.dump(obj)
    torch.save(
        {
            "format": _FORMAT,
            "version": _VERSION,
            "pickle": payload.getvalue(),
            "tensors": [detached for _, detached in pickler.tensors],
        },
        file,
    )


def load(file, *, trusted=None):
    """Load what :func:`dump` saved, running no code named by the file.

    Parameters
    ----------
    file : str, path-like or binary file object
        A file written by :func:`dump`.
    trusted : list of str, default=None
        Further types or functions, as ``"module.name"``, that the file may
        use beyond the trusted defaults (see the module docs); for example the
        class of your own model. Trust only what you would import yourself.

    Returns
    -------
    obj : object
        The saved object. Tensors are put on the CPU when CUDA is not available.

    Raises
    ------
    UntrustedTypeError
        When the file names a type or function that is not trusted.
    ValueError
        When the file was not written by :func:`dump`.

    See Also
    --------
    dump : Write such a file.

    Examples
    --------
    >>> import io
    >>> from sklearn_tsx.io import UntrustedTypeError, dump, load
    >>> buffer = io.BytesIO()
    >>> dump({"weights": [1.0, 2.0]}, buffer)
    >>> _ = buffer.seek(0)
    >>> load(buffer)
    {'weights': [1.0, 2.0]}
    """
    trusted = frozenset(trusted or ())
    map_location = None if torch.cuda.is_available() else "cpu"
    try:
        content = torch.load(file, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        raise ValueError(f"Not a file written by sklearn_tsx.io.dump: {error}") from error
    if not isinstance(content, dict) or content.get("format") != _FORMAT:
        raise ValueError("Not a file written by sklearn_tsx.io.dump.")
    if content["version"] > _VERSION:
        raise ValueError(
            f"The file is of format version {content['version']}; this sklearn_tsx "
            f"reads versions up to {_VERSION}. Upgrade sklearn_tsx."
        )
    unpickler = _TrustedUnpickler(io.BytesIO(content["pickle"]), content["tensors"], trusted)
    return unpickler.load()
