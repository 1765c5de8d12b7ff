"""Results carry what they were computed from, and what puts two results together checks it.

A library user's review: ``write_report(plan, risk=risk_of_another_profile)`` drew the other
profile's risk under this plan's name, and ``Store.record_risk(result, other_profile)`` filed a
result under a profile it was not computed for. Oracles: the inputs each call was given.
"""

import pytest
import yaml
from conftest import EXAMPLES

import kopru
from kopru.provenance import RunInputs

SAMPLES = 400
RUBLE_FREE = ["RU"]
CHEAP_TENGE = {"KZT.fx_per_usd": 520}


@pytest.fixture(scope="module")
def apparel() -> dict:
    return yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan(apparel):
    return kopru.plan(apparel)


@pytest.fixture(scope="module")
def risk(apparel):
    return kopru.risk(apparel, samples=SAMPLES)


def test_a_risk_result_carries_the_inputs_its_plan_records(apparel, plan, risk):
    assert risk.inputs == RunInputs.of_plan(plan)
    closed = kopru.risk(apparel, samples=SAMPLES, disruptions="khorgos", avoid="ru", overrides=CHEAP_TENGE)
    assert closed.inputs.disruptions == ("khorgos",)
    assert closed.inputs.avoid == ("RU",)  # as the plan writes it
    assert [o["key"] for o in closed.inputs.overrides] == ["KZT.fx_per_usd"]


@pytest.mark.parametrize(
    ("other", "words"),
    [
        ({"avoid": RUBLE_FREE}, "countries avoided RU where the plan has none"),
        ({"disruptions": ["khorgos"]}, "closed khorgos where the plan has none"),
        ({"overrides": CHEAP_TENGE}, "overrides KZT.fx_per_usd = 520 where the plan has none"),
    ],
)
def test_a_report_refuses_a_risk_result_of_other_inputs(apparel, plan, tmp_path, other, words):
    elsewhere = kopru.risk(apparel, samples=SAMPLES, **other)
    with pytest.raises(kopru.InputsMismatch, match="computed for other inputs than the plan") as caught:
        kopru.write_report(plan, tmp_path / "out", risk=elsewhere)
    assert words in str(caught.value) and caught.value.field == "risk"
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_a_report_refuses_another_profiles_ranking_by_company_and_product(plan, tmp_path):
    ranking = kopru.rank(EXAMPLES / "appliances.yaml", samples=SAMPLES)
    with pytest.raises(kopru.InputsMismatch) as caught:
        kopru.write_report(plan, tmp_path, ranking=ranking)
    company = plan.profile["company"]
    assert "profile 'Example Beyaz" in str(caught.value)
    assert f"where the plan has '{company}, {plan.profile['product']}'" in str(caught.value)
    assert caught.value.field == "ranking"


def test_a_report_of_the_same_inputs_draws_both_views(apparel, plan, risk, tmp_path):
    folder = kopru.write_report(plan, tmp_path, risk=risk, ranking=kopru.rank(apparel, samples=SAMPLES))
    assert folder.views == ("risk", "ranking")


