"""Persistent ids of recorded crimes: data.police.uk's, and those the gateway makes.

data.police.uk's id of a crime (the ``Crime ID`` of its files) is 64 lower-case
hexadecimal digits. Its Met files from 2010-12 to 2011-11 give crimes none; an archive
import gives each such crime an id of its own, ``gateway-`` and 32 hexadecimal digits,
which no data.police.uk id can equal. Our own outputs (/api/v1, linked data) show that
id; outputs in data.police.uk's formats (the /api/ methods, the CSV dumps) show the crime's
id as its source did: empty.
"""

from __future__ import annotations

import hashlib
import re

POLICE_UK_ID = re.compile(r"[0-9a-f]{64}")
MADE_PREFIX = "gateway-"
MADE_ID = re.compile(MADE_PREFIX + r"[0-9a-f]{32}")


def made_id(key: str) -> str:
    """The gateway's id for a crime data.police.uk gave none, from a key of its own."""
    return MADE_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:32]


def is_police_uk_id(persistent_id: str | None) -> bool:
    return persistent_id is not None and POLICE_UK_ID.fullmatch(persistent_id) is not None


def as_police_uk(persistent_id: str | None) -> str:
    """The id as data.police.uk's formats write it: its own ids, and ``""`` for any other."""
    return persistent_id if is_police_uk_id(persistent_id) else ""  # type: ignore[return-value]
