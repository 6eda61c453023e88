#include <algorithm>

#include "kpo/storage/database.h"

namespace kpo::storage {

void Transaction::OnCommit(std::function<void()> fn, const void* key) {
  if (key != nullptr) {
    // Keys are few (the outbox's wake-up), however many hooks a big transaction has.
    if (std::find(on_commit_keys_.begin(), on_commit_keys_.end(), key) != on_commit_keys_.end()) {
      return;
    }
    on_commit_keys_.push_back(key);
  }
  on_commit_.push_back(std::move(fn));
}

std::vector<std::function<void()>> Transaction::TakeCommitHooks() {
  std::vector<std::function<void()>> hooks = std::move(on_commit_);
  on_commit_.clear();
  on_commit_keys_.clear();
  return hooks;
}

}  // namespace kpo::storage
