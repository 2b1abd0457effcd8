"""The code lists of the internal records system, as plain data.

Each list maps an *internal* code (what the records system stores) to the value that
data.police.uk publishes for it. Internal codes deliberately differ from the published
slugs and labels: turning one into the other is the job of the mappings, through the
lookup tables that :mod:`gateway.internal.schema` builds from these lists.

Sources: ``shared/reference/police-uk-api.md`` section 11 (published values) and
``shared/reference/vocabulary.md`` section 6 (IC codes, SDE codes, use of force).
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    """One internal code, what it means inside the force, and what gets published."""

    code: str
    description: str
    published: str | None


# Forces. ``published`` is the data.police.uk force id. The two London forces first; then
# every other force data.police.uk publishes (police-uk-api.md 4.1, and the British
# Transport Police, whose archive files are named ``-btp-``), so that archive files of any
# force can be published.
FORCES: tuple[Code, ...] = (
    Code("MPS", "Metropolitan Police Service", "metropolitan"),
    Code("COLP", "City of London Police", "city-of-london"),
    Code("AVS", "Avon and Somerset Constabulary", "avon-and-somerset"),
    Code("BDS", "Bedfordshire Police", "bedfordshire"),
    Code("CAM", "Cambridgeshire Constabulary", "cambridgeshire"),
    Code("CHE", "Cheshire Constabulary", "cheshire"),
    Code("CLE", "Cleveland Police", "cleveland"),
    Code("CUM", "Cumbria Constabulary", "cumbria"),
    Code("DER", "Derbyshire Constabulary", "derbyshire"),
    Code("DCP", "Devon & Cornwall Police", "devon-and-cornwall"),
    Code("DOR", "Dorset Police", "dorset"),
    Code("DUR", "Durham Constabulary", "durham"),
    Code("DPP", "Dyfed-Powys Police", "dyfed-powys"),
    Code("ESS", "Essex Police", "essex"),
    Code("GLO", "Gloucestershire Constabulary", "gloucestershire"),
    Code("GMP", "Greater Manchester Police", "greater-manchester"),
    Code("GWE", "Gwent Police", "gwent"),
    Code("HAM", "Hampshire Constabulary", "hampshire"),
    Code("HER", "Hertfordshire Constabulary", "hertfordshire"),
    Code("HUM", "Humberside Police", "humberside"),
    Code("KEN", "Kent Police", "kent"),
    Code("LAN", "Lancashire Constabulary", "lancashire"),
    Code("LEI", "Leicestershire Police", "leicestershire"),
    Code("LIN", "Lincolnshire Police", "lincolnshire"),
    Code("MER", "Merseyside Police", "merseyside"),
    Code("NOR", "Norfolk Constabulary", "norfolk"),
    Code("NWP", "North Wales Police", "north-wales"),
    Code("NYP", "North Yorkshire Police", "north-yorkshire"),
    Code("NTH", "Northamptonshire Police", "northamptonshire"),
    Code("NUM", "Northumbria Police", "northumbria"),
    Code("NOT", "Nottinghamshire Police", "nottinghamshire"),
    Code("PSNI", "Police Service of Northern Ireland", "northern-ireland"),
    Code("SWP", "South Wales Police", "south-wales"),
    Code("SYP", "South Yorkshire Police", "south-yorkshire"),
    Code("STA", "Staffordshire Police", "staffordshire"),
    Code("SUF", "Suffolk Constabulary", "suffolk"),
    Code("SUR", "Surrey Police", "surrey"),
    Code("SUS", "Sussex Police", "sussex"),
    Code("TVP", "Thames Valley Police", "thames-valley"),
    Code("WAR", "Warwickshire Police", "warwickshire"),
    Code("WMC", "West Mercia Police", "west-mercia"),
    Code("WMP", "West Midlands Police", "west-midlands"),
    Code("WYP", "West Yorkshire Police", "west-yorkshire"),
    Code("WIL", "Wiltshire Police", "wiltshire"),
    Code("BTP", "British Transport Police", "btp"),
)
FORCE_NAMES = {c.published: c.description for c in FORCES}


class Offence(NamedTuple):
    """A Home Office offence code, the force's internal classification, and its category."""

    ho_code: str
    description: str
    internal_class: str
    category: str  # data.police.uk crime category slug


