"""Resolving published values to concepts and concepts to labels."""

from __future__ import annotations

import pytest
from rdflib import URIRef

import vocab
from tests.vocab.conftest import OTHER_BASE


def test_by_notation(ns):
    assert vocab.concept_for("crime-outcome", "no-further-action") == ns.scheme("crime-outcome")["no-further-action"]
    assert vocab.concept_for("search-outcome", "bu-arrest") == ns.scheme("search-outcome")["bu-arrest"]
    assert vocab.concept_for("ic-code", "IC3") == ns.scheme("ic-code")["IC3"]


def test_by_label(ns):
    assert (
        vocab.concept_for("search-type", "Person and Vehicle search") == ns.scheme("search-type")["person-and-vehicle"]
    )
    assert (
        vocab.concept_for("crime-outcome", "Offender given penalty notice")
        == ns.scheme("crime-outcome")["penalty-notice-issued"]
    )
    assert (
        vocab.concept_for("crime-outcome", "Investigation complete; no suspect identified")
        == ns.scheme("crime-outcome")["no-further-action"]
    )


def test_labels_are_exact():
    with pytest.raises(KeyError):
        vocab.concept_for("search-type", "person search")
    with pytest.raises(KeyError):
        vocab.concept_for("gender", " Male")


def test_unknown_values_raise_a_clear_key_error():
    with pytest.raises(KeyError, match=r"'Stolen bicycle' is neither a notation nor a label .* 'search-object'"):
        vocab.concept_for("search-object", "Stolen bicycle")
    with pytest.raises(KeyError, match="no concept scheme 'outcomes'"):
        vocab.concept_for("outcomes", "charged")
    # A value of another scheme is not a value of this one.
    with pytest.raises(KeyError):
        vocab.concept_for("crime-category", "charged")


def test_under_another_base():
    concept = vocab.concept_for("gender", "Female", OTHER_BASE)
    assert concept == URIRef(OTHER_BASE + "def/gender/female")
    assert vocab.label_of(concept, OTHER_BASE) == "Female"


def test_label_of(ns):
    assert vocab.label_of(ns.scheme("crime-category")["violent-crime"]) == "Violence and sexual offences"
    assert vocab.label_of(ns.POL.RecordedCrime) == "Recorded crime"
    assert vocab.label_of(ns.scheme_iri("crime-outcome")) == "Crime outcomes"
    with pytest.raises(KeyError):
        vocab.label_of(URIRef("https://data.met.police.uk/def/crime-category/all-crime"))


def test_is_deprecated(ns):
    assert vocab.is_deprecated(ns.scheme("ic-code")["IC0"])
    assert not vocab.is_deprecated(ns.scheme("ic-code")["IC9"])
