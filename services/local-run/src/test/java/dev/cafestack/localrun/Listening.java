package dev.cafestack.localrun;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;

/** Whether anything accepts connections on a loopback port, asked the way a client asks: by connecting. */
final class Listening {

    private Listening() {
    }

    /**
     * True when a connection to the port is accepted. Refused means nothing listens. So does the one other way a
     * connection to a closed port can succeed: the kernel gave the client the same ephemeral port, and it connected to
     * itself.
     */
    static boolean on(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return socket.getLocalPort() != port;
        } catch (ConnectException refused) {
            return false;
        }
    }
}
