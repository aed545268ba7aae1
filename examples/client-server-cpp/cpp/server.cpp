// OpenAos client/server example, the server: a TCP echo service on PORT (default 8080). Each
// line a client sends is answered with one line naming this instance, so the client's log
// shows which server answered.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {

std::string environment(const char *name, const std::string &fallback) {
  const char *value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// One request line (up to '\n'), then one answer line; the connection is closed after it.
void serve(int connection, const std::string &identity) {
  std::string request;
  char buffer[512];
  while (request.find('\n') == std::string::npos && request.size() < 4096) {
    const ssize_t received = recv(connection, buffer, sizeof buffer, 0);
    if (received <= 0) break;
    request.append(buffer, static_cast<size_t>(received));
  }
  request = request.substr(0, request.find('\n'));
  const std::string answer = "echo from " + identity + ": " + request + "\n";
  send(connection, answer.data(), answer.size(), MSG_NOSIGNAL);
  std::cout << "answered \"" << request << "\"" << std::endl;
}

}  // namespace

int main() {
  const int port = std::atoi(environment("PORT", "8080").c_str());
  const std::string identity = environment("AOS_INSTANCE_ID", "server on the host");
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  const int reuse = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 || listen(listener, 16) != 0) {
    std::cerr << "cannot listen on port " << port << ": " << std::strerror(errno) << std::endl;
    return 1;
  }
  std::cout << "listening on port " << port << " as " << identity << std::endl;
  for (;;) {
    const int connection = accept(listener, nullptr, nullptr);
    if (connection < 0) continue;
    serve(connection, identity);
    close(connection);
  }
}
