"""How long an image takes to reach the ground: each country's own satellites and antennas, with
partners' satellites, and with the pooled network.

Revisit (:mod:`kopru.space.observation`) says how often a site can be imaged; contact time
(:mod:`kopru.space.pooling`) how long satellites talk to the ground. What a customer of an image
feels joins the two: from a request to the image on the ground. Pooling can help twice: more
satellites pass over the site, and more antennas send commands up and bring images down. It can
also hurt: the pooled schedule maximises contact time under its guarantee, not latency, and may
drop the contact a request needed; a site or satellite whose times get worse is flagged
(``worse_when_pooled``).

Two measures, each on three networks:

- **image latency**: from an imaging opportunity to the end of its downlink, in the first
  scheduled contact of that satellite that has ``downlink_s`` seconds left after the image (with
  ``direct_downlink``, the default, an image taken in view of an antenna goes down at once, as a
  satellite with real-time downlink does; without it the image waits for the next contact that
  begins after it: store and forward);
- **request to image on the ground**: from a request at time τ (one every ``step_s`` over the
  window) to the first image of the site on the ground. The command goes up at the satellite's
  first scheduled contact at or after τ, the satellite takes its first opportunity over the site
  after that, and the image comes down as above; the network's best satellite answers.

The networks, for a site of country C:

- ``own``: C's Earth-observation satellites on C's own antennas (the pool's own schedule);
- ``partners``: every member's Earth-observation satellite, each on its own country's antennas
  (imaging capacity shared, antennas not);
- ``pooled``: every member's satellite on every antenna (the pool's pooled schedule).

Contacts are the optimal schedules of :mod:`kopru.space.pooling`, over the window and
``follow_days`` more, so a request or image late in the window can still be answered. What has no
answer by then is counted as unanswered and has no number (``None`` in JSON), never a made-up one.

What this leaves out, each listed as an assumption in the result: a command takes no time and
any scheduled contact carries it; a satellite takes every opportunity it is asked for (no other
request competes for it, no agility or power limit); an image needs ``downlink_s`` of one
contact (with ``shorten``, a contact handed over between two antennas counts as two) and does not
wait for other images in the satellite's memory; the ground processes it in no time. A schedule
that stops short of optimal (a time limit) is said in the warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kopru.errors import StationError
from kopru.space.frames import Window
from kopru.space.observation import Opportunities, co_located
from kopru.space.pooling import INTEROPERABLE, Contacts, PoolResult
from kopru.space.stations import Stations
from kopru.space.visibility import ELEMENT_COLUMNS, element_columns

NETWORKS = ("own", "partners", "pooled")
NETWORK_LABELS = {
    "own": "own satellites, own antennas",
    "partners": "partners' satellites too, each on its own antennas",
    "pooled": "every satellite on every antenna (pooled)",
}
STEP_S = 60.0  # one request a minute: the worst case is found to within a minute
EPS_S = 1e-6


@dataclass(frozen=True)
class LatencyOptions:
    """How an image is taken and sent down; the defaults are assumptions (:meth:`assumptions`)."""

    downlink_s: float = 120.0
    follow_days: float = 3.0
    step_s: float = STEP_S
    direct_downlink: bool = True

    def assumptions(self) -> list[dict[str, object]]:
        defaults = LatencyOptions()
        given = "given by the user"
        return [
            {
                "parameter": "downlink_s",
                "value": self.downlink_s,
                "unit": "s",
                "meaning": "contact time to bring one image down (1.5 GB at 100 Mbit/s takes 120 s)",
                "basis": "assumption: kopru's default, no source"
                if self.downlink_s == defaults.downlink_s
                else given,
            },
            {
                "parameter": "follow_days",
                "value": self.follow_days,
                "unit": "d",
                "meaning": "time after the window in which late requests and images are still answered",
                "basis": "kopru's default" if self.follow_days == defaults.follow_days else given,
            },
            {
                "parameter": "direct_downlink",
                "value": self.direct_downlink,
                "unit": "",
                "meaning": "an image taken in view of an antenna goes down at once (real-time downlink)"
                if self.direct_downlink
                else "an image waits for the next contact that begins after it (store and forward)",
                "basis": "assumption: kopru's default, no source"
                if self.direct_downlink == defaults.direct_downlink
                else given,
            },
            {
                "parameter": "command",
                "value": 0.0,
                "unit": "s",
                "meaning": "a command goes up in the first instant of any scheduled contact",
                "basis": "assumption, no source",
            },
            {
                "parameter": "tasking",
                "value": None,
                "unit": "",
                "meaning": "a satellite takes every opportunity it is asked for (no competing request,"
                " agility or power limit); images do not queue for the downlink; ground processing"
                " takes no time",
                "basis": "assumption, no source",
            },
        ]


@dataclass(frozen=True)
class Latency:
    window: Window  # the requests' window (the schedules run follow_days longer)
    options: LatencyOptions
    sites: list[dict[str, object]]
    satellites: list[dict[str, object]]
    images: list[dict[str, object]]
    excluded: list[dict[str, object]]
    pool: PoolResult = field(repr=False)
    warnings: tuple[str, ...] = ()
    # the imaging limits every image keeps to, the passes each turned away over the requests' window
    # and the follow days ('off_nadir', 'sun'), and that count in words (empty: none turned away)
    imaging_limits: str = ""
    rejected: dict[str, int] = field(default_factory=dict)
    rejections: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.window.iso(0.0)[0],
            "end": self.window.iso(self.window.seconds)[0],
            "networks": NETWORK_LABELS,
            "parameters": self.options.__dict__ | {"pool": self.pool.options.__dict__},
            # the rate does not enter: an image needs downlink_s of contact, whatever the rate
            "assumptions": self.options.assumptions()
            + [a for a in self.pool.options.assumptions() if a["parameter"] != "rate_mbps"],
            "warnings": list(self.warnings),
            # as every space output: which element sets, of what epoch, and how far from the window
            "element_sets": (
                used.ages(self.pool.window.start, self.pool.window.end)
                if (used := self.pool.used_sets()) is not None
                else []
            ),
            # the pooled latencies rest on every antenna working every member's satellite
            "interoperability": INTEROPERABLE,
            "antenna_masks_deg": self.pool.stations.own_masks() if self.pool.stations is not None else {},
            # the pooled latencies rest on these antennas too (kopru.space.pooling)
            "leo_antennas_assumed": self.pool.leo_antennas_assumed(),
            "solver": {"own": self.pool.own.as_dict(), "pooled": self.pool.pooled.as_dict()},
            "sites": self.sites,
            "satellites": self.satellites,
            "images": self.images,
            "excluded": self.excluded,
            "imaging_limits": self.imaging_limits,
            # over the requests' window and the follow days, as the images are sought
            "rejected": self.rejected,
            "rejected_span_days": (self.window.seconds / 86400.0) + self.options.follow_days,
        }

    def csv_columns(self) -> list[str]:
        """The columns of :meth:`csv_rows`, in order: a CSV without an image still has its header."""
        down = [f"{side}_{k}" for side in ("own", "pooled") for k in ("down_at", "latency_h", "station")]
        return ["satellite", "norad", "country", "site", "time", *down, *ELEMENT_COLUMNS]

    def csv_rows(self) -> list[dict[str, object]]:
        """One row per image taken in the window, with its downlink on the own and pooled schedules
        and its satellite's element set (epoch, age, warning), as every space CSV carries it: the
        file that is forwarded says when its times rest on stale sets (a review)."""
        used = self.pool.used_sets()
        window = self.pool.window
        ages = {a["norad"]: a for a in used.ages(window.start, window.end)} if used is not None else {}
        blank = dict.fromkeys(ELEMENT_COLUMNS, "")
        return [
            {k: v for k, v in r.items() if k not in ("own", "pooled")}
            | {f"{side}_{k}": v for side in ("own", "pooled") for k, v in dict(r[side]).items()}
            | (element_columns(ages[r["norad"]]) if r["norad"] in ages else blank)
            for r in self.images
        ]


def first_at_or_after(
    group: np.ndarray, time: np.ndarray, q_group: np.ndarray, q_time: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Items sorted by (group, time), and for each query the sorted position of the first item of
    its group at or after its time (-1 if none): one binary search for every query. Groups are
    integers >= 0 and times >= 0; the search key, group × span + time, carries a time to about
    1e-7 s (a 52-bit mantissa at 2^29 s), far below the 1 ms to which passes are refined. A query
    time past every item's spills into the next group's keys, and the group check refuses it."""
    span = float(time.max()) + 1.0
    key = group * span + time
    order = np.argsort(key, kind="stable")
    key, g_sorted = key[order], group[order]
    finite = np.isfinite(q_time)
    at = np.searchsorted(key, q_group * span + np.where(finite, q_time, np.inf), side="left")
    at_ = np.minimum(at, len(key) - 1)
    ok = (at < len(key)) & (g_sorted[at_] == q_group) & finite
    return order, np.where(ok, at_, -1)


