package dev.loginpipe.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class KafkaErrorsTest {
    private static final String ERROR_STATE = "Cannot execute transactional method because we are in an error state";

    @Test
    void everyAnswerKafkaGivesAFencedProducerIsFencedAlsoAsTheCauseOfTheErrorState() {
        for (KafkaException fenced : new KafkaException[] {new ProducerFencedException("x"),
                new InvalidTxnStateException("x"), new InvalidProducerEpochException("x")}) {
            assertThat(KafkaErrors.isFenced(fenced)).as(fenced.getClass().getSimpleName()).isTrue();
            assertThat(KafkaErrors.isFatal(new KafkaException(ERROR_STATE, fenced))).isTrue();
        }
    }

    @Test
    void transientErrorsAndRefusalsAreNotFatal() {
        for (KafkaException e : new KafkaException[] {new TimeoutException("x"), new NotEnoughReplicasException("x"),
                new InvalidRecordException("x"), new RecordTooLargeException("x"), new KafkaException(ERROR_STATE,
                new NotEnoughReplicasException("x"))}) {
            assertThat(KafkaErrors.isFatal(e)).as(e.toString()).isFalse();
        }
        assertThat(KafkaErrors.isRefusal(new InvalidRecordException("x"))).isTrue();
        assertThat(KafkaErrors.isRefusal(new TimeoutException("x"))).isFalse();
        assertThat(KafkaErrors.isFatal(new SaslAuthenticationException("x"))).isTrue();
    }
}
