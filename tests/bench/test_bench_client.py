"""The load test's HTTP client: a GET dropped unread on a kept-alive connection is sent
again once on a new connection; every other failure is an error."""

import socket
import socketserver
import threading

import pytest

from bench.common import Client

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
SERVER_ERROR = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"


def read_request(stream) -> bool:
    """Read one request's head; False when the client closed the connection."""
    line = stream.readline()
    if not line:
        return False
    while stream.readline() not in (b"\r\n", b""):
        pass
    return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer_connection):
        self.answer_connection = answer_connection
        self.connections = 0
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        self.server.connections += 1
        self.server.answer_connection(self.connection, self.rfile, self.server.connections)


@pytest.fixture
def serve():
    servers = []

    def start(answer_connection) -> Server:
        server = Server(answer_connection)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closes_after_one_answer(sock, stream, number):
    """Answers the first request of a connection, then closes it with the next one unread,
    as a server closing an idle kept-alive connection does."""
    if read_request(stream):
        sock.sendall(OK)
    if read_request(stream):
        sock.shutdown(socket.SHUT_RDWR)


def test_a_request_dropped_on_a_kept_alive_connection_is_sent_again_once(serve):
    server = serve(closes_after_one_answer)
    client = Client(server.server_address[1], timeout=5)

    first = client.get("/")
    second = client.get("/")

    assert (first.status, first.retried) == (200, False)
    assert (second.status, second.retried, second.size) == (200, True, 2)
    assert server.connections == 2
    client.close()


def test_a_new_connection_closed_without_an_answer_is_an_error_not_retried(serve):
    def never_answers(sock, stream, number):
        read_request(stream)
        sock.shutdown(socket.SHUT_RDWR)

    server = serve(never_answers)
    client = Client(server.server_address[1], timeout=5)

    answer = client.get("/")

    assert (answer.status, answer.retried) == (0, False)
    assert answer.error == "RemoteDisconnected"
    assert server.connections == 1


def test_a_retry_that_fails_too_is_an_error(serve):
    def answers_the_first_connection_only(sock, stream, number):
        if number == 1:
            closes_after_one_answer(sock, stream, number)
        else:
            read_request(stream)
            sock.shutdown(socket.SHUT_RDWR)

    server = serve(answers_the_first_connection_only)
    client = Client(server.server_address[1], timeout=5)

    assert client.get("/").status == 200
    answer = client.get("/")

    assert (answer.status, answer.retried, answer.error) == (0, True, "RemoteDisconnected")
    assert server.connections == 2


def test_an_error_status_is_never_retried(serve):
    def answers_500(sock, stream, number):
        while read_request(stream):
            sock.sendall(SERVER_ERROR)

    server = serve(answers_500)
    client = Client(server.server_address[1], timeout=5)

    answers = [client.get("/"), client.get("/")]

    assert [(a.status, a.retried) for a in answers] == [(500, False), (500, False)]
    assert server.connections == 1
    client.close()
