"""Declarative mappings from the internal tables to the published release.

The YAML files under ``internal/`` map the Met's internal tables; those under
``archive/`` import data.police.uk archive files. This package is plain data and pure
functions: it imports neither Flask, nor the ``gateway`` package, nor a store.
"""

from pathlib import Path

from .loader import InternalSchema, MappingError, VocabularyTerms, load_mapping, load_mappings
from .spec import Field, Mapping, MappingSet, Parent, Withhold

INTERNAL = Path(__file__).parent / "internal"
ARCHIVE = Path(__file__).parent / "archive"

__all__ = [
    "ARCHIVE",
    "INTERNAL",
    "Field",
    "InternalSchema",
    "Mapping",
    "MappingError",
    "MappingSet",
    "Parent",
    "VocabularyTerms",
    "Withhold",
    "load_mapping",
    "load_mappings",
]
