package dev.loginpipe.dlq.console;

import java.io.IOException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.dlq.console.access.Accounts;
import dev.loginpipe.dlq.redrive.RedriveApi;
import org.eclipse.jetty.http.HttpHeader;

/**
 * What each route of {@link Routes} does, apart from who may call it (the table and the server check that first):
 * the query or body it takes, what it records in the audit trail before it acts, and the answer.
 */
final class Endpoints {
    private final ConsoleApi api;
    private final RedriveApi redrive;
    private final Accounts accounts;
    private final EventStreams events;
    private final boolean https;

    Endpoints(ConsoleApi api, RedriveApi redrive, Accounts accounts, EventStreams events, boolean https) {
        this.api = api;
        this.redrive = redrive;
        this.accounts = accounts;
        this.events = events;
        this.https = https;
    }

    /** Signs in with {@code name} and {@code password}, or with {@code token} alone; the cookie holds a session id. */
    void login(Call call) throws IOException, InterruptedException {
        String name = call.fields.getOrDefault("name", "").strip();
        String secret = name.isEmpty() ? call.fields.getOrDefault("token", "") : call.fields.getOrDefault("password", "");
        Accounts.SignIn signIn = accounts.signIn(name, secret, call.address());
        if (signIn.sessionId() == null) {
            call.error(signIn.status(), signIn.refusal());
            return;
        }
        call.response.getHeaders().add(HttpHeader.SET_COOKIE, Guard.COOKIE + "=" + signIn.sessionId()
                + "; Path=/; HttpOnly; SameSite=Strict" + (https ? "; Secure" : ""));
        call.empty(204);
    }

    void logout(Call call) {
        accounts.signOut(Guard.sessionId(call.request.getHeaders()));
        call.response.getHeaders().add(HttpHeader.SET_COOKIE, Guard.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; "
                + "SameSite=Strict" + (https ? "; Secure" : ""));
        call.empty(204);
    }

    void summary(Call call) throws IOException {
        call.noQuery();
        call.send(200, api.summary(call.principal));
    }

    void signatures(Call call) throws IOException {
        call.noQuery();
        call.send(200, api.signatures());
    }

    void records(Call call) throws IOException {
        call.send(200, api.records(call.query(RecordPages.PARAMS), call.principal));
    }

    void record(Call call) throws IOException {
        call.noQuery();
        ObjectNode detail = api.record(call.partition(), call.offset(), call.principal);
        if (detail == null) {
            call.error(404, "no record at " + call.partition() + ":" + call.offset());
        } else {
            call.send(200, detail);
        }
    }

    void history(Call call) throws IOException {
        call.noQuery();
        answer(call, redrive.history(call.partition(), call.offset()));
    }

    void events(Call call) throws IOException {
        call.noQuery();
        events.open(call);
    }

    void dryRun(Call call) throws IOException {
        if (trailRefuses(call)) {
            return;
        }
        Params selection = Params.ofFields(call.fields, Selection.PARAMS);
        redrive.recordDryRun(call.fields, call.caller()); // before it reads anything
        ObjectNode result = api.dryRun(selection, call.principal);
        if (result == null) {
            call.error(429, "a dry run is already running; try again when it is done");
        } else {
            call.send(200, result);
        }
    }

    void backtest(Call call) throws IOException {
        call.noQuery();
        call.send(200, api.backtest());
    }

    void startBacktest(Call call) throws IOException {
        if (trailRefuses(call)) {
            return;
        }
        String records = call.fields.getOrDefault("output_records", Long.toString(ConsoleApi.DEFAULT_BACKTEST_RECORDS));
        ObjectNode started = api.startBacktest(call.fields, call.principal,
                version -> redrive.recordBacktest("backtest", version, records, call.caller()));
        if (started == null) {
            call.error(409, "a backtest is running; cancel it or wait for it to finish");
        } else {
            call.send(202, started);
        }
    }

    void cancelBacktest(Call call) throws IOException {
        if (trailRefuses(call)) {
            return;
        }
        api.cancelBacktest(version -> redrive.recordBacktest("backtest-cancelled", version, null, call.caller()));
        call.send(200, api.backtest());
    }

    void shadow(Call call) throws IOException {
        call.noQuery();
        call.send(200, api.shadow());
    }

    void startShadow(Call call) throws IOException {
        if (trailRefuses(call)) {
            return;
        }
        ObjectNode started = api.startShadow(call.fields, call.principal,
                version -> redrive.recordShadow("shadow-started", version, call.caller()));
        if (started == null) {
            call.error(409, "a shadow is watching; stop it first");
        } else {
            call.send(202, started);
        }
    }

    void stopShadow(Call call) throws IOException {
        if (trailRefuses(call)) {
            return;
        }
        api.stopShadow(version -> redrive.recordShadow("shadow-stopped", version, call.caller()));
        call.send(200, api.shadow());
    }

    void example(Call call) throws IOException {
        call.noQuery();
        ObjectNode found = api.example(call.part("version"), call.partition(), call.offset(), call.principal);
        if (found == null) {
            call.error(404, "no output record at " + call.partition() + ":" + call.offset());
        } else {
            call.send(200, found);
        }
    }

    void plans(Call call) throws IOException {
        call.noQuery();
        answer(call, redrive.list());
    }

    void audit(Call call) throws IOException {
        call.noQuery();
        answer(call, redrive.audit());
    }

    void createPlan(Call call) throws IOException {
        call.noQuery();
        answer(call, redrive.create(call.fields, call.caller()));
    }

    void planDryRun(Call call) throws IOException {
        call.noQuery();
        answer(call, redrive.dryRun(call.fields, call.caller()));
    }

    /** {@code /api/plans/{id}/start} and the others: the action is the path's last word. */
    void planAction(Call call) throws IOException {
        call.noQuery();
        String path = call.request.getHttpURI().getPath();
        answer(call, redrive.act(call.part("id"), path.substring(path.lastIndexOf('/') + 1), call.caller()));
    }

    private static void answer(Call call, RedriveApi.Answer answer) throws IOException {
        call.send(answer.status(), answer.body());
    }

    /**
     * Answers 503 or 403 when the audit trail cannot record what is asked (not read yet, or read-only): dry runs,
     * backtests and shadows, their cancel and stop, are recorded there before they act. True when it answered.
     */
    private boolean trailRefuses(Call call) throws IOException {
        String unavailable = redrive.unavailable();
        if (unavailable != null) {
            call.error(503, unavailable);
            return true;
        }
        String readOnly = redrive.readOnly();
        if (readOnly != null) {
            call.error(403, readOnly);
            return true;
        }
        return false;
    }
}
