# A bounded libFuzzer run on a copy of a seed corpus (the source tree is never written):
#   cmake -DFUZZER=exe -DCORPUS=dir -DWORK=dir [-DSECONDS=20] [-DRUNS=200000] [-DARGS="-max_len=2048;..."] [-DALLOW_RC="70;71"] -P run_fuzzer.cmake
cmake_policy(SET CMP0057 NEW)
if(NOT SECONDS)
  set(SECONDS 20)
endif()
if(NOT RUNS)
  set(RUNS 200000)
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
file(GLOB _seeds ${CORPUS}/*)
if(_seeds)
  file(COPY ${_seeds} DESTINATION ${WORK}/corpus)
endif()
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -runs=${RUNS} -timeout=10 -rss_limit_mb=2048
                        -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/ ${ARGS} ${WORK}/corpus
                RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0 AND "${_rc}" IN_LIST ALLOW_RC)
  message(WARNING "${FUZZER} stopped with tolerated exit code ${_rc} (out of memory or timeout): see ${WORK}/artifacts")
elseif(NOT _rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${_rc}): the input is in ${WORK}/artifacts")
endif()
