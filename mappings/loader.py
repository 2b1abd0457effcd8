"""Loading and checking mapping files.

A mapping is checked against the internal schema (tables, columns and their disclosure
classes, lookup tables) and the vocabulary (record types, properties, concept schemes)
as it is loaded. The first mistake raises :class:`MappingError`, naming the file, the
line and what is wrong. Neither the schema nor the vocabulary is imported here: the
caller describes them, so mappings stay plain data and pure functions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .spec import Field, MappingSet, Parent, Withhold
from .spec import Mapping as TableMapping
from .transforms import TRANSFORMS

TOP_KEYS = {"table", "record", "dataset", "uri", "key", "fields", "withhold", "parent", "order_by", "description"}
FIELD_KEYS = {
    "from",
    "transform",
    "property",
    "subject",
    "records",
    "lookup",
    "scheme",
    "bands",
    "concept",
    "description",
}
PLACEHOLDER = re.compile(r"{([a-z_]+)}")


class MappingError(ValueError):
    """A mapping that cannot be used; the message names the file and line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.detail = path, line, message


@dataclass(frozen=True)
class InternalSchema:
    """What the loader needs to know about the internal tables."""

    columns: Mapping[str, Mapping[str, str]]  # table -> column -> disclosure class
    lookups: frozenset[str]  # tables usable with the lookup transform


@dataclass(frozen=True)
class VocabularyTerms:
    """What the loader needs to know about the vocabulary."""

    record_types: frozenset[str]
    has_property: Callable[[str], bool]
    has_scheme: Callable[[str], bool]
    has_concept: Callable[[str, str], bool]


class _LineDict(dict):
    lines: dict[str, int]
    line: int


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping key."""

    def construct_mapping(self, node, deep=False):
        result = _LineDict(super().construct_mapping(node, deep=True))
        result.lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
        result.line = node.start_mark.line + 1
        return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node))


def load_mapping(path: Path, schema: InternalSchema, vocabulary: VocabularyTerms) -> TableMapping:
    """Read and check one mapping file."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise MappingError(path, mark.line + 1 if mark else 1, f"not valid YAML: {problem}") from None
    if not isinstance(data, _LineDict):
        raise MappingError(path, 1, "a mapping file is a set of 'key: value' lines")
    return _Checker(path, schema, vocabulary).mapping(data, hashlib.sha256(text.encode()).hexdigest())


def load_mappings(directory: Path, schema: InternalSchema, vocabulary: VocabularyTerms) -> MappingSet:
    """Every ``*.yaml`` mapping in a folder, checked one by one and then as a set."""
    mappings = tuple(load_mapping(p, schema, vocabulary) for p in sorted(directory.glob("*.yaml")))
    if not mappings:
        raise MappingError(directory, 0, "no mapping files (*.yaml) found")
    names = {m.name for m in mappings}
    for m in mappings:
        if m.parent and m.parent.mapping not in names:
            raise MappingError(m.path, 1, f"parent mapping {m.parent.mapping!r} does not exist in {directory}")
    return MappingSet(mappings)


