"""`python -m bench.transcripts.run [--transcripts N]`: replay N generated transcripts of 10
steps each, as `parley test` does (load, check, replay in parallel on a temporary SQLite store),
and print the steps per second. The goal: 1,000 transcripts in under 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import yaml

from runtime.config import load_config
from runtime.transcripts import Runner, find_transcripts, open_replay_bot, summary

GOAL_SECONDS = 30.0
COLOURS = ("red", "green", "blue")

DIALOG = """\
dialog: survey
description: A short survey
intents: [take the survey]
nodes:
  - id: name
    type: entity
    prompt: Your name?
  - id: age
    type: entity
    entity_type: number
    prompt: How old are you, {{ entities.name }}?
  - id: email
    type: entity
    entity_type: email
    prompt: Your email address?
  - id: colour
    type: entity
    entity_type: list
    values: [red, green, blue]
    prompt: Your favourite colour?
  - id: done
    type: message
    text: >-
      Thanks {{ entities.name }} ({{ entities.age }}, {{ entities.email }},
      {{ entities.colour }}).
"""


def transcript(i: int) -> dict:
    name, age, colour = f"Person {i}", 18 + i % 60, COLOURS[i % 3]
    return {
        "name": f"survey {i}",
        "steps": [
            {"user": "take the survey"},
            {"bot": "Your name?"},
            {"user": name},
            {"bot": f"How old are you, {name}?"},
            {"user": str(age)},
            {"bot": "Your email address?"},
            {"user": f"p{i}@example.com"},
            {"bot": {"text": "Your favourite colour?", "buttons": list(COLOURS)}},
            {"user": colour.upper()},
            {"bot": {"match": rf"Thanks {name} \({age}, p{i}@example\.com, {colour}\)\."}},
        ],
    }


def write_bot(root: Path, count: int) -> Path:
    (root / "dialogs").mkdir(parents=True)
    (root / "dialogs" / "survey.yaml").write_text(DIALOG)
    (root / "transcripts").mkdir()
    for i in range(count):
        text = yaml.safe_dump(transcript(i), sort_keys=False)
        (root / "transcripts" / f"survey_{i:04d}.transcript.yaml").write_text(text)
    config = root / "config.yaml"
    config.write_text("dialogs: [dialogs/]\n")
    return config


async def bench(count: int, jobs: int) -> int:
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        config = load_config(write_bot(Path(tmp), count), env={})
        async with open_replay_bot(config) as opened:
            started = time.perf_counter()
            files, _ = find_transcripts([Path(tmp) / "transcripts"])
            runner = Runner(opened.bot, jobs=jobs)
            results = await runner.run([runner.load(f) for f in files])
            elapsed = time.perf_counter() - started
    steps = sum(r.steps for r in results)
    print(f"{len(results)} transcripts, {steps} steps in {elapsed:.2f} s")
    print(f"{steps / elapsed:,.0f} steps/s")
    print(summary(results))
    met = elapsed < GOAL_SECONDS and all(r.passed for r in results)
    print(f"goal (all pass in under {GOAL_SECONDS:g} s): {'met' if met else 'NOT met'}")
    return 0 if met else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    return asyncio.run(bench(args.transcripts, args.jobs))


if __name__ == "__main__":
    raise SystemExit(main())
