package dev.cafestack.relay;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import dev.cafestack.relay.core.BadPayload;
import dev.cafestack.relay.core.Notification;
import dev.cafestack.relay.core.PayloadParser;

/**
 * Alertmanager's webhook receiver: {@code POST /alertmanager} with {@code Authorization: Bearer <token>}. A notification
 * is answered 200 only once its alerts are in the store; bad input is a 4xx with a JSON error naming the fault.
 */
@Path("/alertmanager")
public class AlertmanagerResource {

    private static final Logger LOG = Logger.getLogger(AlertmanagerResource.class);

    @Inject
    RelayService relay;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, InputStream body) throws IOException {
        if (!relay.authorized(authorization)) {
            return Response.status(401).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"wecom-relay\"")
                    .entity(Map.of("error", authorization == null ? "missing bearer token" : "wrong bearer token")).build();
        }
        byte[] bytes = body.readNBytes(relay.maxBodyBytes() + 1);
        if (bytes.length > relay.maxBodyBytes()) {
            return error(413, "body larger than " + relay.maxBodyBytes() + " bytes");
        }
        Notification notification;
        try {
            notification = PayloadParser.parse(bytes);
        } catch (BadPayload e) {
            return error(e.status(), e.getMessage());
        }
        int added;
        try {
            added = relay.accept(notification);
        } catch (RuntimeException e) {
            LOG.error("cannot store a notification; Alertmanager will send it again: " + e);
            return error(503, "the store cannot take it now; send it again");
        }
        return Response.ok(Map.of("alerts", notification.alerts().size(), "queued", added)).build();
    }

    private static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
