package dev.loginpipe.consumer;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SimSurvey {
    @Test
    void survey() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Simulation.Result> first = new LinkedHashMap<>();
        int n = Integer.getInteger("n", 3000);
        for (long seed = 1; seed <= n; seed++) {
            Simulation.Result r = Simulation.run(seed);
            if (r.failed()) {
                String key = r.violation().replaceAll("[0-9@]+", "N");
                key = key.substring(0, Math.min(60, key.length()));
                counts.merge(key, 1, Integer::sum);
                first.putIfAbsent(key, r);
            }
        }
        System.err.println("SURVEY of " + n);
        counts.forEach((k, c) -> {
            Simulation.Result s = Simulation.shrink(first.get(k));
            System.err.println("SURVEY " + c + " x " + k + "\n   seed " + s.seed() + " " + s.workload() + ": " + s.violation() + "\n   " + s.schedule());
        });
    }
}
