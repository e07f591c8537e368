"""Layers and models: Module, Dense, activations, Dropout, Sequential, initialisers."""
from nnlab.nn.activations import (
    ACTIVATIONS, ELU, Activation, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Step, Tanh, get_activation,
)
from nnlab.nn.container import Sequential, summary
from nnlab.nn.init import INITIALIZERS, get_initializer, initialize
from nnlab.nn.layers import Dense, Dropout, Flatten
from nnlab.nn.module import Module, Parameter, as_generator
from nnlab.nn.recurrent import GRU, LSTM, RNN
from nnlab.nn.normalization import BatchNorm1D, BatchNorm2D, LayerNorm
from nnlab.nn.conv import AvgPool2D, Conv2D, MaxPool2D, NHWCToNCHW, Reshape, nhwc_to_nchw
from nnlab.nn.losses import LOSSES, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss, get_loss
from nnlab.nn.regularization import L1, L1L2, L2, Penalty, weight_parameters
from nnlab.nn.rbf import RBF, RBFNetwork
