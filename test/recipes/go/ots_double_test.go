// Go's testing + net/http against ots-server as a test double: fixtures, the clock, a fault, the recorded requests.
package otsdouble

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const token = "alice-recipe-token-0123456789abcdefgh"

var ots string // the double's URL

func TestMain(m *testing.M) {
	command := strings.Fields(os.Getenv("OTS_SERVER"))
	if len(command) == 0 {
		command = []string{"./node_modules/.bin/ots-server"}
	}
	args := append(command[1:], "--control", "--port", "0", "--account", "alice@example.com:"+token)
	server := exec.Command(command[0], args...)
	stdout, _ := server.StdoutPipe()
	if err := server.Start(); err != nil {
		panic(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n') // the first stdout line, once it listens
	if err != nil {
		panic(err)
	}
	ots = strings.TrimSpace(line)
	code := m.Run()
	server.Process.Signal(os.Interrupt)
	server.Wait()
	os.Exit(code)
}

// call sends a JSON body (nil: none) and decodes a JSON answer into out (nil: ignored).
func call(t *testing.T, method, path string, body any, out any) *http.Response {
	t.Helper()
	payload, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, ots+path, bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res
}

func fresh(t *testing.T) {
	call(t, "POST", "/__ots/reset", nil, nil)
}

func TestAReceivedReceipt(t *testing.T) {
	fresh(t)
	var keys struct {
		MetadataKey string `json:"metadata_key"`
	}
	call(t, "POST", "/__ots/fixtures", map[string]any{"state": "received"}, &keys)
	var receipt struct{ Record struct{ State string } }
	call(t, "GET", "/api/v2/receipt/"+keys.MetadataKey, nil, &receipt)
	if receipt.Record.State != "revealed" {
		t.Fatalf("state %q, want revealed", receipt.Record.State)
	}
}

func TestASecretExpiresWhenTheClockPassesItsTTL(t *testing.T) {
	fresh(t)
	var made struct {
		Record struct{ Secret struct{ Identifier string } }
	}
	call(t, "POST", "/api/v2/secret/conceal", map[string]any{"secret": map[string]any{"secret": "s3cr3t", "ttl": 60}}, &made)
	call(t, "POST", "/__ots/clock", map[string]any{"advance": 61}, nil)
	res := call(t, "POST", "/api/v2/secret/"+made.Record.Secret.Identifier+"/reveal", map[string]any{"continue": true}, nil)
	if res.StatusCode != 404 {
		t.Fatalf("reveal after the TTL: %d, want 404", res.StatusCode)
	}
}

func TestTheStoreDownAnswers503(t *testing.T) {
	fresh(t)
	call(t, "POST", "/__ots/faults", map[string]any{"store": "down"}, nil)
	var body struct {
		ErrorType string `json:"error_type"`
	}
	res := call(t, "POST", "/api/v2/secret/conceal", map[string]any{"secret": map[string]any{"secret": "s3cr3t"}}, &body)
	if res.StatusCode != 503 || res.Header.Get("Retry-After") != "5" || body.ErrorType != "ServiceUnavailable" {
		t.Fatalf("got %d, Retry-After %q, %q", res.StatusCode, res.Header.Get("Retry-After"), body.ErrorType)
	}
}

func TestWhatTheClientSent(t *testing.T) {
	fresh(t)
	call(t, "POST", "/api/v2/secret/conceal", map[string]any{"secret": map[string]any{"secret": "s3cr3t", "ttl": 300}}, nil)
	var sent struct {
		Requests []struct {
			Method, Path string
			Params       []string
		}
	}
	call(t, "GET", "/__ots/requests", nil, &sent)
	if len(sent.Requests) != 1 || sent.Requests[0].Path != "/api/v2/secret/conceal" ||
		strings.Join(sent.Requests[0].Params, ",") != "secret.secret,secret.ttl" {
		t.Fatalf("recorded %+v", sent.Requests)
	}
}
