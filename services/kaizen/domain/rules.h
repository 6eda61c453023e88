#pragma once

// Field rules of the kaizen resources as a client may set them, and the rules that
// depend only on an event's state. Pure: no I/O, no clock. Table-tested in
// tests/services/kaizen/rules_test.cc.

#include <set>
#include <string>

#include "kpo/core/errors.h"
#include "kpo/kaizen/v1/resources.pb.h"

namespace kpo::kaizen::domain {

inline constexpr int kMaxText = 2000;
inline constexpr int kMaxTitle = 200;

// Adds a violation of `field` when `value` is longer than `max` bytes.
void CheckLength(const std::string& value, const std::string& field, int max,
                 kpo::core::FieldViolations& v);

// Every field rule of an event (under "kaizen_event."): title, site and area names
// (the area within the site), type, charter texts, lists and dates, people names,
// metrics (ids, names, direction, finite numbers, a target better than the
// baseline) and money.
void ValidateEvent(const v1::KaizenEvent& event, kpo::core::FieldViolations& v);

// Which update_mask paths an event in `state` accepts (sub-paths follow a listed
// parent: "charter.sponsor"); empty once the event can no longer change.
std::set<std::string> UpdatablePaths(v1::EventState state);

// Field rules of an action item (under "action_item.").
void ValidateActionItem(const v1::ActionItem& item, kpo::core::FieldViolations& v);

// Rules of a checklist template (under "<prefix>checklist_template[i]."): ids valid
// and unique, a phase, a text.
void ValidateChecklistTemplate(
    const google::protobuf::RepeatedPtrField<v1::ChecklistTemplateItem>& items,
    const std::string& prefix, kpo::core::FieldViolations& v);

// The event's checklist under a new template: items of phases the event has left stay
// as they were held; the phases still open follow the template, keeping the done state
// of items whose id and phase did not change.
google::protobuf::RepeatedPtrField<v1::ChecklistItem> ApplyTemplate(
    const v1::KaizenEvent& event,
    const google::protobuf::RepeatedPtrField<v1::ChecklistTemplateItem>& items);

}  // namespace kpo::kaizen::domain
