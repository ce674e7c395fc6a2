"""Guards around a stranger's plugin code: exits, interrupts and changes to suanli's shared state.

A plugin runs inside the host's process, so it can do anything Python allows. The catalog cannot
prevent every trick, but it makes the common ones harmless and visible:

* :func:`call` runs plugin code and turns *any* exception into a value, ``SystemExit`` and
  ``GeneratorExit`` included, so no plugin can end the program. ``KeyboardInterrupt`` is the one
  exception with two possible origins: the user pressed Ctrl-C, or the plugin raised it itself.
  :class:`Interrupts` watches ``SIGINT`` while plugins load (main thread only): when the signal
  really arrived, the interrupt goes on and stops the program as the user asked; a
  ``KeyboardInterrupt`` with no signal behind it was raised by the plugin and is reported like any
  other error. Off the main thread (no signal handler can be installed) every KeyboardInterrupt is
  treated as the user's.
* :class:`SharedState` fingerprints the module-level values of every ``suanli`` module (constants,
  tables, functions, classes and their attributes) and any other objects it is given (specs already
  accepted). Compared before and after each plugin loads, it names what that plugin changed;
  :meth:`SharedState.restore` puts the original values back.
* :class:`ProcessState` does the same for process-wide state outside suanli: environment variables,
  numpy's error handling, the ``warnings`` filters, ``sys.modules``, the standard streams, builtins.

What cannot be guarded in-process: ``os._exit()`` (and a crash in C code) ends the interpreter
without raising anything, so no ``except`` runs; only blocking the plugin (``SUANLI_PLUGINS_BLOCK``)
or uninstalling it helps. Changes a plugin makes later, from a thread or timer it started, are not
seen either: the guard compares state before and after each plugin loads.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import os
import pickle
import pkgutil
import signal
import sys
import threading
import types
import warnings
from collections.abc import Callable
from typing import Any, Self

GUARDED_PACKAGE = "suanli"


class Interrupts:
    """Context manager noting whether a real SIGINT arrived while it was active."""

    def __init__(self) -> None:
        self.signalled = False
        self._previous: Any = None
        self._installed = False

    def _handler(self, signum, frame):  # pragma: no cover - exercised only by a real Ctrl-C
        self.signalled = True
        previous = self._previous
        if callable(previous) and previous is not signal.default_int_handler:
            return previous(signum, frame)
        raise KeyboardInterrupt

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.getsignal(signal.SIGINT)
                signal.signal(signal.SIGINT, self._handler)
                self._installed = True
            except (ValueError, OSError, TypeError):  # an embedded interpreter without signals
                self._installed = False
        return self

    def __exit__(self, *exc) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous if self._previous is not None else signal.default_int_handler)

    def users(self, err: BaseException) -> bool:
        """Whether ``err`` is the user's Ctrl-C (to be re-raised) rather than the plugin's own doing."""
        return isinstance(err, KeyboardInterrupt) and (self.signalled or not self._installed)


def call(function: Callable[[], Any], interrupts: Interrupts) -> tuple[Any, BaseException | None]:
    """``(function(), None)``, or ``(None, err)`` for any exception the plugin raised, however
    fundamental (``SystemExit``, its own ``KeyboardInterrupt``). A real Ctrl-C propagates."""
    try:
        return function(), None
    except BaseException as err:
        if interrupts.users(err):
            raise
        return None, err


def describe(err: BaseException) -> str:
    """``Type: first line`` of an exception, with a word on why exits are refused."""
    try:  # the plugin's own exception class may break (or exit) when shown
        text = str(err).strip()
        text = str.__str__(text.splitlines()[0]) if text else ""
    except BaseException:  # noqa: BLE001
        text = "(its message could not be shown)"
    name = type(err).__name__
    short = f"{name}: {text[:300]}" if text else name
    if isinstance(err, SystemExit):
        short += " (a plugin may not exit the program)"
    elif isinstance(err, KeyboardInterrupt):
        short += " (raised by the plugin, not by Ctrl-C)"
    return short


def preload() -> None:
    """Import suanli's model and orchestration modules, so that their constants are fingerprinted
    before any plugin runs (a module first imported by a plugin could be changed unseen)."""
    import suanli

    names = [f"{GUARDED_PACKAGE}.models.{m.name}" for m in pkgutil.iter_modules([f"{suanli.__path__[0]}/models"])]
    names += [
        f"{GUARDED_PACKAGE}.{m.name}"
        for m in pkgutil.iter_modules(suanli.__path__)
        if not m.ispkg and not m.name.startswith("_") and m.name not in ("__main__", "cli")
    ]
    names += [
        m.name
        for m in pkgutil.walk_packages([f"{suanli.__path__[0]}/scenarios"], f"{GUARDED_PACKAGE}.scenarios.")
        if not m.ispkg
    ]
    for name in names:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001, S112 - a module that cannot import cannot be changed either
                continue


def _digest(value: Any) -> tuple:
    """A fingerprint of one value: content for data, identity for code."""
    if isinstance(value, type):
        if value.__module__.split(".")[0] == GUARDED_PACKAGE:
            return (
                "class",
                id(value),
                tuple(
                    (k, _digest(v))
                    for k, v in vars(value).items()
                    if not (k.startswith("__") and k not in ("__init__", "__post_init__"))
                ),
            )
        return ("id", id(value))
    if isinstance(
        value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, property, staticmethod, classmethod)
    ) or callable(value):
        return ("id", id(value))
    try:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - an unpicklable value is compared by identity
        return ("id", id(value))
    return ("data", id(value), hashlib.blake2b(blob, digest_size=16).digest())


def _guarded_items(module: types.ModuleType) -> list[tuple[str, Any]]:
    """A module's values the guard watches: all but dunders and the names the module lists in
    ``__unguarded__`` (its own caches, which change in normal use). Imported modules are watched by
    identity (``from suanli.models import defaults as D`` replaced by a fake is a change)."""
    skip = set(getattr(module, "__unguarded__", ()))
    return [(n, v) for n, v in list(vars(module).items()) if not n.startswith("__") and n not in skip]


def _modules() -> dict[str, types.ModuleType]:
    return {
        name: module
        for name, module in list(sys.modules.items())
        if isinstance(module, types.ModuleType) and (name == GUARDED_PACKAGE or name.startswith(GUARDED_PACKAGE + "."))
    }


class SharedState:
    """Fingerprints of suanli's module-level state and of given objects, with the originals kept."""

    def __init__(self) -> None:
        self.objects: dict[str, Any] = {}
        self._originals: dict[tuple[str, str], tuple[Any, bytes | None]] = {}
        remember_classes()
        self.fingerprint = self._take()
        for module_name, module in _modules().items():
            for name, value in _guarded_items(module):
                try:
                    blob = None if callable(value) else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001
                    blob = None
                self._originals[(module_name, name)] = (value, blob)

    def watch(self, label: str, obj: Any) -> None:
        """Also fingerprint ``obj`` (an accepted spec) under ``label``, keeping a copy to restore."""
        self.objects[label] = obj
        self.fingerprint[("object", label)] = _digest(obj)
        try:
            self._originals[("object", label)] = (obj, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001 - compared by identity only
            self._originals[("object", label)] = (obj, None)

    def _take(self) -> dict[tuple[str, str], tuple]:
        out: dict[tuple[str, str], tuple] = {}
        for module_name, module in _modules().items():
            for name, value in _guarded_items(module):
                out[(module_name, name)] = _digest(value)
        for label, obj in self.objects.items():
            out[("object", label)] = _digest(obj)
        return out

    def changes(self) -> list[str]:
        """What changed since the last call (``module.NAME`` or the object's label), and re-baseline.
        Modules imported since are baselined without blame."""
        now = self._take()
        changed = [
            f"{m}.{n}" if m != "object" else n
            for (m, n), d in now.items()
            if (m, n) in self.fingerprint and self.fingerprint[(m, n)] != d
        ]
        changed += [f"{m}.{n}" for (m, n) in self.fingerprint if (m, n) not in now and m != "object"]
        self.fingerprint = now
        return sorted(changed)

    def restore(self, changed: list[str]) -> list[str]:
        """Put back the original module-level values named in ``changed``; return those it could not."""
        failed = []
        for item in changed:
            if ("object", item) in self._originals:
                obj, blob = self._originals[("object", item)]
                if blob is not None and isinstance(obj, dict):  # a shared table: its original content back
                    dict.clear(obj)
                    dict.update(obj, pickle.loads(blob))
                elif blob is not None and hasattr(obj, "__dict__"):
                    vars(obj).clear()
                    vars(obj).update(vars(pickle.loads(blob)))
                else:
                    failed.append(item)
                continue
            module_name, _, name = item.rpartition(".")
            original = self._originals.get((module_name, name))
            module = sys.modules.get(module_name)
            if original is None or module is None:
                failed.append(item)
                continue
            value, blob = original
            try:
                if isinstance(value, (dict, list, set)) and blob is not None:
                    fresh = pickle.loads(blob)
                    value.clear()
                    value.update(fresh) if isinstance(value, (dict, set)) else value.extend(fresh)
                elif isinstance(value, type):
                    _restore_class(value, item)
                elif blob is not None and not callable(value) and _is_array(value):
                    value[...] = pickle.loads(blob)
                setattr(module, name, value)
            except Exception:  # noqa: BLE001 - an object that cannot be put back is reported as such
                failed.append(item)
        self.fingerprint = self._take()
        return failed


def _is_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "shape") and hasattr(value, "__setitem__")


