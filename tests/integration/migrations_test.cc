#include <thread>

#include <catch2/catch.hpp>

#include "lib/store/migrations.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

int64_t Count(store::Database& db, const std::string& sql) {
  int64_t n = 0;
  REQUIRE(db.Run([&](pqxx::work& tx) {
              n = tx.exec1(sql)[0].as<int64_t>();
              return absl::OkStatus();
            }).ok());
  return n;
}

TEST_CASE("migrations: applied once, also when two servers start at the same time") {
  ResetServices();
  auto db = store::Database::Connect(DatabaseUrl());
  REQUIRE(db.ok());
  const auto& migrations = store::EmbeddedMigrations();
  REQUIRE_FALSE(migrations.empty());

  absl::StatusOr<int> first = 0, second = 0;
  std::thread a([&] { first = store::ApplyMigrations(**db, migrations); });
  std::thread b([&] { second = store::ApplyMigrations(**db, migrations); });
  a.join();
  b.join();
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(*first + *second == static_cast<int>(migrations.size()));
  CHECK((*first == 0 || *second == 0));
  CHECK(Count(**db, "SELECT count(*) FROM schema_migrations") ==
        static_cast<int64_t>(migrations.size()));

  auto again = store::ApplyMigrations(**db, migrations);
  REQUIRE(again.ok());
  CHECK(*again == 0);
}

TEST_CASE("migrations: a failing migration leaves nothing behind and names itself") {
  ResetServices();
  auto db = store::Database::Connect(DatabaseUrl());
  REQUIRE(db.ok());
  std::vector<store::Migration> migrations = {
      {1, "0001_good", "CREATE TABLE good (id int)"},
      {2, "0002_bad", "CREATE TABLE broken (id nonsense_type)"},
  };
  auto result = store::ApplyMigrations(**db, migrations);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("0002_bad"));
  CHECK(Count(**db, "SELECT count(*) FROM pg_tables WHERE tablename = 'good'") == 0);
}

}  // namespace
}  // namespace armada::testing
