// OpenAos client/server example, the client: every CLIENT_INTERVAL seconds it sends a numbered
// line to SERVER_HOST:SERVER_PORT and prints the server's answer, or why it could not get one.
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

namespace {

std::string environment(const char *name, const std::string &fallback) {
  const char *value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Connect, send one line, read one line back; the answer, or an error message after "!".
std::string ask(const std::string &host, const std::string &port, const std::string &line) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *found = nullptr;
  if (const int status = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); status != 0)
    return std::string("!cannot resolve ") + host + ": " + gai_strerror(status);
  std::string result = "!cannot connect to " + host + ":" + port;
  for (addrinfo *candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    const int connection = socket(candidate->ai_family, candidate->ai_socktype, candidate->ai_protocol);
    if (connection < 0) continue;
    timeval timeout{5, 0};
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(connection, candidate->ai_addr, candidate->ai_addrlen) != 0) {
      result += std::string(": ") + std::strerror(errno);
      close(connection);
      continue;
    }
    const std::string request = line + "\n";
    send(connection, request.data(), request.size(), MSG_NOSIGNAL);
    std::string answer;
    char buffer[512];
    ssize_t received;
    while ((received = recv(connection, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<size_t>(received));
    close(connection);
    result = answer.empty() ? "!the server closed the connection without answering" : answer.substr(0, answer.find('\n'));
    break;
  }
  freeaddrinfo(found);
  return result;
}

}  // namespace

int main() {
  const std::string host = environment("SERVER_HOST", "127.0.0.1");
  const std::string port = environment("SERVER_PORT", "8080");
  const double interval = std::atof(environment("CLIENT_INTERVAL", "5").c_str());
  for (long count = 1;; ++count) {
    const std::string answer = ask(host, port, "hello #" + std::to_string(count));
    if (answer.rfind('!', 0) == 0)
      std::cout << "no answer to hello #" << count << ": " << answer.substr(1) << std::endl;
    else
      std::cout << "server replied: " << answer << std::endl;
    std::this_thread::sleep_for(std::chrono::duration<double>(interval > 0 ? interval : 5));
  }
}
