package dev.loginpipe.common.validation;

/**
 * How deep a JSON text nests, counted on its bytes: names the depth (and where it went too deep) when the parser
 * stops at its limit, which it does without saying either.
 *
 * @param maxDepth    the deepest level of arrays and objects; brackets inside strings do not count
 * @param firstBeyond the byte offset of the first bracket that opens a level deeper than the limit, or -1
 */
record Nesting(int maxDepth, int firstBeyond) {

    static Nesting of(byte[] json, int limit) {
        int depth = 0;
        int max = 0;
        int firstBeyond = -1;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '[' || b == '{') {
                max = Math.max(max, ++depth);
                if (depth > limit && firstBeyond < 0) {
                    firstBeyond = i;
                }
            } else if (b == ']' || b == '}') {
                depth--;
            }
        }
        return new Nesting(max, firstBeyond);
    }
}
