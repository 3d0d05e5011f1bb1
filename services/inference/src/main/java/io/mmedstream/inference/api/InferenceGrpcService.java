package io.mmedstream.inference.api;

import java.time.Duration;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mmedstream.inference.domain.AnswerResult;
import io.mmedstream.inference.domain.Completion;
import io.mmedstream.inference.domain.EvaluationResult;
import io.mmedstream.inference.domain.GenerationSpec;
import io.mmedstream.inference.domain.QuestionSpec;
import io.mmedstream.inference.domain.ServingModel;
import io.mmedstream.inference.service.AnswerService;
import io.mmedstream.inference.service.GenerationService;
import io.mmedstream.inference.service.InferenceException;
import io.mmedstream.inference.service.InferenceMetrics;
import io.mmedstream.inference.service.ModelRouter;
import io.mmedstream.inference.service.RequestValidator;
import io.mmedstream.proto.inference.v1.AnswerRequest;
import io.mmedstream.proto.inference.v1.AnswerResponse;
import io.mmedstream.proto.inference.v1.EvaluationSummary;
import io.mmedstream.proto.inference.v1.GenerateRequest;
import io.mmedstream.proto.inference.v1.GenerateResponse;
import io.mmedstream.proto.inference.v1.GetModelRequest;
import io.mmedstream.proto.inference.v1.InferenceGrpc;
import io.mmedstream.proto.inference.v1.LanguageAccuracy;
import io.mmedstream.proto.inference.v1.ModelInfo;
import io.mmedstream.proto.inference.v1.ModelRef;
import io.mmedstream.proto.inference.v1.Usage;
import io.quarkus.grpc.GrpcService;

/**
 * The {@code mmedstream.inference.v1.Inference} gRPC service: maps the API's messages to the service layer and back.
 * Nothing here blocks (the calls run on the event loop): generations are asynchronous, and their text is forwarded
 * from the backend's stream as it comes. A client's cancellation (or passed deadline) cancels the backend call.
 */
@GrpcService
public class InferenceGrpcService implements InferenceGrpc.AsyncService, BindableService {

    // JBoss Logging rather than io.quarkus.logging.Log: this class also runs outside Quarkus (the plain-Java tools
    // in io.mmedstream.inference.tools), where Log refuses to work.
    private static final Logger LOG = Logger.getLogger(InferenceGrpcService.class);

    private final RequestValidator validator;
    private final GenerationService generations;
    private final AnswerService answers;
    private final ModelRouter router;
    private final InferenceMetrics metrics;

    @Inject
    public InferenceGrpcService(RequestValidator validator, GenerationService generations, AnswerService answers,
                                ModelRouter router, InferenceMetrics metrics) {
        this.validator = validator;
        this.generations = generations;
        this.answers = answers;
        this.router = router;
        this.metrics = metrics;
    }

    /** The service, with requests that are not valid protobuf answered INVALID_ARGUMENT ({@link MalformedRequests}). */
    @Override
    public ServerServiceDefinition bindService() {
        return MalformedRequests.lenient(InferenceGrpc.bindService(this));
    }

