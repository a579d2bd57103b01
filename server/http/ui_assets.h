#pragma once

// The web UI's files (server/ui/: index.html, ES modules, one stylesheet),
// compiled into armada-server by server/http/embed_ui.cmake, and the routes
// that serve them on the HTTP port:
//   GET /            index.html
//   GET /ui, /ui/    index.html
//   GET /ui/<name>   the file named <name>, 404 (text/plain) when there is none
// Every answer carries the file's Content-Type, an ETag (a prefix of its
// SHA-1), `Cache-Control: no-cache` (the names carry no version, so a browser
// revalidates each time and gets 304 when nothing changed),
// `X-Content-Type-Options: nosniff` and a Content-Security-Policy that lets
// the page load and call only its own origin.

#include <string_view>
#include <vector>

namespace httplib {
class Server;
}

namespace armada::server {

struct UiAsset {
  std::string_view name;  // file name under /ui/, e.g. "jobs_table.js"
  std::string_view content_type;
  std::string_view etag;  // quoted, as the ETag header carries it
  std::string_view content;
};

// Every file of server/ui/, sorted by name. Defined in the generated
// embedded_ui.cc (library armada_server_ui); the views point into static
// storage and live as long as the process. Thread-safe.
const std::vector<UiAsset>& EmbeddedUiAssets();

// The asset called `name`, or null. Cost: linear in the number of assets.
const UiAsset* FindUiAsset(const std::vector<UiAsset>& assets, std::string_view name);

// Adds the routes above to `server`. `assets` must outlive it. An empty list
// adds nothing (then / is an ordinary 404).
void AddUiRoutes(httplib::Server& server, const std::vector<UiAsset>& assets);

}  // namespace armada::server
