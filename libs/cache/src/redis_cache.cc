#include "kpo/cache/redis_cache.h"

#include <hiredis/hiredis.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <signal.h>

#include <map>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "kpo/cache/circuit_breaker.h"
#include "kpo/core/log.h"

namespace kpo::cache {

std::string Key(absl::string_view organization_id, absl::string_view suffix) {
  return absl::StrCat("kpo:{", organization_id, "}:", suffix);
}

namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

class RedisCache::Impl {
 public:
  Impl(RedisOptions options, const kpo::core::Clock& clock, prometheus::Registry* registry)
      : options_(std::move(options)),
        breaker_(options_.failure_threshold, options_.open_duration, clock) {
    // hiredis writes without MSG_NOSIGNAL: a dead Redis must not kill the process.
    static std::once_flag ignore_sigpipe;
    std::call_once(ignore_sigpipe, [] { signal(SIGPIPE, SIG_IGN); });
    if (registry != nullptr) {
      auto& family = prometheus::BuildCounter()
                         .Name("kpo_cache_requests_total")
                         .Help(
                             "Redis cache calls by result (hit, miss, stored, error, "
                             "short_circuit = refused by the open breaker)")
                         .Register(*registry);
      for (const char* r : {"hit", "miss", "stored", "stale_refused", "error", "short_circuit"}) {
        results_[r] = &family.Add({{"service", options_.service}, {"result", r}});
      }
      available_ = &prometheus::BuildGauge()
                        .Name("kpo_cache_available")
                        .Help("1 while Redis answers, 0 while the service reads its database only")
                        .Register(*registry)
                        .Add({{"service", options_.service}});
      available_->Set(1);
    }
  }

  ~Impl() {
    absl::MutexLock lock(&mu_);
    for (redisContext* c : idle_) redisFree(c);
  }

  void Count(const char* result) {
    auto it = results_.find(result);
    if (it != results_.end()) it->second->Increment();
  }

  // Runs `argv` on a pooled connection. nullptr on any failure (counted by the breaker).
  Reply Command(const std::vector<std::string>& argv) {
    if (!breaker_.Allow()) {
      Count("short_circuit");
      return nullptr;
    }
    redisContext* ctx = Borrow();
    if (ctx == nullptr) {
      Failed("connect");
      return nullptr;
    }
    std::vector<const char*> args;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    Reply reply(static_cast<redisReply*>(
        redisCommandArgv(ctx, static_cast<int>(args.size()), args.data(), lens.data())));
    if (reply == nullptr || ctx->err != 0 || reply->type == REDIS_REPLY_ERROR) {
      const std::string why = ctx->err != 0      ? ctx->errstr
                              : reply != nullptr ? std::string(reply->str, reply->len)
                                                 : "no reply";
      redisFree(ctx);  // never reuse a connection in an unknown state
      Failed(why);
      return nullptr;
    }
    Return(ctx);
    breaker_.RecordSuccess();
    if (available_ != nullptr) available_->Set(1);
    return reply;
  }

  bool available() const { return breaker_.state() != CircuitBreaker::State::kOpen; }

 private:
  void Failed(const std::string& why) {
    const bool was_available = available();
    breaker_.RecordFailure();
    Count("error");
    if (was_available && !available()) {
      kpo::log::Warn("redis unavailable; serving from the database", {{"error", why}});
      if (available_ != nullptr) available_->Set(0);
    }
  }

  redisContext* Borrow() {
    {
      absl::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        redisContext* c = idle_.back();
        idle_.pop_back();
        return c;
      }
    }
    const timeval connect = absl::ToTimeval(options_.connect_timeout);
    redisContext* c = nullptr;
    if (absl::StartsWith(options_.address, "unix:")) {
      c = redisConnectUnixWithTimeout(options_.address.substr(5).c_str(), connect);
    } else {
      const size_t colon = options_.address.rfind(':');
      int port = 6379;
      if (colon != std::string::npos &&
          !absl::SimpleAtoi(options_.address.substr(colon + 1), &port)) {
        port = 6379;
      }
      c = redisConnectWithTimeout(options_.address.substr(0, colon).c_str(), port, connect);
    }
    if (c == nullptr) return nullptr;
    if (c->err != 0) {
      redisFree(c);
      return nullptr;
    }
    redisSetTimeout(c, absl::ToTimeval(options_.command_timeout));
    return c;
  }

