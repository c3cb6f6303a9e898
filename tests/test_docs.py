"""Every Python code block in the README and in docs/ runs."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_code_block_of_the_page_runs(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The page's Python blocks run in order, sharing one namespace as a reader would."""
    namespace: dict[str, object] = {"__name__": f"docs:{page.name}"}

    for block in blocks(page):
        exec(compile(block, str(page), "exec"), namespace)  # noqa: S102  # our own docs

    capsys.readouterr()


def test_the_readme_has_code_to_run() -> None:
    """The README shows Python code, so the test above is not vacuous."""
    assert len(blocks(ROOT / "README.md")) >= 2
