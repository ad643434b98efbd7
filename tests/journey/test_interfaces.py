"""The journey analytics through the CLI, the REST API, process-mining files and the map."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pm4py
import pytest
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.objects.petri_net.utils import petri_utils
from typer.testing import CliRunner

from journeyhub import Hub
from journeyhub.analytics.export import export
from journeyhub.cli.main import app
from tests.conftest import Api

runner = CliRunner()


def cli(db: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_dfg_json_has_the_contract_shape(demo_hub: Hub):
    db = demo_hub.db.path
    demo_hub.close()
    rows = json.loads(cli(db, "analytics", "dfg", "--json"))
    assert rows and set(rows[0]) == {"from", "to", "count", "median_seconds"}
    phases = json.loads(cli(db, "analytics", "dfg", "--level", "phase", "--json"))
    assert {r["from"] for r in phases} <= {
        "awareness", "consideration", "conversion", "retention", "advocacy",
    }  # fmt: skip
    funnel = json.loads(cli(db, "analytics", "funnel", "--steps", "Product Viewed,Order Completed",
                            "--within", "30d", "--json"))  # fmt: skip
    assert funnel["series"][0]["steps"][0]["name"] == "Product Viewed"
    for name in ("variants", "conformance", "friction", "unmapped", "goals"):
        assert json.loads(cli(db, "analytics", name, "--json")), name
    paths = json.loads(cli(db, "analytics", "paths", "--anchor", "cart", "--json"))
    assert paths["top"][0]["path"][0] == "cart"


def test_cli_refuses_a_bad_journey_with_the_place_of_the_error(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nphases: []\ntouchpoints: []\n")
    result = runner.invoke(app, ["journey", "validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml: phases (line 2): List should have at least 1 item" in result.output.replace(
        "\n", ""
    )


def test_rest_analytics_answer_like_the_python_api(demo_hub: Hub):
    api = Api(demo_hub)
    dfg = api.get("/v1/analytics/dfg", params={"level": "touchpoint"})
    assert dfg.status_code == 200
    assert dfg.json() == demo_hub.analytics.dfg("touchpoint")
    params = {"steps": "home,cart,order", "level": "touchpoint", "within": "7d"}
    funnel = api.get("/v1/analytics/funnel", params=params)
    assert funnel.status_code == 200 and len(funnel.json()["series"][0]["steps"]) == 3
    people = api.get("/v1/analytics/funnel", params={
        "steps": "home,cart,order", "level": "touchpoint", "customers_at": 2, "dropped": True,
        "limit": 5,
    })  # fmt: skip
    assert people.status_code == 200 and len(people.json()["customers"]) <= 5
    for name in ("variants", "conformance", "friction", "unmapped", "goals"):
        assert api.get(f"/v1/analytics/{name}").status_code == 200, name
    example = api.get("/v1/analytics/friction").json()[0]["examples"][0]["timeline"]
    assert api.get(example).json()["items"]  # the example opens a real timeline
    bad = api.get("/v1/analytics/funnel", params={"steps": "a", "within": "7d"})
    assert bad.status_code == 400 and "2..20 steps" in bad.json()["error"]["message"]
    missing = api.get("/v1/analytics/goals", params={"journey": "nope"})
    assert missing.status_code == 404


def test_rest_applies_a_journey_and_refuses_an_invalid_one(hub: Hub):
    api = Api(hub)
    text = Path("src/journeyhub/journey/templates/retail.yaml").read_text()
    yaml_headers = {**api.headers, "Content-Type": "application/yaml"}
    ok = api.client.post("/v1/journeys", content=text, headers=yaml_headers)
    assert ok.status_code == 200 and ok.json()["version"] == 1
    broken = text.replace("stage: purchase", "stage: later", 1)
    bad = api.client.post("/v1/journeys", content=broken, headers=yaml_headers)
    assert bad.status_code == 422 and "(line " in bad.json()["error"]["message"]
    assert [j["name"] for j in api.get("/v1/journeys").json()] == ["retail"]


def _sequential_net(milestones: list[str]) -> tuple[PetriNet, Marking, Marking]:
    net = PetriNet("critical path")
    places = [PetriNet.Place(f"p{i}") for i in range(len(milestones) + 1)]
    for place in places:
        net.places.add(place)
    for i, name in enumerate(milestones):
        transition = PetriNet.Transition(name, name)
        net.transitions.add(transition)
        petri_utils.add_arc_from_to(places[i], transition, net)
        petri_utils.add_arc_from_to(transition, places[i + 1], net)
    return net, Marking({places[0]: 1}), Marking({places[-1]: 1})


def test_xes_export_reads_in_pm4py_and_its_replay_gives_our_fitness(demo_hub: Hub, tmp_path: Path):
    out = tmp_path / "log.xes"
    report = export(demo_hub.analytics, out, level="touchpoint", journey="retail")
    log = pm4py.read_xes(str(out), return_legacy_log_object=True)
    assert len(log) == report["cases"] and sum(len(t) for t in log) == report["events"]
    net, im, fm = _sequential_net(demo_hub.journey("retail").milestones)
    theirs = pm4py.fitness_token_based_replay(log, net, im, fm)
    ours = demo_hub.analytics.conformance()
    assert ours["log_fitness"] == pytest.approx(theirs["log_fitness"], abs=1e-12)
    assert ours["mean_fitness"] == pytest.approx(theirs["average_trace_fitness"], abs=1e-12)


def test_ocel_export_relates_events_to_customers_orders_and_tickets(demo_hub: Hub, tmp_path: Path):
    out = tmp_path / "log.jsonocel"
    report = export(demo_hub.analytics, out)
    ocel = pm4py.read_ocel2_json(str(out))
    assert len(ocel.events) == report["events"]
    types = set(ocel.objects["ocel:type"])
    assert types == {"customer", "order", "ticket"}
    orders = ocel.relations[ocel.relations["ocel:type"] == "order"]
    assert set(orders["ocel:activity"]) >= {"Order Completed", "Order Shipped"}
    assert isinstance(ocel.events, pd.DataFrame)


@pytest.mark.parametrize("suffix", ["html", "png", "svg"])
def test_journey_map_renders(demo_hub: Hub, tmp_path: Path, suffix: str):
    from journeyhub.analytics.journey_map import map_data, render_map

    out = render_map(demo_hub.analytics, tmp_path / f"map.{suffix}", lang="de")
    head = out.read_bytes()[:200]
    assert {"html": b"<!doctype html>", "png": b"\x89PNG", "svg": b"<svg"}[suffix] in head or (
        suffix == "svg" and b"<?xml" in head
    )
    data = map_data(demo_hub.analytics)
    order = next(t for p in data["phases"] for t in p["touchpoints"] if t["id"] == "order")
    assert order["customers"] > 0 and "csat" in order["scores"] and "csat" in order["gap"]
    if suffix == "html":
        assert "Bestellung" in out.read_text()
