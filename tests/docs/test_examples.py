"""Every YAML example in docs/ (and the README's first bot) goes through the installed
`parley validate`; the pages' Python and JSON examples, links and references hold.

How a ```yaml block is checked depends on the line just before its fence:

- `<!-- file: PATH -->`: one file of the page's example bot. The page's file blocks (of any
  language) are written into one folder, with a minimal config.yaml unless the page gives one;
  `parley validate` must pass there. When the bot has `*.transcript.yaml` files, `parley test`
  must pass them all (it starts a sandbox org itself when one is needed), unless the page's own
  module, tests/docs/test_PAGE.py, replays them already.
- `<!-- config -->`, or a block whose first line is `# config.yaml`: a whole config.yaml,
  validated in a folder whose dialog folders hold only a placeholder dialog.
- `<!-- invalid: TEXT -->`: `parley validate` must fail, and its output (with the folder's path
  taken out) must contain TEXT. The block is a config.yaml when its first line is
  `# config.yaml`, else a dialog file written as `dialogs/DIALOG_ID.yaml` beside a minimal
  config. When the next block is a ```text block after `<!-- output -->`, it is exactly what
  `parley validate` prints.
- `<!-- fragment -->`: a piece of a dialog file, for reading. So is a block without a marker that
  has neither `dialog` nor `nodes` and only keys a dialog file or a node may have (`amend_words:`,
  `buttons:`). A fragment must be YAML, and its keys must be such keys.
- Nothing: a whole dialog file, validated beside a minimal config.

The dialogs without a marker are validated together, several to a folder (each dialog id once
per folder), and alone when their folder fails, so a clash between two pages' examples does not
count against either. `${NAME}` in an example, without a default, is set for the run (to an
https URL when NAME ends in _URL); PARLEY_* variables of the environment are left out. The
commands run several at a time.

A ```python block after `<!-- run -->` is run and must exit 0; when the next block is a ```text
block after `<!-- output -->`, it is what the script prints.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from runtime.dialogs.reading.keys import COMMON_KEYS, FILE_KEYS, KIND_KEYS
from tests.docs.pages import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
# The pages that must not send a reader to a contract outside the repository.
READMES = [ROOT / "README.md", ROOT / "channels" / "README.md"]
# Where YAML examples are checked: docs/, and the README's first bot.
EXAMPLE_PAGES = [*PAGES, ROOT / "README.md"]
PARLEY = Path(sys.executable).with_name("parley")
TIMEOUT = 180

FILE_MARKER = re.compile(r"<!-- file: (\S+) -->")
INVALID_MARKER = re.compile(r"<!-- invalid: (.+?) -->")
CONFIG_MARKER = "<!-- config -->"
FRAGMENT_MARKER = "<!-- fragment -->"
RUN_MARKER = "<!-- run -->"
OUTPUT_MARKER = "<!-- output -->"
CONFIG_COMMENT = re.compile(r"#\s*config\.yaml\b")
FENCE = re.compile(r"^```(\S*)\s*$")
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

MINIMAL_CONFIG = "dialogs: [dialogs/]\n"
FILLER_DIALOG = """\
dialog: docs_placeholder
description: Stands in for the dialogs while a config.yaml example is validated
nodes:
  - id: hello
    type: message
    text: Hello.
"""
FRAGMENT_KEYS = {
    *FILE_KEYS,
    *COMMON_KEYS,
    *(key for keys in KIND_KEYS.values() for key in keys),
} - {"dialog", "nodes"}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, from 1
    language: str
    text: str
    marker: str  # the line before the fence, stripped

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def slug(self) -> str:
        """The block's name as a file or folder name."""
        return f"{slug_of(self.page)}-{self.line}"

    @property
    def file(self) -> str | None:
        found = FILE_MARKER.fullmatch(self.marker)
        return found.group(1) if found else None

    @property
    def invalid(self) -> str | None:
        found = INVALID_MARKER.fullmatch(self.marker)
        return found.group(1) if found else None

    @property
    def kind(self) -> str:
        """file, invalid, config, fragment or dialog (see the module's docstring)."""
        if self.file:
            return "file"
        if self.invalid:
            return "invalid"
        if self.marker == CONFIG_MARKER or _starts_as_config(self.text):
            return "config"
        if self.marker == FRAGMENT_MARKER or _looks_like_fragment(self.text):
            return "fragment"
        return "dialog"


