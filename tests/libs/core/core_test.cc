#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/type.pb.h"
#include "gtest/gtest.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/core/clock.h"
#include "kpo/core/config.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/log.h"
#include "kpo/core/money.h"
#include "kpo/core/page_token.h"
#include "kpo/core/pagination.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/trace.h"
#include "kpo/core/update_mask.h"

namespace kpo::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(IdsTest, UuidsAreVersion7UniqueAndValidIds) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuid();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '7');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
    EXPECT_TRUE(IsValidResourceId(id)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(IdsTest, ResourceIdRules) {
  EXPECT_TRUE(IsValidResourceId("lyon-plant-2"));
  EXPECT_FALSE(IsValidResourceId(""));
  EXPECT_FALSE(IsValidResourceId("Lyon"));
  EXPECT_FALSE(IsValidResourceId("-lyon"));
  EXPECT_FALSE(IsValidResourceId("lyon-"));
  EXPECT_FALSE(IsValidResourceId("ly/on"));
  EXPECT_FALSE(IsValidResourceId(std::string(64, 'a')));
  EXPECT_TRUE(IsValidResourceId(std::string(63, 'a')));
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1005));
}

TEST(ErrorsTest, FieldViolationsBecomeOneInvalidArgumentNamingEveryField) {
  FieldViolations v;
  EXPECT_TRUE(v.ToStatus().ok());
  v.Add("person.display_name", "is required");
  v.Add("person.email", "is not an email address");
  absl::Status s = v.ToStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("person.display_name"));
  EXPECT_THAT(s.message(), HasSubstr("person.email"));
  EXPECT_EQ(ErrorReason(s), "INVALID_ARGUMENT");
  EXPECT_THAT(FieldViolationsOf(s),
              ElementsAre(FieldViolation{"person.display_name", "is required"},
                          FieldViolation{"person.email", "is not an email address"}));
}

TEST(ErrorsTest, ManyViolationsAreBoundedButCounted) {
  FieldViolations v;
  for (int i = 0; i < 500; ++i) v.Add("requests[" + std::to_string(i) + "].person.email", "bad");
  absl::Status s = v.ToStatus();
  EXPECT_EQ(FieldViolationsOf(s).size(), 50u);
  EXPECT_EQ(ErrorMetadata(s).at("violation_count"), "500");
  EXPECT_THAT(s.message(), HasSubstr("and 495 more"));
  EXPECT_LT(s.message().size(), 1000u);
}

TEST(ErrorsTest, MergePrefixesFieldPaths) {
  FieldViolations v;
  v.Merge("requests[3].", {{"person.email", "bad"}});
  EXPECT_EQ(v.violations().front().field, "requests[3].person.email");
}

