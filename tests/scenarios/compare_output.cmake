# cmake -DSIM=armada-sim -DSCENARIO=x.yaml -DEXPECTED=x.expected.json -P compare_output.cmake
#
# Runs `SIM run SCENARIO --json` (plus `--explain EXPLAIN` when EXPLAIN is set). Normally: exit 0 and stdout equal to EXPECTED. With -DINVALID=ON:
# exit 2 and stderr containing EXPECTED's text (one line, trailing newline ignored).
# With -DUPDATE=ON it writes stdout to EXPECTED instead (review the diff before committing!).
set(args run ${SCENARIO} --json)
if(EXPLAIN)
  list(APPEND args --explain ${EXPLAIN})
endif()
execute_process(
  COMMAND ${SIM} ${args}
  OUTPUT_VARIABLE actual
  ERROR_VARIABLE errors
  RESULT_VARIABLE code)

if(INVALID)
  file(READ ${EXPECTED} expected)
  string(STRIP "${expected}" expected)
  if(NOT code EQUAL 2)
    message(FATAL_ERROR "expected exit code 2, got ${code}; stderr:\n${errors}")
  endif()
  string(FIND "${errors}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "stderr does not contain \"${expected}\":\n${errors}")
  endif()
  return()
endif()

if(NOT code EQUAL 0)
  message(FATAL_ERROR "armada-sim exited with ${code}:\n${errors}")
endif()
if(UPDATE)
  file(WRITE ${EXPECTED} "${actual}")
  return()
endif()
if(NOT EXISTS ${EXPECTED})
  message(FATAL_ERROR "missing ${EXPECTED}; actual output:\n${actual}")
endif()
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  get_filename_component(name ${EXPECTED} NAME)
  set(actual_file ${CMAKE_CURRENT_BINARY_DIR}/${name}.actual)
  file(WRITE ${actual_file} "${actual}")
  execute_process(COMMAND diff -u ${EXPECTED} ${actual_file})
  message(FATAL_ERROR "output differs from ${EXPECTED} (actual output in ${actual_file})")
endif()
