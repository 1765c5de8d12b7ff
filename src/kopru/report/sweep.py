"""A sweep's folder for a board pack: ``sweep.json``, ``sweep.html`` and ``sweep.xlsx``.

Each scenario says what it changed (its overrides, closures, countries avoided and note), which
site comes first and at what cost, how that compares with the first scenario and with the best
Turkish option, and which sites lose every route; a second table follows the leading sites'
annual cost and rank across the scenarios, so a reader sees who moves, not only who wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from kopru import __version__
from kopru.datapack import DataPack
from kopru.display import item_names, site_names
from kopru.language import ENGLISH, Words, check_language
from kopru.profile import load_profile
from kopru.provenance import code_digest
from kopru.report.folder import prepare_folder
from kopru.scenarios import SweepResult
from kopru.units import strict_json

LEADING = 8  # sites followed across the scenarios: the reference scenario's best ones
FILES = ("sweep.json", "sweep.html", "sweep.xlsx")


def write_sweep_folder(
    result: SweepResult, pack: DataPack, out_dir: str | Path, languages: tuple[str, ...] = ()
) -> list[Path]:
    """``sweep.json``, ``sweep.html`` and ``sweep.xlsx`` in ``out_dir``; for each of ``languages``
    besides English (``tr``), the page and the workbook again in ``<lang>/``."""
    extra = tuple(dict.fromkeys(lang for lang in map(check_language, languages) if lang != "en"))
    folder = prepare_folder(out_dir)
    paths = [folder / name for name in FILES]
    view = sweep_view(result, pack)
    paths[0].write_text(strict_json(result.as_dict()), encoding="utf-8")
    paths[1].write_text(render_sweep_html(view), encoding="utf-8")
    write_sweep_workbook(view, paths[2])
    for lang in extra:
        words = Words(lang)
        (folder / lang).mkdir(exist_ok=True)
        page, book = folder / lang / "sweep.html", folder / lang / "sweep.xlsx"
        translated = sweep_view(result, pack, words)
        page.write_text(render_sweep_html(translated, words), encoding="utf-8")
        write_sweep_workbook(translated, book, words)
        paths += [page, book]
    return paths


def sweep_view(result: SweepResult, pack: DataPack, words: Words = ENGLISH) -> dict[str, Any]:
    """What the page and the workbook show: the scenario rows and the leading sites' costs."""
    profile = load_profile(result.profile)
    names = item_names(site_names(pack), {"profile": profile.model_dump(mode="json")})
    ran = [s for s in result.scenarios if "error" not in s]
    reference = next((s for s in ran if s.get("best")), None)
    return {
        "file": result.file.name,
        "profile": result.profile.name,
        "company": profile.company,
        "product": profile.product,
        "currency": result.currency,
        "execution": result.execution,
        "kopru_version": __version__,
        "code_digest": code_digest(),
        "data_pack_version": pack.version,
        "reference": reference["name"] if reference else None,
        "rows": [_row(s, reference, words) for s in result.scenarios],
        "leading": _leading(ran, reference, names),
        "scenario_names": [s["name"] for s in ran],
    }


def _row(s: Mapping[str, Any], reference: Mapping[str, Any] | None, words: Words) -> dict[str, Any]:
    given = s.get("given") or {}
    row = {
        "name": s["name"],
        "changes": _changes(given, words),
        "note": given.get("note", ""),
        "error": s.get("error"),
    }
    if s.get("error"):
        return row
    best = s.get("best")
    change = None
    if reference and best is not None and s is not reference:
        change = s["best_total"] / reference["best_total"] - 1
    row |= {
        "best": s.get("best_name") or best,
        "flip": bool(reference and best is not None and best != reference["best"]),
        "best_total": s.get("best_total"),
        "change": change,
        "baseline": s.get("baseline_name"),
        "baseline_total": s.get("baseline_total"),
        "saving_pct": s.get("saving_pct"),
        "unserved": list(s.get("unserved") or []),
        "optimizer": s.get("optimizer"),
    }
    return row


def _changes(given: Mapping[str, Any], w: Words = ENGLISH) -> list[str]:
    """A scenario's changes as a reader reads them: the shortcuts as written ('KZT weaker × 1.2'),
    then the other overrides ('KZ-61.electricity_price_industrial = 20'), closures and countries
    avoided."""
    out = [_shortcut(kind, written, w) for kind, written in (given.get("shortcuts") or {}).items()]
    mapped = set(given.get("from_shortcuts") or ())  # said by their shortcut above
    for key, value in (given.get("overrides") or {}).items():
        if key in mapped:
            continue
        if isinstance(value, Mapping):
            shown = (
                f"× {_number(value['factor'], w)}"
                if "factor" in value
                else f"= {_number(value.get('value'), w)}"
            )
            year = w(" (%(year)s money)", year=value["year"]) if value.get("year") else ""
            out.append(f"{key} {shown}{year}")
        else:
            out.append(f"{key} = {_number(value, w)}")
    if given.get("closed"):
        out.append(w("closed: %(names)s", names=", ".join(given["closed"])))
    if given.get("avoid"):
        out.append(w("avoiding: %(names)s", names=", ".join(given["avoid"])))
    return out or [w("nothing (the data pack as shipped)")]


SHORTCUT_WORDS = {
    "fx_shock": "%(k)s weaker × %(v)s",
    "pass_through": "%(v)s of the %(k)s shock reaches local prices",
    "vat": "%(k)s VAT %(v)s %%",
    "tariff": "duty %(k)s %(v)s %%",
}


