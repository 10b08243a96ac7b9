"""Energy-based models: restricted Boltzmann machines, Boltzmann machines, deep belief nets."""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "boltzmann_machine": ["BoltzmannMachine"],
        "dbn": ["DBN"],
        "rbm": ["BernoulliRBM", "GaussianBernoulliRBM", "RestrictedBoltzmannMachine"],
        "softmax_rbm": ["SoftmaxRBM"],
    },
)
