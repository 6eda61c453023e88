# Script mode: writes OUT, a C++ file defining NS::Migrations() from FILES.
set(body "")
foreach(f ${FILES})
  get_filename_component(base ${f} NAME_WE)
  string(REGEX MATCH "^([0-9]+)_(.*)$" m ${base})
  if(NOT m)
    message(FATAL_ERROR "migration ${f} is not named NNNN_description.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1} + 0")
  set(desc ${CMAKE_MATCH_2})
  file(READ ${f} sql)
  string(APPEND body "      {${version}, \"${desc}\", R\"kposql(${sql})kposql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from SQL files by cmake/EmbedMigrations.cmake. Do not edit.
#include <vector>

#include \"kpo/storage/database.h\"

namespace ${NS} {
const std::vector<kpo::storage::Migration>& Migrations() {
  static const auto* const kMigrations = new std::vector<kpo::storage::Migration>{
${body}  };
  return *kMigrations;
}
}  // namespace ${NS}
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
