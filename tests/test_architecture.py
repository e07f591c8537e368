"""Imports point down the layer order that docs/architecture.md gives (read from its table)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DOC = ROOT / "docs" / "architecture.md"

# Imports that point up today, each with the reason it stays for now: (importer, imported) -> reason.
# Empty when the package is clean; an entry that no longer occurs fails the test, so the list shrinks.
ALLOWED: dict[tuple[str, str], str] = {}


def layers_from_doc(text: str) -> dict[str, int]:
    """{module prefix: layer} from the rows '| n | `mod` `mod` | ... |' of the architecture page."""
    table = {}
    for number, cell in re.findall(r"^\|\s*(\d+)\s*\|([^|]*)\|", text, flags=re.M):
        for name in re.findall(r"`([\w.]+)`", cell):
            assert name not in table, f"{name} stands in two rows of {DOC.name}"
            table[name] = int(number)
    return table


LAYERS = layers_from_doc(DOC.read_text(encoding="utf-8"))


def layer_of(module: str) -> tuple[str, int] | None:
    """(row name, layer) of the longest row name that is ``module`` or a package above it."""
    best = None
    for name, layer in LAYERS.items():
        if (module == name or module.startswith(name + ".")) and (best is None or len(name) > len(best[0])):
            best = (name, layer)
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exists(module: str) -> bool:
    base = SRC.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(path: Path) -> list[tuple[str, int]]:
    """(imported nnlab module, line) for every import in the file, lazy ones and TYPE_CHECKING ones included."""
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.append((child if _exists(child) else target, node.lineno))
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.args[0].value, node.lineno))
    return sorted({(name, line) for name, line in found if name == "nnlab" or name.startswith("nnlab.")})


def upward_imports() -> tuple[list[str], list[str]]:
    """(imports pointing up the layer order, modules missing from the table)."""
    up, missing = [], []
    for path in sorted((SRC / "nnlab").rglob("*.py")):
        here = layer_of(module_name(path))
        if here is None:
            missing.append(module_name(path))
            continue
        for target, line in imports_of(path):
            there = layer_of(target)
            if there is None:
                missing.append(target)
            elif there[1] > here[1] and (module_name(path), target) not in ALLOWED:
                up.append(f"{path.relative_to(ROOT)}:{line}: {module_name(path)} (layer {here[1]}) imports "
                          f"{target} (layer {there[1]})")
    return up, sorted(set(missing))


def test_the_page_lists_the_layers_in_order():
    assert LAYERS["nnlab.tensor"] < LAYERS["nnlab.ops"] < LAYERS["nnlab.nn"] < LAYERS["nnlab.train"]
    assert LAYERS["nnlab.train"] < LAYERS["nnlab.experiments"] < LAYERS["nnlab.report"] < LAYERS["nnlab.commands"]
    assert LAYERS["nnlab.estimators"] == LAYERS["nnlab.de"] == LAYERS["nnlab.experiments"]


def test_every_module_has_a_layer():
    _, missing = upward_imports()
    assert not missing, f"modules missing from the table in docs/architecture.md: {missing}"


def test_imports_point_down_the_layers():
    up, _ = upward_imports()
    assert not up, "imports pointing up the layer order of docs/architecture.md:\n" + "\n".join(up)


def test_allow_list_holds_only_imports_that_still_exist():
    seen = {(module_name(p), t) for p in (SRC / "nnlab").rglob("*.py") for t, _ in imports_of(p)}
    stale = [pair for pair in ALLOWED if pair not in seen]
    assert not stale, f"remove these from ALLOWED, they no longer occur: {stale}"


def test_the_checker_sees_lazy_and_relative_imports(tmp_path, monkeypatch):
    """The walker is not blind: a lazy import and a relative import both count."""
    package = tmp_path / "nnlab" / "nn"
    package.mkdir(parents=True)
    (tmp_path / "nnlab" / "__init__.py").write_text("")
    (tmp_path / "nnlab" / "train").mkdir()
    (tmp_path / "nnlab" / "train" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "bad.py").write_text("def f():\n    from nnlab.train import loop\n    from .. import train\n")
    monkeypatch.setattr(__import__(__name__), "SRC", tmp_path)
    targets = [t for t, _ in imports_of(package / "bad.py")]
    assert targets == ["nnlab.train", "nnlab.train"], targets
    assert layer_of(targets[0])[1] > layer_of("nnlab.nn.bad")[1]


@pytest.mark.parametrize("module, layer", [("nnlab.nn.layers", "nnlab.nn"), ("nnlab", "nnlab"),
                                           ("nnlab._files", "nnlab._files"), ("nnlab.report.sections.cnn", "nnlab.report")])
def test_layer_of_takes_the_longest_row(module, layer):
    assert layer_of(module)[0] == layer
