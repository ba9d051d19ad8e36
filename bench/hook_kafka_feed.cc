// Kafka side of bench/hook_bench.sh: starts librdkafka's in-process mock cluster, writes its
// bootstrap servers to READY_FILE, waits for GO_FILE to exist and produces the first line of
// RECORDS to ATLAS_HOOK, then waits for GO_FILE.all and produces the others (one hook record
// per line) and prints {"produced": N, "produce_s": S}. It then serves the cluster until it is
// terminated. (The mock keeps only the last ~5 MB of a partition, so the consumer must be reading
// while the bulk is produced: the first record shows when it is.)
//   hook_kafka_feed RECORDS READY_FILE GO_FILE
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "meridian/kafka/kafka.h"
#include "meridian/kafka/mock_cluster.h"

int main(int argc, char** argv) {
  using namespace meridian;
  if (argc != 4) {
    std::fprintf(stderr, "usage: hook_kafka_feed RECORDS READY_FILE GO_FILE\n");
    return 2;
  }
  auto cluster = kafka::MockCluster::Create(1);
  if (!cluster.ok() || !(*cluster)->CreateTopic("ATLAS_HOOK", 1).ok()) return 1;
  std::vector<kafka::OutgoingRecord> records;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) records.push_back({"ATLAS_HOOK", std::nullopt, line});
  auto producer = kafka::Producer::Create({(*cluster)->bootstrap_servers()});
  if (!producer.ok()) return 1;
  std::ofstream(std::string(argv[2]) + ".tmp") << (*cluster)->bootstrap_servers();
  std::filesystem::rename(std::string(argv[2]) + ".tmp", argv[2]);
  auto wait_for = [](const std::string& file) {
    while (!std::filesystem::exists(file)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  wait_for(argv[3]);
  if (records.empty() || !(*producer)->Send(records.front()).ok()) return 1;
  wait_for(std::string(argv[3]) + ".all");
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 1; i < records.size(); i += 1000) {
    std::vector<kafka::OutgoingRecord> chunk(records.begin() + i, records.begin() + std::min(records.size(), i + 1000));
    if (!(*producer)->Send(chunk).ok()) return 1;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"produced\": %zu, \"produce_s\": %.3f}\n", records.size(), s);
  std::fflush(stdout);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}
