#pragma once

// The scorecard queries of kpo.reporting.v1.ReportingService: a scope (organization,
// site, area) and a period in, the figures computed from the projections out, with the
// freshness of the answer. Reads only; thread-safe (each call reads in its own
// transaction).

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "answer_cache.h"
#include "counts_reader.h"
#include "generation.h"
#include "kpo/auth/auth.h"
#include "kpo/core/clock.h"
#include "kpo/reporting/v1/reporting_service.pb.h"
#include "kpo/storage/database.h"

namespace kpo::reporting {

class Scorecards {
 public:
  // `consumer_name`: whose positions are the answers' freshness; `pending_records`: the
  // consumer's lag (records not yet applied); `counts`: where sites' counts come from
  // (null: always the database); `answers`: where whole scorecards are cached (null:
  // never). `db`, `clock`, `counts` and `answers` must outlive this.
  Scorecards(kpo::storage::Database& db, const kpo::core::Clock& clock, std::string consumer_name,
             std::function<int64_t()> pending_records, const CountsReader* counts = nullptr,
             AnswerCache* answers = nullptr);
  // Reads whichever generation `serving` gives at each call.
  Scorecards(ServingGeneration serving, const kpo::core::Clock& clock,
             const CountsReader* counts = nullptr, AnswerCache* answers = nullptr);

  absl::StatusOr<kpo::reporting::v1::Scorecard> GetScorecard(
      const kpo::auth::Principal& p, const kpo::reporting::v1::GetScorecardRequest& r) const;
  absl::StatusOr<kpo::reporting::v1::QueryScorecardTrendResponse> QueryScorecardTrend(
      const kpo::auth::Principal& p, const kpo::reporting::v1::QueryScorecardTrendRequest& r) const;
  // The same, into `out` (cleared first; it may be on the call's arena, ArenaAllocator).
  absl::Status GetScorecard(const kpo::auth::Principal& p,
                            const kpo::reporting::v1::GetScorecardRequest& r,
                            kpo::reporting::v1::Scorecard& out) const;
  absl::Status QueryScorecardTrend(const kpo::auth::Principal& p,
                                   const kpo::reporting::v1::QueryScorecardTrendRequest& r,
                                   kpo::reporting::v1::QueryScorecardTrendResponse& out) const;

  // The CSV export (see ExportScorecards in reporting_service.proto): the request is
  // checked before anything is emitted; then the header row and each period's rows, a
  // chunk per period, each period read in a transaction of its own (a long export never
  // holds the database). `emit` returns false when the client has gone: the export stops
  // (CANCELLED).
  absl::Status ExportScorecards(const kpo::auth::Principal& p,
                                const kpo::reporting::v1::ExportScorecardsRequest& r,
                                const std::function<bool(std::string chunk)>& emit) const;

 private:
  ServingGeneration serving_;
  const kpo::core::Clock& clock_;
  AnswerCache* answers_;
  std::unique_ptr<CountsReader> owned_counts_;
  const CountsReader& counts_;
};

}  // namespace kpo::reporting
