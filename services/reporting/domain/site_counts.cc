#include "domain/site_counts.h"

#include <array>
#include <map>
#include <vector>

namespace kpo::reporting::domain {
namespace {

// Appends unsigned LEB128 varints (signed values zigzagged) and length-prefixed strings.
class Writer {
 public:
  void operator()(int64_t& v) {
    uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (u >= 0x80) {
      out.push_back(static_cast<char>((u & 0x7f) | 0x80));
      u >>= 7;
    }
    out.push_back(static_cast<char>(u));
  }
  void operator()(std::string& s) {
    int64_t n = static_cast<int64_t>(s.size());
    (*this)(n);
    out += s;
  }
  void operator()(std::vector<int64_t>& values) {
    int64_t n = static_cast<int64_t>(values.size());
    (*this)(n);
    for (int64_t& v : values) (*this)(v);
  }
  template <size_t N>
  void operator()(std::array<int64_t, N>& values) {
    for (int64_t& v : values) (*this)(v);
  }
  template <class T>
  void operator()(std::map<std::string, T>& entries);

  std::string out;
};

// Reads what Writer wrote; `ok` turns false (and stays) on anything else.
class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  void operator()(int64_t& v) {
    uint64_t u = 0;
    for (int shift = 0;; shift += 7) {
      if (pos_ >= in_.size() || shift > 63) {
        ok = false;
        v = 0;
        return;
      }
      const auto byte = static_cast<unsigned char>(in_[pos_++]);
      u |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
    }
    v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
  void operator()(std::string& s) {
    int64_t n = 0;
    (*this)(n);
    if (!ok || n < 0 || static_cast<uint64_t>(n) > in_.size() - pos_) {
      ok = false;
      return;
    }
    s.assign(in_.data() + pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
  }
  void operator()(std::vector<int64_t>& values) {
    int64_t n = 0;
    (*this)(n);
    // Each value takes at least one byte: a count beyond what is left is corrupt.
    if (!ok || n < 0 || static_cast<uint64_t>(n) > in_.size() - pos_) {
      ok = false;
      return;
    }
    values.resize(static_cast<size_t>(n));
    for (int64_t& v : values) (*this)(v);
  }
  template <size_t N>
  void operator()(std::array<int64_t, N>& values) {
    for (int64_t& v : values) (*this)(v);
  }
  template <class T>
  void operator()(std::map<std::string, T>& entries);

  bool done() const { return ok && pos_ == in_.size(); }
  bool ok = true;

 private:
  absl::string_view in_;
  size_t pos_ = 0;
};

// Each count's fields, in their encoded order: one list for writing and reading.
template <class C>
void Fields(C& c, IdeaCounts& x) {
  c(x.submitted);
  c(x.submitted_kept);
  c(x.submitted_implemented);
  c(x.implemented);
  c(x.implement_seconds);
  c(x.rejected);
  c(x.open_by_age);
  c(x.review_backlog);
  c(x.headcount);
  c(x.participants);
}
template <class C>
void Fields(C& c, KaizenCounts& x) {
  c(x.proposed);
  c(x.completed);
  c(x.completed_by_line);
  c(x.completed_by_kpo);
  c(x.in_follow_up);
  c(x.sustained);
  c(x.backslid);
  c(x.items_due);
  c(x.items_done);
  c(x.items_overdue);
}
template <class C>
void Fields(C& c, CoachingCounts& x) {
  c(x.cycles);
  c(x.active_learners);
  c(x.line_cycles);
  c(x.kpo_cycles);
  c(x.coaching_the_coach);
  c(x.relationships);
  c(x.expected_per_week_total);
  c(x.learners_without_recent_cycle);
}
template <class C>
void Fields(C& c, DevelopmentCounts& x) {
  for (CertificationCounts& l : x.certifications) {
    c(l.awarded);
    c(l.renewed);
    c(l.holders);
    c(l.expiring);
    c(l.lapsed);
  }
  c(x.training_completions);
  c(x.people_trained);
  c(x.training_minutes);
  c(x.skills.targeted);
  c(x.skills.met);
  c(x.skills.gap_levels);
  c(x.skills.people_with_targets);
  c(x.skills.people_at_target);
}
template <class C>
void Fields(C& c, CurrencyCounts& x) {
  c(x.one_time);
  c(x.recurring);
  c(x.hard);
  c(x.from_events);
  c(x.from_ideas);
  c(x.kpo_cost);
}
template <class C>
void Fields(C& c, FootprintCounts& x) {
  c(x.kpo_people);
  c(x.kpo_share_points);
  c(x.kaizen_pool_people);
  c(x.headcount);
  c(x.line_led);
  c(x.kpo_led);
}
template <class C>
void Fields(C& c, ObjectiveLinks& x) {
  c(x.ideas);
  c(x.storyboards);
  c(x.kaizen_events);
}
template <class C>
void Fields(C& c, YokotenCounts& x) {
  c(x.practices_shared);
  c(x.adopted);
  c(x.adapted);
  c(x.not_applicable);
  c(x.open_tasks);
  c(x.overdue_tasks);
  c(x.adoptions_elsewhere);
}
template <class C>
void Fields(C& c, SiteCounts& x) {
  Fields(c, x.ideas);
  Fields(c, x.kaizen);
  Fields(c, x.coaching);
  Fields(c, x.development);
  c(x.money.currencies);
  Fields(c, x.footprint);
  c(x.alignment.objectives);
  Fields(c, x.yokoten);
}

template <class T>
void Writer::operator()(std::map<std::string, T>& entries) {
  int64_t n = static_cast<int64_t>(entries.size());
  (*this)(n);
  for (auto& [key, value] : entries) {
    std::string k = key;
    (*this)(k);
    Fields(*this, value);
  }
}

template <class T>
void Reader::operator()(std::map<std::string, T>& entries) {
  int64_t n = 0;
  (*this)(n);
  if (!ok || n < 0 || static_cast<uint64_t>(n) > in_.size() - pos_) {
    ok = false;
    return;
  }
  for (int64_t i = 0; i < n && ok; ++i) {
    std::string key;
    (*this)(key);
    Fields(*this, entries[key]);
  }
}

}  // namespace

void SiteCounts::Add(const SiteCounts& o) {
  ideas.Add(o.ideas);
  kaizen.Add(o.kaizen);
  coaching.Add(o.coaching);
  development.Add(o.development);
  money.Add(o.money);
  footprint.Add(o.footprint);
  alignment.Add(o.alignment);
  yokoten.Add(o.yokoten);
}

std::string Encode(const SiteCounts& counts) {
  SiteCounts copy = counts;
  Writer w;
  int64_t format = kCountsFormat;
  w(format);
  Fields(w, copy);
  return std::move(w.out);
}

std::optional<SiteCounts> Decode(absl::string_view bytes) {
  Reader r(bytes);
  int64_t format = 0;
  r(format);
  if (!r.ok || format != kCountsFormat) return std::nullopt;
  SiteCounts counts;
  Fields(r, counts);
  if (!r.done()) return std::nullopt;
  return counts;
}

kpo::reporting::v1::Scorecard Figures(const SiteCounts& counts, int64_t period_days,
                                      const std::vector<Objective>& objectives) {
  FootprintCounts footprint = counts.footprint;
  footprint.headcount = counts.ideas.headcount;
  footprint.line_led = counts.kaizen.completed_by_line + counts.coaching.line_cycles;
  footprint.kpo_led = counts.kaizen.completed_by_kpo + counts.coaching.kpo_cycles;
  kpo::reporting::v1::Scorecard card;
  *card.mutable_daily_kaizen() = DailyKaizenFigures(counts.ideas);
  *card.mutable_kaizen_events() = KaizenEventFigures(counts.kaizen);
  *card.mutable_coaching() = CoachingFigures(counts.coaching, period_days);
  *card.mutable_people_development() = PeopleDevelopmentFigures(counts.development);
  *card.mutable_money() = MoneyFigures(counts.money);
  *card.mutable_kpo_footprint() = KpoFootprintFigures(footprint);
  *card.mutable_alignment() = AlignmentFigures(counts.alignment, objectives);
  *card.mutable_yokoten() = YokotenFigures(counts.yokoten);
  return card;
}

}  // namespace kpo::reporting::domain
