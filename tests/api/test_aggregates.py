"""Aggregates on the demo release: true counts, no small cell shown or recoverable."""

from __future__ import annotations

import csv
import io
import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from gateway.api.values import group_of_spelling
from tests.conftest import RELEASE_KEY, UNLIMITED

BASE = "https://data.met.police.uk/"
T = 5


def true_counts(sql, dims):
    """Counts of stop_search by ``dims`` from the published table, five groups mapped here."""
    groups = group_of_spelling("self-defined-ethnicity", BASE)
    column = {"borough": "borough_code", "ethnic_group": "self_defined_ethnicity"}
    rows = sql(f"SELECT {', '.join(column.get(d, d) for d in dims)} FROM stop_search")
    counts = {}
    for row in rows:
        key = tuple(groups.get(v) if d == "ethnic_group" else v for d, v in zip(dims, row, strict=True))
        counts[key] = counts.get(key, 0) + 1
    return counts


def cells_of(body):
    return {tuple(cell[d] for d in body["group"]): cell for cell in body["cells"]}


@pytest.mark.parametrize(
    "dims", [("ethnic_group",), ("borough", "ethnic_group"), ("borough", "ethnic_group", "outcome")]
)
def test_published_cells_are_true_and_small_ones_withheld(api, sql, dims):
    body = api.json(f"/api/v1/aggregates/stop-and-search?group={','.join(dims)}")
    assert body["group"] == list(dims) and body["threshold"] == T
    truth = true_counts(sql, dims)
    cells = cells_of(body)
    assert set(truth) <= set(cells)
    for key, cell in cells.items():
        if cell["suppressed"]:
            assert cell["count"] is None
        else:
            assert cell["count"] == truth[key] >= T
    for key, n in truth.items():
        if n < T:
            assert cells[key]["suppressed"] and cells[key]["count"] is None
    # No number anywhere in the answer is a small count.
    for margin in body["margins"].values():
        assert all(m["count"] is None or m["count"] >= T for m in margin)
    assert body["total"] == {"count": sum(truth.values()), "suppressed": False}


def test_no_combination_of_published_totals_recovers_a_small_cell(api, sql):
    """Everything the API publishes about borough × ethnic group × outcome, attacked at once.

    Known: the three-way cells, its margins and total, and every cell of the three
    two-way and three one-way queries. Each withheld small cell must keep at least one
    unit of room between its smallest and largest possible value.
    """
    dims = ("borough", "ethnic_group", "outcome")
    fine = api.json(f"/api/v1/aggregates/stop-and-search?group={','.join(dims)}")
    withheld = [key for key, cell in cells_of(fine).items() if cell["suppressed"]]
    index = {key: i for i, key in enumerate(withheld)}
    published = {key: cell["count"] for key, cell in cells_of(fine).items() if not cell["suppressed"]}
    rows, rhs = [], []

    def constrain(kept, part, total):
        row = np.zeros(len(withheld))
        rest = total
        for key in cells_of(fine):
            if tuple(key[d] for d in kept) == part:
                if key in index:
                    row[index[key]] = 1
                else:
                    rest -= published[key]
        if row.any():
            rows.append(row)
            rhs.append(rest)

    for size in (1, 2):
        for kept in itertools.combinations(range(3), size):
            coarse = api.json(f"/api/v1/aggregates/stop-and-search?group={','.join(dims[d] for d in kept)}")
            for part, cell in cells_of(coarse).items():
                if cell["count"] is not None:
                    constrain(kept, part, cell["count"])
    for d, name in enumerate(dims):
        for margin in fine["margins"][name]:
            if margin["count"] is not None:
                constrain((d,), (margin["value"],), margin["count"])
    constrain((), (), fine["total"]["count"])
    truth = true_counts(sql, dims)
    small = [key for key in withheld if 0 < truth.get(key, 0) < T]
    assert small, "the demo month has small cells"
    matrix, bounds = np.array(rows), [(0, None)] * len(withheld)
    for key in small:
        objective = np.zeros(len(withheld))
        objective[index[key]] = 1
        low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds)
        high = linprog(-objective, A_eq=matrix, b_eq=rhs, bounds=bounds)
        assert low.status == 0
        assert high.status != 0 or -high.fun - low.fun >= 1 - 1e-6, (key, truth[key], low.fun, -high.fun)


def test_filters_apply(api, sql):
    body = api.json("/api/v1/aggregates/street-crime?group=category&from=2024-01&to=2024-01&borough=E09000001")
    truth = dict(
        sql(
            "SELECT category, count(*) FROM street WHERE record = 'RecordedCrime' AND month = '2024-01' "
            "AND borough_code = 'E09000001' GROUP BY category"
        )
    )
    for (category,), cell in cells_of(body).items():
        assert cell["count"] in (None, truth[category])
    assert body["total"]["count"] == sum(truth.values())


