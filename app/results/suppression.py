"""The rules that keep small groups out of public results, on plain counts (no request, no database).

A group is a set of residents the results single out: those who answered at one station, those who
chose one answer. Fewer than `min_group` of them is too few to show, and it must not be possible to
work such a group out by difference either: from a total minus the groups shown (secondary
suppression). So whenever something is hidden, what is hidden together holds at least `min_group`
responses, or none. A count of 0 is shown: it singles nobody out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def small(count: int, min_group: int) -> bool:
    """True for a group of 1 to min_group - 1: too few to show, or to be worked out."""
    return 0 < count < min_group


def hidden_groups(counts: Mapping[str, int], total: int, min_group: int) -> set[str]:
    """The groups (stations) not to show: those below `min_group`, and then the smallest others until
    the total minus every group shown (hidden groups and answers in no group) is 0 or `min_group`."""
    hidden = {group for group, count in counts.items() if count < min_group}
    while small(total - sum(n for g, n in counts.items() if g not in hidden), min_group):
        if not _hide_smallest(counts, hidden):
            break
    return hidden


def hidden_cells(counts: Sequence[int], min_group: int, forced: Iterable[int] = ()) -> set[int]:
    """The choices of one question (shares adding up to 100 %) not to show, by index: those chosen by
    1 to min_group - 1, those `forced` (hidden for a reason found elsewhere), and then the smallest
    others until the hidden ones together hold at least `min_group` answers (or none), and are never
    one alone (100 % minus the others would give it away)."""
    indexed = dict(enumerate(counts))
    hidden = {i for i, count in indexed.items() if small(count, min_group)} | set(forced)
    while hidden and (len(hidden) == 1 or small(sum(indexed[i] for i in hidden), min_group)):
        if not _hide_smallest(indexed, hidden):
            break
    return hidden


def hidden_ticks(counts: Sequence[int], answered: int, min_group: int) -> set[int]:
    """The choices of a multiple-choice question not to show, by index: ticked by 1 to min_group - 1,
    or left unticked by that few (all but two ticked it gives the two away). Each tick is a yes or no
    of its own, so no other choice need be hidden with it."""
    return {
        i for i, count in enumerate(counts) if small(count, min_group) or small(answered - count, min_group)
    }


def _hide_smallest(counts: Mapping, hidden: set) -> bool:
    """Hide the smallest group still shown (one nobody is in last); False when all are hidden."""
    shown = [key for key in counts if key not in hidden]
    if not shown:
        return False
    hidden.add(min(shown, key=lambda key: (counts[key] == 0, counts[key], str(key))))
    return True
