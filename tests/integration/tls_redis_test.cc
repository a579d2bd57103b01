// Redis with AUTH (requirepass and an ACL user) and over TLS (redis-server's
// own --tls-port, reached through net::TlsBridge), each with a redis-server
// the test starts; and PostgreSQL over TLS (the testenv server, which runs
// with ssl=on): DATABASE_URL's sslmode/sslrootcert pass through libpq.

#include <memory>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "lib/events/redis_client.h"
#include "lib/events/redis_subscriber.h"
#include "tests/integration/tls_test_util.h"

namespace armada::testing {
namespace {

using events::RedisClient;

std::string Url(const std::string& scheme, const std::string& user_info, int port,
                const std::string& query = "") {
  return scheme + "://" + user_info + (user_info.empty() ? "" : "@") +
         "127.0.0.1:" + std::to_string(port) + "/0" + (query.empty() ? "" : "?" + query);
}

// SET then GET of `value` through `client`.
void RoundTrip(RedisClient& client, const std::string& value) {
  auto set = client.Command({"SET", "k", value});
  REQUIRE(set.ok());
  REQUIRE_FALSE(set->is_error);
  auto get = client.Command({"GET", "k"});
  REQUIRE(get.ok());
  CHECK(get->str == value);
}

struct UrlCase {
  std::string name;
  std::string url;
  std::string host;
  int port;
  std::string username;
  std::string password;
  bool tls;
};

const std::vector<UrlCase> kUrlCases = {
    {"plain", "redis://h:1234/2", "h", 1234, "", "", false},
    {"default port", "redis://h", "h", 6379, "", "", false},
    {"password only", "redis://:pw@h:1/0", "h", 1, "", "pw", false},
    {"bare password", "redis://pw@h:1/0", "h", 1, "", "pw", false},
    {"user and password", "redis://alice:s3cret@h:1/0", "h", 1, "alice", "s3cret", false},
    {"percent-decoded", "redis://a%40b:p%40ss%3Aw%2Frd%25@h:1", "h", 1, "a@b", "p@ss:w/rd%", false},
    {"tls", "rediss://:pw@h:6380/0?ssl_ca_certs=/ca.pem", "h", 6380, "", "pw", true},
    {"ipv6", "redis://[::1]:7000/0", "::1", 7000, "", "", false},
};

TEST_CASE("redis url: user info, TLS and redis-py's query parameters") {
  const UrlCase c = GENERATE(from_range(kUrlCases));
  DYNAMIC_SECTION(c.name) {
    auto address = events::ParseRedisUrl(c.url);
    REQUIRE(address.ok());
    CHECK(address->host == c.host);
    CHECK(address->port == c.port);
    CHECK(address->username == c.username);
    CHECK(address->password == c.password);
    CHECK(address->tls == c.tls);
  }
}

TEST_CASE("redis url: bad URLs are refused without showing the password") {
  for (const std::string url :
       {"http://:hunter2@h:1", "redis://:hunter2@h:x/0", "redis://:hunter2@h:1/zz",
        "redis://:hunter2@h:1/0?ssl_ca_certs=/ca", "rediss://:hunter2@h:1/0?bogus=1",
        "redis://:hunter2@h:1/0?ssl_cert_reqs=maybe", "redis://:hunt%zzer2@h:1"}) {
    INFO(url);
    auto address = events::ParseRedisUrl(url);
    REQUIRE_FALSE(address.ok());
    CHECK(address.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(address.status().message()), !Catch::Contains("hunter2"));
  }
  CHECK(events::RedactRedisUrl("rediss://u:hunter2@h:1/0?x=1") == "rediss://u:****@h:1/0?x=1");
  CHECK(events::RedactRedisUrl("redis://hunter2@h:1") == "redis://****@h:1");
  CHECK(events::RedactRedisUrl("redis://h:1/0") == "redis://h:1/0");
  auto tls = events::ParseRedisUrl(
      "rediss://h/0?ssl_ca_certs=%2Fa%20b&ssl_certfile=/c&ssl_keyfile=/k&ssl_cert_reqs=none&"
      "ssl_check_hostname=false");
  REQUIRE(tls.ok());
  CHECK(tls->ca_file == "/a b");
  CHECK(tls->cert_file == "/c");
  CHECK(tls->key_file == "/k");
  CHECK_FALSE(tls->verify_peer);
  CHECK_FALSE(tls->check_hostname);
}

TEST_CASE("redis auth: requirepass and an ACL user, percent-encoded, wrong ones refused") {
  RedisProcess redis(
      {"--requirepass", "p@ss:w/rd", "--user", "alice", "on", ">s3cret", "~*", "&*", "+@all"});
  auto by_password = RedisClient::Connect(Url("redis", ":p%40ss%3Aw%2Frd", redis.port()));
  REQUIRE(by_password.ok());
  RoundTrip(**by_password, "v1");
  auto by_user = RedisClient::Connect(Url("redis", "alice:s3cret", redis.port()));
  REQUIRE(by_user.ok());
  RoundTrip(**by_user, "v2");

  auto wrong = RedisClient::Connect(Url("redis", "alice:hunter2", redis.port()));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(wrong.status().message()), !Catch::Contains("hunter2"));

