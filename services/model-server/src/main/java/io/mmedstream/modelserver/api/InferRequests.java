package io.mmedstream.modelserver.api;

import java.nio.charset.CharacterCodingException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mmedstream.modelserver.domain.GenerateCommand;
import io.mmedstream.modelserver.domain.TensorContract;
import io.mmedstream.modelserver.engine.DecodingParams;
import io.mmedstream.modelserver.service.ModelServerException;
import io.mmedstream.modelserver.service.SamplingParametersJson;
import io.mmedstream.proto.triton.InferParameter;
import io.mmedstream.proto.triton.InferTensorContents;
import io.mmedstream.proto.triton.ModelInferRequest;
import io.mmedstream.triton.client.TritonTensors;

import com.google.protobuf.ByteString;

/**
 * Decodes a {@code ModelInferRequest} into a {@link GenerateCommand}, checking it against the tensor contract. Every
 * refusal is INVALID_ARGUMENT and names the tensor (or parameter) at fault. Tensor data may come in
 * {@code raw_input_contents} (one entry per input, in order, and then no input may also set {@code contents}) or in
 * each input's typed {@code contents}.
 */
final class InferRequests {

    /** Request parameters Triton reserves for itself; they are never sampling parameters. */
    private static final Set<String> RESERVED = Set.of("sequence_id", "sequence_start", "sequence_end", "priority",
            "timeout", "headers", "binary_data_output");

    private InferRequests() {
    }

    static GenerateCommand decode(ModelInferRequest request) {
        String model = request.getModelName();
        if (model.isEmpty()) {
            throw ModelServerException.invalid("model_name is empty");
        }
        int rawCount = request.getRawInputContentsCount();
        if (rawCount > 0 && rawCount != request.getInputsCount()) {
            throw ModelServerException.invalid("raw_input_contents has " + rawCount + " entries for "
                    + request.getInputsCount() + " inputs (it needs one per input, in order)");
        }
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor input = request.getInputs(i);
            String name = input.getName();
            var spec = TensorContract.input(name).orElseThrow(() -> ModelServerException.invalid(
                    "unexpected inference input '" + name + "' for model '" + model + "' (inputs: "
                            + TensorContract.INPUTS.stream().map(TensorContract.Tensor::name).toList() + ")"));
            if (values.containsKey(name)) {
                throw ModelServerException.invalid("input '" + name + "' is given twice");
            }
            if (!input.getDatatype().equals(spec.datatype())) {
                throw ModelServerException.invalid("input '" + name + "' has datatype '" + input.getDatatype()
                        + "', model '" + model + "' expects '" + spec.datatype() + "'");
            }
            long elements = 1;
            for (long d : input.getShapeList()) {
                if (d < 0) {
                    throw ModelServerException.invalid("input '" + name + "' has a negative dimension in shape "
                            + input.getShapeList());
                }
                elements *= d;
            }
            if (input.getShapeCount() == 0 || elements != 1) {
                throw ModelServerException.invalid("input '" + name + "' must hold exactly one element (shape [1]), "
                        + "got shape " + input.getShapeList());
            }
            if (rawCount > 0 && input.hasContents()) {
                throw ModelServerException.invalid("input '" + name + "' sets contents while the request uses "
                        + "raw_input_contents");
            }
            ByteString raw = rawCount > 0 ? request.getRawInputContents(i) : null;
            values.put(name, spec.datatype().equals("BYTES") ? text(name, raw, input.getContents())
                    : bool(name, raw, input.getContents()));
        }
        if (!values.containsKey(TensorContract.TEXT_INPUT)) {
            throw ModelServerException.invalid("expected input '" + TensorContract.TEXT_INPUT + "' for model '"
                    + model + "'");
        }
        boolean stream = flag(values, TensorContract.STREAM, false);
        Boolean exclude = (Boolean) values.get(TensorContract.EXCLUDE_INPUT_IN_OUTPUT);
        if (stream && Boolean.FALSE.equals(exclude)) {
            throw ModelServerException.invalid("input '" + TensorContract.EXCLUDE_INPUT_IN_OUTPUT
                    + "' = false is not allowed when streaming");
        }
        boolean excludeInput = exclude != null ? exclude : stream;
        String samplingJson = (String) values.get(TensorContract.SAMPLING_PARAMETERS);
        DecodingParams params = samplingJson != null ? SamplingParametersJson.parse(samplingJson)
                : SamplingParametersJson.parse(parametersAsJson(request.getParametersMap()));

