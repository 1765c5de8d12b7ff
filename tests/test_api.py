"""The public surface: what `import kopru` offers, one error tree, and every verb taking a mapping."""

import importlib
import inspect
import pkgutil
import subprocess
import sys

import numpy as np
import pytest
import yaml
from conftest import EXAMPLES

import kopru
from kopru import errors

VERBS = {
    "check_data",
    "load_data",
    "load_profile",
    "open_store",
    "optimize",
    "plan",
    "rank",
    "risk",
    "route",
    "solve_cflp",
    "sweep",
    "write_report",
}


def all_modules() -> list[str]:
    return ["kopru", *(m.name for m in pkgutil.walk_packages(kopru.__path__, "kopru."))]


def test_public_api():
    exported = set(kopru.__all__)
    assert exported >= VERBS
    assert {c.__name__ for c in errors.ERRORS + errors.WARNINGS} <= exported
    for name in kopru.__all__:
        assert hasattr(kopru, name), name
    for name in ("passes", "pool", "imaging"):
        assert callable(getattr(kopru.space, name))


def test_every_exception_in_the_package_is_a_kopru_error_exported_from_kopru():
    found = set()
    for name in all_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__.startswith("kopru"):
                found.add(cls)
    assert len(found) >= len(errors.ERRORS)
    for cls in found:
        base = errors.KopruWarning if issubclass(cls, Warning) else errors.KopruError
        assert issubclass(cls, base), f"{cls.__module__}.{cls.__name__} is not a {base.__name__}"
        assert getattr(kopru, cls.__name__, None) is cls, f"{cls.__name__} is not exported from kopru"
    assert all(issubclass(c, ValueError) for c in errors.ERRORS)


def test_the_error_tree_is_documented():
    doc = errors.__doc__ or ""
    for cls in errors.ERRORS + errors.WARNINGS:
        assert cls.__name__ in doc


def test_errors_carry_what_they_are_about(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("company: x\nproduct: y: z\nhs: 6109\n", encoding="utf-8")
    with pytest.raises(kopru.ProfileError) as caught:
        kopru.load_profile(bad)
    assert caught.value.file == str(bad) and caught.value.line == 2
    data = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
    data["markets"][1]["demand"] = -5
    with pytest.raises(kopru.ProfileError) as caught:
        kopru.plan(data)
    assert caught.value.field == "markets[1].demand"
    assert [f.field for f in caught.value.fields] == ["markets[1].demand"]


@pytest.fixture(scope="module")
def apparel() -> dict:
    return yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))


def test_every_profile_verb_takes_a_mapping_a_path_and_a_profile(apparel):
    profile = kopru.load_profile(EXAMPLES / "apparel.yaml")
    plans = [kopru.plan(p) for p in (apparel, EXAMPLES / "apparel.yaml", profile)]
    assert len({p.recommendation.total for p in plans}) == 1
    assert kopru.optimize(apparel, sensitivity=False).network.status == "optimal"
    assert kopru.risk(apparel, samples=300).as_dict() == kopru.risk(profile, samples=300).as_dict()
    # this used to fail with AttributeError: 'dict' object has no attribute 'sectors'
    ranked = kopru.rank(apparel, samples=300)
    assert ranked.as_dict() == kopru.rank(EXAMPLES / "apparel.yaml", samples=300).as_dict()


def test_a_profile_of_the_wrong_type_is_a_profile_error():
    with pytest.raises(kopru.ProfileError, match="expected a Profile, a path"):
        kopru.plan(42)  # type: ignore[arg-type]


def test_route_legs_carry_their_sources():
    route = kopru.route("baku", "kars")
    known = set(kopru.load_data().sources.index)
    for leg in route.legs:
        assert leg.source and set(leg.source.split(";")) <= known


def test_importing_kopru_and_planning_load_no_engine_they_do_not_need():
    """The command line starts fast: `import kopru` loads no pandas, a plan no solver or satellite
    code, and `kopru cflp` no pandas (measured in a fresh interpreter)."""
    probe = (
        "import sys, kopru; light = 'pandas' not in sys.modules\n"
        "kopru.plan('{path}')\n"
        "heavy = ('sgp4', 'highspy', 'duckdb', 'distributed', 'fastapi')\n"
        "print(light, [m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe.format(path=EXAMPLES / "apparel.yaml")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split(maxsplit=1)
    assert out[0] == "True" and out[1].strip() == "[]"
    cap41 = EXAMPLES.parent / "tests" / "data" / "orlib-cap" / "cap41.txt"
    cflp = (
        "import sys\nfrom kopru.cli import main\n"
        f"try:\n    main(['cflp', '{cap41}', '--json'])\nexcept SystemExit:\n    pass\n"
        "print('pandas' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", cflp], capture_output=True, text=True)
    assert '"status": "optimal"' in done.stdout and done.stderr.strip() == "False"


def test_the_package_and_its_api_module_export_the_same_verbs():
    """A library user's review: kopru.api.__all__ left out match, solve_gap and three more."""
    import kopru.api

    assert set(kopru.__all__) - set(errors.__all__) - {"__version__"} == set(kopru.api.__all__)
    assert "space" in dir(kopru)


