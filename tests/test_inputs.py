"""The look-ups a sweep's scenarios share (kopru.inputs.SharedSteps): each scenario gets what
its own prepare() would give (the oracle: prepare on the scenario's pack), and a step is done
again only for the sites and tables a change can reach."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import kopru
from kopru import inputs
from kopru.profile import Profile, load_profile

APPAREL = Path(__file__).parents[1] / "examples" / "apparel.yaml"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the sites whose inputs are looked up, call by call."""
    looked: list[str] = []
    real = inputs.site_inputs

    def counting(pack, table, sectors=(), rows=None):
        looked.extend(r.id for r in (rows if rows is not None else table.itertuples()))
        return real(pack, table, sectors, rows)

    monkeypatch.setattr(inputs, "site_inputs", counting)
    return looked


def test_a_change_looks_up_again_only_what_it_reaches(counted: list[str]):
    profile = load_profile(APPAREL)
    shared = inputs.SharedSteps(profile)
    sites, *_ = shared.costs({})
    assert len(counted) == len(sites)  # the first scenario looks every site up
    kz = set(sites["id"][sites["country"] == "KZ"])
    turkistan = set(sites["id"][sites["region"] == "KZ-61"])
    for overrides, again in [
        ({"tariff.EAEU_CCT.6109": 8}, set()),  # a duty: no site's inputs
        ({"KZ-61.electricity_price_industrial": 40}, turkistan),  # one region's sites
        ({"KZT.fx_per_usd": 600}, kz),  # the tenge: every Kazakh site, no Turkish one
        ({"KZT.fx_per_usd": 600, "tariff.EAEU_CCT.6109": 8}, set()),  # both seen before
    ]:
        counted.clear()
        shared.costs(overrides)
        assert set(counted) == again, overrides
        assert len(counted) == len(again)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"KZT.fx_per_usd": 600, "tariff.EAEU_CCT.6109": 8},
        {"KZ-10.electricity_price_industrial": 30},  # a region that had no value of its own
        {"mode:rail.cost_per_teu_km": 2.5, "TR.corporate_income_tax": 30},
    ],
)
def test_shared_look_ups_equal_a_scenario_own_prepare(overrides):
    profile = load_profile(APPAREL)
    shared = inputs.SharedSteps(profile)
    shared.costs({"KZT.fx_per_usd": 500, "KZ-61.wage_monthly_avg": 400000})  # something kept first
    sites, x, fx, demand = shared.costs(overrides)
    own = inputs.prepare(profile, kopru.load_data(overrides or None), report=False)
    assert sites.equals(own.sites) and fx == own.fx and np.array_equal(demand, own.demand)
    for name in x.__dataclass_fields__:
        assert np.array_equal(getattr(x, name), getattr(own.x, name)), name


def test_a_bought_input_pays_at_least_its_specific_minimum():
    """Hand oracle: T-shirts (HS 6109) bought in Istanbul as an input of a Kazakh plant pay the EAEU
    duty, the larger of its ad valorem rate and 1.75 EUR/kg (tariffs.csv), on price plus freight."""
    from kopru.profile import as_profile
    from kopru.trade import treatment

    data = load_profile(APPAREL).model_dump()
    data["materials"] = [
        {"name": "blank T-shirts", "cost": 0.50, "weight": "200 g", "origin": "istanbul", "hs": "6109"}
    ]
    profile = as_profile(data)
    pack = kopru.load_data()
    pre = inputs.prepare(profile, pack, report=False)
    x = pre.x_base
    kz = np.flatnonzero((pre.sites["country"] == "KZ").to_numpy())
    eaeu = treatment(pack, "TR", "EAEU", "6109")
    assert eaeu.min_eur_per_kg == pytest.approx(1.75)
    value = x.material_cost_usd[kz, 0] + x.material_freight_usd[kz, 0]
    minimum = 1.75 / pack.fx_per_usd("EUR") * 0.2  # USD per T-shirt
    expected = np.maximum(eaeu.rate, minimum / value)
    assert np.allclose(x.material_duty_rate[kz, 0], expected)
    assert (x.material_duty_rate[kz, 0] > eaeu.rate).all()  # the minimum binds on a 0.50 input
    tr = np.flatnonzero((pre.sites["country"] == "TR").to_numpy())
    assert np.all(x.material_duty_rate[tr, 0] == 0)  # bought in Türkiye: no duty


def test_a_bulky_input_pays_for_the_space_it_takes_in_the_box():
    """Review note: inbound freight went by weight alone, so a light, bulky input (foam, cartons)
    travelled almost free. Oracle: hand arithmetic on the shipped container: an input pays the share
    of a TEU its weight takes of the payload, or its volume of the box where that is more."""
    pack = kopru.load_data()
    payload = pack.param("container:teu", "teu_payload").value
    box = pack.param("container:teu", "teu_volume").value
    data = load_profile(APPAREL).model_dump()
    by_weight = inputs.prepare(load_profile(APPAREL), pack).x.material_freight_usd[:, 1]
    trims_kg = data["materials"][1]["weight"]
    data["materials"][1]["volume"] = 20 * trims_kg / payload * box  # 20 times its weight's share
    bulky = inputs.prepare(Profile.model_validate(data), pack).x.material_freight_usd[:, 1]
    reached = np.isfinite(by_weight) & (by_weight > 0)
    assert reached.any()
    assert bulky[reached] == pytest.approx(20 * by_weight[reached], rel=1e-12)
    data["materials"][1]["volume"] = 0.5 * trims_kg / payload * box  # weight fills the box first
    light = inputs.prepare(Profile.model_validate(data), pack).x.material_freight_usd[:, 1]
    assert light[reached] == pytest.approx(by_weight[reached], rel=1e-12)