def slug_of(page: Path) -> str:
    return str(page.relative_to(ROOT).with_suffix("")).replace("/", "-")


def _starts_as_config(text: str) -> bool:
    first = text.lstrip("\n").split("\n", 1)[0]
    return CONFIG_COMMENT.match(first.strip()) is not None


def _looks_like_fragment(text: str) -> bool:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and bool(data) and set(data) <= FRAGMENT_KEYS


def blocks_of(page: Path) -> list[Block]:
    """Every fenced block of a page, with the line before its fence."""
    lines = page.read_text(encoding="utf-8").split("\n")
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None or not opening.group(1):
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
        assert end is not None, f"{page.name}:{i + 1}: a code block that never closes"
        marker = lines[i - 1].strip() if i else ""
        text = "\n".join(lines[i + 1 : end]) + "\n"
        found.append(Block(page, i + 1, opening.group(1), text, marker))
        i = end + 1
    return found


BLOCKS = [block for page in EXAMPLE_PAGES for block in blocks_of(page)]
YAML_BLOCKS = [block for block in BLOCKS if block.language == "yaml"]


# -- running parley ---------------------------------------------------------------------------


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env["PYTHONPATH"] = str(ROOT)
    # Several commands run at once: one thread each for the intent matcher's numeric libraries.
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for block in YAML_BLOCKS:
        for name in VARIABLE.findall(block.text):
            value = "https://login.example.com" if name.endswith("_URL") else f"docs-{name.lower()}"
            env.setdefault(name, value)
    return env


