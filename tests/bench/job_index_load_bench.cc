// How long a new leader takes to load its job index, and what the index costs
// in memory per job. Needs PostgreSQL (DATABASE_URL, e.g. from
// scripts/testenv); it resets the database's schema, so never point it at
// real data.
//
//   job_index_load_bench [JOBS]     (default 1,000,000)

#include <malloc.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/time/clock.h"
#include "api/submit.pb.h"
#include "lib/common/ids.h"
#include "lib/store/database.h"
#include "lib/store/job_store.h"
#include "lib/store/migrations.h"
#include "server/scheduler/job_index.h"

namespace {

// Resident set size of this process in bytes (Linux).
int64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      int64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(1 << 10, '\n');
  }
  return 0;
}

int Fail(const absl::Status& status) {
  std::cerr << status << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace armada;
  const int64_t total = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const char* url = std::getenv("DATABASE_URL");
  if (!url) {
    std::cerr << "set DATABASE_URL (scripts/testenv start prints it)\n";
    return 2;
  }
  auto db = store::Database::Connect(url);
  if (!db.ok()) return Fail(db.status());
  if (auto s = (*db)->Run([](pqxx::work& tx) {
        tx.exec("DROP SCHEMA public CASCADE");
        tx.exec("CREATE SCHEMA public");
        return absl::OkStatus();
      });
      !s.ok()) {
    return Fail(s);
  }
  if (auto s = store::ApplyMigrations(**db, store::EmbeddedMigrations()); !s.ok()) {
    return Fail(s.status());
  }

  // The jobs: 1 cpu / 4Gi each, over 100 queues, in batches of 10,000 (one COPY each).
  api::Job spec;  // a small stored spec; the index never reads it
  spec.add_pod_specs()->add_containers()->set_name("main");
  const std::string spec_bytes = spec.SerializeAsString();
  const absl::Time load_start = absl::Now();
  for (int64_t done = 0; done < total;) {
    std::vector<store::NewJob> batch;
    for (int i = 0; i < 10'000 && done < total; ++i, ++done) {
      store::NewJob job;
      job.job_id = common::NewJobId();
      job.queue = "queue-" + std::to_string(done % 100);
      job.job_set = "set-" + std::to_string(done % 1000);
      job.owner = "bench";
      job.requests.Set("cpu", 1000);
      job.requests.Set("memory", int64_t{4} << 40);
      job.priority_class = "armada-default";
      job.spec = spec_bytes;
      job.submitted_at = absl::Now();
      batch.push_back(std::move(job));
    }
    auto s = (*db)->Run([&](pqxx::work& tx) { return store::InsertJobs(tx, batch).status(); });
    if (!s.ok()) return Fail(s);
  }
  std::cout << "inserted " << total << " queued jobs in "
            << absl::ToDoubleSeconds(absl::Now() - load_start) << " s\n";

  malloc_trim(0);
  const int64_t before = ResidentBytes();
  server::JobIndex index;
  const absl::Time start = absl::Now();
  if (auto s = index.Load(**db); !s.ok()) return Fail(s);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  // Give back what loading freed (query results), so only the index is counted.
  malloc_trim(0);
  const int64_t after = ResidentBytes();
  std::cout << "job index: loaded " << index.size() << " jobs in " << seconds << " s ("
            << static_cast<int64_t>(index.size() / seconds) << " jobs/s)\n"
            << "job index: resident memory " << (after - before) / (1 << 20) << " MiB, "
            << (after - before) / static_cast<int64_t>(index.size()) << " bytes per queued job\n";

  // What a cycle pays to hand the scheduler its queued jobs: they are lent, not copied.
  const absl::Time lend_start = absl::Now();
  std::vector<model::QueuedJob> lent = index.TakeQueued();
  const size_t lent_count = lent.size();
  index.ReturnQueued(std::move(lent));
  std::cout << "job index: lending " << lent_count << " queued jobs to a cycle takes "
            << absl::ToDoubleSeconds(absl::Now() - lend_start) << " s\n";
  return 0;
}
