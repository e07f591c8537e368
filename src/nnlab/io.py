"""Saving and loading models and training checkpoints: one ``.npz`` file, never a pickle.

A file holds the parameter arrays (entries ``weights/<dotted name>``) and one entry ``__nnlab__``: the
UTF-8 bytes of a JSON document (a uint8 array) describing the format, the architecture and any
other state. Files are read with ``np.load(..., allow_pickle=False)``, so loading never runs code.

Architecture: every layer describes itself with ``config()`` (its constructor arguments as JSON-able
values); a layer is saved as ``{"class_name": ..., "config": ...}`` and rebuilt by looking its class
up in the registry below. Containers (Sequential) put their children's specs in their config and
rebuild them through ``from_config``. New layers register with :func:`register_layer`.
"""
from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np
from numpy.lib.npyio import NpzFile

from nnlab._files import write_atomically
from nnlab.nn.activations import ELU, Activation, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Step, Tanh
from nnlab.nn.container import Sequential, layer_spec
from nnlab.nn.layers import Dense, Dropout, Flatten
from nnlab.nn.module import Module
from nnlab.tensor import Tensor

__all__ = ["LAYERS", "register_layer", "get_layer_class", "serialize_model", "deserialize_model",
           "save_model", "load_model", "load_weights", "save_checkpoint", "load_checkpoint", "Checkpoint",
           "ModelFileNotFoundError"]

FORMAT_VERSION = 1
_META = "__nnlab__"
_WEIGHTS = "weights/"

# ---------------------------------------------------------------------------------------------------------
# layer registry
# ---------------------------------------------------------------------------------------------------------
LAYERS: dict[str, type] = {}


def register_layer(cls: type | None = None, *, name: str | None = None) -> Any:
    """Register a layer class for loading, under ``name`` (default: its class name).

    Use as a decorator (``@register_layer``) or call it (``register_layer(Conv2D)``). The class needs
    a ``config()`` method returning its constructor arguments as JSON-able values, and either accepts
    them as keyword arguments or defines a ``from_config(config)`` classmethod. A classmethod
    ``parameter_shapes(config) -> {name: shape}`` lets :func:`load_model` check a file's arrays
    against the description before it builds the layer (nnlab's own layers are known already).
    """
    def add(c: type) -> type:
        if not isinstance(c, type) or not issubclass(c, Module):
            raise TypeError(f"register_layer expects a Module subclass, got {c!r}")
        key = name or c.__name__
        old = LAYERS.get(key)
        if old is not None and old is not c and (old.__module__, old.__qualname__) != (c.__module__, c.__qualname__):
            raise ValueError(f"a different layer class is already registered as {key!r} ({old.__module__}."
                             f"{old.__qualname__}); register {c.__qualname__} under another name")
        LAYERS[key] = c
        return c

    return add if cls is None else add(cls)


for _cls in (Dense, Dropout, Flatten, Activation, Sigmoid, Tanh, ReLU, Softplus, Identity, Step, LeakyReLU, ELU,
             Softmax, Sequential):
    register_layer(_cls)


def get_layer_class(name: str) -> type:
    """The registered layer class called ``name``; ValueError listing the registered names otherwise.

    A class exported by ``nnlab.nn`` or ``nnlab.models`` with a ``config()`` method is registered on
    first use.
    """
    for package in ("nnlab.nn", "nnlab.models"):
        if name in LAYERS:
            break
        cls = getattr(importlib.import_module(package), name, None)  # layers defined there may register on import
        if name not in LAYERS and isinstance(cls, type) and issubclass(cls, Module) and callable(
                getattr(cls, "config", None)):
            register_layer(cls, name=name)
    try:
        return LAYERS[name]
    except KeyError:
        raise ValueError(f"unknown layer type {name!r}; registered layers are {sorted(LAYERS)} "
                         f"(register new ones with nnlab.io.register_layer)") from None


def _is_spec(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"class_name", "config"}


