# ctest kubik-course-translations: fails when a message of kubik-course's
# sources has no Russian translation in po/ru.po, or only a fuzzy one.
# Called with -DXGETTEXT -DMSGCMP -DMSGFMT -DSOURCE_DIR -DPOT and -DSOURCES
# and -DARGS ('|'-separated, since ctest splits ';').
string(REPLACE "|" ";" sources "${SOURCES}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${XGETTEXT}" ${args} -o "${POT}" ${sources} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "xgettext failed")
endif()
# msgcmp: every msgid of the fresh template must be translated, fuzzy
# entries counting as untranslated.
execute_process(COMMAND "${MSGCMP}" "${SOURCE_DIR}/po/ru.po" "${POT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "po/ru.po lacks translations of the messages above: run "
                      "`cmake --build build --target kubik-course-pot`, translate them in "
                      "tools/kubik-course/po/ru.po and drop their fuzzy marks")
endif()
# And nothing fuzzy or untranslated is left over in ru.po itself.
execute_process(COMMAND "${MSGFMT}" --check --statistics -o /dev/null "${SOURCE_DIR}/po/ru.po"
                ERROR_VARIABLE statistics RESULT_VARIABLE rc)
message(STATUS "po/ru.po: ${statistics}")
if(NOT rc EQUAL 0 OR statistics MATCHES "fuzzy|untranslated")
  message(FATAL_ERROR "po/ru.po has fuzzy or untranslated messages: ${statistics}")
endif()
