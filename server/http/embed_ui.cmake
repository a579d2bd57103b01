# Writes a C++ file that holds every file of server/ui/ (the web UI) as a byte
# array with its path and content type, so armada-server serves the UI with
# no files at run time (server/http/ui_assets.h). Called with
# -DSOURCE_DIR=... -DOUTPUT=...
file(GLOB files "${SOURCE_DIR}/*.html" "${SOURCE_DIR}/*.js" "${SOURCE_DIR}/*.css"
     "${SOURCE_DIR}/*.svg" "${SOURCE_DIR}/*.png")
list(SORT files)
set(arrays "")
set(table "")
set(index 0)
foreach(path ${files})
  get_filename_component(name "${path}" NAME)
  get_filename_component(ext "${path}" LAST_EXT)
  if(ext STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(ext STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  else()
    set(type "image/png")
  endif()
  file(READ "${path}" hex HEX)
  file(SHA1 "${path}" sha)
  string(SUBSTRING "${sha}" 0 16 etag)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
  string(APPEND arrays "// ${name}\nconst unsigned char kFile${index}[] = {\n${bytes}0x00};\n")
  string(APPEND table "      {\"${name}\", \"${type}\", \"\\\"${etag}\\\"\",\n       std::string_view(reinterpret_cast<const char*>(kFile${index}), sizeof(kFile${index}) - 1)},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from server/ui/* by server/http/embed_ui.cmake; do not edit.
#include \"server/http/ui_assets.h\"

namespace armada::server {
namespace {

${arrays}
}  // namespace

const std::vector<UiAsset>& EmbeddedUiAssets() {
  static const std::vector<UiAsset> kAssets = {
${table}  };
  return kAssets;
}

}  // namespace armada::server
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
