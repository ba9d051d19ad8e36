// Kafka side of bench/hook_bench.sh: starts librdkafka's in-process mock cluster, writes its
// bootstrap servers to READY_FILE, waits for GO_FILE to exist and produces the first line of
// RECORDS to ATLAS_HOOK, then waits for GO_FILE.all and produces the others (one hook record
// per line) at RATE records/s and prints {"produced": N, "produce_s": S}. It then serves the
// cluster until it is terminated. (The mock keeps only the last ~5 MB of a partition, so the
// consumer must be reading while the bulk is produced: the first record shows when it is, and
// the rate keeps the backlog on the broker small.)
//   hook_kafka_feed RECORDS READY_FILE GO_FILE RATE
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
  if (argc != 5) {
    std::fprintf(stderr, "usage: hook_kafka_feed RECORDS READY_FILE GO_FILE RATE\n");
    return 2;
  }
  const double rate = std::stod(argv[4]);
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
  constexpr size_t kChunk = 10;
  for (size_t i = 1; i < records.size(); i += kChunk) {
    std::this_thread::sleep_until(t0 + std::chrono::duration<double>(static_cast<double>(i - 1) / rate));
    std::vector<kafka::OutgoingRecord> chunk(records.begin() + i, records.begin() + std::min(records.size(), i + kChunk));
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
