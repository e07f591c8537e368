"""Neural solutions of ODEs and PDEs with trial solutions, against their exact solutions."""
from __future__ import annotations

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table

# Fractions of each problem's default L-BFGS budget (its default run reaches the bounds).
BUDGET = {"full": 1.0, "quick": 0.2, "smoke": 0.05}


def _settings(problem, mode: str) -> dict:
    s = problem.settings
    return {"iterations": int(s.get("iterations", 0) * BUDGET[mode]),
            "lbfgs_iterations": max(20, int(s.get("lbfgs_iterations", 0) * BUDGET[mode]))}


def _solve(names, ctx: Context) -> tuple[list, list, dict]:
    from nnlab.de.experiments import run_problem
    from nnlab.de.problems import get_problem

    figures, rows, solutions = [], [], {}
    for name in names:
        problem = get_problem(name)
        directory = ctx.directory / name
        directory.mkdir(parents=True, exist_ok=True)
        result = run_problem(problem, directory, **_settings(problem, ctx.mode))
        solutions[name] = (problem, result["solution"])
        rows.append([name, problem.description, result["max_error"], result["iterations"], result["wall_time"]])
        captions = {"solution.png": "network and exact solution", "error.png": "error u_network - u_exact",
                    "solution_2d.png": "network, exact and error over the domain", "loss_history.png": "loss"}
        for path in result["files"]:
            if path.name != "loss_history.png" or name == names[0]:
                figures.append(Figure(path, f"{name}: {captions.get(path.name, path.stem)}"))
    return figures, rows, solutions


COLUMNS = ["problem", "equation", "max error", "iterations", "time (s)"]


def run_ode(ctx: Context) -> SectionResult:
    figures, rows, _ = _solve(["decay", "oscillator"] if ctx.mode != "smoke" else ["decay"], ctx)
    return SectionResult(figures=figures, tables=[Table(COLUMNS, rows, "max |u - u_exact| on a fine grid")],
                         numbers={"decay max error": rows[0][2]})


def run_pde(ctx: Context) -> SectionResult:
    from nnlab.de.experiments import diffusion_comparison

    names = ["poisson", "diffusion"] + (["poisson2d"] if ctx.mode == "full" else [])
    figures, rows, solutions = _solve(names, ctx)
    problem, solution = solutions["diffusion"]
    comparison = diffusion_comparison(problem, solution, ctx.directory / "diffusion")
    figures.append(Figure(comparison["file"], "diffusion: network, finite differences (FTCS) and exact solution "
                                              "at an early and a late time"))
    errors = Table(["method", "max error at the two times"], [[k, v] for k, v in comparison["errors"].items()],
                   "Diffusion: network against forward-Euler/centred finite differences")
    return SectionResult(figures=figures, tables=[Table(COLUMNS, rows, "max |u - u_exact| on a fine grid"), errors],
                         numbers={f"{r[0]} max error": r[2] for r in rows})


ODE = SectionSpec(
    key="ode", title="Ordinary differential equations with trial solutions",
    summary="The lecture's g' = -gamma g, g(0) = g0 (gamma = 2, g0 = 10) solved with the trial solution "
            "g_t(x) = g0 + x N(x, P), whose initial condition holds for any network; the squared residual at "
            "collocation points is minimised (here by L-BFGS, float64). A damped oscillator (second order) too.",
    command="nnlab ode decay --output-dir runs/ode-decay", run=run_ode,
    lecture="Applications: solving ordinary differential equations with Neural Networks",
    docs="docs/11-differential-equations.md")

PDE = SectionSpec(
    key="pde", title="Partial differential equations: Poisson and diffusion",
    summary="-u'' = f on [0, 1] with u(0) = u(1) = 0, and u_t = u_xx with u(x, 0) = sin(pi x) and zero boundary "
            "values, each through a trial solution that satisfies the conditions exactly; the diffusion solution is "
            "compared with explicit finite differences at dx = 1/10 and 1/100.",
    command="nnlab pde diffusion --output-dir runs/pde-diffusion", run=run_pde,
    lecture="the lecture's trial-solution method applied to the course project's diffusion equation",
    docs="docs/11-differential-equations.md")
