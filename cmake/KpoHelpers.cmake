# Helpers shared by every CMakeLists.txt of the project.

# Project warning flags; generated code does not get them.
function(kpo_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wno-unused-parameter
                                           -Wno-missing-field-initializers)
  if(KPO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# kpo_library(NAME SRCS ... DEPS ...): a project library with `include/` public.
function(kpo_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                     PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  kpo_warnings(${name})
endfunction()

include(GoogleTest)

# kpo_test(NAME SRCS ... DEPS ... [LABELS ...] [TIMEOUT s] [POSTGRES]): a GoogleTest
# binary whose test cases are registered with ctest one by one ("NAME.Suite.Case"), so
# that the summary counts test cases and one failing case cannot take the others with
# it. POSTGRES registers every case a second time, "NAME.postgres.Suite.Case", labelled
# postgres and run with KPO_TEST_DATABASE=postgres: the stores under test then run on a
# real PostgreSQL server (kpo/testing/test_database.h) instead of SQLite.
function(kpo_test name)
  cmake_parse_arguments(ARG "POSTGRES" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  kpo_warnings(${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # One label per test: gtest_discover_tests passes PROPERTIES on as a flat list, where
  # a second label would be read as the next property's name.
  list(LENGTH ARG_LABELS label_count)
  if(label_count GREATER 1)
    message(FATAL_ERROR "kpo_test(${name}): one label only, got ${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name}
    TEST_PREFIX "${name}."
    DISCOVERY_MODE PRE_TEST
    NO_PRETTY_VALUES
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
  if(ARG_POSTGRES AND KPO_TEST_POSTGRES)
    gtest_discover_tests(${name}
      TEST_PREFIX "${name}.postgres."
      DISCOVERY_MODE PRE_TEST
      NO_PRETTY_VALUES
      PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS postgres
                 ENVIRONMENT "KPO_TEST_DATABASE=postgres")
  endif()
endfunction()

# kpo_proto_library(NAME PROTOS ... [DEPS ...] [GRPC]): one library per proto package.
# Paths in PROTOS are relative to ${PROJECT_SOURCE_DIR}/proto.
function(kpo_proto_library name)
  cmake_parse_arguments(ARG "GRPC" "" "PROTOS;DEPS" ${ARGN})
  set(proto_root ${PROJECT_SOURCE_DIR}/proto)
  set(out_root ${PROJECT_BINARY_DIR}/gen)
  set(srcs)
  foreach(rel ${ARG_PROTOS})
    get_filename_component(dir ${rel} DIRECTORY)
    get_filename_component(base ${rel} NAME_WE)
    set(outs ${out_root}/${dir}/${base}.pb.cc ${out_root}/${dir}/${base}.pb.h)
    set(plugin_args)
    set(plugin_deps)
    if(ARG_GRPC)
      list(APPEND outs ${out_root}/${dir}/${base}.grpc.pb.cc ${out_root}/${dir}/${base}.grpc.pb.h)
      set(plugin_args --grpc_out=${out_root}
                      --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out_root}
      COMMAND protobuf::protoc --proto_path=${proto_root} --cpp_out=${out_root} ${plugin_args}
              ${proto_root}/${rel}
      DEPENDS ${proto_root}/${rel} protobuf::protoc
      COMMENT "protoc ${rel}" VERBATIM)
    list(APPEND srcs ${outs})
  endforeach()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} SYSTEM PUBLIC ${out_root})
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(${name} PUBLIC gRPC::grpc++)
  endif()
endfunction()

# kpo_embed_migrations(TARGET DIR NAMESPACE): compiles the numbered *.sql files of DIR
# (NNNN_description.sql, and NNNN_description.postgres.sql for a PostgreSQL twin) into
# TARGET as `const std::vector<kpo::storage::Migration>&
# <NAMESPACE>::Migrations()`, so a binary ships its own schema.
function(kpo_embed_migrations target dir ns)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT sql_files)
  string(REPLACE "::" "_" ns_file ${ns})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${ns_file}_migrations.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${ns} "-DFILES=${sql_files}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    COMMENT "embedding migrations for ${ns}" VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
