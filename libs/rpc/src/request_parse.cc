#include "request_parse.h"

#include <deque>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/stubs/logging.h"
#include "kpo/core/errors.h"
#include "kpo/core/log.h"
#include "kpo/rpc/status.h"

namespace kpo::rpc::internal {
namespace {

// The field protobuf last complained about on this thread while parsing.
thread_local std::string last_invalid_utf8_field;

void ProtobufLog(google::protobuf::LogLevel level, const char* filename, int line,
                 const std::string& message) {
  static const std::regex kUtf8(R"(String field '([A-Za-z0-9_.]+)' contains invalid UTF-8)");
  std::smatch m;
  if (std::regex_search(message, m, kUtf8)) {
    // A client's mistake, answered INVALID_ARGUMENT: not an error of the service.
    last_invalid_utf8_field = m[1].str();
    level = google::protobuf::LOGLEVEL_WARNING;
  }
  const nlohmann::json fields = {
      {"source", "protobuf"}, {"file", filename != nullptr ? filename : ""}, {"line", line}};
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      kpo::log::Info(message, fields);
      break;
    case google::protobuf::LOGLEVEL_WARNING:
      kpo::log::Warn(message, fields);
      break;
    default:
      kpo::log::Error(message, fields);
  }
}

// "/kpo.people.v1.PeopleService/CreateSite" -> its request message, or null.
const google::protobuf::Descriptor* RequestType(const char* method) {
  if (method == nullptr || method[0] != '/') return nullptr;
  const std::string full = absl::StrReplaceAll(std::string(method + 1), {{"/", "."}});
  const auto* m = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full);
  return m == nullptr ? nullptr : m->input_type();
}

class RequestParseInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RequestParseInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      failed_ = true;
      field_ = std::move(last_invalid_utf8_field);
      last_invalid_utf8_field.clear();
    }
    if (failed_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      methods->ModifySendStatus(ToGrpcStatus(Describe()));
    }
    methods->Proceed();
  }

 private:
  absl::Status Describe() const {
    const auto* type = RequestType(info_->method());
    const std::string type_name = type != nullptr ? type->full_name() : "request";
    kpo::log::Warn("request refused: it could not be parsed",
                   {{"method", info_->method()}, {"field", field_}});
    if (field_.empty()) {
      return kpo::core::Error(absl::StatusCode::kInvalidArgument, "INVALID_REQUEST_ENCODING",
                              absl::StrCat("the request is not a valid ", type_name, " message"));
    }
    const std::string path = type != nullptr ? FieldPath(type->full_name(), field_) : "";
    kpo::core::FieldViolations v;
    v.Add(path.empty() ? field_ : path, "is not valid UTF-8 (string fields carry UTF-8 text)");
    return v.ToStatus("INVALID_REQUEST_ENCODING");
  }

  grpc::experimental::ServerRpcInfo* info_;
  bool failed_ = false;
  std::string field_;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RequestParseInterceptor(info);
  }
};

}  // namespace

void InstallProtobufLogHandler() {
  static const bool kInstalled = [] {
    google::protobuf::SetLogHandler(&ProtobufLog);
    return true;
  }();
  (void)kInstalled;
}

std::string FieldPath(const std::string& request_type, const std::string& full_name) {
  const auto* root =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(request_type);
  if (root == nullptr) return "";
  // Breadth-first over message fields: the shortest path to the field.
  std::deque<std::pair<const google::protobuf::Descriptor*, std::string>> queue = {{root, ""}};
  std::set<const google::protobuf::Descriptor*> seen = {root};
  while (!queue.empty()) {
    auto [type, prefix] = queue.front();
    queue.pop_front();
    for (int i = 0; i < type->field_count(); ++i) {
      const auto* f = type->field(i);
      const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
      if (f->full_name() == full_name) return path;
      const auto* sub = f->message_type();
      if (sub != nullptr && seen.insert(sub).second) queue.emplace_back(sub, path);
    }
  }
  return "";
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRequestParseInterceptorFactory() {
  return std::make_unique<Factory>();
}

}  // namespace kpo::rpc::internal
