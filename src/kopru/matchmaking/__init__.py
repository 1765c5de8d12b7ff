"""Investment matchmaking: which enterprises of a pipeline fit which zone, and what the portfolio brings.

For investment-promotion analysts: a pipeline of enterprises (:mod:`~kopru.matchmaking.pipeline`)
and the zones with their capacities (:mod:`~kopru.matchmaking.zones`) go in; each enterprise's
sector template is costed once at every site (:mod:`~kopru.matchmaking.templates`), every
enterprise × zone pair is priced and checked as arrays (:mod:`~kopru.matchmaking.pairs`), and a
generalized assignment problem chooses the portfolio (:mod:`~kopru.matchmaking.portfolio`):
assignments, each zone's resources used and their shadow values, each enterprise's best zones and
why an enterprise has none, and the portfolio's impact. ``kopru.match`` (in :mod:`kopru.api`)
wires them together; ``kopru match`` and the web app's Match page call it.
"""

from kopru.matchmaking.pairs import DEFAULT_HURDLE_PCT, REASONS, Pairs, pair_table
from kopru.matchmaking.pipeline import Pipeline, read_pipeline
from kopru.matchmaking.portfolio import OBJECTIVES, MatchResult, Targets, solve_portfolio
from kopru.matchmaking.templates import TEMPLATES, TemplateCosts, check_match_avoid, cost_template
from kopru.matchmaking.zones import Zones, load_zones

__all__ = [
    "DEFAULT_HURDLE_PCT",
    "OBJECTIVES",
    "REASONS",
    "TEMPLATES",
    "MatchResult",
    "Pairs",
    "Pipeline",
    "Targets",
    "TemplateCosts",
    "Zones",
    "check_match_avoid",
    "cost_template",
    "load_zones",
    "pair_table",
    "read_pipeline",
    "solve_portfolio",
]
