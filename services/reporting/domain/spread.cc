#include "domain/spread.h"

#include <set>

#include "domain/figures.h"

namespace kpo::reporting::domain {

namespace pb = kpo::reporting::v1;

void ObjectiveLinks::Add(const ObjectiveLinks& o) {
  ideas += o.ideas;
  storyboards += o.storyboards;
  kaizen_events += o.kaizen_events;
}

void AlignmentCounts::Add(const AlignmentCounts& o) {
  for (const auto& [id, links] : o.objectives) objectives[id].Add(links);
}

pb::AlignmentFigures AlignmentFigures(const AlignmentCounts& counts,
                                      const std::vector<Objective>& defined) {
  ObjectiveLinks total;
  for (const auto& [id, links] : counts.objectives) total.Add(links);
  const auto none_it = counts.objectives.find("");
  const ObjectiveLinks none =
      none_it == counts.objectives.end() ? ObjectiveLinks{} : none_it->second;

  pb::AlignmentFigures f;
  auto add = [&](const std::string& id, const std::string& title) {
    const auto it = counts.objectives.find(id);
    const ObjectiveLinks links = it == counts.objectives.end() ? ObjectiveLinks{} : it->second;
    auto* out = f.add_objectives();
    out->set_objective(id);
    out->set_title(title);
    out->set_ideas(links.ideas);
    out->set_storyboards(links.storyboards);
    out->set_kaizen_events(links.kaizen_events);
    *out->mutable_idea_share() = MakeRatio(links.ideas, total.ideas);
    *out->mutable_storyboard_share() = MakeRatio(links.storyboards, total.storyboards);
    *out->mutable_kaizen_event_share() = MakeRatio(links.kaizen_events, total.kaizen_events);
  };
  std::set<std::string> listed;
  for (const Objective& o : defined) {
    if (o.id.empty() || !listed.insert(o.id).second) continue;
    add(o.id, o.title);
  }
  for (const auto& [id, links] : counts.objectives) {
    if (id.empty() || listed.contains(id)) continue;
    add(id, "");
  }
  if (none.ideas + none.storyboards + none.kaizen_events > 0) add("", "");
  *f.mutable_aligned_ideas() = MakeRatio(total.ideas - none.ideas, total.ideas);
  *f.mutable_aligned_storyboards() =
      MakeRatio(total.storyboards - none.storyboards, total.storyboards);
  *f.mutable_aligned_kaizen_events() =
      MakeRatio(total.kaizen_events - none.kaizen_events, total.kaizen_events);
  return f;
}

void YokotenCounts::Add(const YokotenCounts& o) {
  practices_shared += o.practices_shared;
  adopted += o.adopted;
  adapted += o.adapted;
  not_applicable += o.not_applicable;
  open_tasks += o.open_tasks;
  overdue_tasks += o.overdue_tasks;
  adoptions_elsewhere += o.adoptions_elsewhere;
}

pb::YokotenFigures YokotenFigures(const YokotenCounts& c) {
  pb::YokotenFigures f;
  f.set_practices_shared(c.practices_shared);
  f.set_adopted(c.adopted);
  f.set_adapted(c.adapted);
  f.set_not_applicable(c.not_applicable);
  *f.mutable_adoption_rate() =
      MakeRatio(c.adopted + c.adapted, c.adopted + c.adapted + c.not_applicable);
  f.set_open_tasks(c.open_tasks);
  f.set_overdue_tasks(c.overdue_tasks);
  f.set_adoptions_elsewhere(c.adoptions_elsewhere);
  return f;
}

}  // namespace kpo::reporting::domain
