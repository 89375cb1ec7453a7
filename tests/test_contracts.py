"""The import contracts cover every module: a new feature, or a new module in one, cannot slip
past them. Doors (routes, API, the feature's manifest entry) may use HTTP; every other module
of a feature must be in "The domain knows no HTTP", and every package in a layer."""

from __future__ import annotations

import tomllib
from pathlib import Path

import community
from community.features import FEATURES

ROOT = Path(community.__file__).parent
#: modules that are HTTP by nature, or start the site
DOORS = ("routes", "api", "feature")
ENTRY = {"app", "__main__", "scheduler", "seed", "seed_bulk", "features"}


def _contracts() -> list[dict[str, object]]:
    pyproject = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())
    contracts: list[dict[str, object]] = pyproject["tool"]["importlinter"]["contracts"]
    return contracts


def _modules() -> list[str]:
    names = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] in ("migrations",) or parts[-1] == "__init__":
            continue
        names.append(".".join(("community", *parts)))
    return names


def _is_door(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last in DOORS or last.endswith("_routes")


def test_every_domain_module_is_forbidden_http() -> None:
    (forbidden,) = [c for c in _contracts() if c["type"] == "forbidden"]
    sources = forbidden["source_modules"]
    assert isinstance(sources, list)
    uncovered = [
        module
        for module in _modules()
        if module.split(".")[1] not in ENTRY | {"web"}
        and not _is_door(module)
        and not any(module == s or module.startswith(f"{s}.") for s in sources)
    ]
    assert uncovered == [], "add these to 'The domain knows no HTTP' in pyproject.toml"


def test_every_package_has_a_layer() -> None:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    assert isinstance(layers["layers"], list)
    named = {
        name.strip().removeprefix("community.")
        for layer in layers["layers"]
        for name in str(layer).replace("|", ":").split(":")
    }
    top = {module.split(".")[1] for module in _modules()}
    assert top - named == set(), "add these to 'Layers run downward' in pyproject.toml"


def test_every_feature_is_listed_once_and_declares_itself() -> None:
    names = [feature.name for feature in FEATURES]
    assert len(names) == len(set(names))
    with_feature_file = {path.parent.name for path in ROOT.glob("*/feature.py")}
    assert set(names) == with_feature_file, "list each feature.py in community/features.py"
