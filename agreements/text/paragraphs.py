"""Which paragraph of an old text became which paragraph of a new one.

A diff of agreements first pairs their paragraphs, and only then compares words inside
the pairs that changed, as Wikipedia's wikidiff2 does. Pairing must stay fast on long
agreements and must show a reworded paragraph as a change, not as a deletion and an
unrelated insertion: this module anchors the alignment on unique paragraphs (as patience
diff does), lets diff_tokens align the stretches between anchors, and pairs the
paragraphs of a replaced stretch by the words they share.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence

from agreements.text.sequences import Op, diff_tokens
from agreements.text.units import tokenize

#: An old paragraph's index and the index of the new paragraph it became; None on the
#: old side for an inserted paragraph, on the new side for a deleted one.
ParagraphPair = tuple[int | None, int | None]

# Replaced paragraphs pair up when at least this share of their words is common.
_PAIRING_SIMILARITY = 0.25
# Beyond this many candidate pairs in one replaced stretch, no pairing is attempted.
_MAX_PAIRING_WORK = 2_500
# Anchoring stretches within stretches stops at this depth; dmp aligns the rest.
_MAX_ANCHOR_DEPTH = 8


def align_paragraphs(
    old_keys: list[str], new_keys: list[str], deadline: float
) -> list[ParagraphPair]:
    """Pair old and new paragraphs, given as they compare (rendered): equal ones by the
    paragraph diff, replaced ones by similarity; an unpaired paragraph was deleted (new
    index None) or inserted. Raises DiffTooComplex when the deadline (a time.time()
    value) passes first."""
    pairs: list[ParagraphPair] = []
    i = j = 0
    removed: list[int] = []
    added: list[int] = []
    for op, count in _paragraph_ops(old_keys, new_keys, deadline):
        if op == "delete":
            removed.extend(range(i, i + count))
            i += count
        elif op == "insert":
            added.extend(range(j, j + count))
            j += count
        else:
            if removed or added:
                pairs.extend(_pair_replaced(removed, added, old_keys, new_keys))
                removed, added = [], []
            pairs.extend(zip(range(i, i + count), range(j, j + count), strict=True))
            i, j = i + count, j + count
    pairs.extend(_pair_replaced(removed, added, old_keys, new_keys))
    return pairs


def _paragraph_ops(
    old_keys: list[str], new_keys: list[str], deadline: float, depth: int = 0
) -> list[tuple[Op, int]]:
    """The paragraph diff as (op, number of paragraphs). As in patience diff, paragraphs
    found exactly once in each text anchor it, the stretches between are aligned the same
    way, and dmp aligns what has no anchors: the cost follows the size of the changes,
    not of the agreement."""
    anchors = _anchors(old_keys, new_keys) if _anchorable(old_keys, new_keys) else []
    if not anchors or depth == _MAX_ANCHOR_DEPTH:
        return diff_tokens(old_keys, new_keys, deadline=deadline)
    ops: list[tuple[Op, int]] = []
    i = j = 0
    for a, b in anchors:
        if a > i or b > j:
            ops += _paragraph_ops(old_keys[i:a], new_keys[j:b], deadline, depth + 1)
        if ops and ops[-1][0] == "equal":
            ops[-1] = ("equal", ops[-1][1] + 1)
        else:
            ops.append(("equal", 1))
        i, j = a + 1, b + 1
    return ops + _paragraph_ops(old_keys[i:], new_keys[j:], deadline, depth + 1)


def _anchorable(old_keys: list[str], new_keys: list[str]) -> bool:
    """Whether anchors could pair a stretch otherwise than diff_tokens does at once: not when
    it is unchanged, empty on a side, or a paragraph a side, as most stretches between
    anchors are."""
    if not old_keys or not new_keys or len(old_keys) + len(new_keys) == 2:
        return False
    return old_keys != new_keys


def _anchors(old_keys: list[str], new_keys: list[str]) -> list[tuple[int, int]]:
    """Positions (old, new) of paragraphs found exactly once in each text, as many as can
    be matched in order."""
    both = _found_once(old_keys) & _found_once(new_keys)
    new_at = {key: j for j, key in enumerate(new_keys) if key in both}
    return _longest_increasing([(i, new_at[key]) for i, key in enumerate(old_keys) if key in both])


def _found_once(keys: list[str]) -> set[str]:
    """The keys found exactly once: often all of them, which needs no counting."""
    distinct = set(keys)
    if len(distinct) == len(keys):
        return distinct
    return {key for key, count in Counter(keys).items() if count == 1}


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of pairs whose second items increase (patience sorting): all
    of them when no paragraph moved, as in most revisions."""
    seconds = [second for _, second in pairs]
    if seconds == sorted(seconds):
        return pairs
    tails: list[int] = []  # tails[k]: the least second item that ends a run of length k+1
    ends: list[int] = []  # ends[k]: the index in pairs of that item
    previous = [-1] * len(pairs)
    for n, (_, second) in enumerate(pairs):
        k = bisect.bisect_left(tails, second)
        if k == len(tails):
            tails.append(second)
            ends.append(n)
        else:
            tails[k], ends[k] = second, n
        previous[n] = ends[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    n = ends[-1] if ends else -1
    while n >= 0:
        run.append(pairs[n])
        n = previous[n]
    return run[::-1]


def unpaired(removed: Sequence[int], added: Sequence[int]) -> list[ParagraphPair]:
    """Removed paragraphs as deletions, then added ones as insertions, none paired."""
    return [(i, None) for i in removed] + [(None, j) for j in added]


def _pair_replaced(
    removed: list[int], added: list[int], old_keys: list[str], new_keys: list[str]
) -> list[ParagraphPair]:
    """Pair the paragraphs of a replaced stretch with their most similar replacements,
    keeping their order, so a reworded paragraph shows as a change rather than as a
    deletion and an unrelated insertion."""
    if len(removed) == 1 and len(added) == 1:
        return [(removed[0], added[0])]
    if not removed or not added or len(removed) * len(added) > _MAX_PAIRING_WORK:
        return unpaired(removed, added)
    old_words = [_word_bag(old_keys[i]) for i in removed]
    new_words = [_word_bag(new_keys[j]) for j in added]
    # best[a][b]: the greatest total similarity of a pairing of removed[a:] with added[b:];
    # choice[a][b]: its first step.
    best = [[0.0] * (len(added) + 1) for _ in range(len(removed) + 1)]
    choice = [[_SKIP_OLD] * len(added) for _ in range(len(removed))]
    for a in reversed(range(len(removed))):
        for b in reversed(range(len(added))):
            similarity = _similarity(old_words[a], new_words[b])
            options = [(best[a + 1][b], _SKIP_OLD), (best[a][b + 1], _SKIP_NEW)]
            if similarity >= _PAIRING_SIMILARITY:
                options.append((best[a + 1][b + 1] + similarity, _PAIR))
            best[a][b], choice[a][b] = max(options)
    return _read_pairing(choice, removed, added)


_SKIP_OLD, _SKIP_NEW, _PAIR = 0, 1, 2


def _read_pairing(
    choice: list[list[int]], removed: list[int], added: list[int]
) -> list[ParagraphPair]:
    """Follow the pairing choices; unpaired deletions are listed before insertions."""
    pairs: list[ParagraphPair] = []
    pending: list[int] = []
    a = b = 0
    while a < len(removed) and b < len(added):
        if choice[a][b] == _PAIR:
            pairs += [*unpaired([], pending), (removed[a], added[b])]
            pending = []
            a, b = a + 1, b + 1
        elif choice[a][b] == _SKIP_NEW:
            pending.append(added[b])
            b += 1
        else:
            pairs.append((removed[a], None))
            a += 1
    return pairs + unpaired(removed[a:], pending + added[b:])


# A bag of words as a set: each word with its occurrence number, ("the", 0), ("the", 1), so
# that what two bags have in common is a set intersection, which is fast.
_WordBag = frozenset[tuple[str, int]]


def _word_bag(text: str) -> _WordBag:
    counts = Counter([token.casefold() for token in tokenize(text) if token[:1].isalnum()])
    return frozenset((word, k) for word, count in counts.items() for k in range(count))


def _similarity(one: _WordBag, two: _WordBag) -> float:
    """The Dice coefficient of two bags of words: 1.0 for the same words, 0.0 for none."""
    total = len(one) + len(two)
    return 2 * len(one & two) / total if total else 1.0
