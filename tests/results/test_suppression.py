"""The rules that keep small groups out of public results, on plain counts: a group (a station, a choice)
with fewer than min_group responses is not shown, nor can it be worked out from what is shown."""

import itertools
import random

import pytest

from app.results.suppression import hidden_cells, hidden_groups, hidden_ticks

MIN = 5


def left_over(counts: dict, total: int, hidden: set) -> int:
    """What a reader works out by difference: the total minus every group shown."""
    return total - sum(n for group, n in counts.items() if group not in hidden)


def test_three_stations_of_7_6_and_2_the_2_cannot_be_worked_out_from_the_total():
    counts = {"12": 7, "13": 6, "14": 2}
    hidden = hidden_groups(counts, total=15, min_group=MIN)
    assert "14" in hidden  # too few
    assert "13" in hidden  # else 15 - 7 - 6 = 2 gives station 14 away
    assert hidden == {"13", "14"}
    assert left_over(counts, 15, hidden) == 8


def test_groups_large_enough_are_all_shown():
    assert hidden_groups({"12": 7, "13": 6}, total=13, min_group=MIN) == set()


def test_answers_without_a_station_count_in_what_is_left_over():
    # 10 + 8 shown would leave 2 answers without a station: a group of two, worked out by difference.
    hidden = hidden_groups({"12": 10, "13": 8}, total=20, min_group=MIN)
    assert hidden == {"13"}
    assert left_over({"12": 10, "13": 8}, 20, hidden) == 10


def test_left_over_answers_large_enough_need_nothing_hidden():
    assert hidden_groups({"12": 10, "13": 8}, total=25, min_group=MIN) == set()


@pytest.mark.parametrize("seed", range(200))
def test_what_is_left_over_is_never_a_small_group(seed):
    rng = random.Random(seed)
    counts = {str(s): rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 40]) for s in range(rng.randint(1, 6))}
    total = sum(counts.values()) + rng.choice([0, 0, 1, 2, 3, 6])
    if total < MIN:
        return  # nothing of the survey is shown
    hidden = hidden_groups(counts, total=total, min_group=MIN)
    assert all(counts[g] >= MIN for g in counts if g not in hidden)
    assert not 0 < left_over(counts, total, hidden) < MIN


def test_a_choice_below_min_group_is_hidden_and_so_is_the_next_smallest():
    # yes 8, no 2: showing yes as 80 % gives no away as 100 % - 80 %.
    assert hidden_cells([8, 2], min_group=MIN) == {0, 1}


def test_the_hidden_choices_together_hold_at_least_min_group():
    counts = [7, 5, 3]
    hidden = hidden_cells(counts, min_group=MIN)
    assert hidden == {1, 2}
    assert sum(counts[i] for i in hidden) >= MIN


def test_a_choice_nobody_chose_is_shown_as_nobody():
    assert hidden_cells([12, 0, 7], min_group=MIN) == set()


def test_a_choice_hidden_from_elsewhere_takes_another_with_it():
    assert hidden_cells([12, 9, 7], min_group=MIN, forced={2}) == {1, 2}


@pytest.mark.parametrize("counts", list(itertools.product([0, 1, 2, 4, 5, 6, 11], repeat=3)))
def test_no_hidden_choice_can_be_worked_out_from_the_others(counts):
    if sum(counts) < MIN:
        return  # the question is not shown at all
    hidden = hidden_cells(list(counts), min_group=MIN)
    shown = [n for i, n in enumerate(counts) if i not in hidden]
    assert all(n == 0 or n >= MIN for n in shown)
    assert not 0 < sum(counts) - sum(shown) < MIN
    assert len(hidden) != 1


def test_ticks_below_min_group_are_hidden_and_so_are_all_but_a_few():
    # 20 answered: food ticked by 3 (too few), paper by 18 (2 did not tick it: too few), glass by 10.
    assert hidden_ticks([3, 18, 10, 20, 0], answered=20, min_group=MIN) == {0, 1}
