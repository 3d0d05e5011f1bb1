package io.mmedstream.eval.messaging;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.mmedstream.triton.client.TritonClient;

/** Points eval's Triton client at the in-process {@link FakeTriton}. */
public class TestTritonClient {

    @Produces
    @Singleton
    TritonClient client() {
        return new TritonClient(InProcessChannelBuilder.forName(EvalTestBackend.SERVER).build(),
                TritonClient.Deadlines.defaults(), false, true);
    }
}