_CLASS_ATTRS: dict[int, dict[str, Any]] = {}


def remember_classes() -> None:
    """Keep the attributes of every suanli class, so that a monkeypatched method can be put back."""
    for module in _modules().values():
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and value.__module__.split(".")[0] == GUARDED_PACKAGE
                and id(value) not in _CLASS_ATTRS
            ):
                _CLASS_ATTRS[id(value)] = dict(vars(value))


def _restore_class(cls: type, label: str) -> None:
    saved = _CLASS_ATTRS.get(id(cls))
    if saved is None:
        raise LookupError(label)
    for name in [n for n in vars(cls) if n not in saved]:
        delattr(cls, name)
    for name, value in saved.items():
        if (
            vars(cls).get(name) is not value
            and not name.startswith("__dict")
            and name not in ("__weakref__", "__doc__")
        ):
            try:
                setattr(cls, name, value)
            except (AttributeError, TypeError):
                continue


def _hides_or_raises(before: list, after: list) -> bool:
    """Whether the ``warnings`` filters changed in a way that reaches suanli's own warnings: a filter
    removed, or one added that ignores (or turns into errors) runtime warnings from any module. A
    library that quiets its own DeprecationWarning on import is not counted (the filters are put
    back all the same)."""
    if any(f not in after for f in before):
        return True
    for action, _message, category, module, _lineno in (f for f in after if f not in before):
        everywhere = module is None or getattr(module, "pattern", module) in ("", ".*")
        if action in ("ignore", "error") and everywhere and issubclass(RuntimeWarning, category):
            return True
    return False


