"""The public surface: what `import kopru` offers, and that it is what the CLI uses."""

import kopru


def test_public_api():
    assert set(kopru.__all__) == {
        "DataPackError",
        "KopruError",
        "OverrideError",
        "ProfileError",
        "RouteError",
        "__version__",
        "load_data",
        "load_profile",
        "optimize",
        "plan",
        "route",
    }
    for name in kopru.__all__:
        assert hasattr(kopru, name)


def test_errors_share_one_base():
    for exc in (kopru.DataPackError, kopru.OverrideError, kopru.ProfileError, kopru.RouteError):
        assert issubclass(exc, kopru.KopruError)
        assert issubclass(exc, ValueError)


def test_route_legs_carry_their_sources():
    route = kopru.route("baku", "kars")
    known = set(kopru.load_data().sources.index)
    for leg in route.legs:
        assert leg.source and set(leg.source.split(";")) <= known
