"""All model classes of the zoo, one import away: `from zoo.models import VAE`.

Importing this package also registers every family's presets.
"""

from zoo.models.adversarial import *  # noqa: F401,F403
from zoo.models.autoencoders import *  # noqa: F401,F403
from zoo.models.autoregressive import *  # noqa: F401,F403
from zoo.models.classifier import ImageClassifier  # noqa: F401
from zoo.models.energy import *  # noqa: F401,F403
from zoo.models.variational import *  # noqa: F401,F403
