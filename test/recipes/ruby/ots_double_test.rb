# minitest + net/http against ots-server as a test double: fixtures, the clock, a fault, the recorded requests.
require "json"
require "minitest/autorun"
require "net/http"
require "shellwords"

TOKEN = "alice-recipe-token-0123456789abcdefgh"
command = Shellwords.split(ENV.fetch("OTS_SERVER", "./node_modules/.bin/ots-server"))
SERVER = IO.popen(command + ["--control", "--port", "0", "--account", "alice@example.com:#{TOKEN}"])
OTS = URI(SERVER.gets.strip) # the first stdout line, once it listens
Minitest.after_run do
  Process.kill("TERM", SERVER.pid)
  Process.wait(SERVER.pid)
end

class OtsDoubleTest < Minitest::Test
  def call(method, path, body = nil, user: nil)
    request = Net::HTTP.const_get(method.capitalize).new(URI.join(OTS, path))
    request.content_type = "application/json"
    request.body = JSON.generate(body) if body
    request.basic_auth(user, TOKEN) if user
    Net::HTTP.start(OTS.host, OTS.port) { |http| http.request(request) }
  end

  def json(response) = JSON.parse(response.body)

  def setup = call(:post, "/__ots/reset")

  def test_a_received_receipt
    keys = json(call(:post, "/__ots/fixtures", { state: "received" }))
    receipt = json(call(:get, "/api/v2/receipt/#{keys["metadata_key"]}"))
    assert_equal "revealed", receipt["record"]["state"]
  end

  def test_a_secret_expires_when_the_clock_passes_its_ttl
    made = json(call(:post, "/api/v2/secret/conceal", { secret: { secret: "s3cr3t", ttl: 60 } }))
    call(:post, "/__ots/clock", { advance: 61 })
    reveal = call(:post, "/api/v2/secret/#{made["record"]["secret"]["identifier"]}/reveal", { continue: true })
    assert_equal "404", reveal.code
  end

  def test_the_store_down_answers_503
    call(:post, "/__ots/faults", { store: "down" })
    reply = call(:post, "/api/v2/secret/conceal", { secret: { secret: "s3cr3t" } })
    assert_equal ["503", "5", "ServiceUnavailable"], [reply.code, reply["Retry-After"], json(reply)["error_type"]]
  end

  def test_what_the_client_sent
    call(:post, "/api/v2/secret/conceal", { secret: { secret: "s3cr3t", ttl: 300 } }, user: "alice@example.com")
    sent = json(call(:get, "/__ots/requests"))["requests"]
    assert_equal [["POST", "/api/v2/secret/conceal", "alice@example.com"]], sent.map { |r| r.values_at("method", "path", "username") }
    assert_equal ["secret.secret", "secret.ttl"], sent[0]["params"]
    refute_includes sent.to_s, "s3cr3t"
  end
end