def serialize_model(model: Module) -> dict:
    """The JSON-able architecture of ``model``: ``{"class_name": ..., "config": ...}``, nested for containers."""
    spec = layer_spec(model)

    def check(value: Any) -> None:  # every spec in the tree must be loadable again
        if _is_spec(value):
            try:
                get_layer_class(value["class_name"])
            except ValueError:
                raise ValueError(f"layer class {value['class_name']!r} is not registered, so the model could not be "
                                 f"loaded again; call nnlab.io.register_layer({value['class_name']}) first") from None
            check(value["config"])
        elif isinstance(value, dict):
            for v in value.values():
                check(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                check(v)

    check(spec)
    try:
        json.dumps(spec, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the architecture of {type(model).__name__} is not JSON-serialisable ({exc}); "
                         f"config() must return only numbers, strings, booleans, None, lists and dicts") from None
    return spec


def deserialize_model(spec: dict) -> Module:
    """Rebuild a model (freshly initialised) from :func:`serialize_model`'s description."""
    def build(value: Any) -> Any:
        if _is_spec(value):
            cls = get_layer_class(value["class_name"])
            config = build(value["config"])
            if not isinstance(config, dict):
                raise ValueError(f"the config of layer {value['class_name']!r} must be a dict, got {config!r}")
            from_config: Callable | None = getattr(cls, "from_config", None)
            try:
                return from_config(config) if from_config is not None else cls(**config)
            except (TypeError, ValueError, KeyError) as exc:
                raise ValueError(f"cannot rebuild layer {value['class_name']} from config {config}: {exc}") from None
        if isinstance(value, dict):
            return {k: build(v) for k, v in value.items()}
        if isinstance(value, list):
            return [build(v) for v in value]
        return value

    if not _is_spec(spec):
        raise ValueError(f"an architecture must be a dict with keys 'class_name' and 'config', got {spec!r:.200}")
    return build(spec)


# ---------------------------------------------------------------------------------------------------------
# file access
# ---------------------------------------------------------------------------------------------------------
class ModelFileNotFoundError(FileNotFoundError, ValueError):
    """A model or checkpoint file does not exist (both a FileNotFoundError and a ValueError)."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def _as_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike such as 'model.npz', got {type(path).__name__}")
    return Path(path)


def _check_module(model: Any, function: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"{function} expects an nnlab Module (a model or a layer), got {type(model).__name__}; "
                        "check the order of the arguments")


def _npz_path(path: str | os.PathLike) -> Path:
    """``path`` with .npz appended when it has no suffix (as np.savez does)."""
    path = _as_path(path)
    return path if path.suffix else path.with_suffix(".npz")


def _atomic_savez(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` with :func:`nnlab._files.write_atomically` (directory must exist; old file kept on failure)."""
    for key, a in arrays.items():
        if a.dtype.hasobject:  # np.savez would pickle it
            raise ValueError(f"cannot save entry {key!r}: arrays of Python objects would need pickle; "
                             f"convert it to a numeric array")

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:  # a file object: np.savez would append .npz to a path without it
            np.savez(f, **arrays)

    write_atomically(path, write)


def _read_npz(path: str | os.PathLike, what: str) -> tuple[Path, dict[str, np.ndarray], dict]:
    """All arrays of an nnlab file and its parsed JSON document; clear errors naming the file."""
    path = _as_path(path)
    if not path.exists() and not path.suffix and path.with_suffix(".npz").exists():
        path = path.with_suffix(".npz")
    if not path.is_file():
        raise ModelFileNotFoundError(2, f"no {what} file at {path} (check the path; save_model writes .npz files)",
                                     str(path))
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, NpzFile):
            raise ValueError(f"{path} is not an nnlab {what} file (a single .npy array, not an .npz archive)")
        with archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as exc:
        if "Object arrays cannot be loaded" in str(exc):
            raise ValueError(f"{path} holds a pickled object array; nnlab files never contain pickles, so it is "
                             f"refused (loading it could run arbitrary code)") from None
        if "pickle" in str(exc).lower():  # np.load saw neither a zip nor a .npy header
            raise ValueError(f"{path} is not an .npz archive (it is corrupt, or a pickle, which nnlab never "
                             f"loads); save the {what} again") from None
        if "not an nnlab" in str(exc):
            raise
        raise ValueError(f"{path} is truncated or corrupt ({exc}); save the {what} again") from exc
    except Exception as exc:  # zipfile, zlib, struct and OS errors all mean an unreadable archive
        raise ValueError(f"{path} is truncated or corrupt ({type(exc).__name__}: {exc}); save the {what} again") from exc
    if _META not in arrays:
        raise ValueError(f"{path} is not an nnlab {what} file: it has no {_META!r} entry (entries: "
                         f"{sorted(arrays)[:10]})")
    try:
        meta = json.loads(arrays.pop(_META).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path}: the {_META!r} entry is not valid JSON ({exc}); the file is corrupt") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("format"), str):
        raise ValueError(f"{path}: the {_META!r} entry does not describe an nnlab file; the file is corrupt")
    if meta.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path} has format version {meta.get('version')!r}; this nnlab reads version "
                         f"{FORMAT_VERSION}")
    return path, arrays, meta


