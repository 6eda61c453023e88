#include "kpo/core/pagination.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kpo/core/errors.h"

namespace kpo::core {

absl::StatusOr<PageRequest> OpenPage(const PageTokenCodec& codec, const PageOptions& options,
                                     int32_t page_size, absl::string_view page_token,
                                     std::string scope) {
  if (page_size < 0) return InvalidField("page_size", "must not be negative");
  PageRequest page;
  page.limit = page_size == 0 ? options.default_size : std::min<int>(page_size, options.max_size);
  page.scope = std::move(scope);
  if (!page_token.empty()) {
    auto cursor = codec.Open(page_token, page.scope);
    if (!cursor.ok()) return cursor.status();
    const size_t bar = cursor->last_key.find('|');
    PagePosition after;
    if (bar == std::string::npos ||
        !absl::SimpleAtoi(absl::string_view(cursor->last_key).substr(0, bar), &after.key)) {
      return InvalidField("page_token", "is not valid for this request");
    }
    after.name = cursor->last_key.substr(bar + 1);
    page.after = std::move(after);
  }
  return page;
}

std::string NextPageToken(const PageTokenCodec& codec, const PageRequest& page,
                          const PagePosition& last) {
  return codec.Seal({page.scope, absl::StrCat(last.key, "|", last.name)});
}

}  // namespace kpo::core
