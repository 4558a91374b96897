package dev.loginpipe.dlq.redrive;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Service;

/**
 * A console's redrive in a JVM of its own, for a test to kill: opens the redrive of the settings in its environment
 * (running on what the trail says was running) and, given {@code start TOPIC RATE MAX}, creates and starts a plan
 * and prints its id. Then waits to be killed.
 */
public final class RedriveChild {
    private RedriveChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Redrive redrive = Redrive.open(Config.load(Service.DLQ_CONSOLE, System.getenv()));
        if (args.length == 4 && args[0].equals("start")) {
            Plan plan = redrive.create("child", new PlanSpec(null, null, null, null, args[1],
                    Long.parseLong(args[2]), Long.parseLong(args[3]), 100, 1, null));
            redrive.start("child", plan.id());
            System.out.println(plan.id());
            System.out.flush();
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