TEST(ErrorsTest, ErrorCarriesReasonAndMetadata) {
  absl::Status s = FailedPrecondition("EVENT_CLOSED", "closed", {{"state", "CLOSED"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(s), "EVENT_CLOSED");
  EXPECT_EQ(ErrorMetadata(s).at("state"), "CLOSED");
  EXPECT_EQ(EtagMismatch("x").code(), absl::StatusCode::kAborted);
  EXPECT_FALSE(ErrorReason(absl::InternalError("plain")).has_value());
}

TEST(UpdateMaskTest, EmptyMeansEveryUpdatablePath) {
  google::protobuf::FieldMask empty;
  EXPECT_THAT(EffectiveMask(empty, {"subject", "type"}).paths(), ElementsAre("subject", "type"));
  google::protobuf::FieldMask one;
  one.add_paths("type");
  EXPECT_THAT(EffectiveMask(one, {"subject", "type"}).paths(), ElementsAre("type"));
}

TEST(UpdateMaskTest, PathsMustExistAndBeUpdatableThemselvesOrThroughAParent) {
  // EventEnvelope as a stand-in resource: "time" is a Timestamp message field.
  const auto* d = kpo::common::v1::EventEnvelope::descriptor();
  google::protobuf::FieldMask mask;
  for (const char* p : {"subject", "time.seconds", "time", "id", "no_such_field", "subject.x"}) {
    mask.add_paths(p);
  }
  FieldViolations v;
  CheckUpdateMask(mask, d, {"subject", "time"}, "cannot be updated", v);
  std::vector<std::string> fields;
  for (const auto& x : v.violations()) fields.push_back(x.field);
  EXPECT_THAT(fields,
              ElementsAre("update_mask.paths[3]", "update_mask.paths[4]", "update_mask.paths[5]"));
  EXPECT_THAT(v.violations()[0].description,
              HasSubstr("'id' cannot be updated; updatable: subject, time"));
  FieldViolations nested;
  google::protobuf::FieldMask sub;
  sub.add_paths("time.nanos");
  CheckUpdateMask(sub, d, {"time.nanos"}, "cannot be updated", nested);
  EXPECT_TRUE(nested.empty()) << "a listed sub-path is updatable";
  sub.set_paths(0, "time");
  CheckUpdateMask(sub, d, {"time.nanos"}, "cannot be updated", nested);
  EXPECT_FALSE(nested.empty()) << "a parent of a listed sub-path is not";
}

TEST(PageTokenTest, RoundTripsWithinItsScope) {
  PageTokenCodec codec = PageTokenCodec::Random();
  std::string token = codec.Seal({"acme|people", "key-42"});
  EXPECT_EQ(token.find("key-42"), std::string::npos) << "token must not be readable";
  auto cursor = codec.Open(token, "acme|people");
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ(cursor->last_key, "key-42");
}

TEST(PageTokenTest, RefusesOtherScopeTamperingAndOtherKeys) {
  PageTokenCodec codec = PageTokenCodec::Random();
  std::string token = codec.Seal({"acme|people", "k"});
  auto other_scope = codec.Open(token, "globex|people");
  EXPECT_EQ(other_scope.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(other_scope.status()).at(0).field, "page_token");

  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(codec.Open(tampered, "acme|people").ok());
  EXPECT_FALSE(codec.Open("garbage!!", "acme|people").ok());
  EXPECT_FALSE(PageTokenCodec::Random().Open(token, "acme|people").ok());

  auto keyed = PageTokenCodec::FromKey(std::string(32, 'k'));
  ASSERT_TRUE(keyed.ok());
  auto again = PageTokenCodec::FromKey(std::string(32, 'k'));
  EXPECT_TRUE(again->Open(keyed->Seal({"s", "x"}), "s").ok()) << "same key, other replica";
  EXPECT_FALSE(PageTokenCodec::FromKey("short").ok());
}

Config::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ConfigTest, ReadsNestedYamlAndEnvironmentOverrides) {
  auto config = Config::FromYaml(
      "grpc:\n  listen: 127.0.0.1:7001\nkafka:\n  bootstrap_servers: a:1\n"
      "  topics: [x, y]\noutbox:\n  retention: 48h\n",
      Env({{"KPO_KAFKA_BOOTSTRAP_SERVERS", "b:2"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->String("grpc.listen", ""), "127.0.0.1:7001");
  EXPECT_EQ(config->String("kafka.bootstrap_servers", ""), "b:2");
  EXPECT_THAT(config->StringList("kafka.topics", {}), ElementsAre("x", "y"));
  EXPECT_EQ(config->Duration("outbox.retention", absl::Hours(1)), absl::Hours(48));
  EXPECT_EQ(config->Int("grpc.threads", 4, 1, 64), 4);
  EXPECT_TRUE(config->Finish().ok()) << config->Finish();
}

TEST(ConfigTest, BadValuesFailWithOneClearLine) {
  auto config = Config::FromYaml("grpc:\n  threads: lots\n", Env({{"KPO_REDIS_TIMEOUT", "soon"}}));
  ASSERT_TRUE(config.ok());
  config->Int("grpc.threads", 4, 1, 64);
  config->Duration("redis.timeout", absl::Milliseconds(50));
  absl::Status s = config->Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("grpc.threads"));
  EXPECT_THAT(s.message(), HasSubstr("lots"));
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

TEST(ConfigTest, RangeRequiredAndUnknownKeys) {
  auto config = Config::FromYaml("grpc:\n  threads: 500\n  lisen: x\n", Env({}));
  ASSERT_TRUE(config.ok());
  config->Int("grpc.threads", 4, 1, 64);
  EXPECT_THAT(config->Finish().message(), HasSubstr("between 1 and 64"));

  auto typo = Config::FromYaml("grpc:\n  lisen: x\n", Env({}));
  typo->String("grpc.listen", "");
  EXPECT_THAT(typo->Finish().message(), HasSubstr("grpc.lisen"));

  auto missing = Config::FromYaml("", Env({}));
  missing->RequiredString("database.path");
  EXPECT_THAT(missing->Finish().message(), HasSubstr("database.path"));

  EXPECT_FALSE(Config::FromYaml("a: [b: {", Env({})).ok());
  EXPECT_EQ(Config::Load("/nonexistent/kpo.yaml").status().code(), absl::StatusCode::kNotFound);
}

TEST(TraceTest, ParsesAndFormatsTraceparent) {
  auto t = TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(t->sampled);
  EXPECT_EQ(t->ToTraceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  TraceContext child = t->Child();
  EXPECT_EQ(child.trace_id, t->trace_id);
  EXPECT_NE(child.span_id, t->span_id);
  EXPECT_FALSE(TraceContext::Parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(TraceContext::Parse("garbage"));
  EXPECT_TRUE(TraceContext::Parse(TraceContext::NewRoot().ToTraceparent()).has_value());
}

TEST(TraceTest, NewIdsDoNotRepeatWithinOrAcrossThreads) {
  // Each thread seeds its own generator: identical seeds would repeat every id.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kPerThread; ++i) {
        TraceContext root = TraceContext::NewRoot();
        ids[t].push_back(root.trace_id);
        ids[t].push_back(root.Child().span_id);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> distinct;
  for (const auto& v : ids) {
    for (const auto& id : v) {
      ASSERT_TRUE(TraceContext::Parse("00-" + (id.size() == 32 ? id : std::string(32, 'a')) + "-" +
                                      (id.size() == 16 ? id : std::string(16, 'b')) + "-01"))
          << id;
      distinct.insert(id);
    }
  }
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kThreads * kPerThread * 2));
}

TEST(LogTest, WritesOneJsonObjectPerLineWithTraceAndFields) {
  std::ostringstream out;
  kpo::log::Init("people", kpo::log::Level::kInfo, &out);
  TraceContext trace = TraceContext::NewRoot();
  {
    ScopedTrace scoped(trace);
    kpo::log::Info("created", {{"person", "organizations/acme/people/p1"}, {"n", 3}});
  }
  kpo::log::Debug("hidden below the level");
  kpo::log::Warn("quote \" and newline \n stay inside one line");
  kpo::log::Init("kpo", kpo::log::Level::kInfo, nullptr);
  std::istringstream lines(out.str());
  std::string first, second, third;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_FALSE(std::getline(lines, third)) << "debug line must be filtered";
  auto a = nlohmann::json::parse(first);
  EXPECT_EQ(a["msg"], "created");
  EXPECT_EQ(a["level"], "info");
  EXPECT_EQ(a["service"], "people");
  EXPECT_EQ(a["trace_id"], trace.trace_id);
  EXPECT_EQ(a["person"], "organizations/acme/people/p1");
  EXPECT_EQ(a["n"], 3);
  EXPECT_TRUE(a.contains("time"));
  auto b = nlohmann::json::parse(second);
  EXPECT_EQ(b["level"], "warn");
  EXPECT_FALSE(b.contains("trace_id"));
}

TEST(TraceTest, ScopedTraceRestoresPrevious) {
  EXPECT_FALSE(CurrentTrace().valid());
  {
    ScopedTrace outer(TraceContext::NewRoot());
    std::string id = CurrentTrace().trace_id;
    {
      ScopedTrace inner(TraceContext::NewRoot());
      EXPECT_NE(CurrentTrace().trace_id, id);
    }
    EXPECT_EQ(CurrentTrace().trace_id, id);
  }
  EXPECT_FALSE(CurrentTrace().valid());
}

TEST(ResourceNameTest, OneParserOneIdRule) {
  struct Case {
    const char* name;
    bool ok;
  };
  for (const Case& c : std::vector<Case>{
           {"organizations/acme/sites/lyon", true},
           {"organizations/acme/sites/0190f1c2-7d4e-7a4b-9b1e-3c2d1e0f9a8b", true},
           {"organizations/ac/sites/lyon", false},     // organization ids: 3-40
           {"organizations/1acme/sites/lyon", false},  // ... starting with a letter
           {"organizations/acme/sites/-lyon", false},  // resource ids: not starting with '-'
           {"organizations/acme/sites/lyon-", false},  // ... nor ending with it
           {"organizations/acme/sites/Lyon", false},   // lower case only
           {"organizations/acme/site/lyon", false},    // the collection must match
           {"organizations/acme/sites/lyon/", false},  // no trailing slash
           {"organizations/acme/sites", false},        // no missing id
           {"sites/lyon", false},
           {"", false},
       }) {
    EXPECT_EQ(ParseName(c.name, {"organizations", "sites"}).has_value(), c.ok) << c.name;
  }
  EXPECT_THAT(
      *ParseName("organizations/acme/sites/lyon/areas/a1", {"organizations", "sites", "areas"}),
      ElementsAre("acme", "lyon", "a1"));
  // "-" as the last id names every parent at once, only where a list asks for it.
  EXPECT_FALSE(ParseName("organizations/acme/sites/-", {"organizations", "sites"}));
  EXPECT_THAT(*ParseName("organizations/acme/sites/-", {"organizations", "sites"}, LastId::kOrAll),
              ElementsAre("acme", "-"));
  EXPECT_FALSE(ParseName("organizations/-/sites/-", {"organizations", "sites"}, LastId::kOrAll));
  EXPECT_EQ(NamePattern({"organizations", "people"}),
            "organizations/{organization}/people/{person}");
  EXPECT_EQ(NamePattern({"organizations", "kaizenEvents"}),
            "organizations/{organization}/kaizenEvents/{kaizenEvent}");
}

TEST(PaginationTest, SizesTokensAndScopes) {
  const PageTokenCodec codec = PageTokenCodec::Random();
  const PageOptions options{.default_size = 10, .max_size = 100};
  EXPECT_EQ(OpenPage(codec, options, 0, "", "s")->limit, 10);
  EXPECT_EQ(OpenPage(codec, options, 5000, "", "s")->limit, 100) << "lowered, not refused";
  auto negative = OpenPage(codec, options, -1, "", "s");
  EXPECT_EQ(FieldViolationsOf(negative.status()).at(0).field, "page_size");
  auto first = OpenPage(codec, options, 3, "", "acme|people");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->after.has_value());
  const std::string token = NextPageToken(codec, *first, {20260301, "organizations/acme/x|y"});
  auto next = OpenPage(codec, options, 3, token, "acme|people");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->after->key, 20260301);
  EXPECT_EQ(next->after->name, "organizations/acme/x|y") << "a '|' in a name survives";
  auto other_scope = OpenPage(codec, options, 3, token, "acme|people|site=lyon");
  EXPECT_EQ(FieldViolationsOf(other_scope.status()).at(0).field, "page_token");
}

TEST(EnumTest, UnsetAndUnknownValuesAreToldApart) {
  // google.protobuf.Syntax: 0 = SYNTAX_PROTO2 (the zero value), 1 = SYNTAX_PROTO3.
  const auto* type = google::protobuf::Syntax_descriptor();
  FieldViolations v;
  EXPECT_TRUE(CheckEnum(type, 1, "syntax", true, v));
  EXPECT_TRUE(CheckEnum(type, 0, "syntax", false, v)) << "0 is fine when not required";
  EXPECT_TRUE(v.empty());
  EXPECT_FALSE(CheckEnum(type, 0, "syntax", true, v));
  EXPECT_FALSE(CheckEnum(type, 42, "syntax", false, v));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_THAT(v.violations()[0].description, HasSubstr("is required: one of SYNTAX_PROTO3"));
  EXPECT_THAT(v.violations()[1].description,
              HasSubstr("42 is not one of the allowed values: SYNTAX_PROTO3"));
}

TEST(DateTest, CivilDatesAndKeys) {
  kpo::common::v1::Date d;
  d.set_year(2028);
  d.set_month(2);
  d.set_day(29);
  EXPECT_TRUE(IsValidDate(d));
  EXPECT_EQ(DateKey(d), 20280229);
  EXPECT_EQ(DateKey(FromCivil(ToCivil(d) + 1)), 20280301);
  d.set_year(2026);
  EXPECT_FALSE(IsValidDate(d)) << "2026 is not a leap year";
}

TEST(FieldViolationsTest, SummaryHasNoInvalidRequestPrefix) {
  FieldViolations v;
  v.Add("a", "is required");
  v.Add("b", "is too long");
  EXPECT_EQ(v.Summary(), "a: is required; b: is too long");
  EXPECT_EQ(v.ToStatus().message(), "invalid request: a: is required; b: is too long");
}

// Found by the fuzz targets (their inputs are in tests/fuzz/corpus).
TEST(FuzzRegressionTest, EmptyPageTokenIsInvalidNotACrash) {
  const PageTokenCodec codec = PageTokenCodec::Random();
  auto opened = codec.Open("", "scope");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FuzzRegressionTest, ConfigWithANonScalarKeyIsOneClearErrorNotACrash) {
  auto config = Config::FromYaml("grpc: {[a, b]: 1}\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("keys must be plain names"));
}

kpo::common::v1::Money Cash(const std::string& code, int64_t minor) {
  kpo::common::v1::Money m;
  m.set_currency_code(code);
  m.set_minor_units(minor);
  return m;
}

TEST(MoneyTest, CodesAreIsoShapedAmountsNotNegativeAndTotalsKeepCurrenciesApart) {
  FieldViolations v;
  ValidateMoney(Cash("EUR", 125), "impact.target", v);
  EXPECT_TRUE(v.empty());
  ValidateMoney(Cash("eur", -1), "impact.actual", v);
  std::vector<std::string> fields;
  for (const auto& f : v.violations()) fields.push_back(f.field);
  EXPECT_THAT(fields,
              ::testing::ElementsAre("impact.actual.currency_code", "impact.actual.minor_units"));
  MoneyTotals totals;
  ASSERT_TRUE(AddMoney(totals, Cash("EUR", 100)).ok());
  ASSERT_TRUE(AddMoney(totals, Cash("USD", 7)).ok());
  ASSERT_TRUE(AddMoney(totals, Cash("EUR", 25)).ok());
  EXPECT_EQ(totals, (MoneyTotals{{"EUR", 125}, {"USD", 7}}));
  EXPECT_EQ(AddMoney(totals, Cash("EUR", INT64_MAX)).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(totals.at("EUR"), 125) << "an overflowing sum leaves the total as it was";
}

}  // namespace
}  // namespace kpo::core
