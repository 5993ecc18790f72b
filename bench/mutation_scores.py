"""Print the mutation score of each mutated module from `mutmut results --all true`.

mutmut reports one line per mutant ("    agreements.tally.x_tally_round__mutmut_3: killed");
the goal of issue 18 is a score per module, so this groups those lines by module and
prints killed / total and the percentage, then the survivors to read with `mutmut show`.
A mutant counts as killed when a test failed ("killed") or the run timed out ("timeout":
the mutant made the code loop, which a person would notice too). Reads standard input.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

KILLED = {"killed", "timeout"}


def module_of(mutant: str) -> str:
    """`agreements.tally.x_tally_round__mutmut_3` -> `agreements.tally`."""
    dotted = mutant.split("__mutmut_")[0]
    return ".".join(part for part in dotted.split(".") if not part.startswith(("x_", "xǁ")))


def main() -> int:
    """Print the table; exit 1 if no result was read (mutmut did not run)."""
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    survivors = []
    for line in sys.stdin:
        mutant, _, status = line.strip().rpartition(": ")
        if not mutant:
            continue
        statuses[module_of(mutant)][status] += 1
        if status not in KILLED:
            survivors.append(f"{mutant}: {status}")
    if not statuses:
        print("no mutmut results: run `mutmut run` first", file=sys.stderr)
        return 1
    print(f"{'module':<36} {'killed':>7} {'total':>6} {'score':>7}")
    for module, counts in sorted(statuses.items()):
        killed, total = sum(counts[s] for s in KILLED), sum(counts.values())
        print(f"{module:<36} {killed:>7} {total:>6} {killed / total:>7.1%}")
    print("\nnot killed (`mutmut show NAME` shows the change):")
    print("\n".join(f"  {survivor}" for survivor in survivors) or "  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
