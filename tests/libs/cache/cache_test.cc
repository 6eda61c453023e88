#include "gtest/gtest.h"
#include "kpo/cache/circuit_breaker.h"
#include "kpo/cache/redis_cache.h"
#include "kpo/testing/harness.h"

namespace kpo::cache {
namespace {

using State = CircuitBreaker::State;

TEST(CircuitBreakerTest, OpensAfterThresholdAndRecoversThroughOneTrial) {
  kpo::core::FakeClock clock(absl::FromUnixSeconds(100));
  CircuitBreaker b(3, absl::Seconds(2), clock);
  EXPECT_TRUE(b.Allow());
  b.RecordFailure();
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kClosed);
  b.RecordSuccess();  // resets the count
  b.RecordFailure();
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kClosed);
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_FALSE(b.Allow());
  clock.Advance(absl::Seconds(2));
  EXPECT_TRUE(b.Allow()) << "one trial after the open period";
  EXPECT_EQ(b.state(), State::kHalfOpen);
  EXPECT_FALSE(b.Allow()) << "only one trial at a time";
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kOpen) << "a failed trial opens it again";
  clock.Advance(absl::Seconds(2));
  EXPECT_TRUE(b.Allow());
  b.RecordSuccess();
  EXPECT_EQ(b.state(), State::kClosed);
  EXPECT_TRUE(b.Allow());
}

TEST(KeyTest, UsesOrganizationHashTag) {
  EXPECT_EQ(Key("acme", "people:organizations/acme/people/p1"),
            "kpo:{acme}:people:organizations/acme/people/p1");
}

TEST(RedisCacheTest, RoundTripsAgainstRealRedisAndExpires) {
  kpo::testing::RedisServer redis;
  RedisCache cache({.address = redis.address()}, kpo::core::Clock::Real(), nullptr);
  EXPECT_FALSE(cache.Get("kpo:{acme}:k").has_value());
  std::string binary("a\0b\xff", 4);
  ASSERT_TRUE(cache.Set("kpo:{acme}:k", binary, absl::Minutes(1)));
  EXPECT_EQ(cache.Get("kpo:{acme}:k"), binary);
  ASSERT_TRUE(cache.Delete({"kpo:{acme}:k"}));
  EXPECT_FALSE(cache.Get("kpo:{acme}:k").has_value());
  ASSERT_TRUE(cache.Set("kpo:{acme}:short", "v", absl::Milliseconds(20)));
  EXPECT_TRUE(kpo::testing::WaitFor([&] { return !cache.Get("kpo:{acme}:short").has_value(); }));
}

TEST(RedisCacheTest, DownRedisOpensTheBreakerAndRecoversWhenBack) {
  kpo::testing::RedisServer redis;
  kpo::core::FakeClock clock(absl::FromUnixSeconds(100));
  RedisCache cache(
      {.address = redis.address(), .failure_threshold = 2, .open_duration = absl::Seconds(5)},
      clock, nullptr);
  ASSERT_TRUE(cache.Set("kpo:{acme}:k", "v", absl::Minutes(1)));
  redis.Stop();
  EXPECT_FALSE(cache.Get("kpo:{acme}:k").has_value());
  EXPECT_FALSE(cache.Get("kpo:{acme}:k").has_value());
  EXPECT_FALSE(cache.available());
  // Open: calls return at once without touching the network.
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(cache.Get("kpo:{acme}:k").has_value());
  redis.Start();
  clock.Advance(absl::Seconds(5));
  EXPECT_TRUE(cache.Set("kpo:{acme}:k", "again", absl::Minutes(1)));
  EXPECT_TRUE(cache.available());
  EXPECT_EQ(cache.Get("kpo:{acme}:k"), "again");
}

TEST(RedisCacheTest, ManyKeysInOneRoundTrip) {
  kpo::testing::RedisServer redis;
  RedisCache cache({.address = redis.address()}, kpo::core::Clock::Real(), nullptr);
  ASSERT_TRUE(cache.SetMany({{"kpo:{acme}:a", "1"}, {"kpo:{acme}:c", std::string("\0x", 2)}},
                            absl::Minutes(1)));
  auto values = cache.MGet({"kpo:{acme}:a", "kpo:{acme}:b", "kpo:{acme}:c"});
  ASSERT_TRUE(values.has_value());
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0], "1");
  EXPECT_FALSE((*values)[1].has_value());
  EXPECT_EQ((*values)[2], std::string("\0x", 2));
  redis.Stop();
  EXPECT_FALSE(cache.MGet({"kpo:{acme}:a"}).has_value()) << "a failure is not a miss";
  EXPECT_FALSE(cache.SetMany({{"kpo:{acme}:a", "2"}}, absl::Minutes(1)));
}

TEST(RedisCacheTest, ASortedSetIsReplacedWholeWithItsMarker) {
  kpo::testing::RedisServer redis;
  RedisCache cache({.address = redis.address()}, kpo::core::Clock::Real(), nullptr);
  ASSERT_TRUE(cache.PutSortedSet("kpo:{acme}:z", {{"lyon", 0.5}, {"pune", 0.75}, {"rio", 0.5}},
                                 "kpo:{acme}:z:m", "3", absl::Minutes(1)));
  EXPECT_EQ(cache.Get("kpo:{acme}:z:m"), "3");
  auto top = cache.SortedRange("kpo:{acme}:z", 0, 2, true);
  ASSERT_TRUE(top.has_value());
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0], std::make_pair(std::string("pune"), 0.75));
  EXPECT_EQ((*top)[1].second, 0.5);
  auto rest = cache.SortedRange("kpo:{acme}:z", 2, 10, true);
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(rest->size(), 1u);
  auto bottom = cache.SortedRange("kpo:{acme}:z", 0, 1, false);
  ASSERT_TRUE(bottom.has_value());
  EXPECT_EQ((*bottom)[0].first, "lyon");
  EXPECT_EQ(cache.CountBeyond("kpo:{acme}:z", 0.5, true), 1);
  EXPECT_EQ(cache.CountBeyond("kpo:{acme}:z", 0.75, false), 2);
  // Replaced whole: members not in the new set are gone; an empty set keeps its marker.
  ASSERT_TRUE(cache.PutSortedSet("kpo:{acme}:z", {}, "kpo:{acme}:z:m", "0", absl::Minutes(1)));
  EXPECT_EQ(cache.Get("kpo:{acme}:z:m"), "0");
  EXPECT_TRUE(cache.SortedRange("kpo:{acme}:z", 0, 10, true)->empty());
}

}  // namespace
}  // namespace kpo::cache
