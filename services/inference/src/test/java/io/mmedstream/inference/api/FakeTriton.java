package io.mmedstream.inference.api;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mmedstream.proto.triton.GRPCInferenceServiceGrpc;
import io.mmedstream.proto.triton.InferParameter;
import io.mmedstream.proto.triton.ModelInferRequest;
import io.mmedstream.proto.triton.ModelInferResponse;
import io.mmedstream.proto.triton.ModelReadyRequest;
import io.mmedstream.proto.triton.ModelReadyResponse;
import io.mmedstream.proto.triton.ModelStreamInferResponse;
import io.mmedstream.proto.triton.RepositoryModelLoadRequest;
import io.mmedstream.proto.triton.RepositoryModelLoadResponse;
import io.mmedstream.triton.client.TritonTensors;

/**
 * A test double of Triton's KServe v2 gRPC service, as the vLLM backend behaves on a decoupled model: records every
 * request it gets and answers each stream request with what {@link #responder} sends.
 */
final class FakeTriton extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    final List<ModelInferRequest> requests = new CopyOnWriteArrayList<>();
    final Set<String> readyVersions = ConcurrentHashMap.newKeySet();
    final AtomicInteger cancelledStreams = new AtomicInteger();
    volatile BiConsumer<ModelInferRequest, StreamObserver<ModelStreamInferResponse>> responder;

    /** A text_output response, flagged final or not, with the vLLM backend's optional count outputs. */
    static ModelStreamInferResponse response(ModelInferRequest request, String text, boolean last,
                                             Long promptTokens, Long newTokens, String finishReason) {
        ModelInferResponse.Builder r = ModelInferResponse.newBuilder().setModelName(request.getModelName())
                .setModelVersion(request.getModelVersion()).setId(request.getId())
                .putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(last).build());
        r.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("text_output").setDatatype("BYTES")
                .addShape(1));
        r.addRawOutputContents(TritonTensors.stringRaw(text));
        if (finishReason != null) {
            r.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("finish_reason")
                    .setDatatype("BYTES").addShape(1));
            r.addRawOutputContents(TritonTensors.stringRaw(finishReason));
        }
        if (promptTokens != null) {
            r.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("num_input_tokens")
                    .setDatatype("UINT32").addShape(1));
            r.addRawOutputContents(TritonTensors.uint32Raw(promptTokens));
        }
        if (newTokens != null) {
            r.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("num_output_tokens")
                    .setDatatype("UINT32").addShape(1));
            r.addRawOutputContents(TritonTensors.uint32Raw(newTokens));
        }
        return ModelStreamInferResponse.newBuilder().setInferResponse(r).build();
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> responses) {
        responses.onNext(ModelReadyResponse.newBuilder()
                .setReady(readyVersions.contains(request.getName() + "/" + request.getVersion())).build());
        responses.onCompleted();
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request,
                                    StreamObserver<RepositoryModelLoadResponse> responses) {
        responses.onNext(RepositoryModelLoadResponse.getDefaultInstance());
        responses.onCompleted();
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> responses) {
        // The client half-closes right after its request, so a later cancellation shows only here (not as onError).
        ((ServerCallStreamObserver<ModelStreamInferResponse>) responses)
                .setOnCancelHandler(cancelledStreams::incrementAndGet);
        return new StreamObserver<>() {
            @Override
            public void onNext(ModelInferRequest request) {
                requests.add(request);
                responder.accept(request, responses);
            }

            @Override
            public void onError(Throwable t) {
                // cancellation is counted by the handler above
            }

            @Override
            public void onCompleted() {
                // the responder completes the stream once it has sent the final response
            }
        };
    }
}
