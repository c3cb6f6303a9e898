"""Every Python code block in the README and in docs/ runs."""

import re
from pathlib import Path

import pytest

import releasekit

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


TOML_BLOCK = re.compile(r"^```toml\n(# releasekit\.toml\n.*?)^```", re.MULTILINE | re.DOTALL)
POLICY_FILES = [
    (page, text) for page in PAGES for text in TOML_BLOCK.findall(page.read_text(encoding="utf-8"))
]


@pytest.mark.parametrize(
    ("page", "text"), POLICY_FILES, ids=[str(p.relative_to(ROOT)) for p, _ in POLICY_FILES]
)
def test_every_policy_file_shown_in_the_docs_is_valid(page: Path, text: str) -> None:
    """A TOML block headed `# releasekit.toml` builds a policy with at least one flow."""
    policy = releasekit.loads_policy(text, source=str(page))

    assert policy.flows


def test_the_docs_show_a_policy_file() -> None:
    """At least one policy file is shown, so the test above is not vacuous."""
    assert POLICY_FILES


def test_the_readme_has_code_to_run() -> None:
    """The README shows Python code, so the test above is not vacuous."""
    assert len(blocks(ROOT / "README.md")) >= 2
