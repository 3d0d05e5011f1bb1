package io.mmedstream.local.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import io.mmedstream.local.submit.JsonLines;
import io.mmedstream.local.submit.SubmissionRun;
import io.mmedstream.local.submit.SubmissionSource;
import io.mmedstream.local.submit.Submitter;
import io.mmedstream.proto.Topics;

/** {@code ./mmed submit FILE}: bulk-loads a JSON Lines corpus onto the submission topic. */
final class SubmitCommand implements Command {

    @Override
    public String name() {
        return "submit";
    }

    @Override
    public String summary() {
        return "bulk-load FILE.jsonl[.gz] in the submission format into the running stack, with progress";
    }

    @Override
    public String help() {
        return """
                usage: ./mmed submit [--bootstrap HOST:PORT] FILE.jsonl[.gz]

                Sends each non-blank line of FILE (plain or gzip) as one record to %s, byte for
                byte: ingest validates it, so a malformed line is rejected there with a reason (./mmed status
                shows them). The submission format is in docs/submission-format.md:
                  {"text": "...", "source": "...", "lang"?: "en", "url"?: ..., "license"?: ..., "external_id"?: ...}
                Shows documents/s and MB/s while it runs and the count at the end. Exits with 1 when Kafka cannot
                be reached or does not acknowledge every record.

                """.formatted(Topics.DOCS_SUBMITTED) + BootstrapAddress.HELP;
    }

    @Override
    public Set<String> options() {
        return Set.of(BootstrapAddress.OPTION);
    }

    @Override
    public int run(Arguments args, CliContext context) throws IOException {
        args.expectPositionals(1, 1, "the file to submit (FILE.jsonl or FILE.jsonl.gz)");
        Path file = Path.of(args.positionals().get(0));
        String bootstrap = BootstrapAddress.resolve(args, context);
        try (JsonLines lines = JsonLines.open(file); Submitter submitter = Submitter.connect(bootstrap)) {
            SubmissionRun.Result result = SubmissionRun.run(submitter, SubmissionSource.of(lines), context.terminal());
            context.terminal().out().println("submitted " + result.describe() + " from " + file
                    + (lines.skippedBlank() > 0 ? " (" + lines.skippedBlank() + " blank lines skipped)" : ""));
        }
        return 0;
    }
}
