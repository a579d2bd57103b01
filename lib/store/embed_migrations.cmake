# Writes a C++ file that holds every migrations/*.sql file, so the server needs
# no files at run time. Called with -DSOURCE_DIR=... -DOUTPUT=...
file(GLOB files "${SOURCE_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(path ${files})
  get_filename_component(name "${path}" NAME_WE)
  string(REGEX MATCH "^[0-9]+" version "${name}")
  math(EXPR version "${version}")
  file(READ "${path}" sql)
  string(APPEND body "      {${version}, \"${name}\", R\"armada_sql(${sql})armada_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from migrations/*.sql; do not edit.\n#include \"lib/store/migrations.h\"\n\nnamespace armada::store {\n\nconst std::vector<Migration>& EmbeddedMigrations() {\n  static const std::vector<Migration> kMigrations = {\n${body}  };\n  return kMigrations;\n}\n\n}  // namespace armada::store\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
