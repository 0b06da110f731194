/* fuzz_script: script_parse on arbitrary bytes (app/kiosk/script.h) — the kiosk's automation
 * script, read from a file given on the command line.
 *
 * A script that parses has at most SCRIPT_MAX_STEPS steps, each with a known operation, a
 * line number within the text, and the string the operation needs.
 */
#include <string.h>

#include "fuzz_support.h"
#include "script.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Script *s = NULL;
    DbError err;
    if (script_parse("fuzz.script", (const char *)data, size, &s, &err) != DB_OK) {
        FUZZ_ASSERT(s == NULL && err.msg[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(s->n >= 0 && s->n <= SCRIPT_MAX_STEPS);
    int last_line = 0;
    for (int i = 0; i < s->n; i++) {
        const ScriptStep *st = &s->steps[i];
        FUZZ_ASSERT(st->op >= SO_TAP_LABEL && st->op <= SO_DOUBLETAP);
        FUZZ_ASSERT(st->line > last_line && (size_t)st->line <= size);
        last_line = st->line;
        int needs_str = st->op == SO_TAP_LABEL || st->op == SO_TYPE || st->op == SO_EXPECT ||
                        st->op == SO_ABSENT || st->op == SO_SCREENSHOT || st->op == SO_WAITFILE;
        if (needs_str)
            FUZZ_ASSERT(st->str != NULL);
        if (st->op == SO_WAIT || st->op == SO_IDLE || st->op == SO_PRESS || st->op == SO_HOLD ||
            st->op == SO_WAITFILE || st->op == SO_DOUBLETAP)
            FUZZ_ASSERT(st->ms >= 0);
    }
    script_free(s);
    return 0;
}
