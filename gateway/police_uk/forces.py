"""Police forces as data.police.uk lists them (police-uk-api.md 4.1 and 4.2).

Every force of England, Wales and Northern Ireland is listed, whether or not the release
holds its data: upstream does the same, and a force without data simply has no records.
The British Transport Police is not listed (as upstream) but its id is accepted.
"""

from __future__ import annotations

from gateway.internal import lookups

UNLISTED = {"btp"}
# What the gateway can say about a force beyond its name. The London forces publish here.
_DETAILS = {
    "metropolitan": {
        "description": "The Metropolitan Police Service polices Greater London, apart from the City of London.",
        "url": "https://www.met.police.uk/",
    },
    "city-of-london": {
        "description": "The City of London Police polices the Square Mile, the City of London.",
        "url": "https://www.cityoflondon.police.uk/",
    },
}
# The non-emergency number that reaches every force in the list.
TELEPHONE = "101"


def listed() -> list[dict[str, str]]:
    """``[{id, name}]`` for ``/forces``, in id order."""
    return [{"id": f, "name": n} for f, n in sorted(lookups.FORCE_NAMES.items()) if f not in UNLISTED]


def known(force_id: str) -> bool:
    return force_id in lookups.FORCE_NAMES


def details(force_id: str) -> dict | None:
    """``{description, url, engagement_methods, telephone, id, name}``, or None if unknown."""
    name = lookups.FORCE_NAMES.get(force_id)
    if name is None:
        return None
    extra = _DETAILS.get(force_id, {})
    return {
        "description": extra.get("description"),
        "url": extra.get("url"),
        "engagement_methods": [],
        "telephone": TELEPHONE,
        "id": force_id,
        "name": name,
    }