# Home Office Counting Rules offence codes grouped by the data.police.uk category they
# are published under. The first code of each category is the most common one.
OFFENCES: tuple[Offence, ...] = (
    Offence("28E", "Burglary - residential (dwelling)", "BURG/RES", "burglary"),
    Offence("28F", "Attempted burglary - residential (dwelling)", "BURG/RES", "burglary"),
    Offence("30C", "Burglary - business and community", "BURG/BUS", "burglary"),
    Offence("30D", "Attempted burglary - business and community", "BURG/BUS", "burglary"),
    Offence("44", "Theft or unauthorised taking of a pedal cycle", "THEF/CYC", "bicycle-theft"),
    Offence("58A", "Criminal damage to a dwelling", "CDAM/DWL", "criminal-damage-arson"),
    Offence("58B", "Criminal damage to a building other than a dwelling", "CDAM/BLD", "criminal-damage-arson"),
    Offence("58C", "Criminal damage to a vehicle", "CDAM/VEH", "criminal-damage-arson"),
    Offence("56B", "Arson not endangering life", "CDAM/ARS", "criminal-damage-arson"),
    Offence("92D", "Possession of controlled drugs (excluding cannabis)", "DRUG/POS", "drugs"),
    Offence("92E", "Possession of cannabis", "DRUG/POS", "drugs"),
    Offence("92A", "Trafficking in controlled drugs", "DRUG/TRF", "drugs"),
    Offence("49", "Other theft", "THEF/OTH", "other-theft"),
    Offence("43", "Theft from automatic machine or meter", "THEF/OTH", "other-theft"),
    Offence("40", "Theft in a dwelling other than from an automatic machine", "THEF/DWL", "other-theft"),
    Offence("10C", "Possession of article with blade or point", "WEAP/BLD", "possession-of-weapons"),
    Offence("10D", "Possession of other weapons", "WEAP/OTH", "possession-of-weapons"),
    Offence("81", "Other firearms offences", "WEAP/FIR", "possession-of-weapons"),
    Offence("9A", "Public fear, alarm or distress", "PORD/FAD", "public-order"),
    Offence("8Q", "Racially or religiously aggravated public fear, alarm or distress", "PORD/HAT", "public-order"),
    Offence("62A", "Violent disorder", "PORD/VDI", "public-order"),
    Offence("34B", "Robbery of personal property", "ROBB/PER", "robbery"),
    Offence("34A", "Robbery of business property", "ROBB/BUS", "robbery"),
    Offence("46", "Shoplifting", "THEF/SHP", "shoplifting"),
    Offence("39", "Theft from the person", "THEF/PER", "theft-from-the-person"),
    Offence("45", "Theft from a vehicle", "VEHO/TFV", "vehicle-crime"),
    Offence("48", "Theft or unauthorised taking of a motor vehicle", "VEHO/TOV", "vehicle-crime"),
    Offence("126", "Interfering with a motor vehicle", "VEHO/INT", "vehicle-crime"),
    Offence("105A", "Assault without injury", "VAP/NOI", "violent-crime"),
    Offence("8N", "Assault with injury", "VAP/INJ", "violent-crime"),
    Offence("8L", "Harassment", "VAP/HAR", "violent-crime"),
    Offence("3A", "Threats to kill", "VAP/THR", "violent-crime"),
    Offence("20A", "Sexual assault on a female aged 13 and over", "SXO/ASL", "violent-crime"),
    Offence("19C", "Rape of a female aged 16 and over", "SXO/RAP", "violent-crime"),
    Offence("99", "Other indictable or triable-either-way offences", "MISC/OTH", "other-crime"),
    Offence("53H", "Making, supplying or possessing articles for use in fraud", "MISC/FRA", "other-crime"),
    Offence("66", "Other offences against the State or public order", "MISC/STA", "other-crime"),
)

# Offences that carry the sexual-offence sensitivity marker.
SEXUAL_OFFENCES = frozenset({"20A", "19C"})

# Anti-social behaviour incident types (the National Standard for Incident Recording).
ASB_TYPES: tuple[Code, ...] = (
    Code("ASB-PER", "Personal anti-social behaviour", "anti-social-behaviour"),
    Code("ASB-NUI", "Nuisance anti-social behaviour", "anti-social-behaviour"),
    Code("ASB-ENV", "Environmental anti-social behaviour", "anti-social-behaviour"),
)

