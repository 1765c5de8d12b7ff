"""A report folder: ``plan.json``, ``report.html``, ``plan.xlsx``, the one-page ``summary.html`` and
``summary.pdf``, and the views kept beside them.

Each run of ``kopru risk --out DIR`` or ``kopru rank --out DIR`` keeps its view as ``risk.json`` or
``ranking.json`` and redraws the report with every view kept for the same inputs, so the two
commands into one folder add up to one report. A kept view of another profile, other overrides,
other closures or other avoided countries is left out of the report, with a note saying so; a risk
or ranking result handed in for other inputs than the plan's is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kopru.datapack import DataPack
from kopru.errors import InputsMismatch, OptionError
from kopru.language import LANGUAGES, check_language
from kopru.planner import Plan
from kopru.provenance import RunInputs
from kopru.report.html import write_report
from kopru.report.summary import write_summary
from kopru.report.views import as_ranking_view, as_risk_view
from kopru.report.workbook import write_plan_workbook
from kopru.store.records import inputs_hash

if TYPE_CHECKING:
    from kopru.mcda import RankResult
    from kopru.montecarlo import RiskResult

VIEWS = ("risk", "ranking")
# what the report's link to each file beside it says
_LABELS = {
    "summary.pdf": "one-page summary (PDF)",
    "summary.html": "one-page summary (HTML)",
    "plan.xlsx": "workbook (Excel)",
    "plan.json": "plan.json",
}


@dataclass(frozen=True)
class ReportFolder:
    """What was written: the files, the views the report shows, and notes on views left out."""

    folder: Path
    plan_json: Path
    report_html: Path
    views: tuple[str, ...]
    notes: tuple[str, ...]
    workbook: Path | None = None  # plan.xlsx
    summary_html: Path | None = None  # the one-page summary
    summary_pdf: Path | None = None
    translated: tuple[Path, ...] = ()  # the summary in other languages: tr/summary.html, tr/summary.pdf


def inputs_key(plan: Plan) -> str:
    """What a kept view was computed for: the profile, the overrides, the closures and the countries
    avoided of the plan."""
    return inputs_hash(
        {
            "profile": plan.profile,
            "overrides": plan.overrides,
            "close": sorted(plan.disruptions),
            "avoid": sorted(plan.avoid),
        }
    )


def prepare_folder(out_dir: str | Path) -> Path:
    """The folder, created if needed; a path that is a file is refused."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OptionError(f"out {out_dir} is a file; expected a folder", field="out")
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir


def write_folder(
    out_dir: str | Path,
    plan: Plan,
    pack: DataPack,
    risk: RiskResult | Mapping[str, Any] | None = None,
    ranking: RankResult | Mapping[str, Any] | None = None,
    keep_views: bool = True,
    languages: tuple[str, ...] = (),
) -> ReportFolder:
    """Write plan.json and report.html; keep the given views and add those kept for the same inputs.

    With ``keep_views=False`` (``kopru plan --out``) the report shows only what is given, and the
    summary only in English and ``languages``; else the summaries of other languages already in the
    folder are written again too, so none is left older than the report.
    """
    languages = tuple(check_language(lang) for lang in languages)  # refused before anything is written
    check_results(plan, risk, ranking)
    folder = prepare_folder(out_dir)
    key = inputs_key(plan)
    given = {"risk": as_risk_view(risk) if risk is not None else None}
    given["ranking"] = as_ranking_view(ranking) if ranking is not None else None
    views: dict[str, dict[str, Any] | None] = {}
    notes: list[str] = []
    for name in VIEWS:
        kept = folder / f"{name}.json"
        if given[name] is not None:
            views[name] = given[name]
            kept.write_text(
                json.dumps({"key": key, "view": given[name]}, ensure_ascii=False), encoding="utf-8"
            )
        elif keep_views:
            views[name], note = _read_view(kept, key)
            if note:
                notes.append(note)
        else:
            views[name] = None
    plan_json = folder / "plan.json"
    plan_json.write_text(plan.model_dump_json(indent=1), encoding="utf-8")
    shown = tuple(v for v in VIEWS if views[v] is not None)
    # the files beside the report first, so that the report links only to what is there
    workbook = write_plan_workbook(plan, folder / "plan.xlsx", views["risk"], pack)
    summary_html, summary_pdf = write_summary(plan, folder, views["risk"])
    translated = _write_translations(folder, plan, views["risk"], languages, keep_views)
    files = [(path, _LABELS[path.name]) for path in (summary_pdf, summary_html, workbook, plan_json)]
    files += [
        (path, _in_language(path))
        for path in sorted(translated, key=lambda p: (p.parent.name, p.suffix != ".pdf"))
    ]
    links = [(path.relative_to(folder).as_posix(), label) for path, label in files if path is not None]
    html = write_report(plan, pack, folder / "report.html", files=links, **views)
    return ReportFolder(
        folder, plan_json, html, shown, tuple(notes), workbook, summary_html, summary_pdf, translated
    )


