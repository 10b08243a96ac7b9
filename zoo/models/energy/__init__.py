"""Energy-based models.

Restricted Boltzmann machines, Boltzmann machines, deep belief nets, and neural
energy-based models with MCMC samplers.
"""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "boltzmann_machine": ["BoltzmannMachine"],
        "dbn": ["DBN"],
        "energy_based_model": ["EnergyBasedModel"],
        "labelled_rbm": ["LabelledRBM"],
        "rbm": ["BernoulliRBM", "GaussianBernoulliRBM", "RestrictedBoltzmannMachine"],
        "samplers": ["GibbsSampler", "LangevinSampler", "MCMCSampler"],
        "softmax_rbm": ["SoftmaxRBM"],
    },
)
