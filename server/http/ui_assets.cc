#include "server/http/ui_assets.h"

#include <string>

#include <httplib.h>

namespace armada::server {
namespace {

// The page may load scripts, styles and data only from the server itself:
// no CDN, no inline script, nothing an injected value could smuggle in.
constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

void Send(const UiAsset& asset, const httplib::Request& request, httplib::Response& response) {
  response.set_header("Cache-Control", "no-cache");
  response.set_header("ETag", std::string(asset.etag));
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Content-Security-Policy", kContentSecurityPolicy);
  if (request.get_header_value("If-None-Match") == asset.etag) {
    response.status = 304;
    return;
  }
  response.set_content(asset.content.data(), asset.content.size(), std::string(asset.content_type));
}

void SendNotFound(const std::string& name, httplib::Response& response) {
  response.status = 404;
  response.set_header("Cache-Control", "no-cache");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_content("no UI file named " + name + "\n", "text/plain; charset=utf-8");
}

}  // namespace

const UiAsset* FindUiAsset(const std::vector<UiAsset>& assets, std::string_view name) {
  for (const UiAsset& asset : assets) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

void AddUiRoutes(httplib::Server& server, const std::vector<UiAsset>& assets) {
  if (assets.empty()) return;
  auto index = [&assets](const httplib::Request& request, httplib::Response& response) {
    const UiAsset* asset = FindUiAsset(assets, "index.html");
    if (asset == nullptr) {
      SendNotFound("index.html", response);
      return;
    }
    Send(*asset, request, response);
  };
  server.Get("/", index);
  server.Get("/ui/?", index);
  server.Get(R"(/ui/(.+))",
             [&assets](const httplib::Request& request, httplib::Response& response) {
               const std::string name = request.matches[1].str();
               const UiAsset* asset = FindUiAsset(assets, name);
               if (asset == nullptr) {
                 SendNotFound(name, response);
                 return;
               }
               Send(*asset, request, response);
             });
}

}  // namespace armada::server
