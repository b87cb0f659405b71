# Sanitizer instrumentation selected by SAS_SANITIZE (a list such as "address;undefined").
if(SAS_SANITIZE)
  list(JOIN SAS_SANITIZE "," _sas_sanitizers)
  add_compile_options(-fsanitize=${_sas_sanitizers} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${_sas_sanitizers})
endif()

# Coverage instrumentation for libFuzzer in every target of the fuzz build.
if(SAS_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