class _Checker:
    def __init__(self, path: Path, schema: InternalSchema, vocabulary: VocabularyTerms) -> None:
        self.path, self.schema, self.vocabulary = path, schema, vocabulary

    def fail(self, line: int, message: str) -> MappingError:
        return MappingError(self.path, line, message)

    def require(self, data: _LineDict, key: str, kind: type = str) -> Any:
        if key not in data:
            raise self.fail(data.line, f"missing '{key}'")
        value = data[key]
        if not isinstance(value, kind):
            raise self.fail(data.lines[key], f"'{key}' must be a {kind.__name__}")
        return value

    def flag(self, data: _LineDict, key: str, default: bool) -> bool:
        if key not in data:
            return default
        if not isinstance(data[key], bool):
            raise self.fail(data.lines[key], f"'{key}' must be true or false")
        return data[key]

    def unknown_keys(self, data: _LineDict, allowed: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(data.lines[key], f"unknown {what} key '{key}' (allowed: {', '.join(sorted(allowed))})")

    def mapping(self, data: _LineDict, checksum: str) -> TableMapping:
        self.unknown_keys(data, TOP_KEYS, "mapping")
        table = self.require(data, "table")
        if table not in self.schema.columns:
            raise self.fail(data.lines["table"], f"unknown internal table '{table}'")
        self.columns = self.schema.columns[table]
        record = self.require(data, "record")
        if record not in self.vocabulary.record_types:
            raise self.fail(data.lines["record"], f"unknown record type '{record}' (not a class of the vocabulary)")
        raw_fields = self.require(data, "fields", dict)
        fields = tuple(self.field(name, spec, raw_fields.lines[name]) for name, spec in raw_fields.items())
        names = {f.name for f in fields}
        uri = self.require(data, "uri")
        for placeholder in PLACEHOLDER.findall(uri):
            if placeholder not in names:
                raise self.fail(data.lines["uri"], f"URI template names '{placeholder}', which is not a field")
        key = data.get("key") or (PLACEHOLDER.findall(uri) or [""])[0]
        if key not in names:
            raise self.fail(data.lines.get("key", data.lines["uri"]), f"key '{key}' is not a field")
        withhold = tuple(self.withhold(rule) for rule in data.get("withhold") or [])
        order_by = tuple(data.get("order_by") or ())
        for column in order_by:
            self.column(column, data.lines["order_by"])
        return TableMapping(
            path=self.path,
            table=table,
            record=record,
            dataset=self.require(data, "dataset"),
            uri=uri,
            key=key,
            fields=fields,
            withhold=withhold,
            parent=self.parent(data["parent"], data.lines["parent"]) if "parent" in data else None,
            order_by=order_by,
            checksum=checksum,
        )

    def column(self, name: Any, line: int) -> str:
        if not isinstance(name, str) or name not in self.columns:
            raise self.fail(line, f"unknown column '{name}' in this table")
        return name

    def field(self, name: str, spec: Any, line: int) -> Field:
        if not isinstance(spec, _LineDict):
            raise self.fail(line, f"field '{name}' must list 'from', 'transform' and so on")
        self.unknown_keys(spec, FIELD_KEYS, "field")
        raw_columns = self.require(spec, "from", (str, list))
        columns = tuple(
            self.column(c, spec.lines["from"]) for c in ([raw_columns] if isinstance(raw_columns, str) else raw_columns)
        )
        transform_name = self.require(spec, "transform")
        transform = TRANSFORMS.get(transform_name)
        if transform is None:
            raise self.fail(
                spec.lines["transform"], f"unknown transform '{transform_name}' (known: {', '.join(TRANSFORMS)})"
            )
        if len(columns) != transform.columns:
            raise self.fail(
                spec.lines["from"],
                f"transform '{transform_name}' reads {transform.columns} column(s), not {len(columns)}",
            )
        for column in columns:
            disclosure = self.columns[column]
            if disclosure not in transform.accepts:
                allowed = [t.name for t in TRANSFORMS.values() if disclosure in t.accepts]
                raise self.fail(
                    spec.lines["from"],
                    f"column '{column}' is {disclosure}: it may be published only through "
                    f"{', '.join(allowed)}, not '{transform_name}'",
                )
        lookup = spec.get("lookup")
        if transform_name == "lookup" and lookup not in self.schema.lookups:
            raise self.fail(spec.lines.get("lookup", line), f"unknown lookup table '{lookup}'")
        scheme = spec.get("scheme")
        if scheme is not None and not self.vocabulary.has_scheme(scheme):
            raise self.fail(spec.lines["scheme"], f"unknown concept scheme '{scheme}'")
        concept = spec.get("concept")
        if concept is not None and (scheme is None or not self.vocabulary.has_concept(scheme, str(concept))):
            raise self.fail(spec.lines["concept"], f"unknown concept '{concept}' in scheme '{scheme}'")
        prop = spec.get("property")
        if prop is not None and not self.vocabulary.has_property(prop):
            raise self.fail(spec.lines["property"], f"unknown property '{prop}'")
        return Field(
            name=name,
            columns=columns,
            transform=transform_name,
            line=line,
            property=prop,
            on_subject=bool(spec.get("subject", False)),
            on_records=self.flag(spec, "records", True),
            lookup=lookup,
            scheme=scheme,
            bands=spec.get("bands"),
            concept=None if concept is None else str(concept),
        )

    def withhold(self, rule: Any) -> Withhold:
        if not isinstance(rule, _LineDict):
            raise self.fail(1, "each withhold rule has 'when' and 'reason'")
        self.unknown_keys(rule, {"when", "reason"}, "withhold rule")
        column = self.column(self.require(rule, "when"), rule.lines["when"])
        return Withhold(column=column, reason=self.require(rule, "reason"), line=rule.line)

    def parent(self, spec: Any, line: int) -> Parent:
        if not isinstance(spec, _LineDict):
            raise self.fail(line, "'parent' has 'mapping', 'via' and 'property'")
        self.unknown_keys(spec, {"mapping", "via", "property"}, "parent")
        prop = self.require(spec, "property")
        if not self.vocabulary.has_property(prop):
            raise self.fail(spec.lines["property"], f"unknown property '{prop}'")
        return Parent(
            mapping=self.require(spec, "mapping"),
            column=self.column(self.require(spec, "via"), spec.lines["via"]),
            property=prop,
        )
