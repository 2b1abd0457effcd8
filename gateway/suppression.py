"""Small-cell suppression for count tables, with complementary (secondary) suppression.

A table counts records by k dimensions; a *cell* is one combination of values, present
only when its count is at least 1 (an absent cell is a public zero). Coarser queries
(the same filters, fewer dimensions) publish the table's *lines* (all dimensions but one
fixed), planes, … and the grand total, each through this same suppression. The attacker
is assumed to know every published cell of this table and of every coarser one, and
that withheld cells are not negative.

1. **Primary**: every cell with ``1 <= count < threshold`` is withheld.
2. **Lines**: a published line with exactly one withheld cell would give it away (its
   total minus the published cells), so the smallest published cell of that line is
   withheld too; a line whose withheld cells add up to exactly their number (all 1s)
   gets another, a published cell or else a zero cell of the line shown withheld (so a
   withheld cell may be 0).
3. **Audit**: every known total is an equation over the withheld cells. A small cell is
   exposed when the equations determine it (its unit vector lies in their row space)
   or, with the cells' bounds, leave it less than one unit of room (a linear programme,
   skipped when a box of withheld cells proves the room). An exposed cell gets a
   complement in one of its lines; repeat until none is exposed. If nothing helps, or
   the audit runs past ``AUDIT_SECONDS``, every cell is withheld, zero cells of the
   cross product too.

**Public counts.** A count that the published records give (anyone can count records
whose fields are published) cannot be withheld. ``public`` names the dimensions the
records carry: a table over public dimensions only, the grand total included, is known
exactly, small counts and all, and a table of public dimensions only withholds nothing.
Only the cells of tables with a dimension the records do not carry (a protected one)
are ever withheld, and the audit takes the public tables as known.

What this cannot stop is differencing between *different* queries (two month ranges, or
a filter and its complement); the README says so.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.linalg import qr
from scipy.optimize import linprog
from threadpoolctl import threadpool_limits

Key = tuple[str | None, ...]
# The longest the audit may take; past it, every cell is withheld (safe, if useless).
AUDIT_SECONDS = 8.0
# The largest cross product a table that cannot be protected otherwise is padded to.
PADDED_CELLS = 5_000
Line = tuple[int, Key]  # (the dimension that varies, the key without it)
Public = frozenset[int] | None  # the dimensions whose counts the records publish


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


def suppress(
    cells: Mapping[Key, int],
    threshold: int,
    deadline: float | None = None,
    public: Public = None,
    coarser: bool = True,
) -> Suppressed:
    """Withhold the small cells of ``cells`` (non-zero counts keyed by value tuples).

    :param public: the dimensions (by position) whose counts the published records give:
        every table over these alone, the grand total included, is known exactly. None:
        nothing is public (a filter on a protected dimension applies, so even the grand
        total is a protected count).
    :param coarser: whether other queries publish the coarser tables that keep a
        protected dimension (the API's do; nothing publishes a statistical cube's, whose
        only other published counts are the public ones).
    :param deadline: a ``time.monotonic()`` past which the audit gives up and withholds
        every cell (default: ``AUDIT_SECONDS`` from now). Given, it is a coarser table's
        audit inside a finer one: running out of time raises ``TimeoutError`` instead,
        as what the coarser query publishes is then not known.
    """
    nested = deadline is not None
    deadline = time.monotonic() + AUDIT_SECONDS if deadline is None else deadline
    if threshold <= 1 or not cells:
        return Suppressed(dict(cells), frozenset(), frozenset())
    k = len(next(iter(cells)))
    if public is not None and set(range(k)) <= public:
        return Suppressed(dict(cells), frozenset(), frozenset())
    primary = {key for key, n in cells.items() if n < threshold}
    values = [sorted({key[d] for key in cells}, key=_order) for d in range(k)]
    withheld = set(primary)
    if withheld:
        try:
            table = _Table(dict(cells), k, threshold, values, frozenset(primary), deadline, public, coarser)
            table.complete(withheld)
        except TimeoutError:
            if nested:
                raise
            withhold_everything(withheld, cells, values)
    counts: dict[Key, int | None] = {key: (None if key in withheld else n) for key, n in cells.items()}
    for key in withheld - cells.keys():
        counts[key] = None
    return Suppressed(counts, frozenset(primary), frozenset(withheld - primary))


def withhold_everything(withheld: set[Key], cells: Mapping[Key, int], values: list[list]) -> None:
    """The last resort: every cell, and the zero cells of the cross product when it is small."""
    withheld.update(cells)
    if math.prod(len(v) for v in values) <= PADDED_CELLS:
        withheld.update(itertools.product(*values))


def published_totals(
    cells: Mapping[Key, int],
    threshold: int,
    deadline: float | None = None,
    public: Public = None,
    coarser: bool = True,
) -> dict[tuple[tuple[int, ...], Key], int]:
    """What the coarser queries publish: ``{(kept dimensions, their values): total}``.

    The coarser table (the cells summed over the dimensions not kept) of all the public
    dimensions is known whole (its own coarser tables are sums of it, so they add
    nothing); any table that keeps a protected dimension goes through :func:`suppress`
    itself, so only what that query would publish is known (nothing, if not ``coarser``).
    """
    k = len(next(iter(cells)))
    known: dict[tuple[tuple[int, ...], Key], int] = {}
    for size in range(k):
        for kept in itertools.combinations(range(k), size):
            if public is not None and set(kept) < public:
                continue
            if not coarser and (public is None or not set(kept) <= public):
                continue
            sums: dict[Key, int] = defaultdict(int)
            for key, n in cells.items():
                sums[tuple(key[d] for d in kept)] += n
            if public is not None and set(kept) <= public:
                published = dict(sums)
            elif size == 0:
                published = {key: n for key, n in sums.items() if n >= threshold}
            else:
                inner = None if public is None else frozenset(i for i, d in enumerate(kept) if d in public)
                coarser = suppress(sums, threshold, deadline, inner)
                published = {key: n for key, n in coarser.counts.items() if n is not None}
            known.update({(kept, part): n for part, n in published.items()})
    return known


def _order(value: str | None) -> tuple[bool, str]:
    return value is None, value or ""


class _Table:
    def __init__(
        self,
        cells: dict[Key, int],
        k: int,
        threshold: int,
        values: list[list],
        primary: frozenset,
        deadline: float,
        public: Public,
        coarser: bool,
    ) -> None:
        self.cells, self.k, self.threshold, self.values, self.primary = cells, k, threshold, values, primary
        self.deadline = deadline
        self.safe: set[Key] = set()  # primary cells shown not to be pinned
        self.members: dict[Line, list[Key]] = defaultdict(list)
        for key in sorted(cells, key=lambda key: tuple(_order(v) for v in key)):
            for d in range(k):
                self.members[line_of(key, d)].append(key)
        # Every coarser total another query publishes (that query's own suppression
        # applied): lines, planes, …, and the grand total.
        self.members_of_set: dict[tuple, list[Key]] = defaultdict(list)
        for size in range(k):
            for kept in itertools.combinations(range(k), size):
                for key in cells:
                    self.members_of_set[(kept, tuple(key[d] for d in kept))].append(key)
        self.known_sets = published_totals(cells, threshold, deadline, public, coarser)
        self.known = {
            (next(d for d in range(k) if d not in kept), part) for kept, part in self.known_sets if len(kept) == k - 1
        }

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

    def equations(self, unknown: list[Key]) -> tuple[np.ndarray, np.ndarray]:
        """Every known total as an equation over the withheld cells: A x = b."""
        index = {key: i for i, key in enumerate(unknown)}
        names = list(self.known_sets)
        row_of = {name: r for r, name in enumerate(names)}
        matrix = np.zeros((len(names), len(unknown)))
        rhs = np.array([float(self.known_sets[name]) for name in names])
        for key, n in self.cells.items():
            if key not in index:
                for r in self._rows_of(key, row_of):
                    rhs[r] -= n
        for key, i in index.items():
            for r in self._rows_of(key, row_of):
                matrix[r, i] = 1.0
        used = matrix.any(axis=1)
        return matrix[used], rhs[used]

    def _rows_of(self, key: Key, row_of: dict) -> list[int]:
        rows = []
        for size in range(self.k):
            for kept in itertools.combinations(range(self.k), size):
                r = row_of.get((kept, tuple(key[d] for d in kept)))
                if r is not None:
                    rows.append(r)
        return rows

    def determined(self, withheld: set[Key], deadline: float) -> list[Key]:
        """Primary cells the known totals pin down: exactly, or to less than a unit.

        (A secondary cell may be recoverable: it is not small, and a primary cell it
        would help recover is then caught itself.)
        """
        unknown = sorted(withheld, key=lambda key: tuple(_order(v) for v in key))
        if time.monotonic() > deadline:
            raise TimeoutError
        matrix, rhs = self.equations(unknown)
        if not len(rhs):
            return []
        # x_i is determined iff e_i lies in the row space: project it with an orthonormal
        # basis of that space (pivoted QR of the transpose) and see if it stays whole.
        # One BLAS thread: the matrices are small, and threads fight the web workers.
        with threadpool_limits(1):
            q, r, _ = qr(matrix.T, mode="economic", pivoting=True)
        diagonal = np.abs(np.diag(r))
        rank = int((diagonal > 1e-9 * max(diagonal.max(initial=0.0), 1.0)).sum())
        weight = (q[:, :rank] ** 2).sum(axis=1) if rank else np.zeros(len(unknown))
        exact = [key for i, key in enumerate(unknown) if key in self.primary and weight[i] > 1 - 1e-9]
        if exact:
            return exact
        # Bounds as well (withheld cells are >= 0): the smallest and largest value each
        # primary cell can take must differ by at least one. A box of withheld cells
        # proves it cheaply, else a linear programme decides. Withholding more only
        # widens the ranges, so a cell once shown safe stays safe.
        narrow = []
        bounds = [(0, None)] * len(unknown)
        # Two withheld cells in exactly the same totals (a line of a table whose only
        # other known counts are public ones, say) can trade a unit: both have room.
        signature = [matrix[:, i].tobytes() for i in range(len(unknown))]
        twins = {sig for sig, n in Counter(signature).items() if n > 1}
        for i, key in enumerate(unknown):
            if key not in self.primary or key in self.safe:
                continue
            if signature[i] in twins or self.box_movable(key, withheld):
                self.safe.add(key)
                continue
            if time.monotonic() > deadline:
                raise TimeoutError
            objective = np.zeros(len(unknown))
            objective[i] = 1.0
            with threadpool_limits(1):
                low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
                high = linprog(-objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
            top = -high.fun if high.status == 0 else math.inf
            if low.status == 0 and top - low.fun < 1 - 1e-6:
                narrow.append(key)
            else:
                self.safe.add(key)
        return narrow

    def box_movable(self, key: Key, withheld: set[Key]) -> bool:
        """Whether a box of withheld cells lets ``key`` move by one either way.

        A box takes two values in every dimension; +1 and -1 alternate over its corners,
        so every total over at least one whole dimension is unchanged. If the corners
        to be lowered all hold at least 1, the cell can be 1 higher or 1 lower.
        """
        others = [[v for v in self.values[d] if v != key[d]] for d in range(self.k)]
        for alternative in itertools.product(*others):
            corners = list(itertools.product(*zip(key, alternative, strict=True)))
            if not all(corner in withheld for corner in corners):
                continue
            # A corner's sign: the parity of the number of dimensions it leaves key in.
            parity = [sum(c != v for c, v in zip(corner, key, strict=True)) % 2 for corner in corners]
            for lowered in (0, 1):
                if all(self.cells.get(c, 0) >= 1 for c, p in zip(corners, parity, strict=True) if p == lowered):
                    return True
        return False

    def complete(self, withheld: set[Key]) -> None:
        """Withhold complements until no small cell is exposed.

        :raise TimeoutError: past the deadline.
        """
        for _ in range(len(self.cells) + 10):
            if time.monotonic() > self.deadline:
                raise TimeoutError
            if self._line_rules(withheld):
                continue
            exposed = self.determined(withheld, self.deadline)
            if not exposed:
                return
            # One complement per exposed cell: the smallest published cell of a known
            # line through it, else a zero cell of any line through it (its total may
            # be derived from others, as the grand total minus the other rows).
            touched: set[Line] = set()
            for key in exposed:
                every = [line_of(key, d) for d in range(self.k)]
                choices = [(line, False) for line in self.lines_of(key)] + [(line, True) for line in every]
                for line, allow_zero in choices:
                    if line in touched:
                        break
                    extra = self.complement(line, withheld, allow_zero=allow_zero)
                    if extra is not None:
                        withheld.add(extra)
                        touched.add(line)
                        break
            if not touched:
                break
        # Nothing left to add that helps: withhold everything rather than reveal a cell.
        withhold_everything(withheld, self.cells, self.values)
