"""Neural solutions of ODEs and PDEs with trial solutions, against their exact solutions.

Each problem is one :func:`nnlab.experiments.equations.run`, the same call ``nnlab ode`` and
``nnlab pde`` make; this section lays out the Results.
"""
from __future__ import annotations

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table

# Fractions of each problem's default iteration budget (its default run reaches the bounds).
BUDGET = {"full": 1.0, "quick": 0.2, "smoke": 0.05}
COLUMNS = ["problem", "equation", "max error", "iterations", "time (s)"]


def _solve(names, ctx: Context) -> tuple[list, list, dict]:
    from nnlab.de.problems import get_problem
    from nnlab.experiments.equations import CAPTIONS, EquationConfig, run

    figures, rows, results = [], [], {}
    for name in names:
        config = EquationConfig(name, ctx.directory / name, quick=ctx.mode != "full", budget=BUDGET[ctx.mode])
        result = run(config)
        results[name] = result
        rows.append([name, get_problem(name).description, result.numbers["max_error"], result.numbers["iterations"],
                     result.numbers["wall_time"]])
        for key, path in result.figures.items():
            if key != "loss" or name == names[0]:
                figures.append(Figure(path, f"{name}: {CAPTIONS[key]}"))
    return figures, rows, results


def run_ode(ctx: Context) -> SectionResult:
    figures, rows, _ = _solve(["decay", "oscillator"] if ctx.mode != "smoke" else ["decay"], ctx)
    return SectionResult(figures=figures, tables=[Table(COLUMNS, rows, "max |u - u_exact| on a fine grid")],
                         numbers={"decay max error": rows[0][2]})


def run_pde(ctx: Context) -> SectionResult:
    names = ["poisson", "diffusion"] + (["poisson2d"] if ctx.mode == "full" else [])
    figures, rows, results = _solve(names, ctx)
    tables = [Table(COLUMNS, rows, "max |u - u_exact| on a fine grid")]
    tables += [Table(t.columns, t.rows, t.caption) for t in results["diffusion"].tables]
    return SectionResult(figures=figures, tables=tables, numbers={f"{r[0]} max error": r[2] for r in rows})


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
