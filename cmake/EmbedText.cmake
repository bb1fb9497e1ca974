# smtp_embed_text(INPUT OUTPUT HEADER NAMESPACE FUNCTION DELIMITER): a custom
# command that writes OUTPUT, a C++ file defining `NAMESPACE::FUNCTION()` as
# the text of INPUT (cmake/embed_text.cmake), again whenever INPUT changes.
function(smtp_embed_text input output header namespace function delimiter)
  get_filename_component(name ${input} NAME)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DHEADER=${header}
            -DNAMESPACE=${namespace} -DFUNCTION=${function} -DDELIMITER=${delimiter}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake
    COMMENT "Embedding ${name}")
endfunction()