# Crime outcomes: the Home Office outcome framework and court results, published as
# data.police.uk outcome codes. Several internal codes can share one published outcome.
OUTCOMES: tuple[Code, ...] = (
    Code("OT01", "Charged or summonsed", "charged"),
    Code("OT01A", "Charged as part of another case", "sentenced-in-another-case"),
    Code("OT02", "Youth caution", "cautioned"),
    Code("OT03", "Adult caution", "cautioned"),
    Code("OT06", "Penalty notice for disorder", "penalty-notice-issued"),
    Code("OT07", "Cannabis or khat warning", "drugs-possession-warning"),
    Code("OT08", "Community resolution", "local-resolution"),
    Code("OT09", "Prosecution not in the public interest (CPS)", "formal-action-not-in-public-interest"),
    Code("OT10", "Formal action not in the public interest (police)", "formal-action-not-in-public-interest"),
    Code("OT14", "Evidential difficulties: suspect not identified, victim does not support", "unable-to-prosecute"),
    Code("OT15", "Evidential difficulties: named suspect, victim supports", "unable-to-prosecute"),
    Code("OT16", "Evidential difficulties: victim does not support", "unable-to-prosecute"),
    Code("OT18", "Investigation complete, no suspect identified", "no-further-action"),
    Code("OT20", "Further action by another body or agency", "action-taken-by-another-organisation"),
    Code("OT21", "Further investigation not in the public interest", "further-investigation-not-in-public-interest"),
    Code("OT22", "Diversionary, educational or intervention activity", "further-action-not-in-public-interest"),
    Code("INV", "Under investigation", "under-investigation"),
    Code("NSU", "No status update received", "status-update-unavailable"),
    Code("CR-AWT", "Awaiting court result", "awaiting-court-result"),
    Code("CR-UNA", "Court result not received", "court-result-unavailable"),
    Code("CR-UTP", "Court case unable to proceed", "unable-to-proceed"),
    Code("CR-DEP", "Deprivation order", "deprived-of-property"),
    Code("CR-FIN", "Fine", "fined"),
    Code("CR-ABD", "Absolute discharge", "absolute-discharge"),
    Code("CR-COM", "Community order", "community-penalty"),
    Code("CR-CND", "Conditional discharge", "conditional-discharge"),
    Code("CR-SSO", "Suspended sentence order", "suspended-sentence"),
    Code("CR-IMP", "Immediate custody", "imprisoned"),
    Code("CR-OTH", "Other court disposal", "other-court-disposal"),
    Code("CR-CMP", "Compensation order", "compensation"),
    Code("CR-NGT", "Acquitted", "not-guilty"),
    Code("CR-CRN", "Committed to Crown Court", "sent-to-crown-court"),
)

# data.police.uk outcome labels (CSV and API spellings) to outcome codes.
OUTCOME_LABELS: dict[str, str] = {
    "Awaiting court outcome": "awaiting-court-result",
    "Court result unavailable": "court-result-unavailable",
    "Court case unable to proceed": "unable-to-proceed",
    "Local resolution": "local-resolution",
    "Investigation complete; no suspect identified": "no-further-action",
    "Offender deprived of property": "deprived-of-property",
    "Offender fined": "fined",
    "Offender given absolute discharge": "absolute-discharge",
    "Offender given a caution": "cautioned",
    "Offender given a drugs possession warning": "drugs-possession-warning",
    "Offender given a penalty notice": "penalty-notice-issued",
    "Offender given penalty notice": "penalty-notice-issued",
    "Offender given community sentence": "community-penalty",
    "Offender given conditional discharge": "conditional-discharge",
    "Offender given suspended prison sentence": "suspended-sentence",
    "Offender sent to prison": "imprisoned",
    "Offender otherwise dealt with": "other-court-disposal",
    "Offender ordered to pay compensation": "compensation",
    "Suspect charged as part of another case": "sentenced-in-another-case",
    "Suspect charged": "charged",
    "Defendant found not guilty": "not-guilty",
    "Defendant sent to Crown Court": "sent-to-crown-court",
    "Unable to prosecute suspect": "unable-to-prosecute",
    "Formal action is not in the public interest": "formal-action-not-in-public-interest",
    "Action to be taken by another organisation": "action-taken-by-another-organisation",
    "Further investigation is not in the public interest": "further-investigation-not-in-public-interest",
    "Further action is not in the public interest": "further-action-not-in-public-interest",
    "Under investigation": "under-investigation",
    "Status update unavailable": "status-update-unavailable",
}

