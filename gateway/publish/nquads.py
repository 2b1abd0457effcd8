"""Writing N-Quads lines directly: millions of statements without building term objects."""

from __future__ import annotations

import re

from vocab.namespaces import RDF
from vocab.namespaces import XSD as _XSD

XSD = str(_XSD)
RDF_TYPE = str(RDF.type)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri(value: str) -> str:
    """An IRI term; refuses characters N-Quads does not allow in one."""
    if _IRI_FORBIDDEN.search(value):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    text = f'"{str(value).translate(_ESCAPES)}"'
    if language:
        return f"{text}@{language}"
    if datatype and datatype != XSD + "string":
        return f"{text}^^<{datatype}>"
    return text


def typed(value: object) -> str:
    """A literal for a Python value: booleans, integers and floats get their XSD type."""
    if isinstance(value, bool):
        return literal("true" if value else "false", XSD + "boolean")
    if isinstance(value, int):
        return literal(str(value), XSD + "integer")
    if isinstance(value, float):
        return literal(repr(value), XSD + "double")
    return literal(str(value))


def quad(subject: str, predicate: str, obj: str, graph: str) -> str:
    """One N-Quads line from already formatted terms."""
    return f"{subject} {predicate} {obj} {graph} .\n"
