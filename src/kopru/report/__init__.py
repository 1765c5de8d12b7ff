"""Reports a person reads: the plan's HTML report, its charts and map, and report folders.

- :mod:`~kopru.report.html`: the self-contained HTML report (plotly.js inlined, works offline)
  and a site's dossier as HTML;
- :mod:`~kopru.report.charts`: cost by component, risk distributions, P(best) and regret;
- :mod:`~kopru.report.maps`: regions coloured by landed cost, routes and optimizer flows;
- :mod:`~kopru.report.views`: risk and ranking results as the plain dicts the report draws;
- :mod:`~kopru.report.folder`: ``plan.json`` + ``report.html`` + kept views in one folder.
"""

from kopru.report.charts import (
    cash_flow_chart,
    cost_chart,
    risk_best_chart,
    risk_distribution_chart,
    tornado_chart,
)
from kopru.report.folder import ReportFolder, write_folder
from kopru.report.html import dossier_html, render_html, write_report
from kopru.report.maps import site_map
from kopru.report.views import (
    DRAWS_SHOWN,
    RISK_SITES,
    ranking_view,
    risk_view,
    shown_risk_sites,
    site_label,
)

__all__ = [
    "DRAWS_SHOWN",
    "RISK_SITES",
    "ReportFolder",
    "cash_flow_chart",
    "cost_chart",
    "dossier_html",
    "ranking_view",
    "render_html",
    "risk_best_chart",
    "risk_distribution_chart",
    "risk_view",
    "shown_risk_sites",
    "site_label",
    "site_map",
    "tornado_chart",
    "write_folder",
    "write_report",
]