# data.police.uk CSV "Crime type" labels to category slugs.
CATEGORY_LABELS: dict[str, str] = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
    "Other crime": "other-crime",
}

# Stop and search. ``published`` is the exact data.police.uk string.
SEARCH_TYPES: tuple[Code, ...] = (
    Code("P", "Person search", "Person search"),
    Code("PV", "Person and vehicle search", "Person and Vehicle search"),
    Code("V", "Vehicle search", "Vehicle search"),
)

LEGISLATION: tuple[Code, ...] = (
    Code("MDA71S23", "Misuse of Drugs Act 1971 s.23", "Misuse of Drugs Act 1971 (section 23)"),
    Code("PACE84S1", "PACE 1984 s.1", "Police and Criminal Evidence Act 1984 (section 1)"),
    Code("FA68S47", "Firearms Act 1968 s.47", "Firearms Act 1968 (section 47)"),
    Code("CJPOA94S60", "CJPOA 1994 s.60", "Criminal Justice and Public Order Act 1994 (section 60)"),
    Code("CJA88S139B", "CJA 1988 s.139B", "Criminal Justice Act 1988 (section 139B)"),
    Code("PSA16S36", "Psychoactive Substances Act 2016 s.36(2)", "Psychoactive Substances Act 2016 (s36(2))"),
    Code("TA00S47A", "Terrorism Act 2000 s.47A", "Terrorism Act 2000 (section 47A)"),
)

SEARCH_OBJECTS: tuple[Code, ...] = (
    Code("DRG", "Controlled drugs", "Controlled drugs"),
    Code("OWP", "Offensive weapons", "Offensive weapons"),
    Code("STG", "Stolen goods", "Stolen goods"),
    Code("EVO", "Evidence of offences under the Act", "Evidence of offences under the Act"),
    Code("CDA", "Articles for use in criminal damage", "Articles for use in criminal damage"),
    Code("FIR", "Firearms", "Firearms"),
    Code("THR", "Anything to threaten or harm anyone", "Anything to threaten or harm anyone"),
    Code("FWK", "Fireworks", "Fireworks"),
    Code("THF", "Article for use in theft", "Article for use in theft"),
    Code("PSY", "Psychoactive substances", "Psychoactive substances"),
)

SEARCH_OUTCOMES: tuple[Code, ...] = (
    Code("NFA", "No further action", "A no further action disposal"),
    Code("ARR", "Arrest", "Arrest"),
    Code("KCW", "Khat or cannabis warning", "Khat or Cannabis warning"),
    Code("SUM", "Summons or postal requisition", "Summons / charged by post"),
    Code("CRS", "Community resolution", "Community resolution"),
    Code("PND", "Penalty notice for disorder", "Penalty Notice for Disorder"),
    Code("CAU", "Caution", "Caution (simple or conditional)"),
)

GENDERS: tuple[Code, ...] = (
    Code("M", "Male", "Male"),
    Code("F", "Female", "Female"),
    Code("X", "Other", "Other"),
    Code("U", "Not recorded", None),
)

