"""The Metropolitan Police policing vocabulary: ontology, concept schemes and shapes.

The Turtle files of this package are the published vocabulary; the functions here load
them under any base IRI, give closed namespaces for writing RDF, resolve published values
to concepts and validate records. This package imports neither Flask nor ``gateway``.
"""

from __future__ import annotations

from vocab.concepts import concept_for, is_deprecated, label_of
from vocab.loader import DEFAULT_BASE, SHAPE_SETS, load_ontology, load_shapes, load_vocabulary, rebase
from vocab.namespaces import Namespaces, namespaces
from vocab.validation import Validation, validate, validate_vocabulary

__all__ = [
    "DEFAULT_BASE",
    "SHAPE_SETS",
    "Namespaces",
    "Validation",
    "concept_for",
    "is_deprecated",
    "label_of",
    "load_ontology",
    "load_shapes",
    "load_vocabulary",
    "namespaces",
    "rebase",
    "validate",
    "validate_vocabulary",
]
