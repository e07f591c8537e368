"""Optimisers, schedules, clipping and gradient warnings: formulas, PyTorch parity, state round trips."""
from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pytest

from nnlab import functional as F
from nnlab import ops
from nnlab.nn import Dense, Sequential
from nnlab.optim import (
    SGD, Adagrad, Adam, AdamW, ConstantLR, CosineLR, ExponentialLR, GradientWarning, InverseScalingLR, ReduceLROnPlateau,
    RMSprop, StepLR, check_gradients, clip_grad_norm, clip_grad_value, get_optimizer, get_schedule,
)
from nnlab.tensor import Tensor

# -- a tiny quadratic: f(theta) = 1/2 sum a theta^2 + b . theta, gradient a theta + b ---------------
A = np.array([1.0, 3.0, 0.5])
B = np.array([0.2, -0.1, 0.3])
THETA0 = np.array([1.0, -2.0, 0.5])


def quadratic_grad(theta):
    return A * theta + B


def run_ours(make, steps=3, theta0=THETA0):
    p = Tensor(theta0.copy(), requires_grad=True)
    opt = make([p])
    out = []
    for _ in range(steps):
        p.grad = quadratic_grad(p.data)
        opt.step()
        out.append(p.data.copy())
    return out


def ref_sgd(lr, mu=0.0, nesterov=False, wd=0.0, steps=3):
    theta, b, out = THETA0.copy(), None, []
    for _ in range(steps):
        g = quadratic_grad(theta) + wd * theta
        if mu:
            b = g if b is None else mu * b + g
            g = g + mu * b if nesterov else b
        theta = theta - lr * g
        out.append(theta)
    return out


def ref_adagrad(lr, eps, steps=3):
    theta, s, out = THETA0.copy(), np.zeros(3), []
    for _ in range(steps):
        g = quadratic_grad(theta)
        s = s + g ** 2
        theta = theta - lr * g / (np.sqrt(s) + eps)
        out.append(theta)
    return out


def ref_rmsprop(lr, rho, eps, steps=3):
    theta, v, out = THETA0.copy(), np.zeros(3), []
    for _ in range(steps):
        g = quadratic_grad(theta)
        v = rho * v + (1 - rho) * g ** 2
        theta = theta - lr * g / (np.sqrt(v) + eps)
        out.append(theta)
    return out


def ref_adam(lr, b1, b2, eps, wd=0.0, decoupled=False, steps=3):
    theta, m, v, out = THETA0.copy(), np.zeros(3), np.zeros(3), []
    for t in range(1, steps + 1):
        g = quadratic_grad(theta)
        if decoupled:
            theta = theta * (1 - lr * wd)
        else:
            g = g + wd * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(theta)
    return out


FORMULA_CASES = [
    ("sgd", lambda ps: SGD(ps, lr=0.1), lambda: ref_sgd(0.1)),
    ("momentum", lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda: ref_sgd(0.1, 0.9)),
    ("nesterov", lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True), lambda: ref_sgd(0.1, 0.9, True)),
    ("sgd_wd", lambda ps: SGD(ps, lr=0.1, momentum=0.5, weight_decay=0.1), lambda: ref_sgd(0.1, 0.5, wd=0.1)),
    ("adagrad", lambda ps: Adagrad(ps, lr=0.1), lambda: ref_adagrad(0.1, 1e-10)),
    ("rmsprop", lambda ps: RMSprop(ps, lr=0.01, rho=0.9), lambda: ref_rmsprop(0.01, 0.9, 1e-8)),
    ("adam", lambda ps: Adam(ps, lr=0.1), lambda: ref_adam(0.1, 0.9, 0.999, 1e-8)),
    ("adam_l2", lambda ps: Adam(ps, lr=0.1, weight_decay=0.1), lambda: ref_adam(0.1, 0.9, 0.999, 1e-8, 0.1)),
    ("adamw", lambda ps: AdamW(ps, lr=0.1, weight_decay=0.1),
     lambda: ref_adam(0.1, 0.9, 0.999, 1e-8, 0.1, decoupled=True)),
]