  void Return(redisContext* c) {
    absl::MutexLock lock(&mu_);
    if (static_cast<int>(idle_.size()) < options_.pool_size) {
      idle_.push_back(c);
    } else {
      redisFree(c);
    }
  }

  RedisOptions options_;
  CircuitBreaker breaker_;
  absl::Mutex mu_;
  std::vector<redisContext*> idle_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> results_;
  prometheus::Gauge* available_ = nullptr;

 public:
  friend class RedisCache;
};

RedisCache::RedisCache(RedisOptions options, const kpo::core::Clock& clock,
                       prometheus::Registry* registry)
    : impl_(std::make_unique<Impl>(std::move(options), clock, registry)) {}
RedisCache::~RedisCache() = default;

std::optional<std::string> RedisCache::Get(const std::string& key) {
  Reply r = impl_->Command({"GET", key});
  if (r == nullptr) return std::nullopt;
  if (r->type != REDIS_REPLY_STRING) {
    impl_->Count("miss");
    return std::nullopt;
  }
  impl_->Count("hit");
  return std::string(r->str, r->len);
}

bool RedisCache::Set(const std::string& key, const std::string& value, absl::Duration ttl) {
  Reply r = impl_->Command({"SET", key, value, "PX",
                            std::to_string(std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl)))});
  if (r == nullptr) return false;
  impl_->Count("stored");
  return true;
}

bool RedisCache::Delete(const std::vector<std::string>& keys) {
  if (keys.empty()) return true;
  std::vector<std::string> argv = {"DEL"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  return impl_->Command(argv) != nullptr;
}

namespace {

// KEYS[1] = key; ARGV = revision, stored form, ttl in ms, and "v" (a value) or "t" (a
// tombstone). 1 = written, 0 = refused (see the header).
constexpr char kVersionedSet[] = R"lua(
local current = redis.call('GET', KEYS[1])
if current then
  local revision, mark = string.match(current, '^(%d+)([:!])')
  revision = tonumber(revision)
  local asked = tonumber(ARGV[1])
  if revision then
    if revision > asked then return 0 end
    if revision == asked and not (mark == '!' and ARGV[4] == 'v') then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
)lua";

std::string Millis(absl::Duration ttl) {
  return std::to_string(std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl)));
}

}  // namespace

std::optional<bool> RedisCache::SetIfNewer(const std::string& key, int64_t revision,
                                           const std::string& value, absl::Duration ttl) {
  Reply r = impl_->Command({"EVAL", kVersionedSet, "1", key, std::to_string(revision),
                            absl::StrCat(revision, ":", value), Millis(ttl), "v"});
  if (r == nullptr) return std::nullopt;
  const bool written = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
  impl_->Count(written ? "stored" : "stale_refused");
  return written;
}

std::optional<bool> RedisCache::Tombstone(const std::string& key, int64_t revision,
                                          absl::Duration ttl) {
  Reply r = impl_->Command({"EVAL", kVersionedSet, "1", key, std::to_string(revision),
                            absl::StrCat(revision, "!"), Millis(ttl), "t"});
  if (r == nullptr) return std::nullopt;
  return r->type == REDIS_REPLY_INTEGER && r->integer == 1;
}

std::optional<std::pair<int64_t, std::string>> RedisCache::ParseVersioned(
    const std::string& stored) {
  const size_t colon = stored.find(':');
  int64_t revision = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(stored.substr(0, colon), &revision)) {
    return std::nullopt;
  }
  return std::make_pair(revision, stored.substr(colon + 1));
}

bool RedisCache::available() const { return impl_->available(); }

}  // namespace kpo::cache
