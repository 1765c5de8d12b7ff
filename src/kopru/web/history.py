"""What the Runs page shows from the DuckDB scenario store: every run of ``kopru plan``, ``risk``,
``rank``, ``sweep`` and of this web app, newest first, one run's inputs and results, two side by side;
and a stored match run's options as the Match page's form holds them (:func:`match_form`), a plan or
risk run's profile and options as the Plan page's (:func:`plan_form`), so a run this server no longer
holds can be asked again.

Read-only views of :class:`kopru.store.Store` (``summaries``, ``show``, ``compare``); nothing is
computed here beyond naming sites and making the rows JSON-safe. The store is shared with the
command line, which locks it while it writes: a read waits at most :data:`READ_TIMEOUT` seconds
for the lock and then answers 503 with Retry-After, rather than hold a request for a minute.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import HTTPException
from pydantic import BaseModel, Field

from kopru import display
from kopru.datapack import DataPack
from kopru.display import COUNTRY_NAMES, and_list, code_of
from kopru.sites import plant_id
from kopru.store import (
    HEADLINE_METRICS,
    RunNotFound,
    RunsNotComparable,
    Store,
    StoreBusy,
    StoreError,
    StoreMissing,
    default_path,
    headline,
    result_text,
)
from kopru.web.runs import MatchRuns, RunStore

log = logging.getLogger("kopru.web")

READ_TIMEOUT = 3.0  # seconds a page waits for a store that another kopru is writing
RETRY_AFTER = "2"
Kind = Literal["plan", "risk", "rank", "sweep", "match"]
Held = Callable[[str], bool]  # whether this server still holds a run (and can serve its files)


def held_by(runs: RunStore, matches: MatchRuns) -> Held:
    """A plan or risk run in ``runs`` or a match run in ``matches``: their ids never collide (each is
    the store's id or random hex)."""
    return lambda run_id: runs.get(run_id) is not None or matches.get(run_id) is not None


# -- response models ----------------------------------------------------------------------------
class Headline(BaseModel):
    """The first thing to read in a run's results (see :func:`kopru.store.headline`)."""

    item: str | None = Field(
        description="site id (plan, risk, rank), scenario name (sweep) or 'portfolio' (match)"
    )
    name: str | None = Field(default=None, description="the site's name, when item is a site")
    metric: str | None = Field(description="total, mean, score, best_total or objective (match)")
    value: float | None
    count: int = Field(description="sites, scenarios or enterprises in the run's results")
    p_best: float | None = None
    text: str | None = Field(default=None, description="a sweep's best site in its cheapest scenario")
    text_name: str | None = None
    saving_pct: float | None = None
    enterprises: float | None = Field(default=None, description="a match run's enterprises placed")


class StoredRun(BaseModel):
    """One line of the Runs page: a run of the scenario store."""

    id: str
    kind: str
    created: str = Field(description="UTC, ISO 8601")
    company: str | None
    product: str | None
    currency: str | None
    profile_path: str | None = Field(description="the profile file a command-line run read")
    disruptions: list[str]
    overridden: list[str] = Field(description="data-pack values the run replaced")
    replaced: list[str] = Field(
        default=[], description="what the run replaced, as a reader names it ('Kazakhstan's ... = 1.5')"
    )
    params: dict[str, Any] = Field(description="the run's options (samples, seed, method, ...)")
    inputs_hash: str
    data_pack_version: str | None
    kopru_version: str | None
    headline: Headline | None
    on_server: bool = Field(
        description="this server holds the run: a plan's GET /api/runs/{id}/plan.json, a match's"
        " GET /api/match/{id} work"
    )
    named: dict[str, str] = Field(
        default={}, description="names of the region and country codes in params (a match's targets)"
    )


class StoreListing(BaseModel):
    store: str = Field(description="the scenario store's file name (where it is stays on the server)")
    exists: bool
    total: int = Field(description="runs in the store (of the kind asked for)")
    runs: list[StoredRun]
    message: str | None = None


class StoredResult(BaseModel):
    item: str
    metric: str
    value: float | None
    text: str | None


class StoredRunDetail(StoredRun):
    inputs: dict[str, Any] = Field(description="everything the run's inputs hash covers")
    overrides: dict[str, Any] | None
    names: dict[str, str] = Field(description="site ids of the results with their names")
    results: list[StoredResult]


class CompareRow(BaseModel):
    item: str
    metric: str
    a: float | None
    b: float | None
    diff: float | None = Field(description="b - a")


class StoreComparison(BaseModel):
    a: StoredRun
    b: StoredRun
    names: dict[str, str]
    rows: list[CompareRow]


class MatchForm(BaseModel):
    """A match run's options as the Match page's form holds them (the shape GET /api/match/{id}
    gives a held run's, so the page fills its form one way), and what the form cannot be given."""

    run: str
    created: str = Field(description="UTC, ISO 8601")
    on_server: bool = Field(description="this server holds the run: GET /api/match/{id} shows its portfolio")
    source: str | None = Field(
        description="example:pipeline, or upload:<file name> for a file the user must choose again"
    )
    command_line: bool = Field(default=False, description="the run read its pipeline on the command line")
    options: dict[str, Any] = Field(
        description="objective, hurdle_pct, max_incentive_cost, min_jobs (region codes), confirmed_only,"
        " avoid (country codes), prefer, include_operating, own_zones (None: not recorded)"
    )
    avoid_names: list[str]
    missing: list[str] = Field(description="options the stored run does not record")
    notes: list[str] = Field(description="what the form is filled with instead of the run's own options")


# what a match run's options are when its params do not say, and what the form then shows
MISSING_SAID = {
    "pipeline": "which pipeline it matched (choose the example or a file)",
    "objective": "its objective (the form shows jobs)",
    "hurdle_pct": "its hurdle (the form leaves it blank: each row's own, else 10 %)",
    "min_jobs": "its jobs targets (the form sets none)",
    "max_incentive_cost": "its cap on the incentives' cost (the form sets none)",
    "confirmed_only": "whether it placed on confirmed SEZ eligibility only (the box is left unticked)",
    "avoid": "the countries its routes went around (the box is left unticked)",
    "prefer": "how it broke ties (the page breaks them toward the least cost to the state)",
    "include_operating": "whether it placed plants already operating (the page places new projects only)",
    "zones": "whether it was run with zones of its own",
}


def match_form(params: dict[str, Any], region_names: dict[str, str], example: Path | None = None) -> dict:
    """A stored match run's params (what ``record_match`` keeps: the web's ``pipeline`` is
    ``example:pipeline`` or ``upload:<name>``, the command line's the file's path) as the Match
    form's fields: ``source``, ``options`` (the keys of :class:`MatchRun`'s), ``missing`` (the
    options the params lack: the form keeps its default there) and ``notes`` (what could not be put
    in the form as recorded). ``example``: the shipped example pipeline, which a command-line run
    may have read by its path. A file is named, never read: the user chooses it again."""
    from kopru.matchmaking import OBJECTIVES

    params = params if isinstance(params, dict) else {}
    missing = [k for k in MISSING_SAID if k not in params]
    notes: list[str] = []
    options: dict[str, Any] = {}

    source, command_line = None, False
    pipeline = params.get("pipeline")
    if isinstance(pipeline, str) and pipeline.startswith(("example:", "upload:")):
        source = pipeline
    elif isinstance(pipeline, str) and pipeline.strip():
        command_line = True
        is_example = example is not None and pipeline == str(example.resolve())
        name = pipeline.replace("\\", "/").rsplit("/", 1)[-1]  # its name: the path is the server's
        source = "example:pipeline" if is_example else f"upload:{name}"
    elif "pipeline" in params:  # recorded, but not as a file or the example: the user chooses one
        notes.append(f"its pipeline {pipeline!r} is not a file's name: choose the example or a file")

    objective = params.get("objective")
    options["objective"] = objective if objective in OBJECTIVES else "jobs"
    if "objective" in params and objective not in OBJECTIVES:
        notes.append(f"its objective {objective!r} is not one the form offers: it shows jobs")

    def number(key: str, label: str, below: float = math.inf) -> float | None:
        value = params.get(key)
        if value is None:
            return None
        if _count(value) and value < below:
            return float(value)
        notes.append(f"its {label} {value!r} is not a number the form takes: it is left blank")
        return None

    options["hurdle_pct"] = number("hurdle_pct", "hurdle", 100.0)
    options["max_incentive_cost"] = number("max_incentive_cost", "cap on the incentives' cost")

    # the command line keeps a target's region as it was typed ('Shymkent'); the form lists codes
    targets: dict[str, float] = {}
    given = params.get("min_jobs")
    if given is not None and not isinstance(given, dict):
        notes.append(f"its jobs targets {given!r} are not region: jobs pairs: none is set")
    for region, jobs in given.items() if isinstance(given, dict) else ():
        code = code_of(str(region), region_names)
        if code is None or not _count(jobs):
            notes.append(f"its target of {jobs!r} jobs in {region!r} is not one the form can hold: left out")
            continue
        targets[code] = float(jobs)
    options["min_jobs"] = targets

    avoid = params.get("avoid") if isinstance(params.get("avoid"), list) else []
    if params.get("avoid") is not None and not isinstance(params.get("avoid"), list):
        notes.append(
            f"the countries it avoided, {params['avoid']!r}, are not a list of codes: none is ticked"
        )
    options["avoid"] = [c.upper() for c in avoid if isinstance(c, str)]
    options["confirmed_only"] = params.get("confirmed_only") is True
    options["include_operating"] = params.get("include_operating") is True
    prefer = params.get("prefer")
    options["prefer"] = prefer if prefer in ("state_cost", "saving") else "state_cost"
    if "prefer" in params and prefer not in ("state_cost", "saving"):
        notes.append(f"its tie-break {prefer!r} is not one kopru has: ties go to the least cost to the state")
    options["own_zones"] = bool(params.get("zones")) if "zones" in params else None
    if missing:
        notes.insert(0, "the store does not record " + and_list([MISSING_SAID[k] for k in missing]))
    return {
        "source": source,
        "command_line": command_line,
        "options": options,
        "avoid_names": [COUNTRY_NAMES.get(c, c) for c in options["avoid"]],
        "missing": missing,
        "notes": notes,
    }


def _count(value: Any) -> bool:
    """A finite number >= 0 (JSON's true is not one)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < math.inf


def stored_match_form(
    path: str | Path | None, held: Held, region_names: dict[str, str], run_id: str, example: Path
) -> MatchForm:
    """A match run of the scenario store as the Match form holds it (404: no such match run)."""
    row = _show(store_at(path), run_id)
    if row["kind"] != "match":
        said = f"run {run_id} of the scenario store is a {row['kind']} run, not a match run"
        raise HTTPException(status_code=404, detail=said)
    return MatchForm(
        run=row["id"],
        created=_created(row["created"]),
        on_server=held(row["id"]),
        **match_form(row.get("params") or {}, region_names, example),
    )


class PlanForm(BaseModel):
    """A plan or risk run's inputs as the Plan page's form holds them, and what the form cannot be
    given. ``profile``, ``disruptions``, ``optimize`` and ``overrides`` (a risk run's ``samples`` and
    ``seed`` too) are the body of POST /api/jobs (POST /api/risk): posted back, they run it again."""

    run: str
    kind: Literal["plan", "risk"]
    created: str = Field(description="UTC, ISO 8601")
    on_server: bool = Field(description="this server holds the run: GET /api/runs/{id} shows its plan")
    company: str | None
    product: str | None
    profile: dict[str, Any] | None = Field(
        description="the profile itself, its avoid with the countries a run's --avoid went around"
        " (None: the store kept none)"
    )
    disruptions: list[str] = Field(description="the corridor parts it closed beyond its profile's own")
    optimize: bool = Field(description="whether it also optimized the network (False when not recorded)")
    overrides: dict[str, Any] | None = Field(description="every data-pack value it replaced, as it gave them")
    what_if: dict[str, str] = Field(description="the overrides the form's what-if inputs hold, as typed")
    samples: int | None = Field(default=None, description="a risk run's draws, within what the web allows")
    seed: int | None = None
    missing: list[str] = Field(description="options the stored run does not record")
    notes: list[str] = Field(description="what the form is filled with instead of the run's own inputs")


# what a plan or risk run's options are when the store does not say, and what the form then shows
PLAN_MISSING_SAID = {
    "optimize": "whether its plan also optimized the network (the box is left unticked)",
    "samples": "how many draws it made (the form keeps its default)",
    "seed": "its seed (the form keeps 0)",
}


def plan_form(
    row: dict[str, Any],
    what_if_keys: tuple[str, ...],
    samples_range: tuple[int, int, int],
    seed_max: int,
    current_pack: str | None = None,
) -> dict:
    """A stored plan or risk run (what :meth:`kopru.store.Store.show` gives) as the Plan form's
    fields (see :class:`PlanForm`). ``samples_range``: the web's least, most and default draws;
    ``current_pack``: this server's data-pack version, said when the run's differs."""
    inputs = row.get("inputs") or {}
    params = row.get("params") or inputs.get("params") or {}
    params = params if isinstance(params, dict) else {}
    kind = row["kind"]
    profile = inputs.get("profile") if isinstance(inputs.get("profile"), dict) else None
    notes: list[str] = []
    # a risk run records its draws, not whether the plan shown beside it optimized the network
    wanted = ("optimize",) if kind == "plan" else ("optimize", "samples", "seed")
    missing = [k for k in wanted if k not in params]

    if profile is None:
        notes.append("the store keeps no profile for this run: the form cannot be filled from it")
    own = set((profile or {}).get("disruptions") or [])
    # the profile carries its own closures: the form's field gives only the run's others
    disruptions = [str(d) for d in row.get("disruptions") or inputs.get("disruptions") or [] if d not in own]

    overrides = row.get("overrides") if isinstance(row.get("overrides"), dict) else None
    what_if: dict[str, str] = {}
    others: list[str] = []
    for key, given in (overrides or {}).items():
        if key in what_if_keys and isinstance(given, str | int | float) and not isinstance(given, bool):
            what_if[key] = str(given)
        else:
            others.append(str(key))
    if others:
        said = and_list(replaced_values({k: overrides[k] for k in others}))
        them = "it" if len(others) == 1 else "them"
        notes.append(
            f"it also replaced {said}, which the form has no input for: a run here leaves {them} out"
            " (kopru plan --overrides takes them from a file)"
        )

    profile = _with_avoided(profile, params.get("avoid"), notes)

    samples = seed = None
    if kind == "risk":
        least, most, default = samples_range
        drawn = params.get("samples")
        samples = default
        if isinstance(drawn, int) and not isinstance(drawn, bool):
            samples = min(max(drawn, least), most)
            if samples != drawn:
                said = f"{least:,} to {most:,}, so {samples:,}"
                notes.append(f"it drew {drawn:,} samples; this page draws {said}")
        seed_given = params.get("seed")
        seed = 0
        if isinstance(seed_given, int) and not isinstance(seed_given, bool) and 0 <= seed_given <= seed_max:
            seed = seed_given
        elif seed_given is not None:
            notes.append(f"its seed {seed_given!r} is not one this page takes: the form keeps 0")
        if params.get("uncertainty") is not None and not _shipped_draws(params["uncertainty"], overrides):
            notes.append(
                "it drew from distributions other than the data pack's (an uncertainty file, or an older"
                " data pack): a risk run here draws from the data pack's"
            )
    version = row.get("data_pack_version") or inputs.get("data_pack_version")
    if current_pack and version and version != current_pack:
        notes.append(f"it used data pack {version}; this server has {current_pack}: the figures may differ")
    if missing:
        notes.insert(0, "the store does not record " + and_list([PLAN_MISSING_SAID[k] for k in missing]))
    return {
        "kind": kind,
        "company": row.get("company") or (profile or {}).get("company"),
        "product": row.get("product") or (profile or {}).get("product"),
        "profile": profile,
        "disruptions": disruptions,
        "optimize": params.get("optimize") is True,
        "overrides": overrides,
        "what_if": what_if,
        "samples": samples,
        "seed": seed,
        "missing": missing,
        "notes": notes,
    }


def _with_avoided(profile: dict[str, Any] | None, given: Any, notes: list[str]) -> dict[str, Any] | None:
    """The profile with the countries a run's routes went around beside its own (``kopru plan
    --avoid`` keeps them out of the profile): the form ticks them, and posted back the profile
    routes the same way."""
    if given is None or profile is None:
        return profile
    if not isinstance(given, list) or not all(isinstance(c, str) for c in given):
        said = f"the countries its routes went around, {given!r}, are not a list of codes: none of them"
        said += " is ticked"
        notes.append(said)
        return profile
    own = profile.get("avoid", [])
    if not isinstance(own, list):  # the profile's own mistake, left for the form to show
        notes.append(
            "the countries its routes went around are not put in the form: its profile's avoid is not a list"
        )
        return profile
    added = sorted({c.upper() for c in given} - {str(c).upper() for c in own})
    if not added:
        return profile
    return {**profile, "avoid": [*own, *added]}


def _shipped_draws(recorded: Any, overrides: dict[str, Any] | None) -> bool:
    """Whether a risk run drew from the distributions this server would draw from (the shipped ones,
    under the run's overrides); a data pack that cannot be built for them says nothing."""
    from kopru import api
    from kopru.montecarlo.spec import shipped_uncertainty

    try:
        shipped = shipped_uncertainty(api.data_pack(overrides)).as_dict()
    except Exception:  # overrides this data pack refuses: the run's own note is the one to read
        return True
    return _canonical(shipped) == _canonical(recorded)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def stored_plan_form(
    path: str | Path | None,
    held: Held,
    run_id: str,
    what_if_keys: tuple[str, ...],
    samples_range: tuple[int, int, int],
    seed_max: int,
    current_pack: str | None,
) -> PlanForm:
    """A plan or risk run of the scenario store as the Plan form holds it (404: no such run)."""
    row = _show(store_at(path), run_id)
    if row["kind"] not in ("plan", "risk"):
        said = f"run {run_id} of the scenario store is a {row['kind']} run, not a plan or risk run"
        raise HTTPException(status_code=404, detail=said)
    return PlanForm(
        run=row["id"],
        created=_created(row["created"]),
        on_server=held(row["id"]),
        **plan_form(row, what_if_keys, samples_range, seed_max, current_pack),
    )


# -- reading ------------------------------------------------------------------------------------
def store_at(path: str | Path | None) -> Store:
    return Store(Path(path) if path is not None else default_path(), lock_timeout=READ_TIMEOUT)


def unavailable(exc: StoreError) -> HTTPException:
    """A store that cannot be read now: busy (retry shortly) or unusable. The full message, with the
    server's paths, goes to the server log; the client reads what it can act on."""
    log.warning("scenario store unavailable: %s", exc)
    if isinstance(exc, StoreBusy):
        who = (
            "held by another program" if "another program" in str(exc) else "busy (another kopru is writing)"
        )
        return HTTPException(
            status_code=503,
            detail=f"the scenario store is {who}; try again shortly",
            headers={"Retry-After": RETRY_AFTER},
        )
    return HTTPException(status_code=503, detail="the scenario store cannot be read; the server log says why")


def site_names(pack: DataPack) -> dict[str, str]:
    """Names of every site id a run may name (:func:`kopru.display.site_names`)."""
    return display.site_names(pack)


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _text(text: str | None) -> str | None:
    """A text result for reading: a recorded site id without its JSON quotes."""
    value = result_text(text)
    if value is None or isinstance(value, str):
        return value
    return text


def _created(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")
    return str(value)


def replaced_values(overrides: dict[str, Any]) -> list[str]:
    """Each override as a reader names it, with its value (a web review: runs that set different
    what-if values all read '1 value overridden')."""
    from kopru import api
    from kopru.datapack.labels import QUANTITY_LABELS, value_label

    pack = api.data_pack()
    names = display.subject_names(pack)
    out = []
    for key, given in sorted(overrides.items()):
        subject, _, quantity = str(key).partition(".")
        named = quantity in QUANTITY_LABELS and not any(c in subject for c in "*?[")  # a pattern: its key
        what = value_label(subject, quantity, names) if named else str(key)
        # the quantity's one unit, when it has one and it is not a pure number
        units = [u for u in pack.quantities.get(quantity, {}).get("units") or [] if u != "1"]
        if isinstance(given, dict) and "factor" in given:
            said = f"× {given['factor']}"
        elif isinstance(given, dict):  # a value in its own unit and year, when it says them
            unit = given.get("unit") or (units[0] if len(units) == 1 else "")
            year = f" (of {given['year']})" if given.get("year") else ""
            said = f"= {given.get('value')} {unit}".rstrip() + year
        else:
            said = f"= {given} {units[0] if len(units) == 1 else ''}".rstrip()
        out.append(f"{what} {said}")
    return out


def _scalars(params: dict[str, Any] | None) -> dict[str, Any]:
    """The options the list shows: a risk run's params hold its whole uncertainty spec, so only values,
    and short lists or mappings of values (a match's countries avoided and jobs targets)."""

    def scalar(v: Any) -> bool:
        return isinstance(v, str | int | float | bool) or v is None

    def shown(v: Any) -> bool:
        if isinstance(v, list):
            return len(v) <= 20 and all(scalar(x) for x in v)
        if isinstance(v, dict):
            return len(v) <= 20 and all(scalar(x) for x in v.values())
        return scalar(v)

    return {k: v for k, v in (params or {}).items() if shown(v)}


def _stored(row: dict[str, Any], names: dict[str, str], held: Held, full_params: bool = False) -> dict:
    head = row.get("headline")
    inputs = row.get("inputs") or {}
    # a profile's plants by the names it gave them, as the run's own plan names them (a web review:
    # 'Denizli (existing plant)' in the list, 'Denizli plant (existing)' everywhere else)
    plants = row.get("baseline") or (inputs.get("profile") or {}).get("baseline") or []
    names = names | {
        plant_id(p["province"], p.get("existing", True)): p["name"]
        for p in plants
        if isinstance(p, dict) and p.get("name") and p.get("province")
    }
    if head is not None:
        head = {**head, "value": _finite(head.get("value"))}
        head["name"] = names.get(head["item"]) if head.get("item") else None
        if head.get("text"):
            head["text_name"] = names.get(head["text"])
    currency = row.get("currency") or ((inputs.get("profile") or {}).get("currency"))
    return dict(
        id=row["id"],
        kind=row["kind"],
        created=_created(row["created"]),
        company=row.get("company"),
        product=row.get("product"),
        currency=currency,
        profile_path=row.get("profile_path"),
        disruptions=[str(d) for d in row.get("disruptions") or []],
        overridden=sorted(str(k) for k in (row.get("overrides") or {})),
        replaced=replaced_values(row.get("overrides") or {}),
        params=(row.get("params") or {}) if full_params else _scalars(row.get("params")),
        inputs_hash=row["inputs_hash"],
        data_pack_version=row.get("data_pack_version"),
        kopru_version=row.get("kopru_version"),
        headline=head,
        on_server=held(row["id"]),
        named=_codes_named(row.get("params") or {}, names),
    )


def _codes_named(params: dict[str, Any], names: dict[str, str]) -> dict[str, str]:
    """The region codes of a match's jobs targets and the countries it avoided, by name."""
    codes = [*(params.get("min_jobs") or {}), *(params.get("avoid") or [])]
    return {c: names.get(c) or COUNTRY_NAMES.get(c, c) for c in codes if isinstance(c, str)}


def listing(
    path: str | Path | None, held: Held, names: dict[str, str], limit: int, kind: str | None
) -> StoreListing:
    store = store_at(path)
    if not store.path.exists():
        return StoreListing(
            store=store.path.name,
            exists=False,
            total=0,
            runs=[],
            message=f"No runs recorded yet: the scenario store {store.path.name} does not exist. It is"
            " created when the first plan or risk run is recorded, here or by kopru plan, risk, rank or"
            " sweep.",
        )
    try:
        total, rows = store.summaries(limit, kind)
    except StoreMissing:  # removed between the check and the read
        return StoreListing(store=store.path.name, exists=False, total=0, runs=[])
    except StoreError as exc:
        raise unavailable(exc) from None
    return StoreListing(
        store=store.path.name,
        exists=True,
        total=total,
        runs=[StoredRun(**_stored(r, names, held)) for r in rows],
        message=None if total else f"The scenario store {store.path.name} has no runs yet.",
    )


_item_names = display.item_names


def _show(store: Store, run_id: str) -> dict[str, Any]:
    # the store's path is the server's business, not the client's
    missing = HTTPException(status_code=404, detail=f"no run {run_id} in the scenario store")
    if not store.path.exists():  # nothing recorded yet; do not create the folder by locking it
        raise missing
    try:
        return store.show(run_id)
    except (StoreMissing, RunNotFound):
        raise missing from None
    except StoreError as exc:
        raise unavailable(exc) from None


class Deleted(BaseModel):
    deleted: list[dict[str, Any]] = Field(description="each run deleted: id, kind, company, product, created")


def delete(path: str | Path | None, run_id: str) -> Deleted:
    """Delete one run from the scenario store (a 404 for a run it does not hold)."""
    try:
        gone = store_at(path).delete([run_id])
    except (StoreMissing, RunNotFound):
        raise HTTPException(status_code=404, detail=f"no run {run_id} in the scenario store") from None
    except StoreError as exc:
        raise unavailable(exc) from None
    return Deleted(deleted=[{**g, "created": _created(g["created"])} for g in gone])


def detail(path: str | Path | None, held: Held, names: dict[str, str], run_id: str) -> StoredRunDetail:
    row = _show(store_at(path), run_id)
    inputs = row.get("inputs") or {}
    own = _item_names(names, inputs)
    results = [
        StoredResult(item=r["item"], metric=r["metric"], value=_finite(r["value"]), text=_text(r["text"]))
        for r in row["results"]
    ]
    items = {r.item for r in results} | {r.text for r in results if r.text}  # a sweep's best sites
    return StoredRunDetail(
        **_stored(_with_headline(row), own, held, full_params=True),
        inputs=inputs,
        overrides=row.get("overrides"),
        names={k: v for k, v in own.items() if k in items},
        results=results,
    )


def comparison(path: str | Path | None, held: Held, names: dict[str, str], a: str, b: str) -> StoreComparison:
    store = store_at(path)
    ra, rb = _show(store, a), _show(store, b)
    try:
        rows = store.compare(a, b)
    except (StoreMissing, RunNotFound):
        raise HTTPException(
            status_code=404, detail="a run of the comparison is no longer in the store"
        ) from None
    except RunsNotComparable as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except StoreError as exc:
        raise unavailable(exc) from None
    own = _item_names(_item_names(names, ra.get("inputs") or {}), rb.get("inputs") or {})
    items = {r["item"] for r in rows}
    return StoreComparison(
        a=StoredRun(**_stored(_with_headline(ra), own, held)),
        b=StoredRun(**_stored(_with_headline(rb), own, held)),
        names={k: v for k, v in own.items() if k in items},
        rows=[
            CompareRow(
                item=r["item"],
                metric=r["metric"],
                a=_finite(r["a"]),
                b=_finite(r["b"]),
                diff=_finite(r["diff"]),
            )
            for r in rows
        ],
    )


def _with_headline(row: dict[str, Any]) -> dict[str, Any]:
    """A shown run (all its results) with the headline the list gives it."""
    picked = [r for r in row["results"] if r["metric"] in HEADLINE_METRICS]
    count = len({r["item"] for r in row["results"]})
    return {**row, "headline": headline(row["kind"], picked, count)}
