"""How fast a big proposal's comments render, against building a converter for each one.

A proposal with 200 comments (one to three paragraphs each) is rendered the way its page
renders it: every comment through render_markdown. Times, in the same run:
  * the reference: a new Markdown converter with Accord's extensions per comment, then the
    sanitiser (what render_markdown did before it kept a converter per thread);
  * the first view: render_markdown on the comments, none cached yet;
  * every later view: render_markdown again (the HTML is cached by the text's hash).
The ratios make the figures comparable across machines.

    python bench/render_bench.py [--comments 200] [--views 20]
"""

from __future__ import annotations

import argparse
import time

import markdown

from agreements.text import render

PARAGRAPH = (
    "We agree that **every member** may raise a concern about clause {n}; the facilitator "
    "records it and replies within [two weeks](https://example.org/{n}), in writing."
)


def comments(count: int) -> list[str]:
    """Comments of one to three paragraphs, each different so that none is a cache hit."""
    return [
        "\n\n".join(PARAGRAPH.format(n=f"{i}.{p}") for p in range(1 + i % 3)) for i in range(count)
    ]


def fresh_converter_each(texts: list[str]) -> None:
    """The reference: what rendering cost when each text built its own converter."""
    for text in texts:
        converter = markdown.Markdown(
            extensions=list(render.MARKDOWN_EXTENSIONS),
            extension_configs={"toc": {"slugify": render._toc_slug, "permalink": False}},
            output_format="html",
        )
        render.sanitise_html(converter.convert(text))


def timed(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=200)
    parser.add_argument("--views", type=int, default=20)
    args = parser.parse_args()
    texts = comments(args.comments)

    reference = timed(lambda: fresh_converter_each(texts))
    first = timed(lambda: [render.render_markdown(text) for text in texts])
    later = timed(
        lambda: [render.render_markdown(text) for _ in range(args.views) for text in texts]
    )
    later /= args.views

    print(f"{args.comments} comments per view")
    rows = (
        ("reference (new converter per comment)", reference),
        ("first view (converter reused)", first),
        ("later views (cached by content hash)", later),
    )
    for label, seconds in rows:
        print(f"{label:40} {seconds * 1000:8.1f} ms  {reference / seconds:6.1f}x the reference")


if __name__ == "__main__":
    main()
