package io.mmedstream.inference.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;

/**
 * Lets the service answer INVALID_ARGUMENT for a request that is not a valid protobuf message (typically a
 * {@code string} field holding bytes that are not UTF-8). Left to gRPC, the parse failure ends the call before the
 * service sees it, with UNKNOWN "Application error processing RPC" (grpc-java) or INTERNAL "Half-closed without a
 * request" (Vert.x): statuses that blame the server. Here the request parser never fails: it hands the service an
 * empty message marked with an unknown field, which {@link #isMalformed} recognises. The service descriptors keep
 * their schema, so reflection is unchanged.
 */
final class MalformedRequests {

    /** The largest field number protobuf allows; no message of the API uses it. */
    static final int MARKER_FIELD = 536_870_911;

    private MalformedRequests() {
    }

    /** Whether a request stands for one that could not be parsed. */
    static boolean isMalformed(Message request) {
        return request.getUnknownFields().hasField(MARKER_FIELD);
    }

    /** The service with lenient request parsing. */
    static ServerServiceDefinition lenient(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> lenient = lenient(method);
            methods.add(lenient);
            descriptor.addMethod(lenient.getMethodDescriptor());
        }
        ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(out::addMethod);
        return out.build();
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> ServerMethodDefinition<Q, R> lenient(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> d = method.getMethodDescriptor();
        if (!(d.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> proto)
                || !(proto.getMessagePrototype() instanceof Message prototype)) {
            return method;
        }
        MethodDescriptor.Marshaller<Q> strict = d.getRequestMarshaller();
        Q malformed = (Q) prototype.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(MARKER_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()).build();
        MethodDescriptor.Marshaller<Q> marshaller = new MethodDescriptor.PrototypeMarshaller<>() {
            @Override
            public Q getMessagePrototype() {
                return (Q) prototype;
            }

            @Override
            public Class<Q> getMessageClass() {
                return (Class<Q>) prototype.getClass();
            }

            @Override
            public InputStream stream(Q value) {
                return strict.stream(value);
            }

            @Override
            public Q parse(InputStream stream) {
                try {
                    return (Q) prototype.getParserForType().parseFrom(stream.readAllBytes());
                } catch (InvalidProtocolBufferException | StatusRuntimeException e) {
                    return malformed;
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read a request", e);
                }
            }
        };
        return ServerMethodDefinition.create(d.toBuilder().setRequestMarshaller(marshaller).build(),
                method.getServerCallHandler());
    }
}