# Self-defined ethnicity: the 18+1 codes, published as the current data.police.uk strings.
SELF_DEFINED_ETHNICITIES: tuple[Code, ...] = (
    Code(
        "W1",
        "White: English/Welsh/Scottish/Northern Irish/British",
        "White - English/Welsh/Scottish/Northern Irish/British",
    ),
    Code("W2", "White: Irish", "White - Irish"),
    Code("W3", "White: Gypsy or Irish Traveller", "White - Gypsy or Irish Traveller"),
    Code("W9", "White: Other White", "White - Any other White background"),
    Code("M1", "Mixed: White and Black Caribbean", "Mixed/Multiple ethnic groups - White and Black Caribbean"),
    Code("M2", "Mixed: White and Black African", "Mixed/Multiple ethnic groups - White and Black African"),
    Code("M3", "Mixed: White and Asian", "Mixed/Multiple ethnic groups - White and Asian"),
    Code("M9", "Mixed: Other Mixed", "Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background"),
    Code("A1", "Asian: Indian", "Asian/Asian British - Indian"),
    Code("A2", "Asian: Pakistani", "Asian/Asian British - Pakistani"),
    Code("A3", "Asian: Bangladeshi", "Asian/Asian British - Bangladeshi"),
    Code("A4", "Asian: Chinese", "Asian/Asian British - Chinese"),
    Code("A9", "Asian: Other Asian", "Asian/Asian British - Any other Asian background"),
    Code("B1", "Black: Caribbean", "Black/African/Caribbean/Black British - Caribbean"),
    Code("B2", "Black: African", "Black/African/Caribbean/Black British - African"),
    Code(
        "B9",
        "Black: Other Black",
        "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background",
    ),
    Code("O2", "Other: Arab", "Other ethnic group - Arab"),
    Code("O9", "Other: Any other ethnic group", "Other ethnic group - Any other ethnic group"),
    Code("NS", "Not stated", "Other ethnic group - Not stated"),
)

# Officer-defined ethnicity as the Met's IC codes, published as the five-group label.
IC_CODES: tuple[Code, ...] = (
    Code("IC1", "White - North European", "White"),
    Code("IC2", "White - South European", "White"),
    Code("IC3", "Black", "Black"),
    Code("IC4", "Asian - Indian subcontinent", "Asian"),
    Code("IC5", "Chinese, Japanese, Korean or other South East Asian", "Asian"),
    Code("IC6", "Arab or North African", "Other"),
    Code("IC9", "Unknown", None),
)

# Age bands that stop and search publishes, as (label, lowest age, highest age).
STOP_AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 10", 0, 9),
    ("10-17", 10, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("over 34", 35, 130),
)

# Age bands that use-of-force statistics publish (Home Office), as (label, lowest, highest).
UOF_AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("Under 11 years", 0, 10),
    ("11 - 17 years", 11, 17),
    ("18 - 34 years", 18, 34),
    ("35 - 49 years", 35, 49),
    ("50 - 64 years", 50, 64),
    ("65 and over", 65, 130),
)

# Use of force (Home Office collection, as in the MPS use-of-force file).
UOF_LOCATION_TYPES: tuple[Code, ...] = (
    Code("STR", "Street/Highway", "Street/Highway"),
    Code("PTR", "Public Transport", "Public Transport"),
    Code("RET", "Retail Premises", "Retail Premises"),
    Code("OPG", "Open ground (e.g. park, car park, field)", "Open ground (e.g. park, car park, field)"),
    Code("LIC", "Licensed Premises", "Licensed Premises"),
    Code("STD", "Sports or Event Stadia", "Sports or Event Stadia"),
    Code("HOS", "Hospital/A&E (non-mental-health setting)", "Hospital/A&E (non-mental-health setting)"),
    Code("MHS", "Mental Health Setting", "Mental Health Setting"),
    Code("VHC", "Police vehicle with prisoner handling cage", "Police vehicle with prisoner handling cage"),
    Code("VHN", "Police vehicle without prisoner handling cage", "Police vehicle without prisoner handling cage"),
    Code("DWL", "Dwelling", "Dwelling"),
    Code("PST", "Police station (excluding custody block)", "Police station (excluding custody block)"),
    Code("CUS", "Custody Block", "Custody Block"),
    Code("AMB", "Ambulance", "Ambulance"),
    Code("OTH", "Other", "Other"),
)