  auto none = RedisClient::Connect(Url("redis", "", redis.port()));
  REQUIRE(none.ok());  // connecting needs no AUTH; commands do
  auto refused = (*none)->Command({"GET", "k"});
  REQUIRE(refused.ok());
  CHECK(refused->is_error);

  // Pub/sub with the same URL.
  auto subscriber =
      events::RedisSubscriber::Connect(Url("redis", "alice:s3cret", redis.port()), "c");
  REQUIRE(subscriber.ok());
  REQUIRE((*by_user)->Command({"PUBLISH", "c", "hello"}).ok());
  auto message = (*subscriber)->Next(absl::Seconds(5));
  REQUIRE(message.ok());
  CHECK(message->value_or("") == "hello");
  CHECK(events::RedisSubscriber::Connect(Url("redis", "alice:nope", redis.port()), "c")
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
}

std::vector<std::string> TlsArgs(const TestCerts& certs, bool auth_clients) {
  return {"--tls-cert-file",        certs.File("server.crt"),   "--tls-key-file",
          certs.File("server.key"), "--tls-ca-cert-file",       certs.File("ca.crt"),
          "--tls-auth-clients",     auth_clients ? "yes" : "no"};
}

TEST_CASE("redis tls: rediss:// verifies the server, carries commands, pipelines and pub/sub") {
  TestCerts certs;
  auto args = TlsArgs(certs, false);
  args.insert(args.end(), {"--requirepass", "pw"});
  RedisProcess redis(args, /*tls_only=*/true);
  const std::string url =
      Url("rediss", ":pw", redis.port(), "ssl_ca_certs=" + certs.File("ca.crt"));
  auto client = RedisClient::Connect(url);
  INFO(client.status().ToString());
  REQUIRE(client.ok());
  RoundTrip(**client, "small");
  RoundTrip(**client, std::string(3 << 20, 'x'));  // many TLS records each way
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 500; ++i) commands.push_back({"INCR", "n"});
  auto replies = (*client)->Pipeline(commands);
  REQUIRE(replies.ok());
  CHECK(replies->back().integer == 500);

  auto subscriber = events::RedisSubscriber::Connect(url, "c");
  REQUIRE(subscriber.ok());
  auto nothing = (*subscriber)->Next(absl::Milliseconds(100));
  REQUIRE(nothing.ok());
  CHECK_FALSE(nothing->has_value());
  REQUIRE((*client)->Command({"PUBLISH", "c", "hello"}).ok());
  auto message = (*subscriber)->Next(absl::Seconds(5));
  REQUIRE(message.ok());
  CHECK(message->value_or("") == "hello");

