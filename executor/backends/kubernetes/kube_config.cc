#include "executor/backends/kubernetes/kube_config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/common/status_macros.h"

namespace armada::executor::kubernetes {
namespace {

std::string Trim(std::string s) { return std::string(absl::StripAsciiWhitespace(s)); }

// The entry of `list` (a kubeconfig list of {name, <field>}) named `name`, or a null node.
YAML::Node FindNamed(const YAML::Node& list, const std::string& name, const char* field) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const YAML::Node& entry : list) {
    if (entry["name"] && entry["name"].as<std::string>() == name) return entry[field];
  }
  return YAML::Node();
}

bool Missing(const YAML::Node& node) { return !node.IsDefined() || node.IsNull(); }

std::string GetString(const YAML::Node& node, const char* key) {
  if (!node || !node.IsMap() || !node[key]) return "";
  return node[key].as<std::string>();
}

std::string Resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return dir + "/" + path;
}

// The PEM in `<key>-data` (base64), else in the file named by `<key>`, else "".
absl::StatusOr<std::string> DataOrFile(const YAML::Node& node, const std::string& key,
                                       const std::string& dir) {
  const std::string data = GetString(node, (key + "-data").c_str());
  if (!data.empty()) {
    std::string decoded;
    if (!absl::Base64Unescape(data, &decoded)) {
      return absl::InvalidArgumentError(absl::StrCat("kubeconfig: ", key, "-data is not base64"));
    }
    return decoded;
  }
  const std::string file = GetString(node, key.c_str());
  if (file.empty()) return std::string();
  return ReadFileToString(Resolve(dir, file));
}

absl::Status FillCluster(const YAML::Node& cluster, const std::string& dir, KubeConnection& conn) {
  conn.server = std::string(absl::StripSuffix(GetString(cluster, "server"), "/"));
  if (conn.server.empty()) return absl::InvalidArgumentError("kubeconfig: cluster has no server");
  conn.insecure_skip_tls_verify =
      cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>();
  ASSIGN_OR_RETURN(conn.ca_pem, DataOrFile(cluster, "certificate-authority", dir));
  return absl::OkStatus();
}

absl::Status FillUser(const YAML::Node& user, const std::string& dir, KubeConnection& conn) {
  conn.bearer_token = GetString(user, "token");
  const std::string token_file = GetString(user, "tokenFile");
  if (conn.bearer_token.empty() && !token_file.empty()) {
    conn.bearer_token_file = Resolve(dir, token_file);
  }
  ASSIGN_OR_RETURN(conn.client_cert_pem, DataOrFile(user, "client-certificate", dir));
  ASSIGN_OR_RETURN(conn.client_key_pem, DataOrFile(user, "client-key", dir));
  if (conn.client_cert_pem.empty() != conn.client_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "kubeconfig: user has a client certificate without a key, or a key without one");
  }
  const bool has_auth = !conn.bearer_token.empty() || !conn.bearer_token_file.empty() ||
                        !conn.client_cert_pem.empty();
  if (!has_auth && user && (user["exec"] || user["auth-provider"])) {
    return absl::UnimplementedError(
        "kubeconfig: exec and auth-provider credential plugins are not supported");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message = absl::StrCat("cannot read ", path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

absl::StatusOr<KubeConnection> LoadInClusterConnection(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return absl::FailedPreconditionError(
        "not running in a Kubernetes cluster: KUBERNETES_SERVICE_HOST/PORT are not set; "
        "configure kubernetes.kubeconfig instead");
  }
  KubeConnection conn;
  const std::string h = host;
  conn.server = absl::StrCat("https://", absl::StrContains(h, ":") ? "[" + h + "]" : h, ":", port);
  ASSIGN_OR_RETURN(conn.ca_pem, ReadFileToString(sa_dir + "/ca.crt"));
  ASSIGN_OR_RETURN(std::string token, ReadFileToString(sa_dir + "/token"));
  conn.bearer_token = Trim(token);
  conn.bearer_token_file = sa_dir + "/token";
  absl::StatusOr<std::string> ns = ReadFileToString(sa_dir + "/namespace");
  if (ns.ok()) conn.default_namespace = Trim(*ns);
  return conn;
}

absl::StatusOr<KubeConnection> LoadKubeconfig(const std::string& path, const std::string& context) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  const std::string dir =
      path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  try {
    const YAML::Node root = YAML::Load(text);
    const std::string context_name = context.empty() ? GetString(root, "current-context") : context;
    if (context_name.empty()) {
      return absl::NotFoundError(absl::StrCat("kubeconfig ", path, ": no current-context"));
    }
    const YAML::Node ctx = FindNamed(root["contexts"], context_name, "context");
    if (Missing(ctx)) {
      return absl::NotFoundError(absl::StrCat("kubeconfig ", path, ": no context ", context_name));
    }
    const std::string cluster_name = GetString(ctx, "cluster");
    const YAML::Node cluster = FindNamed(root["clusters"], cluster_name, "cluster");
    if (Missing(cluster)) {
      return absl::NotFoundError(absl::StrCat("kubeconfig ", path, ": no cluster ", cluster_name));
    }
    const std::string user_name = GetString(ctx, "user");
    const YAML::Node user = FindNamed(root["users"], user_name, "user");
    if (!user_name.empty() && Missing(user)) {
      return absl::NotFoundError(absl::StrCat("kubeconfig ", path, ": no user ", user_name));
    }
    KubeConnection conn;
    conn.default_namespace = GetString(ctx, "namespace");
    RETURN_IF_ERROR(FillCluster(cluster, dir, conn));
    RETURN_IF_ERROR(FillUser(user, dir, conn));
    return conn;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": ", e.what()));
  }
}

}  // namespace armada::executor::kubernetes
