"""What the labels of archive files stand for, resolved through the vocabulary.

data.police.uk has changed its labels over the years: 2001 Census self-defined ethnicity
strings ("Black or Black British - African (B2)"), older stop-and-search outcomes
("Nothing found - no further action"), "Violent crime", "Public disorder and weapons",
two spellings of the penalty-notice outcome. The vocabulary carries them all, as
notations and preferred, alternative or hidden labels of its concepts; a label it does
not know is an unknown value, and its row is rejected.

What a label is published as: a crime category's slug and a crime outcome's code (the
notations of their concepts, which the data.police.uk API gives); a stop-and-search label
as the file has it, whatever scheme it is of ("White - White British (W1)" stays that,
not the 2011 string of the same concept): the JSON and the CSV dumps say what the source
said, and the RDF links the concept that label names, deprecated or not (``sde:O1``,
whose ``skos:exactMatch`` is ``sde:A4``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import SKOS, URIRef

from gateway.publish.vocabulary import UnknownConcept, Vocabulary

NOTATION, LABEL = "notation", "label"


@dataclass(frozen=True)
class Lookup:
    """An archive lookup table, the scheme its labels belong to, and what it publishes."""

    table: str
    scheme: str
    publishes: str  # NOTATION or LABEL


CATEGORY = Lookup("crime_category", "crime-category", NOTATION)
OUTCOME = Lookup("crime_outcome", "crime-outcome", NOTATION)
# Stop-and-search columns (their names in the files) and their lookups.
STOP_COLUMNS = {
    "Type": Lookup("search_type", "search-type", LABEL),
    "Gender": Lookup("gender", "gender", LABEL),
    "Age range": Lookup("age_range", "age-band/stop-search", LABEL),
    "Self-defined ethnicity": Lookup("self_defined_ethnicity", "self-defined-ethnicity", LABEL),
    "Officer-defined ethnicity": Lookup("officer_defined_ethnicity", "officer-defined-ethnicity", LABEL),
    "Legislation": Lookup("search_power", "search-power", LABEL),
    "Object of search": Lookup("search_object", "search-object", LABEL),
    "Outcome": Lookup("search_outcome", "search-outcome", LABEL),
}
LOOKUPS = (CATEGORY, OUTCOME, *STOP_COLUMNS.values())


class VocabularyValues:
    """The labels the vocabulary knows (a :class:`gateway.demo.sources.Values` policy).

    Rows keep stop-and-search labels as the files have them; crime types and outcomes
    become slugs and codes. Every label met is remembered, with what it is published as,
    in :attr:`found`: the contents of the archive lookup tables.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.found: dict[str, dict[str, str]] = {lookup.table: {} for lookup in LOOKUPS}
        self._unknown: set[tuple[str, str]] = set()

    def category(self, label: str) -> str | None:
        return self.published(CATEGORY, label)

    def outcome(self, label: str) -> str | None:
        return self.published(OUTCOME, label)

    def stop(self, column: str, label: str) -> str | None:
        return self.published(STOP_COLUMNS[column], label)

    def published(self, lookup: Lookup, label: str) -> str | None:
        """What ``label`` is published as; None if no concept of the scheme carries it."""
        known = self.found[lookup.table]
        if label in known:
            return known[label]
        if (lookup.table, label) in self._unknown:
            return None
        try:
            concept = URIRef(self.vocabulary.concept(lookup.scheme, label))
        except UnknownConcept:
            self._unknown.add((lookup.table, label))
            return None
        if lookup.publishes == NOTATION:
            known[label] = str(self.vocabulary.graph.value(concept, SKOS.notation))
        else:
            known[label] = label
        return known[label]