@pytest.mark.parametrize("name,make,reference", FORMULA_CASES, ids=[c[0] for c in FORMULA_CASES])
def test_first_three_updates_follow_the_formula(name, make, reference):
    for ours, ref in zip(run_ours(make), reference()):
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-14)


def test_adam_first_step_has_size_lr():
    # with bias correction the first Adam step is lr * sign(g) (up to eps)
    first = run_ours(lambda ps: Adam(ps, lr=0.01), steps=1)[0]
    np.testing.assert_allclose(first - THETA0, -0.01 * np.sign(quadratic_grad(THETA0)), rtol=1e-6)


def test_paper_defaults():
    p = [Tensor(np.zeros(2), requires_grad=True)]
    adam = Adam(p)
    assert (adam.lr, adam.betas, adam.eps) == (1e-3, (0.9, 0.999), 1e-8)
    assert AdamW(p).weight_decay == 0.01
    assert RMSprop(p).rho == 0.9
    assert Adagrad(p).eps == 1e-10


# -- PyTorch parity on a small regression --------------------------------------------------------------
TORCH_CASES = [
    ("sgd_momentum", SGD, dict(lr=0.05, momentum=0.9), "SGD", dict(lr=0.05, momentum=0.9)),
    ("nesterov_wd", SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01), "SGD",
     dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("adagrad", Adagrad, dict(lr=0.1, weight_decay=0.01), "Adagrad", dict(lr=0.1, weight_decay=0.01)),
    ("rmsprop", RMSprop, dict(lr=0.01, rho=0.9), "RMSprop", dict(lr=0.01, alpha=0.9)),
    ("rmsprop_centered_momentum", RMSprop, dict(lr=0.005, rho=0.95, momentum=0.5, centered=True), "RMSprop",
     dict(lr=0.005, alpha=0.95, momentum=0.5, centered=True)),
    ("adam", Adam, dict(lr=0.05), "Adam", dict(lr=0.05)),
    ("adam_l2", Adam, dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1), "Adam",
     dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1)),
    ("adamw", AdamW, dict(lr=0.05, weight_decay=0.1), "AdamW", dict(lr=0.05, weight_decay=0.1)),
]


def _regression_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 3))
    Y = X @ rng.normal(size=(3, 2)) + 0.1 * rng.normal(size=(16, 2))
    return X, Y, rng.normal(size=(3, 2)), rng.normal(size=2)


