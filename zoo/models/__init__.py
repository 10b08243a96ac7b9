"""All model classes of the zoo, one attribute away: `zoo.models.VAE`.

Names resolve lazily (PEP 562): `import zoo.models` imports no model module and no
TensorFlow; the first use of a class imports its module. Each family is a subpackage
(`zoo.models.energy`, ...) with its models and a TensorFlow-free `presets` module that
declares its published presets.
"""

import importlib

FAMILIES = ("adversarial", "autoencoders", "autoregressive", "classifier", "energy", "variational")

_FAMILY_OF = {
    name: family
    for family in FAMILIES
    for name in importlib.import_module(f"{__name__}.{family}").__all__
}
__all__ = sorted(_FAMILY_OF)  # noqa: PLE0605  (built from the families)


def __getattr__(name):
    if name in _FAMILY_OF:
        return getattr(importlib.import_module(f"{__name__}.{_FAMILY_OF[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return [*__all__, *FAMILIES]
