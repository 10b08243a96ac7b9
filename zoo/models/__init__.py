"""All model classes of the zoo, one import away: `from zoo.models import VAE`.

Importing this package also registers every family's presets and applies the Keras
multi-worker fix of `zoo.distribute` where the installed Keras needs it.
"""

import zoo.distribute  # noqa: F401
from zoo.models.adversarial import *
from zoo.models.autoencoders import *
from zoo.models.autoregressive import *
from zoo.models.classifier import ImageClassifier  # noqa: F401
from zoo.models.energy import *
from zoo.models.variational import *
