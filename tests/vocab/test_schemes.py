"""The concept schemes: their contents, crosswalks, and every value the gateway publishes."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

import vocab
from gateway.internal import lookups
from vocab.namespaces import LEGISLATION_ID, SDMX_CODE

POL_BASE = "https://data.met.police.uk/def/policing/"

SCHEME_SIZES = {
    "crime-category": 15,
    "crime-outcome": 28,
    "search-type": 3,
    "search-power": 26,
    "search-object": 17,
    "search-outcome": 16,
    "gender": 3,
    "age-band/stop-search": 5,
    "age-band/use-of-force": 7,
    "self-defined-ethnicity": 20,
    "officer-defined-ethnicity": 5,
    "ic-code": 8,
    "ethnic-group": 5,
    "use-of-force-tactic": 39,
    "ced-use-mode": 10,
    "incident-location-type": 15,
    "incident-outcome": 6,
    "perceived-ethnicity": 6,
    "impact-factor": 9,
}

# Code lists published as slugs, resolved by notation.
SLUG_LISTS = [
    ("crime-outcome", lookups.OUTCOMES),
    ("crime-category", tuple(lookups.Code(o.ho_code, o.description, o.category) for o in lookups.OFFENCES)),
    ("crime-category", lookups.ASB_TYPES),
]
# Code lists published as labels, resolved by an exact label.
LABEL_LISTS = [
    ("search-type", lookups.SEARCH_TYPES),
    ("search-power", lookups.LEGISLATION),
    ("search-object", lookups.SEARCH_OBJECTS),
    ("search-outcome", lookups.SEARCH_OUTCOMES),
    ("gender", lookups.GENDERS),
    ("self-defined-ethnicity", lookups.SELF_DEFINED_ETHNICITIES),
    ("officer-defined-ethnicity", lookups.IC_CODES),
    ("incident-location-type", lookups.UOF_LOCATION_TYPES),
    ("use-of-force-tactic", lookups.UOF_TACTICS),
    ("ced-use-mode", lookups.UOF_CED_MODES),
    ("incident-outcome", lookups.UOF_OUTCOMES),
    ("perceived-ethnicity", lookups.UOF_ETHNICITIES),
]


def published(lists):
    return [
        pytest.param(scheme, code.published, id=f"{scheme}:{code.code}")
        for scheme, codes in lists
        for code in codes
        if code.published is not None
    ]


def concepts_of(graph, ns, scheme):
    return set(graph.subjects(SKOS.inScheme, ns.scheme_iri(scheme)))


def labels_of(graph, concept):
    return {str(o) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel) for o in graph.objects(concept, p)}


def test_scheme_sizes(vocabulary, ns):
    assert {name: len(concepts_of(vocabulary, ns, name)) for name in ns.schemes} == SCHEME_SIZES


@pytest.mark.parametrize(("scheme", "value"), published(SLUG_LISTS))
def test_published_slugs_are_notations(vocabulary, ns, scheme, value):
    concept = vocab.concept_for(scheme, value)
    assert concept == ns.scheme(scheme)[value]
    assert str(vocabulary.value(concept, SKOS.notation)) == value
    assert vocabulary.value(concept, SKOS.notation).datatype == URIRef(POL_BASE + "PoliceUkCode")


@pytest.mark.parametrize(("scheme", "value"), published(LABEL_LISTS))
def test_published_labels_name_one_concept(vocabulary, ns, scheme, value):
    matches = [c for c in concepts_of(vocabulary, ns, scheme) if value in labels_of(vocabulary, c)]
    assert len(matches) == 1, matches
    assert vocab.concept_for(scheme, value) == matches[0]
    assert not vocab.is_deprecated(matches[0])


@pytest.mark.parametrize(
    ("scheme", "codes"), [("ic-code", lookups.IC_CODES), ("self-defined-ethnicity", lookups.SELF_DEFINED_ETHNICITIES)]
)
def test_internal_codes_are_notations(vocabulary, ns, scheme, codes):
    for code in codes:
        concept = ns.scheme(scheme)[code.code]
        assert str(vocabulary.value(concept, SKOS.notation)) == code.code


def test_stop_search_age_bands(vocabulary, ns):
    labels = [label for label, _, _ in lookups.STOP_AGE_BANDS]
    assert labels == ["under 10", "10-17", "18-24", "25-34", "over 34"]
    found = {str(vocabulary.value(c, SKOS.prefLabel)) for c in concepts_of(vocabulary, ns, "age-band/stop-search")}
    assert found == set(labels)
    assert vocab.concept_for("age-band/stop-search", "over 34") == ns.scheme("age-band/stop-search")["over-34"]


@pytest.mark.skipif(not hasattr(lookups, "UOF_AGE_BANDS"), reason="no use-of-force age bands in lookups")
def test_use_of_force_age_bands(vocabulary, ns):
    scheme = ns.scheme("age-band/use-of-force")
    for label, _, _ in lookups.UOF_AGE_BANDS:
        assert str(vocabulary.value(vocab.concept_for("age-band/use-of-force", label), SKOS.prefLabel)) == label
    assert vocab.concept_for("age-band/use-of-force", "0-10") == scheme["under-11"]  # the Met file's spelling


@pytest.mark.parametrize(("label", "notation"), sorted(lookups.OUTCOME_LABELS.items()))
def test_outcome_labels_of_api_and_csv(label, notation):
    assert vocab.concept_for("crime-outcome", label) == vocab.concept_for("crime-outcome", notation)


@pytest.mark.parametrize(("label", "notation"), sorted(lookups.CATEGORY_LABELS.items()))
def test_category_labels(label, notation):
    assert vocab.concept_for("crime-category", label) == vocab.concept_for("crime-category", notation)


def test_crime_categories(vocabulary, ns):
    cc = ns.scheme("crime-category")
    current = {c for c in concepts_of(vocabulary, ns, "crime-category") if not vocab.is_deprecated(c)}
    assert len(current) == 14
    assert vocab.is_deprecated(cc["public-disorder-weapons"])
    assert set(vocabulary.objects(cc["public-disorder-weapons"], DCTERMS.isReplacedBy)) == {
        cc["possession-of-weapons"],
        cc["public-order"],
    }
    with pytest.raises(KeyError):
        cc["all-crime"]
    assert vocab.label_of(cc["violent-crime"]) == "Violence and sexual offences"


def test_crime_outcomes_follow_the_api(vocabulary, ns):
    co = ns.scheme("crime-outcome")
    assert vocab.label_of(co["penalty-notice-issued"]) == "Offender given a penalty notice"
    assert Literal("Offender given penalty notice", lang="en") in set(
        vocabulary.objects(co["penalty-notice-issued"], SKOS.altLabel)
    )
    assert not any(vocab.is_deprecated(c) for c in concepts_of(vocabulary, ns, "crime-outcome"))


def test_search_powers_link_to_legislation(vocabulary, ns):
    sp = ns.scheme("search-power")
    legislation = URIRef(POL_BASE + "legislation")
    families = set(vocabulary.objects(ns.scheme_iri("search-power"), SKOS.hasTopConcept))
    assert len(families) == 3
    for code in lookups.LEGISLATION:
        power = vocab.concept_for("search-power", code.published)
        assert str(vocabulary.value(power, legislation)).startswith(str(LEGISLATION_ID) + "ukpga/")
        assert vocabulary.value(power, SKOS.broader) in families
    assert (
        vocabulary.value(sp["misuse-of-drugs-act-1971-s23"], legislation) == LEGISLATION_ID["ukpga/1971/38/section/23"]
    )
    assert vocabulary.value(sp["criminal-justice-and-public-order-act-1994-s60"], SKOS.broader) == sp["cjpoa-1994-s60"]
    assert vocabulary.value(sp["terrorism-act-2000-s47a"], SKOS.broader) == sp["terrorism-act-2000-s47a-s44"]
    sic = "Environmental Protection Act 1990 (section 34B )"
    assert vocab.concept_for("search-power", sic) == sp["environmental-protection-act-1990-s34b"]


def test_search_outcomes(vocabulary, ns):
    so = ns.scheme("search-outcome")
    current = {c for c in concepts_of(vocabulary, ns, "search-outcome") if not vocab.is_deprecated(c)}
    assert {str(vocabulary.value(c, SKOS.notation)) for c in current} == {
        "bu-no-further-action",
        "bu-arrest",
        "bu-khat-or-cannabis-warning",
        "bu-summons",
        "bu-community-resolution",
        "bu-penalty-notice",
        "bu-caution",
    }
    legacy = vocab.concept_for("search-outcome", "Suspect arrested")
    assert vocab.is_deprecated(legacy)
    assert vocabulary.value(legacy, DCTERMS.isReplacedBy) == so["bu-arrest"]


def test_gender_matches_sdmx(vocabulary, ns):
    gender = ns.scheme("gender")
    assert (gender["male"], SKOS.exactMatch, SDMX_CODE["sex-M"]) in vocabulary
    assert (gender["female"], SKOS.exactMatch, SDMX_CODE["sex-F"]) in vocabulary
    assert vocabulary.value(gender["other"], SKOS.exactMatch) is None


def test_ic_codes(vocabulary, ns):
    ic = ns.scheme("ic-code")
    assert {str(vocabulary.value(c, SKOS.notation)) for c in concepts_of(vocabulary, ns, "ic-code")} == {
        "IC1",
        "IC2",
        "IC3",
        "IC4",
        "IC5",
        "IC6",
        "IC9",
        "IC0",
    }
    assert vocab.is_deprecated(ic["IC0"])
    assert (ic["IC0"], SKOS.exactMatch, ic["IC9"]) in vocabulary
    assert "visual assessment" in str(vocabulary.value(ns.scheme_iri("ic-code"), SKOS.scopeNote))
    assert vocabulary.value(ic["IC1"], SKOS.notation).datatype == URIRef(POL_BASE + "IcCode")


def test_self_defined_ethnicity(vocabulary, ns):
    sde = ns.scheme("self-defined-ethnicity")
    current = {c for c in concepts_of(vocabulary, ns, "self-defined-ethnicity") if not vocab.is_deprecated(c)}
    assert len(current) == 19
    assert (sde["O1"], SKOS.exactMatch, sde["A4"]) in vocabulary and vocab.is_deprecated(sde["O1"])
    # The legacy 2001 strings resolve to the same concepts as the current ones.
    assert vocab.concept_for("self-defined-ethnicity", "White - White British (W1)") == sde["W1"]
    assert vocab.concept_for("self-defined-ethnicity", "Chinese or other ethnic group - Chinese (O1)") == sde["O1"]
    assert vocab.concept_for("self-defined-ethnicity", "Not Stated (NS)") == sde["NS"]


@pytest.mark.parametrize(
    ("scheme", "unmapped"),
    [
        ("self-defined-ethnicity", {"NS"}),
        ("ic-code", {"IC9", "IC0"}),
        ("officer-defined-ethnicity", set()),
        ("perceived-ethnicity", {"not-reported"}),
    ],
)
def test_ethnicity_crosswalks_to_the_five_groups(vocabulary, ns, scheme, unmapped):
    groups = concepts_of(vocabulary, ns, "ethnic-group")
    for concept in concepts_of(vocabulary, ns, scheme):
        targets = set(vocabulary.objects(concept, SKOS.broadMatch))
        if str(vocabulary.value(concept, SKOS.notation)) in unmapped:
            assert not targets, concept
        else:
            assert len(targets) == 1 and targets <= groups, concept


def test_ic_and_officer_defined_groups_agree(vocabulary, ns):
    """An IC code's published group and its five-group crosswalk say the same thing."""
    for code in lookups.IC_CODES:
        if code.published is None:
            continue
        ic = ns.scheme("ic-code")[code.code]
        ode = vocab.concept_for("officer-defined-ethnicity", code.published)
        assert vocabulary.value(ic, SKOS.broadMatch) == vocabulary.value(ode, SKOS.broadMatch)