        boolean finishReason = flag(values, TensorContract.RETURN_FINISH_REASON, false);
        boolean inputTokens = flag(values, TensorContract.RETURN_NUM_INPUT_TOKENS, false);
        boolean outputTokens = flag(values, TensorContract.RETURN_NUM_OUTPUT_TOKENS, false);
        Set<String> requested = new LinkedHashSet<>();
        for (ModelInferRequest.InferRequestedOutputTensor out : request.getOutputsList()) {
            String name = out.getName();
            if (TensorContract.output(name).isEmpty()) {
                throw ModelServerException.invalid("unexpected inference output '" + name + "' for model '" + model
                        + "'");
            }
            boolean produced = switch (name) {
                case TensorContract.FINISH_REASON -> finishReason;
                case TensorContract.NUM_INPUT_TOKENS -> inputTokens;
                case TensorContract.NUM_OUTPUT_TOKENS -> outputTokens;
                default -> true;
            };
            if (!produced) {
                throw ModelServerException.invalid("output '" + name + "' is produced only when input 'return_" + name
                        + "' is true");
            }
            requested.add(name);
        }
        return new GenerateCommand(model, request.getModelVersion(), request.getId(),
                (String) values.get(TensorContract.TEXT_INPUT), params, stream, excludeInput, finishReason,
                inputTokens, outputTokens, requested);
    }

    private static String text(String name, ByteString raw, InferTensorContents contents) {
        List<byte[]> elements;
        if (raw != null) {
            try {
                elements = TritonTensors.parseBytesRaw(raw);
            } catch (IllegalArgumentException e) {
                throw ModelServerException.invalid("input '" + name + "': " + e.getMessage());
            }
        } else {
            elements = contents.getBytesContentsList().stream().map(ByteString::toByteArray).toList();
        }
        if (elements.size() != 1) {
            throw ModelServerException.invalid("input '" + name + "' holds " + elements.size()
                    + " BYTES elements, its shape says 1");
        }
        try {
            return TritonTensors.utf8(elements.get(0));
        } catch (CharacterCodingException e) {
            throw ModelServerException.invalid("input '" + name + "' is not valid UTF-8");
        }
    }

    private static Boolean bool(String name, ByteString raw, InferTensorContents contents) {
        if (raw != null) {
            if (raw.size() != 1) {
                throw ModelServerException.invalid("input '" + name + "' has " + raw.size()
                        + " raw bytes, a BOOL element is 1 byte");
            }
            return raw.byteAt(0) != 0;
        }
        if (contents.getBoolContentsCount() != 1) {
            throw ModelServerException.invalid("input '" + name + "' holds " + contents.getBoolContentsCount()
                    + " bool_contents, its shape says 1");
        }
        return contents.getBoolContents(0);
    }

    private static boolean flag(Map<String, Object> values, String name, boolean fallback) {
        Object v = values.get(name);
        return v == null ? fallback : (Boolean) v;
    }

    /**
     * Request parameters as sampling parameters, the way Triton's vLLM backend reads them when no
     * sampling_parameters tensor is sent; Triton's reserved keys and {@code triton_*} keys are left out.
     */
    private static String parametersAsJson(Map<String, InferParameter> parameters) {
        com.fasterxml.jackson.databind.node.ObjectNode json =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        parameters.forEach((key, p) -> {
            if (RESERVED.contains(key) || key.startsWith("triton_")) {
                return;
            }
            switch (p.getParameterChoiceCase()) {
                case BOOL_PARAM -> json.put(key, p.getBoolParam());
                case INT64_PARAM -> json.put(key, p.getInt64Param());
                case DOUBLE_PARAM -> json.put(key, p.getDoubleParam());
                case UINT64_PARAM -> json.put(key, Long.toUnsignedString(p.getUint64Param()));
                case STRING_PARAM -> json.put(key, p.getStringParam());
                default -> {
                }
            }
        });
        return json.isEmpty() ? null : json.toString();
    }
}
