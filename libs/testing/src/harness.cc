#include "kpo/testing/harness.h"

#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "absl/time/clock.h"

#ifndef KPO_BINARY_DIR
#error "KPO_BINARY_DIR must be defined by the build"
#endif

namespace kpo::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/kpo-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration step = absl::Milliseconds(2);
  while (true) {
    if (condition()) return true;
    if (absl::Now() > deadline) return false;
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(step));
    step = std::min(step * 2, absl::Milliseconds(50));
  }
}

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> env,
                 std::string log_path, const std::string& user)
    : log_path_(std::move(log_path)) {
  // Looked up before fork: getpwnam may take locks another thread holds.
  const passwd* pw = !user.empty() && geteuid() == 0 ? getpwnam(user.c_str()) : nullptr;
  if (!user.empty() && geteuid() == 0 && pw == nullptr) {
    throw std::runtime_error("no such account: " + user);
  }
  const uid_t uid = pw != nullptr ? pw->pw_uid : 0;
  const gid_t gid = pw != nullptr ? pw->pw_gid : 0;
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    setpgid(0, 0);
    if (pw != nullptr && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) {
      _exit(126);
    }
    // (After the change of account: changing it clears the parent-death signal.)
    // The child dies with the test (or benchmark) that started it, also when that one
    // crashes or is killed: no orphaned servers hold ports or CPU afterwards. (Tied to
    // the forking thread: start processes from a thread that outlives them.)
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    FILE* log = std::fopen(log_path_.c_str(), "a");
    if (log != nullptr) {
      dup2(fileno(log), STDOUT_FILENO);
      dup2(fileno(log), STDERR_FILENO);
    }
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s failed\n", args[0]);
    _exit(127);
  }
}

Process::~Process() {
  if (Running()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool Process::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return false;
}

void Process::Signal(int signo) {
  if (pid_ > 0) kill(pid_, signo);
}

int Process::Stop(absl::Duration timeout) {
  if (!Running()) return exit_status_;
  kill(pid_, SIGTERM);
  const pid_t pid = pid_;
  if (WaitFor([&] { return !Running(); }, timeout)) return exit_status_;
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  pid_ = -1;
  return -1;
}

std::string Process::Log() const { return ReadFile(log_path_); }

int RunToEnd(std::vector<std::string> argv, const std::string& log_path, absl::Duration timeout,
             const std::string& user) {
  Process p(std::move(argv), {}, log_path, user);
  if (!WaitFor([&] { return !p.Running(); }, timeout)) return -1;
  return p.Stop();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {
bool UnixSocketAccepts(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}
}  // namespace

RedisServer::RedisServer() : socket_(dir_.File("redis.sock")) { Start(); }

RedisServer::~RedisServer() { Stop(); }

void RedisServer::Start() {
  process_ = std::make_unique<Process>(
      std::vector<std::string>{"redis-server", "--port", "0", "--unixsocket", socket_, "--save", "",
                               "--appendonly", "no", "--dir", dir_.path()},
      std::map<std::string, std::string>{}, dir_.File("redis.log"));
  if (!WaitFor([&] { return UnixSocketAccepts(socket_); }, absl::Seconds(10))) {
    throw std::runtime_error("redis-server did not start: " + process_->Log());
  }
}

void RedisServer::Stop() {
  if (process_) {
    process_->Stop();
    process_.reset();
    std::error_code ec;
    std::filesystem::remove(socket_, ec);
  }
}

namespace {

// The newest PostgreSQL server installed by Debian's packages.
std::string PostgresBinaries() {
  if (const char* dir = std::getenv("KPO_PG_BINDIR"); dir != nullptr && *dir != '\0') return dir;
  std::string best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && std::filesystem::exists(entry.path() / "bin" / "postgres")) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  if (best.empty()) {
    throw std::runtime_error(
        "no PostgreSQL server under /usr/lib/postgresql: run tools/install-deps.sh (package "
        "postgresql)");
  }
  return best;
}

}  // namespace

namespace {

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick).
std::string FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free loopback port");
  }
  close(fd);
  return std::to_string(ntohs(addr.sin_port));
}

}  // namespace

PostgresServer::PostgresServer(PostgresServerOptions options)
    : options_(options),
      bin_(PostgresBinaries()),
      port_(options.tls ? FreeLoopbackPort() : "5432") {
  if (geteuid() == 0) {
    user_ = "postgres";
    const passwd* pw = getpwnam(user_.c_str());
    if (pw == nullptr) throw std::runtime_error("no postgres account: install package postgresql");
    if (chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot hand " + dir_.path() + " to postgres");
    }
  }
  const int rc = RunToEnd({bin_ + "/initdb", "-D", dir_.File("data"), "-U", "kpo", "-A", "trust",
                           "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"},
                          dir_.File("initdb.log"), absl::Seconds(120), user_);
  if (rc != 0) throw std::runtime_error("initdb failed: " + ReadFile(dir_.File("initdb.log")));
  if (options_.tls) MakeCertificates();
  // Every account is trusted on the socket except kPasswordRole, which must give its
  // password (SCRAM), as production's accounts do.
  const std::string hba = dir_.File("data/pg_hba.conf");
  const std::string rules = ReadFile(hba);
  {
    std::ofstream out(hba, std::ios::trunc);
    out << "local all " << kPasswordRole << " scram-sha-256\n" << rules;
    if (!out) throw std::runtime_error("cannot write " + hba);
  }
  Start();
}

PostgresServer::~PostgresServer() { Stop(); }

