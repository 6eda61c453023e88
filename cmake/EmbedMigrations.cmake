# Script mode: writes OUT, a C++ file defining NS::Migrations() from FILES.
# NNNN_description.sql is a migration; NNNN_description.postgres.sql beside it, its
# PostgreSQL twin (for what the shared subset cannot say).
set(body "")
set(twins "")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME)
  if(name MATCHES "^([0-9]+)_.*\\.postgres\\.sql$")
    math(EXPR version "${CMAKE_MATCH_1} + 0")
    set(twin_${version} ${f})
  endif()
endforeach()
foreach(f ${FILES})
  get_filename_component(name ${f} NAME)
  if(name MATCHES "\\.postgres\\.sql$")
    continue()
  endif()
  string(REGEX MATCH "^([0-9]+)_([^.]*)\\.sql$" m ${name})
  if(NOT m)
    message(FATAL_ERROR "migration ${f} is not named NNNN_description.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1} + 0")
  set(desc ${CMAKE_MATCH_2})
  file(READ ${f} sql)
  if(DEFINED twin_${version})
    file(READ ${twin_${version}} pg)
    string(APPEND body "      {${version}, \"${desc}\", R\"kposql(${sql})kposql\", R\"kposql(${pg})kposql\"},\n")
    unset(twin_${version})
  else()
    string(APPEND body "      {${version}, \"${desc}\", R\"kposql(${sql})kposql\"},\n")
  endif()
endforeach()
get_cmake_property(left VARIABLES)
foreach(v ${left})
  if(v MATCHES "^twin_")
    message(FATAL_ERROR "PostgreSQL twin ${${v}} has no migration of its number")
  endif()
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
