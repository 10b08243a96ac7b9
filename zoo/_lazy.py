"""Lazy package attributes (PEP 562): `zoo.models.VAE` imports TensorFlow only when used.

A package lists which of its submodules defines each public name; importing the package
imports nothing else, and the first access to a name imports its submodule.
"""

import importlib


def attach(package: str, exports: dict[str, list[str]]):
    """The `__getattr__`, `__dir__` and `__all__` of a package with lazy exports.

    Args:
        package: The package's `__name__`.
        exports: `{submodule: [names it defines]}`; a submodule listed with no names is
            itself exported (`zoo.data.toy`).

    Returns:
        `(__getattr__, __dir__, __all__)`, to assign at the package's top level.

    #### Examples

    ```python
    __getattr__, __dir__, __all__ = attach(__name__, {"vae": ["VAE"]})
    ```
    """
    owner = {name: module for module, names in exports.items() for name in names}
    submodules = {module for module, names in exports.items() if not names}
    public = sorted({*owner, *submodules})

    def __getattr__(name):
        if name in owner:
            module = importlib.import_module(f"{package}.{owner[name]}")
            return getattr(module, name)
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return public

    return __getattr__, __dir__, public