void PostgresServer::Start() {
  // Benchmarks compare durable commits: KPO_PG_FSYNC=on syncs as production does.
  const char* env_fsync = std::getenv("KPO_PG_FSYNC");
  const std::string fsync = std::string("fsync=") +
                            (env_fsync != nullptr && std::string(env_fsync) == "on" ? "on" : "off");
  std::vector<std::string> args = {
      bin_ + "/postgres", "-D", dir_.File("data"), "-k", dir_.path(), "-p", port_};
  std::vector<std::string> settings = {"listen_addresses=", fsync, "max_connections=200",
                                       "shared_buffers=32MB"};
  if (options_.tls) {
    settings.front() = "listen_addresses=127.0.0.1";
    settings.insert(settings.end(), {"ssl=on", "ssl_cert_file=" + dir_.File("server.crt"),
                                     "ssl_key_file=" + dir_.File("server.key")});
  }
  // KPO_PG_SETTINGS="name=value ...": more server settings, for profiling a run (for
  // example shared_preload_libraries=pg_stat_statements).
  if (const char* more = std::getenv("KPO_PG_SETTINGS"); more != nullptr) {
    std::istringstream words(more);
    for (std::string setting; words >> setting;) settings.push_back(setting);
  }
  for (const std::string& setting : settings) {
    args.push_back("-c");
    args.push_back(setting);
  }
  process_ = std::make_unique<Process>(std::move(args), std::map<std::string, std::string>{},
                                       dir_.File("postgres.log"), user_);
  const bool ready = WaitFor(
      [&] {
        if (!process_->Running()) return true;
        return RunToEnd({bin_ + "/pg_isready", "-q", "-h", dir_.path(), "-p", port_},
                        dir_.File("isready.log"), absl::Seconds(10)) == 0;
      },
      absl::Seconds(60));
  if (!ready || !process_->Running()) {
    throw std::runtime_error("postgres did not start: " + Log());
  }
}

void PostgresServer::Stop() {
  if (process_) {
    process_->Signal(SIGINT);  // fast shutdown
    if (!WaitFor([&] { return !process_->Running(); }, absl::Seconds(30))) process_->Stop();
    process_.reset();
  }
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql://kpo@/" + database + "?host=" + dir_.path() + "&port=" + port_;
}

std::string PostgresServer::UrlAs(const std::string& database, const std::string& user) const {
  return "postgresql://" + user + "@/" + database + "?host=" + dir_.path() + "&port=" + port_;
}

std::string PostgresServer::TlsUrl(const std::string& database, const std::string& ca_file) const {
  return "postgresql://kpo@127.0.0.1:" + port_ + "/" + database +
         "?sslmode=verify-full&sslrootcert=" + (ca_file.empty() ? CaFile() : ca_file);
}

std::string PostgresServer::CaFile() const { return dir_.File("ca.crt"); }
std::string PostgresServer::OtherCaFile() const { return dir_.File("other-ca.crt"); }

// A CA of its own, a server certificate it signs for 127.0.0.1, and another CA that
// signed nothing here (openssl's command line, elliptic-curve keys: quick to make).
void PostgresServer::MakeCertificates() {
  auto run = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), "openssl");
    if (RunToEnd(argv, dir_.File("openssl.log")) != 0) {
      throw std::runtime_error("openssl failed: " + ReadFile(dir_.File("openssl.log")));
    }
  };
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                       "-nodes"};
  auto self_signed = [&](const std::string& name, const std::string& subject) {
    std::vector<std::string> argv = {"req", "-x509", "-days", "2", "-subj", subject};
    argv.insert(argv.end(), ec.begin(), ec.end());
    argv.insert(argv.end(),
                {"-keyout", dir_.File(name + ".key"), "-out", dir_.File(name + ".crt")});
    run(argv);
  };
  self_signed("ca", "/CN=kpo test CA");
  self_signed("other-ca", "/CN=kpo other CA");
  std::vector<std::string> request = {"req", "-subj", "/CN=127.0.0.1"};
  request.insert(request.end(), ec.begin(), ec.end());
  request.insert(request.end(),
                 {"-keyout", dir_.File("server.key"), "-out", dir_.File("server.csr")});
  run(request);
  {
    std::ofstream ext(dir_.File("server.ext"));
    ext << "subjectAltName=IP:127.0.0.1\n";
  }
  run({"x509", "-req", "-days", "2", "-in", dir_.File("server.csr"), "-CA", dir_.File("ca.crt"),
       "-CAkey", dir_.File("ca.key"), "-CAcreateserial", "-extfile", dir_.File("server.ext"),
       "-out", dir_.File("server.crt")});
  // The server refuses a key others can read, and must own it.
  const std::string key = dir_.File("server.key");
  if (chmod(key.c_str(), 0600) != 0) throw std::runtime_error("cannot chmod " + key);
  if (!user_.empty()) {
    const passwd* pw = getpwnam(user_.c_str());
    if (pw == nullptr || chown(key.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot hand " + key + " to " + user_);
    }
  }
}

std::string PostgresServer::NewDatabase() {
  const std::string name = "t" + std::to_string(++next_database_);
  const int rc = RunToEnd({bin_ + "/createdb", "-h", dir_.path(), "-p", port_, "-U", "kpo", name},
                          dir_.File("createdb.log"));
  if (rc != 0) throw std::runtime_error("createdb failed: " + ReadFile(dir_.File("createdb.log")));
  return Url(name);
}

std::string PostgresServer::Log() const { return ReadFile(dir_.File("postgres.log")); }

PostgresServer& SharedPostgresServer() {
  static std::unique_ptr<PostgresServer> server = std::make_unique<PostgresServer>();
  return *server;
}

std::string BinaryPath(const std::string& relative) {
  return std::string(KPO_BINARY_DIR) + "/" + relative;
}

}  // namespace kpo::testing
