package dev.loginpipe.dlq.console;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.dlq.backtest.CandidateSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * An output record that a candidate schema would reject, for the payload viewer: judged again by the candidate when
 * asked, so the marks are the candidate's own violations, never something the page sent.
 */
final class CandidateExamples implements AutoCloseable {
    private final RecordFetcher output;
    private final ObjectMapper json;

    CandidateExamples(Config config, String outputTopic, ObjectMapper json) {
        this.output = new RecordFetcher(config, outputTopic, "console-examples", RecordFetcher.FOR_PAGES);
        this.json = json;
    }

    /** Null when there is no record at these coordinates. */
    ObjectNode of(CandidateSchema candidate, int partition, long offset, Display display) {
        ConsumerRecord<byte[], byte[]> record = output.fetch(Map.of(partition, new long[] {offset}))
                .get(RecordFetcher.key(partition, offset));
        if (record == null) {
            return null;
        }
        ValidationResult verdict = candidate.validator().validate(record.value());
        List<PayloadView.Note> notes = verdict.violations().stream().limit(RecordDetail.MAX_NOTES)
                .map(v -> new PayloadView.Note(v.path(), v.keyword(), display.text(v.message(),
                        RecordDetail.MAX_HEADER_CHARS))).toList();
        ObjectNode out = json.createObjectNode().put("topic", record.topic()).put("partition", partition)
                .put("offset", offset).put("version", candidate.version()).put("valid", verdict.isValid())
                .put("reason", verdict.isValid() ? null : verdict.reason().label())
                .put("message", verdict.isValid() ? null : display.text(verdict.message(), RecordDetail.MAX_HEADER_CHARS));
        PayloadView.render(out.putObject("view"), record.value(), notes, null, display);
        return out;
    }

    @Override
    public void close() {
        output.close();
    }
}
