// kpoctl's output helpers: tables as CSV (RFC 4180) and a report's figures flattened into
// readable (path, value) pairs.
#include "output.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/reporting/v1/scorecard.pb.h"

namespace kpo::kpoctl {
namespace {

using ::testing::Contains;
using ::testing::Pair;

TEST(TableTest, CsvQuotesWhatNeedsQuotingAndEndsLinesWithCrlf) {
  Table t({"FIGURE", "VALUE"});
  t.Add({"plain", "1"});
  t.Add({"with, comma", "say \"hi\""});
  t.Add({"two\nlines", ""});
  std::ostringstream out;
  t.PrintCsv(out);
  EXPECT_EQ(out.str(),
            "FIGURE,VALUE\r\nplain,1\r\n\"with, comma\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",\r\n");
}

TEST(FlattenFiguresTest, RatiosDurationsAndNestedFiguresReadAsTheySay) {
  kpo::reporting::v1::Scorecard card;
  auto* d = card.mutable_daily_kaizen();
  d->set_ideas_submitted(12);
  d->mutable_participation_rate()->set_numerator(5);
  d->mutable_participation_rate()->set_denominator(8);
  d->mutable_participation_rate()->set_value(0.625);
  d->mutable_ideas_per_person()->set_numerator(12);
  d->mutable_ideas_per_person()->set_denominator(8);
  d->mutable_ideas_per_person()->set_value(1.5);
  d->mutable_median_time_to_implement()->set_seconds(3 * 86400 + 43200);
  d->mutable_open_ideas()->set_from_30_to_89_days(2);
  const auto figures = FlattenFigures(card);
  EXPECT_THAT(figures, Contains(Pair("daily_kaizen.ideas_submitted", "12")));
  EXPECT_THAT(figures, Contains(Pair("daily_kaizen.participation_rate", "62.5% (5/8)")));
  EXPECT_THAT(figures, Contains(Pair("daily_kaizen.ideas_per_person", "1.50 (12/8)")));
  EXPECT_THAT(figures, Contains(Pair("daily_kaizen.implementation_rate", "n/a (0/0)")));
  EXPECT_THAT(figures, Contains(Pair("daily_kaizen.median_time_to_implement", "3.5 d")));
  EXPECT_THAT(figures, Contains(Pair("daily_kaizen.open_ideas.from_30_to_89_days", "2")));
  d->clear_median_time_to_implement();
  EXPECT_THAT(FlattenFigures(card), Contains(Pair("daily_kaizen.median_time_to_implement", "n/a")));
}

TEST(FlattenFiguresTest, RepeatedEntriesReadByTheirKeyAndMoneyInItsCurrency) {
  kpo::reporting::v1::Scorecard card;
  auto* bronze = card.mutable_people_development()->add_certifications();
  bronze->set_level(kpo::people::v1::CERTIFICATION_LEVEL_BRONZE);
  bronze->set_holders(3);
  auto* eur = card.mutable_money()->add_currencies();
  eur->set_currency_code("EUR");
  eur->mutable_kpo_cost()->set_currency_code("EUR");
  eur->mutable_kpo_cost()->set_minor_units(123450);
  auto* none = card.mutable_alignment()->add_objectives();
  none->set_ideas(4);
  const auto figures = FlattenFigures(card);
  EXPECT_THAT(figures, Contains(Pair("people_development.certifications[BRONZE].holders", "3")));
  EXPECT_THAT(figures, Contains(Pair("money.currencies[EUR].kpo_cost", "EUR 1234.50")));
  EXPECT_THAT(figures, Contains(Pair("alignment.objectives[none].ideas", "4")));
  // The key itself is not repeated as a figure.
  for (const auto& [path, value] : figures) {
    EXPECT_EQ(path.find("].level"), std::string::npos) << path;
    EXPECT_EQ(path.find("].currency_code"), std::string::npos) << path;
  }
}

}  // namespace
}  // namespace kpo::kpoctl
