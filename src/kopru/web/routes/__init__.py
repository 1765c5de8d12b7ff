"""The web app's routes, one module per part of the API: profiles, plans and runs, the scenario
store, sites, and the pages."""
