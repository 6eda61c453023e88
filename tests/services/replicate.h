#pragma once

// Puts a directory resource into a service's replica as the people service would have
// published it (the event's fields 1 and 2: the resource and its revision), for unit
// tests of the services that check people, sites and areas against their replica.

#include "gtest/gtest.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/core/clock.h"
#include "kpo/replica/directory_replica.h"
#include "kpo/storage/database.h"

namespace kpo::testing {

template <class Event, class Resource>
void Replicate(kpo::storage::Database& db, const kpo::core::Clock& clock,
               const std::string& organization, const Resource& resource, int64_t revision = 1) {
  Event e;
  e.GetReflection()
      ->MutableMessage(&e, e.GetDescriptor()->FindFieldByNumber(1))
      ->CopyFrom(resource);
  e.set_revision(revision);
  kpo::common::v1::EventEnvelope env;
  env.set_organization(organization);
  env.set_type(Event::descriptor()->full_name());
  env.mutable_data()->PackFrom(e);
  ASSERT_TRUE(db.Write([&](kpo::storage::Transaction& tx) {
                  return kpo::replica::ApplyDirectoryEvent(tx, env, clock);
                }).ok());
}

}  // namespace kpo::testing
