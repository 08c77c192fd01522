package dev.cafestack.latte;

import dev.cafestack.api.v1.Barista;
import dev.cafestack.api.v1.BrewReply;
import dev.cafestack.api.v1.BrewRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** The gRPC face of the {@link dev.cafestack.latte.Barista}: non-blocking, answers on the event loop. */
@GrpcService
public class BaristaGrpcService implements Barista {

    private final dev.cafestack.latte.Barista barista;

    BaristaGrpcService(dev.cafestack.latte.Barista barista) {
        this.barista = barista;
    }

    @Override
    public Uni<BrewReply> brew(BrewRequest request) {
        try {
            return Uni.createFrom().item(barista.brew(request));
        } catch (dev.cafestack.latte.Barista.InvalidOrderException e) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        }
    }
}
