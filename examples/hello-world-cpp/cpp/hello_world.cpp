// OpenAos hello world in C++: greets every few seconds with the AOS_* variables the unit gives
// it, and counts its greetings in /storage (when the service has a storage quota), so a
// restarted instance carries on counting. Settings come from /etc/hello.cfg (src/etc/).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>

extern char **environ;

namespace {

const char *const kConfigFile = "/etc/hello.cfg";
const char *const kCounterFile = "/storage/hello-count.txt";

// `key = value` lines; '#' starts a comment; section headers are ignored.
std::map<std::string, std::string> readSettings() {
  std::map<std::string, std::string> settings{{"greeting", "Hello from OpenAos (C++)"}, {"interval", "5"}};
  std::ifstream file(kConfigFile);
  std::string line;
  auto trim = [](std::string text) {
    const auto first = text.find_first_not_of(" \t");
    const auto last = text.find_last_not_of(" \t\r");
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
  };
  while (std::getline(file, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const auto equals = line.find('=');
    if (equals != std::string::npos) settings[trim(line.substr(0, equals))] = trim(line.substr(equals + 1));
  }
  if (const char *interval = std::getenv("HELLO_INTERVAL"); interval != nullptr && *interval != '\0')
    settings["interval"] = interval;
  return settings;
}

long readCounter() {
  std::ifstream file(kCounterFile);
  long value = 0;
  return (file >> value) ? value : 0;
}

void writeCounter(long value) {
  // /storage exists only when the service has a storage quota; without it, count in memory.
  if (!std::filesystem::is_directory("/storage")) return;
  const std::string temporary = std::string(kCounterFile) + ".tmp";
  std::ofstream(temporary) << value;
  std::filesystem::rename(temporary, kCounterFile);  // atomic: a restart never sees half a number
}

std::string aosVariables() {
  std::map<std::string, std::string> variables;
  for (char **entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto equals = text.find('=');
    if (text.rfind("AOS_", 0) == 0 && equals != std::string::npos)
      variables[text.substr(0, equals)] = text.substr(equals + 1);
  }
  std::string joined;
  for (const auto &[name, value] : variables) joined += (joined.empty() ? "" : " ") + name + "=" + value;
  return joined;
}

}  // namespace

int main() {
  const auto settings = readSettings();
  const double interval = std::atof(settings.at("interval").c_str());
  const std::string identity = aosVariables();
  for (long count = readCounter() + 1;; ++count) {
    std::cout << settings.at("greeting") << " #" << count << " " << identity << std::endl;
    writeCounter(count);
    std::this_thread::sleep_for(std::chrono::duration<double>(interval > 0 ? interval : 5));
  }
}
