# ConvKitVersion.cmake — reads the library version from convkit.h, so that the
# header stays its single source.
#
#   convkit_read_version(<header> <out_var>)
#
# sets <out_var> to "MAJOR.MINOR.PATCH" from the CONVKIT_VERSION_MAJOR,
# CONVKIT_VERSION_MINOR and CONVKIT_VERSION_PATCH defines, and stops with an
# error when one of them is missing.

function(convkit_read_version header out_var)
    file(STRINGS "${header}" version_lines
         REGEX "^#define CONVKIT_VERSION_(MAJOR|MINOR|PATCH) +[0-9]+")
    set(parts)
    foreach(part MAJOR MINOR PATCH)
        set(value)
        foreach(line IN LISTS version_lines)
            if(line MATCHES "^#define CONVKIT_VERSION_${part} +([0-9]+)")
                set(value "${CMAKE_MATCH_1}")
            endif()
        endforeach()
        if(value STREQUAL "")
            message(FATAL_ERROR "${header} has no '#define CONVKIT_VERSION_${part} <number>'")
        endif()
        list(APPEND parts "${value}")
    endforeach()
    list(JOIN parts "." version)
    set(${out_var} "${version}" PARENT_SCOPE)
endfunction()
