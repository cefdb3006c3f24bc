listeners = {
  http = { port = 80, protocol = "HTTP", port = 8080 }
}
