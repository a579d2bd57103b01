# Runs swf2scenario on TRACE with ARGS (comma-separated), compares the scenario and jobs file with
# EXPECTED.yaml / EXPECTED.tsv byte for byte, then runs armada-sim on the scenario (it must load
# and run). -DUPDATE=ON rewrites the expected files instead.
string(REPLACE "," ";" ARGS "${ARGS}")
set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/swf_${NAME})
file(MAKE_DIRECTORY ${out_dir})
execute_process(
  COMMAND ${CONVERTER} ${TRACE} -o ${out_dir}/scenario.yaml --jobs-out ${out_dir}/jobs.tsv ${ARGS}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "swf2scenario exited ${rc}: ${err}")
endif()
foreach(ext yaml tsv)
  set(got ${out_dir}/scenario.yaml)
  if(ext STREQUAL "tsv")
    set(got ${out_dir}/jobs.tsv)
  endif()
  if(UPDATE)
    file(COPY_FILE ${got} ${EXPECTED}.${ext})
  else()
    execute_process(COMMAND diff -u ${EXPECTED}.${ext} ${got} RESULT_VARIABLE diff_rc
      OUTPUT_VARIABLE diff_out)
    if(NOT diff_rc EQUAL 0)
      message(FATAL_ERROR "conversion differs from ${EXPECTED}.${ext}:\n${diff_out}")
    endif()
  endif()
endforeach()
execute_process(COMMAND ${SIM} run ${out_dir}/scenario.yaml --json
  RESULT_VARIABLE rc OUTPUT_VARIABLE sim_out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "armada-sim rejected the converted scenario (exit ${rc}): ${err}")
endif()