@pytest.mark.parametrize("name,cls,kw,torch_name,torch_kw", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_matches_torch_optimizer(name, cls, kw, torch_name, torch_kw):
    torch = pytest.importorskip("torch")
    X, Y, W0, b0 = _regression_data()
    W, b = Tensor(W0.copy(), requires_grad=True), Tensor(b0.copy(), requires_grad=True)
    opt = cls([W, b], **kw)
    tW = torch.tensor(W0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    topt = getattr(torch.optim, torch_name)([tW, tb], **torch_kw)
    tX, tY = torch.tensor(X), torch.tensor(Y)
    for _ in range(20):
        opt.zero_grad()
        F.mse_loss(ops.linear(X, W, b), Y).backward()
        opt.step()
        topt.zero_grad()
        ((tX @ tW + tb - tY) ** 2).mean().backward()
        topt.step()
    np.testing.assert_allclose(W.data, tW.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_clip_norm_option_matches_torch_clip_then_step():
    torch = pytest.importorskip("torch")
    X, Y, W0, b0 = _regression_data()
    W, b = Tensor(W0.copy(), requires_grad=True), Tensor(b0.copy(), requires_grad=True)
    opt = SGD([W, b], lr=0.1, momentum=0.9, clip_norm=0.5)
    tW, tb = torch.tensor(W0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    topt = torch.optim.SGD([tW, tb], lr=0.1, momentum=0.9)
    for _ in range(10):
        opt.zero_grad()
        F.mse_loss(ops.linear(X, W, b), Y).backward()
        opt.step()
        topt.zero_grad()
        ((torch.tensor(X) @ tW + tb - torch.tensor(Y)) ** 2).mean().backward()
        torch.nn.utils.clip_grad_norm_([tW, tb], 0.5)
        topt.step()
    np.testing.assert_allclose(W.data, tW.detach().numpy(), rtol=1e-10, atol=1e-12)


# -- in place, dtypes, skipped parameters, untouched gradients --------------------------------------
ALL_OPTIMIZERS = [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    lambda ps: Adagrad(ps, weight_decay=0.1),
    lambda ps: RMSprop(ps, momentum=0.5, centered=True, weight_decay=0.1),
    lambda ps: Adam(ps, weight_decay=0.1),
    lambda ps: AdamW(ps),
]


@pytest.mark.parametrize("make", ALL_OPTIMIZERS, ids=["sgd", "adagrad", "rmsprop", "adam", "adamw"])
def test_in_place_float32_and_gradient_untouched(make, rng):
    p = Tensor(rng.normal(size=(4, 3)).astype(np.float32), requires_grad=True)
    q = Tensor(rng.normal(size=(4, 3)).astype(np.float32), requires_grad=True)
    idle = Tensor(rng.normal(size=2).astype(np.float32), requires_grad=True)
    idle_before = idle.data.copy()
    array = p.data
    opt = make([p, q, idle])
    shared = rng.normal(size=(4, 3)).astype(np.float32)
    shared_copy = shared.copy()
    for _ in range(3):
        p.grad = q.grad = shared  # one array shared by two tensors must survive the step unchanged
        opt.step()
    assert p.data is array
    assert p.dtype == np.float32 and q.dtype == np.float32
    assert all(v.dtype == np.float32 for s in opt.state for v in s.values() if hasattr(v, "dtype"))
    np.testing.assert_array_equal(shared, shared_copy)
    np.testing.assert_array_equal(idle.data, idle_before)
    assert opt.state[2] == {}
    assert opt.state[0]["step"] == 3


def test_clipping_never_writes_into_shared_gradient(rng):
    p = Tensor(np.zeros(3), requires_grad=True)
    q = Tensor(np.zeros(3), requires_grad=True)
    shared = np.array([3.0, -4.0, 12.0])
    p.grad = q.grad = shared
    SGD([p, q], lr=1.0, clip_value=1.0, clip_norm=1.0).step()
    np.testing.assert_array_equal(shared, [3.0, -4.0, 12.0])
    np.testing.assert_allclose(p.data, -np.array([1.0, -1.0, 1.0]) / np.sqrt(6.0), rtol=1e-5)


def test_zero_grad_and_module_parameters():
    model = Sequential(Dense(3, 2, rng=0))
    opt = SGD(model, lr=0.1)
    assert [n for n, _ in opt.named_params] == ["layers.0.weight", "layers.0.bias"]
    for p in model.parameters():
        p.grad = np.ones(p.shape, dtype=p.dtype)
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_shared_parameter_updated_once():
    p = Tensor(np.ones(2), requires_grad=True)
    opt = SGD([p, p], lr=0.5)
    p.grad = np.ones(2)
    opt.step()
    np.testing.assert_array_equal(p.data, [0.5, 0.5])


# -- registries and validation --------------------------------------------------------------------------
def test_get_optimizer_by_name():
    p = [Tensor(np.zeros(2), requires_grad=True)]
    for name, cls in [("sgd", SGD), ("Adam", Adam), ("adamw", AdamW), ("rmsprop", RMSprop), ("adagrad", Adagrad)]:
        assert type(get_optimizer(name, p, lr=0.1)) is cls
    assert get_optimizer("sgd", p, lr=0.3, momentum=0.9).momentum == 0.9
    with pytest.raises(ValueError, match="unknown optimizer 'adadelta'.*adam.*sgd"):
        get_optimizer("adadelta", p)


def test_get_schedule_by_name():
    opt = SGD([Tensor(np.zeros(2), requires_grad=True)], lr=0.1)
    assert isinstance(get_schedule("invscaling", opt, power_t=0.25), InverseScalingLR)
    assert isinstance(get_schedule("plateau", opt), ReduceLROnPlateau)
    assert isinstance(get_schedule("cosine", opt, epochs=5), CosineLR)
    with pytest.raises(ValueError, match="unknown learning-rate schedule 'warmup'.*constant.*step"):
        get_schedule("warmup", opt)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=-1.0), "lr must lie in"),
    (dict(lr=float("nan")), "lr must lie in"),
    (dict(lr=0.1, momentum=1.0), "momentum must lie in"),
    (dict(lr=0.1, nesterov=True), "nesterov=True needs momentum"),
    (dict(lr=0.1, clip_norm=0.0), "clip_norm must lie in"),
])
def test_bad_hyperparameters_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGD([Tensor(np.zeros(2), requires_grad=True)], **kwargs)


