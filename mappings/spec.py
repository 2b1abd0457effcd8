"""What a loaded mapping is: plain, frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Field:
    """One published field: which columns it reads, through which transform, as what."""

    name: str
    columns: tuple[str, ...]
    transform: str
    line: int
    property: str | None = None  # vocabulary property, "pol:term" or "prefix:term"
    on_subject: bool = False  # a property of the banded subject description
    on_records: bool = True  # False: in the release tables for the statistics, on no record
    lookup: str | None = None  # internal lookup table, for transform "lookup"
    scheme: str | None = None  # concept scheme of the value
    bands: str | None = None  # age-band scheme, for the age transforms
    concept: str | None = None  # the concept a true flag stands for


@dataclass(frozen=True)
class Withhold:
    """A record-level disclosure rule: records whose column is true are not published."""

    column: str
    reason: str
    line: int


@dataclass(frozen=True)
class Parent:
    """A child record (an outcome, a tactic) hangs off a record of another mapping."""

    mapping: str
    column: str  # this table's column holding the parent's reference
    property: str  # the parent's property pointing at the child


@dataclass(frozen=True)
class Mapping:
    """One internal table mapped to one published record type."""

    path: Path
    table: str
    record: str
    dataset: str
    uri: str
    key: str
    fields: tuple[Field, ...]
    withhold: tuple[Withhold, ...] = ()
    parent: Parent | None = None
    order_by: tuple[str, ...] = ()
    checksum: str = ""

    @cached_property
    def name(self) -> str:
        return self.path.stem

    def columns(self) -> list[str]:
        """Every internal column the mapping reads: nothing else is ever selected."""
        seen: dict[str, None] = {}
        for f in self.fields:
            seen.update(dict.fromkeys(f.columns))
        for rule in self.withhold:
            seen[rule.column] = None
        if self.parent:
            seen[self.parent.column] = None
        for column in self.order_by:
            seen[column] = None
        return list(seen)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.path.name}: no field {name!r}")


@dataclass(frozen=True)
class MappingSet:
    mappings: tuple[Mapping, ...] = field(default_factory=tuple)

    def __getitem__(self, name: str) -> Mapping:
        for m in self.mappings:
            if m.name == name:
                return m
        raise KeyError(name)

    def children_of(self, name: str) -> list[Mapping]:
        return [m for m in self.mappings if m.parent and m.parent.mapping == name]
