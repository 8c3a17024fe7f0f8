# Turn the report page's two halves (head.html, body.html) into a C header of two
# NUL-terminated char arrays, so the CLI carries its page: cmake -DOUT=... -DDIR=... -P embed.cmake
set(_text "/* generated from tools/report/{head,body}.html by tools/report/embed.cmake */\n")
foreach(part head body)
  file(READ ${DIR}/${part}.html _hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _hex "${_hex}")
  string(APPEND _text "static const char report_page_${part}[] = {${_hex}0x00};\n")
endforeach()
file(WRITE ${OUT}.tmp "${_text}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