def _meta_entry(meta: dict) -> np.ndarray:
    return np.frombuffer(json.dumps(meta, allow_nan=True).encode("utf-8"), dtype=np.uint8)


def _weights_from_file(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> dict[str, np.ndarray]:
    weights = {k[len(_WEIGHTS):]: a for k, a in arrays.items() if k.startswith(_WEIGHTS)}
    listed = meta.get("weights")
    if not isinstance(listed, list) or sorted(listed) != sorted(weights):
        raise ValueError(f"{path} is corrupt: its weight entries {sorted(weights)} do not match the list in its "
                         f"header {listed}")
    return weights


def _checked_state(model: Module, weights: dict[str, np.ndarray], path: Path) -> dict[str, np.ndarray]:
    """``weights`` converted to the model's dtypes, after checking every name, shape and dtype."""
    params = dict(model.named_state())  # parameters and buffers (batch norm's running statistics)
    missing, unexpected = sorted(set(params) - set(weights)), sorted(set(weights) - set(params))
    if missing or unexpected:
        raise ValueError(f"the weights in {path} do not match the model: missing {missing}, unexpected {unexpected}")
    state = {}
    for name, p in params.items():
        a = weights[name]
        if a.shape != tuple(p.shape):
            raise ValueError(f"the weights in {path} do not match the model: {name!r} has shape {a.shape} in the "
                             f"file, the model expects {tuple(p.shape)}")
        if a.dtype.kind not in "fc":
            raise ValueError(f"the weights in {path} are corrupt: {name!r} has dtype {a.dtype}, expected floats")
        state[name] = np.array(a, dtype=p.dtype, copy=True)
    return state


# ---------------------------------------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------------------------------------
def _model_meta_and_arrays(model: Module, fmt: str, architecture: dict | None) -> tuple[dict, dict]:
    state = model.state_dict()
    arrays = {_WEIGHTS + k: np.asarray(v) for k, v in state.items()}
    meta = {"format": fmt, "version": FORMAT_VERSION, "architecture": architecture, "weights": sorted(state),
            "training": bool(model.training)}
    return meta, arrays


def save_model(model: Module, path: str | os.PathLike) -> Path:
    """Save ``model`` (architecture and weights) to one ``.npz`` file; returns the path written.

    ``.npz`` is appended when ``path`` has no suffix. The file is written atomically: an existing file
    at ``path`` is replaced only once the new one is complete. Raises ValueError when a layer has no
    ``config()``, is not registered, or uses an unregistered activation.
    """
    _check_module(model, "save_model(model, path)")
    path = _npz_path(path)
    meta, arrays = _model_meta_and_arrays(model, "nnlab-model", serialize_model(model))
    arrays[_META] = _meta_entry(meta)
    _atomic_savez(path, arrays)
    return path


# ---------------------------------------------------------------------------------------------------------
# the parameters a description implies, known before anything is built
# ---------------------------------------------------------------------------------------------------------
def _dense_shapes(c: dict) -> dict:
    shapes = {"weight": (c["in_features"], c["out_features"])}
    return {**shapes, "bias": (c["out_features"],)} if c.get("bias", True) else shapes


def _conv_shapes(c: dict) -> dict:
    k = c["kernel_size"]
    kh, kw = (k, k) if isinstance(k, int) else k
    shapes = {"weight": (c["out_channels"], c["in_channels"], kh, kw)}
    return {**shapes, "bias": (c["out_channels"],)} if c.get("bias", True) else shapes


def _recurrent_shapes(cls: type, c: dict, two_biases: bool = False) -> dict:
    """RNN/LSTM/GRU weights; layers 1 .. num_layers-1 of a stack live in ``layers_above`` (hidden -> hidden)."""
    hidden = c["hidden_size"]
    width = cls.n_gates * hidden

    def layer(inputs: int) -> dict:
        shapes = {"weight_ih": (inputs, width), "weight_hh": (hidden, width), "bias": (width,)}
        return {**shapes, "bias_hh": (width,)} if two_biases else shapes

    shapes = layer(c["input_size"])
    for k in range(int(c.get("num_layers", 1)) - 1):
        shapes.update({f"layers_above.{k}.{name}": shape for name, shape in layer(hidden).items()})
    return shapes


def _rbf_shapes(c: dict) -> dict:
    shapes = {}
    if c.get("trainable_centers", True):
        shapes["centers"] = (c["n_centers"], c["in_features"])
    if c.get("trainable_widths", True):
        shapes["widths"] = (c["n_centers"],)
    return shapes


def _perceptron_shapes(c: dict) -> dict:
    units = 1 if c.get("n_classes", 2) == 2 else c["n_classes"]
    return {"weight": (c["n_features"], units), "bias": (units,)}


_SHAPES_BY_NAME: dict[str, Callable[[type, dict], dict]] = {
    "Dense": lambda cls, c: _dense_shapes(c), "Conv2D": lambda cls, c: _conv_shapes(c),
    "RNN": _recurrent_shapes, "LSTM": _recurrent_shapes,
    "GRU": lambda cls, c: _recurrent_shapes(cls, c, two_biases=True), "RBF": lambda cls, c: _rbf_shapes(c),
    "Perceptron": lambda cls, c: _perceptron_shapes(c),
}
_NO_PARAMETERS = {"Dropout", "Flatten", "Activation", "Sigmoid", "Tanh", "ReLU", "Softplus", "Identity", "Step",
                  "LeakyReLU", "ELU", "Softmax", "MaxPool2D", "AvgPool2D", "NHWCToNCHW", "Reshape"}


def _described_parameters(spec: Any, prefix: str = "") -> tuple[dict[str, tuple], bool]:
    """The parameter shapes a saved architecture implies, by dotted name, computed from the configs
    alone (nothing is allocated), and whether the list is complete.

    A layer class may describe itself with a classmethod ``parameter_shapes(config) -> {name: shape}``;
    nnlab's own layers are described here. Layers described neither way are checked after building.
    """
    if not _is_spec(spec) or not isinstance(spec["config"], dict):
        return {}, False
    name, config = spec["class_name"], spec["config"]
    try:
        cls = get_layer_class(name)
    except ValueError:
        return {}, False
    if isinstance(cls, type) and issubclass(cls, Sequential) and isinstance(config.get("layers"), list):
        shapes, complete = {}, True
        for i, child in enumerate(config["layers"]):
            child_shapes, child_complete = _described_parameters(child, f"{prefix}layers.{i}.")
            shapes.update(child_shapes)
            complete = complete and child_complete
        return shapes, complete
    own = getattr(cls, "parameter_shapes", None)
    rule = (lambda c, conf: own(conf)) if callable(own) else _SHAPES_BY_NAME.get(name)
    if rule is None:
        return {}, name in _NO_PARAMETERS
    try:
        shapes = {prefix + k: tuple(v) for k, v in rule(cls, config).items()}
    except (KeyError, TypeError, ValueError):  # a malformed config: the constructor will say what is wrong
        return {}, False
    if not all(isinstance(d, int) and not isinstance(d, bool) for shape in shapes.values() for d in shape):
        return {}, False
    return shapes, True


def _check_description(path: Path, architecture: Any, weights: dict[str, np.ndarray]) -> None:
    """Refuse a file whose stored arrays do not match the parameters its architecture describes,
    before the model is built (a description of a huge layer without its weights costs nothing)."""
    described, complete = _described_parameters(architecture)
    missing = sorted(k for k in described if k not in weights)
    wrong = [f"{k!r} has shape {weights[k].shape} in the file, the architecture describes {described[k]}"
             for k in sorted(described)
             if k in weights and tuple(weights[k].shape) != described[k]]
    unexpected = sorted(set(weights) - set(described)) if complete else []
    if missing or wrong or unexpected:
        problems = ([f"missing {missing}"] if missing else []) + wrong + (
            [f"unexpected {unexpected}"] if unexpected else [])
        raise ValueError(f"the weights in {path} do not match the architecture it describes: "
                         f"{'; '.join(problems)} (checked before building anything); save the model again")


def _in_stored_dtype(spec: Any, weights: dict[str, np.ndarray], prefix: str = "") -> Any:
    """A copy of ``spec`` whose layers' ``dtype`` is that of their stored weights, so each layer is
    built in the dtype it is loaded in (no second copy in another precision)."""
    if not _is_spec(spec) or not isinstance(spec["config"], dict):
        return spec
    config = dict(spec["config"])
    if isinstance(config.get("layers"), list):
        config["layers"] = [_in_stored_dtype(child, weights, f"{prefix}layers.{i}.")
                            for i, child in enumerate(config["layers"])]
    if "dtype" in config:
        dtypes = {a.dtype for k, a in weights.items() if k.startswith(prefix) and "." not in k[len(prefix):]}
        if len(dtypes) == 1 and next(iter(dtypes)).kind == "f":
            config["dtype"] = next(iter(dtypes)).name
    return {"class_name": spec["class_name"], "config": config}


def _build(path: Path, meta: dict, weights: dict[str, np.ndarray] | None = None) -> Module:
    architecture = meta.get("architecture")
    if weights is not None:
        _check_description(path, architecture, weights)
        architecture = _in_stored_dtype(architecture, weights)
    try:
        model = deserialize_model(architecture)
    except ValueError as exc:
        raise ValueError(f"cannot rebuild the model saved in {path}: {exc}") from None
    model.train(bool(meta.get("training", False)))
    return model


def load_model(path: str | os.PathLike) -> Module:
    """The model saved by :func:`save_model` at ``path``, with its weights and train/eval mode.

    Raises ``ModelFileNotFoundError`` (a FileNotFoundError and ValueError) for a missing file, and
    ValueError naming the file for a truncated or corrupt file, an unknown layer type or weights that
    do not fit the architecture. The stored arrays are checked against the architecture's description
    before any layer is built, and each layer is built in the dtype of its stored weights. No pickle is
    ever loaded.
    """
    path, arrays, meta = _read_npz(path, "model")
    if meta["format"] != "nnlab-model":
        hint = " (use load_checkpoint)" if meta["format"] == "nnlab-checkpoint" else ""
        raise ValueError(f"{path} is a {meta['format']!r} file, not a model file{hint}")
    weights = _weights_from_file(path, arrays, meta)
    model = _build(path, meta, weights)
    model.load_state_dict(_checked_state(model, weights, path))
    return model


def load_weights(model: Module, path: str | os.PathLike) -> Module:
    """Set the parameters of ``model`` from a model or checkpoint file; returns ``model``.

    Everything is read and checked (names, shapes, dtypes) before the model is touched, so a failure
    leaves the model in memory exactly as it was.
    """
    _check_module(model, "load_weights(model, path)")
    path, arrays, meta = _read_npz(path, "model")
    model.load_state_dict(_checked_state(model, _weights_from_file(path, arrays, meta), path))
    return model


# ---------------------------------------------------------------------------------------------------------
# checkpoints
# ---------------------------------------------------------------------------------------------------------
class Checkpoint(NamedTuple):
    """What :func:`load_checkpoint` returns.

    ``model`` is rebuilt from the saved architecture (None when the model could not be described, e.g.
    an unregistered layer; then restore ``model_state`` with ``model.load_state_dict``).
    """

    model: Module | None
    model_state: dict[str, np.ndarray]
    optimizer_state: Any
    extra: dict


def _encode(obj: Any, arrays: dict[str, np.ndarray], prefix: str) -> Any:
    """JSON-able form of a tree of dicts, lists, tuples, numbers, strings, None and arrays.

    Arrays and NumPy scalars go to ``arrays`` (exact, dtype kept) and are referenced by key; tuples and
    dicts with non-string keys are tagged so that they come back as they were.
    """
    if isinstance(obj, (np.ndarray, np.generic, Tensor)):
        key = f"{prefix}{len(arrays)}"
        arrays[key] = np.array(obj.numpy() if isinstance(obj, Tensor) else obj, copy=True)
        return {"__array__": key, "scalar": isinstance(obj, np.generic)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays, prefix) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays, prefix) for v in obj]
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: _encode(v, arrays, prefix) for k, v in obj.items()}
        return {"__dict__": [[_encode(k, arrays, prefix), _encode(v, arrays, prefix)] for k, v in obj.items()]}
    raise ValueError(f"cannot store a value of type {type(obj).__name__} in a checkpoint; use arrays, numbers, "
                     f"strings, None, lists, tuples and dicts")