class ProcessState:
    """Process-wide state outside suanli that a plugin could change while loading: environment
    variables, numpy's floating-point error handling, the ``warnings`` filters, the modules in
    ``sys.modules`` (replaced or removed; new imports are normal), the standard streams and the
    builtins. :meth:`changes` names what differs from the last snapshot and :meth:`restore` puts it
    back, so that a plugin cannot, say, hide its own warning, block another plugin through
    ``SUANLI_PLUGINS_BLOCK`` or make numpy raise inside the models."""

    STREAMS = ("stdin", "stdout", "stderr")

    def __init__(self) -> None:
        self.take()

    def take(self) -> None:
        import numpy as np

        self.env = dict(os.environ)
        self.numpy_errors = np.geterr()
        self.filters = list(warnings.filters)
        self.modules = dict(sys.modules)
        self.streams = {name: getattr(sys, name) for name in self.STREAMS}
        self.builtins = dict(vars(builtins))

    def changes(self) -> list[str]:
        """Labels of what changed since the snapshot (``environment variable X``, ``sys.modules['m']`` ...)."""
        import numpy as np

        out = [
            f"environment variable {k}"
            for k in sorted(set(self.env) | set(os.environ))
            if self.env.get(k) != os.environ.get(k)
        ]
        if np.geterr() != self.numpy_errors:
            out.append("numpy's error handling (numpy.seterr)")
        if _hides_or_raises(self.filters, list(warnings.filters)):
            out.append("the warnings filters")
        out += [
            f"sys.modules[{name!r}]" for name, module in self.modules.items() if sys.modules.get(name) is not module
        ]
        out += [f"sys.{name}" for name, stream in self.streams.items() if getattr(sys, name) is not stream]
        now = vars(builtins)
        out += [
            f"builtins.{name}"
            for name in sorted(set(self.builtins) | set(now))
            if now.get(name) is not self.builtins.get(name)
        ]
        return out

    def restore(self) -> None:
        """Put everything back as it was at the snapshot."""
        import numpy as np

        for key in set(os.environ) - set(self.env):
            del os.environ[key]
        for key, value in self.env.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
        np.seterr(**self.numpy_errors)
        warnings.filters[:] = self.filters
        reset = getattr(warnings, "_filters_mutated", None)  # what warnings.filterwarnings calls itself
        if callable(reset):
            reset()
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
        for name, stream in self.streams.items():
            setattr(sys, name, stream)
        now = vars(builtins)
        for name in set(now) - set(self.builtins):
            del now[name]
        now.update(self.builtins)
