#include "load.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace kpo::bench {
namespace {

using Clock = std::chrono::steady_clock;

enum Phase : int { kWarmup = 0, kMeasure = 1, kStop = 2 };

// Everything the callers share. Callbacks run on gRPC's threads.
struct Run {
  const LoadSpec* spec;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  std::vector<grpc::ByteBuffer> requests;
  std::atomic<int> phase{kWarmup};
  std::atomic<size_t> next_request{0};
  absl::Mutex mu;
  int active ABSL_GUARDED_BY(mu) = 0;
  Clock::time_point last_completion ABSL_GUARDED_BY(mu);
};

// One of the in-flight callers: sends, waits for the answer, records it, sends again.
class Caller {
 public:
  Caller(Run& run, int index) : run_(run), stub_(*run.stubs[index % run.stubs.size()]) {
    latencies_.reserve(1 << 16);
    next_ = static_cast<size_t>(index);
  }

  void Start() {
    {
      absl::MutexLock lock(&run_.mu);
      ++run_.active;
    }
    Send();
  }

  std::vector<absl::Duration>& latencies() { return latencies_; }
  int64_t errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }

 private:
  void Send() {
    size_t i;
    if (run_.spec->each_once) {
      i = run_.next_request.fetch_add(1);
      if (i >= run_.requests.size()) return Done();
    } else {
      i = next_ % run_.requests.size();
      next_ += run_.spec->in_flight;
    }
    if (run_.phase.load() == kStop) return Done();
    ctx_ = std::make_unique<grpc::ClientContext>();
    ctx_->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!run_.spec->token.empty()) {
      ctx_->AddMetadata("authorization", "Bearer " + run_.spec->token);
    }
    response_.Clear();
    started_ = Clock::now();
    stub_.UnaryCall(ctx_.get(), run_.spec->method, grpc::StubOptions(), &run_.requests[i],
                    &response_, [this](grpc::Status status) { OnDone(status); });
  }

  void OnDone(const grpc::Status& status) {
    const Clock::time_point now = Clock::now();
    if (run_.phase.load() == kMeasure) {
      if (status.ok()) {
        latencies_.push_back(absl::FromChrono(now - started_));
      } else {
        if (errors_++ == 0) {
          first_error_ = absl::StrCat(status.error_code(), " ", status.error_message());
        }
      }
      absl::MutexLock lock(&run_.mu);
      run_.last_completion = now;
    }
    Send();
  }

  void Done() {
    absl::MutexLock lock(&run_.mu);
    --run_.active;
  }

  Run& run_;
  grpc::GenericStub& stub_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  grpc::ByteBuffer response_;
  Clock::time_point started_;
  size_t next_ = 0;
  std::vector<absl::Duration> latencies_;
  int64_t errors_ = 0;
  std::string first_error_;
};

}  // namespace

absl::Duration ProcessCpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return absl::ZeroDuration();
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int n = 3; fields >> field; ++n) {
    if (n == 14) utime = std::stoll(field);
    if (n == 15) {
      stime = std::stoll(field);
      break;
    }
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  return absl::Seconds(static_cast<double>(utime + stime) / static_cast<double>(ticks));
}

int64_t ProcessRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

absl::Duration Percentile(std::vector<absl::Duration>& samples, double q) {
  if (samples.empty()) return absl::ZeroDuration();
  const size_t k = std::min(samples.size() - 1, static_cast<size_t>(q * samples.size()));
  std::nth_element(samples.begin(), samples.begin() + static_cast<long>(k), samples.end());
  return samples[k];
}

LoadResult RunLoad(const LoadSpec& spec) {
  Run run;
  run.spec = &spec;
  // A few connections, as a client process with several channels would have; each its
  // own TCP connection (distinct channel arguments are never shared).
  std::vector<std::string> targets = {spec.target};
  targets.insert(targets.end(), spec.more_targets.begin(), spec.more_targets.end());
  const int channels =
      std::max(std::clamp(spec.in_flight / 8, 1, 4), static_cast<int>(targets.size()));
  for (int c = 0; c < channels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("kpo.bench.channel", c);
    run.stubs.push_back(std::make_unique<grpc::GenericStub>(grpc::CreateCustomChannel(
        targets[c % targets.size()], grpc::InsecureChannelCredentials(), args)));
  }
  run.requests.reserve(spec.requests.size());
  for (const std::string& r : spec.requests) {
    grpc::Slice slice(r);
    run.requests.emplace_back(&slice, 1);
  }
  std::vector<std::unique_ptr<Caller>> callers;
  for (int i = 0; i < spec.in_flight; ++i) callers.push_back(std::make_unique<Caller>(run, i));
  for (auto& c : callers) c->Start();

  absl::SleepFor(spec.warmup);
  const absl::Duration cpu_before =
      spec.server_pid ? ProcessCpu(spec.server_pid) : absl::ZeroDuration();
  const Clock::time_point start = Clock::now();
  run.phase.store(kMeasure);
  {
    // The window, or until every caller ran out of requests.
    absl::MutexLock lock(&run.mu);
    run.mu.AwaitWithTimeout(absl::Condition(
                                +[](int* active) { return *active == 0; }, &run.active),
                            spec.window);
  }
  run.phase.store(kStop);
  const absl::Duration cpu_after =
      spec.server_pid ? ProcessCpu(spec.server_pid) : absl::ZeroDuration();
  Clock::time_point end;
  {
    absl::MutexLock lock(&run.mu);
    end = run.active == 0 ? run.last_completion : Clock::now();
  }
  LoadResult result;
  result.label = spec.label;
  result.in_flight = spec.in_flight;
  if (spec.server_pid) result.server_rss_kib = ProcessRssKib(spec.server_pid);
  {
    absl::MutexLock lock(&run.mu);
    run.mu.Await(absl::Condition(
        +[](int* active) { return *active == 0; }, &run.active));
  }
  std::vector<absl::Duration> all;
  for (auto& c : callers) {
    all.insert(all.end(), c->latencies().begin(), c->latencies().end());
    result.errors += c->errors();
    if (result.first_error.empty()) result.first_error = c->first_error();
  }
  result.calls = static_cast<int64_t>(all.size());
  result.seconds = std::chrono::duration<double>(end - start).count();
  result.per_second = result.seconds > 0 ? static_cast<double>(result.calls) / result.seconds : 0;
  result.p50 = Percentile(all, 0.50);
  result.p90 = Percentile(all, 0.90);
  result.p99 = Percentile(all, 0.99);
  if (spec.server_pid && result.calls > 0) {
    result.server_cpu_us_per_call =
        absl::ToDoubleMicroseconds(cpu_after - cpu_before) / static_cast<double>(result.calls);
  }
  return result;
}

}  // namespace kpo::bench
