package dev.loginpipe.system;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** Grants ACLs through the broker's internal listener and waits until the authorizer applies them. */
final class Acls {
    private static final Duration APPLIED_WITHIN = Duration.ofSeconds(10);

    private Acls() {
    }

    static AclBinding allow(String user, AclOperation operation, ResourceType type, String name) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    /** For every resource whose name starts with {@code prefix}. */
    static AclBinding allowPrefixed(String user, AclOperation operation, ResourceType type, String prefix) {
        return new AclBinding(new ResourcePattern(type, prefix, PatternType.PREFIXED),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    static void grant(String internalBootstrap, AclBinding... bindings) {
        try (Admin admin = TestKafka.admin(internalBootstrap)) {
            admin.createAcls(List.of(bindings)).all().get();
            // The controller commits an ACL before the broker's authorizer has read it from the metadata log.
            long deadline = System.nanoTime() + APPLIED_WITHIN.toNanos();
            for (AclBinding binding : bindings) {
                while (admin.describeAcls(binding.toFilter()).values().get().isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("not applied within " + APPLIED_WITHIN + ": " + binding);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create ACLs", e);
        }
    }
}
