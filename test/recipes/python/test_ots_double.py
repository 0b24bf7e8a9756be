# pytest + requests against ots-server as a test double: fixtures, the clock, a fault, the recorded requests.
import os, shlex, subprocess
import pytest, requests

TOKEN = "alice-recipe-token-0123456789abcdefgh"

@pytest.fixture(scope="session")
def ots():
    command = shlex.split(os.environ.get("OTS_SERVER", "./node_modules/.bin/ots-server"))
    proc = subprocess.Popen(command + ["--control", "--port", "0", "--account", f"alice@example.com:{TOKEN}"],
                            stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()  # the first stdout line, once it listens
    yield url
    proc.terminate()
    assert proc.wait(timeout=15) == 0

@pytest.fixture(autouse=True)
def fresh(ots):
    requests.post(f"{ots}/__ots/reset").raise_for_status()

def control(ots, verb, body):
    reply = requests.post(f"{ots}/__ots/{verb}", json=body)
    reply.raise_for_status()
    return reply.json()

def test_a_received_receipt(ots):
    keys = control(ots, "fixtures", {"state": "received"})
    receipt = requests.get(f"{ots}/api/v2/receipt/{keys['metadata_key']}").json()
    assert receipt["record"]["state"] == "revealed"

def test_a_secret_expires_when_the_clock_passes_its_ttl(ots):
    made = requests.post(f"{ots}/api/v2/secret/conceal", json={"secret": {"secret": "s3cr3t", "ttl": 60}}).json()
    control(ots, "clock", {"advance": 61})
    reveal = requests.post(f"{ots}/api/v2/secret/{made['record']['secret']['identifier']}/reveal", json={"continue": True})
    assert reveal.status_code == 404

def test_the_store_down_answers_503(ots):
    control(ots, "faults", {"store": "down"})
    reply = requests.post(f"{ots}/api/v2/secret/conceal", json={"secret": {"secret": "s3cr3t"}})
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    assert reply.json()["error_type"] == "ServiceUnavailable"

def test_what_the_client_sent(ots):
    requests.post(f"{ots}/api/v2/secret/conceal", json={"secret": {"secret": "s3cr3t", "ttl": 300}},
                  auth=("alice@example.com", TOKEN))
    sent = requests.get(f"{ots}/__ots/requests").json()["requests"]
    assert [(r["method"], r["path"], r["username"]) for r in sent] == [("POST", "/api/v2/secret/conceal", "alice@example.com")]
    assert sent[0]["params"] == ["secret.secret", "secret.ttl"]
    assert "s3cr3t" not in str(sent) and TOKEN not in str(sent)
