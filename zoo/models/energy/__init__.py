"""Energy-based models: restricted Boltzmann machines, Boltzmann machines, deep belief nets,
and neural energy-based models with MCMC samplers."""

from zoo.models.energy.boltzmann_machine import BoltzmannMachine
from zoo.models.energy.dbn import DBN
from zoo.models.energy.energy_based_model import EnergyBasedModel
from zoo.models.energy.rbm import BernoulliRBM, GaussianBernoulliRBM, RestrictedBoltzmannMachine
from zoo.models.energy.samplers import GibbsSampler, LangevinSampler, MCMCSampler
from zoo.models.energy.softmax_rbm import SoftmaxRBM

__all__ = [
    "DBN",
    "BernoulliRBM",
    "BoltzmannMachine",
    "EnergyBasedModel",
    "GaussianBernoulliRBM",
    "GibbsSampler",
    "LangevinSampler",
    "MCMCSampler",
    "RestrictedBoltzmannMachine",
    "SoftmaxRBM",
]