def earliest_in_contact(
    contacts: Contacts, sat: np.ndarray, t: np.ndarray, need_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """For each query (satellite ``sat``, NORAD number, at time ``t``): the end of the first
    ``need_s`` seconds of contact the satellite has at or after ``t`` within one scheduled
    contact, and that contact's index; ``inf`` and -1 when no contact has them.

    A contact serves the query when it ends at or after ``t + need_s`` and lasts ``need_s``; the
    best of those starts earliest, so the answer is max(its start, t) + need_s. Contacts are
    sorted by (satellite, end); a running minimum of the start from the last contact backwards,
    per satellite, answers every query with one binary search (:func:`first_at_or_after`)."""
    sat, t = np.broadcast_arrays(np.asarray(sat), np.asarray(t, dtype=float))
    when, which = np.full(t.shape, np.inf), np.full(t.shape, -1, dtype=np.int64)
    fits = np.flatnonzero(contacts.end - contacts.start >= need_s - EPS_S)
    if not len(fits) or not t.size:
        return when, which
    ids, g_contact = np.unique(contacts.norad[fits], return_inverse=True)
    # a query's satellite by binary search among the contacts' (no sort of the queries); one with
    # no contact gets the group past the last, which no contact has
    g_query = np.searchsorted(ids, sat)
    g_query = np.where(ids[np.minimum(g_query, len(ids) - 1)] == sat, g_query, len(ids))
    # the same tolerance as the contacts' length, so a contact that fits is found
    order, at = first_at_or_after(g_contact, contacts.end[fits], g_query, t + need_s - EPS_S)
    rows, g_sorted = fits[order], g_contact[order]
    # Read backwards, satellites come in decreasing order, so adding g·span makes every earlier-read
    # satellite's value larger than this one's: the running minimum never leaves the satellite.
    span = float(contacts.start[fits].max()) + 1.0
    backwards = (contacts.start[rows] + g_sorted * span)[::-1]
    running = np.minimum.accumulate(backwards)
    last_record = np.maximum.accumulate(np.where(backwards == running, np.arange(len(rows)), 0))
    best_row = rows[::-1][last_record][::-1]  # its start is read back exactly, not decoded
    ok = at >= 0
    which[ok] = best_row[at[ok]]
    when[ok] = np.maximum(contacts.start[which[ok]], t[ok]) + need_s
    return when, which


def first_image_down(
    image_sat: np.ndarray,
    image_site: np.ndarray,
    image_t: np.ndarray,
    image_down: np.ndarray,
    sat: np.ndarray,
    site: np.ndarray,
    after: np.ndarray,
) -> np.ndarray:
    """For each query: when the first image that satellite ``sat`` takes of ``site`` at or after
    ``after`` is on the ground (``inf`` if none). Satellites and sites are row numbers (>= 0). The
    first image is also the soonest down: a later image of one satellite cannot use an earlier
    contact."""
    sat, site, after = np.broadcast_arrays(np.asarray(sat), np.asarray(site), np.asarray(after, dtype=float))
    out = np.full(after.shape, np.inf)
    if not len(image_t):
        return out
    n_sites = int(max(image_site.max(), site.max(initial=0))) + 1
    order, at = first_at_or_after(
        image_sat.astype(np.int64) * n_sites + image_site,
        image_t,
        sat.astype(np.int64) * n_sites + site,
        after,
    )
    ok = at >= 0
    out[ok] = image_down[order[at[ok]]]
    return out


CHUNK_CELLS = 4_000_000  # satellites × sites × requests held at once


def measure(
    pooled: PoolResult,
    opportunities: Opportunities,
    sites: Stations,
    request_s: float,
    options: LatencyOptions,
) -> Latency:
    """Image latency and request-to-ground time per site, network and satellite (see the module),
    from a pool and the imaging opportunities over the same window (both ``follow_days`` longer
    than the requests' ``request_s``)."""
    members = {int(s["norad"]): str(s["country"]) for s in pooled.satellites}
    not_imaging = {int(e["norad"]) for e in opportunities.excluded}
    eo = np.array([n for n in members if n not in not_imaging], dtype=np.int64)
    if not len(eo):
        gone = {int(e["norad"]): e for e in [*pooled.excluded, *opportunities.excluded]}.values()
        left = ", ".join(f"{e['satellite']} ({e['reason']})" for e in gone) or "none"
        raise StationError(
            "no active Earth-observation satellite with a row in the satellites file, so no image to"
            f" bring down (left out: {left}); expected rows with mission earth-observation and active true"
        )
    country = np.array([members[int(n)] for n in eo], dtype=object)
    names = {int(s["norad"]): str(s["satellite"]) for s in pooled.satellites}
    order = np.argsort(eo)  # sorted, so that an image's satellite row is a binary search
    eo, country = eo[order], country[order]
    keep = np.isin(opportunities.norad, eo)
    img_norad, img_site, img_t = opportunities.norad[keep], opportunities.site[keep], opportunities.t[keep]
    img_sat = np.searchsorted(eo, img_norad)
    schedules = {"own": pooled.own_contacts, "pooled": pooled.pooled_contacts}
    down, via = {}, {}
    for name, contacts in schedules.items():
        assert contacts is not None
        sending = contacts if options.direct_downlink else store_and_forward(contacts, options.downlink_s)
        down[name], via[name] = earliest_in_contact(sending, img_norad, img_t, options.downlink_s)
    tau = np.arange(0.0, request_s, options.step_s)
    site_country = np.array(sites.country, dtype=object)
    mine = (country[:, None] == site_country[None, :]) & (site_country != "")[None, :]
    response = _responses(eo, img_sat, img_site, img_t, down, schedules, mine, tau, len(sites))
    in_window = img_t < request_s
    window = Window(pooled.window.start, request_s)
    sat_names = [names[int(n)] for n in eo]
    site_rows = _site_rows(sites, sat_names, mine, img_sat, img_site, img_t, in_window, down, response)
    sat_rows = _satellite_rows(eo, country, sat_names, img_sat, img_t, in_window, down)
    for row, n in zip(sat_rows, _repeats(sites, img_sat, img_site, img_t, in_window, len(eo)), strict=True):
        row["images_repeated"] = n
    image_rows = _image_rows(
        window, pooled, sites, eo, country, sat_names, img_sat, img_site, img_t, in_window, down, via
    )
    excluded = {int(e["norad"]): e for e in [*opportunities.excluded, *pooled.excluded]}
    # the pool's warnings: element sets (the opportunities' too), SGP4 failures, unproven schedules
    notes = tuple(pooled.all_warnings())
    return Latency(
        window,
        options,
        site_rows,
        sat_rows,
        image_rows,
        list(excluded.values()),
        pooled,
        notes,
        opportunities.limits(),
        dict(opportunities.rejected),
        opportunities.rejections(),
    )


def store_and_forward(contacts: Contacts, downlink_s: float) -> Contacts:
    """The contacts as store and forward sees them: a downlink can only begin as a contact begins,
    so each contact long enough is cut to its first ``downlink_s`` (and a shorter one to nothing).
    The first contact then found after an image is the first that begins after it."""
    fits = contacts.end - contacts.start >= downlink_s - EPS_S
    end = np.where(fits, contacts.start + downlink_s, contacts.start)
    return Contacts(contacts.norad, contacts.station, contacts.start, end)


def _responses(eo, img_sat, img_site, img_t, down, schedules, mine, tau, n_sites) -> dict[str, np.ndarray]:
    """Per network, sites × requests: seconds from each request to the first image on the ground."""
    n_sat = len(eo)
    out = {net: np.full((n_sites, len(tau)), np.inf) for net in NETWORKS}
    if not n_sat or not len(tau):
        return out
    per = max(1, CHUNK_CELLS // (n_sat * len(tau)))
    for schedule, nets in (("own", ("own", "partners")), ("pooled", ("pooled",))):
        up, _ = earliest_in_contact(
            schedules[schedule], eo[:, None], np.broadcast_to(tau, (n_sat, len(tau))), 0.0
        )
        for lo in range(0, n_sites, per):
            g = np.arange(lo, min(n_sites, lo + per))
            first = first_image_down(
                img_sat,
                img_site,
                img_t,
                down[schedule],
                np.arange(n_sat)[:, None, None],
                g[None, :, None],
                up[:, None, :],
            )
            for net in nets:
                allowed = mine[:, g] if net == "own" else np.ones((n_sat, len(g)), bool)
                out[net][g] = np.where(allowed[:, :, None], first, np.inf).min(axis=0) - tau
    return out


def _hours(seconds: np.ndarray, q: float) -> float | None:
    """The q-quantile in hours (an actual value, so an unanswered one stays unanswered: None)."""
    if not len(seconds):
        return None
    v = float(np.quantile(seconds, q, method="inverted_cdf"))
    return round(v / 3600.0, 3) if np.isfinite(v) else None


#: Times are worse when pooled by more than a minute (the seconds of a pass's edge between two
#: schedules are not worth a flag).
WORSE_BY_S = 60.0
LEVELS = (("median", 0.5), ("90th percentile", 0.9), ("longest", 1.0))


def _levels(seconds: np.ndarray) -> list[float]:
    """The median, 90th percentile and maximum (inf when unanswered; 0 when there is nothing)."""
    return [float(np.quantile(seconds, q, method="inverted_cdf")) if len(seconds) else 0.0 for _, q in LEVELS]


def _worse(before: np.ndarray, pooled: np.ndarray) -> list[str]:
    """The levels (:data:`LEVELS`) at which the pooled times exceed the others by over a minute."""
    return [
        label
        for (label, _), a, b in zip(LEVELS, _levels(before), _levels(pooled), strict=True)
        if b > a + WORSE_BY_S
    ]


def _site_rows(sites, sat_names, mine, img_sat, img_site, img_t, in_window, down, response):
    """Per site and network: images taken, their latency, and the time from a request to the
    first image on the ground (median, 90th percentile, worst; None where unanswered); and where
    pooling the antennas makes requests wait longer than partners' satellites on their own antennas."""
    same_point = co_located(sites)
    by_own = mine[img_sat, img_site]  # each image taken by a satellite of its site's country
    rows = []
    for g in range(len(sites)):
        here = in_window & (img_site == g)
        nets: dict[str, object] = {}
        for net in NETWORKS:
            if net == "own" and not sites.country[g]:
                nets[net] = None
                continue
            schedule = "own" if net != "pooled" else "pooled"
            taken = here & by_own if net == "own" else here
            late = down[schedule][taken] - img_t[taken]
            wait = response[net][g]
            unanswered = int(np.isinf(wait).sum())
            nets[net] = {
                "images": int(taken.sum()),
                "image_latency_h": {"median": _hours(late, 0.5), "p90": _hours(late, 0.9)},
                "images_not_down": int(np.isinf(late).sum()),
                "request_h": {
                    "median": _hours(wait, 0.5),
                    "p90": _hours(wait, 0.9),
                    "worst": _hours(wait, 1.0),
                },
                "requests": len(wait),
                "requests_unanswered": unanswered,
                "unanswered_share": round(unanswered / len(wait), 6) if len(wait) else 0.0,
            }
        rows.append(
            {
                "site": sites.name[g],
                "country": sites.country[g],
                "own_satellites": [n for n, m in zip(sat_names, mine[:, g], strict=True) if m],
                **nets,
                "worse_when_pooled": _worse(response["partners"][g], response["pooled"][g]),
                "same_point_as": same_point[g],
            }
        )
    return rows


def _repeats(sites, img_sat, img_site, img_t, in_window, n_sat) -> list[int]:
    """Per satellite, its images in the window that repeat another of its images at the same moment
    over a site at the same point (the data pack gives some SEZs one centroid): counted in 'images',
    and weighing twice in its median and p90 (a review: KazEOSat-1's 8 images held Khorgos twice)."""
    _, point = np.unique(np.round(np.c_[sites.lat, sites.lon], 6), axis=0, return_inverse=True)
    point = point.ravel()
    k = np.flatnonzero(in_window)
    keys = np.c_[img_sat[k], point[img_site[k]], np.round(img_t[k], 3)]
    _, first = np.unique(keys, axis=0, return_index=True)
    repeated = np.ones(len(k), bool)
    repeated[first] = False
    return np.bincount(img_sat[k][repeated], minlength=n_sat).astype(int).tolist()


def _satellite_rows(eo, country, sat_names, img_sat, img_t, in_window, down):
    """Per satellite: images taken in the window and their latency on the own and pooled schedules,
    and what gets worse when pooled."""
    rows = []
    for i, norad in enumerate(eo):
        taken = in_window & (img_sat == i)
        late = {side: down[side][taken] - img_t[taken] for side in ("own", "pooled")}
        rows.append(
            {
                "satellite": sat_names[i],
                "norad": int(norad),
                "country": country[i],
                "images": int(taken.sum()),
                **{
                    side: {
                        "down": int(np.isfinite(v).sum()),
                        "not_down": int(np.isinf(v).sum()),
                        "median_h": _hours(v, 0.5),
                        "p90_h": _hours(v, 0.9),
                        "max_h": _hours(v, 1.0),
                    }
                    for side, v in late.items()
                },
                "worse_when_pooled": _worse(late["own"], late["pooled"]),
            }
        )
    return rows


def _image_rows(
    window, pooled, sites, eo, country, sat_names, img_sat, img_site, img_t, in_window, down, via
):
    """Each image taken in the window, in time order, with when and where it comes down."""
    antennas = pooled.stations.name if pooled.stations is not None else ()
    contacts = {"own": pooled.own_contacts, "pooled": pooled.pooled_contacts}

    def side(name: str, k: int) -> dict[str, object]:
        at = float(down[name][k])
        if not np.isfinite(at):
            return {"down_at": None, "latency_h": None, "station": None}
        return {
            "down_at": window.iso(at)[0],
            "latency_h": round((at - float(img_t[k])) / 3600.0, 3),
            "station": antennas[int(contacts[name].station[via[name][k]])],
        }

    return [
        {
            "satellite": sat_names[int(img_sat[k])],
            "norad": int(eo[int(img_sat[k])]),
            "country": country[int(img_sat[k])],
            "site": sites.name[int(img_site[k])],
            "time": window.iso(float(img_t[k]))[0],
            "own": side("own", k),
            "pooled": side("pooled", k),
        }
        for k in np.flatnonzero(in_window)[np.argsort(img_t[in_window], kind="stable")]
    ]