def _shortcut(kind: str, written: Mapping[str, Any], w: Words = ENGLISH) -> str:
    """A shortcut as written ('KZT weaker × 1.2'), one line for all its entries."""
    pattern = SHORTCUT_WORDS.get(kind, "%(k)s %(v)s")
    return "; ".join(w(pattern, k=k, v=_number(v, w)) for k, v in written.items())


def _number(value: Any, w: Words = ENGLISH) -> str:
    """A value as typed, without the float's tail (569.5079999999 is 569.508)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return w.significant(float(value), 6)
    return str(value)


def _leading(
    ran: list[Mapping[str, Any]], reference: Mapping[str, Any] | None, names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The first scenario's leading sites, with their cost and rank in every scenario (a rank of
    None: no route to every market there)."""
    if reference is None:
        return []
    ids = list(reference["totals"])
    costs = np.array([[_cost(s["totals"].get(i)) for i in ids] for s in ran])  # scenarios × sites
    # rank within each scenario: ties and infeasible sites (inf) last, as the plan orders them
    ranks = np.argsort(np.argsort(costs, axis=1, kind="stable"), axis=1) + 1
    first = costs[ran.index(reference)]
    order = [j for j in np.argsort(first, kind="stable") if np.isfinite(first[j])][:LEADING]
    return [
        {
            "id": ids[j],
            "name": names.get(ids[j], ids[j]),
            "costs": [None if not np.isfinite(c) else float(c) for c in costs[:, j]],
            "ranks": [
                int(r) if np.isfinite(c) else None for r, c in zip(ranks[:, j], costs[:, j], strict=True)
            ],
        }
        for j in order
    ]


def _pairs(ranks: np.ndarray, costs: np.ndarray) -> zip:
    return zip(ranks, costs, strict=True)


def _cost(value: Any) -> float:
    return float(value) if value is not None else np.inf


@pass_context
def _money(context: Context, value: float | None) -> str:
    return "—" if value is None else context["w"].number(value)


@pass_context
def _pct(context: Context, value: float | None, signed: bool = False) -> str:
    words = context["w"]
    return "—" if value is None else (words.signed_share(value) if signed else words.share(value))


# one environment, compiled once: the language comes with each render as ``w``
_env = Environment(loader=PackageLoader("kopru.report", "templates"), autoescape=select_autoescape())
_env.filters |= {
    "money": _money,
    "pct": _pct,
    # a grid's names join its axes ('tenge_weaker_20pct+lira_as_is'): let a line break after + and _
    "soft": lambda v: Markup(str(escape(v)).replace("+", "+\u200b").replace("_", "_\u200b")),
}


def render_sweep_html(view: Mapping[str, Any], words: Words = ENGLISH) -> str:
    return _env.get_template("sweep.html.j2").render(v=view, w=words, lang=words.lang)


def write_sweep_workbook(view: Mapping[str, Any], path: str | Path, w: Words = ENGLISH) -> Path:
    """Scenarios (one row each, what it changed and what came first) and Leading sites (annual cost
    and rank of the first scenario's leading sites in every scenario), headers and notes in ``w``'s
    language (the view's own sentences are in the language it was made in)."""
    from openpyxl import Workbook

    from kopru.report.workbook import MONEY, SHARE, add_sheet

    book = Workbook()
    book.remove(book.active)
    cur = view["currency"]
    # the first that has a site serving every market
    ref = view["reference"] or w("reference")
    add_sheet(
        book,
        w("Scenarios"),
        [
            (w("scenario"), None),
            (w("what it changes"), None),
            (w("note"), None),
            (w("first site"), None),
            (w("first differs from %(reference)s's", reference=ref), None),
            (w("best annual cost, %(currency)s", currency=cur), MONEY),
            (w("change vs %(reference)s", reference=ref), SHARE),
            (w("best Turkish option"), None),
            (w("its annual cost, %(currency)s", currency=cur), MONEY),
            (w("saving vs the best Turkish option"), SHARE),
            (w("sites without a route to every market"), None),
            (w("error"), None),
        ],
        [
            [
                r["name"],
                "; ".join(r["changes"]),
                r["note"],
                r.get("best"),
                w("yes") if r.get("flip") else (w("no") if r.get("best") else ""),
                r.get("best_total"),
                r.get("change"),
                r.get("baseline"),
                r.get("baseline_total"),
                r.get("saving_pct"),
                ", ".join(r.get("unserved") or []),
                r.get("error") or "",
            ]
            for r in view["rows"]
        ],
        notes=[
            w(
                "kopru %(version)s (code %(digest)s), data pack %(pack)s; scenario file %(file)s, profile"
                " %(profile)s; ran %(execution)s",
                version=view["kopru_version"],
                digest=view["code_digest"],
                pack=view["data_pack_version"],
                file=view["file"],
                profile=view["profile"],
                execution=view["execution"],
            ),
        ],
    )
    scenarios = view["scenario_names"]
    add_sheet(
        book,
        w("Leading sites"),
        [
            (w("site"), None),
            *[(w("%(scenario)s: %(currency)s a year", scenario=s, currency=cur), MONEY) for s in scenarios],
            *[(w("%(scenario)s: rank", scenario=s), None) for s in scenarios],
        ],
        [[site["name"], *site["costs"], *site["ranks"]] for site in view["leading"]],
        notes=[
            w(
                "The %(n)s cheapest sites of the first scenario; an empty cell: no route to every market.",
                n=LEADING,
            )
        ],
    )
    book.save(path)
    return Path(path)