def test_a_report_given_the_wrong_kind_of_result_names_it(plan, risk, tmp_path):
    """They were AttributeErrors: 'RiskResult' object has no attribute 'profile'."""
    with pytest.raises(kopru.OptionError, match=r"plan must be a Plan .* got RiskResult"):
        kopru.write_report(risk, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(
        kopru.OptionError, match=r"risk must be what kopru\.risk returns .* got Plan"
    ) as caught:
        kopru.write_report(plan, tmp_path, risk=plan)  # type: ignore[arg-type]
    assert caught.value.field == "risk"


def test_a_view_kept_for_avoided_countries_is_not_shown_for_a_plan_without(apparel, tmp_path):
    """The kept view's key left out the avoided countries: a risk run avoiding Russia was drawn in
    a later report of routes through it."""
    avoiding = kopru.plan(apparel, avoid=RUBLE_FREE)
    kopru.write_report(avoiding, tmp_path, risk=kopru.risk(apparel, samples=SAMPLES, avoid=RUBLE_FREE))
    later = kopru.write_report(kopru.plan(apparel), tmp_path)
    assert later.views == () and len(later.notes) == 1


def test_the_store_records_a_result_under_its_own_inputs(apparel, tmp_path):
    store = kopru.open_store(tmp_path / "s.duckdb")
    result = kopru.risk(apparel, samples=SAMPLES, avoid=RUBLE_FREE, overrides=CHEAP_TENGE)
    run = store.show(store.record_risk(result))  # no profile: the result's own
    assert run["company"] == apparel["company"]
    assert run["params"]["avoid"] == RUBLE_FREE
    assert run["overrides"]["KZT.fx_per_usd"]["value"] == 520
    ranked = kopru.rank(apparel, samples=SAMPLES, seed=3)
    params = store.show(store.record_rank(ranked))["params"]
    assert (params["samples"], params["seed"]) == (SAMPLES, 3)
    made = kopru.plan(apparel, overrides=CHEAP_TENGE)
    assert store.show(store.record_plan(made))["overrides"]["KZT.fx_per_usd"]["value"] == 520


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"profile": EXAMPLES / "appliances.yaml"}, "given profile 'Example Beyaz"),
        ({"overrides": CHEAP_TENGE}, "overrides KZT.fx_per_usd = 520 where the result has none"),
        ({"disruptions": ["khorgos"]}, "closed khorgos where the result has none"),
        ({"avoid": ["ru"]}, "countries avoided RU where the result has none"),
    ],
)
def test_the_store_refuses_a_result_under_other_inputs(risk, tmp_path, given, words):
    store = kopru.open_store(tmp_path / "s.duckdb")
    with pytest.raises(kopru.InputsMismatch, match="record_risk was given other inputs") as caught:
        store.record_risk(risk, **given)
    assert words in str(caught.value)
    assert not (tmp_path / "s.duckdb").exists()  # nothing recorded


def test_the_store_takes_the_same_inputs_however_they_are_written(apparel, tmp_path):
    """The command line passes the profile's path, the closures and countries as typed."""
    store = kopru.open_store(tmp_path / "s.duckdb")
    result = kopru.risk(apparel, samples=SAMPLES, avoid=RUBLE_FREE)
    run = store.show(store.record_risk(result, EXAMPLES / "apparel.yaml", None, [], ["ru"]))
    assert run["profile_path"] == str((EXAMPLES / "apparel.yaml").resolve())


def test_the_store_refuses_what_is_not_its_kind_of_result(plan, risk, tmp_path):
    store = kopru.open_store(tmp_path / "s.duckdb")
    with pytest.raises(
        kopru.OptionError, match=r"record_plan takes what kopru\.plan returns, got RiskResult"
    ):
        store.record_plan(risk)
    with pytest.raises(kopru.OptionError, match=r"record_risk takes what kopru\.risk returns, got Plan"):
        store.record_risk(plan)
    ranked = kopru.rank(EXAMPLES / "apparel.yaml", samples=SAMPLES)
    with pytest.raises(
        kopru.InputsMismatch, match="seed=5, but the ranking's risk criterion drew with seed=0"
    ):
        store.record_rank(ranked, seed=5)


def test_a_closure_the_profile_has_given_again_is_the_same_inputs(apparel, tmp_path, cli):
    """A diff review: once a plan closed a part given twice once, the store compared it with the
    closures as given (khorgos, khorgos), refused the risk run after computing it, and kopru risk
    printed nothing, exit 2. Oracle: the run recorded, closing khorgos once."""
    closed = {**apparel, "disruptions": ["khorgos"]}
    store = kopru.open_store(tmp_path / "s.duckdb")
    result = kopru.risk(closed, samples=SAMPLES, disruptions=["khorgos"])
    run = store.show(store.record_risk(result, closed, None, ["khorgos"], []))
    assert run["disruptions"] == ["khorgos"]
    path = tmp_path / "closed.yaml"
    path.write_text(yaml.safe_dump(closed, allow_unicode=True), encoding="utf-8")
    r = cli("risk", path, "--close", "khorgos", "--samples", SAMPLES, "--store", tmp_path / "cli.duckdb")
    assert r.code == 0 and "Khorgos" in r.out