def test_month_dimension_and_csv(api):
    response = api.get("/api/v1/aggregates/street-crime?group=month,category&_format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["month", "category", "count", "suppressed"]
    assert all((r["count"] == "") == (r["suppressed"] == "true") for r in rows)
    assert all(r["count"] == "" or int(r["count"]) >= T for r in rows)


def test_use_of_force_by_perceived_group(api, sql):
    body = api.json("/api/v1/aggregates/use-of-force?group=ethnic_group")
    groups = group_of_spelling("perceived-ethnicity", BASE)
    truth = {}
    for (value,) in sql("SELECT perceived_ethnicity FROM use_of_force"):
        truth[groups.get(value)] = truth.get(groups.get(value), 0) + 1
    assert {c["ethnic_group"]: c["count"] for c in body["cells"] if not c["suppressed"]} == {
        k: v for k, v in truth.items() if k in {c["ethnic_group"] for c in body["cells"] if not c["suppressed"]}
    }


@pytest.fixture
def rates_client(published_dir, tmp_path):
    path = tmp_path / "population.csv"
    path.write_text("area_code,population\nE09000001,8600\nE09000033,204300\n")
    from gateway import create_app

    config = {"TESTING": True, "DATA_DIR": str(published_dir), "PSEUDONYM_KEY": RELEASE_KEY, **UNLIMITED}
    return create_app({**config, "DENOMINATORS": str(path)}).test_client()


def test_rates_per_thousand(rates_client):
    body = rates_client.get("/api/v1/aggregates/street-crime?group=borough&from=2024-01&to=2024-01").get_json()
    assert body["denominator"] == "population.csv"
    city = next(c for c in body["cells"] if c["borough"] == "E09000001")
    assert city["rate"] == round(1000 * city["count"] / 8600, 3)
    body = rates_client.get("/api/v1/aggregates/stop-and-search?group=borough,gender").get_json()
    for cell in body["cells"]:
        if cell["borough"] == "E09000033" and cell["count"] is not None:
            assert cell["rate"] == round(1000 * cell["count"] / 204300, 3)
        elif cell["borough"] not in ("E09000001", "E09000033") or cell["count"] is None:
            assert cell["rate"] is None
    westminster = next(m for m in body["margins"]["borough"] if m["value"] == "E09000033")
    assert westminster["rate"] == round(1000 * westminster["count"] / 204300, 3)


def test_unreadable_denominators_are_503(published_dir, tmp_path):
    from gateway import create_app

    config = {"TESTING": True, "DATA_DIR": str(published_dir), "PSEUDONYM_KEY": RELEASE_KEY, **UNLIMITED}
    client = create_app({**config, "DENOMINATORS": str(tmp_path / "missing.csv")}).test_client()
    response = client.get("/api/v1/aggregates/street-crime?group=borough")
    assert response.status_code == 503
    assert "missing.csv" not in response.get_data(as_text=True)


def test_threshold_is_configurable(published_dir):
    from gateway import create_app

    config = {"TESTING": True, "DATA_DIR": str(published_dir), "PSEUDONYM_KEY": RELEASE_KEY, **UNLIMITED}
    client = create_app({**config, "SUPPRESSION_THRESHOLD": 1}).test_client()
    body = client.get("/api/v1/aggregates/stop-and-search?group=borough,outcome").get_json()
    assert body["threshold"] == 1 and not any(c["suppressed"] for c in body["cells"])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/aggregates/street-crime", "group"),
        ("/api/v1/aggregates/street-crime?group=", "Length must be between 1 and 3"),
        ("/api/v1/aggregates/street-crime?group=colour", "Must be one of"),
        ("/api/v1/aggregates/street-crime?group=category,category", "named twice"),
        ("/api/v1/aggregates/stop-and-search?group=borough,gender,outcome,type", "Length must be between 1 and 3"),
        ("/api/v1/aggregates/street-crime?group=lsoa,category,month", "more than 2,000 groups"),
        ("/api/v1/aggregates/street-crime?group=category&_format=geojson", "_format"),
        ("/api/v1/aggregates/street-crime?group=category&_page=2", "_page: unknown parameter"),
        ("/api/v1/aggregates/use-of-force?group=lsoa", "Must be one of"),
    ],
)
def test_bad_aggregate_parameters(api, url, expected):
    assert expected in api.error(url)["message"]


def test_unknown_dataset_is_404(api):
    assert api.error("/api/v1/aggregates/parking-tickets?group=month", 404)


def test_answers_are_kept_per_release(release_app):
    client = release_app.test_client()
    first = client.get("/api/v1/aggregates/street-crime?group=category")
    again = client.get("/api/v1/aggregates/street-crime?group=category&_format=csv")
    other = client.get("/api/v1/aggregates/street-crime?group=category&from=2024-01")
    assert first.status_code == again.status_code == other.status_code == 200
    assert len(release_app.extensions["gateway.api.aggregates"]) == 2
    assert first.get_json()["total"] != other.get_json()["total"]
