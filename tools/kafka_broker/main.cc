// kpo-kafka-broker: the local Kafka broker of the stack and of integration tests.
// librdkafka's mock cluster (real Kafka protocol on 127.0.0.1, random ports, nothing
// persisted) wrapped as a process. It creates the platform's topics, writes its
// bootstrap address to --bootstrap-file (and stdout), and runs until SIGTERM/SIGINT.
// Fault injection: SIGUSR1 takes every broker down, SIGUSR2 brings them back.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/str_split.h"
#include "kpo/events/mock_cluster.h"

int main(int argc, char** argv) {
  CLI::App app{"Local Kafka broker (librdkafka mock cluster) for the KPO platform"};
  int brokers = 1;
  int partitions = 3;
  std::string topics =
      "kpo.people.v1,kpo.kaizen.v1,kpo.daily.v1,kpo.reporting.v1,kpo.dlt.people,kpo.dlt.kaizen,"
      "kpo.dlt.daily,kpo.dlt.reporting";
  std::string bootstrap_file;
  app.add_option("--brokers", brokers, "Number of brokers (1-16)")->check(CLI::Range(1, 16));
  app.add_option("--partitions", partitions, "Partitions per topic")->check(CLI::Range(1, 256));
  app.add_option("--topics", topics, "Comma-separated topics to create");
  app.add_option("--bootstrap-file", bootstrap_file, "Where to write the bootstrap servers");
  CLI11_PARSE(app, argc, argv);

  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto cluster = kpo::events::MockCluster::Create(brokers);
  if (!cluster.ok()) {
    std::cerr << "kpo-kafka-broker: " << cluster.status().message() << "\n";
    return 1;
  }
  for (absl::string_view t : absl::StrSplit(topics, ',', absl::SkipEmpty())) {
    if (auto s = (*cluster)->CreateTopic(std::string(t), partitions, std::min(brokers, 3));
        !s.ok()) {
      std::cerr << "kpo-kafka-broker: " << s.message() << "\n";
      return 1;
    }
  }
  const std::string bootstrap = (*cluster)->bootstrap_servers();
  if (!bootstrap_file.empty()) {
    const std::string tmp = bootstrap_file + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    std::filesystem::rename(tmp, bootstrap_file);
  }
  std::cout << bootstrap << std::endl;
  std::fprintf(stderr, "kpo-kafka-broker: %d broker(s) at %s; SIGUSR1 = down, SIGUSR2 = up\n",
               brokers, bootstrap.c_str());
  while (true) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig == SIGUSR1) {
      (*cluster)->SetAllBrokersDown();
      std::fprintf(stderr, "kpo-kafka-broker: all brokers down\n");
    } else if (sig == SIGUSR2) {
      (*cluster)->SetAllBrokersUp();
      std::fprintf(stderr, "kpo-kafka-broker: all brokers up\n");
    } else {
      break;
    }
  }
  if (!bootstrap_file.empty()) std::filesystem::remove(bootstrap_file);
  return 0;
}
