"""Small-cell suppression for count tables, with complementary (secondary) suppression.

A table counts records by k dimensions; a *cell* is one combination of values, present
only when its count is at least 1 (an absent cell is a public zero). A *line* is the set
of cells that agree on all dimensions but one: its total is a cell of the table grouped
by one dimension fewer, which anyone may request. The attacker is assumed to know the
total of every line that is at least the threshold (lines below it are withheld by that
coarser query's own primary suppression), every published cell, and that a withheld
non-zero cell is at least 1.

1. **Primary**: every cell with ``1 <= count < threshold`` is withheld.
2. **Lines**: a known line with exactly one withheld cell would give it away (its total
   minus the published cells), so the smallest published cell of that line is withheld
   too; a known line whose withheld cells add up to exactly their number (all 1s) gets
   another withheld cell, a published one or, if the line has none left, a zero cell of
   the line, shown withheld (so withheld cells may be 0).
3. **Audit**: a withheld cell whose value the known line totals determine exactly (the
   cell's unit vector lies in the row space of the line equations restricted to the
   withheld cells) gets a complement in one of its lines; repeat until no cell is determined.
   If nothing can be added, every cell is withheld.

Margins and the grand total of a response are sums of lines, so they reveal nothing
beyond the model. What this cannot stop is differencing between *different* queries
(two month ranges, or a filter and its complement); the README says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.linalg import qr
from threadpoolctl import threadpool_limits

Key = tuple[str | None, ...]
Line = tuple[int, Key]  # (the dimension that varies, the key without it)


@dataclass(frozen=True)
class Suppressed:
    """The published table: counts (None when withheld) and which cells are withheld."""

    counts: dict[Key, int | None]
    primary: frozenset[Key]
    secondary: frozenset[Key]

    @property
    def withheld(self) -> frozenset[Key]:
        return self.primary | self.secondary


def line_of(key: Key, dim: int) -> Line:
    return dim, key[:dim] + key[dim + 1 :]


def suppress(cells: Mapping[Key, int], threshold: int) -> Suppressed:
    """Withhold the small cells of ``cells`` (non-zero counts keyed by value tuples)."""
    if threshold <= 1 or not cells:
        return Suppressed(dict(cells), frozenset(), frozenset())
    k = len(next(iter(cells)))
    primary = {key for key, n in cells.items() if n < threshold}
    values = [sorted({key[d] for key in cells}, key=_order) for d in range(k)]
    table = _Table(dict(cells), k, threshold, values, frozenset(primary))
    withheld = set(primary)
    if withheld:
        table.complete(withheld)
    counts: dict[Key, int | None] = {key: (None if key in withheld else n) for key, n in cells.items()}
    for key in withheld - cells.keys():
        counts[key] = None
    return Suppressed(counts, frozenset(primary), frozenset(withheld - primary))


def _order(value: str | None) -> tuple[bool, str]:
    return value is None, value or ""


class _Table:
    def __init__(self, cells: dict[Key, int], k: int, threshold: int, values: list[list], primary: frozenset) -> None:
        self.cells, self.k, self.threshold, self.values, self.primary = cells, k, threshold, values, primary
        self.members: dict[Line, list[Key]] = defaultdict(list)
        for key in sorted(cells, key=lambda key: tuple(_order(v) for v in key)):
            for d in range(k):
                self.members[line_of(key, d)].append(key)
        self.known = {line for line, keys in self.members.items() if sum(cells[key] for key in keys) >= threshold}

    def lines_of(self, key: Key) -> list[Line]:
        return [line for line in (line_of(key, d) for d in range(self.k)) if line in self.known]

    def complement(self, line: Line, withheld: set[Key], allow_zero: bool) -> Key | None:
        """The smallest published cell of ``line`` (or a zero cell of it, if allowed)."""
        published = [key for key in self.members[line] if key not in withheld]
        if published:
            return min(published, key=lambda key: (self.cells[key], tuple(_order(v) for v in key)))
        if not allow_zero:
            return None
        dim, rest = line
        for value in self.values[dim]:
            key = (*rest[:dim], value, *rest[dim:])
            if key not in self.cells and key not in withheld:
                return key
        return None

    def _line_rules(self, withheld: set[Key]) -> bool:
        changed = False
        zeros_of: dict[Line, list[Key]] = defaultdict(list)
        for key in withheld - self.cells.keys():
            for d in range(self.k):
                zeros_of[line_of(key, d)].append(key)
        for line in sorted(self.known, key=repr):
            inside = [key for key in self.members[line] if key in withheld]
            zeros = zeros_of.get(line, [])
            if not inside:
                continue
            hidden = sum(self.cells[key] for key in inside)
            single = len(inside) + len(zeros) == 1
            all_ones = not zeros and hidden == len(inside)
            if single or all_ones:
                extra = self.complement(line, withheld, allow_zero=all_ones and not single)
                if extra is None and single:
                    extra = self.complement(line, withheld, allow_zero=True)
                if extra is not None:
                    withheld.add(extra)
                    changed = True
        return changed

    def determined(self, withheld: set[Key]) -> list[Key]:
        """Primary cells whose value the known line totals pin down exactly.

        (A secondary cell may be recoverable: it is not small, and a primary cell it
        would help recover is then in the span of the equations too, so it is caught.)
        """
        unknown = sorted(withheld, key=lambda key: tuple(_order(v) for v in key))
        rows: dict[Line, int] = {}
        entries = []
        for column, key in enumerate(unknown):
            for d in range(self.k):
                line = line_of(key, d)
                if line in self.known:
                    entries.append((rows.setdefault(line, len(rows)), column))
        if not rows:
            return []
        matrix = np.zeros((len(rows), len(unknown)))
        for row, column in entries:
            matrix[row, column] = 1.0
        # x_i is determined iff e_i lies in the row space: project it with an orthonormal
        # basis of that space (pivoted QR of the transpose) and see if it stays whole.
        # One BLAS thread: the matrices are small, and threads fight the web workers.
        with threadpool_limits(1):
            q, r, _ = qr(matrix.T, mode="economic", pivoting=True)
        diagonal = np.abs(np.diag(r))
        rank = int((diagonal > 1e-9 * max(diagonal.max(initial=0.0), 1.0)).sum())
        if rank == 0:
            return []
        weight = (q[:, :rank] ** 2).sum(axis=1)
        return [key for i, key in enumerate(unknown) if key in self.primary and weight[i] > 1 - 1e-9]

    def complete(self, withheld: set[Key]) -> None:
        for _ in range(len(self.cells) + 10):
            if self._line_rules(withheld):
                continue
            exposed = self.determined(withheld)
            if not exposed:
                return
            # One complement per exposed cell, in its first line that still has one.
            touched: set[Line] = set()
            for key in exposed:
                for line in self.lines_of(key):
                    if line in touched:
                        break
                    extra = self.complement(line, withheld, allow_zero=False)
                    if extra is not None:
                        withheld.add(extra)
                        touched.add(line)
                        break
            if not touched:
                break
        # Nothing left to add that helps: withhold everything rather than reveal a cell.
        withheld.update(self.cells)