def parley(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert PARLEY.is_file(), f"{PARLEY} is missing: install the project (pip install -e .) first"
    return subprocess.run(
        [str(PARLEY), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment(),
    )


def said(done: subprocess.CompletedProcess[str], folder: Path) -> str:
    return (done.stdout + done.stderr).replace(f"{folder}/", "")


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    fill_dialog_folders(folder)
    return folder


def fill_dialog_folders(folder: Path) -> None:
    """A placeholder dialog in each dialog folder of config.yaml that holds none (validate wants
    at least one)."""
    try:
        config = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return
    named = config.get("dialogs", ["dialogs"]) if isinstance(config, dict) else ["dialogs"]
    for entry in named if isinstance(named, list) else [named]:
        path = folder / str(entry)
        if path.suffix in (".yaml", ".yml") or "${" in str(entry):
            continue
        if not any(p for p in path.rglob("*.yaml") if not p.name.endswith(".transcript.yaml")):
            path.mkdir(parents=True, exist_ok=True)
            (path / "docs_placeholder.yaml").write_text(FILLER_DIALOG, encoding="utf-8")


# -- the checks, each giving "" (passed) or what went wrong, per block --------------------------


@dataclass
class Outcomes:
    failures: dict[str, str] = field(default_factory=dict)  # block name -> what went wrong
    checked: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def passed(self, blocks: list[Block]) -> None:
        with self.lock:
            self.checked.update(b.name for b in blocks)

    def failed(self, blocks: list[Block], why: str) -> None:
        with self.lock:
            self.checked.update(b.name for b in blocks)
            for block in blocks:
                earlier = self.failures.get(block.name)
                self.failures[block.name] = f"{earlier}\n{why}" if earlier else why


def replayed_elsewhere(page: Path) -> bool:
    """Whether the page's own test module (tests/docs/test_PAGE.py) already replays the page's
    transcripts with `parley test`: its bot is then only validated here."""
    module = ROOT / "tests" / "docs" / f"test_{page.stem.replace('-', '_')}.py"
    return page.parent == DOCS and module.is_file() and 'parley("test"' in module.read_text()


def page_bot(page: Path, blocks: list[Block], root: Path) -> Path:
    files = {b.file: b.text for b in blocks if b.file}
    files.setdefault("config.yaml", MINIMAL_CONFIG)
    return write(root / f"bot-{slug_of(page)}", files)


def validate_page_bot(folder: Path, blocks: list[Block], out: Outcomes) -> None:
    done = parley(folder, "validate")
    if done.returncode != 0:
        out.failed(blocks, f"parley validate failed on the page's bot:\n{said(done, folder)}")
    else:
        out.passed(blocks)


def replay_page_bot(folder: Path, blocks: list[Block], out: Outcomes) -> None:
    transcripts = sorted(b.file for b in blocks if b.file and b.file.endswith(".transcript.yaml"))
    done = parley(folder, "test", *transcripts)
    if done.returncode != 0 or f"{len(transcripts)} passed, 0 failed" not in done.stdout:
        out.failed(blocks, f"parley test failed on the page's bot:\n{said(done, folder)}")
    else:
        out.passed(blocks)


def check_dialogs(name: str, blocks: list[Block], root: Path, out: Outcomes) -> bool:
    """The blocks as dialogs of one bot; False when validate failed (nothing recorded)."""
    files = {"config.yaml": MINIMAL_CONFIG}
    for block in blocks:
        files[f"dialogs/{block.slug}.yaml"] = block.text
    folder = write(root / name, files)
    done = parley(folder, "validate")
    if done.returncode != 0:
        if len(blocks) == 1:
            out.failed(blocks, f"parley validate failed:\n{said(done, folder)}")
        return False
    out.passed(blocks)
    return True


def check_config(block: Block, root: Path, out: Outcomes) -> None:
    folder = write(root / f"config-{block.slug}", {"config.yaml": block.text})
    done = parley(folder, "validate")
    if done.returncode != 0:
        out.failed([block], f"parley validate failed on this config.yaml:\n{said(done, folder)}")
    else:
        out.passed([block])


def shown_output(block: Block) -> Block | None:
    """The ```text block after `<!-- output -->` that follows `block`, if any."""
    blocks = [b for b in BLOCKS if b.page == block.page]
    after = blocks[blocks.index(block) + 1 :]
    return after[0] if after and after[0].marker == OUTPUT_MARKER else None


def check_invalid(block: Block, root: Path, out: Outcomes) -> None:
    if _starts_as_config(block.text):
        files = {"config.yaml": block.text}
    else:
        data = _yaml_or_none(block.text)
        dialog = data.get("dialog") if isinstance(data, dict) else None
        stem = dialog if isinstance(dialog, str) and re.fullmatch(r"\w+", dialog) else "example"
        files = {"config.yaml": MINIMAL_CONFIG, f"dialogs/{stem}.yaml": block.text}
    folder = write(root / f"invalid-{block.slug}", files)
    done = parley(folder, "validate")
    output = said(done, folder)
    if done.returncode == 0:
        out.failed([block], "marked invalid, but parley validate passed it")
    elif block.invalid not in output:
        out.failed([block], f"parley validate did not say {block.invalid!r}; it said:\n{output}")
    elif (shown := shown_output(block)) and shown.text.strip() != output.strip():
        out.failed([block], f"parley validate said otherwise than the page shows:\n{output}")
    else:
        out.passed([block])


def check_fragment(block: Block, out: Outcomes) -> None:
    try:
        data = yaml.safe_load(block.text)
    except yaml.YAMLError as exc:
        out.failed([block], f"a fragment that is not YAML: {exc}")
        return
    if not isinstance(data, dict) or not data:
        out.failed([block], "a fragment must be a mapping of dialog or node keys")
        return
    unknown = sorted(set(data) - FRAGMENT_KEYS)
    if unknown:
        out.failed([block], f"keys no dialog file or node has: {', '.join(unknown)}")
    else:
        out.passed([block])


def _yaml_or_none(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def dialog_groups(blocks: list[Block]) -> list[list[Block]]:
    """The unmarked dialogs in as few folders as their ids allow (an id once per folder)."""
    groups: list[tuple[set[str], list[Block]]] = []
    for block in blocks:
        data = _yaml_or_none(block.text)
        dialog = data.get("dialog") if isinstance(data, dict) else None
        if not isinstance(dialog, str):
            groups.append(({f"?{block.name}"}, [block]))  # unreadable: alone
            continue
        for ids, members in groups:
            if dialog not in ids and not any(i.startswith("?") for i in ids):
                ids.add(dialog)
                members.append(block)
                break
        else:
            groups.append(({dialog}, [block]))
    return [members for _, members in groups]


def run_all(root: Path) -> Outcomes:
    out = Outcomes()
    jobs: list[Callable[[], object]] = []
    for page in EXAMPLE_PAGES:
        files = [b for b in BLOCKS if b.page == page and b.file]
        if not any(b.language == "yaml" for b in files):
            continue
        folder = page_bot(page, files, root)
        jobs.append(lambda folder=folder, files=files: validate_page_bot(folder, files, out))
        replays = any(b.file.endswith(".transcript.yaml") for b in files if b.file)
        if replays and not replayed_elsewhere(page):  # the slowest jobs: first
            jobs.insert(0, lambda folder=folder, files=files: replay_page_bot(folder, files, out))
    groups = dialog_groups([b for b in YAML_BLOCKS if b.kind == "dialog"])
    failed_groups: list[list[Block]] = []

    def group_job(index: int, members: list[Block]) -> None:
        if not check_dialogs(f"dialogs-{index}", members, root, out) and len(members) > 1:
            failed_groups.append(members)

    for index, members in enumerate(groups):
        jobs.append(lambda index=index, members=members: group_job(index, members))
    for block in YAML_BLOCKS:
        if block.kind == "config":
            jobs.append(lambda block=block: check_config(block, root, out))
        elif block.kind == "invalid":
            jobs.append(lambda block=block: check_invalid(block, root, out))
        elif block.kind == "fragment":
            check_fragment(block, out)
    _run(jobs)
    # A folder of several dialogs failed: each alone decides (a clash between two pages'
    # examples is no fault of either).
    alone = [b for members in failed_groups for b in members]
    _run(
        [
            lambda block=block: check_dialogs(f"alone-{block.slug}", [block], root, out)
            for block in alone
        ]
    )
    return out


def _run(jobs: list[Callable[[], object]]) -> None:
    with ThreadPoolExecutor(max_workers=max(2, min(8, (os.cpu_count() or 2) * 2))) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Outcomes:
    return run_all(tmp_path_factory.mktemp("docs_examples"))


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=lambda b: b.name)
def test_the_yaml_example_is_what_parley_accepts(block: Block, outcomes: Outcomes) -> None:
    assert block.name in outcomes.checked, f"{block.name} was checked by no convention"
    if block.name in outcomes.failures:
        pytest.fail(f"{block.name}: {outcomes.failures[block.name]}", pytrace=False)


def test_every_yaml_block_is_checked(outcomes: Outcomes) -> None:
    written = sum(
        len(re.findall(r"^```yaml\b", p.read_text(), re.MULTILINE)) for p in EXAMPLE_PAGES
    )
    assert written == len(YAML_BLOCKS) == len(outcomes.checked & {b.name for b in YAML_BLOCKS})
    assert len(YAML_BLOCKS) >= 20  # the pages are there, and read


def test_yaml_examples_are_fenced_as_yaml() -> None:
    """A ```yml block would escape every check above."""
    for page in EXAMPLE_PAGES:
        assert not re.search(r"^```ya?ml\S", page.read_text(), re.MULTILINE), page.name


def test_markers_sit_just_before_a_block() -> None:
    """A marker followed by anything but a code block would silently check nothing."""
    markers = re.compile(r"^<!-- (?:file: \S+|invalid: .+?|config|fragment|run|output) -->$")
    for page in EXAMPLE_PAGES:
        lines = page.read_text().split("\n")
        for i, line in enumerate(lines):
            if markers.match(line.strip()):
                following = lines[i + 1] if i + 1 < len(lines) else ""
                assert following.startswith("```"), f"{page.name}:{i + 1}: {line.strip()}"


# -- python examples ---------------------------------------------------------------------------


def runnable() -> Iterator[tuple[Block, Block | None]]:
    for page in EXAMPLE_PAGES:
        blocks = [b for b in BLOCKS if b.page == page]
        for i, block in enumerate(blocks):
            if block.language == "python" and block.marker == RUN_MARKER:
                after = blocks[i + 1] if i + 1 < len(blocks) else None
                shown = after if after and after.marker == OUTPUT_MARKER else None
                yield block, shown


RUNNABLE = list(runnable())


@pytest.mark.parametrize(("script", "shown"), RUNNABLE, ids=[s.name for s, _ in RUNNABLE])
def test_the_python_example_runs_and_prints_what_the_page_shows(script, shown, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", script.text],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    if shown is not None:
        assert done.stdout == shown.text


def test_the_webhook_signature_example_signs_as_parley_checks() -> None:
    """docs/operations.md signs with the standard library; Parley's own check accepts it."""
    from channels.signing import check_signature, request_payload

    (script,) = [s for s, _ in RUNNABLE if "X-Parley-Signature" in s.text]
    names: dict[str, object] = {}
    with redirect_stdout(io.StringIO()):
        exec(compile(script.text, script.name, "exec"), names)
    secret, timestamp = names["SECRET"], names["TIMESTAMP"]
    body_headers = names["headers_for_post"](names["BODY"])
    check_signature(
        secret,
        body_headers["X-Parley-Timestamp"],
        body_headers["X-Parley-Signature"],
        names["BODY"],
        window=300,
        now=float(timestamp),
    )
    target = names["FETCH"]
    fetch_headers = names["headers_for_fetch"](target)
    check_signature(
        secret,
        fetch_headers["X-Parley-Timestamp"],
        fetch_headers["X-Parley-Signature"],
        request_payload("GET", target),
        window=300,
        now=float(timestamp),
    )


# -- JSON examples ------------------------------------------------------------------------------

JSON_PAGES = [DOCS / name for name in ("channels.md", "operations.md", "configuration.md")]
JSON_BLOCKS = [b for b in BLOCKS if b.page in JSON_PAGES and b.language == "json"]


def json_values(block: Block) -> list[object]:
    """The block's JSON value, or one value per line (a few messages in a row)."""
    try:
        return [json.loads(block.text)]
    except ValueError:
        return [json.loads(line) for line in block.text.splitlines() if line.strip()]


@pytest.mark.parametrize("block", JSON_BLOCKS, ids=lambda b: b.name)
def test_the_json_example_is_json(block: Block) -> None:
    assert json_values(block)


def test_the_cards_example_is_what_the_page_bot_sends() -> None:
    """docs/channels.md: the wire example's plain text is what its transcript expects."""
    page = DOCS / "channels.md"
    examples = [v for b in JSON_BLOCKS if b.page == page for v in json_values(b)]
    (cards,) = [e for e in examples if isinstance(e, dict) and e.get("type") == "cards"]
    (transcript,) = [b for b in BLOCKS if b.page == page and b.file and "transcript" in b.file]
    (step,) = [s["bot"] for s in yaml.safe_load(transcript.text)["steps"] if "cards" in str(s)]
    assert cards["text"] == step["text"]
    assert [card["title"] for card in cards["cards"]] == step["cards"]
    assert cards["heading"] == step["text"].split("\n")[0]


# -- links and references ----------------------------------------------------------------------

LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE = re.compile(r"^```.*?^```|`[^`\n]*`", re.MULTILINE | re.DOTALL)


def slugs(page: Path) -> set[str]:
    """GitHub's anchors for the headings of a page."""
    found: set[str] = set()
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
    for heading in re.findall(r"^#{1,6}\s+(.*?)\s*#*\s*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


LINKED_PAGES = [*PAGES, *READMES]


@pytest.mark.parametrize("page", LINKED_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    text = CODE.sub("", page.read_text())
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name}: link to {target} names no file"
        if anchor and linked.suffix == ".md":
            assert anchor in slugs(linked), f"{page.name}: {target} names no heading"


@pytest.mark.parametrize("page", LINKED_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_sends_readers_outside_the_repository(page: Path) -> None:
    text = page.read_text()
    assert "shared/spec" not in text
    assert "spec/channels.md" not in text


def test_the_index_lists_every_page_and_the_readme_points_to_it() -> None:
    index = (DOCS / "README.md").read_text()
    for page in PAGES:
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not link {page.name}"
    assert "(docs/README.md)" in (ROOT / "README.md").read_text()
