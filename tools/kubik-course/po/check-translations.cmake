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
  # msgcmp names only places; say which messages they are: ru.po merged with
  # the fresh template, and what in it is untranslated or fuzzy.
  get_filename_component(msgdir "${MSGCMP}" DIRECTORY)
  find_program(MSGMERGE msgmerge HINTS "${msgdir}")
  find_program(MSGATTRIB msgattrib HINTS "${msgdir}")
  set(merged "${POT}.merged.po")
  execute_process(COMMAND "${MSGMERGE}" --quiet --no-fuzzy-matching -o "${merged}" "${SOURCE_DIR}/po/ru.po" "${POT}")
  set(missing "")
  foreach(which --untranslated --only-fuzzy)
    execute_process(COMMAND "${MSGATTRIB}" ${which} --no-obsolete --no-wrap --no-location "${merged}"
                    OUTPUT_VARIABLE entries)
    string(REGEX MATCHALL "\nmsgid \"[^\n]*" ids "${entries}")
    foreach(id IN LISTS ids)
      string(REGEX REPLACE "^\nmsgid " "" id "${id}")
      if(NOT id STREQUAL "\"\"")
        string(APPEND missing "  ${id}\n")
      endif()
    endforeach()
  endforeach()
  file(REMOVE "${merged}")
  message(FATAL_ERROR "po/ru.po lacks translations of these messages:\n${missing}run "
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
