"""The linear-programming attack on withheld counts, shared by the suppression tests.

An attacker knows every published count, some totals over published and withheld cells
alike (from coarser queries, other outputs, the records), perhaps bounds on such totals,
and that no count is negative. A withheld small cell is exposed when the smallest and
largest values it can take, given all that, are less than one apart (scipy's HiGHS
decides, independently of the suppression's own audit).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array


class Attack:
    """What is known about the withheld cells of one table, as linear constraints."""

    def __init__(self, published: Mapping[Hashable, float], withheld: Iterable[Hashable]) -> None:
        self.published = dict(published)
        self.index = {key: i for i, key in enumerate(withheld)}
        self.equal_rows: list[dict[int, float]] = []
        self.equal_rhs: list[float] = []
        self.upper_rows: list[dict[int, float]] = []
        self.upper_rhs: list[float] = []

    def _row(self, keys: Iterable[Hashable], sign: float = 1.0) -> tuple[dict[int, float], float]:
        """The withheld members of ``keys`` as a (sparse) row, and the published members' sum."""
        row: dict[int, float] = {}
        known = 0.0
        for key in keys:
            if key in self.index:
                row[self.index[key]] = row.get(self.index[key], 0.0) + sign
            else:
                known += self.published.get(key, 0)  # a cell neither published nor withheld is 0
        return row, known

    def total(self, keys: Iterable[Hashable], value: float) -> None:
        """The cells ``keys`` add up to ``value``."""
        row, known = self._row(keys)
        if row:
            self.equal_rows.append(row)
            self.equal_rhs.append(value - known)

    def at_most(self, keys: Iterable[Hashable], value: float) -> None:
        row, known = self._row(keys)
        if row:
            self.upper_rows.append(row)
            self.upper_rhs.append(value - known)

    def at_least(self, keys: Iterable[Hashable], value: float) -> None:
        row, known = self._row(keys, -1.0)
        if row:
            self.upper_rows.append(row)
            self.upper_rhs.append(known - value)

    def _matrix(self, rows: list[dict[int, float]]) -> csr_array | None:
        if not rows:
            return None
        r = [i for i, row in enumerate(rows) for _ in row]
        c = [j for row in rows for j in row]
        v = [x for row in rows for x in row.values()]
        return csr_array((v, (r, c)), shape=(len(rows), len(self.index)))

    def room(self, key: Hashable) -> tuple[float, float]:
        """The smallest and largest value the withheld cell ``key`` can take."""
        objective = np.zeros(len(self.index))
        objective[self.index[key]] = 1
        problem = {
            "A_eq": self._matrix(self.equal_rows),
            "b_eq": self.equal_rhs or None,
            "A_ub": self._matrix(self.upper_rows),
            "b_ub": self.upper_rhs or None,
            "bounds": [(0, None)] * len(self.index),
            "method": "highs",
        }
        low = linprog(objective, **problem)
        high = linprog(-objective, **problem)
        assert low.status == 0, f"the attacker's constraints are inconsistent: {low.message}"
        return low.fun, (-high.fun if high.status == 0 else float("inf"))

    def exposed(self, keys: Iterable[Hashable]) -> list[tuple[Hashable, float, float]]:
        """Those of the withheld ``keys`` held to less than one unit of room."""
        found = []
        for key in keys:
            low, high = self.room(key)
            if high - low < 1 - 1e-6:
                found.append((key, low, high))
        return found
