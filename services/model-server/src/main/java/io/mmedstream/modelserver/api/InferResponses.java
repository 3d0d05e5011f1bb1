package io.mmedstream.modelserver.api;

import java.util.ArrayList;
import java.util.List;

import io.mmedstream.modelserver.domain.GenerateCommand;
import io.mmedstream.modelserver.domain.TensorContract;
import io.mmedstream.modelserver.service.ServedVersion;
import io.mmedstream.proto.triton.InferParameter;
import io.mmedstream.proto.triton.ModelInferResponse;
import io.mmedstream.proto.triton.ModelStreamInferResponse;
import io.mmedstream.triton.client.TritonTensors;

import com.google.protobuf.ByteString;

/**
 * Builds responses the way Triton's vLLM backend fills them: {@code text_output} BYTES of shape [1] (the new text of
 * this response), and, when the request asked with the {@code return_*} inputs, {@code finish_reason} (vLLM's names,
 * "None" until the last response), {@code num_input_tokens} and {@code num_output_tokens} (tokens of this response)
 * as UINT32 [1]. Data always travels in {@code raw_output_contents}, as Triton sends it. Responses of a decoupled
 * model carry the {@code triton_final_response} parameter, true on the last one.
 */
final class InferResponses {

    private InferResponses() {
    }

    /**
     * One response.
     *
     * @param finishReason vLLM's name of why generation ended, or null while it goes on
     */
    static ModelInferResponse response(GenerateCommand command, ServedVersion version, String text, int promptTokens,
                                       int newTokens, String finishReason, boolean last) {
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder()
                .setModelName(version.model())
                .setModelVersion(Long.toString(version.version()))
                .setId(command.id());
        List<ByteString> raw = new ArrayList<>();
        output(b, raw, command, TensorContract.TEXT_OUTPUT, "BYTES", TritonTensors.stringRaw(text), true);
        output(b, raw, command, TensorContract.FINISH_REASON, "BYTES",
                TritonTensors.stringRaw(finishReason == null ? "None" : finishReason), command.returnFinishReason());
        output(b, raw, command, TensorContract.NUM_INPUT_TOKENS, "UINT32", TritonTensors.uint32Raw(promptTokens),
                command.returnNumInputTokens());
        output(b, raw, command, TensorContract.NUM_OUTPUT_TOKENS, "UINT32", TritonTensors.uint32Raw(newTokens),
                command.returnNumOutputTokens());
        b.addAllRawOutputContents(raw);
        if (version.configuration().decoupled()) {
            b.putParameters(TensorContract.FINAL_RESPONSE_PARAMETER,
                    InferParameter.newBuilder().setBoolParam(last).build());
        }
        return b.build();
    }

    private static void output(ModelInferResponse.Builder b, List<ByteString> raw, GenerateCommand command,
                               String name, String datatype, ByteString data, boolean produced) {
        if (!produced || (!command.requestedOutputs().isEmpty() && !command.requestedOutputs().contains(name))) {
            return;
        }
        b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(name).setDatatype(datatype)
                .addShape(1));
        raw.add(data);
    }

    /** A stream message reporting a failed request; the stream itself goes on. */
    static ModelStreamInferResponse streamError(String model, String version, String id, String message) {
        ModelInferResponse response = ModelInferResponse.newBuilder().setModelName(model).setModelVersion(version)
                .setId(id)
                .putParameters(TensorContract.FINAL_RESPONSE_PARAMETER,
                        InferParameter.newBuilder().setBoolParam(true).build())
                .build();
        return ModelStreamInferResponse.newBuilder().setErrorMessage(message).setInferResponse(response).build();
    }
}
