"""Energy-based models: restricted Boltzmann machines, Boltzmann machines, deep belief nets."""

from zoo.models.energy.boltzmann_machine import BoltzmannMachine
from zoo.models.energy.dbn import DBN
from zoo.models.energy.labelled_rbm import LabelledRBM
from zoo.models.energy.rbm import BernoulliRBM, GaussianBernoulliRBM, RestrictedBoltzmannMachine
from zoo.models.energy.softmax_rbm import SoftmaxRBM

__all__ = [
    "DBN",
    "BernoulliRBM",
    "BoltzmannMachine",
    "GaussianBernoulliRBM",
    "LabelledRBM",
    "RestrictedBoltzmannMachine",
    "SoftmaxRBM",
]
