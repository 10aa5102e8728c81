# Unit tests of the broker plugin's logic that needs no broker: snapshot, sessions, notice texts, fan-out.
foreach(t test_plugin_snapshot test_plugin_sessions test_plugin_notice test_plugin_fanout)
  add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
  target_link_libraries(${t} PRIVATE perch_plugin_logic perch_common PkgConfig::CMOCKA)
  add_test(NAME ${t} COMMAND ${t})
endforeach()
