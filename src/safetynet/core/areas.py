"""The shipped area data (county and townships) and the shape of a village entry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class VillageSpec:
    code: str
    name: str
    township_code: str
    synthetic: bool = True


def county_data(county_code: str = "141029") -> dict:
    text = resources.files("safetynet.registry").joinpath(f"data/areas_{county_code}.json").read_text("utf-8")
    return json.loads(text)
