#include "directory_reads.h"

namespace kpo::people {

namespace pb = kpo::people::v1;

absl::StatusOr<bool> ManagesPerson(kpo::storage::Transaction& tx, const std::string& org,
                                   const pb::Person& person, const std::string& manager) {
  constexpr int kMaxChain = 20;
  std::string above = person.manager();
  for (int i = 0; i < kMaxChain && !above.empty(); ++i) {
    if (above == manager) return true;
    auto next = LoadDirectory<pb::Person>(tx, org, "person", above);
    if (!next.ok()) return next.status();
    if (!next->has_value()) return false;
    above = (*next)->manager();
  }
  return false;
}

absl::StatusOr<absl::CivilDay> TodayAt(kpo::storage::Transaction& tx, const std::string& org,
                                       const std::string& site, absl::Time now) {
  auto loaded = LoadDirectory<pb::Site>(tx, org, "site", site);
  if (!loaded.ok()) return loaded.status();
  absl::TimeZone zone = absl::UTCTimeZone();
  if (loaded->has_value()) absl::LoadTimeZone((*loaded)->time_zone(), &zone);
  return absl::ToCivilDay(now, zone);
}

}  // namespace kpo::people