def test_bad_params():
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="expected a Tensor"):
        SGD([np.zeros(2)], lr=0.1)
    p = Tensor(np.zeros(2), requires_grad=True)
    p.grad = np.zeros(3)
    with pytest.raises(ValueError, match="shape"):
        SGD([p], lr=0.1).step()


# -- state dicts -------------------------------------------------------------------------------------
def _npz_round_trip(state):
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    buffer.seek(0)
    with np.load(buffer) as f:
        return {k: f[k] for k in f.files}


@pytest.mark.parametrize("make", ALL_OPTIMIZERS, ids=["sgd", "adagrad", "rmsprop", "adam", "adamw"])
def test_state_dict_round_trip_resumes_identically(make):
    X, Y, W0, b0 = _regression_data()

    def train(params, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            F.mse_loss(ops.linear(X, *params), Y).backward()
            opt.step()

    ref = [Tensor(W0.copy(), requires_grad=True), Tensor(b0.copy(), requires_grad=True)]
    ref_opt = make(ref)
    train(ref, ref_opt, 10)

    first = [Tensor(W0.copy(), requires_grad=True), Tensor(b0.copy(), requires_grad=True)]
    opt = make(first)
    train(first, opt, 5)
    saved = _npz_round_trip(opt.state_dict())
    opt.lr = 123.0  # overwritten by the load
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in first]
    opt2 = make(resumed)
    opt2.load_state_dict(saved)
    train(resumed, opt2, 5)
    for a, r in zip(resumed, ref):
        np.testing.assert_array_equal(a.data, r.data)


