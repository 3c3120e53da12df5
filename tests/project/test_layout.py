"""Dependencies flow one way (surge <- ingest <- trends <- editorial <- web;
lab apart): the import-linter contract in pyproject.toml holds on the code,
and it does catch a wrong-way import."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("surge", "ingest", "trends", "editorial", "web", "lab")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120
    )


def _copy_of_the_code(destination: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def test_the_code_keeps_the_one_way_rule():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_from_a_later_stage_breaks_the_rule(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    polling = tree / "ingest" / "polling.py"
    polling.write_text(polling.read_text() + "\nfrom trends.stories import pipeline  # noqa\n")

    result = _lint_imports(tree)

    assert result.returncode != 0
    assert "ingest.polling -> trends.stories.pipeline" in result.stdout


def test_production_code_never_imports_the_lab(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    views = tree / "web" / "views.py"
    views.write_text(views.read_text() + "\nfrom lab import category_training  # noqa\n")

    result = _lint_imports(tree)

    assert result.returncode != 0
    assert "web.views -> lab.category_training" in result.stdout
