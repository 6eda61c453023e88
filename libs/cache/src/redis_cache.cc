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
#include "absl/strings/str_format.h"
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
    std::vector<Reply> replies = Pipeline({argv});
    return replies.empty() ? nullptr : std::move(replies.front());
  }

  // Sends `commands` at once on one pooled connection and reads their replies in order
  // (one round trip). Empty on any failure, an error reply included (counted by the
  // breaker).
  std::vector<Reply> Pipeline(const std::vector<std::vector<std::string>>& commands) {
    if (!breaker_.Allow()) {
      Count("short_circuit");
      return {};
    }
    redisContext* ctx = Borrow();
    if (ctx == nullptr) {
      Failed("connect");
      return {};
    }
    for (const auto& argv : commands) {
      std::vector<const char*> args;
      std::vector<size_t> lens;
      for (const auto& a : argv) {
        args.push_back(a.data());
        lens.push_back(a.size());
      }
      redisAppendCommandArgv(ctx, static_cast<int>(args.size()), args.data(), lens.data());
    }
    std::vector<Reply> replies;
    std::string why;
    for (size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      const int rc = redisGetReply(ctx, &raw);
      Reply reply(static_cast<redisReply*>(raw));
      if (rc != REDIS_OK || reply == nullptr || ctx->err != 0) {
        why = ctx->err != 0 ? ctx->errstr : "no reply";
        break;
      }
      if (reply->type == REDIS_REPLY_ERROR && why.empty()) why.assign(reply->str, reply->len);
      replies.push_back(std::move(reply));
    }
    if (!why.empty() || replies.size() != commands.size()) {
      redisFree(ctx);  // never reuse a connection in an unknown state
      Failed(why.empty() ? "no reply" : why);
      return {};
    }
    Return(ctx);
    breaker_.RecordSuccess();
    if (available_ != nullptr) available_->Set(1);
    return replies;
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

std::optional<std::vector<std::optional<std::string>>> RedisCache::MGet(
    const std::vector<std::string>& keys) {
  std::vector<std::optional<std::string>> out;
  if (keys.empty()) return out;
  std::vector<std::string> argv = {"MGET"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  Reply r = impl_->Command(argv);
  if (r == nullptr) return std::nullopt;
  if (r->type != REDIS_REPLY_ARRAY || r->elements != keys.size()) return std::nullopt;
  out.reserve(keys.size());
  for (size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    if (e->type == REDIS_REPLY_STRING) {
      impl_->Count("hit");
      out.emplace_back(std::string(e->str, e->len));
    } else {
      impl_->Count("miss");
      out.emplace_back(std::nullopt);
    }
  }
  return out;
}

bool RedisCache::SetMany(const std::vector<std::pair<std::string, std::string>>& entries,
                         absl::Duration ttl) {
  if (entries.empty()) return true;
  std::vector<std::vector<std::string>> commands;
  commands.reserve(entries.size());
  for (const auto& [key, value] : entries)
    commands.push_back({"SET", key, value, "PX", Millis(ttl)});
  if (impl_->Pipeline(commands).empty()) return false;
  for (size_t i = 0; i < entries.size(); ++i) impl_->Count("stored");
  return true;
}

bool RedisCache::PutSortedSet(const std::string& key,
                              const std::vector<std::pair<std::string, double>>& members,
                              const std::string& marker_key, const std::string& marker,
                              absl::Duration ttl) {
  std::vector<std::vector<std::string>> commands = {{"MULTI"}, {"DEL", key}};
  if (!members.empty()) {
    std::vector<std::string> zadd = {"ZADD", key};
    for (const auto& [member, score] : members) {
      zadd.push_back(absl::StrFormat("%.17g", score));
      zadd.push_back(member);
    }
    commands.push_back(std::move(zadd));
    commands.push_back({"PEXPIRE", key, Millis(ttl)});
  }
  commands.push_back({"SET", marker_key, marker, "PX", Millis(ttl)});
  commands.push_back({"EXEC"});
  std::vector<Reply> replies = impl_->Pipeline(commands);
  if (replies.empty() || replies.back()->type != REDIS_REPLY_ARRAY) return false;
  impl_->Count("stored");
  return true;
}

std::optional<std::vector<std::pair<std::string, double>>> RedisCache::SortedRange(
    const std::string& key, int64_t offset, int64_t count, bool descending) {
  std::vector<std::pair<std::string, double>> out;
  if (count <= 0) return out;
  Reply r = impl_->Command({descending ? "ZREVRANGE" : "ZRANGE", key, std::to_string(offset),
                            std::to_string(offset + count - 1), "WITHSCORES"});
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) return std::nullopt;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    const redisReply* member = r->element[i];
    const redisReply* score = r->element[i + 1];
    double value = 0;
    if (member->type != REDIS_REPLY_STRING || score->type != REDIS_REPLY_STRING ||
        !absl::SimpleAtod(absl::string_view(score->str, score->len), &value)) {
      return std::nullopt;
    }
    out.emplace_back(std::string(member->str, member->len), value);
  }
  return out;
}

std::optional<int64_t> RedisCache::CountBeyond(const std::string& key, double score,
                                               bool descending) {
  const std::string bound = absl::StrFormat("(%.17g", score);
  Reply r = descending ? impl_->Command({"ZCOUNT", key, bound, "+inf"})
                       : impl_->Command({"ZCOUNT", key, "-inf", bound});
  if (r == nullptr || r->type != REDIS_REPLY_INTEGER) return std::nullopt;
  return r->integer;
}

bool RedisCache::available() const { return impl_->available(); }

}  // namespace kpo::cache