UOF_TACTICS: tuple[Code, ...] = (
    Code("TCOM", "Tactical communications", "Tactical communication"),
    Code("HCC", "Compliant handcuffing", "Compliant handcuffing"),
    Code("HCN", "Non-compliant handcuffing", "Non-compliant handcuffing"),
    Code("LBR", "Limb/body restraints", "Limb / Body restraints"),
    Code("GRD", "Ground restraint", "Ground restraint"),
    Code("UNA", "Unarmed skills", "Unarmed skills"),
    Code("BTD", "Baton drawn", "Baton drawn"),
    Code("BTU", "Baton used", "Baton used"),
    Code("ISD", "Irritant spray drawn", "Irritant spray - drawn"),
    Code("ISU", "Irritant spray used", "Irritant spray - used"),
    Code("SBG", "Spit and bite guard", "Spit and bite guard"),
    Code("SHD", "Shield", "Shield"),
    Code("TSR", "Conducted energy device (Taser)", "CED"),
    Code("ARW", "Attenuating energy projectile (baton round)", "AEP"),
    Code("FAA", "Firearms aimed", "Firearms aimed"),
    Code("FAF", "Firearms fired", "Firearms fired"),
    Code("DOG", "Dog deployed", "Dog deployed"),
    Code("DGB", "Dog bite", "Dog bite"),
    Code("IMP", "Other/improvised", "Other / improvised"),
)

UOF_CED_MODES: tuple[Code, ...] = (
    Code("DRW", "Drawn", "Drawn"),
    Code("AIM", "Aimed", "Aimed"),
    Code("RDT", "Red-dotted", "Red-dot"),
    Code("ARC", "Arced", "Arced"),
    Code("DST", "Drive stun", "Drive stun"),
    Code("ADS", "Angled drive stun", "Angled drive stun"),
    Code("FIR", "Fired", "Fired"),
)

UOF_OUTCOMES: tuple[Code, ...] = (
    Code("ARR", "Arrested", "Arrested"),
    Code("MOE", "Made off/escaped", "Made off/escaped"),
    Code("HOS", "Hospitalised", "Hospitalised"),
    Code("MHA", "Detained - Mental Health Act", "Detained - Mental Health Act"),
    Code("FAT", "Fatality", "Fatality"),
    Code("OTH", "Other", "Other"),
)

# Subject ethnicity as perceived by the officer (use-of-force collection).
UOF_ETHNICITIES: tuple[Code, ...] = (
    Code("PW", "White", "White"),
    Code("PB", "Black (or Black British)", "Black (or Black British)"),
    Code("PA", "Asian (or Asian British)", "Asian (or Asian British)"),
    Code("PC", "Chinese", "Asian (or Asian British)"),
    Code("PM", "Mixed", "Mixed"),
    Code("PO", "Other", "Other"),
    Code("PN", "Not reported", "Not reported"),
)

# The 33 London local authority districts (ONS GSS E09 codes).
BOROUGHS: tuple[tuple[str, str], ...] = (
    ("E09000001", "City of London"),
    ("E09000002", "Barking and Dagenham"),
    ("E09000003", "Barnet"),
    ("E09000004", "Bexley"),
    ("E09000005", "Brent"),
    ("E09000006", "Bromley"),
    ("E09000007", "Camden"),
    ("E09000008", "Croydon"),
    ("E09000009", "Ealing"),
    ("E09000010", "Enfield"),
    ("E09000011", "Greenwich"),
    ("E09000012", "Hackney"),
    ("E09000013", "Hammersmith and Fulham"),
    ("E09000014", "Haringey"),
    ("E09000015", "Harrow"),
    ("E09000016", "Havering"),
    ("E09000017", "Hillingdon"),
    ("E09000018", "Hounslow"),
    ("E09000019", "Islington"),
    ("E09000020", "Kensington and Chelsea"),
    ("E09000021", "Kingston upon Thames"),
    ("E09000022", "Lambeth"),
    ("E09000023", "Lewisham"),
    ("E09000024", "Merton"),
    ("E09000025", "Newham"),
    ("E09000026", "Redbridge"),
    ("E09000027", "Richmond upon Thames"),
    ("E09000028", "Southwark"),
    ("E09000029", "Sutton"),
    ("E09000030", "Tower Hamlets"),
    ("E09000031", "Waltham Forest"),
    ("E09000032", "Wandsworth"),
    ("E09000033", "Westminster"),
)
BOROUGH_BY_NAME = {name: gss for gss, name in BOROUGHS}


def published_to_codes(codes: tuple[Code, ...]) -> dict[str, list[str]]:
    """Invert a code list: each published value to the internal codes that publish as it."""
    inverse: dict[str, list[str]] = {}
    for code in codes:
        if code.published is not None:
            inverse.setdefault(code.published, []).append(code.code)
    return inverse
