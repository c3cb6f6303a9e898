"""Every Python code block in the README and in docs/ runs, and prints what its comments say."""

import ast
import importlib.util
import io
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

import releasekit

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
BLOCK = re.compile(r"^```(?:python|py|pycon)\n(.*?)^```", re.MULTILINE | re.DOTALL)
#: Pages whose code talks to PostgreSQL get a real server, named by this variable.
POSTGRES_DSN = "RELEASEKIT_POSTGRES_DSN"


def blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


#: What may follow the printed text in a comment that states it: an explanation.
EXPLANATION = (":", ";", ",", " —", " -", " (")
#: Where a comment leaves printed text out.
ELLIPSIS = re.compile(r"\.\.\.|…")


def states(comment: str, printed: str) -> bool:
    """Whether *comment* states *printed*: the whole of it, then perhaps an explanation.

    ``...`` (or ``…``) in the comment stands for text left out.
    """
    for end in [
        len(comment),
        *(n for n in range(len(comment)) if comment[n:].startswith(EXPLANATION)),
    ]:
        parts = ELLIPSIS.split(comment[:end].strip())
        if re.fullmatch(".*".join(re.escape(part) for part in parts), printed, re.DOTALL):
            return True
    return False


def trailing_comments(block: str) -> dict[int, str]:
    """The comment ending each line of *block* that has one, by line number."""
    return {
        token.start[0]: token.string.removeprefix("#").strip()
        for token in tokenize.generate_tokens(io.StringIO(block).readline)
        if token.type == tokenize.COMMENT
    }


def is_print(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Name)
        and statement.value.func.id == "print"
    )


def run_block(
    page: Path, block: str, namespace: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> list[str]:
    """Run *block* statement by statement; return where a print's comment misstates its output."""
    comments = trailing_comments(block)
    wrong = []
    for statement in ast.parse(block).body:
        code = compile(ast.Module([statement], type_ignores=[]), str(page), "exec")
        exec(code, namespace)  # noqa: S102  # our own docs
        printed = capsys.readouterr().out.strip()
        comment = comments.get(statement.end_lineno or statement.lineno)
        if is_print(statement) and comment is not None and not states(comment, printed):
            wrong.append(
                f"line {statement.lineno}: the comment says {comment!r}, it printed {printed!r}"
            )
    return wrong


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_code_block_of_the_page_runs(
    page: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page's blocks run in order, in one namespace; a print's comment states its output."""
    namespace: dict[str, object] = {"__name__": f"docs:{page.name}"}
    if POSTGRES_DSN in page.read_text(encoding="utf-8"):
        server = request.getfixturevalue("postgres")
        monkeypatch.setenv(POSTGRES_DSN, server.schema_dsn())

    wrong = [line for block in blocks(page) for line in run_block(page, block, namespace, capsys)]

    assert [] == wrong


@pytest.mark.parametrize(
    ("comment", "printed", "stated"),
    [
        ("True", "True", True),
        ("True: no tests are owed", "True", True),
        ("nothing done: 2.4.0 is already in…", "nothing done: 2.4.0 is already in tests", True),
        ("`dt ...` exited with code 2", "`dt deploy 2.4.0` exited with code 2", True),
        ("Saturday 09:00 UTC", "2026-11-28 09:00:00+00:00", False),
        ("True", "False", False),
        ("2.4.0: sandbox-anton -> tests", "2.4.0: sandbox-anton -> tests, by anton", False),
    ],
)
def test_a_comment_states_a_printed_value_only_when_it_is_that_value(
    comment: str, printed: str, *, stated: bool
) -> None:
    """A comment names the whole printed text (gaps marked `...`), then perhaps why."""
    assert stated == states(comment, printed)


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


def test_the_docs_hook_draws_the_flows_from_the_engine() -> None:
    """The build hook puts the engine's own Mermaid diagram where a page asks for one."""
    spec = importlib.util.spec_from_file_location(
        "diagrams", ROOT / "docs" / "hooks" / "diagrams.py"
    )
    assert spec is not None
    assert spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    engine = releasekit.Engine(releasekit.reference_policy())

    page = hook.on_page_markdown("before\n<!-- releasekit:diagram hotfix -->\nafter")

    assert f"before\n```mermaid\n{engine.diagram('hotfix').strip()}\n```\nafter" == page
    assert "<!-- releasekit:diagram normal -->" in (
        ROOT / "docs" / "reference-policy.md"
    ).read_text(encoding="utf-8")


def test_the_docs_build_strictly(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds: no broken link, no undocumented parameter, no warning."""
    if importlib.util.find_spec("mkdocs") is None and not os.environ.get("CI"):
        pytest.skip("MkDocs is not installed here (pip install 'releasekit[docs]')")

    result = subprocess.run(  # noqa: S603  # builds our own docs
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )

    assert 0 == result.returncode, result.stderr[-4000:]
    assert (tmp_path / "reference-policy" / "index.html").exists()
