# ConvKitOpSuiteTests.cmake — one ctest test per (op suite × backend), with the
# suite names taken from the runner itself, so the list never goes stale.
#
#   convkit_add_op_suite_tests(TARGET <runner> FIXTURES <dir>
#                              BACKENDS <backend>... [TIMEOUT <seconds>])
#
# After <runner> is linked, a post-build step runs `<runner> --list` and writes
# a ctest script that adds `op_suite.<suite>.<backend>` for every suite and
# backend, each running `<runner> <suite> <backend> <dir>` (labels: op_suite,
# <backend>; exit status 77 reports the test as skipped: the opencl backend on a
# machine with no OpenCL device). ctest includes that script when it starts (the same scheme as
# CMake's gtest_discover_tests); before the runner is built, ctest shows a
# single failing `<runner>_NOT_BUILT` test instead.

set(CONVKIT_OP_SUITE_DISCOVER_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/ConvKitOpSuiteDiscover.cmake")

function(convkit_add_op_suite_tests)
    cmake_parse_arguments(PARSE_ARGV 0 arg "" "TARGET;FIXTURES;TIMEOUT" "BACKENDS")
    if(NOT arg_TARGET OR NOT arg_FIXTURES OR NOT arg_BACKENDS)
        message(FATAL_ERROR "convkit_add_op_suite_tests: TARGET, FIXTURES and BACKENDS are required")
    endif()
    if(NOT arg_TIMEOUT)
        set(arg_TIMEOUT 600)
    endif()

    set(base "${CMAKE_CURRENT_BINARY_DIR}/${arg_TARGET}")
    get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
    if(multi_config)
        set(tests_file "${base}_tests-$<CONFIG>.cmake")
        set(tests_file_at_test_time "${base}_tests-\${CTEST_CONFIGURATION_TYPE}.cmake")
    else()
        set(tests_file "${base}_tests.cmake")
        set(tests_file_at_test_time "${tests_file}")
    endif()

    # Commas, not semicolons: the list travels as one command-line argument.
    string(REPLACE ";" "," backends "${arg_BACKENDS}")
    add_custom_command(TARGET ${arg_TARGET} POST_BUILD
        COMMAND "${CMAKE_COMMAND}"
                "-DRUNNER=$<TARGET_FILE:${arg_TARGET}>"
                "-DBACKENDS=${backends}"
                "-DFIXTURES=${arg_FIXTURES}"
                "-DTIMEOUT=${arg_TIMEOUT}"
                "-DOUTPUT=${tests_file}"
                -P "${CONVKIT_OP_SUITE_DISCOVER_SCRIPT}"
        COMMENT "Listing the op suites of ${arg_TARGET} for ctest"
        VERBATIM)

    set(include_file "${base}_include.cmake")
    file(WRITE "${include_file}"
        "if(EXISTS \"${tests_file_at_test_time}\")\n"
        "  include(\"${tests_file_at_test_time}\")\n"
        "else()\n"
        "  add_test(${arg_TARGET}_NOT_BUILT ${arg_TARGET}_NOT_BUILT)\n"
        "endif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
