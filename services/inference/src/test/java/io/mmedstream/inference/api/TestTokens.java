package io.mmedstream.inference.api;

import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

/** The clients the %test profile configures (application.properties), and stubs that send their tokens. */
final class TestTokens {

    /** May use /admin; 50 calls/s, burst 100. */
    static final String TEST_TOKEN = "test-token-0123456789abcdef";
    /** Not an admin; 5 calls/s, burst 5. */
    static final String OTHER_TOKEN = "other-token-0123456789abcdef";

    private TestTokens() {
    }

    static <S extends AbstractStub<S>> S withToken(S stub, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
