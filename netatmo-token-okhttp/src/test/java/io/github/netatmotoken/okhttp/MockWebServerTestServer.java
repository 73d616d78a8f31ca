package io.github.netatmotoken.okhttp;

import java.io.IOException;
import java.net.InetAddress;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

/** {@link TestServer} on MockWebServer 3 (needs OkHttp 5). */
final class MockWebServerTestServer extends TestServer {
    private final MockWebServer server = new MockWebServer();

    MockWebServerTestServer() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody() == null ? "" : request.getBody().utf8();
                Reply reply = record(request.getMethod(), request.getTarget(), request.getHeaders().toMultimap(),
                        body);
                MockResponse.Builder response = new MockResponse.Builder();
                if (reply.disconnect()) {
                    return response.onResponseStart(new SocketEffect.CloseSocket()).build();
                }
                response.code(reply.status()).body(reply.body());
                reply.headers().forEach(response::setHeader);
                return response.build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @Override
    int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