def _in_language(path: Path) -> str:
    """'one-page summary in Turkish (PDF)' for tr/summary.pdf."""
    from babel import Locale

    language = Locale.parse(path.parent.name).get_display_name("en")
    return _LABELS[path.name].replace("summary (", f"summary in {language} (")


def check_results(plan: Any, risk: Any, ranking: Any) -> None:
    """Refuse what is not a plan, a risk result or a ranking, and results of other inputs than the
    plan's: the report would show another profile's risk under this plan's name."""
    if not isinstance(plan, Plan):
        raise OptionError(f"plan must be a Plan (what kopru.plan returns), got {_kind(plan)}", field="plan")
    for name, result, verb in (("risk", risk, "kopru.risk"), ("ranking", ranking, "kopru.rank")):
        if result is None or isinstance(result, Mapping):
            continue
        if not isinstance(result, _result_class(name)):
            raise OptionError(
                f"{name} must be what {verb} returns (or its view), got {_kind(result)}", field=name
            )
        differences = result.inputs.differences(RunInputs.of_plan(plan), "the plan") if result.inputs else []
        if differences:
            raise InputsMismatch(
                f"the {name} result was computed for other inputs than the plan: {'; '.join(differences)};"
                f" run {verb} with the plan's profile, overrides, closures and countries avoided",
                field=name,
            )


def _result_class(view: str) -> type:
    # imported only when such a result is given: a plan's report needs neither engine
    if view == "risk":
        from kopru.montecarlo import RiskResult

        return RiskResult
    from kopru.mcda import RankResult

    return RankResult


def _kind(value: Any) -> str:
    return type(value).__name__


def _write_translations(
    folder: Path, plan: Plan, risk: Mapping[str, Any] | None, languages: tuple[str, ...], keep: bool
) -> tuple[Path, ...]:
    """The summary in each other language asked for (and, keeping, in those already there); a
    summary of a language not asked for is removed when not keeping: it would describe another plan."""
    others = [lang for lang in LANGUAGES if lang != "en"]
    present = [lang for lang in others if (folder / lang / "summary.html").exists()]
    written: list[Path] = []
    for lang in others:
        if lang in languages or (keep and lang in present):
            written += write_summary(plan, folder / lang, risk, lang)
        elif (folder / lang).is_dir():
            for name in ("summary.html", "summary.pdf"):
                (folder / lang / name).unlink(missing_ok=True)
            if not any((folder / lang).iterdir()):
                (folder / lang).rmdir()
    return tuple(written)


def _read_view(path: Path, key: str) -> tuple[dict[str, Any] | None, str | None]:
    """A kept view if it is for the same inputs; else None and why it was left out."""
    if not path.exists():
        return None, None
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        view, kept_key = kept["view"], kept["key"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None, f"{path.name} cannot be read; left out of the report"
    if kept_key != key:
        return None, f"{path.name} is for another profile, overrides or closures; left out of the report"
    return view, None
