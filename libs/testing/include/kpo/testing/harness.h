#pragma once

// Test harness for tests that cross a process boundary: temporary folders, child
// processes on loopback, and waiting on observable conditions with a deadline (never a
// bare sleep). Used only by tests; not thread-safe unless stated.

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace kpo::testing {

// A fresh folder under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls `condition` (every few milliseconds, backing off to 50 ms) until it holds or
// `timeout` passes. Returns whether it held.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(20));

// A child process. Its stdout and stderr go to `log_path`. Killed (SIGKILL) on
// destruction if still running, and when the thread that started it ends (the test
// crashed or was killed).
class Process {
 public:
  // `user`, when not empty and this process is root, is the account the child runs as
  // (servers such as PostgreSQL refuse to run as root).
  Process(std::vector<std::string> argv, std::map<std::string, std::string> env,
          std::string log_path, const std::string& user = "");
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int signo);
  // Sends SIGTERM and waits up to `timeout`; returns the exit status, or -1 if it had to
  // be killed.
  int Stop(absl::Duration timeout = absl::Seconds(15));
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::string log_path_;
};

// Runs a command to its end (output to `log_path`); its exit status, -1 after `timeout`.
int RunToEnd(std::vector<std::string> argv, const std::string& log_path,
             absl::Duration timeout = absl::Seconds(60), const std::string& user = "");

// Reads a whole file; "" if missing.
std::string ReadFile(const std::string& path);

// A real redis-server listening only on a Unix socket in its own temp folder.
class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  // "unix:<path>", the address form libs/cache accepts.
  std::string address() const { return "unix:" + socket_; }
  void Stop();
  void Start();

 private:
  TempDir dir_;
  std::string socket_;
  std::unique_ptr<Process> process_;
};

// Path of a binary built next to the test binaries (CMake passes the folder).
std::string BinaryPath(const std::string& relative);

class PostgresServer;
// One PostgreSQL server for the whole test process, started at the first call and
// stopped (its folder removed) when the process exits.
PostgresServer& SharedPostgresServer();

// A real PostgreSQL server (Debian's postgresql package) in its own temp folder,
// listening only on a Unix socket there, never on a network address. As root it runs
// as the `postgres` account, since PostgreSQL refuses root. fsync is off: the tests
// kill processes, not machines, and a killed server loses nothing it acknowledged
// (KPO_PG_FSYNC=on turns it on, for benchmarks of durable writes).
struct PostgresServerOptions {
  // Also listen on 127.0.0.1 (a free port) with TLS, its certificate (for IP 127.0.0.1)
  // signed by a CA made for this server (CaFile()).
  bool tls = false;
};

class PostgresServer {
 public:
  // initdb and start; throws std::runtime_error saying why not.
  explicit PostgresServer(PostgresServerOptions options = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Creates a new, empty database and returns its libpq URI.
  std::string NewDatabase();
  std::string Url(const std::string& database) const;
  // The account that must authenticate with a password (SCRAM); every other account is
  // trusted on the socket. The server knows the account once a test creates it.
  static constexpr const char* kPasswordRole = "kpo_password";
  std::string UrlAs(const std::string& database, const std::string& user) const;
  // With tls: `database` over TCP to 127.0.0.1, sslmode=verify-full against `ca_file`
  // (CaFile() if empty).
  std::string TlsUrl(const std::string& database, const std::string& ca_file = "") const;
  std::string CaFile() const;
  // A CA that signed nothing of this server's: verify-full against it must fail.
  std::string OtherCaFile() const;
  // Fast shutdown (connections are cut), and start again on the same data.
  void Stop();
  void Start();
  std::string Log() const;

 private:
  void MakeCertificates();

  const PostgresServerOptions options_;
  TempDir dir_;
  std::string bin_;   // the server's binaries
  std::string port_;  // the socket's (and with tls, the TCP listener's) port
  std::string user_;  // the account it runs as; "" = this one
  int next_database_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace kpo::testing