  auto wrong_ca = RedisClient::Connect(
      Url("rediss", ":pw", redis.port(), "ssl_ca_certs=" + certs.File("other-ca.crt")));
  REQUIRE_FALSE(wrong_ca.ok());
  CHECK(wrong_ca.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(wrong_ca.status().message()), Catch::Contains("verify"));
  // Plaintext to a TLS port gets no answer.
  auto plain = RedisClient::Connect(Url("redis", ":pw", redis.port()));
  CHECK_FALSE((plain.ok() && (*plain)->Command({"PING"}).ok()));
}

TEST_CASE("redis tls: a client certificate for mutual TLS, and no leaks across reconnects") {
  TestCerts certs;
  RedisProcess redis(TlsArgs(certs, true), /*tls_only=*/true);
  const std::string query = "ssl_ca_certs=" + certs.File("ca.crt") +
                            "&ssl_certfile=" + certs.File("executor.crt") +
                            "&ssl_keyfile=" + certs.File("executor.key");
  {
    auto warm = RedisClient::Connect(Url("rediss", "", redis.port(), query));
    REQUIRE(warm.ok());
  }
  const int fds = OpenFdCount();
  const int threads = ThreadCount();
  for (int i = 0; i < 20; ++i) {
    auto client = RedisClient::Connect(Url("rediss", "", redis.port(), query));
    REQUIRE(client.ok());
    RoundTrip(**client, "v" + std::to_string(i));
    auto subscriber = events::RedisSubscriber::Connect(Url("rediss", "", redis.port(), query), "c");
    REQUIRE(subscriber.ok());
  }
  CHECK(OpenFdCount() == fds);
  CHECK(ThreadCount() == threads);

  // Without a certificate the server ends the session (at the handshake or
  // the first command, depending on the TLS version).
  auto anonymous =
      RedisClient::Connect(Url("rediss", "", redis.port(), "ssl_ca_certs=" + certs.File("ca.crt")));
  CHECK_FALSE((anonymous.ok() && (*anonymous)->Command({"PING"}).ok()));
}

TEST_CASE("redis tls: a server that goes away ends the client's calls, not the process") {
  TestCerts certs;
  auto redis = std::make_unique<RedisProcess>(TlsArgs(certs, false), /*tls_only=*/true);
  auto client = RedisClient::Connect(
      Url("rediss", "", redis->port(), "ssl_ca_certs=" + certs.File("ca.crt")));
  REQUIRE(client.ok());
  RoundTrip(**client, "v");
  redis.reset();
  auto after = (*client)->Command({"PING"});
  CHECK_FALSE(after.ok());
}

std::string DatabaseUrlWith(const std::string& params) {
  const char* url = std::getenv("DATABASE_URL");
  std::string base = url ? url : "postgresql://postgres@127.0.0.1:25432/postgres";
  return base + (base.find('?') == std::string::npos ? "?" : "&") + params;
}

std::string TestenvCa() {
  const char* dir = std::getenv("TESTENV_DIR");
  return std::string(dir ? dir : "/tmp/armada-testenv") + "/certs/ca.crt";
}

TEST_CASE("postgres tls: sslmode=verify-full with the testenv CA, a wrong CA is refused") {
  {
    pqxx::connection plain(DatabaseUrlWith("sslmode=disable"));
    pqxx::nontransaction tx(plain);
    INFO(
        "a PostgreSQL started by an older scripts/testenv runs without ssl: "
        "run scripts/testenv stop and test again");
    REQUIRE(tx.exec1("SHOW ssl")[0].as<std::string>() == "on");
  }
  pqxx::connection verified(DatabaseUrlWith("sslmode=verify-full&sslrootcert=" + TestenvCa()));
  pqxx::nontransaction tx(verified);
  CHECK(tx.exec1("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")[0].as<bool>());

  TestCerts other;
  try {
    pqxx::connection refused(
        DatabaseUrlWith("sslmode=verify-full&sslrootcert=" + other.File("other-ca.crt")));
    FAIL("connected with a CA that did not sign the server's certificate");
  } catch (const pqxx::broken_connection& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("certificate verify failed"));
  }
}

TEST_CASE("postgres: a refused password is not in the error") {
  // testenv trusts every local login, so ask for a database that does not
  // exist with a password in the URL: the error must not echo it.
  try {
    pqxx::connection refused(
        "postgresql://postgres:hunter2@127.0.0.1:" +
        std::string(std::getenv("TESTENV_PG_PORT") ? std::getenv("TESTENV_PG_PORT") : "25432") +
        "/no_such_db");
    FAIL("connected to a database that does not exist");
  } catch (const pqxx::broken_connection& e) {
    CHECK_THAT(std::string(e.what()), !Catch::Contains("hunter2"));
  }
}

}  // namespace
}  // namespace armada::testing