def test_state_dict_is_a_copy_and_checks_the_model():
    p = Tensor(np.ones(3), requires_grad=True)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.ones(3)
    opt.step()
    state = opt.state_dict()
    assert state["optimizer"] == "SGD" and state["state.0.step"] == 1
    state["state.0.momentum_buffer"][:] = 7.0
    assert opt.state[0]["momentum_buffer"][0] == 1.0
    other = SGD([Tensor(np.ones(4), requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="shape"):
        other.load_state_dict(state)
    with pytest.raises(ValueError, match="saved by SGD"):
        Adam([p]).load_state_dict(state)


# -- schedules ---------------------------------------------------------------------------------------
def _opt(lr=0.1):
    return SGD([Tensor(np.zeros(2), requires_grad=True)], lr=lr)


def test_closed_form_schedules():
    epochs = range(1, 13)
    opt = _opt()
    s = ConstantLR(opt)
    assert [s.step(e) for e in epochs] == [0.1] * 12
    opt = _opt()
    s = InverseScalingLR(opt, power_t=0.5)
    np.testing.assert_allclose([s.step(e) for e in epochs], [0.1 / math.sqrt(e + 1) for e in epochs])
    opt = _opt()
    s = StepLR(opt, step_size=4, gamma=0.5)
    np.testing.assert_allclose([s.step(e) for e in epochs], [0.1 * 0.5 ** (e // 4) for e in epochs])
    assert opt.lr == s.lr_at(12)
    opt = _opt()
    s = ExponentialLR(opt, gamma=0.9)
    np.testing.assert_allclose([s.step() for _ in epochs], [0.1 * 0.9 ** e for e in epochs])
    opt = _opt()
    s = CosineLR(opt, epochs=8)  # down to 0 at epoch 8, and stays there
    np.testing.assert_allclose([s.step(e) for e in epochs],
                               [0.05 * (1 + math.cos(math.pi * min(e, 8) / 8)) for e in epochs], atol=1e-15)
    with pytest.raises(ValueError, match="epochs"):
        CosineLR(_opt(), epochs=0)


def test_schedules_match_torch():
    torch = pytest.importorskip("torch")

    def torch_opt():
        return torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)

    for ours, theirs in [
        (lambda o: StepLR(o, step_size=3, gamma=0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5)),
        (lambda o: ExponentialLR(o, gamma=0.8), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.8)),
        (lambda o: CosineLR(o, epochs=10), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10)),
    ]:
        o, to = _opt(), torch_opt()
        s, ts = ours(o), theirs(to)
        for _ in range(10):
            to.step()
            ts.step()
            s.step()
            assert o.lr == pytest.approx(to.param_groups[0]["lr"], rel=1e-12)

    metrics = [1.0, 0.9, 0.95, 0.91, 0.9, 0.92, 0.5, 0.51, 0.52, 0.5, 0.53, 0.54, 0.55, float("nan"), 0.6, 0.6]
    for kw in [dict(patience=1, factor=0.5), dict(patience=2, factor=0.3, cooldown=1, threshold=0.05,
                                                  threshold_mode="abs", min_lr=0.02)]:
        o, to = _opt(), torch_opt()
        s = ReduceLROnPlateau(o, **kw)
        ts = torch.optim.lr_scheduler.ReduceLROnPlateau(to, **kw)
        for m in metrics:
            s.step(metric=m)
            ts.step(m)
            assert o.lr == pytest.approx(to.param_groups[0]["lr"], rel=1e-12)
    o, to = _opt(), torch_opt()
    s, ts = ReduceLROnPlateau(o, mode="max", patience=0), torch.optim.lr_scheduler.ReduceLROnPlateau(
        to, mode="max", patience=0)
    for m in [0.5, 0.6, 0.6, 0.7, 0.69]:
        s.step(metric=m)
        ts.step(m)
        assert o.lr == pytest.approx(to.param_groups[0]["lr"], rel=1e-12)


def test_plateau_needs_metric_and_schedule_state_round_trip():
    with pytest.raises(ValueError, match="metric"):
        ReduceLROnPlateau(_opt()).step(1)
    o = _opt()
    s = ReduceLROnPlateau(o, patience=1)
    for m in [1.0, 1.0]:
        s.step(metric=m)
    state = _npz_round_trip(s.state_dict())
    o2 = _opt()
    o2.lr = o.lr
    s2 = ReduceLROnPlateau(o2, patience=1)
    s2.load_state_dict(state)
    for m in [1.0, 1.0, 0.5, 0.6, 0.6]:
        assert s.step(metric=m) == s2.step(metric=m)
    with pytest.raises(ValueError, match="saved by ReduceLROnPlateau"):
        StepLR(_opt()).load_state_dict(s.state_dict())
    with pytest.raises(ValueError, match="epoch"):
        StepLR(_opt()).step(-1)


# -- clipping and gradient warnings -----------------------------------------------------------------
def test_clip_grad_norm(rng):
    ps = [Tensor(np.zeros(s), requires_grad=True) for s in [(3, 2), (2,)]]
    grads = [rng.normal(size=p.shape) * 10 for p in ps]
    for p, g in zip(ps, grads):
        p.grad = g.copy()
    total = clip_grad_norm(ps, 1.0)
    assert total == pytest.approx(np.sqrt(sum((g ** 2).sum() for g in grads)))
    clipped = np.sqrt(sum((p.grad ** 2).sum() for p in ps))
    assert clipped == pytest.approx(1.0, rel=1e-5)
    for p, g in zip(ps, grads):  # same direction
        np.testing.assert_allclose(p.grad, g * (clipped / total), rtol=1e-12)
    before = [p.grad for p in ps]
    assert clip_grad_norm(ps, 100.0) == pytest.approx(clipped)
    assert all(p.grad is g for p, g in zip(ps, before))  # below the limit: untouched


def test_clip_grad_norm_matches_torch(rng):
    torch = pytest.importorskip("torch")
    g = rng.normal(size=(4, 5))
    p, tp = Tensor(np.zeros((4, 5)), requires_grad=True), torch.zeros(4, 5, dtype=torch.float64, requires_grad=True)
    p.grad, tp.grad = g.copy(), torch.tensor(g)
    total = clip_grad_norm([p], 0.7)
    t_total = torch.nn.utils.clip_grad_norm_([tp], 0.7)
    assert total == pytest.approx(float(t_total))
    np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_leaves_non_finite_gradients():
    p = Tensor(np.zeros(2), requires_grad=True)
    p.grad = np.array([np.inf, 1.0])
    assert clip_grad_norm([p], 1.0) == np.inf
    np.testing.assert_array_equal(p.grad, [np.inf, 1.0])


def test_clip_grad_value():
    p, q = Tensor(np.zeros(4), requires_grad=True), Tensor(np.zeros(1), requires_grad=True)
    p.grad = np.array([-3.0, -0.5, 0.5, 3.0])
    clip_grad_value([p, q], 1.0)
    np.testing.assert_array_equal(p.grad, [-1.0, -0.5, 0.5, 1.0])
    assert q.grad is None
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value([p], -1.0)


def _model_with_grads():
    model = Sequential(Dense(3, 4, rng=0), Dense(4, 2, rng=1))
    for p in model.parameters():
        p.grad = np.full(p.shape, 0.1, dtype=p.dtype)
    return model


def test_check_gradients_names_the_layer():
    model = _model_with_grads()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_gradients(model, threshold=10.0) == {}
    grad = model.layers[1].weight.grad.copy()
    grad[0, 0] = np.nan
    model.layers[1].weight.grad = grad
    expected = r"non-finite gradient in layer 'layers.1' \(parameter 'layers.1.weight'\)"
    with pytest.warns(GradientWarning, match=expected):
        bad = check_gradients(model)
    assert list(bad) == ["layers.1.weight"]
    model = _model_with_grads()
    model.layers[0].bias.grad = np.full(4, 100.0, dtype=np.float32)
    with pytest.warns(GradientWarning, match="exploding gradient in layer 'layers.0'.*norm 200") as record:
        check_gradients(model.named_parameters(), threshold=50.0)
    assert record[0].message.layer == "layers.0"
    assert record[0].message.norm == pytest.approx(200.0)


def test_optimizer_warns_on_exploding_gradient_before_clipping():
    model = _model_with_grads()
    model.layers[0].weight.grad = np.full((3, 4), 1e3, dtype=np.float32)
    opt = SGD(model, lr=0.01, warn_threshold=100.0, clip_norm=1.0)
    with pytest.warns(GradientWarning, match="layers.0.weight"):
        opt.step()
    assert all(np.isfinite(p.data).all() for p in model.parameters())
    opt = SGD(model, lr=0.01, warn_threshold=math.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()  # large but finite: no warning with an infinite threshold
