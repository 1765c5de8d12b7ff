"""What a data-pack quantity or subject is called in a sentence (ids are for overrides files)."""

from __future__ import annotations

from kopru.language import ENGLISH, Words

# what a data-pack quantity is called in a sentence (its id is for overrides files)
QUANTITY_LABELS = {
    "wage_monthly_avg": "average wage",
    "wage_monthly_manufacturing": "manufacturing wage",
    "wage_growth_nominal": "nominal wage growth",
    "consumer_price_inflation": "consumer price inflation",
    "hours_per_month": "working hours",
    "labour_hours_factor": "labour hours a unit relative to a Turkish plant's",
    "social_tax_employer": "employer's social tax",
    "social_contributions_employer": "employer's social contributions",
    "social_contributions_employer_relief": "relief on the employer's social contributions",
    "electricity_price_industrial": "industrial electricity price",
    "gas_price_industrial": "industrial gas price",
    "land_lease": "land lease",
    "land_price": "land price",
    "premises_rent": "premises rent",
    "corporate_income_tax": "corporate income tax",
    "property_tax": "property tax",
    "customs_duty_on_inputs": "customs duty on inputs",
    "cost_per_teu_km": "freight rate per TEU-km",
    "cost_fixed_per_teu": "terminal charge per TEU",
    "speed_km_per_day": "speed",
    "road_circuity": "road circuity",
    "fx_per_usd": "exchange rate",
}
MODE_NAMES = {
    "mode:sea": "sea freight",
    "mode:rail": "rail freight",
    "mode:road": "road freight",
    "mode:ferry": "ferry (Caspian, Lake Van)",
}


def quantity_label(quantity: str, words: Words = ENGLISH) -> str:
    """A quantity as a sentence names it ('industrial gas price', not 'gas_price_industrial')."""
    label = QUANTITY_LABELS.get(quantity)
    return words(label) if label else quantity.replace("_", " ")


def value_label(
    subject: str, quantity: str, names: dict[str, str] | None = None, words: Words = ENGLISH
) -> str:
    """One value as a sentence names it: "sea freight's terminal charge per TEU", "Kazakhstan's
    industrial electricity price" (``names``: subject ids to names)."""
    mode = MODE_NAMES.get(subject)
    whose = words(mode) if mode else (names or {}).get(subject) or subject
    what = quantity_label(quantity, words)
    first, _, rest = what.partition(" ")
    if rest and whose.endswith(first):  # "rail freight's rate per TEU-km", not "... freight's freight rate"
        what = rest
    return words("%(whose)s's %(what)s", whose=whose, what=what)
