"""Every example script runs to completion."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_runs(script: Path) -> None:
    """The example exits cleanly and prints something."""
    result = subprocess.run(  # noqa: S603  # runs our own example scripts
        [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=120
    )

    assert (0, "") == (result.returncode, result.stderr)
    assert result.stdout


def test_the_walkthrough_shows_the_friday_refusal_and_saturday_release() -> None:
    """The walkthrough refuses production on Friday evening and releases on Saturday 09:00."""
    script = next(path for path in EXAMPLES if path.name == "walkthrough.py")

    output = subprocess.run(  # noqa: S603  # runs our own example script
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120
    ).stdout

    assert "next opens Sat 2026-11-28 09:00 UTC" in output
    assert "Sat 2026-11-28 09:00 UTC  promote 2.4.0 (normal): stage -> production" in output
    assert "promote 2.4.1 (hotfix): stage -> production" in output
