"""How fast Accord diffs a long agreement, beside git's word diff on the same texts.

An agreement co-written by thirty organisations grows long, and every amendment, revision
and stale stance is shown as a diff, so the diff must stay fast. This builds a long
agreement from the shared Contributor Covenant corpus, scatters word edits over it
(fixed seed), and times Accord's diff_texts and `git diff --no-index --word-diff`,
taking turns, best of several runs each, at 1 KB, 10 KB, 200 KB and 1 MB. The last line compares the
two on 200 KB.

Run from the repository:  python bench/diff_bench.py
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from agreements.text.diff import MAX_TEXT_CHARS, diff_texts

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SIZES = {"1 KB": 1_000, "10 KB": 10_000, "200 KB": 200_000, "1 MB": MAX_TEXT_CHARS}
COMPARED = "200 KB"
RUNS = 15
CHARS_PER_EDIT = 2_000
SEED = 20_240_601
WORD = re.compile(r"\w+")


def corpus_texts() -> list[str]:
    """Every agreement text of the corpus, in a fixed order."""
    if not CORPUS.is_dir():
        sys.exit(f"The shared corpus is absent ({CORPUS}); the benchmark needs it.")
    paths = sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")
    return [path.read_text(encoding="utf-8") for path in paths]


def long_agreement(texts: list[str], size: int) -> str:
    """The corpus texts as numbered parts, repeated into an agreement of at least size
    characters (cut at a paragraph break), or just under MAX_TEXT_CHARS."""
    parts: list[str] = []
    length = 0
    while length < size + 10_000:
        text = texts[len(parts) % len(texts)]
        parts.append(f"# Part {len(parts) + 1}\n\n{text}\n")
        length += len(parts[-1])
    agreement = "".join(parts)
    end = agreement.find("\n\n", size)
    if end >= MAX_TEXT_CHARS:
        end = agreement.rfind("\n\n", 0, MAX_TEXT_CHARS)
    return agreement[: end + 1]


def scatter_edits(text: str, rng: random.Random) -> str:
    """Replace one word in every CHARS_PER_EDIT characters with another word of the text."""
    words = list(WORD.finditer(text))
    chosen = sorted(rng.sample(words, max(1, len(text) // CHARS_PER_EDIT)), key=lambda m: m.start())
    pieces: list[str] = []
    position = 0
    for match in chosen:
        pieces += [text[position : match.start()], rng.choice(words).group()[::-1]]
        position = match.end()
    return "".join([*pieces, text[position:]])


def fastest(*actions: Callable[[], object]) -> list[float]:
    """How long each action takes, in seconds, at its fastest of RUNS runs. The actions
    take turns, so that both meet whatever else the machine is doing alike, and the
    fastest run is the one it disturbed least."""
    timings: list[list[float]] = [[] for _ in actions]
    for _ in range(RUNS):
        for action, taken in zip(actions, timings, strict=True):
            start = time.perf_counter()
            action()
            taken.append(time.perf_counter() - start)
    return [min(taken) for taken in timings]


def git_word_diff(folder: Path, old: str, new: str) -> Callable[[], None]:
    """git's word diff of the same two texts written as files; process start included."""
    old_path, new_path = folder / "old.md", folder / "new.md"
    old_path.write_text(old, encoding="utf-8")
    new_path.write_text(new, encoding="utf-8")
    command = ["git", "diff", "--no-index", "--no-ext-diff", "--no-color", "--word-diff"]
    command += [str(old_path), str(new_path)]

    def run() -> None:
        finished = subprocess.run(command, capture_output=True, check=False)
        if finished.returncode != 1:  # 1: the files differ
            sys.exit(f"git diff failed: {finished.stderr.decode(errors='replace')}")

    return run


def main() -> None:
    texts = corpus_texts()
    rng = random.Random(SEED)
    diff_texts("warm up", "the tokenizer")
    print("  text  characters  changed  accord (ms)  git (ms)  ratio")
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, size in SIZES.items():
            old = long_agreement(texts, size)
            new = scatter_edits(old, rng)
            diff = diff_texts(old, new)
            if diff.note:
                sys.exit(f"The {label} diff fell back to whole paragraphs: {diff.note}")
            accord, git = fastest(
                lambda old=old, new=new: diff_texts(old, new),
                git_word_diff(Path(folder), old, new),
            )
            ratios[label] = accord / git
            changed = diff.summary.paragraphs_changed
            print(
                f"{label:>6}  {len(old):>10,}  {changed:>7}  {accord * 1000:>11.2f}  "
                f"{git * 1000:>8.2f}  {accord / git:>5.2f}"
            )
    print(f"ratio accord/git: {ratios[COMPARED]:.2f}")


if __name__ == "__main__":
    main()
