"""Small-cell suppression: no withheld small cell can be recovered from what is known.

The attack is a linear programme (scipy's HiGHS, ``tests/lp_attack.py``), independent of
the algorithm's own audit: the attacker knows every published cell, every total the
coarser queries publish (lines, planes, the grand total), every count over the public
dimensions (the records give those), and that withheld cells are non-negative; the
smallest and largest value a small cell can take must differ by at least one.
"""

from __future__ import annotations

import itertools
import random

import pytest

from gateway.suppression import line_of, published_totals, suppress
from tests.lp_attack import Attack

T = 5


def known_totals(cells, threshold, public=None):
    """Every total a coarser query publishes: lines, planes, …, the grand total.

    The one-dimension and grand-total levels are computed here from first principles;
    deeper levels through ``published_totals`` (the coarser queries' own suppression).
    Tables of public dimensions only are known whole, computed here.
    """
    known = published_totals(cells, threshold, public=public)
    grand = sum(cells.values())
    if public is None:
        assert known.get(((), ())) == (grand if grand >= threshold else None)
    else:
        k = len(next(iter(cells)))
        for size in range(k):
            for kept in itertools.combinations(sorted(public), size):
                for key in cells:
                    part = tuple(key[d] for d in kept)
                    known[(kept, part)] = sum(m for other, m in cells.items() if tuple(other[d] for d in kept) == part)
    return known


def attack(cells, result, threshold, public=None):
    """The range each withheld non-zero cell can take, given everything known."""
    published = {key: n for key, n in result.counts.items() if n is not None}
    lp = Attack(published, sorted(result.withheld, key=repr))
    for (kept, part), total in known_totals(cells, threshold, public).items():
        keys = set(cells) | result.withheld
        lp.total([key for key in keys if tuple(key[d] for d in kept) == part], total)
    return {key: lp.room(key) for key in sorted(result.primary, key=repr)}


def random_table(seed, shape, zeros=0.3):
    rng = random.Random(seed)
    cells = {}
    for key in itertools.product(*[[f"d{d}v{i}" for i in range(n)] for d, n in enumerate(shape)]):
        if rng.random() < zeros:
            continue
        cells[key] = rng.choice([1, 1, 2, 3, 4, 5, 6, 8, 12, 20, 50])
    return cells


@pytest.mark.parametrize(
    ("seed", "shape"),
    [(s, (6,)) for s in range(5)] + [(s, (5, 4)) for s in range(12)] + [(s, (4, 3, 3)) for s in range(8)],
)
def test_no_small_cell_is_recoverable(seed, shape):
    cells = random_table(seed, shape)
    result = suppress(cells, T)
    assert result.primary == {key for key, n in cells.items() if n < T}
    for key, value in result.counts.items():
        assert (value is None) == (key in result.withheld)
        assert value is None or value >= T
    for key, (low, high) in attack(cells, result, T).items():
        assert high - low >= 1 - 1e-6, (key, cells[key], low, high)


@pytest.mark.parametrize(("seed", "shape"), [(s, (5, 4)) for s in range(12)] + [(s, (4, 3, 3)) for s in range(6)])
def test_no_known_line_withholds_a_small_cell_alone(seed, shape):
    cells = random_table(seed, shape)
    result = suppress(cells, T)
    k = len(shape)
    counts = {}
    for key in result.withheld:
        for d in range(k):
            counts[line_of(key, d)] = counts.get(line_of(key, d), 0) + 1
    # A published line never withholds a small cell alone (a lone secondary is harmless).
    known = known_totals(cells, T)
    for key in result.primary:
        for d in range(k):
            dim, rest = line_of(key, d)
            if (tuple(i for i in range(k) if i != dim), rest) in known:
                assert counts[(dim, rest)] >= 2


def test_one_small_cell_gets_a_complement():
    result = suppress({("a",): 3, ("b",): 10, ("c",): 12}, T)
    assert result.counts == {("a",): None, ("b",): None, ("c",): 12}
    assert result.primary == {("a",)} and result.secondary == {("b",)}


def test_all_ones_line_is_padded():
    # 5 cells of 1 in a line whose total (5) another query publishes: all would be 1.
    cells = {("x", f"v{i}"): 1 for i in range(5)} | {("y", f"v{i}"): 30 for i in range(6)}
    result = suppress(cells, T)
    assert all(result.counts[("x", f"v{i}")] is None for i in range(5))
    assert result.withheld - cells.keys(), "a zero cell of the line is withheld too"
    for _, (low, high) in attack(cells, result, T).items():
        assert high - low >= 1


def test_nothing_small_nothing_withheld():
    cells = {("a", "b"): 5, ("a", "c"): 9}
    assert suppress(cells, T).counts == cells
    assert suppress({}, T).counts == {}
    assert suppress({("a",): 1}, 1).counts == {("a",): 1}


def test_a_large_table_takes_bounded_time(monkeypatch):
    import time

    from gateway import suppression

    monkeypatch.setattr(suppression, "AUDIT_SECONDS", 2.0)
    cells = random_table(99, (33, 5, 7))
    start = time.perf_counter()
    result = suppress(cells, T)
    assert time.perf_counter() - start < 2.0 + 4
    assert result.primary and all(result.counts[key] is None for key in result.primary)


def test_out_of_time_withholds_everything(monkeypatch):
    from gateway import suppression

    monkeypatch.setattr(suppression, "AUDIT_SECONDS", 0.0)
    cells = random_table(3, (4, 3))
    result = suppress(cells, T)
    assert all(value is None for value in result.counts.values())
    assert len(result.counts) == 12  # the whole cross product, zero cells included


@pytest.mark.parametrize(
    ("seed", "shape", "public"),
    [(s, (5, 4), frozenset({0})) for s in range(8)]
    + [(s, (4, 3, 3), frozenset({0, 1})) for s in range(6)]
    + [(s, (4, 3, 3), frozenset({0})) for s in range(4)]
    + [(s, (6,), frozenset()) for s in range(4)],
)
def test_no_small_cell_is_recoverable_with_the_public_counts(seed, shape, public):
    """Every count over the public dimensions is known exactly, small ones too."""
    cells = random_table(seed, shape)
    result = suppress(cells, T, public=public)
    assert result.primary == {key for key, n in cells.items() if n < T}
    for key, (low, high) in attack(cells, result, T, public).items():
        assert high - low >= 1 - 1e-6, (key, cells[key], low, high)


def test_public_counts_are_never_withheld():
    cells = random_table(5, (4, 3))
    assert suppress(cells, T, public=frozenset({0, 1})).counts == cells
    assert suppress(cells, T, public=frozenset({0})).withheld


def test_a_cube_whose_coarser_protected_tables_nobody_publishes():
    """Only the public lines are known: two withheld cells in each line suffice."""
    cells = random_table(7, (5, 4, 3))
    public = frozenset({0, 1})
    result = suppress(cells, T, public=public, coarser=False)
    published = {key: n for key, n in result.counts.items() if n is not None}
    lp = Attack(published, sorted(result.withheld, key=repr))
    for a, b in itertools.product({k[0] for k in cells}, {k[1] for k in cells}):
        lp.total(
            [key for key in set(cells) | result.withheld if key[:2] == (a, b)],
            sum(n for key, n in cells.items() if key[:2] == (a, b)),
        )
    assert result.primary and not lp.exposed(sorted(result.primary, key=repr))
