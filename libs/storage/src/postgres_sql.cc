// The PostgreSQL driver's text rewrites: placeholders in statements, column types in
// migrations. Both walk the SQL once and touch only code, never literals, quoted
// identifiers or comments.

#include <cctype>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "kpo/storage/postgres.h"

namespace kpo::storage {
namespace {

// Calls `code` with each stretch of `sql` outside literals, quoted identifiers and
// comments, and `other` with each stretch inside, in order; together they are `sql`.
void Walk(absl::string_view sql, const std::function<void(absl::string_view)>& code,
          const std::function<void(absl::string_view)>& other) {
  size_t i = 0, start = 0;
  const size_t n = sql.size();
  auto flush_code = [&](size_t end) {
    if (end > start) code(sql.substr(start, end - start));
  };
  while (i < n) {
    const char ch = sql[i];
    size_t end = i;
    if (ch == '\'' || ch == '"') {
      // A quote doubled inside is the quote itself.
      end = i + 1;
      while (end < n) {
        if (sql[end] == ch) {
          if (end + 1 < n && sql[end + 1] == ch) {
            end += 2;
            continue;
          }
          ++end;
          break;
        }
        ++end;
      }
    } else if (ch == '-' && i + 1 < n && sql[i + 1] == '-') {
      end = sql.find('\n', i);
      end = end == absl::string_view::npos ? n : end;
    } else if (ch == '/' && i + 1 < n && sql[i + 1] == '*') {
      end = sql.find("*/", i + 2);
      end = end == absl::string_view::npos ? n : end + 2;
    } else {
      ++i;
      continue;
    }
    flush_code(i);
    other(sql.substr(i, end - i));
    i = start = end;
  }
  flush_code(n);
}

bool WordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::string ToPostgresPlaceholders(absl::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  Walk(
      sql,
      [&](absl::string_view code) {
        for (char c : code) {
          if (c == '?') {
            absl::StrAppend(&out, "$", ++n);
          } else {
            out.push_back(c);
          }
        }
      },
      [&](absl::string_view other) { out.append(other.data(), other.size()); });
  if (count != nullptr) *count = n;
  return out;
}

std::string ToPostgresSchema(absl::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 64);
  Walk(
      sql,
      [&](absl::string_view code) {
        size_t i = 0;
        while (i < code.size()) {
          if (!WordChar(code[i])) {
            out.push_back(code[i++]);
            continue;
          }
          size_t end = i;
          while (end < code.size() && WordChar(code[end])) ++end;
          const absl::string_view word = code.substr(i, end - i);
          const std::string upper = absl::AsciiStrToUpper(word);
          if (upper == "INTEGER") {
            out.append("BIGINT");
          } else if (upper == "REAL") {
            out.append("DOUBLE PRECISION");
          } else if (upper == "BLOB") {
            out.append("BYTEA");
          } else {
            out.append(word.data(), word.size());
          }
          i = end;
        }
      },
      [&](absl::string_view other) { out.append(other.data(), other.size()); });
  return out;
}

}  // namespace kpo::storage
