package dev.loginpipe.common.validation;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Format;

/**
 * The draft-07 {@code ipv4} format, decided exactly as networknt's regular expression decides it (four decimal
 * numbers 0-255 joined by dots, no leading zeros, ASCII digits only) without the expression: on a valid event the
 * expression took 40% of the schema check (measured: 270 of 700 ns). Names and messages stay networknt's.
 */
final class Ipv4Format implements Format {
    private final Format standard;

    Ipv4Format(Format standard) {
        this.standard = standard;
    }

    @Override
    public String getName() {
        return standard.getName();
    }

    @Override
    public String getMessageKey() {
        return standard.getMessageKey();
    }

    @Override
    public String getErrorMessageDescription() {
        return standard.getErrorMessageDescription();
    }

    @Override
    public boolean matches(ExecutionContext context, String value) {
        return isDottedQuad(value);
    }

    static boolean isDottedQuad(String s) {
        int at = 0;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (at >= s.length() || s.charAt(at) != '.') {
                    return false;
                }
                at++;
            }
            int start = at;
            int number = 0;
            while (at < s.length() && at - start < 4 && isDigit(s.charAt(at))) {
                number = number * 10 + s.charAt(at++) - '0';
            }
            int digits = at - start;
            if (digits == 0 || digits > 3 || number > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return false;
            }
        }
        return at == s.length();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
