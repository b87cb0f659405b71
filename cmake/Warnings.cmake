# The project's compiler warnings, defined once. Applied to our targets through
# sas_target_warnings(); generated and third-party code is not affected.
set(SAS_WARNING_FLAGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(SAS_WARNINGS_AS_ERRORS)
  list(APPEND SAS_WARNING_FLAGS -Werror)
endif()

# Applies the project's warning flags to TARGET.
function(sas_target_warnings target)
  target_compile_options(${target} PRIVATE ${SAS_WARNING_FLAGS})
endfunction()