def test_a_single_name_is_one_name_not_its_letters(apparel):
    """plan(P, disruptions="khorgos") closed 'k', avoid="RU" asked for country 'R'."""
    one = kopru.plan(apparel, disruptions="khorgos", avoid="RU")
    listed = kopru.plan(apparel, disruptions=["khorgos"], avoid=["RU"])
    assert one.disruptions == listed.disruptions and one.ranking == listed.ranking
    with pytest.raises(kopru.OptionError, match="disruptions must be names") as caught:
        kopru.plan(apparel, disruptions=[3])
    assert caught.value.field == "disruptions"


@pytest.mark.parametrize(
    ("call", "field", "words"),
    [
        (lambda: kopru.route("baku", "kars", criterion="fast"), "criterion", "cost, time or distance"),
        (lambda: kopru.route(1, 2), "origin", "a node's id or name"),
        (lambda: kopru.plan(EXAMPLES / "apparel.yaml", overrides=123), "overrides", "a YAML file's path"),
        (
            lambda: kopru.plan(EXAMPLES / "apparel.yaml", optimize="yes"),
            "optimize",
            "True, False or a mapping",
        ),
    ],
)
def test_a_wrong_type_is_a_kopru_error_naming_the_argument(call, field, words):
    """They were KeyError, AttributeError and TypeError, or 'yes' ran the optimizer."""
    with pytest.raises(kopru.OptionError, match=words) as caught:
        call()
    assert caught.value.field == field


def test_an_unknown_site_of_a_plan_is_named(apparel):
    plan = kopru.plan(apparel)
    with pytest.raises(kopru.UnknownSite, match="no site 'nowhere' in this plan; its sites are ids such as"):
        plan.site("nowhere")


def test_the_data_pack_a_user_changes_is_their_own_copy():
    """load_data() handed out kopru's own pack: multiplying its edge costs by 20 changed every route.
    Oracle: the route's cost before the change."""
    before = kopru.route("baku", "kars").cost_usd_per_teu
    pack = kopru.load_data()
    pack.edges["cost_usd_per_teu"] *= 20
    assert kopru.route("baku", "kars").cost_usd_per_teu == before
    assert kopru.load_data().edges["cost_usd_per_teu"].sum() < pack.edges["cost_usd_per_teu"].sum()


def test_a_store_exports_to_a_folder_named_by_text(apparel, tmp_path):
    store = kopru.open_store(str(tmp_path / "s.duckdb"))
    store.record_plan(kopru.plan(apparel))
    written = store.export(str(tmp_path / "out"), "csv")
    assert written and all((tmp_path / "out" / f"{name}.csv").exists() for name in written)


def test_rank_takes_its_weights_as_a_mapping_too(apparel):
    """A library user's review: weights={"cost": 0.5, "risk": 0.5} was a TypeError; only a file
    was read. Oracle: the same weights from a YAML file."""
    import tempfile
    from pathlib import Path

    given = {"cost": 0.5, "risk": 0.5}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.yaml"
        path.write_text(yaml.safe_dump({"weights": given}), encoding="utf-8")
        from_file = kopru.rank(apparel, weights=path, samples=200)
    from_mapping = kopru.rank(apparel, weights=given, samples=200)
    assert list(from_mapping.table.index) == list(from_file.table.index)
    with pytest.raises(kopru.RankError, match="unknown criterion 'costs'"):
        kopru.rank(apparel, weights={"costs": 1.0}, samples=200)


def test_a_plan_and_its_results_come_as_data_frames(apparel):
    """A notebook user's review: every figure was a walk through nested models. Oracles: the
    models' own values, and the identities the plan keeps (components and markets add up)."""
    plan = kopru.plan(apparel, disruptions="khorgos")
    sites = plan.to_frame()
    assert list(sites.index[: len(plan.ranking)]) == plan.ranking
    for sid in plan.ranking[:3]:
        assert sites.loc[sid, "total"] == plan.site(sid).landed_cost.total
        assert sites.loc[sid, "name"] == plan.site(sid).name
    costed = sites[sites["feasible"]]
    assert (costed[plan.components].sum(axis=1) - costed["total"]).abs().max() < 1e-6 * costed["total"].max()
    markets = plan.markets_frame()
    by_site = markets["annual"].groupby(level="site").sum()
    assert np.allclose(by_site[costed.index], costed["total"], rtol=1e-9)
    assert set(markets.xs("mkt_RU", level="market")["market_name"]) == {"Russia"}

    risk = kopru.risk(apparel, samples=500)
    stats = risk.to_frame()
    assert stats.loc[risk.recommended, "mean"] == risk.site(risk.recommended).mean
    assert stats["p_best"].sum() == pytest.approx(1.0)
    assert stats["same_draws_as"].map(len).sum() == sum(len(s.same_draws_as) for s in risk.sites)  # lists

    ranked = kopru.rank(apparel, samples=500).to_frame()
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert ranked["name"].iloc[0] == plan.site(ranked.index[0]).name


SUBJECTS = {
    "route": 2,
    "compare": 2,
    "write_report": 2,
    "write_sweep": 2,
}  # the verbs whose subject is two arguments


def test_every_option_after_a_verbs_subject_is_named():
    """kopru.risk(profile, 7) read 7 as samples, and the verbs ordered the same options differently
    (overrides third in plan, fourth in risk, sixth in rank): an option is now always named."""
    from kopru import api

    for verb in api.__all__:
        params = list(inspect.signature(getattr(api, verb)).parameters.values())
        positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert len(positional) <= SUBJECTS.get(verb, 1), (verb, positional)
    with pytest.raises(TypeError, match="positional argument"):
        kopru.risk(EXAMPLES / "apparel.yaml", 7)  # type: ignore[misc]