    private static void rejectMalformed(com.google.protobuf.Message request) {
        if (MalformedRequests.isMalformed(request)) {
            throw InferenceException.invalid("request", "not a valid " + request.getDescriptorForType().getName()
                    + " message (malformed protobuf, or a string field that is not UTF-8)");
        }
    }

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> responses) {
        long start = System.nanoTime();
        GenerationService.Running running;
        try {
            rejectMalformed(request);
            GenerationSpec spec = validator.generation(request.getPrompt(),
                    request.hasMaxTokens() ? request.getMaxTokens() : null,
                    request.hasTemperature() ? request.getTemperature() : null,
                    request.hasTopP() ? request.getTopP() : null, request.getStopList(),
                    request.hasSeed() ? request.getSeed() : null);
            running = generations.start(spec,
                    text -> responses.onNext(GenerateResponse.newBuilder().setText(text).build()));
        } catch (RuntimeException e) {
            fail(responses, "Generate", e, start);
            return;
        }
        onCancel(responses, running::cancel);
        running.result().whenComplete((completion, failure) -> {
            if (failure != null) {
                fail(responses, "Generate", failure, start);
                return;
            }
            record("Generate", "OK", start);
            responses.onNext(GenerateResponse.newBuilder().setFinal(true)
                    .setFinishReason(completion.finishReason()).setUsage(usage(completion))
                    .setModel(ref(completion.model())).build());
            responses.onCompleted();
        });
    }

    @Override
    public void answer(AnswerRequest request, StreamObserver<AnswerResponse> responses) {
        long start = System.nanoTime();
        AnswerService.Answering answering;
        try {
            rejectMalformed(request);
            QuestionSpec q = validator.question(request.getQuestion(), request.getOptionsMap(), request.getLanguage(),
                    request.getWithRationale());
            answering = answers.ask(q);
        } catch (RuntimeException e) {
            fail(responses, "Answer", e, start);
            return;
        }
        onCancel(responses, answering::cancel);
        answering.result().whenComplete((answer, failure) -> {
            if (failure != null) {
                fail(responses, "Answer", failure, start);
                return;
            }
            record("Answer", "OK", start);
            responses.onNext(toResponse(answer));
            responses.onCompleted();
        });
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<ModelInfo> responses) {
        ServingModel.Serving serving = router.serving().orElse(null);
        if (serving == null) {
            responses.onError(GrpcErrors.toStatus(new InferenceException(InferenceException.Reason.NO_MODEL,
                    "no model is ready to serve")));
            return;
        }
        ServingModel m = serving.model();
        ModelInfo.Builder info = ModelInfo.newBuilder().setModel(ref(m)).setCheckpointId(m.checkpointId())
                .setServingSinceMs(serving.since().toEpochMilli());
        m.evaluation().ifPresent(e -> info.setEvaluation(summary(e)));
        responses.onNext(info.build());
        responses.onCompleted();
    }

    private static void onCancel(StreamObserver<?> responses, Runnable cancel) {
        if (responses instanceof ServerCallStreamObserver<?> call) {
            call.setOnCancelHandler(cancel);
            if (call.isCancelled()) {
                cancel.run();
            }
        }
    }

    private void record(String rpc, String outcome, long start) {
        metrics.request(rpc, outcome, Duration.ofNanos(System.nanoTime() - start));
    }

    private void fail(StreamObserver<?> responses, String rpc, Throwable failure, long start) {
        io.grpc.StatusRuntimeException status = GrpcErrors.toStatus(failure);
        record(rpc, status.getStatus().getCode().name(), start);
        LOG.debugf("%s failed: %s", rpc, status.getStatus());
        if (responses instanceof ServerCallStreamObserver<?> call && call.isCancelled()) {
            return; // the client is gone: nobody to tell
        }
        responses.onError(status);
    }

    static AnswerResponse toResponse(AnswerResult answer) {
        Completion c = answer.completion();
        return AnswerResponse.newBuilder().addAllChosen(answer.chosen()).setRationale(answer.rationale())
                .setRawOutput(c.text()).setModel(ref(c.model())).setUnparseableReason(answer.unparseableReason())
                .setParseRule(answer.rule()).setUsage(usage(c)).setPrompt(answer.prompt()).build();
    }

    private static Usage usage(Completion c) {
        return Usage.newBuilder().setPromptTokens(c.promptTokens()).setCompletionTokens(c.completionTokens()).build();
    }

    private static ModelRef ref(ServingModel m) {
        return ModelRef.newBuilder().setName(m.name()).setVersion(m.version()).build();
    }

    private static EvaluationSummary summary(EvaluationResult e) {
        EvaluationSummary.Builder s = EvaluationSummary.newBuilder().setMeanAccuracy(e.meanAccuracy())
                .setEvaluatedAtMs(e.evaluatedAt() == null ? 0 : e.evaluatedAt().toEpochMilli());
        e.languages().forEach(l -> s.addLanguages(LanguageAccuracy.newBuilder().setLanguage(l.language())
                .setQuestions(l.questions()).setCorrect(l.correct()).setAccuracy(l.accuracy())
                .setUnparseable(l.unparseable())));
        return s.build();
    }
}
