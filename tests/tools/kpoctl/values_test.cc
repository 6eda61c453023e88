#include "values.h"

#include "gtest/gtest.h"

namespace kpo::kpoctl {
namespace {

TEST(ParseMoneyTest, ExactMinorUnitsPerCurrencyExponent) {
  auto eur = ParseMoney("EUR:12000.5");
  ASSERT_TRUE(eur.ok()) << eur.status();
  EXPECT_EQ(eur->currency_code(), "EUR");
  EXPECT_EQ(eur->minor_units(), 1'200'050);
  EXPECT_EQ(ParseMoney("eur:0.07")->minor_units(), 7);
  EXPECT_EQ(ParseMoney("JPY:300000")->minor_units(), 300'000);
  EXPECT_EQ(ParseMoney("KWD:1.250")->minor_units(), 1'250);
  EXPECT_FALSE(ParseMoney("JPY:1.5").ok()) << "yen has no minor unit";
  EXPECT_FALSE(ParseMoney("EUR:1.005").ok());
  EXPECT_FALSE(ParseMoney("EUR:-5").ok());
  EXPECT_FALSE(ParseMoney("EUR:1e3").ok());
  EXPECT_FALSE(ParseMoney("12000").ok());
  EXPECT_FALSE(ParseMoney("EURO:5").ok());
  EXPECT_FALSE(ParseMoney("EUR:99999999999999999999").ok()) << "overflow";
}

TEST(FormatMoneyTest, RoundTrips) {
  for (const char* text : {"EUR:12000.50", "JPY:300000", "KWD:1.250", "USD:0.07"}) {
    auto m = ParseMoney(text);
    ASSERT_TRUE(m.ok());
    std::string formatted = FormatMoney(*m);
    std::string back = formatted.substr(0, 3) + ":" + formatted.substr(4);
    EXPECT_EQ(back, text);
  }
}

TEST(ParseSavingsTest, AmountRecurrenceAndKind) {
  auto s = ParseSavings("EUR:5000/annual/hard");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->amount().minor_units(), 500'000);
  EXPECT_EQ(s->recurrence(), kpo::kaizen::v1::ANNUAL);
  EXPECT_EQ(s->kind(), kpo::kaizen::v1::HARD);
  EXPECT_EQ(ParseSavings("USD:10/one_time/soft")->recurrence(), kpo::kaizen::v1::ONE_TIME);
  EXPECT_FALSE(ParseSavings("EUR:5000/monthly/hard").ok());
  EXPECT_FALSE(ParseSavings("EUR:5000/annual").ok());
}

TEST(ParseDateTest, Shape) {
  auto d = ParseDate("2026-03-02");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d), "2026-03-02");
  EXPECT_FALSE(ParseDate("02/03/2026").ok());
  EXPECT_EQ(FormatDate({}), "");
}

}  // namespace
}  // namespace kpo::kpoctl
