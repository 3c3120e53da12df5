"""The README is the front door: every setting Surge reads from the environment
is documented there, and its two commands exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _environment_variables_read_by_settings() -> set[str]:
    source = (ROOT / "surge" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|float|list|url|proxy_ssl_header)\(\s*"([A-Z_]+)"', source))


def test_every_environment_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in _environment_variables_read_by_settings() if f"`{name}`" not in readme)
    assert not missing, f"README lacks: {missing}"


def test_readme_commands_are_makefile_targets():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "test-fast", "demo"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE)
