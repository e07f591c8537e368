"""Neural solvers of ordinary and partial differential equations with trial solutions.

Conditions (trial solutions, :mod:`nnlab.de.conditions`), collocation points
(:mod:`nnlab.de.collocation`) and the solver (:mod:`nnlab.de.solver`) are separate pieces;
:mod:`nnlab.de.problems` ships equations with exact solutions and
:mod:`nnlab.de.finite_difference` an explicit scheme to compare with.
"""
from nnlab.de.collocation import (
    SAMPLERS, Chebyshev, Grid, LatinHypercube, ResidualAdaptive, Sampler, Uniform, get_sampler,
)
from nnlab.de.conditions import (
    IVP, Condition, DirichletBVP, DirichletNeumannBVP, DirichletRectangle, Initial1D, InitialBoundary1D,
    NeumannDirichletBVP, NoCondition,
)
from nnlab.de.jets import ForwardModeUnsupported, Jet
from nnlab.de.solver import ConvergenceWarning, D, Solution, Solver, diff, laplacian, solve
from nnlab.de.marching import MarchedSolution, march
from nnlab.de.terms import Observations, SoftCondition
from nnlab.de.eigen import EigenResult, eigen_ode, random_symmetric
from nnlab.de.finite_difference import diffusion_ftcs, stable_dt
from nnlab.de.problems import PROBLEMS, Problem, get_problem