def test_use_of_force_tactics(vocabulary, ns):
    uft = ns.scheme("use-of-force-tactic")
    assert vocab.concept_for("use-of-force-tactic", "CED") == uft["ced"]
    assert vocab.concept_for("use-of-force-tactic", "AEP") == uft["aep"]
    assert vocabulary.value(uft["compliant-handcuffing"], SKOS.broader) == uft["handcuffing"]
    assert vocabulary.value(uft["handcuffing"], SKOS.broader) == uft["restraint"]
    assert (uft["tactical-communication"], SKOS.topConceptOf, ns.scheme_iri("use-of-force-tactic")) in vocabulary
    assert "Total Tactics" in str(vocabulary.value(uft["tactical-communication"], SKOS.scopeNote))


def test_every_concept_is_complete(vocabulary, ns):
    for name in ns.schemes:
        scheme = ns.scheme_iri(name)
        assert vocabulary.value(scheme, DCTERMS.title) is not None
        assert vocabulary.value(scheme, DCTERMS.source) is not None
        assert vocabulary.value(scheme, DCTERMS.creator) is not None
        assert set(vocabulary.objects(scheme, SKOS.hasTopConcept))
        for concept in concepts_of(vocabulary, ns, name):
            assert (concept, RDF.type, SKOS.Concept) in vocabulary
            assert vocabulary.value(concept, SKOS.prefLabel).language == "en"
            assert vocabulary.value(concept, SKOS.definition) is not None
            notation = vocabulary.value(concept, SKOS.notation)
            assert notation.datatype is not None and str(notation.datatype).startswith(POL_BASE)
            assert concept == ns.scheme(name)[str(notation)]


def test_no_value_is_a_notation_of_one_concept_and_a_label_of_another(vocabulary, ns):
    for name in ns.schemes:
        concepts = concepts_of(vocabulary, ns, name)
        notations = {str(vocabulary.value(c, SKOS.notation)): c for c in concepts}
        for concept in concepts:
            for label in labels_of(vocabulary, concept):
                assert notations.get(label, concept) == concept, (name, label)


def test_deprecated_concepts_are_explained(vocabulary):
    for concept in vocabulary.subjects(OWL.deprecated, Literal(True)):
        assert vocabulary.value(concept, DCTERMS.isReplacedBy) or vocabulary.value(concept, SKOS.historyNote)