def _decode(obj: Any, arrays: dict[str, np.ndarray], path: Path) -> Any:
    if isinstance(obj, list):
        return [_decode(v, arrays, path) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__array__" in obj:
        if obj["__array__"] not in arrays:
            raise ValueError(f"{path} is corrupt: its header refers to a missing array {obj['__array__']!r}")
        a = arrays[obj["__array__"]]
        return a[()] if obj.get("scalar") else a
    if "__tuple__" in obj:
        return tuple(_decode(v, arrays, path) for v in obj["__tuple__"])
    if "__dict__" in obj:
        return {_hashable(_decode(k, arrays, path)): _decode(v, arrays, path) for k, v in obj["__dict__"]}
    return {k: _decode(v, arrays, path) for k, v in obj.items()}


def _hashable(key: Any) -> Any:
    return key.item() if isinstance(key, np.ndarray) and key.ndim == 0 else key


def save_checkpoint(path: str | os.PathLike, model: Module, optimizer_state: Any = None,
                    extra: dict | None = None) -> Path:
    """Save a training checkpoint: model weights (and architecture when it can be described), an
    optimizer's ``state_dict()`` and an ``extra`` dict (epoch, history, rng state, ...); no pickle.

    ``optimizer_state`` and ``extra`` may hold arrays, NumPy scalars, numbers, strings, None, lists,
    tuples and dicts (any hashable keys); they come back with the same types and exact values.
    Written atomically, like :func:`save_model`. Returns the path written.
    """
    _check_module(model, "save_checkpoint(path, model, ...)")
    path = _npz_path(path)
    try:
        architecture = serialize_model(model)
    except ValueError:  # an undescribable model can still be resumed through its state dict
        architecture = None
    meta, arrays = _model_meta_and_arrays(model, "nnlab-checkpoint", architecture)
    meta["optimizer_state"] = _encode(optimizer_state, arrays, "optimizer/")
    meta["extra"] = _encode({} if extra is None else extra, arrays, "extra/")
    arrays[_META] = _meta_entry(meta)
    _atomic_savez(path, arrays)
    return path


def load_checkpoint(path: str | os.PathLike, build_model: bool = True) -> Checkpoint:
    """Read a file written by :func:`save_checkpoint`; errors as :func:`load_model`.

    With ``build_model=False`` the model is not rebuilt (``model`` is None): a cheap way to read
    the optimizer state and the extra data.
    """
    path, arrays, meta = _read_npz(path, "checkpoint")
    if meta["format"] != "nnlab-checkpoint":
        raise ValueError(f"{path} is a {meta['format']!r} file, not a checkpoint")
    weights = _weights_from_file(path, arrays, meta)
    model = None
    if build_model and meta.get("architecture") is not None:
        model = _build(path, meta, weights)
        model.load_state_dict(_checked_state(model, weights, path))
    try:
        optimizer_state = _decode(meta.get("optimizer_state"), arrays, path)
        extra = _decode(meta.get("extra"), arrays, path)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"{path} is corrupt: cannot decode its optimizer state or extra data ({exc})") from None
    return Checkpoint(model, weights, optimizer_state, extra)
