"""The text engine: how agreement texts are split, compared, merged and rendered.

- units: paragraphs and tokens (words, spaces, punctuation), the units every diff compares,
  and the words of a slug or a search.
- sequences: a diff of two token sequences, with a bound on how long it may take.
- paragraphs, words: which paragraph of an old text became which of the new, then which
  words changed inside a pair.
- diff: the public entry point, a reflow-aware word-level diff of two Markdown texts.
- merge: three-way rebase of a proposal onto a newer version, overlaps, provenance.
- render: Markdown to sanitised HTML, the one place people's text becomes markup.
- rendered_diff: a diff shown as the formatted text, changed words marked inside it.
- outline: an agreement's headings (anchors, contents) and the sections a change touches.
- slugs: readable, unique URL slugs for titles in every script.

Pure functions on strings: imports nothing from the rest of Accord but `agreements.wording`
(which marks the texts people read), no Flask and no database, so it can be tested,
benchmarked and reused on its own.
"""
