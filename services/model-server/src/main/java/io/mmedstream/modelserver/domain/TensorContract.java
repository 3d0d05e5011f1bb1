package io.mmedstream.modelserver.domain;

import java.util.List;
import java.util.Optional;

/**
 * The tensors every model of this server takes and returns: the contract of Triton's vLLM backend, so a client
 * written for one works with the other. Shapes are those the vLLM backend declares (one prompt per request,
 * {@code max_batch_size: 0}).
 */
public final class TensorContract {

    /**
     * One tensor.
     *
     * @param datatype KServe v2 name (BYTES, BOOL, UINT32)
     * @param configType the model-configuration name of the type (TYPE_STRING, TYPE_BOOL, TYPE_UINT32)
     * @param shape dimensions; -1 is variable
     * @param optional whether a request may leave the input out
     */
    public record Tensor(String name, String datatype, String configType, List<Long> shape, boolean optional) {
    }

    public static final String TEXT_INPUT = "text_input";
    public static final String STREAM = "stream";
    public static final String SAMPLING_PARAMETERS = "sampling_parameters";
    public static final String EXCLUDE_INPUT_IN_OUTPUT = "exclude_input_in_output";
    public static final String RETURN_FINISH_REASON = "return_finish_reason";
    public static final String RETURN_NUM_INPUT_TOKENS = "return_num_input_tokens";
    public static final String RETURN_NUM_OUTPUT_TOKENS = "return_num_output_tokens";

    public static final String TEXT_OUTPUT = "text_output";
    public static final String FINISH_REASON = "finish_reason";
    public static final String NUM_INPUT_TOKENS = "num_input_tokens";
    public static final String NUM_OUTPUT_TOKENS = "num_output_tokens";

    /** Response parameter that marks the last response of a decoupled request. */
    public static final String FINAL_RESPONSE_PARAMETER = "triton_final_response";

    public static final List<Tensor> INPUTS = List.of(
            new Tensor(TEXT_INPUT, "BYTES", "TYPE_STRING", List.of(1L), false),
            new Tensor(STREAM, "BOOL", "TYPE_BOOL", List.of(1L), true),
            new Tensor(SAMPLING_PARAMETERS, "BYTES", "TYPE_STRING", List.of(1L), true),
            new Tensor(EXCLUDE_INPUT_IN_OUTPUT, "BOOL", "TYPE_BOOL", List.of(1L), true),
            new Tensor(RETURN_FINISH_REASON, "BOOL", "TYPE_BOOL", List.of(1L), true),
            new Tensor(RETURN_NUM_INPUT_TOKENS, "BOOL", "TYPE_BOOL", List.of(1L), true),
            new Tensor(RETURN_NUM_OUTPUT_TOKENS, "BOOL", "TYPE_BOOL", List.of(1L), true));

    public static final List<Tensor> OUTPUTS = List.of(
            new Tensor(TEXT_OUTPUT, "BYTES", "TYPE_STRING", List.of(-1L), false),
            new Tensor(FINISH_REASON, "BYTES", "TYPE_STRING", List.of(-1L), false),
            new Tensor(NUM_INPUT_TOKENS, "UINT32", "TYPE_UINT32", List.of(1L), false),
            new Tensor(NUM_OUTPUT_TOKENS, "UINT32", "TYPE_UINT32", List.of(-1L), false));

    private TensorContract() {
    }

    public static Optional<Tensor> input(String name) {
        return INPUTS.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public static Optional<Tensor> output(String name) {
        return OUTPUTS.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
